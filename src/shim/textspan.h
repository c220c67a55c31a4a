/*
 * The span of a loaded object's code: from the lowest to the highest address of its
 * executable PT_LOAD segments (one segment in the usual layout). Header-only, pure.
 */
#ifndef HEAPWISE_SHIM_TEXTSPAN_H
#define HEAPWISE_SHIM_TEXTSPAN_H

#include <link.h>
#include <stdint.h>

struct textspan {
    uintptr_t lo, hi; /* [lo, hi); empty (lo >= hi) for an object without code */
};

static inline struct textspan textspan_of(const struct dl_phdr_info *info)
{
    struct textspan t = {UINTPTR_MAX, 0};
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        t.lo = a < t.lo ? a : t.lo;
        t.hi = a + ph->p_memsz > t.hi ? a + ph->p_memsz : t.hi;
    }
    return t;
}

static inline int textspan_has(struct textspan t, uint64_t pc)
{
    return pc >= t.lo && pc < t.hi;
}

#endif
