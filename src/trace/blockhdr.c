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

/*
 * Each word is keyed and multiplied by its own odd constant (a bijection), the products
 * summed and the sum mixed once: a change of any one word always changes the check, of
 * several words all but by chance (2^-64). Two multiplies fewer than mixing every word,
 * and this runs on every allocation and release.
 */
uint64_t blockhdr_check(const struct blockhdr *h, uint64_t user, uint64_t secret)
{
    uint64_t w0, w1;
    memcpy(&w0, h, sizeof(w0));
    memcpy(&w1, (const char *)h + 8, sizeof(w1));
    uint64_t x = (w0 ^ secret) * 0x9e3779b97f4a7c15ull + (w1 ^ user) * 0xc2b2ae3d27d4eb4full +
                 (h->size ^ (user + secret)) * 0x165667b19e3779f9ull;
    return mix(x ^ secret);
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
