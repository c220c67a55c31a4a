/*
 * Building trace records (format.h) into the ring: one function per record type the
 * allocation paths push. Each reserves its bytes, fills the body, stamps time and tid and
 * commits by storing the header last. A full ring drops the record (ring.c counts it).
 * None of these allocate or change errno; callers decide whether to record at all.
 */
#ifndef HEAPWISE_SHIM_RECORD_H
#define HEAPWISE_SHIM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "trace/format.h"

/* CLOCK_MONOTONIC in ns. */
uint64_t record_now(void);

/* Kernel tid of the calling thread (cached per thread). */
uint32_t record_tid(void);

/* Push ALLOC: ptr of `size` requested bytes, allocated by `kind` at `stack`. */
void record_alloc(unsigned kind, const void *ptr, size_t size, uint32_t stack);

/* Push FREE of ptr by deallocation function `kind` at `stack`. */
void record_free(unsigned kind, const void *ptr, uint32_t stack);

/*
 * Reserve a REALLOC record of old_ptr to `size` bytes before the real realloc runs, so
 * nothing that reuses old_ptr can be ordered before it. Returns NULL if dropped.
 * record_realloc_end fills the result (NULL on failure) and commits; call it exactly once
 * for every non-NULL slot.
 */
struct trace_rec_realloc *record_realloc_begin(const void *old_ptr, size_t size, uint32_t stack);
void record_realloc_end(struct trace_rec_realloc *r, const void *new_ptr);
/*
 * record_realloc_end for a slot reserved before an allocator's realloc ran: if the block
 * moved, another thread may have released the new address after the slot was reserved
 * (its FREE record then follows ours), so the slot becomes a FREE of the old block and
 * the new block an ALLOC recorded now, after that release.
 */
void record_realloc_settle(struct trace_rec_realloc *r, const void *new_ptr);

/*
 * Push ERROR of `kind` (enum trace_error_kind): the body of *e as given (h, time_ns and
 * tid are ignored: stamped here).
 */
void record_error(unsigned kind, const struct trace_rec_error *e);

/* How many times record_error was called in this process's trace (dropped ones too). */
uint64_t record_errors(void);

/* A new trace begins (a forked child's): the count of errors starts again. */
void record_errors_reset(void);

/* stacktab_publish_fn: push STACK id with its frames; 0, or -1 when dropped. */
int record_stack(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg);

/* Entries one LEAKSCAN record holds at most. */
#define RECORD_LEAKSCAN_MAX \
    ((TRACE_REC_MAX - sizeof(struct trace_rec_leakscan)) / sizeof(uint64_t))

/*
 * Push one LEAKSCAN record: `count` (<= RECORD_LEAKSCAN_MAX) entries (user address |
 * enum trace_leak_class), LEAKSCAN_* flags, the scan's start time and thread counts.
 * 0, or -1 when dropped.
 */
int record_leakscan(uint32_t flags, uint64_t time_ns, uint32_t threads, uint32_t missed,
                    const uint64_t *entries, uint32_t count);

/*
 * Push POOL_CREATE of pool with the first name_len (<= TRACE_POOL_NAME_MAX) bytes of
 * name; flags: 0 or TRACE_POOL_INHERITED.
 */
void record_pool_create(const void *pool, const char *name, uint32_t name_len, uint32_t stack,
                        unsigned flags);

/*
 * Push a POOL_ALLOC (pool handed out `size` bytes at ptr, non-NULL), POOL_FREE (ptr,
 * non-NULL, given back to pool; size 0) or POOL_DESTROY (ptr NULL, size 0) record.
 */
void record_pool(unsigned type, const void *pool, const void *ptr, size_t size, uint32_t stack);

/* Push SAMPLE: the resident set size rss_bytes at time_ns. 0, or -1 when dropped. */
int record_sample(uint64_t time_ns, uint64_t rss_bytes);

/* Push END; 0, or -1 when dropped. */
int record_end(int status, unsigned how, uint64_t dropped, uint64_t untracked);

/*
 * Reserve a record of `size` bytes (rounded up to TRACE_ALIGN) for the callers that build
 * variable records themselves (PROCESS, MODULE); commit with ring_commit.
 */
void *record_reserve(uint32_t size);

#endif
