/*
 * Open-addressing hash table (hmap.h). Owns only its slot array; knows nothing of traces.
 * Load factor stays at or below one half; deletion shifts later members of the probe run
 * back so lookups never need tombstones.
 */
#include "analyze/hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Slots of a table's first allocation. */
#define HMAP_MIN_CAP 16
/* Bytes of the key at the start of every slot (values follow, 8-aligned). */
#define KEY_BYTES sizeof(uint64_t)

static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL; /* murmur3 finaliser: spreads aligned addresses */
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

/*
 * memcpy of n bytes: the slot and value sizes of the replay's live table (40 and 32) are
 * copied inline, as a call to memcpy for them cost more than the copy on every free.
 */
static inline void copy(void *dst, const void *src, size_t n)
{
    if (n == 32)
        __builtin_memcpy(dst, src, 32);
    else if (n == 40)
        __builtin_memcpy(dst, src, 40);
    else
        memcpy(dst, src, n);
}

/* memset of n bytes to 0, inline for the live table's values as in copy(). */
static inline void zero(void *dst, size_t n)
{
    if (n == 32)
        __builtin_memset(dst, 0, 32);
    else
        memset(dst, 0, n);
}

static uint64_t *key_at(const struct hmap *m, size_t i)
{
    return (uint64_t *)(void *)(m->slots + i * m->stride);
}

static void *value_at(const struct hmap *m, size_t i)
{
    return m->slots + i * m->stride + KEY_BYTES;
}

/*
 * Tables from this size on get a mapping of their own, aligned to it and marked for
 * transparent huge pages: the replay's freed table (one slot per address the heap ever
 * released, hundreds of thousands) spans thousands of 4 KiB pages, and a TLB miss on each
 * of its random accesses cost a tenth of a report's time.
 */
#define HUGE_BYTES (2u << 20)

/* Bytes of the mapping of a table of `bytes` (>= HUGE_BYTES): whole pages. */
static size_t mapped_size(size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (bytes + page - 1) / page * page;
}

/* bytes of zeroed memory for slots; NULL when out of memory. */
static void *slots_alloc(size_t bytes)
{
    if (bytes < HUGE_BYTES)
        return calloc(1, bytes);
    size_t len = mapped_size(bytes);
    char *p =
        mmap(NULL, len + HUGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    char *start = (char *)(((uintptr_t)p + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
    if (start > p)
        munmap(p, (size_t)(start - p));
    munmap(start + len, (size_t)(p + HUGE_BYTES - start));
    madvise(start, len, MADV_HUGEPAGE); /* a hint: without it the table only runs slower */
    return start;
}

static void slots_free(void *slots, size_t bytes)
{
    if (bytes < HUGE_BYTES)
        free(slots);
    else if (slots)
        munmap(slots, mapped_size(bytes));
}

void hmap_init(struct hmap *m, size_t value_size)
{
    memset(m, 0, sizeof(*m));
    m->value_size = value_size;
    m->stride = KEY_BYTES + (value_size + KEY_BYTES - 1) / KEY_BYTES * KEY_BYTES;
}

void hmap_fini(struct hmap *m)
{
    slots_free(m->slots, m->cap * m->stride);
    hmap_init(m, m->value_size);
}

/* The slot of key, or the empty slot ending its probe run. Inlined: every call pays. */
static inline __attribute__((always_inline)) size_t find(const struct hmap *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    for (size_t i = slot_of(key, m->cap);; i = (i + 1) & mask) {
        uint64_t k = *key_at(m, i);
        if (k == key || k == 0)
            return i;
    }
}

void *hmap_get(const struct hmap *m, uint64_t key)
{
    if (m->cap == 0 || key == 0)
        return NULL;
    size_t i = find(m, key);
    return *key_at(m, i) == key ? value_at(m, i) : NULL;
}

/* Double the table (or make its first one), keeping every slot's key and value. */
static int grow(struct hmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : HMAP_MIN_CAP;
    struct hmap bigger = *m;
    bigger.cap = cap;
    if (!(bigger.slots = slots_alloc(cap * m->stride))) {
        errno = ENOMEM;
        return -ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (*key_at(m, i) != 0)
            memcpy(key_at(&bigger, find(&bigger, *key_at(m, i))), key_at(m, i), m->stride);
    }
    slots_free(m->slots, m->cap * m->stride);
    *m = bigger;
    return 0;
}

void *hmap_put(struct hmap *m, uint64_t key, int *created)
{
    if (key == 0) {
        errno = EINVAL;
        return NULL;
    }
    if ((m->count + 1) * 2 > m->cap && grow(m) < 0)
        return NULL;
    size_t i = find(m, key);
    int fresh = *key_at(m, i) == 0;
    if (fresh) {
        *key_at(m, i) = key;
        zero(value_at(m, i), m->value_size);
        m->count++;
    }
    if (created)
        *created = fresh;
    return value_at(m, i);
}

void hmap_prefetch(const struct hmap *m, uint64_t key)
{
    if (m->cap)
        __builtin_prefetch(key_at(m, slot_of(key, m->cap)), 1);
}

/* Is slot `home` cyclically outside (hole, j]? Then the member at j may move into hole. */
static int may_move(size_t home, size_t hole, size_t j)
{
    if (hole <= j)
        return home <= hole || home > j;
    return home <= hole && home > j;
}

int hmap_remove(struct hmap *m, uint64_t key, void *old)
{
    if (m->cap == 0 || key == 0)
        return 0;
    size_t hole = find(m, key), mask = m->cap - 1;
    if (*key_at(m, hole) != key)
        return 0;
    if (old)
        copy(old, value_at(m, hole), m->value_size);
    for (size_t j = (hole + 1) & mask; *key_at(m, j) != 0; j = (j + 1) & mask) {
        if (!may_move(slot_of(*key_at(m, j), m->cap), hole, j))
            continue;
        copy(key_at(m, hole), key_at(m, j), m->stride);
        hole = j;
    }
    *key_at(m, hole) = 0;
    m->count--;
    return 1;
}

void *hmap_next(const struct hmap *m, size_t *pos, uint64_t *key)
{
    for (; *pos < m->cap; (*pos)++) {
        if (*key_at(m, *pos) == 0)
            continue;
        if (key)
            *key = *key_at(m, *pos);
        return value_at(m, (*pos)++);
    }
    return NULL;
}
