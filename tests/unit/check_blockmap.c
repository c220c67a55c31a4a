/*
 * Unit tests of src/shim/blockmap.c: set/test/clear of single granules, neighbours that
 * share a bitmap word, addresses never set anywhere in (and above) the 48-bit space (nor
 * mapped by a prefetch), concurrent setters and clearers on disjoint and adjacent
 * granules, and the walk.
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "shim/blockmap.h"

#define THREADS 8
#define PER_THREAD 20000

static struct blockmap map; /* tests run forked: each starts from zero */

START_TEST(test_set_test_clear)
{
    uintptr_t a = 0x55550000a010;
    ck_assert_int_eq(blockmap_test(&map, a), 0);
    ck_assert_int_eq(blockmap_set(&map, a), 0);
    ck_assert_int_eq(blockmap_test(&map, a), 1);
    ck_assert_int_eq(blockmap_test(&map, a + 16), 0);
    ck_assert_int_eq(blockmap_test(&map, a - 16), 0);
    ck_assert_int_eq(blockmap_test(&map, a + 8), 0); /* interior, unaligned */
    blockmap_clear(&map, a);
    ck_assert_int_eq(blockmap_test(&map, a), 0);
    blockmap_clear(&map, 0x7f0000000000); /* never set: nothing happens */
}
END_TEST

START_TEST(test_unset_anywhere)
{
    int local;
    uintptr_t probes[] = {0,
                          16,
                          (uintptr_t)&local,
                          (uintptr_t)&map,
                          0x12345670,
                          0x7ffffffff000,
                          0x7ffffffffff0,
                          0x800000000000,
                          0xffff800000000000,
                          0xfffffffffffffff0,
                          UINTPTR_MAX};
    ck_assert_int_eq(blockmap_set(&map, 0x12345680), 0);
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        blockmap_prefetch(&map, probes[i]); /* never faults, never maps a level */
        ck_assert_msg(blockmap_test(&map, probes[i]) == 0, "probe %zu set", i);
    }
    size_t levels = 0;
    for (size_t i = 0; i < BLOCKMAP_L1_SIZE; i++)
        levels += map.l1[i] != NULL;
    ck_assert_uint_eq(levels, 1);
    ck_assert_int_eq(blockmap_set(&map, 0xffff800000000000), -EINVAL);
    ck_assert_int_eq(blockmap_set(&map, 0x12345678), -EINVAL);
    ck_assert_int_eq(blockmap_test(&map, 0x12345680), 1);
}
END_TEST

static void count(uintptr_t addr, void *arg)
{
    uintptr_t *c = arg;
    ck_assert_uint_gt(addr, c[1]); /* increasing */
    c[1] = addr;
    c[0]++;
}

START_TEST(test_each)
{
    uintptr_t addrs[] = {0x10, 0x1000, 0x1010, 0xfffff0, 0x1000000, 0x55555555aa40,
                         0x7ffffffffff0};
    size_t n = sizeof(addrs) / sizeof(addrs[0]);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(blockmap_set(&map, addrs[i]), 0);
    blockmap_clear(&map, 0x1000);
    uintptr_t c[2] = {0, 0};
    blockmap_each(&map, count, c);
    ck_assert_uint_eq(c[0], n - 1);
    ck_assert_uint_eq(c[1], 0x7ffffffffff0);
}
END_TEST

struct job {
    uintptr_t base;   /* first granule */
    uintptr_t stride; /* between this thread's granules */
};

static void *setter(void *arg)
{
    struct job *j = arg;
    for (int round = 0; round < 3; round++) {
        for (uintptr_t i = 0; i < PER_THREAD; i++)
            ck_assert_int_eq(blockmap_set(&map, j->base + i * j->stride), 0);
        for (uintptr_t i = 0; i < PER_THREAD; i++)
            ck_assert_int_eq(blockmap_test(&map, j->base + i * j->stride), 1);
        if (round < 2)
            for (uintptr_t i = 0; i < PER_THREAD; i += 2)
                blockmap_clear(&map, j->base + i * j->stride);
    }
    return NULL;
}

/* Threads interleaved granule by granule (same words) and far apart (levels raced). */
static void run_threads(uintptr_t base, uintptr_t stride, uintptr_t spacing)
{
    pthread_t t[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i].base = base + (uintptr_t)i * spacing;
        jobs[i].stride = stride;
        ck_assert_int_eq(pthread_create(&t[i], NULL, setter, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    uintptr_t c[2] = {0, 0};
    blockmap_each(&map, count, c);
    ck_assert_uint_eq(c[0], (uintptr_t)THREADS * PER_THREAD);
}

START_TEST(test_threads_adjacent)
{
    run_threads(0x600000000000, 16 * THREADS, 16);
}
END_TEST

START_TEST(test_threads_disjoint)
{
    run_threads(0x100000000000, 4096, 1ull << 36);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blockmap");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_set_test_clear);
    tcase_add_test(tc, test_unset_anywhere);
    tcase_add_test(tc, test_each);
    tcase_add_test(tc, test_threads_adjacent);
    tcase_add_test(tc, test_threads_disjoint);
    suite_add_tcase(s, tc);
    return check_run(s);
}
