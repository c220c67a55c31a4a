/*
 * Diagnostics (see log.h): gathers string pieces into one writev(2) so a line from the
 * shim is never interleaved mid-line with the program's output. Must not allocate, use
 * stdio or change errno. Owns heapwise's own copy of the program's standard error.
 */
#include "config.h"

#include "shim/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "shim/fdhigh.h"

/* Pieces in one line: prefix + up to 14 strings + newline. */
#define LOG_PIECES 16

/* The copy of fd 2 made by log_init (-1: none) and the file both referred to then. */
static _Atomic int own_fd = -1;
static dev_t own_dev;
static ino_t own_ino;

void log_init(void)
{
    struct stat st;
    if (atomic_load(&own_fd) >= 0 || fstat(STDERR_FILENO, &st) != 0)
        return;
    int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, FDHIGH_MIN);
    if (fd < 0)
        return;
    own_dev = st.st_dev;
    own_ino = st.st_ino;
    atomic_store(&own_fd, fd);
}

static int is_original(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == own_dev && st.st_ino == own_ino;
}

int log_fd(void)
{
    int fd = atomic_load(&own_fd);
    if (fd < 0)
        return STDERR_FILENO;
    if (is_original(fd))
        return fd;
    return is_original(STDERR_FILENO) ? STDERR_FILENO : -1;
}

void log_line(const char *first, ...)
{
    int saved = errno;
    struct iovec iov[LOG_PIECES];
    int n = 0;
    iov[n++] = (struct iovec){.iov_base = (void *)"heapwise: ", .iov_len = 10};
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s && n < LOG_PIECES - 1; s = va_arg(ap, const char *))
        iov[n++] = (struct iovec){.iov_base = (void *)s, .iov_len = strlen(s)};
    va_end(ap);
    iov[n++] = (struct iovec){.iov_base = (void *)"\n", .iov_len = 1};
    int fd = log_fd();
    while (fd >= 0 && writev(fd, iov, n) < 0 && errno == EINTR)
        ;
    errno = saved;
}

const char *log_num(uint64_t v, char *buf)
{
    char *p = buf + LOG_NUM_MAX - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

const char *log_hex(uint64_t v, char *buf)
{
    int n = 0, shift = 60;
    buf[n++] = '0';
    buf[n++] = 'x';
    while (shift > 0 && ((v >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        buf[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
    buf[n] = '\0';
    return buf;
}
