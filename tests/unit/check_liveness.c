/*
 * Unit tests of src/analyze/liveness.c: /proc/PID/stat parsing (names with spaces and
 * parentheses, malformed text), the start comparison in both clocks (same process, a
 * reused pid, a trace of an earlier boot, time spent suspended), and the whole check on
 * this test's own process.
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/liveness.h"

#define S 1000000000ull /* ns per second */

static uint64_t clock_now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

START_TEST(test_parse_stat)
{
    char state = 0;
    uint64_t start = 0;
    const char *text = "4242 (a) b (c) d) S 1 4242 4242 0 -1 4194560 104 0 0 0 0 0 0 0 20 0 1 "
                       "0 987654 2301952 139 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17\n";
    ck_assert_int_eq(liveness_parse_stat(text, &state, &start), 0);
    ck_assert_int_eq(state, 'S');
    ck_assert_uint_eq(start, 987654);
    ck_assert_int_eq(
        liveness_parse_stat("7 (z) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", &state, &start), 0);
    ck_assert_int_eq(state, 'Z');
    ck_assert_uint_eq(start, 5);
    ck_assert_int_eq(liveness_parse_stat("4242 (cut", &state, &start), -EINVAL);
    ck_assert_int_eq(liveness_parse_stat("4242 (x) S 1 2 3", &state, &start), -EINVAL);
    ck_assert_int_eq(
        liveness_parse_stat("7 (z) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x5", &state, &start),
        -EINVAL);
    ck_assert_int_eq(liveness_parse_stat("", &state, &start), -EINVAL);
}
END_TEST

/* Clocks now: 1000 s of monotonic time, 10 s more of boot time (suspended), 100 ticks/s. */
static const struct liveness_clocks now = {1010 * S, 1000 * S, 1800000000 * S, 100};

/* A trace that started at monotonic 500 s, i.e. 500 s ago in real time. */
static struct trace_file_header trace_at(uint64_t mono, uint64_t real)
{
    struct trace_file_header h = {
        .pid = 4242, .start_monotonic_ns = mono, .start_realtime_ns = real};
    return h;
}

START_TEST(test_started_before)
{
    struct trace_file_header h = trace_at(500 * S, now.realtime_ns - 500 * S);
    /* boot time = monotonic + 10 s */
    ck_assert_int_eq(liveness_started_before(50500, &now, &h), 1); /* 5 s before the trace */
    ck_assert_int_eq(liveness_started_before(50950, &now, &h), 1); /* 0.5 s before */
    ck_assert_int_eq(liveness_started_before(51050, &now, &h), 1); /* 0.5 s after: slack */
    ck_assert_int_eq(liveness_started_before(51150, &now, &h), 0); /* 1.5 s after */
    ck_assert_int_eq(liveness_started_before(61000, &now, &h), 0); /* reused pid */
    ck_assert_int_eq(liveness_started_before(0, &now, &h), 1);     /* at boot */
    struct liveness_clocks no_ticks = now;
    no_ticks.ticks_per_s = 0;
    ck_assert_int_eq(liveness_started_before(50500, &no_ticks, &h), 0);
}
END_TEST

START_TEST(test_earlier_boot)
{
    /* its monotonic clock was further along than this boot's is now */
    struct trace_file_header h = trace_at(2000 * S, now.realtime_ns - 5000 * S);
    ck_assert_int_eq(liveness_started_before(100, &now, &h), 0);
    /* not further along, but long ago in real time: this process started after it */
    h = trace_at(100 * S, now.realtime_ns - 5000 * S);
    ck_assert_int_eq(liveness_started_before(10000, &now, &h), 0); /* monotonic 90 s */
    h = trace_at(100 * S, now.realtime_ns - 900 * S);              /* the same boot: 910 s of it */
    ck_assert_int_eq(liveness_started_before(10000, &now, &h), 1);
}
END_TEST

START_TEST(test_this_process)
{
    struct trace_file_header h = {.pid = (uint64_t)getpid(),
                                  .start_monotonic_ns = clock_now(CLOCK_MONOTONIC),
                                  .start_realtime_ns = clock_now(CLOCK_REALTIME)};
    ck_assert_int_eq(liveness_running(&h), 1);
    h.start_monotonic_ns = 1; /* a trace from before this process started: another one */
    h.start_realtime_ns = clock_now(CLOCK_REALTIME) - clock_now(CLOCK_MONOTONIC) + 1;
    ck_assert_int_eq(liveness_running(&h), 0);
    h.pid = 0;
    ck_assert_int_eq(liveness_running(&h), 0);
    h.pid = 1ull << 30; /* above any pid_max */
    ck_assert_int_eq(liveness_running(&h), 0);
}
END_TEST

static Suite *liveness_suite(void)
{
    Suite *s = suite_create("liveness");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_stat);
    tcase_add_test(tc, test_started_before);
    tcase_add_test(tc, test_earlier_boot);
    tcase_add_test(tc, test_this_process);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(liveness_suite());
}
