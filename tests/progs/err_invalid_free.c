/* Frees five pointers heapwise never handed out; none may crash the program. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "opaque.h"

static int global_int;

__attribute__((noinline)) void free_stack(void)
{
    int local = 0;
    free(opaque(&local)); /* MARK:free_stack */
}

__attribute__((noinline)) void free_global(void)
{
    free(opaque(&global_int)); /* MARK:free_global */
}

__attribute__((noinline)) void free_interior(char *block)
{
    free(opaque(block + 8)); /* MARK:free_interior */
}

__attribute__((noinline)) void free_never(void)
{
    free(opaque((void *)0x12345670)); /* MARK:free_never */
}

__attribute__((noinline)) void free_unmapped(void)
{
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page, 4096);
    free(opaque(page)); /* MARK:free_unmapped */
}

int main(void)
{
    char *block = malloc(100);
    free_stack();
    free_global();
    free_interior(block);
    free_never();
    free_unmapped();
    free(block);
    printf("err_invalid_free: survived 5 invalid frees\n");
    return 0;
}
