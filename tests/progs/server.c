/*
 * A server that never exits on its own: it keeps one 100-byte block reachable (a global),
 * loses 300 bytes (leak_request), prints "server: ready PID" and then waits for signals
 * until it is killed. Each SIGUSR1 makes it lose 200 bytes more (leak_more) and print
 * "server: leaked N" (N counts them). With the argument "own-usr2" it installs a SIGUSR2
 * handler of its own at start, and prints "server: got SIGUSR2 N" for each one.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEPT_SIZE 100
#define LOST_SIZE 300
#define MORE_SIZE 200

static volatile sig_atomic_t more_asked, usr2_seen;
char *volatile kept; /* the reachable block */

static void on_usr1(int sig)
{
    (void)sig;
    more_asked++;
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2_seen++;
}

static void leak_request(void)
{
    char *volatile p = malloc(LOST_SIZE); /* MARK:lost */
    memset(p, 1, LOST_SIZE);
    p = NULL;
}

static void leak_more(void)
{
    char *volatile p = malloc(MORE_SIZE); /* MARK:more */
    memset(p, 2, MORE_SIZE);
    p = NULL;
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
    int done = 0, seen = 0;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    handle(SIGUSR1, on_usr1);
    if (argc > 1 && strcmp(argv[1], "own-usr2") == 0)
        handle(SIGUSR2, on_usr2);
    kept = malloc(KEPT_SIZE);
    memset(kept, 3, KEPT_SIZE);
    leak_request();
    printf("server: ready %ld\n", (long)getpid());
    fflush(stdout);
    sigprocmask(SIG_BLOCK, &block, &old);
    for (;;) {
        while (done == more_asked && seen == usr2_seen)
            sigsuspend(&old); /* no signal is lost between the test and the wait */
        for (; done < more_asked; done++)
            leak_more();
        if (done)
            printf("server: leaked %d\n", done);
        for (; seen < usr2_seen; seen++)
            printf("server: got SIGUSR2 %d\n", seen + 1);
        fflush(stdout);
    }
}
