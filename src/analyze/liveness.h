/*
 * Is the process that wrote a trace still running? For a trace without an end record:
 * its pid is in /proc, the process is not a zombie, and it started no later than the
 * trace did (a pid reused since, or the trace of an earlier boot, does not count). The
 * start comes from /proc/PID/stat (clock ticks since boot), compared in both of the
 * header's clocks. Reads /proc, nothing else; never prints.
 */
#ifndef HEAPWISE_ANALYZE_LIVENESS_H
#define HEAPWISE_ANALYZE_LIVENESS_H

#include <stdint.h>

#include "trace/format.h"

/*
 * Leeway of the start comparison, in ns: /proc counts in clock ticks (10 ms) and the two
 * clocks are read one after the other. A pid reused within a second of the trace's
 * start, or a clock stepped by more than this since, is told wrong.
 */
#define LIVENESS_SLACK_NS (1000ull * 1000 * 1000)

/* The clocks now, as liveness_started_before compares them. */
struct liveness_clocks {
    uint64_t boot_ns;      /* CLOCK_BOOTTIME */
    uint64_t monotonic_ns; /* CLOCK_MONOTONIC */
    uint64_t realtime_ns;  /* CLOCK_REALTIME */
    uint64_t ticks_per_s;  /* sysconf(_SC_CLK_TCK) */
};

/* 1 when the process of the trace with header h runs now, else 0 (also when unsure). */
int liveness_running(const struct trace_file_header *h);

/*
 * The text of /proc/PID/stat: its state letter (field 3) and its start time (field 22,
 * clock ticks since boot), past the command name in parentheses, which may hold any
 * byte. 0, or -EINVAL when the text has not that shape.
 */
int liveness_parse_stat(const char *text, char *state, uint64_t *start_ticks);

/*
 * 1 when a process started at start_ticks after boot started no later (LIVENESS_SLACK_NS
 * given) than the trace with header h, in CLOCK_MONOTONIC and in CLOCK_REALTIME, the
 * clocks being `now`; 0 otherwise.
 */
int liveness_started_before(uint64_t start_ticks, const struct liveness_clocks *now,
                            const struct trace_file_header *h);

#endif
