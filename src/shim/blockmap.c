/*
 * The block map's radix tree (see blockmap.h). Owns the lazy mapping of its levels: a
 * thread that finds a level missing maps one, installs it with a CAS and, if another
 * thread won, unmaps its own. Levels are never freed. Must not lock or malloc.
 */
#include "config.h"

#include "shim/blockmap.h"

#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>

#define L3_SHIFT 4
#define L2_SHIFT (L3_SHIFT + BLOCKMAP_L3_BITS)
#define L1_SHIFT (L2_SHIFT + BLOCKMAP_L2_BITS)

static void *map_level(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The pointer in *slot, mapping and installing a zeroed level of `bytes` if missing. */
static void *get_or_map(void *_Atomic *slot, size_t bytes)
{
    void *cur = atomic_load_explicit(slot, memory_order_acquire);
    if (cur)
        return cur;
    void *fresh = map_level(bytes);
    if (!fresh)
        return NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &cur, fresh, memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    munmap(fresh, bytes); /* another thread installed one first: use it */
    return cur;
}

static int addr_ok(uintptr_t addr)
{
    return (addr >> BLOCKMAP_ADDR_BITS) == 0 && (addr & (BLOCKMAP_GRANULE - 1)) == 0;
}

/* The l3 level holding addr (mapping levels when `create`), or NULL. */
static struct blockmap_l3 *find(const struct blockmap *m, uintptr_t addr, int create)
{
    struct blockmap *mm = (struct blockmap *)m;
    void *_Atomic *s1 = (void *_Atomic *)&mm->l1[addr >> L1_SHIFT];
    struct blockmap_l2 *l2 = create ? get_or_map(s1, sizeof(struct blockmap_l2))
                                    : atomic_load_explicit(s1, memory_order_acquire);
    if (!l2)
        return NULL;
    void *_Atomic *s2 = (void *_Atomic *)&l2->l3[(addr >> L2_SHIFT) & (BLOCKMAP_L2_SIZE - 1)];
    return create ? get_or_map(s2, sizeof(struct blockmap_l3))
                  : atomic_load_explicit(s2, memory_order_acquire);
}

static uint64_t bit_index(uintptr_t addr)
{
    return (addr >> L3_SHIFT) & ((1u << BLOCKMAP_L3_BITS) - 1);
}

int blockmap_set(struct blockmap *m, uintptr_t addr)
{
    if (!addr_ok(addr))
        return -EINVAL;
    struct blockmap_l3 *l3 = find(m, addr, 1);
    if (!l3)
        return -ENOMEM;
    uint64_t i = bit_index(addr);
    atomic_fetch_or_explicit(&l3->bits[i / 64], 1ull << (i % 64), memory_order_release);
    return 0;
}

void blockmap_clear(struct blockmap *m, uintptr_t addr)
{
    if (!addr_ok(addr))
        return;
    struct blockmap_l3 *l3 = find(m, addr, 0);
    if (!l3)
        return;
    uint64_t i = bit_index(addr);
    atomic_fetch_and_explicit(&l3->bits[i / 64], ~(1ull << (i % 64)), memory_order_release);
}

int blockmap_test(const struct blockmap *m, uintptr_t addr)
{
    if (!addr_ok(addr))
        return 0;
    struct blockmap_l3 *l3 = find(m, addr, 0);
    if (!l3)
        return 0;
    uint64_t i = bit_index(addr);
    return (atomic_load_explicit(&l3->bits[i / 64], memory_order_acquire) >> (i % 64)) & 1;
}

void blockmap_prefetch(const struct blockmap *m, uintptr_t addr)
{
    if (!addr_ok(addr))
        return;
    struct blockmap_l3 *l3 = find(m, addr, 0);
    if (l3)
        __builtin_prefetch(&l3->bits[bit_index(addr) / 64], 1);
}

static void each_l3(struct blockmap_l3 *l3, uintptr_t start, void (*fn)(uintptr_t, void *),
                    void *arg)
{
    for (uint64_t w = 0; w < BLOCKMAP_L3_WORDS; w++) {
        uint64_t bits = atomic_load_explicit(&l3->bits[w], memory_order_acquire);
        while (bits) {
            unsigned b = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            fn(start + ((w * 64 + b) << L3_SHIFT), arg);
        }
    }
}

void blockmap_each(const struct blockmap *m, void (*fn)(uintptr_t addr, void *arg), void *arg)
{
    for (uintptr_t i = 0; i < BLOCKMAP_L1_SIZE; i++) {
        struct blockmap_l2 *l2 = atomic_load_explicit(&m->l1[i], memory_order_acquire);
        if (!l2)
            continue;
        for (uintptr_t j = 0; j < BLOCKMAP_L2_SIZE; j++) {
            struct blockmap_l3 *l3 = atomic_load_explicit(&l2->l3[j], memory_order_acquire);
            if (l3)
                each_l3(l3, (i << L1_SHIFT) | (j << L2_SHIFT), fn, arg);
        }
    }
}
