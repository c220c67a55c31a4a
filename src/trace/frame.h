/*
 * Sealing packed records into a frame (format.h, struct trace_frame): the frame header,
 * its CRC (the reader checks it with frame_crc too) and the payload, stored or
 * compressed as the next piece of the trace's zstd stream. Used by the shim's writer thread and by
 * the tools that write test traces; the compression stream is the caller's (the shim keeps it in
 * memory it mapped itself).
 */
#ifndef HEAPWISE_TRACE_FRAME_H
#define HEAPWISE_TRACE_FRAME_H

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_COMPRESSBOUND, static contexts */
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "trace/format.h"

/* zstd level of the writer: the fastest, as it must keep up with the program. */
#define FRAME_ZSTD_LEVEL 1
/* log2 of the zstd window the writer uses (<= TRACE_ZSTD_WINDOW_LOG_MAX). */
#define FRAME_ZSTD_WINDOW_LOG 19
/* Bytes a frame of n packed bytes may need, header included, in either codec. */
#define FRAME_BOUND(n) (sizeof(struct trace_frame) + ZSTD_COMPRESSBOUND(n))

/* Where one frame comes from. */
struct frame_src {
    const void *packed;  /* packed records */
    uint32_t len;        /* bytes of them, <= TRACE_FRAME_MAX */
    uint32_t count;      /* records in them */
    uint64_t ring_start; /* ring positions the records were drained from */
    uint64_t ring_end;
};

/* The crc a frame must carry: zlib's CRC-32 of its header (crc field 0), then the payload. */
uint32_t frame_crc(const struct trace_frame *f, const void *payload);

/*
 * Set up z as the trace's compression stream: level and window above, no zstd checksum
 * (the frame's CRC covers the payload). 0, or -EINVAL when zstd refuses.
 */
int frame_stream_init(ZSTD_CCtx *z);

/*
 * Write the frame of src to out (room for FRAME_BOUND(src->len) bytes): compressed with
 * *z, or stored when *z is NULL. When compression fails the stream is broken: the frame
 * is stored and *z set to NULL, so that every later frame is stored too. Returns the
 * frame's bytes, header included.
 */
size_t frame_seal(ZSTD_CCtx **z, const struct frame_src *src, unsigned char *out);

#endif
