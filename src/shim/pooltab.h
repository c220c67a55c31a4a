/*
 * The pools a process has live, kept for one purpose: a forked child's trace starts
 * empty, so the pools its parent created must be announced again in it (as inherited)
 * or every use of them there would look like a use of an unknown pool. Everything else
 * about pools (their blocks, double and foreign frees) is judged by the analyzer from the
 * trace. A fixed table of slots claimed with compare-and-swap: no lock, no allocation,
 * safe after fork; the caller owns the struct (zero-initialised, e.g. static).
 */
#ifndef HEAPWISE_SHIM_POOLTAB_H
#define HEAPWISE_SHIM_POOLTAB_H

#include <stdatomic.h>
#include <stdint.h>

#include "trace/format.h"

/* Pools remembered at once; a pool created while the table is full is not remembered. */
#define POOLTAB_SLOTS 256
/* Slot.pool of a slot claimed by a create still filling it in. */
#define POOLTAB_CLAIMED ((uintptr_t)1)

struct pooltab_slot {
    _Atomic uintptr_t pool;         /* the pool's handle; 0 free, POOLTAB_CLAIMED filling */
    uint32_t stack;                 /* stack id of its creation */
    uint32_t name_len;              /* bytes of name */
    char name[TRACE_POOL_NAME_MAX]; /* the name as recorded, no NUL */
};

struct pooltab {
    struct pooltab_slot slots[POOLTAB_SLOTS];
};

/*
 * Remember pool with the first name_len (<= TRACE_POOL_NAME_MAX) bytes of name and its
 * creation stack. 0; -EINVAL for the handles 0 and POOLTAB_CLAIMED (not remembered: the
 * analyzer judges a NULL pool invalid anyway); -ENOSPC when every slot is taken.
 */
int pooltab_add(struct pooltab *t, uintptr_t pool, const char *name, uint32_t name_len,
                uint32_t stack);

/* Forget one slot of pool (a destroyed pool); nothing happens for a pool not remembered. */
void pooltab_remove(struct pooltab *t, uintptr_t pool);

/*
 * Call fn for every pool remembered, in slot order. Pools added or removed meanwhile by
 * other threads may or may not be visited (a forked child has no other thread).
 */
void pooltab_each(const struct pooltab *t,
                  void (*fn)(uintptr_t pool, const char *name, uint32_t name_len, uint32_t stack,
                             void *arg),
                  void *arg);

#endif
