/*
 * A slab-style object cache, as kernels have them (kmem_cache): each cache carves
 * 48-byte objects from slabs of four, malloc'ed as needed, constructs every object it
 * hands out, and is annotated with heapwise_pool_*. The 'inode_cache' hands out ten
 * objects over three slabs and gets nine back; make_inode's object is dropped (48 bytes
 * in 1 block of pool 'inode_cache' never given back). The 'scratch' cache is destroyed
 * with two objects still handed out, as an arena is reset: they are released with it,
 * not leaked, and its slabs are freed. No heap error. Prints one line and exits 0, with
 * or without heapwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapwise.h"

#define OBJ_SIZE 48
#define PER_SLAB 4

struct slab {
    struct slab *next;                      /* the cache's next slab */
    void *free;                             /* first free object; each holds the next */
    unsigned char mem[PER_SLAB * OBJ_SIZE]; /* the objects */
};

struct cache {
    const char *name;
    void (*ctor)(void *obj); /* builds an object before it is handed out */
    struct slab *slabs;
    unsigned nslabs;
};

struct inode {
    unsigned long number;
    unsigned links;
    char name[36];
};

static struct cache inode_cache, scratch;

static void inode_ctor(void *obj)
{
    struct inode *in = obj;
    memset(in, 0, sizeof(*in));
    in->links = 1;
}

static void cache_create(struct cache *c, const char *name, void (*ctor)(void *))
{
    c->name = name;
    c->ctor = ctor;
    c->slabs = NULL;
    c->nslabs = 0;
    heapwise_pool_create(c, name);
}

__attribute__((noinline)) struct slab *cache_grow(struct cache *c)
{
    struct slab *s = malloc(sizeof(*s));
    if (!s)
        return NULL;
    s->free = NULL;
    for (int i = PER_SLAB - 1; i >= 0; i--) {
        void **obj = (void **)(s->mem + i * OBJ_SIZE);
        *obj = s->free;
        s->free = obj;
    }
    s->next = c->slabs;
    c->slabs = s;
    c->nslabs++;
    return s;
}

__attribute__((noinline)) void *cache_alloc(struct cache *c)
{
    struct slab *s = c->slabs;
    while (s && !s->free)
        s = s->next;
    if (!s && !(s = cache_grow(c)))
        return NULL;
    void **obj = s->free;
    s->free = *obj;
    heapwise_pool_alloc(c, obj, OBJ_SIZE); /* MARK:cache_alloc */
    if (c->ctor)
        c->ctor(obj);
    return obj;
}

__attribute__((noinline)) void cache_free(struct cache *c, void *obj)
{
    for (struct slab *s = c->slabs; s; s = s->next) {
        if ((unsigned char *)obj >= s->mem && (unsigned char *)obj < s->mem + sizeof(s->mem)) {
            heapwise_pool_free(c, obj);
            *(void **)obj = s->free;
            s->free = obj;
            return;
        }
    }
}

__attribute__((noinline)) void cache_destroy(struct cache *c)
{
    heapwise_pool_destroy(c);
    while (c->slabs) {
        struct slab *next = c->slabs->next;
        free(c->slabs);
        c->slabs = next;
    }
}

__attribute__((noinline)) void make_inode(unsigned long number)
{
    struct inode *volatile in = cache_alloc(&inode_cache); /* MARK:make_inode */
    in->number = number;
    in = NULL; /* dropped without cache_free */
}

int main(void)
{
    struct inode *in[9];
    cache_create(&inode_cache, "inode_cache", inode_ctor);
    for (int i = 0; i < 9; i++)
        in[i] = cache_alloc(&inode_cache);
    make_inode(42);
    for (int i = 0; i < 9; i++)
        cache_free(&inode_cache, in[i]);

    cache_create(&scratch, "scratch", NULL);
    void *a = cache_alloc(&scratch), *b = cache_alloc(&scratch), *c = cache_alloc(&scratch);
    cache_free(&scratch, b);
    (void)a, (void)c;
    cache_destroy(&scratch); /* a and c go with it */
    printf("pool_slab: %u inode slabs\n", inode_cache.nslabs);
    return 0;
}
