/*
 * Frame sealing (see frame.h). Owns the choice of codec per frame and the order of the
 * CRC over header and payload. No allocation: zstd works in the caller's context.
 */
#include "trace/frame.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

uint32_t frame_crc(const struct trace_frame *f, const void *payload)
{
    struct trace_frame h = *f;
    h.crc = 0;
    uLong crc = crc32(crc32(0, (const Bytef *)&h, sizeof(h)), payload, f->stored);
    return (uint32_t)crc;
}

int frame_stream_init(ZSTD_CCtx *z)
{
    if (ZSTD_isError(ZSTD_CCtx_reset(z, ZSTD_reset_session_and_parameters)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, FRAME_ZSTD_LEVEL)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_windowLog, FRAME_ZSTD_WINDOW_LOG)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 0)))
        return -EINVAL;
    return 0;
}

/* Compress src as the next piece of z's stream, flushed; its bytes, or 0 on failure. */
static size_t squeeze(ZSTD_CCtx *z, const struct frame_src *src, unsigned char *out, size_t cap)
{
    ZSTD_inBuffer in = {src->packed, src->len, 0};
    ZSTD_outBuffer o = {out, cap, 0};
    size_t left = ZSTD_compressStream2(z, &o, &in, ZSTD_e_flush);
    if (ZSTD_isError(left) || left != 0 || in.pos != in.size)
        return 0;
    return o.pos;
}

size_t frame_seal(ZSTD_CCtx **z, const struct frame_src *src, unsigned char *out)
{
    struct trace_frame f = {
        .magic = TRACE_FRAME_MAGIC,
        .codec = TRACE_CODEC_NONE,
        .stored = src->len,
        .packed = src->len,
        .ring_start = src->ring_start,
        .ring_end = src->ring_end,
        .count = src->count,
    };
    unsigned char *payload = out + sizeof(f);
    size_t n = *z && src->len ? squeeze(*z, src, payload, ZSTD_COMPRESSBOUND(src->len)) : 0;
    if (*z && src->len && n == 0)
        *z = NULL;
    if (n > 0) {
        f.codec = TRACE_CODEC_ZSTD;
        f.stored = (uint32_t)n;
    } else {
        memcpy(payload, src->packed, src->len);
    }
    f.crc = frame_crc(&f, payload);
    memcpy(out, &f, sizeof(f));
    return sizeof(f) + f.stored;
}
