/* 1 000 000 blocks of 24 bytes, all reachable from a global array at exit. */
#include <stdio.h>
#include <stdlib.h>

#define BLOCKS 1000000

void **volatile table;

int main(void)
{
    table = malloc(BLOCKS * sizeof(void *));
    for (int i = 0; i < BLOCKS; i++)
        table[i] = malloc(24);
    printf("many_live: %d blocks\n", BLOCKS);
    return 0;
}
