/* leak_more N: leaks N blocks of 64 bytes from leak_some(), and allocates and frees the
 * same 100 bytes in steady() whatever N is (two runs differ at exactly one site). */
#include <stdio.h>
#include <stdlib.h>

static void *kept[64];

void steady(void)
{
    void *p = malloc(100);
    kept[0] = p;
    free(kept[0]);
    kept[0] = NULL;
}

void leak_some(int n)
{
    for (int i = 0; i < n; i++)
        kept[i] = malloc(64); /* MARK:leak */
    for (int i = 0; i < n; i++)
        kept[i] = NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    if (n < 0 || n > 64)
        return 2;
    steady();
    leak_some(n);
    printf("leak_more: %d\n", n);
    return 0;
}
