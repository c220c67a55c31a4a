/*
 * Pool replay (pools.h). Owns the per-pool block tables and the rules that turn the order
 * of the pool calls into errors; the wording of those errors is errors.c's, the reporting
 * of pool leaks analyze.c's. A destroyed pool keeps its entry (name, stacks) to explain a
 * later call that names it, but not its blocks.
 */
#include "analyze/pools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One block of a pool: handed out, or given back and not handed out since. */
struct pool_block {
    uint64_t size;       /* bytes */
    uint32_t stack;      /* where it was handed out */
    uint32_t free_stack; /* where it was given back (given back blocks only) */
};

struct pool {
    const char *name;       /* NULL when unnamed */
    uint32_t create_stack;  /* where it was created */
    uint32_t destroy_stack; /* where it was destroyed (destroyed pools only) */
    int live;               /* created and not destroyed since */
    int inherited;          /* announced again in a forked child */
    struct hmap blocks;     /* address -> struct pool_block, handed out now */
    struct hmap freed;      /* address -> struct pool_block, given back, not handed out since */
};

void pools_init(struct pools *p, struct errors *errors)
{
    memset(p, 0, sizeof(*p));
    hmap_init(&p->map, sizeof(struct pool));
    strpool_init(&p->names);
    p->errors = errors;
}

static void drop_blocks(struct pool *pl)
{
    hmap_fini(&pl->blocks);
    hmap_fini(&pl->freed);
}

void pools_fini(struct pools *p)
{
    size_t pos = 0;
    struct pool *pl;
    while ((pl = hmap_next(&p->map, &pos, NULL)))
        drop_blocks(pl);
    hmap_fini(&p->map);
    strpool_fini(&p->names);
}

/* The live pool of handle, or NULL. */
static struct pool *live_pool(const struct pools *p, uint64_t handle)
{
    struct pool *pl = handle ? hmap_get(&p->map, handle) : NULL;
    return pl && pl->live ? pl : NULL;
}

/* An error of kind found by the call at stack (where) naming handle. */
static void start_error(struct error_entry *en, unsigned kind, unsigned where, uint64_t handle,
                        uint64_t ptr, uint32_t stack, uint64_t time_ns)
{
    memset(en, 0, sizeof(*en));
    en->rec.h.aux = (uint16_t)kind;
    en->rec.where = (uint8_t)where;
    en->rec.ptr = ptr;
    en->rec.size = UINT64_MAX;
    en->rec.stack = stack;
    en->rec.time_ns = time_ns;
    en->rec.alloc_kind = en->rec.free_kind = TRACE_KIND_NONE;
    en->pool = handle;
}

/* A call (where, at stack) naming handle, which is no live pool: pool_invalid_pool. */
static int invalid_pool(struct pools *p, unsigned where, uint64_t handle, uint32_t stack,
                        uint64_t time_ns)
{
    struct error_entry en;
    const struct pool *pl = handle ? hmap_get(&p->map, handle) : NULL;
    start_error(&en, ERR_POOL_INVALID_POOL, where, handle, handle, stack, time_ns);
    if (pl) {
        en.pool_name = pl->name;
        en.pool_state = pl->live ? POOL_EXISTS : POOL_DESTROYED;
        en.rec.alloc_stack = pl->create_stack;
        en.rec.free_stack = pl->live ? TRACE_STACK_NONE : pl->destroy_stack;
    }
    return errors_add_found(p->errors, &en);
}

int pools_create(struct pools *p, const struct trace_rec_pool_create *r)
{
    if (r->pool == 0 || live_pool(p, r->pool))
        return invalid_pool(p, WHERE_POOL_CREATE, r->pool, r->stack, r->time_ns);
    struct pool *pl = hmap_put(&p->map, r->pool, NULL);
    if (!pl)
        return -ENOMEM;
    drop_blocks(pl); /* a destroyed pool's entry has none left: start it afresh */
    memset(pl, 0, sizeof(*pl));
    hmap_init(&pl->blocks, sizeof(struct pool_block));
    hmap_init(&pl->freed, sizeof(struct pool_block));
    pl->live = 1;
    pl->inherited = r->h.aux == TRACE_POOL_INHERITED;
    pl->create_stack = r->stack;
    if (r->name_len && !(pl->name = strpool_copy(&p->names, r + 1, r->name_len)))
        return -ENOMEM;
    return 0;
}

/* A block handed out at the start of one still handed out: report, then replace it. */
static int double_alloc(struct pools *p, struct pool *pl, const struct trace_rec_pool *r,
                        const struct pool_block *old)
{
    struct error_entry en;
    start_error(&en, ERR_POOL_DOUBLE_ALLOC, WHERE_POOL_ALLOC, r->pool, r->ptr, r->stack,
                r->time_ns);
    en.pool_name = pl->name;
    en.rec.size = r->size;
    en.rec.alloc_stack = old->stack;
    en.block = r->ptr;
    en.block_size = old->size;
    return errors_add_found(p->errors, &en);
}

int pools_alloc(struct pools *p, const struct trace_rec_pool *r)
{
    struct pool *pl = live_pool(p, r->pool);
    if (!pl)
        return invalid_pool(p, WHERE_POOL_ALLOC, r->pool, r->stack, r->time_ns);
    int created;
    struct pool_block *b = hmap_put(&pl->blocks, r->ptr, &created);
    if (!b)
        return -ENOMEM;
    struct pool_block old = *b;
    b->size = r->size;
    b->stack = r->stack;
    b->free_stack = TRACE_STACK_NONE;
    hmap_remove(&pl->freed, r->ptr, NULL);
    p->allocations++;
    return created ? 0 : double_alloc(p, pl, r, &old);
}

/* The live pool, other than pl, that handed out a block at ptr; its handle or 0. */
static uint64_t owner_of(const struct pools *p, const struct pool *pl, uint64_t ptr,
                         const char **name)
{
    size_t pos = 0;
    uint64_t handle;
    const struct pool *other;
    while ((other = hmap_next(&p->map, &pos, &handle))) {
        if (other != pl && other->live && hmap_get(&other->blocks, ptr)) {
            *name = other->name;
            return handle;
        }
    }
    return 0;
}

/* Say what a pointer given back that is none of pl's blocks is: inside one, another's. */
static void explain_foreign(const struct pools *p, const struct pool *pl, struct error_entry *en)
{
    size_t pos = 0;
    uint64_t start, ptr = en->rec.ptr;
    const struct pool_block *b;
    while ((b = hmap_next(&pl->blocks, &pos, &start))) {
        if (ptr > start && ptr - start < b->size) {
            en->inside = 1;
            en->block = start;
            en->block_size = b->size;
            en->block_stack = b->stack;
            return;
        }
    }
    en->other_pool = owner_of(p, pl, ptr, &en->other_name);
}

/* ptr given back to pl, which did not hand it out: a double or a foreign free. */
static int bad_free(struct pools *p, struct pool *pl, const struct trace_rec_pool *r)
{
    const struct pool_block *f = hmap_get(&pl->freed, r->ptr);
    struct error_entry en;
    start_error(&en, f ? ERR_POOL_DOUBLE_FREE : ERR_POOL_INVALID_FREE, WHERE_POOL_FREE, r->pool,
                r->ptr, r->stack, r->time_ns);
    en.pool_name = pl->name;
    if (f) {
        en.rec.size = f->size;
        en.rec.alloc_stack = f->stack;
        en.rec.free_stack = f->free_stack;
    } else {
        explain_foreign(p, pl, &en);
    }
    return errors_add_found(p->errors, &en);
}

/* Remember that ptr was given back to pl at stack (block: what it was, if known). */
static int remember_freed(struct pool *pl, uint64_t ptr, const struct pool_block *block,
                          uint32_t stack)
{
    struct pool_block *f = hmap_put(&pl->freed, ptr, NULL);
    if (!f)
        return -ENOMEM;
    *f = block ? *block : (struct pool_block){.size = UINT64_MAX};
    f->free_stack = stack;
    return 0;
}

int pools_free(struct pools *p, const struct trace_rec_pool *r)
{
    struct pool *pl = live_pool(p, r->pool);
    if (!pl)
        return invalid_pool(p, WHERE_POOL_FREE, r->pool, r->stack, r->time_ns);
    struct pool_block b;
    if (hmap_remove(&pl->blocks, r->ptr, &b)) {
        p->frees++;
        return remember_freed(pl, r->ptr, &b, r->stack);
    }
    if (pl->inherited && !hmap_get(&pl->freed, r->ptr)) {
        p->unknown_frees++;
        return remember_freed(pl, r->ptr, NULL, r->stack);
    }
    return bad_free(p, pl, r);
}

int pools_destroy(struct pools *p, const struct trace_rec_pool *r)
{
    struct pool *pl = live_pool(p, r->pool);
    if (!pl)
        return invalid_pool(p, WHERE_POOL_DESTROY, r->pool, r->stack, r->time_ns);
    size_t pos = 0;
    const struct pool_block *b;
    while ((b = hmap_next(&pl->blocks, &pos, NULL))) {
        p->destroyed_bytes += b->size;
        p->destroyed_blocks++;
    }
    drop_blocks(pl);
    pl->live = 0;
    pl->destroy_stack = r->stack;
    return 0;
}

uint64_t pools_live_blocks(const struct pools *p, uint64_t *bytes)
{
    uint64_t n = 0, sum = 0;
    size_t pos = 0;
    const struct pool *pl;
    while ((pl = hmap_next(&p->map, &pos, NULL))) {
        size_t at = 0;
        const struct pool_block *b;
        while (pl->live && (b = hmap_next(&pl->blocks, &at, NULL))) {
            sum += b->size;
            n++;
        }
    }
    if (bytes)
        *bytes = sum;
    return n;
}

/* Add one pool's blocks to the groups (key: stack id + 1 -> index in res). */
static int group_pool(const struct pool *pl, uint64_t handle, struct pools_group *res,
                      size_t *count)
{
    struct hmap index;
    hmap_init(&index, sizeof(size_t));
    size_t pos = 0;
    const struct pool_block *b;
    while ((b = hmap_next(&pl->blocks, &pos, NULL))) {
        int created;
        size_t *at = hmap_put(&index, (uint64_t)b->stack + 1, &created);
        if (!at) {
            hmap_fini(&index);
            return -ENOMEM;
        }
        if (created) {
            *at = (*count)++;
            res[*at] = (struct pools_group){.pool = handle, .name = pl->name, .stack = b->stack};
        }
        res[*at].bytes += b->size;
        res[*at].blocks++;
    }
    hmap_fini(&index);
    return 0;
}

int pools_leaks(const struct pools *p, struct pools_group **out, size_t *n)
{
    uint64_t live = pools_live_blocks(p, NULL);
    struct pools_group *res = live ? calloc(live, sizeof(*res)) : NULL;
    size_t count = 0, pos = 0;
    uint64_t handle;
    const struct pool *pl;
    *out = NULL;
    *n = 0;
    if (live && !res)
        return -ENOMEM;
    while ((pl = hmap_next(&p->map, &pos, &handle))) {
        if (pl->live && group_pool(pl, handle, res, &count) < 0) {
            free(res);
            return -ENOMEM;
        }
    }
    *out = res;
    *n = count;
    return 0;
}

/* A live malloc'ed block, for the search of superblocks. */
struct span {
    uint64_t start, size;
    int holds; /* holds a byte of a pool block */
};

static int by_start(const void *x, const void *y)
{
    const struct span *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Mark the span (of n, sorted) that contains addr, if any. */
static void mark_holder(struct span *s, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n; /* the first span starting after addr is in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].start <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && addr - s[lo - 1].start < (s[lo - 1].size ? s[lo - 1].size : 1))
        s[lo - 1].holds = 1;
}

/* Mark every span holding the first or last byte of a block handed out of a live pool. */
static void mark_holders(const struct pools *p, struct span *s, size_t n)
{
    size_t pos = 0;
    const struct pool *pl;
    while ((pl = hmap_next(&p->map, &pos, NULL))) {
        size_t at = 0;
        uint64_t addr;
        const struct pool_block *b;
        while (pl->live && (b = hmap_next(&pl->blocks, &at, &addr))) {
            mark_holder(s, n, addr);
            if (b->size > 1)
                mark_holder(s, n, addr + b->size - 1);
        }
    }
}

int pools_set_apart(const struct pools *p, struct replay *r, uint64_t *bytes, uint64_t *blocks)
{
    size_t n = r->live.count, pos = 0, i = 0;
    if (n == 0 || pools_live_blocks(p, NULL) == 0)
        return 0;
    struct span *s = calloc(n, sizeof(*s));
    if (!s)
        return -ENOMEM;
    uint64_t key;
    const struct replay_block *b;
    while ((b = hmap_next(&r->live, &pos, &key)))
        s[i++] = (struct span){.start = key, .size = b->size};
    qsort(s, n, sizeof(*s), by_start);
    mark_holders(p, s, n);
    for (i = 0; i < n; i++) {
        struct replay_block old;
        if (s[i].holds && replay_set_apart(r, s[i].start, &old)) {
            *bytes += old.size;
            ++*blocks;
        }
    }
    free(s);
    return 0;
}
