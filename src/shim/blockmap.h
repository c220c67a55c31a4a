/*
 * The block map: which addresses are the user pointers of heapwise's blocks (live or in
 * quarantine), so that a free of any pointer at all is judged without reading the memory
 * it points to. One bit per 16-byte granule of the 48-bit user address space, in a
 * three-level radix tree whose lower levels are mmap'd on first use and installed with a
 * CAS. Pure: never locks, never mallocs, safe in a signal handler and after fork; the
 * caller owns the struct (zero-initialised, e.g. static).
 *
 *   address bits  47 .......... 36 | 35 .......... 24 | 23 .............. 4 | 3..0
 *                 l1 index (4096)  | l2 index (4096)  | bit in l3 (2^20)    | 0 (granule)
 *   l1: static array of l2 pointers;  l2: 4096 l3 pointers (32 KiB, mmap'd);
 *   l3: 2^20 bits (128 KiB, mmap'd MAP_NORESERVE: only the pages touched cost memory)
 */
#ifndef HEAPWISE_SHIM_BLOCKMAP_H
#define HEAPWISE_SHIM_BLOCKMAP_H

#include <stdatomic.h>
#include <stdint.h>

/* Bytes of address space one bit stands for (the alignment of every user pointer). */
#define BLOCKMAP_GRANULE 16
/* Address bits covered; higher addresses (the kernel half) are never set. */
#define BLOCKMAP_ADDR_BITS 48
#define BLOCKMAP_L1_BITS 12
#define BLOCKMAP_L2_BITS 12
#define BLOCKMAP_L3_BITS 20 /* 48 - 12 - 12 - 4 */
#define BLOCKMAP_L1_SIZE (1u << BLOCKMAP_L1_BITS)
#define BLOCKMAP_L2_SIZE (1u << BLOCKMAP_L2_BITS)
#define BLOCKMAP_L3_WORDS ((1u << BLOCKMAP_L3_BITS) / 64)

struct blockmap_l3 {
    _Atomic uint64_t bits[BLOCKMAP_L3_WORDS]; /* bit i: granule i of this 16 MiB is a block */
};

struct blockmap_l2 {
    struct blockmap_l3 *_Atomic l3[BLOCKMAP_L2_SIZE]; /* one per 16 MiB, NULL until used */
};

struct blockmap {
    struct blockmap_l2 *_Atomic l1[BLOCKMAP_L1_SIZE]; /* one per 64 GiB, NULL until used */
};

/*
 * Mark `addr` (16-byte aligned, below 2^48) as a block. Returns 0, -EINVAL for an
 * address the map cannot hold, or -ENOMEM when a level could not be mapped.
 */
int blockmap_set(struct blockmap *m, uintptr_t addr);

/* Unmark `addr`; nothing happens for an address that was never set. */
void blockmap_clear(struct blockmap *m, uintptr_t addr);

/* 1 when `addr` is marked; 0 for anything else (any value, never dereferenced). */
int blockmap_test(const struct blockmap *m, uintptr_t addr);

/*
 * Start loading, for writing, the word that holds addr's bit (a hint before a later
 * set or clear). Any value; never faults, never maps a level.
 */
void blockmap_prefetch(const struct blockmap *m, uintptr_t addr);

/*
 * Call fn(addr, arg) for every marked address, in increasing order. Addresses set or
 * cleared meanwhile by other threads may or may not be visited.
 */
void blockmap_each(const struct blockmap *m, void (*fn)(uintptr_t addr, void *arg), void *arg);

#endif
