/*
 * The trace file (see tracefile.h). Owns the path, the creation rules (a new file or
 * nothing: O_EXCL, O_NOFOLLOW, 0600), the two cases where something already at the path
 * is ours to handle (the trace of an earlier program image of this pid, moved aside; the
 * trace of a live traced process, sidestepped to "PATH.PID"), the header and the mapping.
 * Everything else found at the path is refused with one line on stderr. Must not
 * allocate, use stdio or follow a symlink.
 */
#include "config.h"

#include "shim/tracefile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shim/fdhigh.h"
#include "shim/guard.h"
#include "shim/log.h"
#include "shim/record.h"

/* Mode of a new trace: it holds the program's addresses and argv, for its owner only. */
#define TRACE_MODE 0600
/* Flags of every creation: a new file or nothing, never through a symlink. */
#define TRACE_CREATE (O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)
/* Highest N tried for an earlier image's "~N" name. */
#define EARLIER_MAX 1000

/* What is at the path when it already exists. */
enum existing { EXISTING_REFUSED = -1, EXISTING_MOVED = 1, EXISTING_LIVE = 2 };

static int fail(const struct tracefile *tf, const char *what)
{
    log_line("cannot ", what, " '", tf->path, "': ", strerrordesc_np(errno), "; recording off",
             NULL);
    return -1;
}

static int make_path(struct tracefile *tf, const struct options *o, pid_t pid, const char *prog)
{
    struct stat st;
    int is_dir = 0;
    if (o->output[0]) {
        if (options_expand_output(o, pid, tf->path) < 0)
            goto too_long;
        is_dir = stat(tf->path, &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (options_trace_path(o, is_dir, pid, prog, tf->path) == 0)
        return 0;
too_long:
    log_line("output path too long; recording off", NULL);
    return -1;
}

/*
 * The name an earlier program image of this process keeps: "PREFIX~N.PID.trace" for
 * the default "PREFIX.PID.trace" (so `heapwise run` and `heapwise report DIR` still find
 * it), else "PATH.~N"; N is the first that is free. 0 or -1.
 */
static int earlier_name(const char *path, pid_t pid, char *out, size_t len)
{
    char num[LOG_NUM_MAX], suffix[LOG_NUM_MAX + 8] = ".";
    strcat(strcat(suffix, log_num((uint64_t)pid, num)), ".trace");
    size_t plen = strlen(path), slen = strlen(suffix);
    int dflt = plen > slen && strcmp(path + plen - slen, suffix) == 0;
    for (unsigned n = 1; n < EARLIER_MAX; n++) {
        char digits[LOG_NUM_MAX];
        const char *d = log_num(n, digits);
        size_t base = dflt ? plen - slen : plen;
        if (base + strlen(d) + slen + 3 >= len)
            return -1;
        memcpy(out, path, base);
        out[base] = '\0';
        strcat(strcat(strcat(out, dflt ? "~" : ".~"), d), dflt ? suffix : "");
        struct stat st;
        if (lstat(out, &st) != 0 && errno == ENOENT)
            return 0;
    }
    return -1;
}

/* 1 when fd is a regular file of ours holding a heapwise trace header (into *h). */
static int is_our_trace(int fd, struct trace_file_header *h)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
           pread(fd, h, sizeof(*h), 0) >= (ssize_t)TRACE_HEADER_MIN_SIZE &&
           memcmp(h->magic, TRACE_MAGIC, TRACE_MAGIC_LEN) == 0;
}

/*
 * Something is at tf->path already. A trace still locked belongs to a live traced
 * process (a parent that started us with the same output option): EXISTING_LIVE. An
 * unlocked trace of this pid is an earlier program image of this process (it exec'd
 * us): moved aside, EXISTING_MOVED. Anything else is refused with one line.
 */
static enum existing handle_existing(const struct tracefile *tf, pid_t pid)
{
    struct trace_file_header h;
    char moved[OPTIONS_PATH_MAX];
    int old = open(tf->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (old < 0 && errno == ELOOP) {
        log_line("'", tf->path, "' is a symbolic link: not followed; recording off", NULL);
        return EXISTING_REFUSED;
    }
    if (old < 0 || !is_our_trace(old, &h)) {
        if (old >= 0)
            close(old);
        log_line("'", tf->path, "' exists and is not a heapwise trace: not overwritten; "
                 "recording off", NULL);
        return EXISTING_REFUSED;
    }
    if (flock(old, LOCK_EX | LOCK_NB) < 0) {
        close(old);
        return EXISTING_LIVE;
    }
    int ok = h.pid == (uint64_t)pid && earlier_name(tf->path, pid, moved, sizeof(moved)) == 0 &&
             syscall(SYS_rename, tf->path, moved) == 0;
    close(old); /* drops the lock only now: nobody else could take the file meanwhile */
    if (ok)
        return EXISTING_MOVED;
    log_line("'", tf->path, "' exists (the trace of another process): not overwritten; "
             "recording off", NULL);
    return EXISTING_REFUSED;
}

/* Create the path anew and lock it; -1 with errno set. */
static int create_locked(const char *path)
{
    int fd = open(path, TRACE_CREATE, TRACE_MODE);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Append ".PID" to tf->path; -1 when it would not fit. */
static int sidestep(struct tracefile *tf, pid_t pid)
{
    char num[LOG_NUM_MAX];
    const char *digits = log_num((uint64_t)pid, num);
    size_t len = strlen(tf->path);
    if (len + 1 + strlen(digits) >= sizeof(tf->path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    tf->path[len] = '.';
    strcpy(tf->path + len + 1, digits);
    return 0;
}

/* The new, locked trace at tf->path (or its ".PID" sidestep); -1 after one line. */
static int open_owned(struct tracefile *tf, pid_t pid)
{
    int fd = create_locked(tf->path);
    if (fd >= 0)
        return fd;
    if (errno != EEXIST)
        return fail(tf, "create the trace");
    enum existing e = handle_existing(tf, pid);
    if (e == EXISTING_REFUSED)
        return -1;
    if (e == EXISTING_LIVE && sidestep(tf, pid) < 0)
        return fail(tf, "create the trace");
    if ((fd = create_locked(tf->path)) >= 0)
        return fd;
    if (errno == EEXIST) {
        log_line("'", tf->path, "' exists: not overwritten; recording off", NULL);
        return -1;
    }
    return fail(tf, "create the trace");
}

static void fill_header(struct trace_file_header *h, const struct options *o, pid_t pid)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    memcpy(h->magic, TRACE_MAGIC, TRACE_MAGIC_LEN);
    h->version = TRACE_VERSION;
    h->header_size = sizeof(*h);
    h->pid = (uint64_t)pid;
    h->ppid = (uint64_t)getppid();
    h->start_realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
    h->start_monotonic_ns = record_now();
    h->ring_offset = TRACE_PAGE;
    h->ring_bytes = o->ring_size;
    h->data_offset = TRACE_PAGE + o->ring_size;
    h->flags = o->free_stacks ? TRACE_FLAG_FREE_STACKS : 0;
    if (guard_enabled) {
        h->flags |= TRACE_FLAG_GUARD;
        h->guard_secret = guard_secret();
    }
    h->stack_depth = o->depth;
    h->time_unit = o->time_unit;
}

int tracefile_may_grow(uint64_t end)
{
    struct rlimit lim;
    return getrlimit(RLIMIT_FSIZE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY ||
           end <= (uint64_t)lim.rlim_cur;
}

/* Size the file, map page 0 + ring, write the header, attach the ring. 0 or -1. */
static int map_ring(struct tracefile *tf, const struct options *o, pid_t pid, struct ring *ring)
{
    uint64_t data_offset = TRACE_PAGE + o->ring_size;
    if (!tracefile_may_grow(data_offset)) {
        log_line("cannot size the trace '", tf->path, "': the file size limit (ulimit -f) is "
                 "too low; recording off", NULL);
        return -1;
    }
    if (ftruncate(tf->fd, (off_t)data_offset) < 0)
        return fail(tf, "size the trace");
    if (fallocate(tf->fd, 0, 0, (off_t)data_offset) < 0 && errno == ENOSPC)
        return fail(tf, "reserve space for the trace");
    void *map = mmap(NULL, data_offset, PROT_READ | PROT_WRITE, MAP_SHARED, tf->fd, 0);
    if (map == MAP_FAILED)
        return fail(tf, "map the trace");
    tf->map = map;
    tf->map_len = data_offset;
    struct trace_ring_ctl *ctl = (struct trace_ring_ctl *)(tf->map + TRACE_RING_CTL_OFFSET);
    fill_header((struct trace_file_header *)tf->map, o, pid);
    ctl->drained_end = data_offset;
    if (ring_init(ring, ctl, tf->map + TRACE_PAGE, o->ring_size) < 0) {
        errno = EINVAL;
        return fail(tf, "set up the ring of");
    }
    return 0;
}

int tracefile_open(struct tracefile *tf, const struct options *o, pid_t pid, const char *prog,
                   struct ring *ring)
{
    tf->fd = -1;
    tf->map = NULL;
    if (make_path(tf, o, pid, prog) < 0 || (tf->fd = open_owned(tf, pid)) < 0)
        return -1;
    tf->fd = fdhigh_move(tf->fd);
    struct stat st;
    if (fstat(tf->fd, &st) < 0) {
        fail(tf, "inspect the trace");
        tracefile_forget(tf);
        return -1;
    }
    tf->dev = st.st_dev;
    tf->ino = st.st_ino;
    if (map_ring(tf, o, pid, ring) == 0)
        return 0;
    unlink(tf->path); /* created by us just now, and no trace: leave nothing behind */
    tracefile_forget(tf);
    return -1;
}

/* 1 when fd is open on the trace file. */
static int names_trace(const struct tracefile *tf, int fd)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == tf->dev && st.st_ino == tf->ino;
}

int tracefile_fd(struct tracefile *tf)
{
    if (names_trace(tf, tf->fd))
        return tf->fd;
    int fd = open(tf->path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 && !names_trace(tf, fd)) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        flock(fd, LOCK_EX | LOCK_NB); /* ours again: a live trace, not to be moved */
    tf->fd = fd < 0 ? -1 : fdhigh_move(fd); /* the old number is the program's now */
    return tf->fd;
}

void tracefile_punch_ring(struct tracefile *tf, const struct options *o)
{
    int fd = tracefile_fd(tf);
    if (fd >= 0)
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, TRACE_PAGE, (off_t)o->ring_size);
}

void tracefile_forget(struct tracefile *tf)
{
    if (tf->map)
        munmap(tf->map, tf->map_len);
    if (names_trace(tf, tf->fd))
        close(tf->fd);
    tf->map = NULL;
    tf->fd = -1;
}
