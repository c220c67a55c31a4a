/*
 * Workload 4 of the benchmark: live-set pressure. Each round allocates BLOCKS small
 * blocks (16-128 bytes, written), keeps them all live, then frees them in a shuffled
 * order. Peak RSS is dominated by the live set, so the tracer's per-block memory shows.
 *
 *   liveset BLOCKS ROUNDS
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static __attribute__((noinline)) void *make(uint64_t r)
{
    size_t n = 16 + r % 113;
    char *p = malloc(n);
    memset(p, (int)r, n);
    return p;
}

int main(int argc, char **argv)
{
    size_t blocks = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 4;
    uint64_t seed = 88172645463325252ull;
    void **live = malloc(blocks * sizeof(*live));
    if (!live)
        return 1;
    for (unsigned r = 0; r < rounds; r++) {
        for (size_t i = 0; i < blocks; i++)
            live[i] = make(next_rand(&seed));
        for (size_t i = blocks - 1; i > 0; i--) {
            size_t j = next_rand(&seed) % (i + 1);
            void *t = live[i];
            live[i] = live[j];
            live[j] = t;
        }
        for (size_t i = 0; i < blocks; i++)
            free(live[i]);
    }
    free(live);
    return 0;
}
