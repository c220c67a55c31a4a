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

char *strpool_copy(struct strpool *p, const void *s, size_t n)
{
    struct strpool_chunk *c = p->head;
    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > STRPOOL_CHUNK ? n + 1 : STRPOOL_CHUNK;
        c = malloc(sizeof(*c) + cap);
        if (!c) {
            errno = ENOMEM;
            return NULL;
        }
        c->used = 0;
        c->cap = cap;
        c->next = p->head;
        p->head = c;
    }
    char *out = c->data + c->used;
    memcpy(out, s, n);
    out[n] = '\0';
    c->used += n + 1;
    return out;
}

const char *strpool_dup(struct strpool *p, const char *s)
{
    return s ? strpool_copy(p, s, strlen(s)) : NULL;
}
