/*
 * Diagnostics (see log.h): gathers string pieces into one writev(2) on fd 2 so a line
 * from the shim is never interleaved mid-line with the program's output. Must not
 * allocate, use stdio or change errno.
 */
#include "config.h"

#include "shim/log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/uio.h>

/* Pieces in one line: prefix + up to 14 strings + newline. */
#define LOG_PIECES 16

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
    while (writev(2, iov, n) < 0 && errno == EINTR)
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
