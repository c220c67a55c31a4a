/*
 * Test trace writer (tracegen.h). Mirrors the shim's byte layout from format.h: records
 * padded to TRACE_ALIGN with zeros, header word first in memory (a file is never torn
 * here; tests cut it themselves), written as version 1 (raw records) and, by
 * tracegen_frames, turned into version 2 frames the way the shim's writer makes them.
 */
#include "tracegen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/frame.h"
#include "trace/pack.h"

static void *grow(struct tracegen *g, size_t n)
{
    if (g->len + n > g->cap) {
        size_t cap = g->cap ? g->cap : 16384;
        while (cap < g->len + n)
            cap *= 2;
        g->buf = realloc(g->buf, cap);
        if (!g->buf)
            abort();
        g->cap = cap;
    }
    void *p = g->buf + g->len;
    memset(p, 0, n);
    g->len += n;
    return p;
}

void tracegen_init(struct tracegen *g, uint64_t pid, uint64_t ppid)
{
    memset(g, 0, sizeof(*g));
    grow(g, TRACE_PAGE + TRACEGEN_RING);
    struct trace_file_header *h = tracegen_header(g);
    memcpy(h->magic, TRACE_MAGIC, TRACE_MAGIC_LEN);
    h->version = 1; /* raw records in the data area; tracegen_frames makes version 2 */
    h->header_size = sizeof(*h);
    h->pid = pid;
    h->ppid = ppid;
    h->start_realtime_ns = 1700000000000000000ULL;
    h->start_monotonic_ns = 1000000;
    h->ring_offset = TRACE_PAGE;
    h->ring_bytes = TRACEGEN_RING;
    h->data_offset = TRACE_PAGE + TRACEGEN_RING;
    h->stack_depth = 64;
    g->time_ns = 2000000;
}

void tracegen_fini(struct tracegen *g)
{
    free(g->buf);
    memset(g, 0, sizeof(*g));
}

struct trace_file_header *tracegen_header(struct tracegen *g)
{
    return (struct trace_file_header *)g->buf;
}

/* Append a record of type with fixed part `fixed` bytes and `extra` bytes after it. */
static void *record(struct tracegen *g, unsigned type, unsigned aux, size_t fixed, size_t extra)
{
    uint32_t size = trace_align((uint32_t)(fixed + extra));
    unsigned char *p = grow(g, size);
    uint64_t word = trace_hdr_word(size, (uint16_t)type, (uint16_t)aux);
    memcpy(p, &word, sizeof(word));
    return p;
}

void tracegen_process(struct tracegen *g, const char *exe, int argc, const char *const *argv)
{
    size_t exe_len = strlen(exe), args_len = 0;
    for (int i = 0; i < argc; i++)
        args_len += strlen(argv[i]) + 1;
    struct trace_rec_process *r = record(g, TRACE_REC_PROCESS, 0, sizeof(*r), exe_len + args_len);
    r->argc = (uint32_t)argc;
    r->exe_len = (uint32_t)exe_len;
    r->args_len = (uint32_t)args_len;
    char *text = (char *)(r + 1);
    memcpy(text, exe, exe_len);
    text += exe_len;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        memcpy(text, argv[i], n);
        text += n;
    }
}

void tracegen_modules_begin(struct tracegen *g)
{
    record(g, TRACE_REC_MODULES_BEGIN, 0, sizeof(struct trace_rec_hdr), 0);
}

void tracegen_module(struct tracegen *g, uint64_t base, uint64_t start, uint64_t end,
                     const char *path, const void *build_id, size_t build_id_len)
{
    size_t path_len = strlen(path);
    struct trace_rec_module *r =
        record(g, TRACE_REC_MODULE, 0, sizeof(*r), build_id_len + path_len);
    r->base = base;
    r->start = start;
    r->end = end;
    r->build_id_len = (uint32_t)build_id_len;
    r->path_len = (uint32_t)path_len;
    if (build_id_len)
        memcpy(r + 1, build_id, build_id_len);
    memcpy((char *)(r + 1) + build_id_len, path, path_len);
}

void tracegen_stack(struct tracegen *g, uint32_t id, size_t depth, const uint64_t *addrs)
{
    struct trace_rec_stack *r = record(g, TRACE_REC_STACK, 0, sizeof(*r), depth * sizeof(uint64_t));
    r->id = id;
    r->depth = (uint32_t)depth;
    if (depth)
        memcpy(r + 1, addrs, depth * sizeof(uint64_t));
}

void tracegen_alloc(struct tracegen *g, unsigned kind, uint64_t ptr, uint64_t size, uint32_t stack)
{
    struct trace_rec_alloc *r = record(g, TRACE_REC_ALLOC, kind, sizeof(*r), 0);
    r->ptr = ptr;
    r->size = size;
    r->time_ns = g->time_ns += 1000;
    r->stack = stack;
    r->tid = 7;
}

void tracegen_free(struct tracegen *g, unsigned kind, uint64_t ptr)
{
    tracegen_free_stack(g, kind, ptr, TRACE_STACK_NONE);
}

void tracegen_free_stack(struct tracegen *g, unsigned kind, uint64_t ptr, uint32_t stack)
{
    struct trace_rec_free *r = record(g, TRACE_REC_FREE, kind, sizeof(*r), 0);
    r->ptr = ptr;
    r->time_ns = g->time_ns += 1000;
    r->stack = stack;
    r->tid = 7;
}

void tracegen_pool_create(struct tracegen *g, uint64_t pool, const char *name, uint32_t stack,
                          unsigned flags)
{
    size_t len = name ? strlen(name) : 0;
    struct trace_rec_pool_create *r = record(g, TRACE_REC_POOL_CREATE, flags, sizeof(*r), len);
    r->pool = pool;
    r->time_ns = g->time_ns += 1000;
    r->stack = stack;
    r->tid = 7;
    r->name_len = (uint32_t)len;
    memcpy(r + 1, name ? name : "", len);
}

/* One pool event of type at the next time. */
static void pool_event(struct tracegen *g, unsigned type, uint64_t pool, uint64_t ptr,
                       uint64_t size, uint32_t stack)
{
    struct trace_rec_pool *r = record(g, type, 0, sizeof(*r), 0);
    r->pool = pool;
    r->ptr = ptr;
    r->size = size;
    r->time_ns = g->time_ns += 1000;
    r->stack = stack;
    r->tid = 7;
}

void tracegen_pool_alloc(struct tracegen *g, uint64_t pool, uint64_t ptr, uint64_t size,
                         uint32_t stack)
{
    pool_event(g, TRACE_REC_POOL_ALLOC, pool, ptr, size, stack);
}

void tracegen_pool_free(struct tracegen *g, uint64_t pool, uint64_t ptr, uint32_t stack)
{
    pool_event(g, TRACE_REC_POOL_FREE, pool, ptr, 0, stack);
}

void tracegen_pool_destroy(struct tracegen *g, uint64_t pool, uint32_t stack)
{
    pool_event(g, TRACE_REC_POOL_DESTROY, pool, 0, 0, stack);
}

void tracegen_error(struct tracegen *g, const struct trace_rec_error *e)
{
    struct trace_rec_error *r = record(g, TRACE_REC_ERROR, e->h.aux, sizeof(*r), 0);
    struct trace_rec_hdr h = r->h;
    *r = *e;
    r->h = h;
    r->time_ns = g->time_ns += 1000;
    r->tid = 7;
}

void tracegen_realloc(struct tracegen *g, uint64_t old_ptr, uint64_t new_ptr, uint64_t size,
                      uint32_t stack)
{
    struct trace_rec_realloc *r = record(g, TRACE_REC_REALLOC, KIND_MALLOC, sizeof(*r), 0);
    r->old_ptr = old_ptr;
    r->new_ptr = new_ptr;
    r->size = size;
    r->time_ns = g->time_ns += 1000;
    r->stack = stack;
    r->tid = 7;
}

void tracegen_end(struct tracegen *g, int status, uint64_t dropped, uint64_t untracked)
{
    struct trace_rec_end *r = record(g, TRACE_REC_END, 0, sizeof(*r), 0);
    r->status = status;
    r->how = TRACE_END_EXIT;
    r->time_ns = g->time_ns += 1000;
    r->dropped = dropped;
    r->untracked = untracked;
}

void tracegen_sample(struct tracegen *g, uint64_t rss_bytes)
{
    struct trace_rec_sample *r = record(g, TRACE_REC_SAMPLE, 0, sizeof(*r), 0);
    r->time_ns = g->time_ns += 1000;
    r->rss_bytes = rss_bytes;
}

void tracegen_leakscan(struct tracegen *g, uint32_t flags, uint64_t time_ns,
                       const uint64_t *entries, uint32_t n)
{
    struct trace_rec_leakscan *r =
        record(g, TRACE_REC_LEAKSCAN, 0, sizeof(*r), n * sizeof(uint64_t));
    r->count = n;
    r->flags = flags;
    r->time_ns = time_ns;
    r->threads = 1;
    memcpy(r + 1, entries, n * sizeof(uint64_t));
}

void tracegen_check(struct tracegen *g, uint32_t signal, uint32_t requests, uint32_t outcome)
{
    struct trace_rec_check *r = record(g, TRACE_REC_CHECK, 0, sizeof(*r), 0);
    r->time_ns = g->time_ns;
    g->time_ns += 1000;
    r->signal = signal;
    r->requests = requests;
    r->outcome = outcome;
}

void tracegen_raw(struct tracegen *g, const void *bytes, size_t n)
{
    memcpy(grow(g, n), bytes, n);
}

int tracegen_write(const struct tracegen *g, const char *path, size_t len)
{
    if (len > g->len)
        len = g->len;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, g->buf + done, len - done);
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        done += (size_t)n;
    }
    return close(fd) < 0 ? -errno : 0;
}

const char *tracegen_tmp(const struct tracegen *g, size_t len)
{
    static char path[4096];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/hw-test-%ld.trace", dir && *dir ? dir : "/tmp",
             (long)getpid());
    if (tracegen_write(g, path, len) < 0)
        abort();
    return path;
}

/* Append n bytes to *out (malloc'd, *len bytes long, grown as needed). */
static unsigned char *append(unsigned char **out, size_t *len, size_t n)
{
    unsigned char *p = realloc(*out, *len + n);
    if (!p)
        abort();
    *out = p;
    *len += n;
    return p + *len - n;
}

/* Seal the packed records [0, n) of frame into one frame appended to *out. */
static void seal(ZSTD_CCtx **z, const struct frame_src *src, unsigned char **out, size_t *len)
{
    unsigned char *f = append(out, len, FRAME_BOUND(src->len));
    *len -= FRAME_BOUND(src->len) - frame_seal(z, src, f);
}

size_t tracegen_pack_frames(const unsigned char *recs, size_t len, size_t per_frame, int zstd,
                            unsigned char **out, size_t *out_len)
{
    static unsigned char packed[TRACE_FRAME_MAX];
    ZSTD_CCtx *z = zstd ? ZSTD_createCCtx() : NULL;
    if (zstd && (!z || frame_stream_init(z) < 0))
        abort();
    ZSTD_CCtx *stream = z;
    struct pack_state ps;
    struct frame_src src = {packed, 0, 0, 0, 0};
    size_t frames = 0;
    pack_reset(&ps, 1);
    for (size_t at = 0; at < len;) {
        const struct trace_rec_hdr *h = (const void *)(recs + at);
        if (h->type != TRACE_REC_PAD) { /* as the writer: the ring range covers them */
            src.len += (uint32_t)pack_record(&ps, h, packed + src.len);
            src.count++;
        }
        at += h->size;
        src.ring_end = at;
        if (src.count == per_frame || at == len || src.len + PACK_RECORD_MAX > sizeof(packed)) {
            seal(&stream, &src, out, out_len);
            frames++;
            src = (struct frame_src){packed, 0, 0, at, at};
            pack_reset(&ps, 1);
        }
    }
    ZSTD_freeCCtx(z);
    return frames;
}

size_t tracegen_frames(struct tracegen *g, size_t per_frame, int zstd)
{
    struct trace_file_header *h = tracegen_header(g);
    size_t data = h->data_offset;
    unsigned char *out = malloc(data);
    size_t len = data;
    if (!out)
        abort();
    memcpy(out, g->buf, data);
    size_t n = tracegen_pack_frames(g->buf + data, g->len - data, per_frame, zstd, &out, &len);
    ((struct trace_file_header *)out)->version = TRACE_VERSION_FRAMES;
    free(g->buf);
    g->buf = out;
    g->len = g->cap = len;
    return n;
}
