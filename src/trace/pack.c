/*
 * The packed record codec (see pack.h for the layout). Owns the varint, zigzag and pointer
 * window rules and their exact inverse. Packing runs in the writer thread of the traced
 * process: no allocation, no locks, no errno; unpacking checks every length against the
 * bytes it has.
 */
#include "trace/pack.h"

#include <errno.h>
#include <string.h>

/* Tag bits. */
#define TAG_OP_MASK 0x07u
#define TAG_KIND_SHIFT 3
#define TAG_KIND_MASK 0x07u
#define TAG_TID 0x40u
#define TAG_BYTES 0x80u
/* Low bits of a pointer difference dropped in the default (16-byte) unit. */
#define PTR_UNIT_SHIFT 4
/* Longest LEB128 encoding of a 64-bit value. */
#define VARINT_MAX 10

void pack_reset(struct pack_state *s, uint32_t time_unit)
{
    memset(s, 0, sizeof(*s));
    s->time_unit = time_unit ? time_unit : 1;
}

static uint64_t zigzag(int64_t d)
{
    return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* Remember p as the newest pointer field. */
static void window_push(struct pack_state *s, uint64_t p)
{
    s->window[s->seen++ % PACK_WINDOW] = p;
    s->ptr = p;
}

static unsigned index_slot(uint64_t p)
{
    return (unsigned)((p >> PTR_UNIT_SHIFT) * UINT64_C(0x9e3779b97f4a7c15) >> 52) % PACK_INDEX;
}

/*
 * How many places back p was seen in the window, or PACK_WINDOW when the index does not
 * know it there (then p is indexed as the field about to be pushed).
 */
static unsigned window_find(struct pack_state *s, uint64_t p)
{
    uint64_t *slot = &s->index[index_slot(p)];
    uint64_t n = *slot; /* field number + 1, 0 for none */
    *slot = s->seen + 1;
    if (n == 0 || n > s->seen || s->seen - n >= PACK_WINDOW ||
        s->window[(n - 1) % PACK_WINDOW] != p)
        return PACK_WINDOW;
    return (unsigned)(s->seen - n);
}

/* The difference of p from ref in the unit the tag says. */
static int64_t ptr_diff(uint64_t p, uint64_t ref, int bytes)
{
    int64_t d = (int64_t)(p - ref);
    return bytes ? d : d >> PTR_UNIT_SHIFT;
}

/* 1 when every difference fits a varint beside the window indexes. */
static int ptrs_fit(uint64_t ref, const uint64_t *ptrs, int n, int bytes)
{
    for (int i = 0; i < n; ref = ptrs[i++]) {
        if (zigzag(ptr_diff(ptrs[i], ref, bytes)) > UINT64_MAX - PACK_WINDOW)
            return 0;
    }
    return 1;
}

static unsigned char *put_ptr(struct pack_state *s, unsigned char *out, uint64_t p, int bytes)
{
    unsigned back = window_find(s, p);
    out = put_varint(out,
                     back < PACK_WINDOW ? back : PACK_WINDOW + zigzag(ptr_diff(p, s->ptr, bytes)));
    window_push(s, p);
    return out;
}

/* The fields every hot record has, in the order they are packed. */
struct hot {
    unsigned op;
    uint64_t time_ns;
    uint64_t ptrs[2];
    int nptrs;
    uint64_t size;
    int has_size;
    uint32_t stack;
    uint32_t tid;
};

/* The hot fields of rec, or 0 when it is no hot record of exactly its struct's size. */
static int hot_of(const struct trace_rec_hdr *h, struct hot *f)
{
    if (h->aux > TAG_KIND_MASK)
        return 0;
    if (h->type == TRACE_REC_ALLOC && h->size == sizeof(struct trace_rec_alloc)) {
        const struct trace_rec_alloc *r = (const void *)h;
        *f = (struct hot){PACK_ALLOC, r->time_ns, {r->ptr}, 1, r->size, 1, r->stack, r->tid};
    } else if (h->type == TRACE_REC_FREE && h->size == sizeof(struct trace_rec_free)) {
        const struct trace_rec_free *r = (const void *)h;
        *f = (struct hot){PACK_FREE, r->time_ns, {r->ptr}, 1, 0, 0, r->stack, r->tid};
    } else if (h->type == TRACE_REC_REALLOC && h->size == sizeof(struct trace_rec_realloc)) {
        const struct trace_rec_realloc *r = (const void *)h;
        *f = (struct hot){PACK_REALLOC, r->time_ns, {r->old_ptr, r->new_ptr}, 2, r->size, 1,
                          r->stack,     r->tid};
    } else {
        return 0;
    }
    return 1;
}

/* 1 when rec is a stack record of exactly the size its depth gives. */
static int exact_stack(const struct trace_rec_hdr *h)
{
    const struct trace_rec_stack *r = (const void *)h;
    return h->type == TRACE_REC_STACK && h->aux == 0 && h->size >= sizeof(*r) &&
           r->depth <= TRACE_STACK_MAX && h->size == sizeof(*r) + r->depth * sizeof(uint64_t);
}

/* Remember the frames of a stack record for the next one. */
static void remember_stack(struct pack_state *s, uint32_t id, const uint64_t *frames,
                           uint32_t depth)
{
    s->stack_id = id;
    s->depth = depth;
    memcpy(s->frames, frames, depth * sizeof(frames[0]));
}

static size_t pack_stack(struct pack_state *s, const struct trace_rec_stack *r, unsigned char *out)
{
    const uint64_t *frames = (const uint64_t *)(r + 1);
    uint32_t shared = 0;
    while (shared < r->depth && shared < s->depth &&
           frames[r->depth - 1 - shared] == s->frames[s->depth - 1 - shared])
        shared++;
    unsigned char *p = out;
    *p++ = PACK_STACK;
    p = put_varint(p, zigzag((int64_t)r->id - ((int64_t)s->stack_id + 1)));
    p = put_varint(p, r->depth);
    p = put_varint(p, shared);
    uint64_t ref = 0;
    for (uint32_t i = 0; i < r->depth - shared; ref = frames[i++])
        p = put_varint(p, zigzag((int64_t)(frames[i] - ref)));
    remember_stack(s, r->id, frames, r->depth);
    return (size_t)(p - out);
}

size_t pack_record(struct pack_state *s, const struct trace_rec_hdr *rec, unsigned char *out)
{
    struct hot f;
    if (exact_stack(rec))
        return pack_stack(s, (const struct trace_rec_stack *)rec, out);
    int hot = hot_of(rec, &f), bytes = 0;
    if (hot) {
        uint64_t all = s->ptr;
        for (int i = 0; i < f.nptrs; i++)
            all |= f.ptrs[i];
        bytes = (all & ((1u << PTR_UNIT_SHIFT) - 1)) != 0;
    }
    if (!hot || !ptrs_fit(s->ptr, f.ptrs, f.nptrs, bytes)) {
        out[0] = PACK_VERBATIM;
        memcpy(out + 1, rec, rec->size);
        return 1 + (size_t)rec->size;
    }
    unsigned char *p = out;
    *p++ = (unsigned char)(f.op | (unsigned)rec->aux << TAG_KIND_SHIFT |
                           (f.tid != s->tid ? TAG_TID : 0) | (bytes ? TAG_BYTES : 0));
    if (f.tid != s->tid)
        p = put_varint(p, f.tid);
    uint64_t time = f.time_ns / s->time_unit;
    p = put_varint(p, zigzag((int64_t)(time - s->time)));
    for (int i = 0; i < f.nptrs; i++)
        p = put_ptr(s, p, f.ptrs[i], bytes);
    if (f.has_size)
        p = put_varint(p, f.size);
    p = put_varint(p, zigzag((int64_t)(int32_t)(f.stack - s->stack)));
    s->tid = f.tid;
    s->time = time;
    s->stack = f.stack;
    return (size_t)(p - out);
}

/* Reading side: a cursor over untrusted bytes. */
struct cursor {
    const unsigned char *p, *end;
    const char *why; /* set on the first failure */
};

/* A varint of two bytes or more, or the cursor's failure: out of the common path. */
static __attribute__((noinline)) uint64_t get_long_varint(struct cursor *c)
{
    if (c->why)
        return 0; /* keep the first complaint */
    uint64_t v = 0;
    if (c->end - c->p >= VARINT_MAX) { /* the longest fits: no bound to check per byte */
        for (unsigned i = 0; i < VARINT_MAX; i++) {
            unsigned char b = c->p[i];
            v |= (uint64_t)(b & 0x7f) << 7 * i;
            if (!(b & 0x80)) {
                c->p += i + 1;
                return v;
            }
        }
        c->why = "varint too long in a packed record";
        return 0;
    }
    for (unsigned shift = 0; shift < 7 * VARINT_MAX; shift += 7) {
        if (c->p >= c->end) {
            c->why = "packed record cut short";
            return 0;
        }
        unsigned char b = *c->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    c->why = "varint too long in a packed record";
    return 0;
}

/* The 7-bit groups of the little-endian bytes w (high bits clear) side by side. */
static inline uint64_t squeeze_groups(uint64_t w)
{
    w = (w & UINT64_C(0x007f007f007f007f)) | (w & UINT64_C(0x7f007f007f007f00)) >> 1;
    w = (w & UINT64_C(0x00003fff00003fff)) | (w & UINT64_C(0x3fff00003fff0000)) >> 2;
    return (w & UINT64_C(0x000000000fffffff)) | (w & UINT64_C(0x0fffffff00000000)) >> 4;
}

/*
 * The next varint. Once the cursor failed (its first complaint kept) what it returns and
 * the bytes it takes are never used. One of up to 8 bytes with 8 bytes to read is found
 * without a branch on its length, which the data make unpredictable.
 */
static inline uint64_t get_varint(struct cursor *c)
{
    uint64_t w;
    if (c->end - c->p < 8)
        return get_long_varint(c);
    memcpy(&w, c->p, sizeof(w)); /* little-endian, as every supported host */
    uint64_t stops = ~w & UINT64_C(0x8080808080808080);
    if (stops == 0) /* 9 or 10 bytes (or too long) */
        return get_long_varint(c);
    unsigned bits = (unsigned)__builtin_ctzll(stops) + 1; /* 8 per byte of the varint */
    c->p += bits / 8;
    w = w << (64 - bits) >> (64 - bits);
    return squeeze_groups(w & UINT64_C(0x7f7f7f7f7f7f7f7f));
}

static uint64_t get_ptr(struct pack_state *s, struct cursor *c, int bytes)
{
    uint64_t v = get_varint(c), p;
    if (v < PACK_WINDOW) {
        if (v >= s->seen && !c->why)
            c->why = "pointer window index out of range";
        if (c->why)
            return 0;
        p = s->window[(s->seen - 1 - v) % PACK_WINDOW];
    } else {
        uint64_t d = (uint64_t)unzigzag(v - PACK_WINDOW);
        p = s->ptr + (bytes ? d : d << PTR_UNIT_SHIFT);
    }
    window_push(s, p);
    return p;
}

static long unpack_verbatim(const unsigned char *in, size_t avail, void *rec, const char **why)
{
    struct trace_rec_hdr h;
    if (avail < 1 + sizeof(h)) {
        *why = "packed record cut short";
        return -EINVAL;
    }
    memcpy(&h, in + 1, sizeof(h));
    if (h.size < sizeof(h) || h.size % TRACE_ALIGN || h.size > TRACE_REC_MAX ||
        h.size > avail - 1) {
        *why = "bad size of a verbatim record";
        return -EINVAL;
    }
    memcpy(rec, in + 1, h.size);
    return 1 + (long)h.size;
}

/* Build the record of op from the fields f into rec. */
static void build(const struct hot *f, unsigned kind, void *rec)
{
    if (f->op == PACK_ALLOC) {
        struct trace_rec_alloc *r = rec;
        *r = (struct trace_rec_alloc){{sizeof(*r), TRACE_REC_ALLOC, (uint16_t)kind},
                                      f->ptrs[0],
                                      f->size,
                                      f->time_ns,
                                      f->stack,
                                      f->tid};
    } else if (f->op == PACK_FREE) {
        struct trace_rec_free *r = rec;
        *r = (struct trace_rec_free){
            {sizeof(*r), TRACE_REC_FREE, (uint16_t)kind}, f->ptrs[0], f->time_ns, f->stack, f->tid};
    } else {
        struct trace_rec_realloc *r = rec;
        *r = (struct trace_rec_realloc){{sizeof(*r), TRACE_REC_REALLOC, (uint16_t)kind},
                                        f->ptrs[0],
                                        f->ptrs[1],
                                        f->size,
                                        f->time_ns,
                                        f->stack,
                                        f->tid};
    }
}

static long unpack_stack(struct pack_state *s, const unsigned char *in, size_t avail, void *rec,
                         const char **why)
{
    struct cursor c = {in + 1, in + avail, NULL};
    struct trace_rec_stack *r = rec;
    uint64_t *frames = (uint64_t *)(r + 1);
    uint32_t id = (uint32_t)(s->stack_id + 1 + (uint64_t)unzigzag(get_varint(&c)));
    uint64_t depth = get_varint(&c), shared = get_varint(&c), ref = 0;
    if (!c.why && (depth > TRACE_STACK_MAX || shared > depth || shared > s->depth))
        c.why = "bad depth of a packed stack";
    for (uint64_t i = 0; !c.why && i < depth - shared; i++)
        frames[i] = ref += (uint64_t)unzigzag(get_varint(&c));
    if (c.why) {
        *why = c.why;
        return -EINVAL;
    }
    memcpy(frames + depth - shared, s->frames + s->depth - shared, shared * sizeof(frames[0]));
    r->h = (struct trace_rec_hdr){(uint32_t)(sizeof(*r) + depth * sizeof(frames[0])),
                                  TRACE_REC_STACK, 0};
    r->id = id;
    r->depth = (uint32_t)depth;
    remember_stack(s, id, frames, r->depth);
    return (long)(c.p - in);
}

long pack_unpack(struct pack_state *s, const unsigned char *in, size_t avail, void *rec,
                 const char **why)
{
    if (avail == 0) {
        *why = "packed record cut short";
        return -EINVAL;
    }
    unsigned tag = in[0], op = tag & TAG_OP_MASK;
    if (op == PACK_VERBATIM)
        return unpack_verbatim(in, avail, rec, why);
    if (tag == PACK_STACK)
        return unpack_stack(s, in, avail, rec, why);
    if (op > PACK_REALLOC) {
        *why = "unknown packed record op";
        return -EINVAL;
    }
    struct cursor c = {in + 1, in + avail, NULL};
    struct hot f = {.op = op, .nptrs = op == PACK_REALLOC ? 2 : 1, .has_size = op != PACK_FREE};
    int bytes = (tag & TAG_BYTES) != 0;
    f.tid = tag & TAG_TID ? (uint32_t)get_varint(&c) : s->tid;
    uint64_t time = s->time + (uint64_t)unzigzag(get_varint(&c));
    f.time_ns = time * s->time_unit;
    for (int i = 0; i < f.nptrs; i++)
        f.ptrs[i] = get_ptr(s, &c, bytes);
    if (f.has_size)
        f.size = get_varint(&c);
    f.stack = s->stack + (uint32_t)unzigzag(get_varint(&c));
    if (c.why) {
        *why = c.why;
        return -EINVAL;
    }
    build(&f, tag >> TAG_KIND_SHIFT & TAG_KIND_MASK, rec);
    s->tid = f.tid;
    s->time = time;
    s->stack = f.stack;
    return (long)(c.p - in);
}
