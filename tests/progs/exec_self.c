/* Leaks 11 bytes, then execs itself (same pid) as "exec_self child", which leaks 22. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    volatile char *p = malloc(argc > 1 ? 22 : 11);
    p[0] = 1;
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return 0;
    execl("/proc/self/exe", argv[0], "child", (char *)NULL);
    return 9;
}
