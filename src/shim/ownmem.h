/*
 * heapwise's own long-lived anonymous mappings that hold the program's block addresses
 * (the quarantine's slots, the stack table), registered so that the leak scan never takes
 * them for the program's memory: a stale slot naming an address a new block now has would
 * keep a leak reachable. Lock-free; mmap only, never malloc.
 */
#ifndef HEAPWISE_SHIM_OWNMEM_H
#define HEAPWISE_SHIM_OWNMEM_H

#include <stddef.h>
#include <stdint.h>

/* Mappings that can be registered; later ones are mapped but not registered. */
#define OWNMEM_MAX 16

/* A zero-filled private anonymous mapping of `bytes` (MAP_NORESERVE), registered; NULL
 * with errno on failure. Never unmapped. */
void *ownmem_map(size_t bytes);

/* Registered mappings so far. */
size_t ownmem_count(void);

/* The i-th registered mapping (i < ownmem_count()): *start and *bytes; 0, or -1 while the
 * slot is still being filled. */
int ownmem_get(size_t i, uint64_t *start, uint64_t *bytes);

#endif
