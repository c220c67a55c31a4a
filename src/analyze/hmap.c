/*
 * Open-addressing hash table (hmap.h). Owns only its two arrays; knows nothing of traces.
 * Load factor stays at or below one half; deletion shifts later members of the probe run
 * back so lookups never need tombstones.
 */
#include "analyze/hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Slots of a table's first allocation. */
#define HMAP_MIN_CAP 16

static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL; /* murmur3 finaliser: spreads aligned addresses */
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

static void *value_at(const struct hmap *m, size_t i)
{
    return m->values + i * m->value_size;
}

void hmap_init(struct hmap *m, size_t value_size)
{
    memset(m, 0, sizeof(*m));
    m->value_size = value_size;
}

void hmap_fini(struct hmap *m)
{
    free(m->keys);
    free(m->values);
    hmap_init(m, m->value_size);
}

static size_t find(const struct hmap *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    for (size_t i = slot_of(key, m->cap);; i = (i + 1) & mask) {
        if (m->keys[i] == key || m->keys[i] == 0)
            return i;
    }
}

void *hmap_get(const struct hmap *m, uint64_t key)
{
    if (m->cap == 0 || key == 0)
        return NULL;
    size_t i = find(m, key);
    return m->keys[i] == key ? value_at(m, i) : NULL;
}

static int grow(struct hmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : HMAP_MIN_CAP;
    struct hmap bigger = {.value_size = m->value_size, .cap = cap};
    bigger.keys = calloc(cap, sizeof(*bigger.keys));
    bigger.values = calloc(cap, m->value_size);
    if (!bigger.keys || !bigger.values) {
        free(bigger.keys);
        free(bigger.values);
        errno = ENOMEM;
        return -ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == 0)
            continue;
        size_t j = find(&bigger, m->keys[i]);
        bigger.keys[j] = m->keys[i];
        memcpy(value_at(&bigger, j), value_at(m, i), m->value_size);
    }
    bigger.count = m->count;
    free(m->keys);
    free(m->values);
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
    int fresh = m->keys[i] == 0;
    if (fresh) {
        m->keys[i] = key;
        memset(value_at(m, i), 0, m->value_size);
        m->count++;
    }
    if (created)
        *created = fresh;
    return value_at(m, i);
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
    if (m->keys[hole] != key)
        return 0;
    if (old)
        memcpy(old, value_at(m, hole), m->value_size);
    for (size_t j = (hole + 1) & mask; m->keys[j] != 0; j = (j + 1) & mask) {
        if (!may_move(slot_of(m->keys[j], m->cap), hole, j))
            continue;
        m->keys[hole] = m->keys[j];
        memcpy(value_at(m, hole), value_at(m, j), m->value_size);
        hole = j;
    }
    m->keys[hole] = 0;
    m->count--;
    return 1;
}

void *hmap_next(const struct hmap *m, size_t *pos, uint64_t *key)
{
    for (; *pos < m->cap; (*pos)++) {
        if (m->keys[*pos] == 0)
            continue;
        if (key)
            *key = m->keys[*pos];
        return value_at(m, (*pos)++);
    }
    return NULL;
}
