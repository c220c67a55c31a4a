/*
 * Recording decisions for the entry points (see alloc.h). Owns the hand-over from an
 * operator new wrapper to the malloc that libstdc++ calls under it: the pending kind is
 * consumed only by an allocation whose size fits the pending request and only when that
 * allocation succeeds, so a new_handler retry still gets the C++ kind and the exception
 * object of std::bad_alloc does not. Never allocates; preserves errno.
 */
#include "config.h"

#include "shim/alloc.h"

#include <errno.h>

#include "shim/record.h"
#include "shim/shim.h"
#include "shim/stack.h"
#include "shim/stopworld.h"

void alloc_enter(struct alloc_call *c, unsigned kind, size_t n)
{
    struct shim_thread *t = &shim_tls;
    stopworld_enter();
    c->from_pending = 0;
    c->size = n;
    c->record = shim_alloc_may_record();
    if (!c->record) {
        c->kind = TRACE_KIND_NONE;
        c->stack = TRACE_STACK_NONE;
        return;
    }
    if (t->pending_kind != PENDING_NONE && n >= t->pending_lo && n <= t->pending_hi) {
        c->from_pending = 1;
        c->kind = t->pending_kind;
        c->stack = t->pending_stack;
        c->size = t->pending_size;
        return;
    }
    c->kind = kind;
    c->stack = stack_capture();
}

void alloc_leave(const struct alloc_call *c, const void *p, size_t n)
{
    (void)n;
    struct shim_thread *t = &shim_tls;
    int saved = errno;
    if (c->record && p) {
        if (c->from_pending)
            t->pending_kind = PENDING_NONE;
        if (t->in_new)
            t->new_recorded = (uintptr_t)p;
        record_alloc(c->kind, p, c->size, c->stack);
    }
    stopworld_leave();
    errno = saved;
}

uint32_t alloc_free(unsigned kind, const void *p)
{
    if (!shim_may_record())
        return TRACE_STACK_NONE;
    uint32_t stack = shim_options.free_stacks ? stack_capture() : TRACE_STACK_NONE;
    record_free(kind, p, stack);
    return stack;
}
