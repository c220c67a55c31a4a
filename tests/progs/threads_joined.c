/*
 * Threads created and joined (glibc keeps their stacks, and the DTV each thread got from
 * ld.so, in its stack cache: that block is the C runtime's, not a leak), one of which
 * loses 40 bytes. Prints what heapwise_leak_check and heapwise_leaks_since (from a mark
 * taken before the threads) count: 40 each, the lost block alone.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapwise.h"

#define THREADS 3

static void *volatile sink;

__attribute__((noinline)) static void lose(void)
{
    char *p = malloc(40); /* MARK:lose */
    memset(p, 2, 40);
    sink = p;
    sink = NULL;
}

static void *run(void *arg)
{
    free(malloc(16));
    if (arg)
        lose();
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    unsigned long mark = heapwise_checkpoint ? heapwise_checkpoint() : 0;
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, run, i == 1 ? (void *)1 : NULL) != 0)
            return 3;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    size_t all = heapwise_leak_check ? heapwise_leak_check() : 0;
    size_t since = heapwise_leaks_since ? heapwise_leaks_since(mark) : 0;
    printf("threads_joined: %zu %zu\n", all, since);
    return 0;
}
