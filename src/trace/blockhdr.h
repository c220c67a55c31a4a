/*
 * The guard header of every block heapwise hands out, and its trailing canary: the byte
 * layout the shim writes (src/shim/guard.c) and the analyzer reproduces to explain a
 * corruption (the bytes it expected next to those the shim found). Pure arithmetic on
 * memory the caller owns: no allocation, no I/O, usable inside an allocator.
 *
 *   base (from the real allocator)
 *   |<- pad: aligned blocks only ->|
 *                                  +------------------ 32 bytes ------------------+
 *                                  | base_off u32 | kind u8 | state u8 | magic u16 |
 *                                  | alloc_stack u32        | free_stack u32 (*)  |
 *                                  | size u64  (the "size word")                  |
 *                                  | check u64 (hash of all of the above + user)  |
 *                                  +----------------------------------------------+
 *                                  user: size bytes                | canary 8 bytes
 *
 * (*) A live block keeps there the checkpoint epoch at its allocation (heapwise_checkpoint
 * calls made before it; 0 when none was), a released block its release stack.
 *
 * The check word sits right before the user pointer, where an underflow lands first; the
 * canary right after the last user byte, where an overflow lands first. Both depend on the
 * user address and a per-process secret, so a header copied elsewhere or left over from an
 * earlier block at the same address does not verify.
 */
#ifndef HEAPWISE_TRACE_BLOCKHDR_H
#define HEAPWISE_TRACE_BLOCKHDR_H

#include <stdint.h>
#include <string.h>

/* Bytes of the header before the user pointer; keeps 16-byte alignment. */
#define BLOCKHDR_SIZE 32
/* Bytes of the canary after the last user byte (not aligned). */
#define BLOCKHDR_CANARY 8
/* Constant in every header: tells our headers from random bytes at a glance. */
#define BLOCKHDR_MAGIC 0x4877 /* "Hw" */

/* Block states; blockhdr.state. */
enum blockhdr_state {
    BLOCK_LIVE = 0xa1,  /* handed out, not released */
    BLOCK_FREED = 0xf4, /* released (in quarantine, or about to be returned) */
};

struct blockhdr {
    uint32_t base_off;    /* user pointer - base pointer of the real allocation */
    uint8_t kind;         /* enum trace_kind of the allocating function */
    uint8_t state;        /* enum blockhdr_state */
    uint16_t magic;       /* BLOCKHDR_MAGIC */
    uint32_t alloc_stack; /* trace stack id of the allocation (0: none) */
    uint32_t free_stack;  /* released: trace stack id of the release (0: none); live: epoch */
    uint64_t size;        /* bytes requested by the program */
    uint64_t check;       /* blockhdr_check() of the fields above */
};

_Static_assert(sizeof(struct blockhdr) == BLOCKHDR_SIZE, "guard header layout");

/* A 64-bit finaliser (splitmix64's): every input bit affects every output bit. */
static inline uint64_t blockhdr_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/*
 * The check word of h (its other fields set) for a block at user address `user`.
 * Each word is keyed and multiplied by its own odd constant (a bijection), the products
 * summed and the sum mixed once: a change of any one word always changes the check, of
 * several words all but by chance (2^-64). Inline (with blockhdr_intact and
 * blockhdr_canary): the shim runs these on every allocation and release.
 */
static inline uint64_t blockhdr_check(const struct blockhdr *h, uint64_t user, uint64_t secret)
{
    uint64_t w0, w1;
    memcpy(&w0, h, sizeof(w0));
    memcpy(&w1, (const char *)h + 8, sizeof(w1));
    uint64_t x = (w0 ^ secret) * 0x9e3779b97f4a7c15ull + (w1 ^ user) * 0xc2b2ae3d27d4eb4full +
                 (h->size ^ (user + secret)) * 0x165667b19e3779f9ull;
    return blockhdr_mix(x ^ secret);
}

/* Fill h for a block at `user`, check word included. */
void blockhdr_encode(struct blockhdr *h, uint64_t user, uint64_t size, unsigned kind,
                     unsigned state, uint32_t base_off, uint32_t alloc_stack,
                     uint32_t free_stack, uint64_t secret);

/* 1 when h is intact for a block at `user`: magic, a known state and the check word. */
static inline int blockhdr_intact(const struct blockhdr *h, uint64_t user, uint64_t secret)
{
    if (h->magic != BLOCKHDR_MAGIC || (h->state != BLOCK_LIVE && h->state != BLOCK_FREED))
        return 0;
    return h->check == blockhdr_check(h, user, secret);
}

/* The 8 canary bytes expected right after the last user byte of the block at `user`. */
static inline void blockhdr_canary(uint64_t user, uint64_t secret, uint8_t out[BLOCKHDR_CANARY])
{
    /* No zero byte: a stray NUL shows. */
    uint64_t c = blockhdr_mix(user + secret) | 0x0101010101010101ull;
    memcpy(out, &c, BLOCKHDR_CANARY);
}

#endif
