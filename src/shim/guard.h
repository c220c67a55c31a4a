/*
 * The block guard: every block heapwise hands out (bootstrap arena blocks excepted)
 * carries the header of src/trace/blockhdr.h before its user bytes and a canary after
 * them, and is marked in the block map; releases are checked against both before the
 * real allocator sees anything, and released blocks wait in the quarantine, filled with
 * a pattern. Errors become ERROR records (and an abort when abort_on_error is set); the
 * program itself never sees a difference. Nothing here locks; nothing mallocs but the
 * blocks themselves.
 *
 *   base = real_malloc(size + 32 + 8 [+ align])
 *   |<- pad (aligned only) ->|<- struct blockhdr ->|<- user: size ->|<- canary 8 ->|
 *                                                  ^ user pointer, marked in the block map
 */
#ifndef HEAPWISE_SHIM_GUARD_H
#define HEAPWISE_SHIM_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "shim/alloc.h"
#include "shim/shim.h"

/* 1 while new blocks get headers (the `guard` option; 1 before options are read). */
extern int guard_enabled;

/* 1 when this allocation gets a guarded block (not while dlsym runs: arena). */
static inline int guard_active(void)
{
    return likely(guard_enabled) && likely(shim_tls.in_dlsym == 0);
}

/*
 * Apply the options (init.c, once): guard on/off for new blocks, the quarantine budget
 * in bytes (0: release at once), abort_on_error. Blocks guarded before stay recognised.
 */
void guard_configure(int on, uint64_t quarantine_bytes, int abort_on_error);

/* The per-process key of headers and canaries (made on first use, never 0). */
uint64_t guard_secret(void);

/*
 * A guarded block of c->size user bytes (c->size <= n; n is what the program asked the
 * entry point for), aligned to `align` (0 or <= 16: malloc's 16; otherwise rounded up to
 * a power of two), zero-filled when `zero`. The header takes kind and stack from c.
 * NULL with errno ENOMEM on overflow or when the real allocator fails.
 */
void *guard_alloc(const struct alloc_call *c, size_t n, size_t align, int zero);

/*
 * free()/operator delete of non-NULL, non-arena p by deallocation function `kind`:
 * checks (invalid, header, double, mismatched, overflow), FREE record, quarantine.
 * A pointer that is not ours and not guarded (guard off, foreign new) goes to real_free.
 * errno may change: callers save it.
 */
void guard_free(void *p, unsigned kind);

/* realloc of non-NULL, non-arena p (whole semantics, including n == 0 and the records). */
void *guard_realloc(void *p, size_t n);

/* malloc_usable_size of non-NULL, non-arena p: our block's size; 0 for what is not ours. */
size_t guard_usable_size(void *p);

/* An operator new returned p: remember it if the next allocator made it without our malloc. */
void guard_note_new(void *p);

/* Exit check: verify every block still marked (headers, canaries, fill patterns). */
void guard_exit_check(void);

/*
 * The checkpoint epoch of `user` (guard_checkpoint calls made before its allocation)
 * when it is a live guarded block with an intact header whose allocation was recorded
 * (its kind is not TRACE_KIND_NONE: not made inside heapwise or before init); else -1.
 * A block whose header was damaged (a heap error) and that the quarantine does not hold
 * is live too, as the trace says: 0, its recording assumed, its stack unknown (0).
 * Its allocation's stack id into *alloc_stack when that is not NULL and the answer is >= 0.
 * Walks the quarantine for a damaged block: for scans and the exit, not hot paths.
 */
int64_t guard_live_epoch(uintptr_t user, uint32_t *alloc_stack);

/*
 * heapwise_checkpoint: start a new epoch and return its number (1, 2, ...; it stays at
 * UINT32_MAX once there). Blocks allocated from now on carry it in their header.
 */
uint32_t guard_checkpoint(void);

/*
 * Call fn(user, size, arg) for every block whose header is intact and LIVE, and for every
 * block whose header is damaged (with the size it can be trusted with: its size word when
 * the real allocator's chunk has room for it, else that room, or 0), in address order;
 * quarantined and freed blocks are skipped. Reads only headers the block map vouches
 * for; never allocates.
 */
void guard_each_live(void (*fn)(uintptr_t user, uint64_t size, void *arg), void *arg);

/*
 * In a forked child before its trace starts (one thread): blocks other parent threads
 * were releasing at the fork are taken as released (they did not survive to finish), a
 * freed block whose fill pattern was being written is forgotten, and the quarantine
 * starts empty. Without this the child would report those blocks as corrupted.
 */
void guard_fork_child(void);

/*
 * Push an ALLOC record for every live block whose allocation was recorded (its kind,
 * requested size and allocation stack from its header): a forked child's new trace
 * starts with the blocks it inherited.
 */
void guard_record_live(void);

#endif
