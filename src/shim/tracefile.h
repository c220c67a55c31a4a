/*
 * The trace file of one process: its path (options.c's naming rules), its safe creation
 * (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600: an existing file or a symlink at the path is
 * never followed and never overwritten), the exclusive flock held for the life of the
 * process, the file header, and the MAP_SHARED mapping of page 0 + ring that the event
 * ring is laid over. Used at start and again by a forked child for its own trace. Only
 * system calls: no malloc, no stdio, no lock a forked child could inherit held.
 */
#ifndef HEAPWISE_SHIM_TRACEFILE_H
#define HEAPWISE_SHIM_TRACEFILE_H

#include <sys/types.h>

#include "shim/options.h"
#include "shim/ring.h"

struct tracefile {
    char path[OPTIONS_PATH_MAX]; /* where the trace is (after any fallback rename) */
    int fd;                      /* the trace, O_CLOEXEC, flock'ed; -1 when none */
    dev_t dev;                   /* identity of the trace file: fd still names it if fstat */
    ino_t ino;                   /* gives these two */
    unsigned char *map;          /* page 0 + ring area, MAP_SHARED; NULL when none */
    uint64_t map_len;            /* bytes of map (the header's data_offset) */
};

/*
 * Create the trace of process `pid` (program base name `prog`) as `o` says, write its
 * header and attach `ring` to its ring area. Returns 0, or -1 after one line on stderr
 * (tf then holds no file; the caller turns recording off).
 */
int tracefile_open(struct tracefile *tf, const struct options *o, pid_t pid, const char *prog,
                   struct ring *ring);

/*
 * The trace's descriptor, checked: tf->fd while it still names the trace. A program may
 * close every descriptor (daemons do) or put another file under the number: then the
 * trace is opened again by its path (O_NOFOLLOW, the same device and inode, locked
 * again, moved to a high number) and the program's number is left alone. Returns the
 * descriptor, or -1 when the trace is gone from its path. Not thread-safe: the writer
 * calls it under its consumer lock, shim_finish after the writer stopped.
 */
int tracefile_fd(struct tracefile *tf);

/*
 * 1 when the trace may grow to `end` bytes: the file size limit (RLIMIT_FSIZE, ulimit -f)
 * is not in the way. Writing past it would not fail quietly: the kernel sends SIGXFSZ,
 * whose default action kills the program.
 */
int tracefile_may_grow(uint64_t end);

/* After the final drain: give the ring area's blocks back (the file keeps its size). */
void tracefile_punch_ring(struct tracefile *tf, const struct options *o);

/*
 * In a forked child: let go of the parent's trace without touching it (close our copy
 * of its descriptor, which drops no lock, unless the program reused the number; and
 * unmap the shared ring). Async-signal-safe.
 */
void tracefile_forget(struct tracefile *tf);

#endif
