/*
 * The event clock (clock.h). States: OFF (clock_gettime only), MEASURING (tsc0/ns0 noted;
 * each clock_gettime reading checks whether the interval is long enough), CALIBRATING (one
 * caller computes the factor; the others keep reading clock_gettime), READY (the factor
 * and the base are written once, before the release store of READY, and never change).
 */
#include "config.h"

#include "shim/clock.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

enum { CLOCK_OFF, CLOCK_MEASURING, CLOCK_CALIBRATING, CLOCK_READY };

static _Atomic int state = CLOCK_OFF;
static uint64_t tsc0, ns0;     /* at clock_start */
static uint64_t tsc_base, ns_base; /* at calibration */
static uint64_t mult;          /* ns per TSC tick, times 2^32 */

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if HAVE_TSC
/* 1 when the kernel's clocksource is the TSC. */
static int kernel_uses_tsc(void)
{
    char buf[16];
    int fd = (int)syscall(SYS_openat, AT_FDCWD,
                          "/sys/devices/system/clocksource/clocksource0/current_clocksource",
                          O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = syscall(SYS_read, fd, buf, sizeof(buf));
    syscall(SYS_close, fd);
    return n == 4 && memcmp(buf, "tsc\n", 4) == 0;
}

/* A TSC reading bracketed by two clock_gettime calls: the clock taken as their midpoint. */
static void pair_now(uint64_t *tsc, uint64_t *ns)
{
    uint64_t a = mono_ns();
    *tsc = __rdtsc();
    *ns = a + (mono_ns() - a) / 2;
}

/* The winner of MEASURING -> CALIBRATING: compute the factor, publish READY. */
static void calibrate(void)
{
    uint64_t t, n;
    pair_now(&t, &n);
    if (t <= tsc0 || n <= ns0) {
        atomic_store_explicit(&state, CLOCK_OFF, memory_order_relaxed);
        return;
    }
    mult = (uint64_t)(((unsigned __int128)(n - ns0) << 32) / (t - tsc0));
    tsc_base = t, ns_base = n;
    atomic_store_explicit(&state, CLOCK_READY, memory_order_release);
}
#endif

void clock_start(void)
{
#if HAVE_TSC
    int off = CLOCK_OFF;
    if (!kernel_uses_tsc())
        return;
    pair_now(&tsc0, &ns0);
    atomic_compare_exchange_strong(&state, &off, CLOCK_MEASURING);
#endif
}

uint64_t clock_now(void)
{
#if HAVE_TSC
    int st = atomic_load_explicit(&state, memory_order_acquire);
    if (__builtin_expect(st == CLOCK_READY, 1)) {
        int64_t d = (int64_t)(__rdtsc() - tsc_base); /* another CPU may be a little behind */
        return ns_base + (uint64_t)(int64_t)(((__int128)d * (__int128)mult) >> 32);
    }
    uint64_t now = mono_ns();
    if (st == CLOCK_MEASURING && now - ns0 >= CLOCK_CALIBRATE_NS &&
        atomic_compare_exchange_strong(&state, &st, CLOCK_CALIBRATING))
        calibrate();
    return now;
#else
    return mono_ns();
#endif
}

int clock_uses_tsc(void)
{
    return atomic_load(&state) == CLOCK_READY;
}
