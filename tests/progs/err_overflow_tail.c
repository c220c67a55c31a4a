/*
 * An overflow that skips the 8-byte canary: a 4-byte write 8 bytes past the end of a
 * 40-byte block, then free(). memcheck: "Invalid write of size 4", 8 bytes after the
 * block; heapwise finds it in the tail the real allocator's rounding left past the canary.
 */
#include <stdlib.h>

#include "opaque.h"

int main(void)
{
    int *r = opaque(malloc(10 * sizeof(int)));
    r[12] = 5; /* MARK:write_far */
    free(r);   /* MARK:free_far */
    return 0;
}
