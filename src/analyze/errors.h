/*
 * Heap errors found by the shim's block guard (TRACE_REC_ERROR), as the analyzer keeps
 * them: folded by context (kind, the stacks of the call, the allocation and the first
 * release), each enriched with what the replay knows at that moment — the block an
 * invalid free points into, the earlier release that makes it a double free, the header
 * bytes a corrupted block should have held. Stack ids only; symbolising is analyze.c's.
 */
#ifndef HEAPWISE_ANALYZE_ERRORS_H
#define HEAPWISE_ANALYZE_ERRORS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/hmap.h"
#include "analyze/replay.h"
#include "trace/format.h"

/* One error context: its first occurrence and how many times it happened. */
struct error_entry {
    struct trace_rec_error rec; /* the first occurrence, enriched (kind may be upgraded) */
    uint64_t count;             /* occurrences folded into this entry */
    uint64_t block;             /* invalid free: start of the live block it points into */
    uint64_t block_size;        /* ... and that block's size */
    uint32_t block_stack;       /* ... and its allocation stack */
    int inside;                 /* 1 when block/block_size/block_stack are set */
};

struct errors {
    struct hmap index;          /* context key -> index in v */
    struct error_entry *v;      /* n entries, in order of first occurrence */
    size_t n, cap;
    uint64_t total;             /* all occurrences */
};

void errors_init(struct errors *e);
void errors_fini(struct errors *e);

/*
 * Take one error record, read with the replay in the state of that point of the trace
 * (before the FREE that may follow it). secret is the trace's guard_secret. 0 or -ENOMEM.
 */
int errors_add(struct errors *e, const struct replay *r, const struct trace_rec_error *rec,
               uint64_t secret);



/* Names used in reports: "malloc", "new", "new[]", "aligned_new"; NULL when unknown. */
const char *errors_alloc_kind(unsigned kind);

/* "free", "delete", "delete[]" or "realloc" (where == WHERE_REALLOC); NULL when none. */
const char *errors_free_kind(unsigned kind, unsigned where);

/* "free", "realloc", "exit", "quarantine", "malloc_usable_size". */
const char *errors_where(unsigned where);

/* One line saying what happened, memcheck-like, into buf. */
void errors_describe(const struct error_entry *en, char *buf, size_t len);
#endif
