/*
 * The symbol index of one module: which ELF symbol names an address, exactly as
 * dwfl_module_addrinfo (elfutils 0.188) chooses it, in O(log n) instead of its scan of the
 * whole symbol table per address (a stripped cc1plus has 31 k symbols: a report with a
 * few thousand distinct addresses spent nearly all its time there). Knows nothing of
 * traces, stacks or DWARF; never prints.
 */
#ifndef HEAPWISE_ANALYZE_SYMINDEX_H
#define HEAPWISE_ANALYZE_SYMINDEX_H

#include <elfutils/libdwfl.h>

struct symindex;

/*
 * Index the symbol table of mod (reported, open). NULL when out of memory or when its
 * symbols cannot be indexed exactly (function descriptors, addresses that wrap): the
 * caller then asks dwfl_module_addrinfo.
 */
struct symindex *symindex_build(Dwfl_Module *mod);

/*
 * The name of the symbol dwfl_module_addrinfo(mod, addr, ...) would return: 1 with *name
 * (NULL when no symbol covers addr; valid while mod is), or 0 when the index cannot decide
 * (an address inside more than SYMINDEX_NESTED symbols): ask libdw then.
 */
int symindex_lookup(const struct symindex *ix, Dwfl_Module *mod, GElf_Addr addr, const char **name);

/* Nested sized symbols one lookup examines at most before it defers to libdw. */
#define SYMINDEX_NESTED 32

/* NULL is fine. */
void symindex_free(struct symindex *ix);

#endif
