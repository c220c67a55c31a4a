/*
 * The bounded memory-over-time series (timeline.h). Buckets cover width_ns each from the
 * origin on; a time past the last bucket doubles the width and merges neighbours pairwise
 * in both series (keeping the larger), so cap buckets always cover the whole run and a
 * bucket's maximum survives every merge.
 */
#include "analyze/timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Width of a bucket at the start: a microsecond (doubling adapts it to the run). */
#define TIMELINE_FIRST_WIDTH_NS 1000

static int series_init(struct timeline_series *s, size_t cap)
{
    s->buckets = calloc(cap, sizeof(*s->buckets));
    s->used = calloc(cap, 1);
    return s->buckets && s->used ? 0 : -ENOMEM;
}

static void series_fini(struct timeline_series *s)
{
    free(s->buckets);
    free(s->used);
    s->buckets = NULL;
    s->used = NULL;
}

int timeline_init(struct timeline *t, size_t max_points)
{
    memset(t, 0, sizeof(*t));
    t->cap = max_points < 2 ? 2 : max_points + (max_points & 1);
    t->width_ns = TIMELINE_FIRST_WIDTH_NS;
    if (series_init(&t->heap, t->cap) < 0 || series_init(&t->rss, t->cap) < 0) {
        timeline_fini(t);
        return -ENOMEM;
    }
    return 0;
}

void timeline_fini(struct timeline *t)
{
    series_fini(&t->heap);
    series_fini(&t->rss);
}

/* Put p into bucket i of s unless the bucket already holds more bytes. */
static void keep_max(struct timeline_series *s, size_t i, const struct timeline_point *p)
{
    if (s->used[i] && s->buckets[i].bytes >= p->bytes)
        return;
    s->buckets[i] = *p;
    s->used[i] = 1;
}

/* Bucket i of s takes the larger point of buckets 2i and 2i+1. */
static void merge_pairs(struct timeline_series *s, size_t cap)
{
    for (size_t i = 0; i < cap / 2; i++) {
        struct timeline_point a = s->buckets[2 * i], b = s->buckets[2 * i + 1];
        int has_a = s->used[2 * i], has_b = s->used[2 * i + 1];
        s->used[i] = 0;
        if (has_a)
            keep_max(s, i, &a);
        if (has_b)
            keep_max(s, i, &b);
    }
    memset(s->used + cap / 2, 0, cap - cap / 2);
}

/* Add p (time_ns absolute) to series s, doubling the width until it fits. */
static void add(struct timeline *t, struct timeline_series *s, struct timeline_point p)
{
    if (!t->started) {
        t->first_ns = p.time_ns;
        t->started = 1;
    }
    p.time_ns = p.time_ns > t->first_ns ? p.time_ns - t->first_ns : 0;
    while (p.time_ns / t->width_ns >= t->cap) {
        merge_pairs(&t->heap, t->cap);
        merge_pairs(&t->rss, t->cap);
        t->width_ns *= 2;
    }
    keep_max(s, (size_t)(p.time_ns / t->width_ns), &p);
}

void timeline_add(struct timeline *t, uint64_t time_ns, uint64_t bytes, uint64_t blocks)
{
    add(t, &t->heap, (struct timeline_point){time_ns, bytes, blocks});
}

void timeline_add_rss(struct timeline *t, uint64_t time_ns, uint64_t rss_bytes)
{
    add(t, &t->rss, (struct timeline_point){time_ns, rss_bytes, 0});
}

static size_t points(const struct timeline_series *s, size_t cap, struct timeline_point *out)
{
    size_t n = 0;
    for (size_t i = 0; i < cap; i++) {
        if (s->used[i])
            out[n++] = s->buckets[i];
    }
    return n;
}

size_t timeline_points(const struct timeline *t, struct timeline_point *out)
{
    return points(&t->heap, t->cap, out);
}

size_t timeline_rss_points(const struct timeline *t, struct timeline_point *out)
{
    return points(&t->rss, t->cap, out);
}
