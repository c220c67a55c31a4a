/*
 * A thread drops its only pointer to a block, then blocks in pause() while main exits.
 * memcheck: the block is definitely lost (19 bytes); the block the thread keeps in a live
 * frame is still reachable (512 bytes); the thread's TLS vector is possibly lost. The
 * words heapwise's malloc left just below the blocked thread's stack pointer are dead.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_barrier_t parked;

__attribute__((noinline)) static void drop(void)
{
    char *volatile lost = malloc(19); /* MARK:drop */
    lost[0] = 1;
    lost = NULL;
}

static void *worker(void *arg)
{
    (void)arg;
    char *volatile kept = malloc(512); /* MARK:kept */
    drop();
    pthread_barrier_wait(&parked);
    for (;;)
        pause();
    return (void *)kept;
}

int main(void)
{
    pthread_t t;
    pthread_barrier_init(&parked, NULL, 2);
    pthread_create(&t, NULL, worker, NULL);
    pthread_barrier_wait(&parked);
    usleep(100 * 1000); /* the thread is in pause() */
    printf("thread_blocked: done\n");
    return 0;
}
