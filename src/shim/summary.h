/*
 * Env-only mode's words (no `heapwise run` around the process, as LeakSanitizer works):
 * whether what a process found counts for error_exitcode, and the one line it prints on
 * stderr at its end. Pure string work on caller buffers: no allocation, no I/O.
 */
#ifndef HEAPWISE_SHIM_SUMMARY_H
#define HEAPWISE_SHIM_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "shim/scan.h"

/* Room for the line: numbers, words and the trace path twice. */
#define SUMMARY_LINE_MAX (2 * 4096 + 512)

struct summary {
    const struct scan_totals *totals; /* what the exit scan found; NULL: no leak check */
    uint64_t errors;                  /* heap errors recorded (every occurrence) */
    unsigned leak_kinds;              /* OPTIONS_LEAK_* bits that count */
    const char *trace;                /* the trace's path */
    int exit_code;                    /* the status error_exitcode imposes, 0: none */
};

/* 1 when a heap error, or a block of a class in leak_kinds, was found. */
int summary_found(const struct summary *s);

/*
 * The line, without "heapwise: " and newline, into buf[SUMMARY_LINE_MAX], e.g.
 * "120 bytes definitely lost in 3 blocks, 1 heap error; trace: T; run 'heapwise report T'"
 * (the counted classes that hold blocks, then the errors; "no leaks, no heap errors"
 * when nothing counts), then "; exit status N" when exit_code is set.
 */
void summary_format(const struct summary *s, char *buf);

#endif
