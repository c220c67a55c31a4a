/*
 * Make a small fuzzing seed from a real trace: the same records (pad records dropped) in
 * frames of SEED_FRAME_RECORDS records (a zstd stream, as the shim writes them) after a
 * header page with an empty ring area, so the seed is 4 KiB plus its frames instead of
 * the writer's ring plus frames. With "killed", the seed is instead that of a process
 * killed halfway: no end record, the first half of the records drained into frames in the
 * data area and the second half still in the ring area, found through the ring control
 * and the last frame's ring range. A tool for tests/fuzz/make-seeds, not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/reader.h"
#include "tracegen.h"

/* Records per frame: small, so that every seed has several frames. */
#define SEED_FRAME_RECORDS 8

/* Every record of the trace at path but pads, back to back (malloc'd, *len bytes). */
static unsigned char *read_records(const char *path, struct trace_file_header *hdr,
                                   size_t *len, int drop_end)
{
    struct reader r;
    struct analyze_error err;
    if (reader_open(&r, path, &err) < 0) {
        fprintf(stderr, "seed_compact: %s: %s\n", path, err.message);
        exit(1);
    }
    *hdr = r.hdr;
    unsigned char *out = NULL;
    size_t n = 0;
    const struct trace_rec_hdr *h;
    while (reader_next(&r, &h, &err) > 0) {
        if (h->type == TRACE_REC_PAD || (drop_end && h->type == TRACE_REC_END))
            continue;
        if (!(out = realloc(out, n + h->size)))
            exit(1);
        memcpy(out + n, h, h->size);
        n += h->size;
    }
    reader_close(&r);
    *len = n;
    return out;
}

/* The offset of the first record boundary at or after half of the records. */
static size_t middle(const unsigned char *recs, size_t len)
{
    size_t at = 0;
    while (at < len / 2) {
        struct trace_rec_hdr h;
        memcpy(&h, recs + at, sizeof(h));
        at += h.size;
    }
    return at;
}

static uint64_t pow2_at_least(uint64_t n)
{
    uint64_t p = TRACE_ALIGN;
    while (p < n)
        p *= 2;
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (argc == 4 && strcmp(argv[3], "killed") != 0) || argc > 4) {
        fprintf(stderr, "usage: seed_compact IN OUT [killed]\n");
        return 2;
    }
    int killed = argc == 4;
    struct trace_file_header hdr;
    size_t len, drained;
    unsigned char *recs = read_records(argv[1], &hdr, &len, killed);
    drained = killed ? middle(recs, len) : len;
    hdr.version = TRACE_VERSION;
    hdr.ring_bytes = killed ? pow2_at_least(len) : 0; /* ring positions never wrap */
    hdr.data_offset = hdr.ring_offset + hdr.ring_bytes;
    size_t size = hdr.data_offset;
    unsigned char *file = calloc(1, size);
    if (!file)
        return 1;
    memcpy(file, &hdr, sizeof(hdr));
    struct trace_ring_ctl ctl = {.tail = drained, .head = len};
    if (killed) {
        memcpy(file + TRACE_RING_CTL_OFFSET, &ctl, sizeof(ctl));
        memcpy(file + hdr.ring_offset + drained, recs + drained, len - drained);
    }
    tracegen_pack_frames(recs, drained, SEED_FRAME_RECORDS, 1, &file, &size);
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(file, 1, size, f) != size || fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    free(file);
    free(recs);
    return 0;
}
