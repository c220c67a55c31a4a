/* Unit tests of src/analyze/timeline.c: the memory-over-time series stays within its
 * bound for any length, keeps the peak and its time, and keeps time order. */
#include "check_run.h"
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "analyze/timeline.h"

/* Points of t in a malloc'd array (*n). */
static struct timeline_point *points(const struct timeline *t, size_t *n)
{
    struct timeline_point *v = calloc(t->cap, sizeof(*v));
    ck_assert_ptr_nonnull(v);
    *n = timeline_points(t, v);
    return v;
}

START_TEST(test_few_events_kept)
{
    struct timeline t;
    ck_assert_int_eq(timeline_init(&t, 100), 0);
    timeline_add(&t, 5000, 10, 1);
    timeline_add(&t, 9000, 30, 2);
    timeline_add(&t, 20000, 0, 0);
    size_t n;
    struct timeline_point *v = points(&t, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(v[0].time_ns, 0);
    ck_assert_uint_eq(v[1].time_ns, 4000);
    ck_assert_uint_eq(v[1].bytes, 30);
    ck_assert_uint_eq(v[1].blocks, 2);
    ck_assert_uint_eq(v[2].bytes, 0);
    free(v);
    timeline_fini(&t);
}
END_TEST

/* A million events over ~17 minutes with one sharp peak in the middle: at most the bound,
 * the peak (value and time) survives, times increase. */
START_TEST(test_bounded_and_peak_kept)
{
    struct timeline t;
    ck_assert_int_eq(timeline_init(&t, 2000), 0);
    const uint64_t peak_at = 500001;
    for (uint64_t i = 0; i < 1000000; i++) {
        uint64_t bytes = i == peak_at ? 1u << 30 : (i * 7919) % 100000;
        timeline_add(&t, 1000000000 + i * 1000003, bytes, i % 1000);
    }
    size_t n;
    struct timeline_point *v = points(&t, &n);
    ck_assert_uint_le(n, 2000);
    ck_assert_uint_ge(n, 1000); /* the doubling leaves the buckets at least half used */
    uint64_t max = 0, max_time = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ck_assert_uint_gt(v[i].time_ns, v[i - 1].time_ns);
        if (v[i].bytes > max) {
            max = v[i].bytes;
            max_time = v[i].time_ns;
        }
    }
    ck_assert_uint_eq(max, 1u << 30);
    ck_assert_uint_eq(max_time, peak_at * 1000003);
    free(v);
    timeline_fini(&t);
}
END_TEST

/* Events out of order (threads) and before the first one do not break the bound. */
START_TEST(test_odd_times)
{
    struct timeline t;
    ck_assert_int_eq(timeline_init(&t, 3), 0); /* rounded up to 4 */
    ck_assert_uint_eq(t.cap, 4);
    timeline_add(&t, 1000000, 5, 1);
    timeline_add(&t, 10, 7, 2);       /* before the first: counts as at the first */
    timeline_add(&t, UINT64_MAX, 1, 1); /* a wild time: widths grow, nothing overflows */
    size_t n;
    struct timeline_point *v = points(&t, &n);
    ck_assert_uint_le(n, 4);
    ck_assert_uint_eq(v[0].bytes, 7);
    free(v);
    timeline_fini(&t);
}
END_TEST

/* The RSS series: its own buckets on the heap series' clock and width, merged with it. */
START_TEST(test_rss_series)
{
    struct timeline t;
    ck_assert_int_eq(timeline_init(&t, 4), 0);
    timeline_add_rss(&t, 10000, 500); /* the origin */
    timeline_add(&t, 11000, 64, 1);
    timeline_add_rss(&t, 12500, 900);
    timeline_add_rss(&t, 13500, 300);
    struct timeline_point v[4];
    size_t n = timeline_rss_points(&t, v);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(v[0].time_ns, 0);
    ck_assert_uint_eq(v[1].time_ns, 2500);
    ck_assert_uint_eq(v[1].bytes, 900);
    ck_assert_uint_eq(v[1].blocks, 0);
    ck_assert_uint_eq(timeline_points(&t, v), 1);
    ck_assert_uint_eq(v[0].time_ns, 1000);
    timeline_add_rss(&t, 10000 + 7000, 100); /* past 4 buckets of 1 us: widths double */
    ck_assert_uint_eq(t.width_ns, 2000);
    n = timeline_rss_points(&t, v);
    ck_assert_uint_eq(n, 3); /* [0,2000): 500; [2000,4000): 900 (300 merged away); 7000 */
    ck_assert_uint_eq(v[1].bytes, 900);
    ck_assert_uint_eq(v[2].time_ns, 7000);
    ck_assert_uint_eq(timeline_points(&t, v), 1); /* the heap merged alike, kept */
    ck_assert_uint_eq(v[0].bytes, 64);
    timeline_fini(&t);
}
END_TEST

static Suite *timeline_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_few_events_kept);
    tcase_add_test(tc, test_rss_series);
    tcase_add_test(tc, test_bounded_and_peak_kept);
    tcase_add_test(tc, test_odd_times);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(timeline_suite());
}
