/*
 * Checkpoints: heapwise_leaks_since counts only the definitely lost blocks allocated
 * after the mark. Loses 24 bytes before any mark, 40 after mark 1, a 100-byte block
 * reallocated to 56 after mark 2 (a realloc is a new allocation), and prints, one per
 * line: leaks_since(mark1), leaks_since(mark2), leak_check(), leaks_since(mark3) after a
 * clean stretch. Prints "unknown" without heapwise (the weak symbols are NULL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapwise.h"

/* Allocate n bytes and drop the only pointer to them (realloc'ed to m first when m). */
__attribute__((noinline)) static void lose(size_t n, size_t m)
{
    char *volatile p = malloc(n);
    if (p && m)
        p = realloc(p, m);
    if (p)
        memset(p, 'x', m ? m : n);
    p = NULL;
}

/* Allocate and free: nothing leaks. */
__attribute__((noinline)) static void clean(void)
{
    for (int i = 0; i < 100; i++)
        free(malloc((size_t)i + 1));
}

int main(void)
{
    if (!heapwise_checkpoint || !heapwise_leaks_since || !heapwise_leak_check) {
        printf("unknown\n");
        return 0;
    }
    char *volatile kept = malloc(100); /* allocated before mark 2, realloc'ed after it */
    lose(24, 0);
    unsigned long m1 = heapwise_checkpoint();
    lose(40, 0);
    unsigned long m2 = heapwise_checkpoint();
    kept = realloc(kept, 56);
    kept = NULL; /* lost: 56 bytes, allocated (by realloc) after mark 2 */
    printf("%zu\n", heapwise_leaks_since(m1));
    printf("%zu\n", heapwise_leaks_since(m2));
    printf("%zu\n", heapwise_leak_check());
    unsigned long m3 = heapwise_checkpoint();
    clean();
    printf("%zu %d\n", heapwise_leaks_since(m3), m3 > m2 && m2 > m1 && m1 > 0);
    return 0;
}
