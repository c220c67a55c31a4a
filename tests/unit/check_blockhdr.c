/*
 * Unit tests of src/trace/blockhdr.c: a header verifies only for its own block, any
 * changed byte or field breaks it, and the canary depends on the address and secret.
 */
#include "check_run.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "trace/blockhdr.h"
#include "trace/format.h"

#define USER 0x7f0000001230ull
#define SECRET 0x0123456789abcdefull

static struct blockhdr fresh(void)
{
    struct blockhdr h;
    blockhdr_encode(&h, USER, 100, KIND_NEW_ARRAY, BLOCK_LIVE, BLOCKHDR_SIZE, 7, 0, SECRET);
    return h;
}

START_TEST(test_fields_and_intact)
{
    struct blockhdr h = fresh();
    ck_assert_uint_eq(h.base_off, BLOCKHDR_SIZE);
    ck_assert_uint_eq(h.kind, KIND_NEW_ARRAY);
    ck_assert_uint_eq(h.state, BLOCK_LIVE);
    ck_assert_uint_eq(h.magic, BLOCKHDR_MAGIC);
    ck_assert_uint_eq(h.alloc_stack, 7);
    ck_assert_uint_eq(h.size, 100);
    ck_assert_int_eq(blockhdr_intact(&h, USER, SECRET), 1);
}
END_TEST

/* Every single-byte change anywhere in the header is noticed. */
START_TEST(test_any_byte_changed)
{
    for (size_t i = 0; i < BLOCKHDR_SIZE; i++) {
        struct blockhdr h = fresh();
        ((unsigned char *)&h)[i] ^= 0x01;
        ck_assert_msg(!blockhdr_intact(&h, USER, SECRET), "byte %zu changed unnoticed", i);
    }
}
END_TEST

START_TEST(test_other_address_or_secret)
{
    struct blockhdr h = fresh();
    ck_assert_int_eq(blockhdr_intact(&h, USER + 16, SECRET), 0);
    ck_assert_int_eq(blockhdr_intact(&h, USER, SECRET + 1), 0);
}
END_TEST

START_TEST(test_freed_state_has_its_own_check)
{
    struct blockhdr live = fresh(), freed;
    blockhdr_encode(&freed, USER, 100, KIND_NEW_ARRAY, BLOCK_FREED, BLOCKHDR_SIZE, 7, 9, SECRET);
    ck_assert_int_eq(blockhdr_intact(&freed, USER, SECRET), 1);
    ck_assert_uint_ne(freed.check, live.check);
    freed.state = BLOCK_LIVE; /* a freed header made to look live again */
    ck_assert_int_eq(blockhdr_intact(&freed, USER, SECRET), 0);
}
END_TEST

START_TEST(test_canary)
{
    unsigned char a[BLOCKHDR_CANARY], b[BLOCKHDR_CANARY], c[BLOCKHDR_CANARY];
    blockhdr_canary(USER, SECRET, a);
    blockhdr_canary(USER + 16, SECRET, b);
    blockhdr_canary(USER, SECRET ^ 1, c);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
    ck_assert_int_ne(memcmp(a, c, sizeof(a)), 0);
    for (size_t i = 0; i < BLOCKHDR_CANARY; i++)
        ck_assert_uint_ne(a[i], 0); /* a stray terminating NUL always shows */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blockhdr");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fields_and_intact);
    tcase_add_test(tc, test_any_byte_changed);
    tcase_add_test(tc, test_other_address_or_secret);
    tcase_add_test(tc, test_freed_state_has_its_own_check);
    tcase_add_test(tc, test_canary);
    suite_add_tcase(s, tc);
    return check_run(s);
}
