/*
 * Guard header arithmetic (blockhdr.h): the check word and the canary bytes. Shared by
 * the shim, which writes and verifies them on every allocation and release, and the
 * analyzer, which recomputes what a damaged header should have held.
 */
#include "trace/blockhdr.h"

#include <string.h>

/* A 64-bit finaliser (splitmix64's): every input bit affects every output bit. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t blockhdr_check(const struct blockhdr *h, uint64_t user, uint64_t secret)
{
    uint64_t w0, w1;
    memcpy(&w0, h, sizeof(w0));
    memcpy(&w1, (const char *)h + 8, sizeof(w1));
    uint64_t x = mix(user ^ secret);
    x = mix(x ^ w0);
    x = mix(x ^ w1);
    return mix(x ^ h->size);
}

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

int blockhdr_intact(const struct blockhdr *h, uint64_t user, uint64_t secret)
{
    if (h->magic != BLOCKHDR_MAGIC || (h->state != BLOCK_LIVE && h->state != BLOCK_FREED))
        return 0;
    return h->check == blockhdr_check(h, user, secret);
}

void blockhdr_canary(uint64_t user, uint64_t secret, uint8_t out[BLOCKHDR_CANARY])
{
    uint64_t c = mix(user + secret) | 0x0101010101010101ull; /* no zero byte: a stray NUL shows */
    memcpy(out, &c, BLOCKHDR_CANARY);
}
