/*
 * The time of each event, cheaply. clock_gettime(CLOCK_MONOTONIC) costs 60-70 ns in a
 * virtual machine, twice per malloc/free pair, more than the pair itself. When the kernel
 * keeps time with the TSC (its clocksource is "tsc", so the TSC is constant and synchronised
 * between CPUs), the time is the TSC scaled by a factor measured once against
 * CLOCK_MONOTONIC over the first CLOCK_CALIBRATE_NS: one rdtsc and a multiply. Until then,
 * and on any other machine, it is clock_gettime. Never blocks, never allocates; safe in
 * signal handlers and forked children (which inherit the factor: same TSC).
 */
#ifndef HEAPWISE_SHIM_CLOCK_H
#define HEAPWISE_SHIM_CLOCK_H

#include <stdint.h>

/* Measure the TSC against CLOCK_MONOTONIC over this long before using it. */
#define CLOCK_CALIBRATE_NS 50000000ull

/* Start: note the TSC and CLOCK_MONOTONIC now, and whether the TSC can be used. Called once
 * by the shim's initialisation; clock_now works (as clock_gettime) before it too. */
void clock_start(void);

/* CLOCK_MONOTONIC in nanoseconds, or the TSC's estimate of it. */
uint64_t clock_now(void);

/* 1 when clock_now reads the TSC (calibration done), for tests. */
int clock_uses_tsc(void);

#endif
