/*
 * A program that is done with its standard error before heapwise is: "close" closes fd 2
 * at exit from an atexit handler (as coreutils' close_stdout does), "reuse" closes fd 2
 * and opens the file argv[2] there, writes one line into it and exits. Both leak 24 bytes.
 * heapwise's lines must still reach the original standard error and never the file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *kept;

__attribute__((noinline)) static void lose(void)
{
    char *p = malloc(24); /* MARK:lose */
    memset(p, 1, 24);
    kept = p;
    kept = NULL;
}

static void close_stderr(void)
{
    close(STDERR_FILENO);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    lose();
    if (strcmp(argv[1], "close") == 0) {
        atexit(close_stderr);
    } else if (strcmp(argv[1], "reuse") == 0 && argc > 2) {
        close(STDERR_FILENO);
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd != STDERR_FILENO || write(fd, "data\n", 5) != 5)
            return 3;
    } else {
        return 2;
    }
    puts("stderr_reuse: done");
    return 0;
}
