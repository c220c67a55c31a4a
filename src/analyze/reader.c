/*
 * Trace reader (reader.h). Owns the file descriptor and one fixed buffer. Records come from
 * the drained data area only (header.data_offset to EOF); records still in the ring area
 * after a SIGKILL are not recovered yet: that will be a second source consulted when the
 * data area ends, behind the same reader_next().
 */
#include "analyze/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_err(struct analyze_error *err, int64_t offset, const char *fmt, const char *s)
{
    snprintf(err->message, sizeof(err->message), fmt, s);
    err->offset = offset;
}

/* Read up to n bytes at the current position; returns bytes read or -errno. */
static long read_full(int fd, void *dst, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = read(fd, (char *)dst + done, n - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -errno;
        if (got == 0)
            break;
        done += (size_t)got;
    }
    return (long)done;
}

static int read_header(struct reader *r, struct analyze_error *err)
{
    long got = read_full(r->fd, &r->hdr, sizeof(r->hdr));
    if (got < 0) {
        set_err(err, 0, "%s", strerror((int)-got));
        return (int)got;
    }
    /* a short file that does not even start right is no trace at all, not a torn one */
    size_t have = (size_t)got < TRACE_MAGIC_LEN ? (size_t)got : TRACE_MAGIC_LEN;
    if (memcmp(r->hdr.magic, TRACE_MAGIC, have) != 0) {
        set_err(err, 0, "%s", "not a heapwise trace (bad magic)");
        return -EINVAL;
    }
    if ((size_t)got < sizeof(r->hdr)) {
        snprintf(err->message, sizeof(err->message), "truncated header (%ld bytes)", got);
        err->offset = got;
        return -EINVAL;
    }
    const char *why = "bad header";
    if (trace_header_check(&r->hdr, &why) < 0) {
        set_err(err, 0, "%s", why);
        return -EINVAL;
    }
    return 0;
}

int reader_open(struct reader *r, const char *path, struct analyze_error *err)
{
    memset(r, 0, sizeof(*r));
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno;
        set_err(err, -1, "%s", strerror(e));
        return -e;
    }
    int rc = read_header(r, err);
    if (rc < 0)
        return rc;
    struct stat st;
    if (fstat(r->fd, &st) < 0 || lseek(r->fd, (off_t)r->hdr.data_offset, SEEK_SET) < 0) {
        int e = errno;
        set_err(err, -1, "%s", strerror(e));
        return -e;
    }
    r->buf = malloc(READER_BUF);
    if (!r->buf) {
        set_err(err, -1, "%s", strerror(ENOMEM));
        return -ENOMEM;
    }
    r->buf_off = r->hdr.data_offset;
    r->good_end =
        (uint64_t)st.st_size < r->hdr.data_offset ? (uint64_t)st.st_size : r->hdr.data_offset;
    return 0;
}

/* Move the unread bytes to the start of the buffer and fill the rest from the file. */
static int refill(struct reader *r, struct analyze_error *err)
{
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->buf_off += r->pos;
    r->len -= r->pos;
    r->pos = 0;
    long got = read_full(r->fd, r->buf + r->len, READER_BUF - r->len);
    if (got < 0) {
        set_err(err, (int64_t)(r->buf_off + r->len), "%s", strerror((int)-got));
        return (int)got;
    }
    r->len += (size_t)got;
    r->eof = r->len < READER_BUF;
    return 0;
}

static int stop(struct reader *r, enum reader_stop why)
{
    r->stop = why;
    return 0;
}

int reader_next(struct reader *r, const struct trace_rec_hdr **rec, struct analyze_error *err)
{
    if (r->stop != READER_MORE)
        return 0;
    for (;;) {
        size_t avail = r->len - r->pos;
        long n = trace_rec_check(r->buf + r->pos, avail, &r->why);
        if (n > 0) {
            *rec = (const struct trace_rec_hdr *)(r->buf + r->pos);
            r->pos += (size_t)n;
            r->good_end = r->buf_off + r->pos;
            return 1;
        }
        if (n == -EINVAL)
            return stop(r, READER_CORRUPT);
        if (n == 0 && (avail > 0 || r->eof))
            return stop(r, READER_EOF);
        if (r->eof)
            return stop(r, READER_TORN);
        int rc = refill(r, err);
        if (rc < 0)
            return rc;
    }
}

void reader_close(struct reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    free(r->buf);
    r->fd = -1;
    r->buf = NULL;
}
