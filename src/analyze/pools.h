/*
 * The pools a program announced with the heapwise_pool_* annotations (pool records of the
 * trace), replayed: which pools are live, which of their blocks are handed out, which were
 * given back, and the heap errors that follow from the order of the calls (double and
 * foreign frees into a pool, a block handed out twice, calls naming no live pool), handed
 * to struct errors as they are found. The shim keeps no pool state; this is the only
 * place that judges pool calls. Memory is proportional to the pools' blocks. Never prints.
 *
 * Destroying a pool releases every block it still holds, silently, as memcheck's
 * VALGRIND_DESTROY_MEMPOOL does: that is how arenas are reset. Those blocks are only
 * counted (destroyed_bytes). A block still handed out of a live pool at the end is a leak
 * of that pool (pools_leaks).
 */
#ifndef HEAPWISE_ANALYZE_POOLS_H
#define HEAPWISE_ANALYZE_POOLS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/errors.h"
#include "analyze/hmap.h"
#include "analyze/replay.h"
#include "analyze/strpool.h"
#include "trace/format.h"

struct pools {
    struct hmap map;           /* pool handle -> struct pool (live or destroyed) */
    struct strpool names;      /* the pools' names */
    struct errors *errors;     /* where the errors found go */
    uint64_t allocations;      /* blocks handed out */
    uint64_t frees;            /* blocks given back */
    uint64_t destroyed_bytes;  /* bytes still handed out when their pool was destroyed */
    uint64_t destroyed_blocks; /* ... and how many blocks */
    uint64_t unknown_frees;    /* given back to an inherited pool, handed out before the fork */
};

/* The blocks of one pool still handed out at the end that share an allocation stack. */
struct pools_group {
    uint64_t pool;    /* the pool's handle */
    const char *name; /* its name, NULL when unnamed (owned by struct pools) */
    uint32_t stack;   /* allocation stack id */
    uint64_t bytes;   /* sum of the blocks' sizes */
    uint64_t blocks;  /* number of blocks */
};

/* Start with no pools; errors found go to `errors`. Never fails. */
void pools_init(struct pools *p, struct errors *errors);
void pools_fini(struct pools *p);

/*
 * One pool record each, in trace order. A call naming no live pool (or creating a live
 * one) is a pool_invalid_pool error and otherwise ignored; a block handed out at the
 * start of a block still handed out (pool_double_alloc) replaces it; a pointer given back
 * that is no block of the pool is a pool_double_free when the pool gave that block back
 * before (and did not hand it out since), else a pool_invalid_free (a block of an
 * inherited pool is taken as handed out before the fork, and counted in unknown_frees).
 * 0, or -ENOMEM.
 */
int pools_create(struct pools *p, const struct trace_rec_pool_create *r);
int pools_alloc(struct pools *p, const struct trace_rec_pool *r);
int pools_free(struct pools *p, const struct trace_rec_pool *r);
int pools_destroy(struct pools *p, const struct trace_rec_pool *r);

/* Blocks handed out of live pools now, and their bytes. */
uint64_t pools_live_blocks(const struct pools *p, uint64_t *bytes);

/*
 * The blocks still handed out of live pools, grouped by pool and allocation stack, into a
 * malloc'd array (*out, *n; unordered; NULL when empty). 0, or -ENOMEM.
 */
int pools_leaks(const struct pools *p, struct pools_group **out, size_t *n);

/*
 * memcheck's rule for pool memory: a malloc'ed block that holds the first or last byte of
 * a block still handed out of a live pool is that pool's superblock, not a leak of its
 * own (the pool's blocks are reported instead, and one leak is not told twice). Take
 * such blocks out of r's live set, adding their bytes and number to *bytes and *blocks.
 * 0, or -ENOMEM.
 */
int pools_set_apart(const struct pools *p, struct replay *r, uint64_t *bytes, uint64_t *blocks);

#endif
