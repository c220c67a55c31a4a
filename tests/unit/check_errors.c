/*
 * Unit tests of src/analyze/errors.c through analyze_trace(): heap error records become
 * reported errors with the right kind, block, stacks and evidence; the trace upgrades an
 * invalid free of a released address to a double free, finds the block an interior
 * pointer points into, rebuilds a damaged header's expected bytes, and folds repeats.
 */
#include "check_run.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "trace/blockhdr.h"
#include "tracegen.h"

#define SECRET 0x5eed5eed12345678ull

static struct tracegen g;
static const char *path;

static void setup(void)
{
    tracegen_init(&g, 99, 1);
    tracegen_header(&g)->guard_secret = SECRET;
    tracegen_header(&g)->flags |= TRACE_FLAG_GUARD;
    tracegen_modules_begin(&g);
    for (uint32_t id = 1; id <= 4; id++) {
        uint64_t frame = 0x400000 + id;
        tracegen_stack(&g, id, 1, &frame);
    }
}

static void teardown(void)
{
    tracegen_fini(&g);
    if (path)
        unlink(path);
    path = NULL;
}

static struct analyze_process *analyze(void)
{
    tracegen_end(&g, 0, 0, 0);
    path = tracegen_tmp(&g, g.len);
    struct analyze_process *p = NULL;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace(path, NULL, &p, &err), 0);
    return p;
}

static struct trace_rec_error error(unsigned kind, uint64_t ptr, uint32_t stack)
{
    struct trace_rec_error e;
    memset(&e, 0, sizeof(e));
    e.h.aux = (uint16_t)kind;
    e.ptr = ptr;
    e.size = UINT64_MAX;
    e.stack = stack;
    e.alloc_kind = TRACE_KIND_NONE;
    e.free_kind = KIND_MALLOC;
    e.where = WHERE_FREE;
    return e;
}

START_TEST(test_double_free_from_header)
{
    tracegen_alloc(&g, KIND_NEW, 0x1000, 24, 1);
    tracegen_free_stack(&g, KIND_NEW, 0x1000, 2);
    struct trace_rec_error e = error(ERR_DOUBLE_FREE, 0x1000, 3);
    e.size = 24, e.alloc_kind = KIND_NEW, e.free_kind = KIND_NEW;
    e.alloc_stack = 1, e.free_stack = 2;
    tracegen_error(&g, &e);
    struct analyze_process *p = analyze();
    ck_assert_uint_eq(p->summary.errors, 1);
    ck_assert_uint_eq(p->nerrors, 1);
    const struct analyze_heap_error *x = &p->errors[0];
    ck_assert_str_eq(x->kind, "double_free");
    ck_assert_uint_eq(x->size, 24);
    ck_assert_str_eq(x->alloc_kind, "new");
    ck_assert_str_eq(x->free_kind, "delete");
    ck_assert_uint_eq(x->stack->id, 3);
    ck_assert_uint_eq(x->alloc->id, 1);
    ck_assert_uint_eq(x->freed->id, 2);
    ck_assert_str_eq(x->message, "double free: operator delete of the block of 24 bytes at "
                                 "0x1000, already freed");
    ck_assert_uint_eq(p->summary.frees, 1); /* the second release was swallowed */
    analyze_process_free(p);
}
END_TEST

START_TEST(test_invalid_free_upgraded_to_double_free)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x2000, 100, 1);
    tracegen_free_stack(&g, KIND_MALLOC, 0x2000, 2);
    struct trace_rec_error e = error(ERR_INVALID_FREE, 0x2000, 3);
    tracegen_error(&g, &e);
    struct analyze_process *p = analyze();
    const struct analyze_heap_error *x = &p->errors[0];
    ck_assert_str_eq(x->kind, "double_free");
    ck_assert_int_eq(x->has_size, 1);
    ck_assert_uint_eq(x->size, 100);
    ck_assert_uint_eq(x->alloc->id, 1);
    ck_assert_uint_eq(x->freed->id, 2);
    /* the trace was read again to keep the releases: nothing counted twice */
    ck_assert_uint_eq(p->nerrors, 1);
    ck_assert_uint_eq(p->summary.errors, 1);
    ck_assert_uint_eq(p->summary.allocations, 1);
    ck_assert_uint_eq(p->summary.frees, 1);
    analyze_process_free(p);
}
END_TEST

START_TEST(test_invalid_free_inside_a_block)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x3000, 100, 1);
    struct trace_rec_error e = error(ERR_INVALID_FREE, 0x3008, 2);
    tracegen_error(&g, &e);
    struct analyze_process *p = analyze();
    const struct analyze_heap_error *x = &p->errors[0];
    ck_assert_str_eq(x->kind, "invalid_free");
    ck_assert_int_eq(x->has_size, 0);
    ck_assert_ptr_null(x->alloc_kind);
    ck_assert_str_eq(x->free_kind, "free");
    ck_assert_uint_eq(x->alloc->id, 1); /* the block it points into */
    ck_assert_str_eq(x->message, "invalid free(): 0x3008 is 8 bytes inside a block of 100 bytes");
    ck_assert_uint_eq(p->summary.leaked_bytes, 100); /* the block itself was never freed */
    analyze_process_free(p);
}
END_TEST

/*
 * The same with a live set larger than the cache, where the analyzer replays events a few
 * records late (prefetching): each error still sees the replay exactly at its point,
 * whatever the number of events waiting when it comes.
 */
START_TEST(test_errors_amid_a_large_live_set)
{
    enum { BLOCKS = 40000, REUSED = 40 };
    const uint64_t base = 0x10000000;
    for (uint64_t i = 0; i < BLOCKS; i++)
        tracegen_alloc(&g, KIND_MALLOC, base + 64 * i, 32, 1);
    for (uint64_t i = 0; i < BLOCKS; i += 2)
        tracegen_free_stack(&g, KIND_MALLOC, base + 64 * i, 2);
    struct trace_rec_error twice = error(ERR_INVALID_FREE, base + 64 * 10, 3);
    tracegen_error(&g, &twice);
    uint64_t inside[REUSED];
    for (uint32_t j = 0; j < REUSED; j++) { /* after 1, 2, 3, ... events */
        for (uint64_t k = 0; k <= j; k++)
            tracegen_alloc(&g, KIND_MALLOC, base + 64 * (100 + 2 * (j * REUSED + k)), 48, 4);
        inside[j] = base + 64 * (100 + 2 * (j * REUSED + j)) + 8; /* the latest block */
        struct trace_rec_error e = error(ERR_INVALID_FREE, inside[j], 100 + j);
        tracegen_error(&g, &e);
    }
    struct analyze_process *p = analyze();
    ck_assert_uint_eq(p->nerrors, 1 + REUSED);
    ck_assert_str_eq(p->errors[0].kind, "double_free");
    ck_assert_uint_eq(p->errors[0].size, 32);
    ck_assert_uint_eq(p->errors[0].alloc->id, 1);
    ck_assert_uint_eq(p->errors[0].freed->id, 2);
    for (uint32_t j = 0; j < REUSED; j++) {
        char want[128];
        snprintf(want, sizeof(want), "invalid free(): 0x%llx is 8 bytes inside a block of 48 bytes",
                 (unsigned long long)inside[j]);
        ck_assert_str_eq(p->errors[1 + j].message, want);
        ck_assert_uint_eq(p->errors[1 + j].alloc->id, 4);
    }
    ck_assert_uint_eq(p->summary.allocations, BLOCKS + REUSED * (REUSED + 1) / 2);
    ck_assert_uint_eq(p->summary.frees, BLOCKS / 2);
    analyze_process_free(p);
}
END_TEST

START_TEST(test_invalid_free_of_nothing)
{
    struct trace_rec_error e = error(ERR_INVALID_FREE, 0x7ffd0000, 2);
    e.where = WHERE_REALLOC;
    tracegen_error(&g, &e);
    struct analyze_process *p = analyze();
    const struct analyze_heap_error *x = &p->errors[0];
    ck_assert_str_eq(x->free_kind, "realloc");
    ck_assert_ptr_null(x->alloc);
    ck_assert_str_eq(x->message,
                     "invalid realloc(): 0x7ffd0000 is not a block heapwise allocated");
    analyze_process_free(p);
}
END_TEST

/* One byte written just before the block: the check word's last byte. */
START_TEST(test_header_corruption_explained)
{
    const uint64_t ptr = 0x4000;
    tracegen_alloc(&g, KIND_MALLOC, ptr, 100, 1);
    struct blockhdr h;
    blockhdr_encode(&h, ptr, 100, KIND_MALLOC, BLOCK_LIVE, BLOCKHDR_SIZE, 1, 0, SECRET);
    uint8_t want = ((uint8_t *)&h)[BLOCKHDR_SIZE - 1];
    ((uint8_t *)&h)[BLOCKHDR_SIZE - 1] = 'A';
    struct trace_rec_error e = error(ERR_HEADER_CORRUPTION, ptr, 2);
    e.offset = -BLOCKHDR_SIZE;
    e.nbytes = BLOCKHDR_SIZE;
    memcpy(e.found, &h, BLOCKHDR_SIZE);
    tracegen_error(&g, &e);
    tracegen_free(&g, KIND_MALLOC, ptr);
    struct analyze_process *p = analyze();
    const struct analyze_heap_error *x = &p->errors[0];
    ck_assert_str_eq(x->kind, "header_corruption");
    ck_assert_uint_eq(x->size, 100);
    ck_assert_int_eq(x->offset, -1);
    ck_assert_uint_eq(x->nbytes, 1);
    ck_assert_uint_eq(x->nexpected, 1);
    ck_assert_uint_eq(x->found[0], 'A');
    ck_assert_uint_eq(x->expected[0], want);
    ck_assert_uint_eq(x->alloc->id, 1);
    ck_assert_str_eq(x->message, "header corruption: 1 bytes before the block of 100 bytes at "
                                 "0x4000 were overwritten (found at free)");
    ck_assert_uint_eq(p->summary.leaked_blocks, 0);
    analyze_process_free(p);
}
END_TEST

/* Offsets come from the trace: the most negative one is printed, not negated into UB. */
START_TEST(test_header_corruption_extreme_offset)
{
    struct trace_rec_error e = error(ERR_HEADER_CORRUPTION, 0x1000, 2);
    e.size = 16;
    e.offset = INT64_MIN;
    e.nbytes = e.nexpected = 4;
    tracegen_error(&g, &e);
    struct analyze_process *p = analyze();
    ck_assert_str_eq(p->errors[0].message,
                     "header corruption: 9223372036854775808 bytes before the block of 16 bytes "
                     "at 0x1000 were overwritten (found at free)");
    analyze_process_free(p);
}
END_TEST

START_TEST(test_repeats_fold)
{
    tracegen_alloc(&g, KIND_NEW_ARRAY, 0x5000, 40, 1);
    struct trace_rec_error e = error(ERR_MISMATCHED_FREE, 0x5000, 2);
    e.size = 40, e.alloc_kind = KIND_NEW_ARRAY, e.free_kind = KIND_NEW, e.alloc_stack = 1;
    tracegen_error(&g, &e);
    tracegen_free(&g, KIND_NEW, 0x5000);
    tracegen_alloc(&g, KIND_NEW_ARRAY, 0x5000, 40, 1);
    tracegen_error(&g, &e);
    tracegen_free(&g, KIND_NEW, 0x5000);
    e.stack = 4; /* another call site: another context */
    tracegen_alloc(&g, KIND_NEW_ARRAY, 0x5000, 40, 1);
    tracegen_error(&g, &e);
    tracegen_free(&g, KIND_NEW, 0x5000);
    struct analyze_process *p = analyze();
    ck_assert_uint_eq(p->summary.errors, 3);
    ck_assert_uint_eq(p->nerrors, 2);
    ck_assert_uint_eq(p->errors[0].count, 2);
    ck_assert_uint_eq(p->errors[1].count, 1);
    ck_assert_str_eq(p->errors[0].message, "mismatched free: block of 40 bytes at 0x5000 "
                                           "allocated with operator new[], released with "
                                           "operator delete");
    analyze_process_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_double_free_from_header);
    tcase_add_test(tc, test_invalid_free_upgraded_to_double_free);
    tcase_add_test(tc, test_invalid_free_inside_a_block);
    tcase_add_test(tc, test_errors_amid_a_large_live_set);
    tcase_add_test(tc, test_invalid_free_of_nothing);
    tcase_add_test(tc, test_header_corruption_explained);
    tcase_add_test(tc, test_header_corruption_extreme_offset);
    tcase_add_test(tc, test_repeats_fold);
    suite_add_tcase(s, tc);
    return check_run(s);
}
