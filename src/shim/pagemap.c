/*
 * Blocks on their own pages (pagemap.h). Owns only the mapping arithmetic; the guard
 * header, the block map and the records are the guard's. Never mallocs, never locks.
 */
#include "config.h"

#include "shim/pagemap.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace/blockhdr.h"

void *pagemap_alloc(size_t bytes, size_t a)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), len;
    if (__builtin_add_overflow(bytes, PAGEMAP_OFF(a) + BLOCKHDR_CANARY + page - 1, &len)) {
        errno = ENOMEM;
        return NULL;
    }
    len &= ~(page - 1);
    /* MAP_NORESERVE: a mapping the kernel never merges with the program's own anonymous
     * ones, which the leak scan takes for roots unless they hold a block */
    void *base =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    uint64_t len64 = len;
    memcpy(base, &len64, sizeof(len64));
    return base;
}

size_t pagemap_len(const void *base)
{
    uint64_t len;
    memcpy(&len, base, sizeof(len));
    return (size_t)len;
}

void pagemap_free(void *base)
{
    munmap(base, pagemap_len(base));
}
