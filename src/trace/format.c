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

long trace_rec_check(const void *p, size_t avail, const char **why)
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

/* CRC-32 of each byte value, reflected polynomial 0xedb88320 (zlib's). */
static const uint32_t crc_table[256] = {
    0x00000000, 0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419, 0x706af48f,
    0xe963a535, 0x9e6495a3, 0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988,
    0x09b64c2b, 0x7eb17cbd, 0xe7b82d07, 0x90bf1d91, 0x1db71064, 0x6ab020f2,
    0xf3b97148, 0x84be41de, 0x1adad47d, 0x6ddde4eb, 0xf4d4b551, 0x83d385c7,
    0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec, 0x14015c4f, 0x63066cd9,
    0xfa0f3d63, 0x8d080df5, 0x3b6e20c8, 0x4c69105e, 0xd56041e4, 0xa2677172,
    0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b, 0x35b5a8fa, 0x42b2986c,
    0xdbbbc9d6, 0xacbcf940, 0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59,
    0x26d930ac, 0x51de003a, 0xc8d75180, 0xbfd06116, 0x21b4f4b5, 0x56b3c423,
    0xcfba9599, 0xb8bda50f, 0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924,
    0x2f6f7c87, 0x58684c11, 0xc1611dab, 0xb6662d3d, 0x76dc4190, 0x01db7106,
    0x98d220bc, 0xefd5102a, 0x71b18589, 0x06b6b51f, 0x9fbfe4a5, 0xe8b8d433,
    0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818, 0x7f6a0dbb, 0x086d3d2d,
    0x91646c97, 0xe6635c01, 0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e,
    0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457, 0x65b0d9c6, 0x12b7e950,
    0x8bbeb8ea, 0xfcb9887c, 0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65,
    0x4db26158, 0x3ab551ce, 0xa3bc0074, 0xd4bb30e2, 0x4adfa541, 0x3dd895d7,
    0xa4d1c46d, 0xd3d6f4fb, 0x4369e96a, 0x346ed9fc, 0xad678846, 0xda60b8d0,
    0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9, 0x5005713c, 0x270241aa,
    0xbe0b1010, 0xc90c2086, 0x5768b525, 0x206f85b3, 0xb966d409, 0xce61e49f,
    0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4, 0x59b33d17, 0x2eb40d81,
    0xb7bd5c3b, 0xc0ba6cad, 0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a,
    0xead54739, 0x9dd277af, 0x04db2615, 0x73dc1683, 0xe3630b12, 0x94643b84,
    0x0d6d6a3e, 0x7a6a5aa8, 0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1,
    0xf00f9344, 0x8708a3d2, 0x1e01f268, 0x6906c2fe, 0xf762575d, 0x806567cb,
    0x196c3671, 0x6e6b06e7, 0xfed41b76, 0x89d32be0, 0x10da7a5a, 0x67dd4acc,
    0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5, 0xd6d6a3e8, 0xa1d1937e,
    0x38d8c2c4, 0x4fdff252, 0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
    0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60, 0xdf60efc3, 0xa867df55,
    0x316e8eef, 0x4669be79, 0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236,
    0xcc0c7795, 0xbb0b4703, 0x220216b9, 0x5505262f, 0xc5ba3bbe, 0xb2bd0b28,
    0x2bb45a92, 0x5cb36a04, 0xc2d7ffa7, 0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d,
    0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a, 0x9c0906a9, 0xeb0e363f,
    0x72076785, 0x05005713, 0x95bf4a82, 0xe2b87a14, 0x7bb12bae, 0x0cb61b38,
    0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21, 0x86d3d2d4, 0xf1d4e242,
    0x68ddb3f8, 0x1fda836e, 0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777,
    0x88085ae6, 0xff0f6a70, 0x66063bca, 0x11010b5c, 0x8f659eff, 0xf862ae69,
    0x616bffd3, 0x166ccf45, 0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2,
    0xa7672661, 0xd06016f7, 0x4969474d, 0x3e6e77db, 0xaed16a4a, 0xd9d65adc,
    0x40df0b66, 0x37d83bf0, 0xa9bcae53, 0xdebb9ec5, 0x47b2cf7f, 0x30b5ffe9,
    0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6, 0xbad03605, 0xcdd70693,
    0x54de5729, 0x23d967bf, 0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94,
    0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
};

uint32_t trace_crc32(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t trace_frame_crc(const struct trace_frame *f, const void *payload)
{
    struct trace_frame h = *f;
    h.crc = 0;
    return trace_crc32(trace_crc32(0, &h, sizeof(h)), payload, f->stored);
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
