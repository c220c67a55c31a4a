/*
 * Replay of allocation events: keeps the live set (address -> requested size, allocation
 * stack, kind) and the running totals, and at the end groups what is still live by
 * allocation stack. Memory is proportional to the live set. It knows nothing of files or
 * symbols and never prints.
 */
#ifndef HEAPWISE_ANALYZE_REPLAY_H
#define HEAPWISE_ANALYZE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "analyze/hmap.h"
#include "trace/format.h"

/* One block: live, or (replay_freed) released and not reused since. */
struct replay_block {
    uint64_t size;        /* bytes requested */
    uint32_t stack;       /* allocation stack id */
    uint32_t kind;        /* enum trace_kind */
    uint32_t free_stack;  /* release stack id (freed blocks only) */
    uint32_t leak_class;  /* enum trace_leak_class from the last scan, 0 if unclassified */
    uint64_t holder;      /* indirectly lost: the definitely lost block holding it, or 0 */
};

/*
 * The last release at an address, kept small: the freed table holds one per address the
 * heap ever released, and a table larger than the cache costs a miss per access.
 */
struct replay_release {
    uint64_t size;       /* bytes requested */
    uint32_t stack;      /* allocation stack id */
    uint32_t free_stack; /* release stack id */
    uint32_t kind;       /* enum trace_kind of the allocation */
};

struct replay {
    struct hmap live;           /* address -> struct replay_block */
    struct hmap freed;          /* address -> struct replay_release, the last one there; stale
                                   while the address is live again (replay_freed checks) */
    uint64_t live_bytes;        /* sum of requested sizes of live blocks */
    struct analyze_summary sum; /* allocations, frees, peak, unknown/implicit frees */
    int scanned;                /* a complete leak scan was read */
    int grouped;                /* the scan being read is LEAKSCAN_GROUPED */
    uint64_t last_definite;     /* its last definitely lost entry so far, or 0 */
    int track_sites;            /* 1: keep `sites` (set before the first event) */
    int track_freed;            /* 1: keep releases for replay_freed (set before the first
                                   event); the freed table is most of a replay's cost */
    struct hmap sites;          /* stack id + 1 -> struct replay_site, every allocation */
    uint64_t peak_epoch;        /* track_sites: how many times the peak rose */
    uint64_t last_alloc;        /* track_sites: address of the latest allocation, or 0 */
};

/*
 * What was allocated at one stack over the whole trace. The bytes live at the peak are
 * kept lazily: a site copies live_bytes into at_peak before its first change after a new
 * peak (epoch tells whether it did), so every event costs O(1); replay_sites finishes it.
 */
struct replay_site {
    uint64_t bytes;      /* sum of requested sizes (a realloc counts its new size) */
    uint64_t blocks;     /* allocation calls */
    uint64_t live_bytes; /* requested bytes of its blocks live now */
    uint64_t at_peak;    /* its live bytes when the peak was last reached (see epoch) */
    uint64_t epoch;      /* the peak_epoch at_peak belongs to */
    uint64_t temporary;  /* blocks freed before any other allocation happened */
};

/*
 * Blocks still live at the end that share one allocation stack and leak class, and for
 * indirectly lost blocks, the allocation stack of the definitely lost blocks holding them.
 */
struct replay_group {
    uint32_t stack;  /* allocation stack id (TRACE_STACK_NONE included) */
    uint32_t leak_class; /* enum trace_leak_class, 0 when no scan classified them */
    uint64_t bytes;  /* sum of requested sizes */
    uint64_t blocks; /* number of blocks */
    int held;        /* indirectly lost and held by definitely lost blocks at holder_stack */
    uint32_t holder_stack;
    uint64_t peak_bytes; /* replay_sites: bytes of the site live at the peak */
    uint64_t temporary;  /* replay_sites: temporary blocks (struct replay_site) */
};

void replay_init(struct replay *r);
void replay_fini(struct replay *r);

/*
 * A block of size bytes was allocated at ptr by stack with kind. A ptr still live means a
 * free was missed: the old block is dropped and counted in sum.implicit_frees. ptr 0 is
 * ignored. 0, or -ENOMEM.
 */
int replay_alloc(struct replay *r, uint64_t ptr, uint64_t size, uint32_t stack, unsigned kind);

/*
 * ptr was released by stack; a ptr not live is counted in sum.unknown_frees. With
 * track_freed, the block is remembered (replay_freed, until an allocation reuses the
 * address) so that a later error can name its allocation and release. 0, or -ENOMEM.
 */
int replay_free(struct replay *r, uint64_t ptr, uint32_t stack);

/*
 * Event record h (ALLOC, FREE or REALLOC; others are ignored) will be replayed soon: start
 * loading the table slots of its addresses. A replay of a live set larger than the cache
 * otherwise waits on memory at nearly every event.
 */
void replay_expect(const struct replay *r, const struct trace_rec_hdr *h);

/* Bytes of tables from which replay_expect pays for itself (about a core's L2 cache). */
#define REPLAY_EXPECT_BYTES (1u << 20)

/* 1 when the tables an event touches are REPLAY_EXPECT_BYTES or more. */
static inline int replay_expect_pays(const struct replay *r)
{
    size_t bytes = r->live.cap * r->live.stride;
    if (r->track_freed)
        bytes += r->freed.cap * r->freed.stride;
    return bytes >= REPLAY_EXPECT_BYTES;
}

/* The live block starting at ptr, or NULL. */
const struct replay_block *replay_live(const struct replay *r, uint64_t ptr);

/*
 * The block last released at ptr when no allocation reused the address since: 1 and *out
 * (size, stack, kind, free_stack; no leak class), else 0 (always 0 without track_freed).
 */
int replay_freed(const struct replay *r, uint64_t ptr, struct replay_block *out);

/*
 * The live block that contains addr (start <= addr < start + size, or addr == start for
 * an empty block), its start in *start; NULL if none. A linear scan: for rare questions.
 */
const struct replay_block *replay_containing(const struct replay *r, uint64_t addr,
                                             uint64_t *start);

/*
 * Take the live block at ptr out of the live set without counting a release (a pool's
 * superblock, pools.h), copying it to *old. 1 if it was live, else 0.
 */
int replay_set_apart(struct replay *r, uint64_t ptr, struct replay_block *old);

/*
 * old_ptr was resized to size at new_ptr (0: the call failed, old_ptr stays live). Counts
 * one allocation, and one free when old_ptr was live. 0, or -ENOMEM.
 */
int replay_realloc(struct replay *r, uint64_t old_ptr, uint64_t new_ptr, uint64_t size,
                   uint32_t stack);

/*
 * One record of a leak scan: LEAKSCAN_FIRST forgets the classes of an earlier scan; each
 * entry classifies the live block it names (entries for blocks no longer live are
 * ignored), and in a LEAKSCAN_GROUPED scan an indirect entry is held by the definite
 * entry before it; LEAKSCAN_LAST marks the scan complete.
 */
void replay_leakscan(struct replay *r, const struct trace_rec_leakscan *rec);

/*
 * Group the live blocks by allocation stack and leak class into a malloc'd array (*out,
 * *n; unordered). 0, or -ENOMEM.
 */
int replay_leaks(struct replay *r, struct replay_group **out, size_t *n);

/* The sites (track_sites) as groups of leak class 0 in a malloc'd array (*out, *n;
 * unordered), with peak_bytes and temporary. 0, or -ENOMEM. */
int replay_sites(struct replay *r, struct replay_group **out, size_t *n);

#endif
