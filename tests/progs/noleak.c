/* Uses every C allocation entry point and frees everything it allocates. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *a = malloc(10);
    char *b = calloc(4, 8);
    a = realloc(a, 1000);
    char *c = reallocarray(NULL, 10, 10);
    void *d = NULL;
    if (posix_memalign(&d, 64, 100) != 0)
        return 1;
    void *e = aligned_alloc(32, 64);
    void *f = memalign(128, 10);
    void *g = valloc(10);
    void *h = pvalloc(10);
    char *s = strdup("hello");
    if (malloc_usable_size(a) < 1000 || ((unsigned long)d & 63) || ((unsigned long)f & 127))
        return 2;
    free(a), free(b), free(c), free(d), free(e), free(f), free(g), free(h), free(s);
    free(NULL);
    void *z = realloc(NULL, 5);
    z = realloc(z, 0);
    if (z)
        return 3;
    printf("noleak: ok\n");
    return 0;
}
