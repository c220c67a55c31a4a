/* Unit tests of src/analyze/replay.c: pairing, totals, peak, realloc, grouping, sites. */
#include "check_run.h"
#include <check.h>
#include <stdlib.h>

#include "analyze/replay.h"
#include "trace/format.h"

static struct replay_group *find(struct replay_group *g, size_t n, uint32_t stack)
{
    for (size_t i = 0; i < n; i++) {
        if (g[i].stack == stack)
            return &g[i];
    }
    return NULL;
}

START_TEST(test_totals_and_peak)
{
    struct replay r;
    replay_init(&r);
    ck_assert_int_eq(replay_alloc(&r, 0x1000, 100, 1, KIND_MALLOC), 0);
    ck_assert_int_eq(replay_alloc(&r, 0x2000, 200, 2, KIND_NEW), 0);
    replay_free(&r, 0x1000, 0);
    ck_assert_int_eq(replay_alloc(&r, 0x3000, 50, 1, KIND_NEW_ARRAY), 0);
    replay_free(&r, 0x2000, 0);
    replay_free(&r, 0x9999, 0); /* never allocated */
    ck_assert_uint_eq(r.sum.allocations, 3);
    ck_assert_uint_eq(r.sum.frees, 2);
    ck_assert_uint_eq(r.sum.unknown_frees, 1);
    ck_assert_uint_eq(r.sum.peak_bytes, 300);
    ck_assert_uint_eq(r.live_bytes, 50);
    replay_fini(&r);
}
END_TEST

/*
 * Sites: each one's bytes live when the heap peaked (not its own maximum), and temporary
 * blocks (freed before any other allocation; a realloc's release does not count).
 */
START_TEST(test_sites_peak_and_temporary)
{
    struct replay r;
    replay_init(&r);
    r.track_sites = 1;
    replay_alloc(&r, 0x1000, 100, 1, KIND_MALLOC);
    replay_alloc(&r, 0x2000, 300, 2, KIND_MALLOC);
    replay_free(&r, 0x2000, 0);                    /* temporary of site 2 */
    replay_alloc(&r, 0x3000, 250, 3, KIND_MALLOC); /* peak so far: 350 */
    replay_alloc(&r, 0x4000, 60, 1, KIND_MALLOC);  /* the peak: 410 = 160 (1) + 250 (3) */
    replay_free(&r, 0x3000, 0);                    /* not the latest allocation */
    replay_alloc(&r, 0x5000, 400, 2, KIND_MALLOC); /* 560: a new peak (1: 160, 2: 400) */
    replay_free(&r, 0x5000, 0);                    /* temporary again */
    replay_alloc(&r, 0x6000, 8, 3, KIND_MALLOC);
    replay_realloc(&r, 0x6000, 0x7000, 16, 3);     /* realloc: no temporary */
    replay_free(&r, 0x1000, 0);
    struct replay_group *g;
    size_t n;
    ck_assert_int_eq(replay_sites(&r, &g, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(r.sum.peak_bytes, 560);
    ck_assert_uint_eq(find(g, n, 1)->peak_bytes, 160);
    ck_assert_uint_eq(find(g, n, 2)->peak_bytes, 400);
    ck_assert_uint_eq(find(g, n, 3)->peak_bytes, 0);
    ck_assert_uint_eq(find(g, n, 1)->temporary, 0);
    ck_assert_uint_eq(find(g, n, 2)->temporary, 2);
    ck_assert_uint_eq(find(g, n, 3)->temporary, 0);
    ck_assert_uint_eq(find(g, n, 3)->bytes, 250 + 8 + 16);
    free(g);
    replay_fini(&r);
}
END_TEST

START_TEST(test_realloc)
{
    struct replay r;
    replay_init(&r);
    replay_alloc(&r, 0x1000, 10, 1, KIND_MALLOC);
    ck_assert_int_eq(replay_realloc(&r, 0x1000, 0x2000, 40, 2), 0); /* moved */
    ck_assert_int_eq(replay_realloc(&r, 0x2000, 0x2000, 30, 3), 0); /* in place */
    ck_assert_int_eq(replay_realloc(&r, 0x2000, 0, 1000, 4), 0);    /* failed: unchanged */
    ck_assert_uint_eq(r.sum.allocations, 3);
    ck_assert_uint_eq(r.sum.frees, 2);
    ck_assert_uint_eq(r.sum.peak_bytes, 40);
    ck_assert_uint_eq(r.live_bytes, 30);
    ck_assert_int_eq(replay_realloc(&r, 0x5000, 0x6000, 8, 5), 0); /* untracked old */
    ck_assert_uint_eq(r.sum.unknown_frees, 1);
    struct replay_group *g;
    size_t n;
    ck_assert_int_eq(replay_leaks(&r, &g, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(find(g, n, 3)->bytes, 30);
    ck_assert_uint_eq(find(g, n, 5)->bytes, 8);
    free(g);
    replay_fini(&r);
}
END_TEST

START_TEST(test_alloc_at_live_address)
{
    struct replay r;
    replay_init(&r);
    replay_alloc(&r, 0x1000, 10, 1, KIND_MALLOC);
    replay_alloc(&r, 0x1000, 25, 2, KIND_MALLOC);
    ck_assert_uint_eq(r.sum.implicit_frees, 1);
    ck_assert_uint_eq(r.live_bytes, 25);
    replay_free(&r, 0x1000, 0);
    ck_assert_uint_eq(r.live_bytes, 0);
    ck_assert_uint_eq(r.sum.frees, 1);
    replay_fini(&r);
}
END_TEST

/*
 * The last release at an address: known until the address is allocated again, replaced by
 * a later release there, and only kept with track_freed.
 */
START_TEST(test_freed)
{
    struct replay r;
    struct replay_block b;
    replay_init(&r);
    r.track_freed = 1;
    ck_assert_int_eq(replay_alloc(&r, 0x1000, 10, 1, KIND_NEW), 0);
    ck_assert_int_eq(replay_freed(&r, 0x1000, &b), 0);
    ck_assert_int_eq(replay_free(&r, 0x1000, 2), 0);
    ck_assert_int_eq(replay_freed(&r, 0x1000, &b), 1);
    ck_assert_uint_eq(b.size, 10);
    ck_assert_uint_eq(b.stack, 1);
    ck_assert_uint_eq(b.free_stack, 2);
    ck_assert_uint_eq(b.kind, KIND_NEW);
    ck_assert_int_eq(replay_alloc(&r, 0x1000, 20, 3, KIND_MALLOC), 0);
    ck_assert_int_eq(replay_freed(&r, 0x1000, &b), 0); /* reused: live again */
    ck_assert_int_eq(replay_free(&r, 0x1000, 4), 0);
    for (uint64_t i = 1; i <= 100; i++) { /* the table grows */
        ck_assert_int_eq(replay_alloc(&r, 0x10000 + 16 * i, i, 5, KIND_MALLOC), 0);
        ck_assert_int_eq(replay_free(&r, 0x10000 + 16 * i, 6), 0);
    }
    ck_assert_int_eq(replay_freed(&r, 0x1000, &b), 1);
    ck_assert_uint_eq(b.size, 20);
    ck_assert_uint_eq(b.stack, 3);
    ck_assert_uint_eq(b.free_stack, 4);
    ck_assert_uint_eq(b.kind, KIND_MALLOC);
    for (uint64_t i = 1; i <= 100; i++) {
        ck_assert_int_eq(replay_freed(&r, 0x10000 + 16 * i, &b), 1);
        ck_assert_uint_eq(b.size, i);
    }
    ck_assert_int_eq(replay_alloc(&r, 0x1000, 30, 7, KIND_MALLOC), 0);
    ck_assert_int_eq(replay_freed(&r, 0x1000, &b), 0);
    ck_assert_int_eq(replay_freed(&r, 0x2000, &b), 0); /* never released */
    replay_fini(&r);
    replay_init(&r); /* without track_freed */
    ck_assert_int_eq(replay_alloc(&r, 0x1000, 10, 1, KIND_NEW), 0);
    ck_assert_int_eq(replay_free(&r, 0x1000, 2), 0);
    ck_assert_int_eq(replay_freed(&r, 0x1000, &b), 0);
    ck_assert_uint_eq(r.sum.frees, 1);
    replay_fini(&r);
}
END_TEST

START_TEST(test_groups)
{
    struct replay r;
    replay_init(&r);
    for (uint64_t i = 0; i < 3; i++)
        replay_alloc(&r, 0x1000 + i * 16, 100, 7, KIND_MALLOC);
    replay_alloc(&r, 0x9000, 5, TRACE_STACK_NONE, KIND_MALLOC);
    replay_alloc(&r, 0xa000, 1, 8, KIND_MALLOC);
    replay_free(&r, 0xa000, 0);
    struct replay_group *g;
    size_t n;
    ck_assert_int_eq(replay_leaks(&r, &g, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(find(g, n, 7)->blocks, 3);
    ck_assert_uint_eq(find(g, n, 7)->bytes, 300);
    ck_assert_uint_eq(find(g, n, 0)->blocks, 1);
    ck_assert_ptr_null(find(g, n, 8));
    ck_assert_uint_eq(find(g, n, 7)->leak_class, 0); /* no scan: unclassified */
    free(g);
    replay_fini(&r);
}
END_TEST

/* A leak scan splits one allocation stack's blocks by class; a later scan replaces it. */
START_TEST(test_scan_classes)
{
    struct replay r;
    replay_init(&r);
    for (uint64_t i = 0; i < 3; i++)
        replay_alloc(&r, 0x1000 + i * 16, 100, 7, KIND_MALLOC);
    struct {
        struct trace_rec_leakscan rec;
        uint64_t e[4];
    } scan = {.rec = {.count = 4, .flags = LEAKSCAN_FIRST | LEAKSCAN_LAST},
              .e = {0x1000 | LEAK_DEFINITE, 0x1010 | LEAK_REACHABLE, 0x1020 | LEAK_REACHABLE,
                    0x7000 | LEAK_DEFINITE /* not live: ignored */}};
    replay_leakscan(&r, &scan.rec);
    ck_assert_int_eq(r.scanned, 1);
    struct replay_group *g;
    size_t n;
    ck_assert_int_eq(replay_leaks(&r, &g, &n), 0);
    ck_assert_uint_eq(n, 2);
    size_t def = g[0].leak_class == LEAK_DEFINITE ? 0 : 1;
    ck_assert_uint_eq(g[def].leak_class, LEAK_DEFINITE);
    ck_assert_uint_eq(g[def].blocks, 1);
    ck_assert_uint_eq(g[1 - def].leak_class, LEAK_REACHABLE);
    ck_assert_uint_eq(g[1 - def].bytes, 200);
    free(g);
    scan.rec.count = 1;
    scan.e[0] = 0x1010 | LEAK_POSSIBLE;
    replay_leakscan(&r, &scan.rec); /* FIRST again: the others become unclassified */
    ck_assert_int_eq(replay_leaks(&r, &g, &n), 0);
    ck_assert_uint_eq(n, 2);
    free(g);
    replay_fini(&r);
}
END_TEST

START_TEST(test_no_leaks)
{
    struct replay r;
    replay_init(&r);
    struct replay_group *g = (void *)1;
    size_t n = 9;
    ck_assert_int_eq(replay_leaks(&r, &g, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(g);
    replay_fini(&r);
}
END_TEST

static Suite *replay_suite(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_totals_and_peak);
    tcase_add_test(tc, test_realloc);
    tcase_add_test(tc, test_alloc_at_live_address);
    tcase_add_test(tc, test_freed);
    tcase_add_test(tc, test_groups);
    tcase_add_test(tc, test_scan_classes);
    tcase_add_test(tc, test_no_leaks);
    tcase_add_test(tc, test_sites_peak_and_temporary);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(replay_suite());
}
