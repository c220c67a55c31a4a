/*
 * Memory over time: the live heap bytes and blocks after every event, and the resident
 * set size of every SAMPLE record, folded into a bounded number of time buckets while
 * the trace streams by. Both series share one clock origin (the first time given to
 * either) and one bucket width. A bucket keeps the largest value seen in it (and when,
 * and for the heap the blocks live then), so the peak of the whole run is always one of
 * the points, whatever the trace length. Memory is fixed at init; never prints.
 */
#ifndef HEAPWISE_ANALYZE_TIMELINE_H
#define HEAPWISE_ANALYZE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

/* One bucket, or one point of a finished series. */
struct timeline_point {
    uint64_t time_ns; /* when bytes was reached, since the origin */
    uint64_t bytes;   /* live requested bytes, or resident bytes (the bucket's maximum) */
    uint64_t blocks;  /* live blocks at that moment (0 in the RSS series) */
};

/* The buckets of one series. */
struct timeline_series {
    struct timeline_point *buckets; /* cap entries; used[i] says which hold a point */
    unsigned char *used;
};

struct timeline {
    struct timeline_series heap; /* live heap after allocation events */
    struct timeline_series rss;  /* resident set size samples */
    size_t cap;                  /* most points kept per series (even, >= 2) */
    uint64_t width_ns;           /* time covered by one bucket; doubles when time runs past cap */
    uint64_t first_ns;           /* the origin: the first time given (bucket 0 starts there) */
    int started;
};

/* Keep at most max_points per series (rounded up to an even number >= 2). 0, or -ENOMEM. */
int timeline_init(struct timeline *t, size_t max_points);
void timeline_fini(struct timeline *t);

/*
 * After an event at time_ns (any clock, ns): bytes and blocks are live. A time earlier
 * than the origin counts as at the origin. Never fails.
 */
void timeline_add(struct timeline *t, uint64_t time_ns, uint64_t bytes, uint64_t blocks);

/* A resident set size sample at time_ns (the clock of timeline_add). Never fails. */
void timeline_add_rss(struct timeline *t, uint64_t time_ns, uint64_t rss_bytes);

/*
 * The heap points in time order into out (room for t->cap entries); returns how many.
 * Their largest bytes is the largest ever given to timeline_add.
 */
size_t timeline_points(const struct timeline *t, struct timeline_point *out);

/* The same for the RSS series (largest: the largest sample given). */
size_t timeline_rss_points(const struct timeline *t, struct timeline_point *out);

#endif
