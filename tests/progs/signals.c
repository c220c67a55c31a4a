/*
 * Signals against a busy allocator. "handlers": SIGALRM (an interval timer) and SIGUSR1
 * (sent by a second thread) arrive while the main thread allocates and releases in a
 * loop, and both handlers allocate and release themselves; prints "signals: done" and,
 * on stderr, how many handlers ran. "segv": threads allocate in loops while the main
 * thread dies of SIGSEGV; "thread-segv": one of those threads dies of it instead; "abort":
 * the main thread calls abort() meanwhile. Everything the program keeps is freed, except
 * 100 bytes lost before the crash ones crash.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 100000
#define WORKERS 3
#define TIMER_US 200   /* SIGALRM period */
#define KICK_NS 100000 /* pause between two SIGUSR1 */
#define HANDLER_SIZE 40
#define CRASH_AFTER 5000 /* calls before a crash */

static volatile sig_atomic_t handled, stop;
static pthread_t main_thread;
int *volatile nowhere;

static void on_signal(int sig)
{
    (void)sig;
    char *p = malloc(HANDLER_SIZE);
    if (p) {
        p[0] = 1;
        free(p);
    }
    handled++;
}

static void *kicker(void *arg)
{
    (void)arg;
    struct timespec ts = {0, KICK_NS};
    while (!stop) {
        pthread_kill(main_thread, SIGUSR1);
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void churn(unsigned i)
{
    char *p = malloc(16 + i % 200);
    p[0] = (char)i;
    if (i % 5 == 0)
        p = realloc(p, 300 + i % 100);
    free(p);
}

static int handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    /* glibc's own malloc is not async-signal-safe: the handler's bin is primed so that
     * plain glibc serves it from the thread cache, without the arena lock (calloc never
     * uses that cache: it would deadlock on the lock the interrupted malloc holds) */
    free(malloc(HANDLER_SIZE));
    struct itimerval it = {{0, TIMER_US}, {0, TIMER_US}};
    setitimer(ITIMER_REAL, &it, NULL);
    pthread_t t;
    main_thread = pthread_self();
    pthread_create(&t, NULL, kicker, NULL);
    for (unsigned i = 0; i < ROUNDS; i++)
        churn(i);
    stop = 1;
    pthread_join(t, NULL);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("signals: done\n");
    fprintf(stderr, "signals: %d handlers ran\n", (int)handled);
    return handled > 0 ? 0 : 1;
}

static void *worker(void *arg)
{
    unsigned crash = arg != NULL;
    for (unsigned i = 0; !stop; i++) {
        churn(i);
        if (crash && i == CRASH_AFTER)
            *nowhere = 1;
    }
    return NULL;
}

static void crash(const char *how)
{
    pthread_t t[WORKERS];
    volatile char *lost = malloc(100);
    lost[0] = 1;
    lost = NULL;
    printf("signals: crashing\n");
    fflush(stdout);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker,
                       strcmp(how, "thread-segv") == 0 && i == 0 ? (void *)1 : NULL);
    for (unsigned i = 0; i < CRASH_AFTER; i++)
        churn(i);
    if (strcmp(how, "abort") == 0)
        abort();
    if (strcmp(how, "segv") == 0)
        *nowhere = 1;
    for (;;)
        churn(7);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "handlers") != 0)
        crash(argv[1]);
    return handlers();
}
