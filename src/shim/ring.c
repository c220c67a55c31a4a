/*
 * The event ring (see ring.h for the protocol and its diagram). This file owns the
 * reservation CAS loop, the bounded wait on a full ring, the PAD record that keeps a
 * record from straddling the end, and the consumer's read-zero-advance loop. It must not
 * allocate, lock, log or call anything that could re-enter the allocator.
 */
#include "config.h"

#include "shim/ring.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>

/* Busy spins, then yields, before a full-ring producer starts napping. */
#define RING_SPINS 64
#define RING_YIELDS 16
/* One nap of a producer waiting for room, in ns. */
#define RING_NAP_NS (50 * 1000)

static inline _Atomic uint64_t *head_of(struct ring *r)
{
    return (_Atomic uint64_t *)&r->ctl->head;
}

static inline _Atomic uint64_t *tail_of(const struct ring *r)
{
    return (_Atomic uint64_t *)&r->ctl->tail;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ring_init(struct ring *r, struct trace_ring_ctl *ctl, void *area, uint64_t size)
{
    if (size < RING_MIN_BYTES || (size & (size - 1)) != 0)
        return -EINVAL;
    r->ctl = ctl;
    r->area = area;
    r->size = size;
    r->wait_ns = RING_WAIT_NS;
    atomic_store(&r->dropped, 0);
    r->help = NULL;
    r->help_arg = NULL;
    return 0;
}

/* wait_room past the spins: the deadline, the help, a yield or a nap. */
static int wait_longer(struct ring *r, unsigned tries, uint64_t *deadline)
{
    uint64_t now = now_ns();
    if (*deadline == 0)
        *deadline = now + r->wait_ns;
    else if (now >= *deadline)
        return -1;
    if (r->help && r->help(r->help_arg) > 0)
        return 0;
    if (tries < RING_SPINS + RING_YIELDS) {
        sched_yield();
    } else {
        struct timespec nap = {0, RING_NAP_NS};
        nanosleep(&nap, NULL);
    }
    return 0;
}

/*
 * Wait a little for the consumer; returns 0 to retry, -1 when the deadline passed. Past
 * the spins the producer offers to drain (r->help), then yields, then naps briefly, so
 * that on a machine with fewer cores than busy threads the ring still empties.
 */
static int wait_room(struct ring *r, unsigned *tries, uint64_t *deadline)
{
    ++*tries;
    if (*tries < RING_SPINS) {
        __builtin_ia32_pause();
        return 0;
    }
    int saved = errno; /* the calls below may set it; the caller is inside malloc or free */
    int rc = wait_longer(r, *tries, deadline);
    errno = saved;
    return rc;
}

static void write_pad(struct ring *r, uint64_t pos, uint32_t len)
{
    ring_commit(r->area + (pos & (r->size - 1)), trace_hdr_word(len, TRACE_REC_PAD, 0));
}

void *ring_reserve(struct ring *r, uint32_t size)
{
    unsigned tries = 0;
    uint64_t deadline = 0;
    uint64_t head = atomic_load_explicit(head_of(r), memory_order_relaxed);
    for (;;) {
        uint64_t off = head & (r->size - 1);
        uint64_t pad = r->size - off < size ? r->size - off : 0;
        uint64_t tail = atomic_load_explicit(tail_of(r), memory_order_acquire);
        if (head + pad + size - tail > r->size) {
            if (wait_room(r, &tries, &deadline) < 0) {
                atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
                return NULL;
            }
            head = atomic_load_explicit(head_of(r), memory_order_relaxed);
            continue;
        }
        if (!atomic_compare_exchange_weak_explicit(head_of(r), &head, head + pad + size,
                                                   memory_order_acquire, memory_order_relaxed))
            continue;
        if (pad)
            write_pad(r, head, (uint32_t)pad);
        return r->area + ((head + pad) & (r->size - 1));
    }
}

void ring_commit(void *slot, uint64_t hdr_word)
{
    atomic_store_explicit((_Atomic uint64_t *)slot, hdr_word, memory_order_release);
}

long ring_peek_from(struct ring *r, uint64_t skip,
                    int (*sink)(const void *rec, size_t size, void *arg), void *arg)
{
    uint64_t tail = atomic_load_explicit(tail_of(r), memory_order_relaxed);
    uint64_t start = tail + skip, pos = start;
    for (;;) {
        unsigned char *rec = r->area + (pos & (r->size - 1));
        uint64_t word = atomic_load_explicit((_Atomic uint64_t *)rec, memory_order_acquire);
        if (word == 0)
            break;
        uint32_t size = (uint32_t)word;
        uint64_t room = r->size - (pos & (r->size - 1));
        if (size < sizeof(struct trace_rec_hdr) || size % TRACE_ALIGN || size > room)
            return -EIO;
        if (pos + size - tail > r->size || sink(rec, size, arg) != 0)
            break;
        pos += size;
    }
    return (long)(pos - start);
}

long ring_peek(struct ring *r, int (*sink)(const void *rec, size_t size, void *arg), void *arg)
{
    return ring_peek_from(r, 0, sink, arg);
}

void ring_release(struct ring *r, uint64_t bytes)
{
    uint64_t tail = atomic_load_explicit(tail_of(r), memory_order_relaxed);
    uint64_t end = tail + bytes;
    while (tail < end) {
        unsigned char *rec = r->area + (tail & (r->size - 1));
        uint32_t size = *(const uint32_t *)rec;
        /* Body, then header, then tail: a reader of a dead process's ring finds either a
         * whole record or a zero header at ctl->tail, never a header over a zeroed body. */
        memset(rec + sizeof(uint64_t), 0, size - sizeof(uint64_t));
        atomic_store_explicit((_Atomic uint64_t *)rec, 0, memory_order_relaxed);
        tail += size;
        atomic_store_explicit(tail_of(r), tail, memory_order_release);
    }
}

long ring_drain(struct ring *r, int (*sink)(const void *rec, size_t size, void *arg), void *arg)
{
    long n = ring_peek(r, sink, arg);
    if (n > 0)
        ring_release(r, (uint64_t)n);
    return n;
}

uint64_t ring_used(const struct ring *r)
{
    uint64_t tail = atomic_load_explicit(tail_of(r), memory_order_acquire);
    return atomic_load_explicit((_Atomic uint64_t *)&r->ctl->head, memory_order_acquire) - tail;
}

uint64_t ring_dropped(const struct ring *r)
{
    return atomic_load_explicit(&r->dropped, memory_order_relaxed);
}
