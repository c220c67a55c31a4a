/*
 * Before fork: 100 bytes lost (both processes inherit the loss), 200 bytes the child
 * frees and the parent frees too, 300 bytes still reachable. The child leaks 55 bytes of
 * its own and exits 3; the parent waits, then leaks 44 bytes and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void *keep; /* not static: the compiler must keep the store (still reachable) */

static char *lose(size_t n)
{
    char *p = malloc(n); /* MARK:lose */
    memset(p, 1, n);
    return p;
}

static void child(char *inherited)
{
    free(inherited); /* MARK:child_free */
    lose(55);        /* MARK:child_leak */
    printf("fork_child: child\n");
    exit(3);
}

int main(void)
{
    lose(100); /* MARK:inherited_leak */
    char *inherited = malloc(200);
    keep = malloc(300);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0)
        child(inherited);
    int status;
    waitpid(pid, &status, 0);
    free(inherited);
    lose(44); /* MARK:parent_leak */
    printf("fork_child: parent, child exited %d\n", WEXITSTATUS(status));
    return 0;
}
