/*
 * Unit tests of src/shim/anonmap.c: a glibc arena heap recognised by its heap_info (and
 * not without the 64 MiB alignment or with nonsense sizes), a thread's TCB found at the
 * top of a fake stack and of a real thread's stack, nothing found in plain memory. Also
 * mark_first_from of src/shim/mark.c, which root_anon uses to leave blocks out.
 */
#include "check_run.h"
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "shim/anonmap.h"
#include "shim/mark.h"

#define PAGE 4096
#define FAKE_STACK (64 * 1024)

/* A 64 MiB-aligned, 1 MiB read-write mapping (from a reserved 128 MiB); NULL if none. */
static uint64_t *aligned_heap(void)
{
    size_t span = 2 * ANONMAP_HEAP_ALIGN;
    char *p = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)p + ANONMAP_HEAP_ALIGN - 1) & ~(uintptr_t)(ANONMAP_HEAP_ALIGN - 1);
    if (mprotect((void *)a, 1 << 20, PROT_READ | PROT_WRITE) != 0)
        return NULL;
    return (uint64_t *)a;
}

START_TEST(test_malloc_heap)
{
    uint64_t *h = aligned_heap();
    ck_assert_ptr_nonnull(h);
    uint64_t lo = (uintptr_t)h, hi = lo + (1 << 20);
    ck_assert_int_eq(anonmap_is_malloc_heap(lo, hi), 0); /* zeroed: no arena pointer */
    h[0] = lo + 48;       /* ar_ptr: the arena right after heap_info */
    h[1] = 0;             /* prev */
    h[2] = 132 * 1024;    /* size */
    h[3] = 132 * 1024;    /* mprotect_size */
    ck_assert_int_eq(anonmap_is_malloc_heap(lo, hi), 1);
    ck_assert_int_eq(anonmap_is_malloc_heap(lo + PAGE, hi), 0); /* not aligned */
    h[1] = lo + 8;                                              /* prev not a heap */
    ck_assert_int_eq(anonmap_is_malloc_heap(lo, hi), 0);
    h[1] = 0;
    h[2] = 3 * ANONMAP_HEAP_ALIGN; /* bigger than a heap can be */
    ck_assert_int_eq(anonmap_is_malloc_heap(lo, hi), 0);
}
END_TEST

START_TEST(test_fake_tcb)
{
    static uint64_t stack[FAKE_STACK / 8] __attribute__((aligned(64)));
    uint64_t lo = (uintptr_t)stack, hi = lo + sizeof(stack);
    memset(stack, 0, sizeof(stack));
    ck_assert_uint_eq(anonmap_thread_tp(lo, hi), 0);
    uint64_t tp = (hi - 2304) & ~(uint64_t)63;
    uint64_t *t = (uint64_t *)(uintptr_t)tp;
    t[0] = tp; /* tcb */
    ck_assert_uint_eq(anonmap_thread_tp(lo, hi), 0); /* self pointer missing */
    t[2] = tp; /* self */
    ck_assert_uint_eq(anonmap_thread_tp(lo, hi), tp);
    ck_assert_uint_eq(anonmap_thread_tp(tp + 64, hi), 0); /* below the mapping's start */
}
END_TEST

static void *find_own_tcb(void *arg)
{
    pthread_attr_t a;
    void *base;
    size_t size;
    uint64_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    if (pthread_getattr_np(pthread_self(), &a) != 0)
        return NULL;
    pthread_attr_getstack(&a, &base, &size);
    pthread_attr_destroy(&a);
    /* the mapping glibc made: the stack, then static TLS and the TCB up to its end */
    uint64_t hi = ((uintptr_t)base + size + 2 * PAGE) & ~(uint64_t)(PAGE - 1);
    while (hi > tp && anonmap_thread_tp((uintptr_t)base, hi) != tp)
        hi -= PAGE;
    *(uint64_t *)arg = anonmap_thread_tp((uintptr_t)base, hi);
    return arg;
}

START_TEST(test_real_thread)
{
    pthread_t t;
    uint64_t found = 0, tp = 0;
    ck_assert_int_eq(pthread_create(&t, NULL, find_own_tcb, &found), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    ck_assert_uint_ne(found, 0);
    ck_assert_uint_ne(found, tp); /* the thread's own, not ours */
}
END_TEST

START_TEST(test_mark_first_from)
{
    static uint64_t mem[16] __attribute__((aligned(16)));
    struct mark m;
    mark_init(&m);
    ck_assert_int_eq(mark_add(&m, (uintptr_t)&mem[8], 16), 0);
    ck_assert_int_eq(mark_add(&m, (uintptr_t)&mem[2], 16), 0);
    ck_assert_int_eq(mark_prepare(&m), 0);
    uint64_t base = (uintptr_t)mem;
    ck_assert_uint_eq(mark_first_from(&m, base), 0);      /* the block at mem[2] */
    ck_assert_uint_eq(mark_first_from(&m, base + 16), 0);
    ck_assert_uint_eq(mark_first_from(&m, base + 17), 1); /* the block at mem[8] */
    ck_assert_uint_eq(mark_first_from(&m, base + 64), 1);
    ck_assert_uint_eq(mark_first_from(&m, base + 65), 2); /* none: count */
    mark_release(&m);
}
END_TEST

static Suite *anonmap_suite(void)
{
    Suite *s = suite_create("anonmap");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_malloc_heap);
    tcase_add_test(tc, test_fake_tcb);
    tcase_add_test(tc, test_real_thread);
    tcase_add_test(tc, test_mark_first_from);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(anonmap_suite());
}
