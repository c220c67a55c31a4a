/*
 * Unit tests of src/shim/pooltab.c: pools remembered with name and stack, forgotten one
 * slot at a time, a full table refusing, handles it cannot hold, and threads adding and
 * removing at once with every pool of theirs kept exactly once.
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "shim/pooltab.h"

#define THREADS 4
#define ROUNDS 20000

static struct pooltab tab;

struct seen {
    uintptr_t pools[POOLTAB_SLOTS];
    char names[POOLTAB_SLOTS][TRACE_POOL_NAME_MAX + 1];
    uint32_t stacks[POOLTAB_SLOTS];
    size_t n;
};

static void collect(uintptr_t pool, const char *name, uint32_t name_len, uint32_t stack,
                    void *arg)
{
    struct seen *s = arg;
    s->pools[s->n] = pool;
    memcpy(s->names[s->n], name, name_len);
    s->names[s->n][name_len] = '\0';
    s->stacks[s->n++] = stack;
}

static void setup(void)
{
    memset(&tab, 0, sizeof(tab));
}

START_TEST(test_add_remove_each)
{
    static struct seen s;
    ck_assert_int_eq(pooltab_add(&tab, 0x1000, "partition", 9, 3), 0);
    ck_assert_int_eq(pooltab_add(&tab, 0x2000, "", 0, 4), 0);
    ck_assert_int_eq(pooltab_add(&tab, 0x3000, "slab", 4, 5), 0);
    pooltab_remove(&tab, 0x2000);
    pooltab_remove(&tab, 0x9000); /* never added: nothing happens */
    memset(&s, 0, sizeof(s));
    pooltab_each(&tab, collect, &s);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_uint_eq(s.pools[0], 0x1000);
    ck_assert_str_eq(s.names[0], "partition");
    ck_assert_uint_eq(s.stacks[0], 3);
    ck_assert_uint_eq(s.pools[1], 0x3000);
    ck_assert_str_eq(s.names[1], "slab");
    /* the freed slot is taken again */
    ck_assert_int_eq(pooltab_add(&tab, 0x4000, "x", 1, 6), 0);
    memset(&s, 0, sizeof(s));
    pooltab_each(&tab, collect, &s);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_uint_eq(s.pools[1], 0x4000);
}
END_TEST

START_TEST(test_full_and_bad_handles)
{
    for (uintptr_t i = 0; i < POOLTAB_SLOTS; i++)
        ck_assert_int_eq(pooltab_add(&tab, 0x10000 + i * 16, "p", 1, 1), 0);
    ck_assert_int_eq(pooltab_add(&tab, 0x1000, "p", 1, 1), -ENOSPC);
    pooltab_remove(&tab, 0x10000);
    ck_assert_int_eq(pooltab_add(&tab, 0x1000, "p", 1, 1), 0);
    ck_assert_int_eq(pooltab_add(&tab, 0, "p", 1, 1), -EINVAL);
    ck_assert_int_eq(pooltab_add(&tab, POOLTAB_CLAIMED, "p", 1, 1), -EINVAL);
}
END_TEST

static void *churn(void *arg)
{
    uintptr_t base = (uintptr_t)arg;
    for (uintptr_t i = 0; i < ROUNDS; i++) {
        uintptr_t pool = base + (i % 8) * 16;
        if (pooltab_add(&tab, pool, "t", 1, (uint32_t)i) == 0)
            pooltab_remove(&tab, pool);
    }
    /* each thread leaves 3 pools behind */
    for (uintptr_t i = 0; i < 3; i++)
        ck_assert_int_eq(pooltab_add(&tab, base + 0x800 + i * 16, "left", 4, 1), 0);
    return NULL;
}

START_TEST(test_threads)
{
    static struct seen s;
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, churn, (void *)((i + 1) << 20)), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    memset(&s, 0, sizeof(s));
    pooltab_each(&tab, collect, &s);
    ck_assert_uint_eq(s.n, THREADS * 3);
    for (size_t i = 0; i < s.n; i++) {
        ck_assert_str_eq(s.names[i], "left");
        for (size_t j = 0; j < i; j++)
            ck_assert_uint_ne(s.pools[i], s.pools[j]);
    }
}
END_TEST

static Suite *pooltab_suite(void)
{
    Suite *s = suite_create("pooltab");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_add_remove_each);
    tcase_add_test(tc, test_full_and_bad_handles);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(pooltab_suite());
}
