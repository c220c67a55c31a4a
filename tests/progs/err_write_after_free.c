/* Writes into a freed 64-byte block, then allocates enough to push it out of a small
 * quarantine (HEAPWISE_OPTIONS=quarantine_size=4096 in the test). */
#include <stdio.h>
#include <stdlib.h>

#include "opaque.h"

__attribute__((noinline)) char *alloc_victim(void)
{
    return malloc(64); /* MARK:alloc_victim */
}

__attribute__((noinline)) void free_victim(char *p)
{
    free(p); /* MARK:free_victim */
}

int main(void)
{
    char *p = alloc_victim();
    free_victim(p);
    ((char *)opaque(p))[3] = 'X';
    for (int i = 0; i < 1000; i++)
        free(opaque(malloc(100)));
    printf("err_write_after_free: still running\n");
    return 0;
}
