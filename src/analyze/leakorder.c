/*
 * Indirect leaks under the definite leak that holds them (leakorder.h). One hash from the
 * allocation stack of each definite group to its place; the rest is arrays.
 */
#include "analyze/leakorder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/hmap.h"
#include "trace/format.h"

static int is_definite(const struct replay_group *g)
{
    return g->leak_class == LEAK_DEFINITE;
}

/* Link each held group to its holder (held_by, as an old index) and add it to its totals. */
static int link_held(struct analyze_leak *leaks, size_t n, const struct replay_group *groups,
                     const size_t *from)
{
    struct hmap definite; /* stack id + 1 -> old index */
    hmap_init(&definite, sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        if (!is_definite(&groups[from[i]]))
            continue;
        size_t *at = hmap_put(&definite, (uint64_t)groups[from[i]].stack + 1, NULL);
        if (!at) {
            hmap_fini(&definite);
            return -ENOMEM;
        }
        *at = i;
    }
    for (size_t i = 0; i < n; i++) {
        const struct replay_group *g = &groups[from[i]];
        const size_t *at = g->held ? hmap_get(&definite, (uint64_t)g->holder_stack + 1) : NULL;
        if (!at)
            continue;
        leaks[i].held_by = (long)*at;
        leaks[*at].indirect_bytes += leaks[i].bytes;
        leaks[*at].indirect_blocks += leaks[i].blocks;
    }
    hmap_fini(&definite);
    return 0;
}

/* Definite groups by their total (direct and indirect), largest first; then as before. */
static int by_total(const void *x, const void *y, void *arg)
{
    const struct analyze_leak *leaks = arg;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    uint64_t ta = leaks[a].bytes + leaks[a].indirect_bytes;
    uint64_t tb = leaks[b].bytes + leaks[b].indirect_bytes;
    if (ta != tb)
        return ta > tb ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* No index: ends a chain of held groups. */
#define NONE SIZE_MAX

/*
 * The new order of the old indexes into order[0..n): each definite group, largest total
 * first, then the groups it holds in their former order; then the rest. scratch holds 3n
 * indexes: the sorted definite groups, and each holder's chain of held groups.
 */
static void plan(const struct analyze_leak *leaks, size_t n, const struct replay_group *groups,
                 const size_t *from, size_t *order, size_t *scratch)
{
    size_t *defs = scratch, *first = scratch + n, *next = scratch + 2 * n;
    size_t ndef = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        first[i] = NONE;
        if (is_definite(&groups[from[i]]))
            defs[ndef++] = i;
    }
    qsort_r(defs, ndef, sizeof(*defs), by_total, (void *)leaks);
    for (size_t i = n; i-- > 0;) {
        if (leaks[i].held_by < 0)
            continue;
        next[i] = first[leaks[i].held_by];
        first[leaks[i].held_by] = i;
    }
    for (size_t d = 0; d < ndef; d++) {
        order[m++] = defs[d];
        for (size_t i = first[defs[d]]; i != NONE; i = next[i])
            order[m++] = i;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_definite(&groups[from[i]]) && leaks[i].held_by < 0)
            order[m++] = i;
}

int leakorder_group(struct analyze_leak *leaks, size_t n, const struct replay_group *groups,
                    const size_t *from)
{
    size_t *order = malloc(5 * n * sizeof(*order)); /* order, where, scratch (3n) */
    struct analyze_leak *copy = malloc(n * sizeof(*copy));
    int rc = order && copy ? link_held(leaks, n, groups, from) : -ENOMEM;
    if (rc == 0) {
        size_t *where = order + n;
        plan(leaks, n, groups, from, order, order + 2 * n);
        memcpy(copy, leaks, n * sizeof(*copy));
        for (size_t i = 0; i < n; i++)
            where[order[i]] = i;
        for (size_t i = 0; i < n; i++) {
            leaks[i] = copy[order[i]];
            if (leaks[i].held_by >= 0)
                leaks[i].held_by = (long)where[leaks[i].held_by];
        }
    }
    free(order);
    free(copy);
    return rc;
}
