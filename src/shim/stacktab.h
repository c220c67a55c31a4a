/*
 * The stack table: deduplicates captured stacks (arrays of return addresses) into small
 * ids, lock-free, in memory the caller provides (mmap'd in the shim, calloc'd in tests).
 * It owns the hash, the open-addressing slots, the bump arena of frames and the rule that
 * a stack's STACK record is published (reserved in the ring) before any caller gets its
 * id. It must not allocate, lock or block without bound; when full it answers 0.
 *
 *   slots[nslots]                          frames[nframes] (uint64_t, bump-allocated)
 *   +-------+-------+-----+-------+        +----------------------------------------+
 *   | state | hash  | id  | depth | -off-> | f0 f1 ... f(depth-1) | next stack ...  |
 *   +-------+-------+-----+-------+        +----------------------------------------+
 *   state: EMPTY -> FILLING -> READY <-> PUBLISHING -> PUBLISHED
 */
#ifndef HEAPWISE_SHIM_STACKTAB_H
#define HEAPWISE_SHIM_STACKTAB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Slots probed before giving up on a full neighbourhood. */
#define STACKTAB_MAX_PROBES 256

struct stacktab_slot {
    _Atomic uint32_t state; /* enum in stacktab.c */
    uint32_t id;            /* stack id, >= 1, valid from READY on */
    uint64_t hash;          /* hash of the frames, valid from READY on */
    uint32_t depth;         /* frames */
    uint32_t off;           /* index of the first frame in the frames arena */
};

/*
 * Publish a new stack: push its STACK record. Returns 0 once the record is reserved in
 * the ring (so it precedes any record that uses the id), non-zero when it was dropped.
 */
typedef int (*stacktab_publish_fn)(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg);

struct stacktab {
    struct stacktab_slot *slots;  /* nslots entries, zero-filled */
    uint64_t *frames;             /* nframes entries */
    uint32_t nslots;              /* a power of two */
    uint32_t nframes;             /* capacity of the frames arena */
    uint32_t max_ids;             /* ids handed out before the table counts as full */
    _Atomic uint32_t next_id;     /* last id handed out */
    _Atomic uint32_t frames_used; /* bump pointer into frames */
    stacktab_publish_fn publish;  /* pushes STACK records */
    void *publish_arg;
};

/* Bytes of zero-filled memory stacktab_init needs for these capacities. */
size_t stacktab_mem_size(uint32_t nslots, uint32_t nframes);

/*
 * Lay a table over `mem` (stacktab_mem_size bytes, zero-filled, 8-byte aligned).
 * nslots must be a power of two. Returns 0 or -EINVAL.
 */
int stacktab_init(struct stacktab *t, void *mem, uint32_t nslots, uint32_t nframes,
                  stacktab_publish_fn publish, void *publish_arg);

/*
 * The id of this stack (1 <= depth), creating and publishing it on first sight. Returns
 * 0 (TRACE_STACK_NONE) when the table or its frames arena is full, when publishing
 * failed, or when another thread's publication did not finish in time.
 */
uint32_t stacktab_get(struct stacktab *t, const uint64_t *frames, uint32_t depth);

/* The table's hash of a stack, for callers that keep their own memo in front of it. */
uint64_t stacktab_hash(const uint64_t *frames, uint32_t depth);

/* stacktab_get with the hash already computed (hash == stacktab_hash(frames, depth)). */
uint32_t stacktab_get_hashed(struct stacktab *t, const uint64_t *frames, uint32_t depth,
                             uint64_t hash);

/*
 * In a forked child, before it records anything and while it has one thread: forget
 * every publication (the child's trace has none of the STACK records yet) and drop the
 * slots that a parent thread was filling when it vanished. Ids stay what they were.
 */
void stacktab_forget_published(struct stacktab *t);

/*
 * Publish every complete stack not published yet (a forked child's new trace, whose
 * inherited blocks and errors name them). Returns how many could not be published.
 */
uint32_t stacktab_publish_all(struct stacktab *t);

/* Called with each complete stack: its id, frames and depth. */
typedef void (*stacktab_each_fn)(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg);

/* Every complete stack in slot order (a slot still being filled is skipped). No lock. */
void stacktab_each(struct stacktab *t, stacktab_each_fn fn, void *arg);

/* Number of ids handed out so far. */
uint32_t stacktab_count(struct stacktab *t);

#endif
