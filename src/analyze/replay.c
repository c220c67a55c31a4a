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

void replay_init(struct replay *r)
{
    memset(r, 0, sizeof(*r));
    hmap_init(&r->live, sizeof(struct replay_block));
    hmap_init(&r->freed, sizeof(struct replay_release));
    hmap_init(&r->sites, sizeof(struct replay_site));
}

void replay_fini(struct replay *r)
{
    hmap_fini(&r->live);
    hmap_fini(&r->freed);
    hmap_fini(&r->sites);
}

/* Bring a site's at_peak up to the latest peak before its live bytes change. */
static void sync_peak(const struct replay *r, struct replay_site *site)
{
    if (site->epoch == r->peak_epoch)
        return;
    site->at_peak = site->live_bytes;
    site->epoch = r->peak_epoch;
}

/* The site of stack, synced (created when absent); NULL when out of memory. */
static struct replay_site *site_of(struct replay *r, uint32_t stack)
{
    struct replay_site *site = hmap_put(&r->sites, (uint64_t)stack + 1, NULL);
    if (site)
        sync_peak(r, site);
    return site;
}

static void drop(struct replay *r, const struct replay_block *b)
{
    r->live_bytes -= b->size;
    struct replay_site *site = r->track_sites ? hmap_get(&r->sites, (uint64_t)b->stack + 1) : NULL;
    if (site) {
        sync_peak(r, site);
        site->live_bytes -= b->size;
    }
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
    memset(b, 0, sizeof(*b));
    b->size = size;
    b->stack = stack;
    b->kind = kind;
    r->live_bytes += size;
    if (r->live_bytes > r->sum.peak_bytes) {
        r->sum.peak_bytes = r->live_bytes;
        r->peak_epoch++;
    }
    return 0;
}

int replay_alloc(struct replay *r, uint64_t ptr, uint64_t size, uint32_t stack, unsigned kind)
{
    if (ptr == 0)
        return 0;
    r->sum.allocations++;
    r->sum.allocated_bytes += size;
    if (r->track_sites) {
        struct replay_site *site = site_of(r, stack);
        if (!site)
            return -ENOMEM;
        site->bytes += size;
        site->blocks++;
        site->live_bytes += size;
        r->last_alloc = ptr;
    }
    return insert(r, ptr, size, stack, kind);
}

/* A free (not a realloc) of the latest allocation: a temporary block of its site. */
static void count_temporary(struct replay *r, uint64_t ptr, const struct replay_block *b)
{
    struct replay_site *site = hmap_get(&r->sites, (uint64_t)b->stack + 1);
    if (ptr != r->last_alloc || !site)
        return;
    site->temporary++;
    r->last_alloc = 0;
}

/* Release ptr; by_free: a free or delete (else the release half of a realloc). */
static int release(struct replay *r, uint64_t ptr, uint32_t stack, int by_free)
{
    struct replay_block old;
    if (!hmap_remove(&r->live, ptr, &old)) {
        r->sum.unknown_frees++;
        return 0;
    }
    drop(r, &old);
    if (by_free && r->track_sites)
        count_temporary(r, ptr, &old);
    r->sum.frees++;
    if (!r->track_freed)
        return 0;
    struct replay_release *f = hmap_put(&r->freed, ptr, NULL);
    if (!f)
        return -ENOMEM;
    *f = (struct replay_release){
        .size = old.size, .stack = old.stack, .free_stack = stack, .kind = old.kind};
    return 0;
}

int replay_free(struct replay *r, uint64_t ptr, uint32_t stack)
{
    return release(r, ptr, stack, 1);
}

/* Prefetch the slots of ptr: the live table's, and the freed table's when it is kept. */
static void expect(const struct replay *r, uint64_t ptr)
{
    hmap_prefetch(&r->live, ptr);
    if (r->track_freed)
        hmap_prefetch(&r->freed, ptr);
}

void replay_expect(const struct replay *r, const struct trace_rec_hdr *h)
{
    switch (h->type) {
    case TRACE_REC_ALLOC:
        expect(r, ((const struct trace_rec_alloc *)h)->ptr);
        break;
    case TRACE_REC_FREE:
        expect(r, ((const struct trace_rec_free *)h)->ptr);
        break;
    case TRACE_REC_REALLOC:
        expect(r, ((const struct trace_rec_realloc *)h)->old_ptr);
        expect(r, ((const struct trace_rec_realloc *)h)->new_ptr);
        break;
    default:
        break;
    }
}

const struct replay_block *replay_live(const struct replay *r, uint64_t ptr)
{
    return hmap_get(&r->live, ptr);
}

/* A release is stale once the address is live again: allocations never touch the freed
 * table, so the hot path pays for one table, not two. */
int replay_freed(const struct replay *r, uint64_t ptr, struct replay_block *out)
{
    const struct replay_release *f = hmap_get(&r->freed, ptr);
    if (!f || hmap_get(&r->live, ptr))
        return 0;
    *out = (struct replay_block){
        .size = f->size, .stack = f->stack, .kind = f->kind, .free_stack = f->free_stack};
    return 1;
}

const struct replay_block *replay_containing(const struct replay *r, uint64_t addr,
                                             uint64_t *start)
{
    size_t pos = 0;
    uint64_t key;
    const struct replay_block *b;
    while ((b = hmap_next(&r->live, &pos, &key))) {
        if (addr >= key && (addr - key < b->size || addr == key)) {
            *start = key;
            return b;
        }
    }
    return NULL;
}

int replay_set_apart(struct replay *r, uint64_t ptr, struct replay_block *old)
{
    if (!hmap_remove(&r->live, ptr, old))
        return 0;
    drop(r, old);
    return 1;
}

int replay_realloc(struct replay *r, uint64_t old_ptr, uint64_t new_ptr, uint64_t size,
                   uint32_t stack)
{
    if (new_ptr == 0)
        return 0;
    if (release(r, old_ptr, stack, 0) < 0)
        return -ENOMEM;
    return replay_alloc(r, new_ptr, size, stack, KIND_MALLOC);
}

void replay_leakscan(struct replay *r, const struct trace_rec_leakscan *rec)
{
    if (rec->flags & LEAKSCAN_FIRST) {
        size_t pos = 0;
        struct replay_block *b;
        while ((b = hmap_next(&r->live, &pos, NULL))) {
            b->leak_class = 0;
            b->holder = 0;
        }
        r->scanned = 0;
        r->grouped = (rec->flags & LEAKSCAN_GROUPED) != 0;
        r->last_definite = 0;
    }
    const uint64_t *e = (const uint64_t *)(rec + 1);
    for (uint32_t i = 0; i < rec->count; i++) {
        uint64_t addr = e[i] & ~TRACE_LEAK_CLASS_MASK;
        struct replay_block *b = hmap_get(&r->live, addr);
        if (!b)
            continue;
        b->leak_class = (uint32_t)(e[i] & TRACE_LEAK_CLASS_MASK);
        if (b->leak_class == LEAK_DEFINITE)
            r->last_definite = addr;
        else if (b->leak_class == LEAK_INDIRECT && r->grouped)
            b->holder = r->last_definite;
    }
    if (rec->flags & LEAKSCAN_LAST)
        r->scanned = 1;
}

/* The group key of a live block: stack and class, and for a held block its holder's stack. */
static uint64_t group_key(const struct replay *r, const struct replay_block *b, int *held,
                          uint32_t *holder_stack)
{
    const struct replay_block *h = b->holder ? hmap_get(&r->live, b->holder) : NULL;
    *held = h != NULL;
    *holder_stack = h ? h->stack : 0;
    if (!h)
        return ((uint64_t)b->stack + 1) | (uint64_t)b->leak_class << 33;
    /* bit 63 apart from the plain keys (their class sits in bits 33-35) */
    return 1ull << 63 | (uint64_t)h->stack << 32 | b->stack;
}

int replay_leaks(struct replay *r, struct replay_group **out, size_t *n)
{
    struct hmap groups; /* (stack id + 1) | class << 32 -> index into the result */
    hmap_init(&groups, sizeof(size_t));
    struct replay_group *res = NULL;
    size_t count = 0, pos = 0;
    const struct replay_block *b;
    while ((b = hmap_next(&r->live, &pos, NULL))) {
        int created, held;
        uint32_t holder_stack;
        uint64_t key = group_key(r, b, &held, &holder_stack);
        size_t *index = hmap_put(&groups, key, &created);
        if (!index)
            goto nomem;
        if (created) {
            /* at most one group per live block: size the array once */
            if (!res && !(res = calloc(r->live.count, sizeof(*res))))
                goto nomem;
            *index = count++;
            res[*index].stack = b->stack;
            res[*index].leak_class = b->leak_class;
            res[*index].held = held;
            res[*index].holder_stack = holder_stack;
        }
        res[*index].bytes += b->size;
        res[*index].blocks++;
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

int replay_sites(struct replay *r, struct replay_group **out, size_t *n)
{
    struct replay_group *res = calloc(r->sites.count ? r->sites.count : 1, sizeof(*res));
    if (!res)
        return -ENOMEM;
    size_t count = 0, pos = 0;
    uint64_t key;
    struct replay_site *site;
    while ((site = hmap_next(&r->sites, &pos, &key))) {
        sync_peak(r, site);
        res[count].stack = (uint32_t)(key - 1);
        res[count].bytes = site->bytes;
        res[count].blocks = site->blocks;
        res[count].peak_bytes = site->at_peak;
        res[count++].temporary = site->temporary;
    }
    *out = res;
    *n = count;
    return 0;
}
