/*
 * Blocks on pages of their own, for an allocator call nested in another on the same
 * thread: a signal handler that interrupted malloc, where the real allocator may hold a
 * lock this thread can never get. mmap and munmap take no user-space lock.
 *
 *   base (page aligned)                          base + PAGEMAP_OFF(a)
 *   [ mapping length (u64) ... ][ guard header ][ user bytes ][ canary ] ... page end
 */
#ifndef HEAPWISE_SHIM_PAGEMAP_H
#define HEAPWISE_SHIM_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>

/* Offset of the user bytes from the base for alignment a (0 or a power of two). */
#define PAGEMAP_OFF(a) ((a) > 64 ? (a) : 64)

/*
 * Map a block for `bytes` user bytes (header and canary room included) aligned to a
 * (0: 16). Returns the base (the user pointer is base + PAGEMAP_OFF(a)), zero-filled, or
 * NULL with errno on failure.
 */
void *pagemap_alloc(size_t bytes, size_t a);

/* Bytes mapped for a block from pagemap_alloc, given its base. */
size_t pagemap_len(const void *base);

/* Unmap a block from pagemap_alloc, given its base. */
void pagemap_free(void *base);

#endif
