/*
 * Validation and names for the trace format (format.h). Pure functions over bytes: used
 * by the analyzer's reader on untrusted input and by tests; no allocation, no I/O.
 */
#include "trace/format.h"

#include <errno.h>
#include <string.h>

static const size_t min_sizes[TRACE_REC_TYPE_LIMIT] = {
    [TRACE_REC_PAD] = sizeof(struct trace_rec_hdr),
    [TRACE_REC_PROCESS] = sizeof(struct trace_rec_process),
    [TRACE_REC_MODULES_BEGIN] = sizeof(struct trace_rec_hdr),
    [TRACE_REC_MODULE] = sizeof(struct trace_rec_module),
    [TRACE_REC_STACK] = sizeof(struct trace_rec_stack),
    [TRACE_REC_ALLOC] = sizeof(struct trace_rec_alloc),
    [TRACE_REC_FREE] = sizeof(struct trace_rec_free),
    [TRACE_REC_REALLOC] = sizeof(struct trace_rec_realloc),
    [TRACE_REC_END] = sizeof(struct trace_rec_end),
    [TRACE_REC_ERROR] = sizeof(struct trace_rec_error),
    [TRACE_REC_LEAKSCAN] = sizeof(struct trace_rec_leakscan),
    [TRACE_REC_SAMPLE] = sizeof(struct trace_rec_sample),
    [TRACE_REC_POOL_CREATE] = sizeof(struct trace_rec_pool_create),
    [TRACE_REC_POOL_ALLOC] = sizeof(struct trace_rec_pool),
    [TRACE_REC_POOL_FREE] = sizeof(struct trace_rec_pool),
    [TRACE_REC_POOL_DESTROY] = sizeof(struct trace_rec_pool),
    [TRACE_REC_CHECK] = sizeof(struct trace_rec_check),
};

static const char *const rec_names[TRACE_REC_TYPE_LIMIT] = {
    [TRACE_REC_PAD] = "pad",         [TRACE_REC_PROCESS] = "process",
    [TRACE_REC_MODULES_BEGIN] = "modules_begin", [TRACE_REC_MODULE] = "module",
    [TRACE_REC_STACK] = "stack",     [TRACE_REC_ALLOC] = "alloc",
    [TRACE_REC_FREE] = "free",       [TRACE_REC_REALLOC] = "realloc",
    [TRACE_REC_END] = "end",         [TRACE_REC_ERROR] = "error",
    [TRACE_REC_LEAKSCAN] = "leakscan", [TRACE_REC_SAMPLE] = "sample",
    [TRACE_REC_POOL_CREATE] = "pool_create",
    [TRACE_REC_POOL_ALLOC] = "pool_alloc", [TRACE_REC_POOL_FREE] = "pool_free",
    [TRACE_REC_POOL_DESTROY] = "pool_destroy", [TRACE_REC_CHECK] = "check",
};

static const char *const error_names[ERR_KIND_LIMIT] = {
    [ERR_DOUBLE_FREE] = "double_free",
    [ERR_INVALID_FREE] = "invalid_free",
    [ERR_MISMATCHED_FREE] = "mismatched_free",
    [ERR_HEADER_CORRUPTION] = "header_corruption",
    [ERR_OVERFLOW] = "overflow",
    [ERR_WRITE_AFTER_FREE] = "write_after_free",
};

static const char *const kind_names[KIND_LIMIT] = {
    [KIND_MALLOC] = "malloc",
    [KIND_ALIGNED] = "aligned",
    [KIND_NEW] = "new",
    [KIND_NEW_ARRAY] = "new[]",
    [KIND_NEW_ALIGNED] = "new(align)",
    [KIND_NEW_ARRAY_ALIGNED] = "new[](align)",
};

size_t trace_rec_min_size(unsigned type)
{
    return type < TRACE_REC_TYPE_LIMIT ? min_sizes[type] : 0;
}

const char *trace_rec_name(unsigned type)
{
    if (type < TRACE_REC_TYPE_LIMIT && rec_names[type])
        return rec_names[type];
    return "unknown";
}

const char *trace_error_name(unsigned kind)
{
    if (kind < ERR_KIND_LIMIT && error_names[kind])
        return error_names[kind];
    return "unknown";
}

const char *trace_kind_name(unsigned kind)
{
    return kind < KIND_LIMIT ? kind_names[kind] : "unknown";
}

static int check_kind(const struct trace_rec_hdr *h, const char **why)
{
    if (h->aux < KIND_LIMIT)
        return 0;
    *why = "allocation kind out of range";
    return -EINVAL;
}

static int check_process(const struct trace_rec_process *r, const char **why)
{
    uint64_t need = sizeof(*r) + (uint64_t)r->exe_len + r->args_len;
    if (need > r->h.size) {
        *why = "process strings exceed the record";
        return -EINVAL;
    }
    const char *args = (const char *)(r + 1) + r->exe_len;
    uint32_t nuls = 0;
    for (uint32_t i = 0; i < r->args_len; i++)
        nuls += args[i] == '\0';
    if (nuls != r->argc || (r->args_len && args[r->args_len - 1] != '\0')) {
        *why = "argv strings do not match argc";
        return -EINVAL;
    }
    return 0;
}

static int check_module(const struct trace_rec_module *r, const char **why)
{
    uint64_t need = sizeof(*r) + (uint64_t)r->build_id_len + r->path_len;
    if (need > r->h.size) {
        *why = "module build-id and path exceed the record";
        return -EINVAL;
    }
    if (r->end < r->start) {
        *why = "module address range is reversed";
        return -EINVAL;
    }
    return 0;
}

static int check_stack(const struct trace_rec_stack *r, const char **why)
{
    if (r->id == TRACE_STACK_NONE) {
        *why = "stack id 0 is reserved";
        return -EINVAL;
    }
    if (r->depth > TRACE_STACK_MAX ||
        sizeof(*r) + (uint64_t)r->depth * sizeof(uint64_t) > r->h.size) {
        *why = "stack depth exceeds the record";
        return -EINVAL;
    }
    return 0;
}

static int check_error(const struct trace_rec_error *r, const char **why)
{
    if (r->h.aux == 0 || r->h.aux >= ERR_KIND_LIMIT) {
        *why = "error kind out of range";
        return -EINVAL;
    }
    if (r->nbytes > TRACE_ERROR_BYTES || r->nexpected > r->nbytes ||
        (r->alloc_kind >= KIND_LIMIT && r->alloc_kind != TRACE_KIND_NONE) ||
        (r->free_kind >= KIND_LIMIT && r->free_kind != TRACE_KIND_NONE)) {
        *why = "error record fields out of range";
        return -EINVAL;
    }
    return 0;
}

static int check_leakscan(const struct trace_rec_leakscan *r, const char **why)
{
    if (sizeof(*r) + (uint64_t)r->count * sizeof(uint64_t) > r->h.size) {
        *why = "leak scan entries exceed the record";
        return -EINVAL;
    }
    const uint64_t *e = (const uint64_t *)(r + 1);
    for (uint32_t i = 0; i < r->count; i++) {
        uint64_t c = e[i] & TRACE_LEAK_CLASS_MASK;
        if (c == 0 || c >= LEAK_CLASS_LIMIT) {
            *why = "leak class out of range";
            return -EINVAL;
        }
    }
    return 0;
}

static int check_pool_create(const struct trace_rec_pool_create *r, const char **why)
{
    if (r->name_len > TRACE_POOL_NAME_MAX || sizeof(*r) + (uint64_t)r->name_len > r->h.size) {
        *why = "pool name exceeds the record";
        return -EINVAL;
    }
    if (r->h.aux > TRACE_POOL_INHERITED) {
        *why = "pool flags out of range";
        return -EINVAL;
    }
    return 0;
}

/* The pool records other than create: nothing in aux, and a block is never NULL. */
static int check_pool_event(const struct trace_rec_pool *r, const char **why)
{
    if (r->h.aux != 0) {
        *why = "pool record flags out of range";
        return -EINVAL;
    }
    if (r->h.type != TRACE_REC_POOL_DESTROY && r->ptr == 0) {
        *why = "pool block of a null pointer";
        return -EINVAL;
    }
    return 0;
}

static int check_check(const struct trace_rec_check *r, const char **why)
{
    if (r->requests == 0 || r->outcome == 0 || r->outcome > TRACE_CHECK_NO_SCAN) {
        *why = "check record fields out of range";
        return -EINVAL;
    }
    return 0;
}

static int check_body(const struct trace_rec_hdr *h, const char **why)
{
    switch (h->type) {
    case TRACE_REC_CHECK:
        return check_check((const struct trace_rec_check *)h, why);
    case TRACE_REC_PROCESS:
        return check_process((const struct trace_rec_process *)h, why);
    case TRACE_REC_MODULE:
        return check_module((const struct trace_rec_module *)h, why);
    case TRACE_REC_STACK:
        return check_stack((const struct trace_rec_stack *)h, why);
    case TRACE_REC_ALLOC:
    case TRACE_REC_FREE:
        return check_kind(h, why);
    case TRACE_REC_ERROR:
        return check_error((const struct trace_rec_error *)h, why);
    case TRACE_REC_LEAKSCAN:
        return check_leakscan((const struct trace_rec_leakscan *)h, why);
    case TRACE_REC_POOL_CREATE:
        return check_pool_create((const struct trace_rec_pool_create *)h, why);
    case TRACE_REC_POOL_ALLOC:
    case TRACE_REC_POOL_FREE:
    case TRACE_REC_POOL_DESTROY:
        return check_pool_event((const struct trace_rec_pool *)h, why);
    case TRACE_REC_REALLOC:
        if (((const struct trace_rec_realloc *)h)->old_ptr == 0) {
            *why = "realloc of a null pointer";
            return -EINVAL;
        }
        return check_kind(h, why);
    default:
        return 0;
    }
}

long trace_rec_check_any(const void *p, size_t avail, const char **why)
{
    struct trace_rec_hdr h;
    if (avail < sizeof(h))
        return avail == 0 ? 0 : -EAGAIN;
    memcpy(&h, p, sizeof(h));
    if (h.size == 0 && h.type == 0 && h.aux == 0)
        return 0;
    if (h.size < sizeof(h) || h.size % TRACE_ALIGN || h.size > TRACE_REC_MAX) {
        *why = "bad record size";
        return -EINVAL;
    }
    if (h.type == 0 || h.type >= TRACE_REC_TYPE_LIMIT || min_sizes[h.type] == 0) {
        *why = "unknown record type";
        return -EINVAL;
    }
    if (h.size < min_sizes[h.type]) {
        *why = "record shorter than its type";
        return -EINVAL;
    }
    if (avail < h.size)
        return -EAGAIN;
    int rc = check_body(p, why);
    return rc < 0 ? rc : (long)h.size;
}

int trace_frame_check(const struct trace_frame *f, const char **why)
{
    if (f->magic != TRACE_FRAME_MAGIC)
        *why = "bad frame magic";
    else if (f->codec >= TRACE_CODEC_LIMIT || f->reserved != 0)
        *why = "unknown frame codec";
    else if (f->stored > TRACE_FRAME_MAX || f->packed > TRACE_FRAME_MAX ||
             (f->codec == TRACE_CODEC_NONE && f->stored != f->packed))
        *why = "bad frame length";
    else if (f->ring_end < f->ring_start || f->ring_end - f->ring_start > TRACE_RING_MAX)
        *why = "bad frame ring range";
    else
        return 0;
    return -EINVAL;
}

int trace_header_check(const struct trace_file_header *h, const char **why, uint32_t *at)
{
    if (memcmp(h->magic, TRACE_MAGIC, TRACE_MAGIC_LEN) != 0) {
        *why = "not a heapwise trace (bad magic)";
        *at = offsetof(struct trace_file_header, magic);
        return -EINVAL;
    }
    if (h->version == 0 || h->version > TRACE_VERSION) {
        *why = "unsupported trace format version";
        *at = offsetof(struct trace_file_header, version);
        return -EINVAL;
    }
    if (h->header_size < TRACE_HEADER_MIN_SIZE || h->header_size > TRACE_RING_CTL_OFFSET) {
        *why = "bad header size";
        *at = offsetof(struct trace_file_header, header_size);
        return -EINVAL;
    }
    *why = "bad ring geometry";
    if (h->ring_offset != TRACE_PAGE)
        *at = offsetof(struct trace_file_header, ring_offset);
    else if ((h->ring_bytes & (h->ring_bytes - 1)) != 0 || h->ring_bytes > TRACE_RING_MAX)
        *at = offsetof(struct trace_file_header, ring_bytes);
    else if (h->data_offset != h->ring_offset + h->ring_bytes)
        *at = offsetof(struct trace_file_header, data_offset);
    else
        return 0;
    return -EINVAL;
}
