/*
 * memcheck's attribution of indirect leaks in the report: each group of indirectly lost
 * blocks is linked to the group of definitely lost blocks that holds it, the definite
 * group counts what it holds ("120 (24 direct, 96 indirect) bytes"), and the list is
 * reordered so that every definite group, largest total first, is followed by the groups
 * it holds; then everything else in its former order. Pure: works on the arrays it is
 * given, never prints.
 */
#ifndef HEAPWISE_ANALYZE_LEAKORDER_H
#define HEAPWISE_ANALYZE_LEAKORDER_H

#include <stddef.h>

#include "analyze/analyze.h"
#include "analyze/replay.h"

/*
 * leaks[0..n) came from groups[from[i]] (their held / holder_stack / stack / leak_class).
 * Sets indirect_bytes/_blocks and held_by, and reorders leaks in place. 0 or -ENOMEM.
 */
int leakorder_group(struct analyze_leak *leaks, size_t n, const struct replay_group *groups,
                    const size_t *from);

#endif
