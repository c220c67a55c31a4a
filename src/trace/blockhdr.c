/*
 * Guard header encoding (blockhdr.h; the check word and the canary bytes are inline there).
 * Shared by the shim, which writes headers on every allocation and release, and the
 * analyzer, which recomputes what a damaged header should have held.
 */
#include "trace/blockhdr.h"

#include <string.h>

void blockhdr_encode(struct blockhdr *h, uint64_t user, uint64_t size, unsigned kind,
                     unsigned state, uint32_t base_off, uint32_t alloc_stack,
                     uint32_t free_stack, uint64_t secret)
{
    h->base_off = base_off;
    h->kind = (uint8_t)kind;
    h->state = (uint8_t)state;
    h->magic = BLOCKHDR_MAGIC;
    h->alloc_stack = alloc_stack;
    h->free_stack = free_stack;
    h->size = size;
    h->check = blockhdr_check(h, user, secret);
}
