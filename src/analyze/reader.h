/*
 * The trace reader: opens a trace file, checks its header and hands out its records one at
 * a time, each validated by trace_rec_check(), through bounded buffers (traces can be
 * gigabytes; memory stays at READER_BUF bytes, plus one frame of TRACE_FRAME_MAX bytes
 * stored and unpacked, and a zstd window, for version 2). It interprets no record: that is
 * the caller's job. It reports where and why the data stopped, and never prints.
 */
#ifndef HEAPWISE_ANALYZE_READER_H
#define HEAPWISE_ANALYZE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "trace/format.h"
#include "trace/pack.h"

/* Bytes of the read buffer at most (a smaller file gets a buffer its size, but never less
 * than the largest record, TRACE_REC_MAX). */
#define READER_BUF (256 * 1024)

/* Why reader_next() returned no record. */
enum reader_stop {
    READER_MORE = 0, /* not stopped yet */
    READER_EOF,      /* end of file, or a zero header word: the data ends cleanly */
    READER_TORN,     /* the file ends inside a record or a frame, or the ring holds a record
                        reserved but never committed (torn tail): that is dropped */
    READER_CORRUPT,  /* a malformed record; see reader.why */
};

struct reader {
    int fd;
    struct trace_file_header hdr; /* the file header, checked */
    unsigned char *buf;           /* cap bytes; the next record starts 8-aligned */
    size_t cap;                   /* bytes of buf: TRACE_REC_MAX to READER_BUF */
    size_t len;                   /* valid bytes in buf */
    size_t pos;                   /* offset in buf of the next record */
    uint64_t buf_off;             /* file offset of buf[0] */
    int eof;                      /* read() returned 0 */
    uint64_t good_end;            /* stream offset just past the last good record: the file
                                     offset in the data area, data_offset + ring position
                                     in the ring (reader_stop_offset gives the file's) */
    int in_ring;                  /* 1 once the stream continues in the ring area */
    uint64_t ring_head;           /* ring position just past the last reserved byte */
    uint64_t ring_records;        /* records recovered from the ring area */
    enum reader_stop stop;        /* why the records ended */
    const char *why;              /* static description when stop == READER_CORRUPT */
    const char *torn;             /* what a READER_TORN stop dropped: "record" or "frame" */
    /* Version 2: the data area holds frames (good_end is then the file offset of the frame
     * being unpacked, or just past the last one done). */
    int frames;                   /* 1 for a trace of frames */
    uint64_t frame_off;           /* file offset of the next frame to load */
    struct trace_frame frame;     /* the frame loaded, if frame_loaded */
    int frame_loaded;             /* 1 while its records are being handed out */
    uint32_t frame_records;       /* records of it handed out so far */
    uint64_t frames_read;         /* frames loaded */
    uint64_t ring_pos;            /* ring position the frames done so far end at */
    unsigned char *stored;        /* the frame's payload as stored (stored_cap bytes) */
    size_t stored_cap;
    unsigned char *packed;        /* its packed records (packed_cap bytes) */
    size_t packed_cap, packed_len, packed_pos;
    struct pack_state pack;       /* unpacking state within the frame */
    void *zstd;                   /* the zstd stream's ZSTD_DCtx, made at the first use */
};

/*
 * Open path and check its header. 0 on success; -errno with err filled on failure:
 * cannot open or read, "truncated header (N bytes)", or the header check's reason
 * (e.g. "not a heapwise trace (bad magic)").
 */
int reader_open(struct reader *r, const char *path, struct analyze_error *err);

/*
 * The next record: 1 and *rec (valid until the next call; 8-aligned, size-checked, body
 * checked by trace_rec_check), 0 at the end of the data (r->stop says how, r->good_end
 * where), or -EIO (err filled) when reading fails.
 */
int reader_next(struct reader *r, const struct trace_rec_hdr **rec, struct analyze_error *err);

/*
 * The byte of the file where the records stopped: good_end while reading the data area;
 * in the ring area, the offset there of the ring position good_end stands for.
 */
uint64_t reader_stop_offset(const struct reader *r);

/* Release the reader. Safe on a reader whose open failed. */
void reader_close(struct reader *r);

#endif
