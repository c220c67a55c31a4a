/*
 * Leaks 128 bytes, prints, then dies of SIGTERM sent to itself, or with an argument
 * "segv", of a write through a null pointer (SIGSEGV), or "abort", of abort() (SIGABRT);
 * with "handled" it catches SIGTERM first, and its handler prints and exits 3.
 * memcheck: definitely lost 128 bytes in 1 blocks (it runs its leak check before the
 * signal's default action, as heapwise does).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int *volatile nowhere;

static void on_term(int sig)
{
    (void)sig;
    static const char msg[] = "die_signal: handled\n";
    fwrite(msg, 1, sizeof(msg) - 1, stdout);
    fflush(stdout);
    exit(3);
}

__attribute__((noinline)) static void lose(void)
{
    volatile char *p = malloc(128); /* MARK:lose */
    p[0] = 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "handled") == 0)
        signal(SIGTERM, on_term);
    lose();
    printf("die_signal: about to die\n");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "segv") == 0)
        *nowhere = 1;
    else if (argc > 1 && strcmp(argv[1], "abort") == 0)
        abort();
    else
        raise(SIGTERM);
    return 0;
}
