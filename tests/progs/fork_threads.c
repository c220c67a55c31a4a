/*
 * Forks 100 times while 4 threads allocate and free without pause; each child frees a
 * block it inherited, allocates, and _exits 0 at once. The parent leaks nothing. The
 * test is that every fork returns and every child exits (no deadlock in either).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define FORKS 100

static atomic_int stop;

static void *churn(void *arg)
{
    (void)arg;
    for (unsigned i = 0; !atomic_load(&stop); i++)
        free(malloc(16 + i % 512));
    return NULL;
}

static int fork_once(void)
{
    char *inherited = malloc(64);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        free(inherited);
        free(malloc(32));
        _exit(0);
    }
    int status;
    free(inherited);
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0
               ? 0 : -1;
}

int main(void)
{
    pthread_t t[THREADS];
    int bad = 0;
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, churn, NULL);
    for (int i = 0; i < FORKS; i++)
        bad += fork_once() < 0;
    atomic_store(&stop, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("fork_threads: %d forks, %d failed\n", FORKS, bad);
    return bad != 0;
}
