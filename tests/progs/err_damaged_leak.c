/*
 * Damaged blocks still take part in the leak scan: a 24-byte block overflowed by one byte
 * and kept by a global (still reachable), and an 8-byte block whose header (the size
 * word's neighbour) was overwritten and then lost (definitely lost). memcheck: definitely
 * lost 8 bytes in 1 blocks, still reachable 24 bytes in 1 blocks, two invalid writes.
 */
#include <stdlib.h>

#include "opaque.h"

void *volatile kept;

int main(void)
{
    char *p = opaque(malloc(24));
    p[24] = 'x'; /* one past the end */
    kept = p;
    char *q = opaque(malloc(8));
    q[-3] = 7; /* into the header */
    q = NULL;
    return 0;
}
