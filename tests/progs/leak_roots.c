/*
 * Roots beyond globals and live stacks, with the answer valgrind memcheck gives at exit:
 *   still reachable: 48 bytes in 1 blocks  (its only pointer in an anonymous mmap)
 *   definitely lost: 278 bytes in 9 blocks (4 x 24 bytes a joined thread returned and
 *                    nobody kept; 4 x 40 bytes held only by a finished thread's TLS; the
 *                    22-byte string given to putenv: freeres clears the environment)
 * Before exit it asks heapwise_leak_check, which (like memcheck's on-demand check) still
 * sees the finished threads' TLS and results, the environment, and the thread vectors of
 * the loader as possibly lost at worst: it prints "on demand: 0".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "heapwise.h"

#define THREADS 4

static __thread void *volatile tls_block; /* volatile: the store must stay */

static void *work(void *arg)
{
    (void)arg;
    tls_block = malloc(40); /* MARK:tls_block */
    return malloc(24);      /* MARK:returned */
}

int main(void)
{
    void **region = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        return 1;
    region[100] = malloc(48); /* MARK:in_mmap */
    setenv("HEAPWISE_LEAK_ROOTS_SET", "copied by libc", 1);
    putenv(strdup("HEAPWISE_LEAK_ROOTS=1")); /* MARK:putenv */
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    if (heapwise_leak_check)
        printf("on demand: %zu\n", heapwise_leak_check());
    else
        printf("on demand: unknown\n");
    return 0;
}
