/*
 * An open-addressing hash table from non-zero 64-bit keys to fixed-size values, used by
 * the analyzer for the live set (address -> block), stack ids and symbol caches. Linear
 * probing with backward-shift deletion, so there are no tombstones and a long replay of
 * allocations and frees never degrades the table. Each value is stored inline next to its
 * key, so a lookup in a table larger than the cache costs one cache miss, not two:
 *
 *   slots: [ key | value (value_size, padded to 8) ][ key | value ] ...   cap slots
 *
 * A pointer returned by hmap_get/hmap_put is valid until the next hmap_put or hmap_remove.
 */
#ifndef HEAPWISE_ANALYZE_HMAP_H
#define HEAPWISE_ANALYZE_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap {
    unsigned char *slots; /* cap * stride bytes; a slot whose key is 0 is empty */
    size_t value_size;    /* bytes per value */
    size_t stride;        /* bytes per slot: the key and the value padded to 8 */
    size_t cap;           /* slots, a power of two, or 0 before the first put */
    size_t count;         /* occupied slots */
};

/* Make an empty table whose values are value_size bytes. Never fails. */
void hmap_init(struct hmap *m, size_t value_size);

/* Release the table's memory; the table is empty and reusable afterwards. */
void hmap_fini(struct hmap *m);

/* The value stored for key (non-zero), or NULL when absent. */
void *hmap_get(const struct hmap *m, uint64_t key);

/*
 * The value slot for key (non-zero), inserting a zero-filled one when absent (*created is
 * then 1, else 0; created may be NULL). NULL with errno ENOMEM when the table cannot grow.
 */
void *hmap_put(struct hmap *m, uint64_t key, int *created);

/*
 * Hint that key is about to be looked up or inserted: start loading its home slot into
 * the cache. Changes nothing; a growth of the table before the lookup only wastes it.
 */
void hmap_prefetch(const struct hmap *m, uint64_t key);

/* Remove key, copying its value to old (when old is not NULL). 1 if it was present, else 0. */
int hmap_remove(struct hmap *m, uint64_t key, void *old);

/*
 * Iterate: start with *pos = 0; each call returns the next value (and its key in *key when
 * key is not NULL) or NULL at the end. The table must not change during the iteration.
 */
void *hmap_next(const struct hmap *m, size_t *pos, uint64_t *key);

#endif
