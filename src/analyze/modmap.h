/*
 * Module maps over time: the maps a trace describes one after another (MODULES_BEGIN, then
 * one MODULE record per loaded object), kept so that a stack can be bound to the map of
 * its moment by a small position and resolved only when it is reported. Modules are
 * indexes the caller owns; this file knows nothing of files, symbols or traces.
 */
#ifndef HEAPWISE_ANALYZE_MODMAP_H
#define HEAPWISE_ANALYZE_MODMAP_H

#include <stddef.h>
#include <stdint.h>

struct modmap_gen;

struct modmap {
    struct modmap_gen *gens; /* ngens maps, in trace order; the last is the current one */
    size_t ngens, cap;
};

/* The current map as it is at one moment: which map, and how many of its modules. */
struct modmap_pos {
    uint32_t gen;   /* index in gens */
    uint32_t count; /* modules added to it so far */
};

/* Make an empty history (no module mapped). Never fails. */
void modmap_init(struct modmap *mm);

void modmap_fini(struct modmap *mm);

/* A MODULES_BEGIN: modules added from now on form a new map. 0, or -ENOMEM. */
int modmap_begin(struct modmap *mm);

/* Module index `module`, mapped over [start, end), joins the current map. 0, or -ENOMEM. */
int modmap_add(struct modmap *mm, uint64_t start, uint64_t end, long module);

/* Where the history stands now; a map someone holds a position in is kept for good. */
struct modmap_pos modmap_now(struct modmap *mm);

/*
 * The module covering address in the map at pos, or -1. As a lookup at that moment found
 * it: the module with the highest start at or below address (the latest added among equal
 * starts), if address lies below its end.
 */
long modmap_find(struct modmap *mm, struct modmap_pos pos, uint64_t address);

#endif
