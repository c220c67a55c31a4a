/*
 * A string pool: copies of strings (and small byte blobs and records) that live exactly as
 * long as the analysis that made them, all freed at once. It lets findings hand out `const char *`
 * without per-string ownership rules. Memory grows in chunks; nothing is ever freed singly.
 */
#ifndef HEAPWISE_ANALYZE_STRPOOL_H
#define HEAPWISE_ANALYZE_STRPOOL_H

#include <stddef.h>

struct strpool_chunk;

struct strpool {
    struct strpool_chunk *head; /* most recent chunk, with free space at its end */
};

/* Make an empty pool. Never fails. */
void strpool_init(struct strpool *p);

/* Free every string of the pool. */
void strpool_fini(struct strpool *p);

/* A NUL-terminated copy of the first n bytes at s, or NULL (errno ENOMEM). */
char *strpool_copy(struct strpool *p, const void *s, size_t n);

/* n bytes aligned for any scalar (8 bytes), not initialised; NULL when out of memory. */
void *strpool_alloc(struct strpool *p, size_t n);

/* A copy of the NUL-terminated s; NULL for NULL s or when out of memory. */
const char *strpool_dup(struct strpool *p, const char *s);

#endif
