/*
 * The quarantine's queue (see quarantine.h): Vyukov's bounded MPMC array queue. A
 * producer claims a position with a CAS on enq when the cell's sequence says it is free,
 * fills it and publishes it with a release store of the sequence; a consumer does the
 * same on deq. Nothing waits: a full queue or an unpublished oldest cell is reported to
 * the caller, so a signal handler or a forked child can never hang here.
 */
#include "config.h"

#include "shim/quarantine.h"

static uint64_t seq_of(const struct quarantine *q, const struct quarantine_cell *c)
{
    return atomic_load_explicit(&((struct quarantine_cell *)c)->seq, memory_order_acquire) +
           (uint64_t)(c - q->cells);
}

static void seq_set(struct quarantine *q, struct quarantine_cell *c, uint64_t seq)
{
    atomic_store_explicit(&c->seq, seq - (uint64_t)(c - q->cells), memory_order_release);
}

size_t quarantine_mem_size(uint64_t slots)
{
    return (size_t)slots * sizeof(struct quarantine_cell);
}

void quarantine_init(struct quarantine *q, void *mem, uint64_t slots)
{
    q->cells = mem;
    q->mask = slots - 1;
    atomic_store(&q->bytes, 0);
    atomic_store(&q->enq, 0);
    atomic_store(&q->deq, 0);
}

int quarantine_push(struct quarantine *q, void *block, uint64_t bytes)
{
    uint64_t pos = atomic_load_explicit(&q->enq, memory_order_relaxed);
    struct quarantine_cell *c;
    for (;;) {
        c = &q->cells[pos & q->mask];
        int64_t diff = (int64_t)(seq_of(q, c) - pos);
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->enq, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (diff < 0) {
            return -1;
        } else {
            pos = atomic_load_explicit(&q->enq, memory_order_relaxed);
        }
    }
    /* Counted before publishing, so a consumer never subtracts bytes not yet added. */
    atomic_fetch_add_explicit(&q->bytes, bytes, memory_order_relaxed);
    c->block = block;
    c->bytes = bytes;
    seq_set(q, c, pos + 1);
    return 0;
}

void *quarantine_pop(struct quarantine *q, uint64_t *bytes)
{
    uint64_t pos = atomic_load_explicit(&q->deq, memory_order_relaxed);
    struct quarantine_cell *c;
    for (;;) {
        c = &q->cells[pos & q->mask];
        int64_t diff = (int64_t)(seq_of(q, c) - (pos + 1));
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->deq, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (diff < 0) {
            return NULL;
        } else {
            pos = atomic_load_explicit(&q->deq, memory_order_relaxed);
        }
    }
    void *block = c->block;
    *bytes = c->bytes;
    seq_set(q, c, pos + q->mask + 1);
    atomic_fetch_sub_explicit(&q->bytes, *bytes, memory_order_relaxed);
    return block;
}

int quarantine_holds(const struct quarantine *q, const void *block)
{
    struct quarantine *w = (struct quarantine *)q;
    uint64_t end = atomic_load_explicit(&w->enq, memory_order_acquire);
    for (uint64_t pos = atomic_load_explicit(&w->deq, memory_order_acquire); pos != end; pos++)
        if (q->cells[pos & q->mask].block == block)
            return 1;
    return 0;
}

uint64_t quarantine_bytes(const struct quarantine *q)
{
    return atomic_load_explicit(&((struct quarantine *)q)->bytes, memory_order_relaxed);
}

void *quarantine_oldest_hint(const struct quarantine *q, uint64_t ahead, uint64_t *bytes)
{
    uint64_t pos = atomic_load_explicit(&((struct quarantine *)q)->deq, memory_order_relaxed);
    const struct quarantine_cell *c = &q->cells[(pos + ahead) & q->mask];
    *bytes = __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
    return __atomic_load_n(&c->block, __ATOMIC_RELAXED);
}
