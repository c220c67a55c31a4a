/*
 * A tiny trace writer for tests only: builds the exact bytes format.h defines in memory
 * (header page, ring area, then records: version 1; tracegen_frames makes it version 2)
 * so analyzer tests need no shim. Aborts on out of memory; not for production use.
 */
#ifndef HEAPWISE_TESTS_TRACEGEN_H
#define HEAPWISE_TESTS_TRACEGEN_H

#include <stddef.h>
#include <stdint.h>

#include "trace/format.h"

/* Ring area size of generated traces (the reader skips it). */
#define TRACEGEN_RING 4096

struct tracegen {
    unsigned char *buf; /* the whole file */
    size_t len, cap;    /* bytes written / allocated */
    uint64_t time_ns;   /* next record time; advances by 1000 per record */
};

/* Start a trace of pid/ppid: header page and an empty ring area. */
void tracegen_init(struct tracegen *g, uint64_t pid, uint64_t ppid);
void tracegen_fini(struct tracegen *g);

/* The header, to patch fields in tests (e.g. a bad version). */
struct trace_file_header *tracegen_header(struct tracegen *g);

void tracegen_process(struct tracegen *g, const char *exe, int argc, const char *const *argv);
void tracegen_modules_begin(struct tracegen *g);
void tracegen_module(struct tracegen *g, uint64_t base, uint64_t start, uint64_t end,
                     const char *path, const void *build_id, size_t build_id_len);
void tracegen_stack(struct tracegen *g, uint32_t id, size_t depth, const uint64_t *addrs);
void tracegen_alloc(struct tracegen *g, unsigned kind, uint64_t ptr, uint64_t size, uint32_t stack);
void tracegen_free(struct tracegen *g, unsigned kind, uint64_t ptr);
void tracegen_free_stack(struct tracegen *g, unsigned kind, uint64_t ptr, uint32_t stack);
/* An error record with the fields of e (h.aux = the error kind; header and time are set). */
void tracegen_error(struct tracegen *g, const struct trace_rec_error *e);
void tracegen_realloc(struct tracegen *g, uint64_t old_ptr, uint64_t new_ptr, uint64_t size,
                      uint32_t stack);
/* Pool records (flags of create: 0 or TRACE_POOL_INHERITED; name NULL: unnamed). */
void tracegen_pool_create(struct tracegen *g, uint64_t pool, const char *name, uint32_t stack,
                          unsigned flags);
void tracegen_pool_alloc(struct tracegen *g, uint64_t pool, uint64_t ptr, uint64_t size,
                         uint32_t stack);
void tracegen_pool_free(struct tracegen *g, uint64_t pool, uint64_t ptr, uint32_t stack);
void tracegen_pool_destroy(struct tracegen *g, uint64_t pool, uint32_t stack);
void tracegen_end(struct tracegen *g, int status, uint64_t dropped, uint64_t untracked);
/* A SAMPLE record: the resident set size. */
void tracegen_sample(struct tracegen *g, uint64_t rss_bytes);
/* A LEAKSCAN record (LEAKSCAN_* flags) of n entries (address | class), started at time_ns. */
void tracegen_leakscan(struct tracegen *g, uint32_t flags, uint64_t time_ns,
                       const uint64_t *entries, uint32_t n);
/* A CHECK record: signal, requests, enum trace_check_outcome; time_ns is the record time. */
void tracegen_check(struct tracegen *g, uint32_t signal, uint32_t requests, uint32_t outcome);
/* n raw bytes, appended as they are (for corrupt records). */
void tracegen_raw(struct tracegen *g, const void *bytes, size_t n);

/*
 * The records at recs (len bytes, back to back) as version-2 frames of at most per_frame
 * records each (pad records left out, as the shim's writer leaves them out), compressed as one zstd stream when zstd is set, their ring positions
 * counted from 0; appended to *out (malloc'd, *out_len bytes). Returns the frames made.
 */
size_t tracegen_pack_frames(const unsigned char *recs, size_t len, size_t per_frame, int zstd,
                            unsigned char **out, size_t *out_len);

/* Turn g's records into frames (tracegen_pack_frames) in place: a version-2 trace. No
 * record may be added afterwards. Returns the frames made. */
size_t tracegen_frames(struct tracegen *g, size_t per_frame, int zstd);

/* Write the first len bytes (all when len > g->len) to path; 0 or -errno. */
int tracegen_write(const struct tracegen *g, const char *path, size_t len);

/*
 * Write the first len bytes to a temporary file private to this process and return its
 * path (static storage; the same path on every call). Aborts on failure.
 */
const char *tracegen_tmp(const struct tracegen *g, size_t len);

#endif
