/*
 * Record construction (see record.h). Owns the layout of each pushed record and the
 * timestamp/tid stamping; it knows nothing about when to record. Must not allocate, lock
 * or change errno: it runs inside malloc and free on any thread.
 */
#include "config.h"

#include "shim/record.h"
#include "shim/clock.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shim/shim.h"

uint64_t record_now(void)
{
    return clock_now();
}

uint32_t record_tid(void)
{
    if (unlikely(shim_tls.tid == 0))
        shim_tls.tid = (uint32_t)syscall(SYS_gettid);
    return shim_tls.tid;
}

void *record_reserve(uint32_t size)
{
    return ring_reserve(&shim_ring, trace_align(size)); /* errno kept: see ring.h */
}

void record_alloc(unsigned kind, const void *ptr, size_t size, uint32_t stack)
{
    struct trace_rec_alloc *r = record_reserve(sizeof(*r));
    if (!r)
        return;
    r->ptr = (uintptr_t)ptr;
    r->size = size;
    r->time_ns = record_now();
    r->stack = stack;
    r->tid = record_tid();
    ring_commit(r, trace_hdr_word(sizeof(*r), TRACE_REC_ALLOC, (uint16_t)kind));
}

void record_free(unsigned kind, const void *ptr, uint32_t stack)
{
    struct trace_rec_free *r = record_reserve(sizeof(*r));
    if (!r)
        return;
    r->ptr = (uintptr_t)ptr;
    r->time_ns = record_now();
    r->stack = stack;
    r->tid = record_tid();
    ring_commit(r, trace_hdr_word(sizeof(*r), TRACE_REC_FREE, (uint16_t)kind));
}

struct trace_rec_realloc *record_realloc_begin(const void *old_ptr, size_t size, uint32_t stack)
{
    struct trace_rec_realloc *r = record_reserve(sizeof(*r));
    if (!r)
        return NULL;
    r->old_ptr = (uintptr_t)old_ptr;
    r->size = size;
    r->time_ns = record_now();
    r->stack = stack;
    r->tid = record_tid();
    return r;
}

void record_realloc_end(struct trace_rec_realloc *r, const void *new_ptr)
{
    r->new_ptr = (uintptr_t)new_ptr;
    ring_commit(r, trace_hdr_word(sizeof(*r), TRACE_REC_REALLOC, KIND_MALLOC));
}

void record_realloc_settle(struct trace_rec_realloc *r, const void *new_ptr)
{
    if (!new_ptr || (uintptr_t)new_ptr == r->old_ptr) {
        record_realloc_end(r, new_ptr);
        return;
    }
    /* Moved: the reserved place says the old block was released (a FREE record may be
     * longer than its type's minimum), the new block is an allocation recorded now. */
    struct trace_rec_realloc copy = *r;
    struct trace_rec_free *f = (struct trace_rec_free *)r;
    f->ptr = copy.old_ptr;
    f->time_ns = copy.time_ns;
    f->stack = copy.stack;
    f->tid = copy.tid;
    ring_commit(f, trace_hdr_word(sizeof(*r), TRACE_REC_FREE, KIND_MALLOC));
    record_alloc(KIND_MALLOC, new_ptr, copy.size, copy.stack);
}

static _Atomic uint64_t errors; /* record_error calls since the trace began */

uint64_t record_errors(void)
{
    return atomic_load_explicit(&errors, memory_order_relaxed);
}

void record_errors_reset(void)
{
    atomic_store_explicit(&errors, 0, memory_order_relaxed);
}

void record_error(unsigned kind, const struct trace_rec_error *e)
{
    atomic_fetch_add_explicit(&errors, 1, memory_order_relaxed);
    struct trace_rec_error *r = record_reserve(sizeof(*r));
    if (!r)
        return;
    /* Everything after the header word, which must stay zero until the commit. */
    memcpy((char *)r + sizeof(r->h), (const char *)e + sizeof(e->h), sizeof(*r) - sizeof(r->h));
    r->time_ns = record_now();
    r->tid = record_tid();
    ring_commit(r, trace_hdr_word(sizeof(*r), TRACE_REC_ERROR, (uint16_t)kind));
}

int record_stack(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg)
{
    (void)arg;
    uint32_t size = (uint32_t)(sizeof(struct trace_rec_stack) + depth * sizeof(uint64_t));
    struct trace_rec_stack *r = record_reserve(size);
    if (!r)
        return -1;
    r->id = id;
    r->depth = depth;
    memcpy(r + 1, frames, depth * sizeof(uint64_t));
    ring_commit(r, trace_hdr_word(trace_align(size), TRACE_REC_STACK, 0));
    return 0;
}

int record_leakscan(uint32_t flags, uint64_t time_ns, uint32_t threads, uint32_t missed,
                    const uint64_t *entries, uint32_t count)
{
    uint32_t size = (uint32_t)(sizeof(struct trace_rec_leakscan) + count * sizeof(uint64_t));
    struct trace_rec_leakscan *r = record_reserve(size);
    if (!r)
        return -1;
    r->count = count;
    r->flags = flags;
    r->time_ns = time_ns;
    r->threads = threads;
    r->threads_missed = missed;
    memcpy(r + 1, entries, count * sizeof(uint64_t));
    ring_commit(r, trace_hdr_word(size, TRACE_REC_LEAKSCAN, 0));
    return 0;
}

void record_pool_create(const void *pool, const char *name, uint32_t name_len, uint32_t stack,
                        unsigned flags)
{
    uint32_t size = (uint32_t)sizeof(struct trace_rec_pool_create) + name_len;
    struct trace_rec_pool_create *r = record_reserve(size);
    if (!r)
        return;
    r->pool = (uintptr_t)pool;
    r->time_ns = record_now();
    r->stack = stack;
    r->tid = record_tid();
    r->name_len = name_len;
    memcpy(r + 1, name, name_len);
    ring_commit(r, trace_hdr_word(trace_align(size), TRACE_REC_POOL_CREATE, (uint16_t)flags));
}

void record_pool(unsigned type, const void *pool, const void *ptr, size_t size, uint32_t stack)
{
    struct trace_rec_pool *r = record_reserve(sizeof(*r));
    if (!r)
        return;
    r->pool = (uintptr_t)pool;
    r->ptr = (uintptr_t)ptr;
    r->size = size;
    r->time_ns = record_now();
    r->stack = stack;
    r->tid = record_tid();
    ring_commit(r, trace_hdr_word(sizeof(*r), (uint16_t)type, 0));
}

int record_sample(uint64_t time_ns, uint64_t rss_bytes)
{
    struct trace_rec_sample *r = record_reserve(sizeof(*r));
    if (!r)
        return -1;
    r->time_ns = time_ns;
    r->rss_bytes = rss_bytes;
    ring_commit(r, trace_hdr_word(sizeof(*r), TRACE_REC_SAMPLE, 0));
    return 0;
}

int record_end(int status, unsigned how, uint64_t dropped, uint64_t untracked)
{
    struct trace_rec_end *r = record_reserve(sizeof(*r));
    if (!r)
        return -1;
    r->status = status;
    r->how = how;
    r->time_ns = record_now();
    r->dropped = dropped;
    r->untracked = untracked;
    ring_commit(r, trace_hdr_word(sizeof(*r), TRACE_REC_END, 0));
    return 0;
}
