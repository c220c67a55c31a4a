/*
 * The bounded memory-over-time series (timeline.h). Buckets cover width_ns each from the
 * first event on; an event past the last bucket doubles the width and merges neighbours
 * pairwise (keeping the larger), so cap buckets always cover the whole run and a bucket's
 * maximum survives every merge.
 */
#include "analyze/timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Width of a bucket at the start: a microsecond (doubling adapts it to the run). */
#define TIMELINE_FIRST_WIDTH_NS 1000

int timeline_init(struct timeline *t, size_t max_points)
{
    memset(t, 0, sizeof(*t));
    t->cap = max_points < 2 ? 2 : max_points + (max_points & 1);
    t->buckets = calloc(t->cap, sizeof(*t->buckets));
    t->used = calloc(t->cap, 1);
    t->width_ns = TIMELINE_FIRST_WIDTH_NS;
    if (!t->buckets || !t->used) {
        timeline_fini(t);
        return -ENOMEM;
    }
    return 0;
}

void timeline_fini(struct timeline *t)
{
    free(t->buckets);
    free(t->used);
    t->buckets = NULL;
    t->used = NULL;
}

/* Put p into bucket i unless the bucket already holds more bytes. */
static void keep_max(struct timeline *t, size_t i, const struct timeline_point *p)
{
    if (t->used[i] && t->buckets[i].bytes >= p->bytes)
        return;
    t->buckets[i] = *p;
    t->used[i] = 1;
}

/* Double the width: bucket i takes the larger point of buckets 2i and 2i+1. */
static void merge_pairs(struct timeline *t)
{
    for (size_t i = 0; i < t->cap / 2; i++) {
        struct timeline_point a = t->buckets[2 * i], b = t->buckets[2 * i + 1];
        int has_a = t->used[2 * i], has_b = t->used[2 * i + 1];
        t->used[i] = 0;
        if (has_a)
            keep_max(t, i, &a);
        if (has_b)
            keep_max(t, i, &b);
    }
    memset(t->used + t->cap / 2, 0, t->cap - t->cap / 2);
    t->width_ns *= 2;
}

void timeline_add(struct timeline *t, uint64_t time_ns, uint64_t bytes, uint64_t blocks)
{
    if (!t->started) {
        t->first_ns = time_ns;
        t->started = 1;
    }
    struct timeline_point p = {time_ns > t->first_ns ? time_ns - t->first_ns : 0, bytes, blocks};
    while (p.time_ns / t->width_ns >= t->cap)
        merge_pairs(t);
    keep_max(t, (size_t)(p.time_ns / t->width_ns), &p);
}

size_t timeline_points(const struct timeline *t, struct timeline_point *out)
{
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++) {
        if (t->used[i])
            out[n++] = t->buckets[i];
    }
    return n;
}
