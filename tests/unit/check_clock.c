/*
 * Unit tests of src/shim/clock.c: before and after calibration, clock_now stays within a
 * small error of CLOCK_MONOTONIC read around it (the TSC's factor is measured against that
 * clock, so over a second it may drift by its calibration error only), never goes back on
 * one thread, and moves on with real time.
 */
#include "check_run.h"
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "shim/clock.h"

static uint64_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* clock_now lies between two CLOCK_MONOTONIC readings around it, give or take tol; tried
 * a few times, since the test itself may be preempted between the readings. */
static void assert_close(uint64_t tol)
{
    uint64_t a = 0, b = 0, c = 0;
    for (int i = 0; i < 20; i++) {
        a = mono();
        b = clock_now();
        c = mono();
        if (b + tol >= a && b <= c + tol)
            return;
    }
    ck_abort_msg("clock_now %llu not within %llu ns of [%llu, %llu]", (unsigned long long)b,
                 (unsigned long long)tol, (unsigned long long)a, (unsigned long long)c);
}

START_TEST(test_follows_monotonic)
{
    clock_start();
    assert_close(0); /* not calibrated yet: it is CLOCK_MONOTONIC */
    uint64_t t0 = clock_now();
    sleep_ns(CLOCK_CALIBRATE_NS + 10000000);
    clock_now(); /* the reading that calibrates */
    printf("clock: %s\n", clock_uses_tsc() ? "TSC" : "clock_gettime (no TSC clocksource)");
    assert_close(200000);
    sleep_ns(300000000);
    assert_close(1000000); /* 300 ms on a factor measured over 60 ms: well under 1 ms off */
    ck_assert_uint_ge(clock_now() - t0, CLOCK_CALIBRATE_NS + 300000000);
}
END_TEST

START_TEST(test_monotonic_on_a_thread)
{
    clock_start();
    sleep_ns(CLOCK_CALIBRATE_NS + 10000000);
    uint64_t last = clock_now(), back = 0;
    for (int i = 0; i < 2000000; i++) { /* no ck_assert inside: each one is a write(2) */
        uint64_t now = clock_now();
        back += now < last;
        last = now;
    }
    ck_assert_uint_eq(back, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_follows_monotonic);
    tcase_add_test(tc, test_monotonic_on_a_thread);
    suite_add_tcase(s, tc);
    return check_run(s);
}
