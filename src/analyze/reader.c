/*
 * Trace reader (reader.h). Owns the file descriptor, one fixed buffer and, for version 2,
 * the frame buffers and the zstd stream. Records come from one logical stream: the
 * drained data area (header.data_offset to its last complete record or frame), then,
 * when the process died before draining everything, the records still committed in the
 * ring area. The ring position where the data area stops is known (version 1: file offset
 * = data_offset + ring position, as the writer wrote PAD records too; version 2: the
 * last complete frame's ring_end), so the stream continues in the ring at exactly that
 * position, and nothing is read twice or skipped.
 */
#include "analyze/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/frame.h"

static void set_err(struct analyze_error *err, int64_t offset, const char *fmt, const char *s)
{
    snprintf(err->message, sizeof(err->message), fmt, s);
    err->offset = offset;
}

/* pread until n bytes or end of file; bytes read or -errno. */
static long pread_full(int fd, void *dst, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = pread(fd, (char *)dst + done, n - done, (off_t)(off + done));
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

/* The header check's complaint about the field at byte at. */
static int header_error(struct analyze_error *err, const struct trace_file_header *h,
                        const char *why, uint32_t at)
{
    if (at == offsetof(struct trace_file_header, version))
        snprintf(err->message, sizeof(err->message),
                 "%s %" PRIu32 " at byte %" PRIu32 " (this heapwise reads 1 to %d)", why,
                 h->version, at, TRACE_VERSION);
    else
        snprintf(err->message, sizeof(err->message), "%s at byte %" PRIu32, why, at);
    err->offset = at;
    return -EINVAL;
}

/* Bytes of header this file must have: its own header_size when that is an older, shorter
 * one (readable from got bytes on), else all the fields this reader knows. */
static size_t header_need(const struct trace_file_header *h, size_t got)
{
    size_t known = offsetof(struct trace_file_header, header_size) + sizeof(h->header_size);
    if (got >= known && h->header_size >= TRACE_HEADER_MIN_SIZE && h->header_size < sizeof(*h))
        return h->header_size;
    return sizeof(*h);
}

static int read_header(struct reader *r, struct analyze_error *err)
{
    long got = pread_full(r->fd, &r->hdr, sizeof(r->hdr), 0);
    if (got < 0) {
        set_err(err, 0, "%s", strerror((int)-got));
        return (int)got;
    }
    /* a short file that does not even start right is no trace at all, not a torn one */
    size_t have = (size_t)got < TRACE_MAGIC_LEN ? (size_t)got : TRACE_MAGIC_LEN;
    for (uint32_t i = 0; i < have; i++) {
        if (r->hdr.magic[i] != TRACE_MAGIC[i])
            return header_error(err, &r->hdr, "not a heapwise trace (bad magic)", i);
    }
    size_t need = header_need(&r->hdr, (size_t)got);
    if ((size_t)got < need) {
        snprintf(err->message, sizeof(err->message), "truncated header at byte %ld%s", got,
                 got ? "" : " (empty file)");
        err->offset = got;
        return -EINVAL;
    }
    if (need < sizeof(r->hdr)) /* an older writer: its missing fields are 0 */
        memset((char *)&r->hdr + need, 0, sizeof(r->hdr) - need);
    const char *why = "bad header";
    uint32_t at = 0;
    if (trace_header_check(&r->hdr, &why, &at) < 0)
        return header_error(err, &r->hdr, why, at);
    return 0;
}

/* A buffer the whole file fits in, within [TRACE_REC_MAX, READER_BUF]: small traces (and
 * every fuzzer input) need not pay for the large one. */
static size_t buffer_size(uint64_t file_size)
{
    if (file_size >= READER_BUF)
        return READER_BUF;
    size_t n = (size_t)file_size + TRACE_ALIGN - 1;
    n -= n % TRACE_ALIGN;
    return n > TRACE_REC_MAX ? n : TRACE_REC_MAX;
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
    if (fstat(r->fd, &st) < 0) {
        int e = errno;
        set_err(err, -1, "%s", strerror(e));
        return -e;
    }
    r->cap = buffer_size((uint64_t)st.st_size);
    r->buf = malloc(r->cap);
    if (!r->buf) {
        set_err(err, -1, "%s", strerror(ENOMEM));
        return -ENOMEM;
    }
    r->buf_off = r->hdr.data_offset;
    r->good_end =
        (uint64_t)st.st_size < r->hdr.data_offset ? (uint64_t)st.st_size : r->hdr.data_offset;
    r->frames = r->hdr.version >= TRACE_VERSION_FRAMES;
    r->frame_off = r->hdr.data_offset;
    r->torn = "record";
    return 0;
}

/*
 * Up to n bytes of the logical stream at logical offset off: the file itself, or in the
 * ring phase the ring area at the position off - data_offset, up to the ring's head and
 * never across the end of the area (the caller asks again for the wrapped part).
 */
static long source_read(struct reader *r, uint64_t off, void *dst, size_t n)
{
    if (!r->in_ring)
        return pread_full(r->fd, dst, n, off);
    uint64_t pos = off - r->hdr.data_offset;
    if (pos >= r->ring_head)
        return 0;
    uint64_t at = pos & (r->hdr.ring_bytes - 1);
    uint64_t room = r->hdr.ring_bytes - at;
    if (room > r->ring_head - pos)
        room = r->ring_head - pos;
    return pread_full(r->fd, dst, n < room ? n : (size_t)room, r->hdr.ring_offset + at);
}

/* Move the unread bytes to the start of the buffer and fill the rest from the source. */
static int refill(struct reader *r, struct analyze_error *err)
{
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->buf_off += r->pos;
    r->len -= r->pos;
    r->pos = 0;
    while (r->len < r->cap) {
        long got = source_read(r, r->buf_off + r->len, r->buf + r->len, r->cap - r->len);
        if (got < 0) {
            set_err(err, (int64_t)(r->buf_off + r->len), "%s", strerror((int)-got));
            return (int)got;
        }
        if (got == 0)
            break;
        r->len += (size_t)got;
    }
    r->eof = r->len < r->cap;
    return 0;
}

/*
 * The file's records ended at good_end: continue in the ring area if it still holds
 * committed records from exactly that position on (a process that died before its
 * writer drained them). Returns 1 when the stream continues there.
 */
static int switch_to_ring(struct reader *r)
{
    struct trace_ring_ctl ctl;
    if (r->in_ring || r->good_end < r->hdr.data_offset ||
        pread_full(r->fd, &ctl, sizeof(ctl), TRACE_RING_CTL_OFFSET) != (long)sizeof(ctl))
        return 0;
    uint64_t pos = r->frames ? r->ring_pos : r->good_end - r->hdr.data_offset;
    if (pos < ctl.tail || pos >= ctl.head || ctl.head - ctl.tail > r->hdr.ring_bytes ||
        pos > UINT64_MAX - r->hdr.data_offset)
        return 0;
    r->in_ring = 1;
    r->ring_head = ctl.head;
    r->good_end = r->hdr.data_offset + pos;
    r->buf_off = r->good_end;
    r->len = r->pos = 0;
    r->eof = 0;
    return 1;
}

/*
 * 1 when the ring phase stopped at a zero header below the ring's head: a record was
 * reserved there and its writer died before committing it.
 */
static int uncommitted(const struct reader *r)
{
    return r->in_ring && r->buf_off + r->pos - r->hdr.data_offset < r->ring_head;
}

static int stop(struct reader *r, enum reader_stop why)
{
    r->stop = why;
    return 0;
}

/* Grow *buf to hold n bytes; 0 or -ENOMEM (err filled). */
static int reserve(unsigned char **buf, size_t *cap, size_t n, struct analyze_error *err)
{
    if (n <= *cap)
        return 0;
    unsigned char *p = realloc(*buf, n);
    if (!p) {
        set_err(err, -1, "%s", strerror(ENOMEM));
        return -ENOMEM;
    }
    *buf = p;
    *cap = n;
    return 0;
}

static int corrupt(struct reader *r, const char *why)
{
    r->why = why;
    return stop(r, READER_CORRUPT);
}

/*
 * The next piece of the zstd stream, f->stored bytes at r->stored, into exactly f->packed
 * bytes at r->packed. 1, or 0 after stopping (corrupt).
 */
static int inflate(struct reader *r, const struct trace_frame *f, struct analyze_error *err)
{
    if (!r->zstd) {
        r->zstd = ZSTD_createDCtx();
        if (!r->zstd || ZSTD_isError(ZSTD_DCtx_setParameter(r->zstd, ZSTD_d_windowLogMax,
                                                            TRACE_ZSTD_WINDOW_LOG_MAX))) {
            set_err(err, -1, "%s", strerror(ENOMEM));
            return -ENOMEM;
        }
    }
    ZSTD_inBuffer in = {r->stored, f->stored, 0};
    ZSTD_outBuffer out = {r->packed, f->packed, 0};
    for (;;) {
        size_t in_was = in.pos, out_was = out.pos;
        if (ZSTD_isError(ZSTD_decompressStream(r->zstd, &out, &in)))
            return corrupt(r, "bad compressed data in a frame");
        if (in.pos == in_was && out.pos == out_was)
            break;
    }
    unsigned char more;
    ZSTD_outBuffer probe = {&more, 1, 0};
    if (in.pos < in.size || ZSTD_isError(ZSTD_decompressStream(r->zstd, &probe, &in)) || probe.pos)
        return corrupt(r, "frame holds more than its length");
    if (out.pos != out.size)
        return corrupt(r, "frame holds less than its length");
    return 1;
}

static int io_error(struct analyze_error *err, uint64_t at, long rc)
{
    set_err(err, (int64_t)at, "%s", strerror((int)-rc));
    return (int)rc;
}

static int torn_frame(struct reader *r)
{
    r->torn = "frame";
    return stop(r, READER_TORN);
}

/* The packed records of the frame f whose payload is in r->stored, into r->packed. */
static int unpack_payload(struct reader *r, const struct trace_frame *f, struct analyze_error *err)
{
    int rc = reserve(&r->packed, &r->packed_cap, f->packed, err);
    if (rc < 0)
        return rc;
    if (f->codec == TRACE_CODEC_ZSTD)
        return inflate(r, f, err);
    if (f->packed)
        memcpy(r->packed, r->stored, f->packed);
    return 1;
}

/*
 * Read the frame at r->frame_off: 1 when its packed records are ready; 0 after stopping
 * (end of file, a torn frame, or a corrupt one: good_end names its byte); -errno.
 */
static int load_frame(struct reader *r, struct analyze_error *err)
{
    struct trace_frame f;
    uint64_t at = r->frame_off;
    long got = pread_full(r->fd, &f, sizeof(f), at);
    if (got < 0)
        return io_error(err, at, got);
    if (got == 0)
        return stop(r, READER_EOF);
    if (got < (long)sizeof(f))
        return torn_frame(r);
    if (trace_frame_check(&f, &r->why) < 0)
        return stop(r, READER_CORRUPT);
    if (r->frames_read && f.ring_start != r->ring_pos)
        return corrupt(r, "frame out of ring order");
    int rc = reserve(&r->stored, &r->stored_cap, f.stored, err);
    if (rc < 0)
        return rc;
    got = f.stored ? pread_full(r->fd, r->stored, f.stored, at + sizeof(f)) : 0;
    if (got < 0)
        return io_error(err, at, got);
    if (got < (long)f.stored)
        return torn_frame(r);
    if (frame_crc(&f, r->stored) != f.crc)
        return corrupt(r, "frame checksum mismatch");
    if ((rc = unpack_payload(r, &f, err)) <= 0)
        return rc;
    r->frame = f;
    r->frame_loaded = 1;
    r->frame_records = 0;
    r->frames_read++;
    r->ring_pos = f.ring_start;
    r->packed_len = f.packed;
    r->packed_pos = 0;
    pack_reset(&r->pack, r->hdr.time_unit);
    r->frame_off = at + sizeof(f) + f.stored;
    return 1;
}

/* The loaded frame's records are all out: check their count, move past it. */
static int finish_frame(struct reader *r)
{
    r->frame_loaded = 0;
    if (r->frame_records != r->frame.count)
        return corrupt(r, "frame record count mismatch");
    r->ring_pos = r->frame.ring_end;
    r->good_end = r->frame_off;
    return 1;
}

/*
 * The next record of the loaded frame (r->packed_pos < r->packed_len) into r->buf,
 * checked: 1 and *rec, or 0 after stopping (corrupt).
 */
static inline int unpack_next(struct reader *r, const struct trace_rec_hdr **rec)
{
    long n = pack_unpack(&r->pack, r->packed + r->packed_pos, r->packed_len - r->packed_pos, r->buf,
                         &r->why);
    if (n < 0)
        return stop(r, READER_CORRUPT);
    long m = trace_rec_check(r->buf, TRACE_REC_MAX, &r->why);
    if (m == 0)
        return corrupt(r, "empty record in a frame");
    if (m < 0)
        return stop(r, READER_CORRUPT);
    r->packed_pos += (size_t)n;
    r->frame_records++;
    *rec = (const struct trace_rec_hdr *)r->buf;
    return 1;
}

/* The next record of the frames: 1, 0 when they end (r->stop says how), or -errno. */
static int frames_next(struct reader *r, const struct trace_rec_hdr **rec,
                       struct analyze_error *err)
{
    for (;;) {
        if (r->packed_pos < r->packed_len)
            return unpack_next(r, rec);
        if (r->frame_loaded && finish_frame(r) == 0)
            return 0;
        int rc = load_frame(r, err);
        if (rc <= 0)
            return rc;
    }
}

/* reader_next() past the records of a loaded frame: the next frame, the ring, version 1. */
static __attribute__((noinline)) int next_slow(struct reader *r, const struct trace_rec_hdr **rec,
                                               struct analyze_error *err)
{
    if (r->stop != READER_MORE)
        return 0;
    if (r->frames && !r->in_ring) {
        int rc = frames_next(r, rec, err);
        if (rc != 0 || r->stop == READER_CORRUPT)
            return rc;
        enum reader_stop why = r->stop;
        r->stop = READER_MORE;
        if (!switch_to_ring(r))
            return stop(r, why);
    }
    for (;;) {
        size_t avail = r->len - r->pos;
        long n = trace_rec_check(r->buf + r->pos, avail, &r->why);
        if (n > 0) {
            *rec = (const struct trace_rec_hdr *)(r->buf + r->pos);
            r->pos += (size_t)n;
            r->good_end = r->buf_off + r->pos;
            r->ring_records += r->in_ring;
            return 1;
        }
        if (n == -EINVAL)
            return stop(r, READER_CORRUPT);
        if ((n == 0 && (avail > 0 || r->eof)) || r->eof) {
            if (switch_to_ring(r))
                continue;
            return stop(r, n == 0 && !uncommitted(r) ? READER_EOF : READER_TORN);
        }
        int rc = refill(r, err);
        if (rc < 0)
            return rc;
    }
}

int reader_next(struct reader *r, const struct trace_rec_hdr **rec, struct analyze_error *err)
{
    /* packed records are left only in a frame being read, which a stop ends */
    if (r->packed_pos < r->packed_len && r->stop == READER_MORE)
        return unpack_next(r, rec);
    return next_slow(r, rec, err);
}

uint64_t reader_stop_offset(const struct reader *r)
{
    if (!r->in_ring)
        return r->good_end;
    return r->hdr.ring_offset + ((r->good_end - r->hdr.data_offset) & (r->hdr.ring_bytes - 1));
}

void reader_close(struct reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    free(r->buf);
    free(r->stored);
    free(r->packed);
    ZSTD_freeDCtx(r->zstd);
    r->fd = -1;
    r->buf = NULL;
    r->stored = r->packed = NULL;
    r->zstd = NULL;
}
