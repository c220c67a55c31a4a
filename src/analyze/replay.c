/*
 * Replay (replay.h): pairs allocations with releases by address, in trace order, and
 * keeps the totals. Owns the live set; does not judge kinds (mismatched new/free is a
 * later feature) and does not symbolise.
 */
#include "analyze/replay.h"
#include "trace/format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One live block. */
struct replay_block {
    uint64_t size;  /* bytes requested */
    uint32_t stack; /* allocation stack id */
    uint32_t kind;  /* enum trace_kind */
};

void replay_init(struct replay *r)
{
    memset(r, 0, sizeof(*r));
    hmap_init(&r->live, sizeof(struct replay_block));
}

void replay_fini(struct replay *r)
{
    hmap_fini(&r->live);
}

static void drop(struct replay *r, const struct replay_block *b)
{
    r->live_bytes -= b->size;
}

static int insert(struct replay *r, uint64_t ptr, uint64_t size, uint32_t stack, unsigned kind)
{
    int created;
    struct replay_block *b = hmap_put(&r->live, ptr, &created);
    if (!b)
        return -ENOMEM;
    if (!created) {
        drop(r, b);
        r->sum.implicit_frees++;
    }
    b->size = size;
    b->stack = stack;
    b->kind = kind;
    r->live_bytes += size;
    if (r->live_bytes > r->sum.peak_bytes)
        r->sum.peak_bytes = r->live_bytes;
    return 0;
}

int replay_alloc(struct replay *r, uint64_t ptr, uint64_t size, uint32_t stack, unsigned kind)
{
    if (ptr == 0)
        return 0;
    r->sum.allocations++;
    return insert(r, ptr, size, stack, kind);
}

void replay_free(struct replay *r, uint64_t ptr)
{
    struct replay_block old;
    if (!hmap_remove(&r->live, ptr, &old)) {
        r->sum.unknown_frees++;
        return;
    }
    drop(r, &old);
    r->sum.frees++;
}

int replay_realloc(struct replay *r, uint64_t old_ptr, uint64_t new_ptr, uint64_t size,
                   uint32_t stack)
{
    if (new_ptr == 0)
        return 0;
    replay_free(r, old_ptr);
    return replay_alloc(r, new_ptr, size, stack, KIND_MALLOC);
}

int replay_leaks(struct replay *r, struct replay_group **out, size_t *n)
{
    struct hmap groups; /* stack id + 1 -> index into the result */
    hmap_init(&groups, sizeof(size_t));
    struct replay_group *res = NULL;
    size_t count = 0, pos = 0;
    const struct replay_block *b;
    r->sum.leaked_bytes = r->sum.leaked_blocks = 0;
    while ((b = hmap_next(&r->live, &pos, NULL))) {
        int created;
        size_t *index = hmap_put(&groups, (uint64_t)b->stack + 1, &created);
        if (!index)
            goto nomem;
        if (created) {
            /* at most one group per live block: size the array once */
            if (!res && !(res = calloc(r->live.count, sizeof(*res))))
                goto nomem;
            *index = count++;
            res[*index].stack = b->stack;
        }
        res[*index].bytes += b->size;
        res[*index].blocks++;
        r->sum.leaked_bytes += b->size;
        r->sum.leaked_blocks++;
    }
    hmap_fini(&groups);
    *out = res;
    *n = count;
    return 0;
nomem:
    hmap_fini(&groups);
    free(res);
    return -ENOMEM;
}
