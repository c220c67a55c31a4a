/*
 * The registry of heapwise's own mappings (ownmem.h): a fixed array claimed with an atomic
 * counter; a slot's size is stored (release) after its start, so a reader that sees a
 * size sees the start too.
 */
#include "config.h"

#include "shim/ownmem.h"

#include <stdatomic.h>
#include <sys/mman.h>

struct slot {
    _Atomic uint64_t start;
    _Atomic uint64_t bytes; /* 0 until the slot is filled */
};

static struct slot slots[OWNMEM_MAX];
static _Atomic size_t claimed;

void *ownmem_map(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    size_t i = atomic_fetch_add(&claimed, 1);
    if (i < OWNMEM_MAX) {
        atomic_store_explicit(&slots[i].start, (uintptr_t)p, memory_order_relaxed);
        atomic_store_explicit(&slots[i].bytes, bytes, memory_order_release);
    }
    return p;
}

size_t ownmem_count(void)
{
    size_t n = atomic_load(&claimed);
    return n < OWNMEM_MAX ? n : OWNMEM_MAX;
}

int ownmem_get(size_t i, uint64_t *start, uint64_t *bytes)
{
    *bytes = atomic_load_explicit(&slots[i].bytes, memory_order_acquire);
    *start = atomic_load_explicit(&slots[i].start, memory_order_relaxed);
    return *bytes ? 0 : -1;
}
