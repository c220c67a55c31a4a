/*
 * The table of live pools (pooltab.h). A create claims a free slot (0 -> CLAIMED), fills
 * it, then publishes the handle with a release store; a destroy gives the slot back with
 * a compare-and-swap from the handle, so two threads never free the same slot. Pure:
 * atomics and plain stores only.
 */
#include "shim/pooltab.h"

#include <errno.h>
#include <string.h>

int pooltab_add(struct pooltab *t, uintptr_t pool, const char *name, uint32_t name_len,
                uint32_t stack)
{
    if (pool == 0 || pool == POOLTAB_CLAIMED)
        return -EINVAL;
    for (size_t i = 0; i < POOLTAB_SLOTS; i++) {
        struct pooltab_slot *s = &t->slots[i];
        uintptr_t expected = 0;
        if (atomic_load_explicit(&s->pool, memory_order_relaxed) != 0 ||
            !atomic_compare_exchange_strong(&s->pool, &expected, POOLTAB_CLAIMED))
            continue;
        s->stack = stack;
        s->name_len = name_len;
        memcpy(s->name, name, name_len);
        atomic_store_explicit(&s->pool, pool, memory_order_release);
        return 0;
    }
    return -ENOSPC;
}

void pooltab_remove(struct pooltab *t, uintptr_t pool)
{
    for (size_t i = 0; i < POOLTAB_SLOTS; i++) {
        uintptr_t expected = pool;
        if (atomic_compare_exchange_strong(&t->slots[i].pool, &expected, 0))
            return;
    }
}

void pooltab_each(const struct pooltab *t,
                  void (*fn)(uintptr_t pool, const char *name, uint32_t name_len, uint32_t stack,
                             void *arg),
                  void *arg)
{
    for (size_t i = 0; i < POOLTAB_SLOTS; i++) {
        const struct pooltab_slot *s = &t->slots[i];
        uintptr_t pool = atomic_load_explicit(&s->pool, memory_order_acquire);
        if (pool != 0 && pool != POOLTAB_CLAIMED)
            fn(pool, s->name, s->name_len, s->stack, arg);
    }
}
