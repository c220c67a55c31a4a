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

/*
 * Heap errors the analyzer finds itself in the pool records (pools.c): never the kind of
 * a trace's error record, so numbered apart from enum trace_error_kind.
 */
enum errors_pool_kind {
    ERR_POOL_DOUBLE_FREE = 0x100, /* a block given back to its pool twice */
    ERR_POOL_INVALID_FREE,        /* given back to a pool: not one of its blocks */
    ERR_POOL_DOUBLE_ALLOC,        /* handed out at the start of a block still allocated */
    ERR_POOL_INVALID_POOL,        /* a call naming no live pool, or creating a live one again */
    ERR_POOL_LIMIT
};

/* Where a pool error was found (rec.where), numbered apart from enum trace_error_where. */
enum errors_pool_where {
    WHERE_POOL_CREATE = 0xf0,
    WHERE_POOL_ALLOC,
    WHERE_POOL_FREE,
    WHERE_POOL_DESTROY,
};

/* What a pool_invalid_pool call found at the pool handle (error_entry.pool_state). */
enum errors_pool_state {
    POOL_NEVER = 0,     /* never created (or NULL) */
    POOL_DESTROYED = 1, /* destroyed (rec.free_stack: where; rec.alloc_stack: its creation) */
    POOL_EXISTS = 2,    /* created again while live (rec.alloc_stack: its creation) */
};

/* One error context: its first occurrence and how many times it happened. */
struct error_entry {
    struct trace_rec_error rec; /* the first occurrence, enriched (kind may be upgraded) */
    uint64_t count;             /* occurrences folded into this entry */
    uint64_t block;             /* invalid free: start of the live block it points into */
    uint64_t block_size;        /* ... and that block's size */
    uint32_t block_stack;       /* ... and its allocation stack */
    int inside;                 /* 1 when block/block_size/block_stack are set */
    uint64_t pool;              /* pool kinds: the handle the call named */
    const char *pool_name;      /* ... the pool's name, NULL if unnamed (owned by pools.c) */
    int pool_state;             /* pool_invalid_pool: enum errors_pool_state */
    uint64_t other_pool;        /* pool_invalid_free: the pool the block belongs to, or 0 */
    const char *other_name;     /* ... that pool's name */
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


/*
 * Take an error the analyzer found itself (a pool kind), filled in by the caller
 * (count is ignored), folded like the others. 0 or -ENOMEM.
 */
int errors_add_found(struct errors *e, const struct error_entry *en);

/* 1 for the pool kinds (enum errors_pool_kind). */
int errors_is_pool(unsigned kind);

/* The report name of any error kind ("double_free", "pool_double_free"), or "unknown". */
const char *errors_kind_name(unsigned kind);

/* Every error kind in turn: the one after kind (0 gives the first), or 0 after the last. */
unsigned errors_kind_next(unsigned kind);

/* Names used in reports: "malloc", "new", "new[]", "aligned_new"; NULL when unknown. */
const char *errors_alloc_kind(unsigned kind);

/* "free", "delete", "delete[]" or "realloc" (where == WHERE_REALLOC); NULL when none. */
const char *errors_free_kind(unsigned kind, unsigned where);

/* "free", "realloc", "exit", "quarantine", "malloc_usable_size", or for pool errors
 * "pool_create", "pool_alloc", "pool_free", "pool_destroy". */
const char *errors_where(unsigned where);

/* One line saying what happened, memcheck-like, into buf. */
void errors_describe(const struct error_entry *en, char *buf, size_t len);
#endif
