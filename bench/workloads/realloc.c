/*
 * Workload 5 of the benchmark: realloc growth. BUFFERS buffers grow side by side by small
 * random steps up to about 16 KiB (every realloc may move), then are freed; repeated.
 *
 *   realloc BUFFERS ROUNDS
 */
#include <stdint.h>
#include <stdlib.h>

/* Size a buffer grows to before it is freed. */
#define GROW_TO 16384

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static __attribute__((noinline)) char *grow(char *p, size_t n)
{
    char *q = realloc(p, n);
    q[n - 1] = (char)n;
    return q;
}

int main(int argc, char **argv)
{
    size_t buffers = argc > 1 ? strtoull(argv[1], NULL, 10) : 256;
    unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 100;
    uint64_t seed = 88172645463325252ull;
    char **buf = calloc(buffers, sizeof(*buf));
    size_t *len = calloc(buffers, sizeof(*len));
    if (!buf || !len)
        return 1;
    for (unsigned r = 0; r < rounds; r++) {
        for (int grown = 1; grown;) {
            grown = 0;
            for (size_t i = 0; i < buffers; i++) {
                if (len[i] >= GROW_TO)
                    continue;
                len[i] += 1 + next_rand(&seed) % 128;
                buf[i] = grow(buf[i], len[i]);
                grown = 1;
            }
        }
        for (size_t i = 0; i < buffers; i++) {
            free(buf[i]);
            buf[i] = NULL;
            len[i] = 0;
        }
    }
    free(buf);
    free(len);
    return 0;
}
