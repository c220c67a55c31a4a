/* Leaks exactly 600 bytes in 3 blocks from two functions, prints a line, exits 7. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void *leak_pair(size_t n)
{
    return malloc(n); /* MARK:leak_pair */
}

__attribute__((noinline)) void *leak_once(void)
{
    return calloc(3, 100); /* MARK:leak_once */
}

int main(void)
{
    void *keep[3];
    volatile int pairs = 2; /* opaque: the loop stays a loop at any -O */
    for (int i = 0; i < pairs; i++)
        keep[i] = leak_pair(100 * (size_t)(i + 1)); /* one call site: one stack */
    keep[2] = leak_once();
    void *tmp = malloc(5000);
    free(tmp);
    printf("leak_c: %d\n", keep[0] != keep[1] && keep[2] != NULL);
    return 7;
}
