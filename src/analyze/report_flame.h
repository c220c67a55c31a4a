/*
 * The collapsed stacks behind report_flame_write (analyze.h), for other reports that draw
 * a flame graph of their own (report_html.c): one entry per distinct folded stack.
 */
#ifndef HEAPWISE_ANALYZE_REPORT_FLAME_H
#define HEAPWISE_ANALYZE_REPORT_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"

/* One folded stack, "outer;...;inner" (no frame name holds ';' or a line break). */
struct flame_line {
    char *stack; /* malloc'd */
    uint64_t bytes;
};

struct flame {
    struct flame_line *v;
    size_t n, cap;
};

/* What report_flame_collect adds up per stack. */
enum flame_measure {
    FLAME_LEAKED = 0,    /* leaked bytes (as report_flame_write counts them) */
    FLAME_ALLOCATED = 1, /* bytes allocated over the run (needs opts.allocated) */
    FLAME_PEAK = 2,      /* bytes live when the heap peaked (needs opts.allocated) */
};

/*
 * Fill f (zeroed by the caller) with the distinct stacks of every process, sorted by
 * stack, each with the sum of its bytes of `measure` (stacks with 0 bytes included).
 * 0, or -ENOMEM (f still to be released).
 */
int report_flame_collect(struct flame *f, struct analyze_process *const *procs, size_t nprocs,
                         enum flame_measure measure);

void report_flame_release(struct flame *f);

#endif
