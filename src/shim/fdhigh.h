/*
 * Descriptors heapwise keeps open inside the program (the trace, /proc/self/statm) live
 * at high numbers, out of the way of programs that expect the small ones for themselves
 * (shells use up to 255). Header-only: one fcntl, no allocation.
 */
#ifndef HEAPWISE_SHIM_FDHIGH_H
#define HEAPWISE_SHIM_FDHIGH_H

#include <fcntl.h>
#include <unistd.h>

/* Lowest descriptor number heapwise moves its own descriptors to. */
#define FDHIGH_MIN 700

/*
 * fd moved to FDHIGH_MIN or above (close-on-exec) when it can be (the limit on open files
 * may be lower); returns the descriptor to use from now on, fd itself when it stays.
 */
static inline int fdhigh_move(int fd)
{
    int high = fcntl(fd, F_DUPFD_CLOEXEC, FDHIGH_MIN);
    if (high < 0)
        return fd;
    close(fd); /* drops no lock: flock belongs to the open file, shared by dups */
    return high;
}

#endif
