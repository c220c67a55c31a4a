/*
 * The recording half of every allocation entry point, shared by the C (interpose.c) and
 * C++ (interpose_cxx.c) wrappers: decide whether a call is recorded, pick its kind and
 * stack (consuming a pending operator new), and push ALLOC/FREE after or before the real
 * call as the trace's ordering contract requires (format.h, ALLOC after success, FREE
 * before the block can be reused).
 */
#ifndef HEAPWISE_SHIM_ALLOC_H
#define HEAPWISE_SHIM_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* What alloc_enter decided for one call. */
struct alloc_call {
    int record;       /* 1: push ALLOC when the real call succeeds */
    int from_pending; /* 1: kind and stack come from an enclosing operator new */
    unsigned kind;    /* enum trace_kind; TRACE_KIND_NONE when not recording */
    uint32_t stack;   /* stack id; TRACE_STACK_NONE when not recording */
    size_t size;      /* bytes the program asked for (recorded, and the guard header's size) */
};

/*
 * Before the real allocation of n bytes: fill c (capturing the stack if recording). The
 * kind of a block not recorded is unknown (it may be the malloc under an operator new).
 */
void alloc_enter(struct alloc_call *c, unsigned kind, size_t n);

/*
 * After it: push ALLOC of p (nothing if p is NULL or c->record is 0). Preserves errno.
 * alloc_enter and alloc_leave bracket one allocator call for the stop-the-world's safe
 * points (stopworld_enter/leave): call alloc_leave exactly once after alloc_enter.
 */
void alloc_leave(const struct alloc_call *c, const void *p, size_t n);

/*
 * Before releasing p (non-NULL, not an arena block): push FREE by `kind` if recording.
 * Returns the stack id of the FREE (TRACE_STACK_NONE when none was captured).
 */
uint32_t alloc_free(unsigned kind, const void *p);

#endif
