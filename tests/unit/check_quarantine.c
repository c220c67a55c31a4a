/*
 * Unit tests of src/shim/quarantine.c: FIFO order, byte accounting, the prefetch hint, a
 * full queue refusing a block, wrap-around over many generations, and many threads
 * pushing and popping with every block coming out exactly once.
 */
#include "check_run.h"
#include <check.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim/quarantine.h"

#define SLOTS 64
#define THREADS 6
#define PER_THREAD 50000

static struct quarantine q;
static void *mem;

static void setup(uint64_t slots)
{
    mem = calloc(1, quarantine_mem_size(slots));
    quarantine_init(&q, mem, slots);
}

static void *blk(uintptr_t i)
{
    return (void *)(i * 16 + 0x1000);
}

START_TEST(test_fifo_bytes)
{
    uint64_t n;
    setup(SLOTS);
    ck_assert_ptr_null(quarantine_pop(&q, &n));
    for (uintptr_t i = 0; i < 10; i++)
        ck_assert_int_eq(quarantine_push(&q, blk(i), i + 1), 0);
    ck_assert_uint_eq(quarantine_bytes(&q), 55);
    for (uintptr_t i = 0; i < 10; i++) {
        if (i + 4 < 10) { /* the hint: the block (and size) 4 pops ahead */
            ck_assert_ptr_eq(quarantine_oldest_hint(&q, 4, &n), blk(i + 4));
            ck_assert_uint_eq(n, i + 5);
        }
        ck_assert_ptr_eq(quarantine_pop(&q, &n), blk(i));
        ck_assert_uint_eq(n, i + 1);
    }
    ck_assert_uint_eq(quarantine_bytes(&q), 0);
    ck_assert_ptr_null(quarantine_pop(&q, &n));
    free(mem);
}
END_TEST

/* quarantine_holds: exactly the blocks between the oldest and the newest, across a wrap. */
START_TEST(test_holds)
{
    uint64_t n;
    setup(SLOTS);
    ck_assert_int_eq(quarantine_holds(&q, blk(0)), 0);
    for (uintptr_t i = 0; i < SLOTS + 10; i++) {
        if (i >= SLOTS)
            ck_assert_ptr_eq(quarantine_pop(&q, &n), blk(i - SLOTS));
        ck_assert_int_eq(quarantine_push(&q, blk(i), 16), 0);
    }
    for (uintptr_t i = 0; i < SLOTS + 12; i++)
        ck_assert_int_eq(quarantine_holds(&q, blk(i)), i >= 10 && i < SLOTS + 10);
    free(mem);
}
END_TEST

START_TEST(test_full_and_wrap)
{
    uint64_t n;
    setup(SLOTS);
    for (uintptr_t i = 0; i < SLOTS; i++)
        ck_assert_int_eq(quarantine_push(&q, blk(i), 100), 0);
    ck_assert_int_eq(quarantine_push(&q, blk(999), 100), -1);
    ck_assert_uint_eq(quarantine_bytes(&q), SLOTS * 100);
    /* A budget policy as guard.c runs it: push one, evict the oldest, many generations. */
    uintptr_t next_out = 0;
    for (uintptr_t i = SLOTS; i < SLOTS * 50; i++) {
        ck_assert_ptr_eq(quarantine_pop(&q, &n), blk(next_out++));
        ck_assert_int_eq(quarantine_push(&q, blk(i), 100), 0);
        ck_assert_uint_eq(quarantine_bytes(&q), SLOTS * 100);
    }
    while (quarantine_pop(&q, &n))
        next_out++;
    ck_assert_uint_eq(next_out, SLOTS * 50);
    ck_assert_uint_eq(quarantine_bytes(&q), 0);
    free(mem);
}
END_TEST

static _Atomic uint64_t seen_count;
static unsigned char *seen;

static void *worker(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint64_t n;
    for (uintptr_t i = 0; i < PER_THREAD; i++) {
        uintptr_t v = id * PER_THREAD + i;
        while (quarantine_push(&q, blk(v), 1) < 0) {
            void *b = quarantine_pop(&q, &n);
            if (b) {
                uintptr_t k = ((uintptr_t)b - 0x1000) / 16;
                ck_assert_int_eq(seen[k]++, 0);
                atomic_fetch_add(&seen_count, 1);
            }
        }
        if (i % 3 == 0) {
            void *b = quarantine_pop(&q, &n);
            if (b) {
                uintptr_t k = ((uintptr_t)b - 0x1000) / 16;
                ck_assert_int_eq(seen[k]++, 0);
                atomic_fetch_add(&seen_count, 1);
            }
        }
    }
    return NULL;
}

START_TEST(test_threads)
{
    uint64_t n;
    pthread_t t[THREADS];
    setup(256);
    seen = calloc(THREADS * PER_THREAD, 1);
    for (uintptr_t i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    void *b;
    while ((b = quarantine_pop(&q, &n))) {
        uintptr_t k = ((uintptr_t)b - 0x1000) / 16;
        ck_assert_int_eq(seen[k]++, 0);
        atomic_fetch_add(&seen_count, 1);
    }
    ck_assert_uint_eq(atomic_load(&seen_count), THREADS * PER_THREAD);
    ck_assert_uint_eq(quarantine_bytes(&q), 0);
    free(seen);
    free(mem);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quarantine");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fifo_bytes);
    tcase_add_test(tc, test_full_and_wrap);
    tcase_add_test(tc, test_holds);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return check_run(s);
}
