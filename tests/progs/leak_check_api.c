/*
 * The public on-demand leak check: loses one 40-byte block, asks heapwise_leak_check for
 * the definitely lost bytes and prints them ("unknown" without heapwise: the weak symbol
 * is NULL), then exits 0 without freeing anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapwise.h"

__attribute__((noinline)) static void lose_block(void)
{
    char *volatile p = malloc(40); /* MARK:lose_block */
    if (p)
        memset(p, 'x', 40);
    p = NULL; /* the only copy is gone */
}

int main(void)
{
    lose_block();
    if (heapwise_leak_check) {
        size_t n = heapwise_leak_check();
        printf("definitely lost: %zu\n", n);
    } else {
        printf("definitely lost: unknown\n");
    }
    return 0;
}
