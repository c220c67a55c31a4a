/*
 * Memory over time: the live heap bytes and blocks after every event, folded into a
 * bounded number of time buckets while the trace streams by. A bucket keeps the largest
 * live byte count seen in it (and when, and the blocks live then), so the peak of the
 * whole run is always one of the points, whatever the trace length. Memory is fixed at
 * init; never prints.
 */
#ifndef HEAPWISE_ANALYZE_TIMELINE_H
#define HEAPWISE_ANALYZE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

/* One bucket, or one point of the finished series. */
struct timeline_point {
    uint64_t time_ns; /* when bytes was reached, since the first event */
    uint64_t bytes;   /* live requested bytes (the bucket's maximum) */
    uint64_t blocks;  /* live blocks at that moment */
};

struct timeline {
    struct timeline_point *buckets; /* cap entries; used[i] says which hold a point */
    unsigned char *used;
    size_t cap;        /* most points kept (even, >= 2) */
    uint64_t width_ns; /* time covered by one bucket; doubles when time runs past cap */
    uint64_t first_ns; /* time of the first event (bucket 0 starts there) */
    int started;
};

/* Keep at most max_points (rounded up to an even number >= 2). 0, or -ENOMEM. */
int timeline_init(struct timeline *t, size_t max_points);
void timeline_fini(struct timeline *t);

/*
 * After an event at time_ns (any clock, ns): bytes and blocks are live. An event earlier
 * than the first one counts as at the first. Never fails.
 */
void timeline_add(struct timeline *t, uint64_t time_ns, uint64_t bytes, uint64_t blocks);

/*
 * The points in time order into out (room for t->cap entries); returns how many. Their
 * largest bytes is the largest ever given to timeline_add.
 */
size_t timeline_points(const struct timeline *t, struct timeline_point *out);

#endif
