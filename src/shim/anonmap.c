/*
 * Recognising a glibc malloc heap and a thread stack by their own bytes (anonmap.h).
 * Reads words of the mapping it is given and nothing else.
 */
#include "config.h"

#include "shim/anonmap.h"

#include <stddef.h>

/* Word size and the TCB's alignment step. */
#define WORD 8
#define TCB_STEP 16
/* tcbhead_t: tcb (self) at 0, dtv at 8, self at 16. */
#define TCB_SELF_OFFSET 16

typedef uint64_t __attribute__((may_alias)) anon_word;

static uint64_t word_at(uint64_t addr)
{
    return *(const anon_word *)(uintptr_t)addr;
}

int anonmap_is_malloc_heap(uint64_t start, uint64_t end)
{
    /* heap_info: ar_ptr, prev, size, mprotect_size */
    if (start % ANONMAP_HEAP_ALIGN != 0 || end - start < 4 * WORD)
        return 0;
    uint64_t arena = word_at(start), prev = word_at(start + WORD);
    uint64_t size = word_at(start + 2 * WORD), prot = word_at(start + 3 * WORD);
    return arena != 0 && prev % ANONMAP_HEAP_ALIGN == 0 && size != 0 &&
           size <= ANONMAP_HEAP_ALIGN && size <= prot && prot <= ANONMAP_HEAP_ALIGN;
}

uint64_t anonmap_thread_tp(uint64_t start, uint64_t end)
{
    if (end - start < TCB_SELF_OFFSET + WORD)
        return 0;
    uint64_t hi = (end - TCB_SELF_OFFSET - WORD) & ~(uint64_t)(TCB_STEP - 1);
    uint64_t lo = end - start > ANONMAP_TCB_WINDOW ? end - ANONMAP_TCB_WINDOW : start;
    for (uint64_t tp = hi; tp >= lo && tp >= start; tp -= TCB_STEP) {
        if (word_at(tp) == tp && word_at(tp + TCB_SELF_OFFSET) == tp)
            return tp;
    }
    return 0;
}
