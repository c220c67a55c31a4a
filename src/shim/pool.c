/*
 * The exported pool annotations (pool.h). Each records one event and returns: the pool's
 * blocks, double and foreign frees are the analyzer's business (src/analyze/pools.c), so
 * nothing here looks anything up, and a call costs what a recorded malloc costs (a stack,
 * a ring record). Like the allocator entry points, a call is one safe point of the
 * stop-the-world (its record must not stay reserved while the world is stopped), saves
 * errno, and records nothing while heapwise itself runs. The names are written in
 * parentheses: heapwise.h defines function-like macros of the same names.
 */
#include "config.h"

#include "shim/pool.h"

#include <errno.h>
#include <string.h>

#include "heapwise.h"
#include "shim/pooltab.h"
#include "shim/record.h"
#include "shim/shim.h"
#include "shim/stack.h"
#include "shim/stopworld.h"

static struct pooltab pools; /* live pools, for a forked child's trace */

/* Start one annotation: 1 when it is recorded (then pair with end()), else 0. */
static int begin(int *saved)
{
    stopworld_enter();
    if (shim_may_record()) {
        *saved = errno;
        return 1;
    }
    stopworld_leave();
    return 0;
}

static void end(int saved)
{
    errno = saved;
    stopworld_leave();
}

HW_EXPORT void(heapwise_pool_create)(void *pool, const char *name)
{
    int saved;
    if (!begin(&saved))
        return;
    uint32_t len = name ? (uint32_t)strnlen(name, TRACE_POOL_NAME_MAX) : 0;
    uint32_t stack = stack_capture();
    record_pool_create(pool, name, len, stack, 0);
    (void)pooltab_add(&pools, (uintptr_t)pool, name, len, stack); /* full: not inherited */
    end(saved);
}

HW_EXPORT void(heapwise_pool_alloc)(void *pool, void *ptr, size_t size)
{
    int saved;
    if (!ptr || !begin(&saved))
        return;
    record_pool(TRACE_REC_POOL_ALLOC, pool, ptr, size, stack_capture());
    end(saved);
}

HW_EXPORT void(heapwise_pool_free)(void *pool, void *ptr)
{
    int saved;
    if (!ptr || !begin(&saved))
        return;
    uint32_t stack = shim_options.free_stacks ? stack_capture() : TRACE_STACK_NONE;
    record_pool(TRACE_REC_POOL_FREE, pool, ptr, 0, stack);
    end(saved);
}

HW_EXPORT void(heapwise_pool_destroy)(void *pool)
{
    int saved;
    if (!begin(&saved))
        return;
    record_pool(TRACE_REC_POOL_DESTROY, pool, NULL, 0, stack_capture());
    pooltab_remove(&pools, (uintptr_t)pool);
    end(saved);
}

static void announce(uintptr_t pool, const char *name, uint32_t name_len, uint32_t stack, void *arg)
{
    (void)arg;
    record_pool_create((const void *)pool, name, name_len, stack, TRACE_POOL_INHERITED);
}

void pool_record_inherited(void)
{
    pooltab_each(&pools, announce, NULL);
}
