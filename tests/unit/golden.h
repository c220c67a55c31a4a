/*
 * The machine-independent part of an analysis, as the JSON kept in tests/data/v*.expected files:
 * identity, end, every summary counter, and the leaks (bytes, blocks, stack id, raw
 * addresses) without symbol names. Shared by gen_golden (writes it) and check_golden
 * (compares it), so both always agree on the layout.
 */
#ifndef HEAPWISE_TESTS_GOLDEN_H
#define HEAPWISE_TESTS_GOLDEN_H

#include <inttypes.h>
#include <stdio.h>

#include "analyze/analyze.h"

static inline void golden_leak(FILE *out, const struct analyze_leak *l)
{
    fprintf(out,
            "  {\"kind\": \"%s\", \"bytes\": %" PRIu64 ", \"blocks\": %" PRIu64
            ", \"stack_id\": %" PRIu32 ", \"addresses\": [",
            l->kind, l->bytes, l->blocks, l->stack->id);
    for (size_t i = 0; i < l->stack->nframes; i++)
        fprintf(out, "%s\"0x%" PRIx64 "\"", i ? ", " : "", l->stack->frames[i].address);
    fputs("]}", out);
}

static inline void golden_write(FILE *out, const struct analyze_process *p)
{
    const struct analyze_summary *s = &p->summary;
    fprintf(out,
            "{\"pid\": %" PRIu64 ", \"ppid\": %" PRIu64 ", \"argc\": %zu, \"end\": \"%s\", "
            "\"status\": %d,\n",
            p->pid, p->ppid, p->argc, analyze_end_name(p->end), p->status);
    fprintf(out,
            " \"summary\": {\"allocations\": %" PRIu64 ", \"frees\": %" PRIu64
            ", \"peak_bytes\": %" PRIu64 ", \"leaked_bytes\": %" PRIu64
            ", \"leaked_blocks\": %" PRIu64 ",\n  \"errors\": %" PRIu64 ", \"dropped\": %" PRIu64
            ", \"untracked\": %" PRIu64 ", \"unknown_frees\": %" PRIu64
            ", \"implicit_frees\": %" PRIu64 ", \"duration_ns\": %" PRIu64 "},\n",
            s->allocations, s->frees, s->peak_bytes, s->leaked_bytes, s->leaked_blocks, s->errors,
            s->dropped, s->untracked, s->unknown_frees, s->implicit_frees, p->duration_ns);
    fputs(" \"leaks\": [\n", out);
    for (size_t i = 0; i < p->nleaks; i++) {
        golden_leak(out, &p->leaks[i]);
        fputs(i + 1 < p->nleaks ? ",\n" : "\n", out);
    }
    fprintf(out, " ],\n \"warning\": %s%s%s}\n", p->warning ? "\"" : "",
            p->warning ? p->warning : "null", p->warning ? "\"" : "");
}

#endif
