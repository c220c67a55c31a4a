/*
 * Daemon-style descriptor hygiene in the middle of a run: after leaking 77 bytes it
 * closes every descriptor from 3 to 1023 ("close"), or puts the file argv[2] under
 * every one of those numbers ("replace", as a daemon redirecting to a log file would),
 * then allocates and frees 1000 blocks and leaks 33 bytes more. Prints how many bytes
 * the file holds at the end: the trace must never be written into it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FD_LAST 1023

__attribute__((noinline)) static void lose(size_t n)
{
    volatile char *p = malloc(n); /* MARK:lose */
    p[0] = 1;
}

static int replace_all(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    for (int i = 3; i <= FD_LAST; i++)
        if (i != fd)
            dup2(fd, i);
    return fd;
}

int main(int argc, char **argv)
{
    int replace = argc > 2 && strcmp(argv[1], "replace") == 0, fd = -1;
    lose(77);
    if (replace)
        fd = replace_all(argv[2]);
    else
        for (int i = 3; i <= FD_LAST; i++)
            close(i);
    for (int i = 0; i < 1000; i++)
        free(malloc(16 + (size_t)i % 100));
    lose(33);
    struct stat st = {0};
    if (replace && fstat(fd, &st) < 0)
        return 1;
    printf("closefds: done, %lld bytes in the file\n", (long long)st.st_size);
    return 0;
}
