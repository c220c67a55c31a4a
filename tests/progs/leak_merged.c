/*
 * A root in an anonymous mapping the kernel merged with the real allocator's mapping of a
 * big block: the program maps a page right before that block's mapping (one line of
 * /proc/self/maps then holds both), keeps its only pointer to a 40-byte block there, and
 * drops its only pointer to the big block. memcheck: still reachable 40 bytes in 1 blocks,
 * definitely lost 1048576 bytes in 1 blocks. Prints "merged" when the two mappings are one
 * (the page goes before the block's mapping, else after it, else anywhere: "apart").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

/* The end of the /proc/self/maps line holding addr (0 if none), its start in *start. */
static uintptr_t mapping_end(uintptr_t addr, uintptr_t *start)
{
    FILE *f = fopen("/proc/self/maps", "r");
    unsigned long lo, hi, found = 0;
    char line[512];
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) {
            found = hi;
            *start = lo;
        }
    }
    if (f)
        fclose(f);
    return found;
}

int main(void)
{
    char *volatile big = malloc(1 << 20); /* MARK:big */
    uintptr_t lo = 0, end = mapping_end((uintptr_t)big, &lo);
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
    void **page = mmap((void *)(lo - 4096), 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (page == MAP_FAILED) /* taken: after it, then anywhere */
        page = mmap((void *)end, 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (page == MAP_FAILED)
        page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!end || page == MAP_FAILED)
        return 1;
    page[7] = malloc(40); /* MARK:kept */
    uintptr_t lo2 = 0, end2 = mapping_end((uintptr_t)big, &lo2);
    printf("%s\n", (uintptr_t)page >= lo2 && (uintptr_t)page < end2 ? "merged" : "apart");
    big = NULL;
    return 0;
}
