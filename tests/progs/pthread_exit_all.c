/*
 * Every thread ends with pthread_exit, main first: glibc ends the process with exit(0)
 * from the last one (B), after main and A are gone. memcheck:
 *   definitely lost: 40 bytes in 1 blocks (B's, its pointer dropped)
 *   still reachable: 40 bytes in 2 blocks (A's, held by A's TLS: nobody joined A, so its
 *                    stack and TLS stay; and B's, held by a global)
 *     possibly lost: the TLS vectors of A and B (each thread's TCB points into its own)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread char *tls_block; /* not static: the stores stay at -O2 */
char *kept;
static volatile pid_t a_tid;

static void *thread_a(void *arg)
{
    (void)arg;
    tls_block = malloc(24);
    a_tid = (pid_t)syscall(SYS_gettid);
    pthread_exit(NULL);
}

/* 1 while thread `tid` of this process has not ended. */
static int alive(pid_t tid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
    return access(path, F_OK) == 0;
}

static void *thread_b(void *arg)
{
    (void)arg;
    while (alive(a_tid))
        usleep(1000);
    usleep(100 * 1000); /* main has left too */
    char *lost = malloc(40);
    lost[0] = 1;
    lost = NULL;
    kept = malloc(16);
    pthread_exit(lost);
}

int main(void)
{
    pthread_t a, b;
    if (pthread_create(&a, NULL, thread_a, NULL) != 0)
        return 1;
    while (a_tid == 0)
        usleep(1000);
    if (pthread_create(&b, NULL, thread_b, NULL) != 0)
        return 1;
    printf("pthread_exit_all: main leaves\n");
    fflush(stdout);
    pthread_exit(NULL);
}
