/*
 * Unit tests of src/analyze/modmap.c: a position sees the map as it was (later modules and
 * later maps invisible), overlapping starts, reuse of maps nobody holds.
 */
#include "check_run.h"
#include <check.h>

#include "analyze/modmap.h"

START_TEST(test_lookup)
{
    struct modmap mm;
    modmap_init(&mm);
    ck_assert_int_eq(modmap_find(&mm, modmap_now(&mm), 0x1000), -1); /* nothing mapped */
    ck_assert_int_eq(modmap_add(&mm, 0x3000, 0x4000, 7), 0);
    ck_assert_int_eq(modmap_add(&mm, 0x1000, 0x2000, 5), 0);
    struct modmap_pos now = modmap_now(&mm);
    ck_assert_int_eq(modmap_find(&mm, now, 0x1000), 5);
    ck_assert_int_eq(modmap_find(&mm, now, 0x1fff), 5);
    ck_assert_int_eq(modmap_find(&mm, now, 0x2000), -1); /* the gap */
    ck_assert_int_eq(modmap_find(&mm, now, 0x3abc), 7);
    ck_assert_int_eq(modmap_find(&mm, now, 0x4000), -1);
    ck_assert_int_eq(modmap_find(&mm, now, 0xfff), -1);
    modmap_fini(&mm);
}
END_TEST

/* A position taken before a module (or a new map) was added does not see it. */
START_TEST(test_position_is_a_moment)
{
    struct modmap mm;
    modmap_init(&mm);
    struct modmap_pos before = modmap_now(&mm);
    ck_assert_int_eq(modmap_begin(&mm), 0);
    ck_assert_int_eq(modmap_add(&mm, 0x1000, 0x2000, 1), 0);
    struct modmap_pos one = modmap_now(&mm);
    ck_assert_int_eq(modmap_add(&mm, 0x5000, 0x6000, 2), 0);
    struct modmap_pos two = modmap_now(&mm);
    ck_assert_int_eq(modmap_begin(&mm), 0); /* held: a new map, the old one kept */
    ck_assert_int_eq(modmap_add(&mm, 0x1000, 0x3000, 3), 0);
    struct modmap_pos third = modmap_now(&mm);
    ck_assert_int_eq(modmap_find(&mm, before, 0x1000), -1);
    ck_assert_int_eq(modmap_find(&mm, one, 0x1800), 1);
    ck_assert_int_eq(modmap_find(&mm, one, 0x5800), -1);
    ck_assert_int_eq(modmap_find(&mm, two, 0x5800), 2);
    ck_assert_int_eq(modmap_find(&mm, two, 0x2800), -1);
    ck_assert_int_eq(modmap_find(&mm, third, 0x2800), 3);
    ck_assert_int_eq(modmap_find(&mm, third, 0x5800), -1);
    modmap_fini(&mm);
}
END_TEST

/*
 * Equal starts: the latest added module wins (as a lookup right after adding it found),
 * and only its own end counts; a position before it still finds the older one.
 */
START_TEST(test_equal_starts)
{
    struct modmap mm;
    modmap_init(&mm);
    ck_assert_int_eq(modmap_add(&mm, 0x1000, 0x9000, 1), 0);
    struct modmap_pos old = modmap_now(&mm);
    ck_assert_int_eq(modmap_add(&mm, 0x1000, 0x2000, 2), 0);
    struct modmap_pos now = modmap_now(&mm);
    ck_assert_int_eq(modmap_find(&mm, now, 0x1800), 2);
    ck_assert_int_eq(modmap_find(&mm, now, 0x4000), -1);
    ck_assert_int_eq(modmap_find(&mm, old, 0x4000), 1);
    modmap_fini(&mm);
}
END_TEST

/* A map no position refers to is reused by the next MODULES_BEGIN. */
START_TEST(test_reuse)
{
    struct modmap mm;
    modmap_init(&mm);
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(modmap_begin(&mm), 0);
        ck_assert_int_eq(modmap_add(&mm, 0x1000, 0x2000, i), 0);
    }
    ck_assert_uint_eq(mm.ngens, 1);
    struct modmap_pos held = modmap_now(&mm);
    ck_assert_int_eq(modmap_begin(&mm), 0);
    ck_assert_int_eq(modmap_add(&mm, 0x1000, 0x2000, 500), 0);
    ck_assert_uint_eq(mm.ngens, 2);
    ck_assert_int_eq(modmap_find(&mm, held, 0x1000), 99);
    ck_assert_int_eq(modmap_find(&mm, modmap_now(&mm), 0x1000), 500);
    modmap_fini(&mm);
}
END_TEST

static Suite *modmap_suite(void)
{
    Suite *s = suite_create("modmap");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_lookup);
    tcase_add_test(tc, test_position_is_a_moment);
    tcase_add_test(tc, test_equal_starts);
    tcase_add_test(tc, test_reuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(modmap_suite());
}
