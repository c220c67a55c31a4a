/*
 * The stack table (see stacktab.h). This file owns hashing, probing, the slot state
 * machine and publication: the thread that creates a slot fills it, then exactly one
 * thread at a time tries to publish the STACK record (retrying after a drop), and a
 * lookup returns an id only once its record is in the ring. Waiting for another
 * thread is bounded; the answer is then 0. No allocation, no locks.
 */
#include "config.h"

#include "shim/stacktab.h"

#include <errno.h>
#include <sched.h>
#include <time.h>
#include <string.h>

enum slot_state {
    SLOT_EMPTY = 0,      /* free */
    SLOT_FILLING = 1,    /* claimed; its owner is writing hash, frames, id */
    SLOT_READY = 2,      /* complete, STACK record not (yet) in the ring */
    SLOT_PUBLISHING = 3, /* one thread is pushing the STACK record */
    SLOT_PUBLISHED = 4,  /* STACK record reserved in the ring: the id may be used */
};

/* Yields before a lookup waiting on another thread's slot starts napping. */
#define STACKTAB_WAIT_YIELDS 64
/* One nap, and the longest wait in all, in ns: the other thread may be descheduled for
 * many milliseconds on a loaded machine, and giving up costs the record its stack. */
#define STACKTAB_NAP_NS (50 * 1000)
#define STACKTAB_WAIT_NS (200ull * 1000 * 1000)

size_t stacktab_mem_size(uint32_t nslots, uint32_t nframes)
{
    return (size_t)nslots * sizeof(struct stacktab_slot) + (size_t)nframes * sizeof(uint64_t);
}

int stacktab_init(struct stacktab *t, void *mem, uint32_t nslots, uint32_t nframes,
                  stacktab_publish_fn publish, void *publish_arg)
{
    if (nslots < 2 || (nslots & (nslots - 1)) != 0 || nframes == 0)
        return -EINVAL;
    t->slots = mem;
    t->frames = (uint64_t *)(t->slots + nslots);
    t->nslots = nslots;
    t->nframes = nframes;
    t->max_ids = nslots / 4 * 3;
    atomic_store(&t->next_id, 0);
    atomic_store(&t->frames_used, 0);
    t->publish = publish;
    t->publish_arg = publish_arg;
    return 0;
}

/* FNV-1a over the addresses, finished with a 64-bit mix. */
uint64_t stacktab_hash(const uint64_t *f, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ n;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ f[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

/* Wait (bounded) while a slot is in state `busy`; returns the state seen last. */
static uint32_t wait_while(struct stacktab_slot *s, uint32_t busy)
{
    uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
    for (unsigned i = 0; st == busy && i < STACKTAB_WAIT_YIELDS; i++) {
        sched_yield();
        st = atomic_load_explicit(&s->state, memory_order_acquire);
    }
    struct timespec nap = {0, STACKTAB_NAP_NS};
    for (uint64_t waited = 0; st == busy && waited < STACKTAB_WAIT_NS; waited += STACKTAB_NAP_NS) {
        nanosleep(&nap, NULL);
        st = atomic_load_explicit(&s->state, memory_order_acquire);
    }
    return st;
}

/* Make sure slot s's STACK record is in the ring; returns its id or 0. */
static uint32_t publish(struct stacktab *t, struct stacktab_slot *s)
{
    for (;;) {
        uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
        if (st == SLOT_PUBLISHED)
            return s->id;
        if (st == SLOT_PUBLISHING) {
            if (wait_while(s, SLOT_PUBLISHING) == SLOT_PUBLISHING)
                return 0;
            continue;
        }
        if (!atomic_compare_exchange_strong(&s->state, &st, SLOT_PUBLISHING))
            continue;
        int rc = t->publish(s->id, t->frames + s->off, s->depth, t->publish_arg);
        atomic_store_explicit(&s->state, rc == 0 ? SLOT_PUBLISHED : SLOT_READY,
                              memory_order_release);
        return rc == 0 ? s->id : 0;
    }
}

static int same(struct stacktab *t, struct stacktab_slot *s, uint64_t h, const uint64_t *f,
                uint32_t n)
{
    return s->hash == h && s->depth == n && memcmp(t->frames + s->off, f, n * 8u) == 0;
}

/* Claim the empty slot s for this stack; returns 1 on success, 0 if someone else did. */
static int claim(struct stacktab *t, struct stacktab_slot *s, uint64_t h, const uint64_t *f,
                 uint32_t n, uint32_t off)
{
    uint32_t st = SLOT_EMPTY;
    if (!atomic_compare_exchange_strong(&s->state, &st, SLOT_FILLING))
        return 0;
    memcpy(t->frames + off, f, n * 8u);
    s->hash = h;
    s->depth = n;
    s->off = off;
    s->id = atomic_fetch_add(&t->next_id, 1) + 1;
    atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
    return 1;
}

/* Reserve room for n frames; UINT32_MAX when the arena or the id space is exhausted. */
static uint32_t take_frames(struct stacktab *t, uint32_t n)
{
    if (atomic_load_explicit(&t->next_id, memory_order_relaxed) >= t->max_ids)
        return UINT32_MAX;
    uint32_t off = atomic_load_explicit(&t->frames_used, memory_order_relaxed);
    do {
        if (t->nframes - off < n)
            return UINT32_MAX;
    } while (!atomic_compare_exchange_weak(&t->frames_used, &off, off + n));
    return off;
}

uint32_t stacktab_get(struct stacktab *t, const uint64_t *frames, uint32_t depth)
{
    return stacktab_get_hashed(t, frames, depth, stacktab_hash(frames, depth));
}

uint32_t stacktab_get_hashed(struct stacktab *t, const uint64_t *frames, uint32_t depth,
                             uint64_t h)
{
    uint32_t off = UINT32_MAX; /* frames reserved for a new slot, taken on first need */
    for (uint32_t i = 0; i < STACKTAB_MAX_PROBES; i++) {
        struct stacktab_slot *s = &t->slots[(h + i) & (t->nslots - 1)];
        uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
        if (st == SLOT_EMPTY) {
            if (off == UINT32_MAX && (off = take_frames(t, depth)) == UINT32_MAX)
                return 0;
            if (claim(t, s, h, frames, depth, off))
                return publish(t, s);
            st = atomic_load_explicit(&s->state, memory_order_acquire);
        }
        if (st == SLOT_FILLING && wait_while(s, SLOT_FILLING) == SLOT_FILLING)
            return 0;
        if (same(t, s, h, frames, depth))
            return publish(t, s);
    }
    return 0;
}

void stacktab_forget_published(struct stacktab *t)
{
    for (uint32_t i = 0; i < t->nslots; i++) {
        struct stacktab_slot *s = &t->slots[i];
        uint32_t st = atomic_load_explicit(&s->state, memory_order_relaxed);
        if (st == SLOT_FILLING)
            atomic_store_explicit(&s->state, SLOT_EMPTY, memory_order_relaxed);
        else if (st == SLOT_PUBLISHING || st == SLOT_PUBLISHED)
            atomic_store_explicit(&s->state, SLOT_READY, memory_order_relaxed);
    }
}

uint32_t stacktab_publish_all(struct stacktab *t)
{
    uint32_t failed = 0;
    for (uint32_t i = 0; i < t->nslots; i++) {
        struct stacktab_slot *s = &t->slots[i];
        if (atomic_load_explicit(&s->state, memory_order_acquire) == SLOT_READY &&
            publish(t, s) == 0)
            failed++;
    }
    return failed;
}

void stacktab_each(struct stacktab *t, stacktab_each_fn fn, void *arg)
{
    for (uint32_t i = 0; i < t->nslots; i++) {
        const struct stacktab_slot *s = &t->slots[i];
        if (atomic_load_explicit(&s->state, memory_order_acquire) >= SLOT_READY)
            fn(s->id, t->frames + s->off, s->depth, arg);
    }
}

uint32_t stacktab_count(struct stacktab *t)
{
    return atomic_load_explicit(&t->next_id, memory_order_relaxed);
}
