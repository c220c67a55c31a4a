/*
 * String pool (strpool.h): a list of chunks, bump-allocated. Owns every byte it returns;
 * callers never free what it gives them.
 */
#include "analyze/strpool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of a regular chunk; larger strings get a chunk of their own. */
#define STRPOOL_CHUNK 16384
/* Alignment of strpool_alloc's blocks (chunk data starts 8-aligned: it follows 3 words). */
#define STRPOOL_ALIGN 8

struct strpool_chunk {
    struct strpool_chunk *next;
    size_t used, cap; /* bytes of data[] in use / available */
    char data[];
};

void strpool_init(struct strpool *p)
{
    p->head = NULL;
}

void strpool_fini(struct strpool *p)
{
    while (p->head) {
        struct strpool_chunk *next = p->head->next;
        free(p->head);
        p->head = next;
    }
}

/* n bytes at a multiple of align in the newest chunk (or a new one); NULL when out of memory. */
static void *take(struct strpool *p, size_t n, size_t align)
{
    struct strpool_chunk *c = p->head;
    size_t at = c ? (c->used + align - 1) / align * align : 0;
    if (!c || at > c->cap || c->cap - at < n) {
        size_t cap = n > STRPOOL_CHUNK ? n : STRPOOL_CHUNK;
        c = malloc(sizeof(*c) + cap);
        if (!c) {
            errno = ENOMEM;
            return NULL;
        }
        c->cap = cap;
        c->next = p->head;
        p->head = c;
        at = 0;
    }
    c->used = at + n;
    return c->data + at;
}

char *strpool_copy(struct strpool *p, const void *s, size_t n)
{
    char *out = take(p, n + 1, 1);
    if (!out)
        return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

void *strpool_alloc(struct strpool *p, size_t n)
{
    return take(p, n, STRPOOL_ALIGN);
}

const char *strpool_dup(struct strpool *p, const char *s)
{
    return s ? strpool_copy(p, s, strlen(s)) : NULL;
}
