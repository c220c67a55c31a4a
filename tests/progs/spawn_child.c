/*
 * posix_spawn: the parent leaks 16 bytes and spawns itself as "spawn_child child", which
 * leaks 48 and exits 3; the parent waits and exits with the child's status. Under
 * heapwise run both processes are traced and reported (valgrind --trace-children=yes).
 */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

__attribute__((noinline)) static void lose(size_t n)
{
    volatile char *p = malloc(n); /* MARK:lose */
    p[0] = 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        lose(48);
        return 3;
    }
    lose(16);
    char *args[] = {argv[0], "child", NULL};
    pid_t pid;
    int status = 0;
    if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0 ||
        waitpid(pid, &status, 0) != pid)
        return 9;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 8;
}
