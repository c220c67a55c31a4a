/*
 * The event ring: a lock-free multi-producer, single-consumer byte ring laid over the
 * trace file's ring area (format.h). Producers on any thread reserve bytes with a CAS on
 * ctl->head, write their record and commit it by storing its header word last; the one
 * consumer (the writer, or the exiting thread holding the writer's consumer lock) reads
 * committed records at ctl->tail, zeroes them and advances the tail. This file is pure:
 * it works on any memory, never allocates, never locks and never blocks without bound.
 *
 *   ctl->tail               ctl->head
 *      |  committed | reserved, |  free (zero)  ...  | PAD to end |
 *      v  records   | not yet   v                                 ^ no record straddles
 *   [..|hdr body....|0000 body..|000000000000000000000000000000|pad]   the end of the area
 */
#ifndef HEAPWISE_SHIM_RING_H
#define HEAPWISE_SHIM_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/format.h"

/* Smallest ring: a largest record plus the padding it may need before it. */
#define RING_MIN_BYTES (2 * TRACE_REC_MAX)
/*
 * Default bounded wait of a producer facing a full ring, in ns. Long enough to ride out a
 * writer stalled by dirty-page throttling or descheduled on a busy machine (10 ms dropped
 * records with 8 allocating threads on 2 cores); short enough that a stuck writer costs
 * the program half a second per record, not a hang.
 */
#define RING_WAIT_NS (500ull * 1000 * 1000)

struct ring {
    struct trace_ring_ctl *ctl; /* head/tail positions, shared with the file */
    unsigned char *area;        /* ring_bytes bytes, zero where nothing is committed */
    uint64_t size;              /* bytes in the area, a power of two */
    uint64_t wait_ns;           /* how long a producer waits for room before dropping */
    _Atomic uint64_t dropped;   /* records lost because the ring stayed full */
    /* Optional: a waiting producer calls help(help_arg) to drain the ring itself when the
     * consumer cannot keep up; it returns the bytes it drained (0 if it could not). */
    long (*help)(void *help_arg);
    void *help_arg;
};

/*
 * Attach a ring to `ctl` and `area` (both zero-filled by the caller, or left over by a
 * previous ring_init on the same memory with head == tail). Returns 0, or -EINVAL when
 * size is not a power of two >= RING_MIN_BYTES.
 */
int ring_init(struct ring *r, struct trace_ring_ctl *ctl, void *area, uint64_t size);

/*
 * Reserve `size` bytes (a multiple of TRACE_ALIGN, 8 <= size <= TRACE_REC_MAX) for one
 * record and return where to write it; the header word must stay zero until ring_commit.
 * Waits at most r->wait_ns for room, calling r->help if set; then counts a drop and
 * returns NULL. Leaves errno as it was.
 */
void *ring_reserve(struct ring *r, uint32_t size);

/* Publish a reserved record: one release store of its header word (trace_hdr_word). */
void ring_commit(void *slot, uint64_t hdr_word);

/*
 * Consumer side, one caller at a time. Hand every committed record at the tail, in ring
 * order, to `sink` (PAD records included) without consuming anything. Stops at the first
 * uncommitted record, at the head, or before the record for which sink returns non-zero.
 * Returns the bytes handed over (to pass to ring_release), or -EIO when a committed
 * header is malformed.
 */
long ring_peek(struct ring *r, int (*sink)(const void *rec, size_t size, void *arg), void *arg);

/*
 * ring_peek from `skip` bytes past the tail (a sum of what earlier peeks returned, not yet
 * released): for a consumer that gathers records over several peeks before it releases
 * them all. Returns the bytes handed over from there, or -EIO.
 */
long ring_peek_from(struct ring *r, uint64_t skip,
                    int (*sink)(const void *rec, size_t size, void *arg), void *arg);

/*
 * Consume `bytes` at the tail (a value ring_peek returned), record by record: zero the
 * record, then advance the tail past it. Until then the records stay in the ring, so a
 * consumer that writes them elsewhere first loses nothing if it dies in between.
 */
void ring_release(struct ring *r, uint64_t bytes);

/* ring_peek then ring_release: for consumers that are done with a record once sunk. */
long ring_drain(struct ring *r, int (*sink)(const void *rec, size_t size, void *arg), void *arg);

/* Bytes reserved but not yet drained (a racy snapshot). */
uint64_t ring_used(const struct ring *r);

/* Records dropped so far. */
uint64_t ring_dropped(const struct ring *r);

#endif
