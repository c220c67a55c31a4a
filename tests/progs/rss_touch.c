/*
 * Allocates 64 MiB, touches every page and holds it for 200 ms (twenty RSS samples at the
 * default interval), frees it and runs 50 ms more: the resident set size peaks at 64 MiB
 * and more, the live heap at exactly 64 MiB, and nothing leaks. Exits 0.
 * With the argument "child", a forked child does all that while the parent waits for it
 * (and first holds for 100 ms with nothing of its own touched).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG (64u << 20)

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

__attribute__((noinline)) static char *grow(void)
{
    char *big = malloc(BIG); /* MARK:grow */
    if (big)
        memset(big, 1, BIG);
    return big;
}

static int touch(void)
{
    char *big = grow();
    if (!big)
        return 1;
    pause_ms(200);
    int sum = big[0] + big[BIG - 1];
    free(big);
    pause_ms(50);
    return sum == 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "child") != 0)
        return touch();
    pause_ms(100);
    pid_t pid = fork();
    if (pid == 0)
        _exit(touch());
    int status = 1;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status)
                                                                           : 1;
}
