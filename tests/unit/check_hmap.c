/* Unit tests of src/analyze/hmap.c: insertion, lookup, growth, backward-shift removal. */
#include "check_run.h"
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "analyze/hmap.h"

START_TEST(test_put_get)
{
    struct hmap m;
    hmap_init(&m, sizeof(uint64_t));
    ck_assert_ptr_null(hmap_get(&m, 5));
    int created = 0;
    uint64_t *v = hmap_put(&m, 5, &created);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(created, 1);
    ck_assert_uint_eq(*v, 0);
    *v = 55;
    v = hmap_put(&m, 5, &created);
    ck_assert_int_eq(created, 0);
    ck_assert_uint_eq(*v, 55);
    ck_assert_ptr_null(hmap_put(&m, 0, NULL));
    ck_assert_uint_eq(m.count, 1);
    hmap_fini(&m);
}
END_TEST

/* Many keys, many removals, checked against a plain array after every step. */
START_TEST(test_against_reference)
{
    enum { N = 5000 };
    static uint64_t present[N]; /* value stored for key i+1, 0 if absent */
    struct hmap m;
    hmap_init(&m, sizeof(uint64_t));
    srand(42);
    for (int step = 0; step < 60000; step++) {
        uint64_t k = (uint64_t)(rand() % N) + 1;
        /* aligned addresses cluster: stress the probe runs */
        uint64_t key = k * 16 + 0x7f0000000000ULL;
        if (rand() % 3) {
            uint64_t *v = hmap_put(&m, key, NULL);
            ck_assert_ptr_nonnull(v);
            *v = (uint64_t)step + 1;
            present[k - 1] = (uint64_t)step + 1;
        } else {
            uint64_t old = 0;
            int had = hmap_remove(&m, key, &old);
            ck_assert_int_eq(had, present[k - 1] != 0);
            ck_assert_uint_eq(old, present[k - 1]);
            present[k - 1] = 0;
        }
    }
    size_t count = 0;
    for (uint64_t k = 1; k <= N; k++) {
        uint64_t *v = hmap_get(&m, k * 16 + 0x7f0000000000ULL);
        if (present[k - 1]) {
            ck_assert_ptr_nonnull(v);
            ck_assert_uint_eq(*v, present[k - 1]);
            count++;
        } else {
            ck_assert_ptr_null(v);
        }
    }
    ck_assert_uint_eq(m.count, count);
    size_t pos = 0, seen = 0;
    while (hmap_next(&m, &pos, NULL))
        seen++;
    ck_assert_uint_eq(seen, count);
    hmap_fini(&m);
}
END_TEST

/*
 * A table of several MiB (its own mapping), with values wider than a word, grown and half
 * emptied. Mismatches are counted and asserted once: each ck_assert is a write to Check's
 * pipe, too slow for every key under the sanitizers.
 */
START_TEST(test_large)
{
    enum { N = 40000 };
    struct wide {
        uint64_t a;
        uint32_t b; /* value of 12 bytes: slots padded to 24 */
    };
    struct hmap m;
    hmap_init(&m, sizeof(struct wide));
    size_t bad = 0;
    for (uint64_t k = 1; k <= N; k++) {
        struct wide *v = hmap_put(&m, k << 4, NULL);
        ck_assert_ptr_nonnull(v);
        *v = (struct wide){k, (uint32_t)k * 3};
    }
    ck_assert_uint_ge(m.cap * m.stride, 2u << 20);
    for (uint64_t k = 1; k <= N; k += 2) {
        struct wide old = {0, 0};
        bad += hmap_remove(&m, k << 4, &old) != 1 || old.a != k;
    }
    for (uint64_t k = 1; k <= N; k++) {
        const struct wide *v = hmap_get(&m, k << 4);
        if (k % 2)
            bad += v != NULL;
        else
            bad += !v || v->a != k || v->b != (uint32_t)k * 3;
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(m.count, N / 2);
    hmap_fini(&m);
    ck_assert_uint_eq(m.count, 0);
    ck_assert_ptr_null(hmap_get(&m, 2 << 4));
}
END_TEST

static Suite *hmap_suite(void)
{
    Suite *s = suite_create("hmap");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_put_get);
    tcase_add_test(tc, test_against_reference);
    tcase_add_test(tc, test_large);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(hmap_suite());
}
