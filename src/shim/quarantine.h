/*
 * The quarantine: a bounded FIFO of freed blocks that are kept away from the real
 * allocator for a while, so that writes after free show up in their fill pattern and a
 * second free still finds the block marked as freed. A lock-free multi-producer,
 * multi-consumer ring of (block, bytes) cells (Vyukov's bounded queue) plus a counter of
 * the bytes inside. Pure: it never looks at the blocks, never allocates and never locks;
 * the caller (guard.c) decides the budget policy and what eviction means.
 *
 *   cells[pos % slots]:  seq | block | bytes
 *   deq ---> oldest ... newest ---> enq        (positions only grow)
 *
 * A cell's seq is stored minus its index, so zero-filled memory is an empty queue.
 */
#ifndef HEAPWISE_SHIM_QUARANTINE_H
#define HEAPWISE_SHIM_QUARANTINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct quarantine_cell {
    _Atomic uint64_t seq; /* Vyukov sequence number minus the cell's index */
    void *block;          /* the queued block */
    uint64_t bytes;       /* its size, as counted in quarantine.bytes */
};

struct quarantine {
    struct quarantine_cell *cells;             /* `slots` cells */
    uint64_t mask;                             /* slots - 1 */
    _Atomic uint64_t bytes;                    /* bytes of the blocks inside */
    _Atomic uint64_t enq __attribute__((aligned(64))); /* next position to fill */
    _Atomic uint64_t deq __attribute__((aligned(64))); /* next position to take */
};

/*
 * 1 when `block` is in a cell between the oldest and the newest: a walk of the whole
 * queue, for rare questions asked while the other threads are stopped (a cell being
 * written meanwhile may be missed).
 */
int quarantine_holds(const struct quarantine *q, const void *block);

/* Bytes of zero-filled memory a queue of `slots` cells needs. */
size_t quarantine_mem_size(uint64_t slots);

/* Attach q to `mem` (zero-filled, quarantine_mem_size(slots) bytes); slots a power of two. */
void quarantine_init(struct quarantine *q, void *mem, uint64_t slots);

/* Append a block of `bytes`. Returns 0, or -1 when all cells are taken (nothing changed). */
int quarantine_push(struct quarantine *q, void *block, uint64_t bytes);

/*
 * Take the oldest block (its size into *bytes). NULL when empty, or when the oldest cell
 * is still being written by a producer that was interrupted (try again later).
 */
void *quarantine_pop(struct quarantine *q, uint64_t *bytes);

/* Bytes of the blocks inside (a snapshot). */
uint64_t quarantine_bytes(const struct quarantine *q);

/* The block likely to be popped after `ahead` others (its size into *bytes), read without
 * claiming anything: only a hint (to prefetch), possibly stale, torn or NULL; never
 * dereference it. */
void *quarantine_oldest_hint(const struct quarantine *q, uint64_t ahead, uint64_t *bytes);

#endif
