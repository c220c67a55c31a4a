/*
 * Marking for the leak scan: a table of heap blocks sorted by address, the lookup of a
 * candidate pointer in it, and memcheck's classification (reachable, possibly lost,
 * indirectly lost, definitely lost) by conservative marking from roots the caller hands
 * in. Pure: it reads only the memory it is given (roots, and the user bytes of the blocks
 * it was told about), keeps its tables in mmap'd memory, never mallocs, never locks and
 * never recurses, so it runs inside an allocator and on any stack.
 *
 *   blocks[]  {start, size}  sorted by start, non-overlapping
 *   state[]   class (enum trace_leak_class, 0 = not reached yet) | MARK_QUEUED
 *   work[]    indexes of blocks whose contents wait to be scanned (at most count)
 *   order[]   the report order of the blocks (mark_order_lost)
 */
#ifndef HEAPWISE_SHIM_MARK_H
#define HEAPWISE_SHIM_MARK_H

#include <stddef.h>
#include <stdint.h>

#include "trace/format.h"

/* Not reached (yet): becomes LEAK_DEFINITE or LEAK_INDIRECT in mark_classify. */
#define MARK_UNREACHED 0
/* state[] bit: the block is on the work list. */
#define MARK_QUEUED 0x80u
/* state[] bit: mark_order_lost has placed the block. */
#define MARK_PLACED 0x40u
/* state[] bits of the class. */
#define MARK_CLASS_BITS 0x0fu

struct mark_block {
    uint64_t start; /* user address */
    uint64_t size;  /* user bytes; 0 is allowed and covers only `start` itself */
};

/*
 * The test memcheck's multipleinheritance heuristic needs: 1 when `addr` (8-aligned, above
 * page 0) is where an object's vtable pointer points. The caller's: mark.c is pure.
 */
typedef int (*mark_vtable_fn)(uint64_t addr, void *arg);

struct mark {
    mark_vtable_fn is_vtable;  /* NULL: no multipleinheritance heuristic */
    void *vtable_arg;          /* its argument */
    struct mark_block *blocks; /* count entries, sorted by start after mark_prepare */
    uint8_t *state;            /* per block: class | MARK_QUEUED */
    uint32_t *work;            /* work list (a stack) of block indexes */
    uint32_t *order;           /* mark_order_lost's report order, or NULL */
    size_t count;              /* blocks added */
    size_t cap;                /* entries blocks[] has room for */
    size_t top;                /* entries on the work list */
    uint64_t lo, hi;           /* lowest start and highest end: the quick reject */
};

/* Zero m; nothing is mapped until the first mark_add. */
void mark_init(struct mark *m);

/* Add a block (before mark_prepare). 0, -ENOMEM, or -EOVERFLOW past UINT32_MAX blocks. */
int mark_add(struct mark *m, uint64_t start, uint64_t size);

/* Sort blocks[] in place by start (heap sort: no recursion, no extra memory). */
void mark_sort(struct mark_block *b, size_t n);

/*
 * Sort the blocks (skipped when already in order), map state[] and work[], every block
 * unreached. 0 or -ENOMEM.
 */
int mark_prepare(struct mark *m);

/*
 * The index of the block holding `word` (start <= word < start + size; a zero-size block
 * holds only its start), or -1. *at_start is set to 1 for a pointer to the start, else 0.
 */
long mark_find(const struct mark *m, uint64_t word, int *at_start);

/* The index of the first block starting at lo or above (count if none; after mark_prepare). */
size_t mark_first_from(const struct mark *m, uint64_t lo);


/*
 * A root: every 8-aligned word of [mem, mem + len) that points into a block marks it
 * reachable (start pointer) or possibly reachable (interior pointer only). The caller
 * guarantees the range is readable. Call mark_propagate after the last root.
 *
 * Like memcheck (its default --leak-check-heuristics=all), an interior pointer from a root
 * or a reachable block counts as a start pointer when it is what C++ or a common C idiom
 * keeps: 8 bytes in, after a count that divides the rest (new[] of objects with a
 * destructor; a 64-bit length prefix), 24 bytes in, at the text of a copy-on-write
 * std::string (length <= capacity, capacity + 25 = block size), or at a second vtable
 * pointer of an object whose first word is a vtable pointer too (multiple inheritance;
 * needs is_vtable).
 */
void mark_root(struct mark *m, const void *mem, size_t len);

/*
 * Before the roots: class block i reachable without ever scanning it, so that nothing it
 * points to is reached through it (a block that __libc_freeres would free before memcheck
 * looks, such as the environment array).
 */
void mark_hold(struct mark *m, size_t i);

/* Scan what the roots reached, transitively, until the work list is empty. */
void mark_propagate(struct mark *m);

/*
 * After mark_propagate: class every unreached block. In address order, each block not
 * yet classed leads a walk that marks everything unreached it reaches (through start or
 * interior pointers) indirect; blocks no walk reached end definite. A lost cycle thus has
 * one definite block (its lowest unreached entry) and the rest indirect, as in memcheck.
 */
void mark_classify(struct mark *m);

/* The enum trace_leak_class of block i (after mark_classify). */
static inline unsigned mark_class(const struct mark *m, size_t i)
{
    return m->state[i] & MARK_CLASS_BITS;
}

/*
 * After mark_classify: the order in which to report the blocks, so that each indirectly
 * lost block follows the definitely lost block that holds it, as memcheck attributes it
 * (in address order, each definite block leads a walk over the indirect blocks it reaches
 * that no earlier walk took). Fills order[0..count): first every block not lost, and any
 * indirect block no walk reached, in address order; then each definite block followed by
 * those its walk took, into m->order (mapped here; count entries). Uses the work list.
 * 0, or -ENOMEM.
 */
int mark_order_lost(struct mark *m);

/* Unmap everything; m is left as after mark_init. */
void mark_release(struct mark *m);

#endif
