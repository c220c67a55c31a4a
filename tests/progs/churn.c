/*
 * Allocation churn, as a long-running program makes it: N (argv[1], default 200000)
 * malloc/free pairs of 16..271 bytes from three call paths, one block in 16 kept for a
 * while (freed 64 pairs later), one leak at the end. Prints "churn: pairs N leaked 100".
 */
#include <stdio.h>
#include <stdlib.h>

#define KEEP 64 /* blocks kept alive a while at once */

static unsigned long state = 12345;

static size_t next_size(void)
{
    state = state * 6364136223846793005ul + 1442695040888963407ul;
    return 16 + (size_t)(state >> 33) % 256;
}

static void *from_a(size_t n)
{
    return malloc(n);
}

static void *from_b(size_t n)
{
    return malloc(n);
}

static void *from_c(size_t n)
{
    char *p = malloc(n);
    if (p)
        p[0] = 1;
    return p;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    void *kept[KEEP] = {0};
    for (long i = 0; i < n; i++) {
        size_t size = next_size();
        void *p = i % 3 == 0 ? from_a(size) : i % 3 == 1 ? from_b(size) : from_c(size);
        if (i % 16 == 0) {
            free(kept[i / 16 % KEEP]);
            kept[i / 16 % KEEP] = p;
        } else {
            free(p);
        }
    }
    for (int i = 0; i < KEEP; i++)
        free(kept[i]);
    void *leak = from_c(100);
    printf("churn: pairs %ld leaked %d\n", n, leak ? 100 : 0);
    return 0;
}
