/*
 * Allocates N blocks (argv[1], default 20000) of 1..64 bytes, waits 300 ms (time for
 * heapwise's writer to put them in a frame of the data area), frees every other one,
 * prints what it did ("killed: allocations A frees F live L bytes B") and SIGKILLs itself:
 * no END record, no scan, and the newest records still in the ring, undrained. Every
 * event was committed before the kill (each call returns after its record).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000, frees = 0;
    unsigned long live_bytes = 0;
    char **v = calloc((size_t)n, sizeof(*v));
    for (long i = 0; i < n; i++) {
        v[i] = malloc(1 + (size_t)(i % 64));
        v[i][0] = 1;
    }
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    for (long i = 0; i < n; i += 2, frees++)
        free(v[i]);
    for (long i = 1; i < n; i += 2)
        live_bytes += 1 + (unsigned long)(i % 64);
    free(v); /* the pointers to the live blocks are gone, as they would be in a scan */
    printf("killed: allocations %ld frees %ld live %ld bytes %lu\n", n, frees, n - frees,
           live_bytes);
    fflush(stdout);
    raise(SIGKILL);
    return 0;
}
