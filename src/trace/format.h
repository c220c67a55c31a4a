/*
 * The trace format: the only thing the shim (writer) and the analyzer (reader) share.
 * This header owns the byte layout of a heapwise trace file and the rules for telling a
 * complete record from a torn one. It must not depend on anything of the shim or the
 * analyzer, must not allocate, and must stay usable from inside an allocator.
 * The format is documented for users in man/heapwise-trace.5; keep the two in step.
 *
 * File layout (all integers little-endian, the host order of every supported target):
 *
 *   offset 0                 TRACE_PAGE                 data_offset
 *   +------------------------+--------------------------+------------------------------+
 *   | struct trace_file_header | ring area (ring_bytes)  | frames (version 2; version 1:|
 *   | + struct trace_ring_ctl  | MAP_SHARED by the shim; | raw records), appended in    |
 *   |   (page 0)               | undrained records live  | order by the writer; the     |
 *   |                          | here until drained      | reader reads them up to EOF  |
 *   +------------------------+--------------------------+------------------------------+
 *
 * A frame (version 2) is a struct trace_frame then `stored` bytes of payload: the packed
 * form (src/trace/pack.h) of the records the writer drained from ring positions
 * [ring_start, ring_end), pad records left out, as they are (codec NONE) or as the next
 * piece of one zstd stream that runs through all the trace's zstd frames (codec ZSTD).
 *
 * Every record starts with a struct trace_rec_hdr. Records are 8-byte aligned and their
 * `size` (header included) is a multiple of 8. A record is committed by storing its
 * header last (one 64-bit release store), so a header of zero means "not committed".
 * A record may be longer than the struct of its type: readers ignore trailing bytes they
 * do not know, which is how a version adds fields without breaking older readers.
 */
#ifndef HEAPWISE_TRACE_FORMAT_H
#define HEAPWISE_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* "HWTRACE" + NUL: first 8 bytes of every trace file. */
#define TRACE_MAGIC "HWTRACE"
#define TRACE_MAGIC_LEN 8
/* Format version written by this build; readers accept 1..TRACE_VERSION. Version 1: raw
 * records in the data area; version 2: frames of packed records. */
#define TRACE_VERSION 2
/* The first version whose data area holds frames. */
#define TRACE_VERSION_FRAMES 2
/* Size of page 0 (file header + ring control) and alignment of the ring area. */
#define TRACE_PAGE 4096
/* Records are padded to this alignment. */
#define TRACE_ALIGN 8
/* Largest ring area a reader accepts: past it, data_offset would not fit a file offset. */
#define TRACE_RING_MAX (UINT64_C(1) << 62)
/* Largest record the format allows (a 256-frame stack fits with room to spare). */
#define TRACE_REC_MAX 4096
/* Deepest stack a STACK record may hold. */
#define TRACE_STACK_MAX 256
/* Stack id meaning "no stack captured". Real ids start at 1. */
#define TRACE_STACK_NONE 0

/* Record types. Values are part of the format: never renumber, only append. */
enum trace_rec_type {
    TRACE_REC_PAD = 1,      /* filler to the end of the ring; skipped by readers */
    TRACE_REC_PROCESS = 2,  /* exe path and argv, once, first record */
    TRACE_REC_MODULES_BEGIN = 3, /* a new module map follows; earlier modules are unmapped */
    TRACE_REC_MODULE = 4,   /* one loaded object: base, address range, build-id, path */
    TRACE_REC_STACK = 5,    /* a new stack id and its return addresses */
    TRACE_REC_ALLOC = 6,    /* a block was allocated */
    TRACE_REC_FREE = 7,     /* a block was released */
    TRACE_REC_REALLOC = 8,  /* a block was resized (and maybe moved) */
    TRACE_REC_END = 9,      /* the process is exiting: status, counters */
    TRACE_REC_ERROR = 10,   /* a heap error found by the block guard */
    TRACE_REC_LEAKSCAN = 11, /* classes of live blocks found by a reachability scan */
    TRACE_REC_SAMPLE = 12,  /* the process's resident set size, sampled by the writer */
    TRACE_REC_POOL_CREATE = 13,  /* a memory pool was announced (heapwise_pool_create) */
    TRACE_REC_POOL_ALLOC = 14,   /* a pool handed out a block (heapwise_pool_alloc) */
    TRACE_REC_POOL_FREE = 15,    /* a block was given back to its pool (heapwise_pool_free) */
    TRACE_REC_POOL_DESTROY = 16, /* a pool went away (heapwise_pool_destroy) */
    TRACE_REC_CHECK = 17,        /* a leak check was asked for by a signal (check_signal) */
    TRACE_REC_TYPE_LIMIT    /* one past the last known type; numbers in between that no
                               type has are unknown types too */
};

/* Who allocated or released a block; stored in trace_rec_hdr.aux. */
enum trace_kind {
    KIND_MALLOC = 0,        /* malloc, calloc, realloc, reallocarray, valloc, pvalloc */
    KIND_ALIGNED = 1,       /* posix_memalign, aligned_alloc, memalign */
    KIND_NEW = 2,           /* operator new (plain, nothrow) / operator delete */
    KIND_NEW_ARRAY = 3,     /* operator new[] / operator delete[] */
    KIND_NEW_ALIGNED = 4,   /* operator new(size, align_val_t) / matching delete */
    KIND_NEW_ARRAY_ALIGNED = 5, /* operator new[](size, align_val_t) / matching delete[] */
    KIND_LIMIT
};

/* How the process ended; trace_rec_end.how. */
enum trace_end_how {
    TRACE_END_EXIT = 1,     /* exit()/return from main; status valid */
    TRACE_END_UNDERSCORE_EXIT = 2, /* _exit()/_Exit(); status valid */
    TRACE_END_EXEC = 3,     /* an exec replaced the program image; status 0 */
    TRACE_END_SIGNAL = 4,   /* died of a fatal signal; status is the signal number */
};

/* Bits of trace_file_header.flags. */
#define TRACE_FLAG_FREE_STACKS 0x1u /* free records carry stacks */
#define TRACE_FLAG_GUARD 0x2u       /* blocks carry the guard header (src/trace/blockhdr.h) */
#define TRACE_FLAG_STOPPED 0x4u     /* set in the mapped header when recording stopped early
                                       because the trace could not be written */

/* Heap errors; trace_rec_error.h.aux. Values are part of the format. */
enum trace_error_kind {
    ERR_DOUBLE_FREE = 1,       /* a block released twice */
    ERR_INVALID_FREE = 2,      /* a pointer heapwise never handed out (or not a block start) */
    ERR_MISMATCHED_FREE = 3,   /* released by a function of another family (free vs delete) */
    ERR_HEADER_CORRUPTION = 4, /* bytes before the block (its header, the size word) changed */
    ERR_OVERFLOW = 5,          /* bytes past the end of the block (its canary) changed */
    ERR_WRITE_AFTER_FREE = 6,  /* a freed block's fill pattern changed in quarantine */
    ERR_KIND_LIMIT
};

/* Where an error was found; trace_rec_error.where. */
enum trace_error_where {
    WHERE_FREE = 1,       /* free() or operator delete */
    WHERE_REALLOC = 2,    /* realloc() or reallocarray() */
    WHERE_EXIT = 3,       /* the exit-time check of blocks still live */
    WHERE_QUARANTINE = 4, /* a freed block leaving the quarantine */
    WHERE_USABLE_SIZE = 5 /* malloc_usable_size() */
};

/* "Unknown" for the one-byte kind fields of trace_rec_error. */
#define TRACE_KIND_NONE 0xff
/* Bytes of evidence an error record carries (found and expected). */
#define TRACE_ERROR_BYTES 32

/*
 * Page 0 of the file. The shim writes it once at open (except the ring control, which
 * lives on in the same page while the process runs).
 */
struct trace_file_header {
    char magic[TRACE_MAGIC_LEN]; /* TRACE_MAGIC */
    uint32_t version;            /* TRACE_VERSION at the time of writing */
    uint32_t header_size;        /* sizeof(struct trace_file_header) of the writer */
    uint64_t pid;                /* process id of the traced process */
    uint64_t ppid;               /* its parent's pid at start */
    uint64_t start_realtime_ns;  /* CLOCK_REALTIME at start, ns since the epoch */
    uint64_t start_monotonic_ns; /* CLOCK_MONOTONIC at start; record times use this clock */
    uint64_t ring_offset;        /* byte offset of the ring area (TRACE_PAGE) */
    uint64_t ring_bytes;         /* size of the ring area, a power of two */
    uint64_t data_offset;        /* byte offset where drained records start */
    uint32_t flags;              /* TRACE_FLAG_* */
    uint32_t stack_depth;        /* maximum frames captured per stack */
    /* Fields after this point are absent from traces whose header_size is smaller;
     * readers treat them as zero. */
    uint64_t guard_secret;       /* per-process key of the block header checks (blockhdr.h) */
    /* Version 2 on (0 in older headers, read as 1): */
    uint32_t time_unit;          /* ns: the times in frames are multiples of it */
    uint32_t reserved;           /* 0 */
};

/* header_size of the first version-1 writers, the smallest a reader accepts. */
#define TRACE_HEADER_MIN_SIZE 80

/*
 * Ring control, at TRACE_RING_CTL_OFFSET in page 0, shared (MAP_SHARED) between the
 * producers, the writer thread and, after a crash, the reader. Positions are byte counts
 * since the start that only grow; position % ring_bytes is the offset in the ring area.
 */
#define TRACE_RING_CTL_OFFSET 1024
struct trace_ring_ctl {
    uint64_t head;        /* next byte a producer will reserve */
    uint8_t pad0[56];     /* keep head and tail on separate cache lines */
    uint64_t tail;        /* next byte the writer will drain */
    uint64_t drained_end; /* file offset just past the last drained record */
    uint8_t pad1[48];
};

/* Common prefix of every record. Stored last, as one 64-bit word, to commit the record. */
struct trace_rec_hdr {
    uint32_t size; /* bytes in the record, header included; multiple of TRACE_ALIGN */
    uint16_t type; /* enum trace_rec_type */
    uint16_t aux;  /* per type: enum trace_kind for ALLOC/FREE/REALLOC, else 0 */
};

/* TRACE_REC_PROCESS: followed by exe_len bytes of path, then argc NUL-terminated strings. */
struct trace_rec_process {
    struct trace_rec_hdr h;
    uint32_t argc;    /* strings after the exe path */
    uint32_t exe_len; /* bytes of exe path, no NUL */
    uint32_t args_len; /* bytes of the argv strings, NULs included */
    uint32_t reserved;
};

/* TRACE_REC_MODULE: followed by build_id_len bytes of build-id, then path_len bytes. */
struct trace_rec_module {
    struct trace_rec_hdr h;
    uint64_t base;          /* load bias (dlpi_addr) */
    uint64_t start;         /* lowest mapped address of any PT_LOAD, absolute */
    uint64_t end;           /* one past the highest mapped address, absolute */
    uint32_t build_id_len;  /* bytes of GNU build-id, 0 if none */
    uint32_t path_len;      /* bytes of path, no NUL; the main program's real path */
};

/* TRACE_REC_STACK: followed by depth return addresses (uint64_t), innermost first. */
struct trace_rec_stack {
    struct trace_rec_hdr h;
    uint32_t id;    /* stack id, >= 1, unique in the trace */
    uint32_t depth; /* number of frames, <= TRACE_STACK_MAX */
};

/* TRACE_REC_ALLOC; h.aux = enum trace_kind. */
struct trace_rec_alloc {
    struct trace_rec_hdr h;
    uint64_t ptr;     /* address returned to the program */
    uint64_t size;    /* bytes requested */
    uint64_t time_ns; /* CLOCK_MONOTONIC */
    uint32_t stack;   /* stack id or TRACE_STACK_NONE */
    uint32_t tid;     /* kernel thread id */
};

/* TRACE_REC_FREE; h.aux = enum trace_kind of the deallocation function. */
struct trace_rec_free {
    struct trace_rec_hdr h;
    uint64_t ptr;     /* address passed by the program (never NULL) */
    uint64_t time_ns; /* CLOCK_MONOTONIC */
    uint32_t stack;   /* stack id or TRACE_STACK_NONE */
    uint32_t tid;     /* kernel thread id */
};

/*
 * TRACE_REC_REALLOC: old_ptr (non-NULL) resized to size (> 0). new_ptr == 0 means the
 * call failed and old_ptr is still live. realloc(NULL, n) is an ALLOC and realloc(p, 0)
 * a FREE, so neither appears here. h.aux = KIND_MALLOC.
 */
struct trace_rec_realloc {
    struct trace_rec_hdr h;
    uint64_t old_ptr; /* block passed in */
    uint64_t new_ptr; /* block returned, 0 on failure */
    uint64_t size;    /* bytes requested */
    uint64_t time_ns; /* CLOCK_MONOTONIC */
    uint32_t stack;   /* stack id or TRACE_STACK_NONE */
    uint32_t tid;     /* kernel thread id */
};

/* TRACE_REC_END: the process is exiting. Records may still follow (late destructors). */
struct trace_rec_end {
    struct trace_rec_hdr h;
    int32_t status;        /* exit status */
    uint32_t how;          /* enum trace_end_how */
    uint64_t time_ns;      /* CLOCK_MONOTONIC */
    uint64_t dropped;      /* records lost because the ring stayed full */
    uint64_t untracked;    /* allocations not recorded (inside heapwise, before init) */
};

/*
 * TRACE_REC_ERROR; h.aux = enum trace_error_kind. The stacks of the allocation and of the
 * first release come from the block's guard header when it was intact (else NONE); the
 * analyzer may fill in what the trace itself knows. found/expected hold nbytes bytes
 * starting at `offset` from ptr; for header corruption the shim sends the whole header
 * as found (nbytes = 32, offset = -32) and expected may be left for the analyzer to
 * derive from the block's allocation record (blockhdr_encode).
 */
struct trace_rec_error {
    struct trace_rec_hdr h;
    uint64_t ptr;          /* pointer passed by the program, or the block */
    uint64_t size;         /* requested bytes of the block, UINT64_MAX when there is none */
    int64_t offset;        /* first damaged byte relative to ptr (corruption kinds), else 0 */
    uint64_t time_ns;      /* CLOCK_MONOTONIC */
    uint32_t stack;        /* the call that found it (free, realloc), or TRACE_STACK_NONE */
    uint32_t tid;          /* kernel thread id */
    uint32_t alloc_stack;  /* allocation of the block, or TRACE_STACK_NONE */
    uint32_t free_stack;   /* first release of the block (double free, write after free) */
    uint8_t alloc_kind;    /* enum trace_kind of the block, TRACE_KIND_NONE if unknown */
    uint8_t free_kind;     /* enum trace_kind of the releasing function, or TRACE_KIND_NONE */
    uint8_t where;         /* enum trace_error_where */
    uint8_t nbytes;        /* valid bytes in found[] and expected[], <= TRACE_ERROR_BYTES */
    uint8_t nexpected;     /* valid bytes in expected[] (0: not known to the shim) */
    uint8_t reserved[3];
    uint8_t found[TRACE_ERROR_BYTES];    /* bytes as found */
    uint8_t expected[TRACE_ERROR_BYTES]; /* what they should have been */
};

/* Lower-case snake_case name of an error kind ("double_free"), or "unknown". */
const char *trace_error_name(unsigned kind);

/* Leak classes of a live block; the low 4 bits of a trace_rec_leakscan entry. */
enum trace_leak_class {
    LEAK_DEFINITE = 1,  /* unreachable, and no other unreachable block points to it */
    LEAK_INDIRECT = 2,  /* unreachable, but pointed to (at its start) by an unreachable block */
    LEAK_POSSIBLE = 3,  /* reachable only through pointers into its interior */
    LEAK_REACHABLE = 4, /* reachable from a root through pointers to block starts */
    LEAK_CLASS_LIMIT
};
#define TRACE_LEAK_CLASS_MASK 0xfull

/* Bits of trace_rec_leakscan.flags. */
#define LEAKSCAN_FIRST 0x1u /* the first record of a scan: forget earlier classes */
#define LEAKSCAN_LAST 0x2u  /* the last record of a scan: its counters are final */
#define LEAKSCAN_GROUPED 0x4u /* (first record) each indirect entry belongs to the nearest
                                 definite entry before it: the lost block that holds it */

/*
 * TRACE_REC_LEAKSCAN: part of the result of one reachability scan, followed by count u64
 * entries, each the user address of a block live at the scan | its enum trace_leak_class
 * (block addresses are 16-aligned). A scan spans as many records as it needs, the first
 * flagged LEAKSCAN_FIRST and the last LEAKSCAN_LAST; blocks live at the scan that no
 * entry names were not classified (e.g. allocated while it ran).
 */
struct trace_rec_leakscan {
    struct trace_rec_hdr h;
    uint32_t count;          /* entries that follow */
    uint32_t flags;          /* LEAKSCAN_* */
    uint64_t time_ns;        /* CLOCK_MONOTONIC at the start of the scan */
    uint32_t threads;        /* threads whose stacks and registers were scanned */
    uint32_t threads_missed; /* threads that did not stop in time (scanned conservatively) */
};

/*
 * TRACE_REC_SAMPLE: the resident set size of the whole process at time_ns, read from
 * /proc/self/statm by the writer thread every sample_interval_ms (never by the program's
 * threads). Readers that predate type 12 stop at the first one as at any unknown type.
 */
struct trace_rec_sample {
    struct trace_rec_hdr h;
    uint64_t time_ns;   /* CLOCK_MONOTONIC */
    uint64_t rss_bytes; /* resident pages times the page size */
};

/* Longest pool name a POOL_CREATE record carries, in bytes; longer names are cut. */
#define TRACE_POOL_NAME_MAX 255
/* trace_rec_pool_create.h.aux: a pool created before a fork, recorded again in the child. */
#define TRACE_POOL_INHERITED 1

/*
 * The pool records: a program's own allocator (a partition pool, a slab cache, an arena)
 * announced through the heapwise_pool_* annotations. The shim records the calls as they
 * are; the reader judges them (double or foreign frees, unknown pools). `pool` is the
 * handle the program chose (any non-NULL address; NULL is recorded and judged invalid).
 */

/* TRACE_REC_POOL_CREATE: followed by name_len bytes of the name (no NUL). h.aux = 0 or
 * TRACE_POOL_INHERITED. */
struct trace_rec_pool_create {
    struct trace_rec_hdr h;
    uint64_t pool;     /* the pool's handle */
    uint64_t time_ns;  /* CLOCK_MONOTONIC */
    uint32_t stack;    /* stack id or TRACE_STACK_NONE */
    uint32_t tid;      /* kernel thread id */
    uint32_t name_len; /* bytes of name, <= TRACE_POOL_NAME_MAX; 0: unnamed */
    uint32_t reserved;
};

/*
 * TRACE_REC_POOL_ALLOC (the pool handed out size bytes at ptr), TRACE_REC_POOL_FREE (ptr
 * was given back to it) and TRACE_REC_POOL_DESTROY (the pool is gone, with every block it
 * still held). h.aux = 0.
 */
struct trace_rec_pool {
    struct trace_rec_hdr h;
    uint64_t pool;    /* the pool's handle */
    uint64_t ptr;     /* the block (never 0) for alloc and free; 0 for destroy */
    uint64_t size;    /* bytes of the block for alloc; 0 otherwise */
    uint64_t time_ns; /* CLOCK_MONOTONIC */
    uint32_t stack;   /* stack id or TRACE_STACK_NONE (a free's, when free stacks are off) */
    uint32_t tid;     /* kernel thread id */
};

/* What followed a check request; trace_rec_check.outcome. */
enum trace_check_outcome {
    TRACE_CHECK_SCANNED = 1, /* the scan's LEAKSCAN records follow this record */
    TRACE_CHECK_NO_SCAN = 2, /* no scan: the guard or the leak_scan option is off */
};

/*
 * TRACE_REC_CHECK: the check_signal option's signal arrived and a thread of heapwise's
 * own took the request up. With TRACE_CHECK_SCANNED the next LEAKSCAN records (FIRST to
 * LAST) are the scan it asked for, which left no thread of the program out of the roots.
 * Signals that arrive before a request is taken up are counted in one record.
 */
struct trace_rec_check {
    struct trace_rec_hdr h;
    uint64_t time_ns;  /* CLOCK_MONOTONIC when the first of these signals arrived */
    uint32_t signal;   /* its number */
    uint32_t requests; /* signals counted in this record, >= 1 */
    uint32_t outcome;  /* enum trace_check_outcome */
    uint32_t reserved;
};

/* "HWFR", little-endian: first word of every frame. */
#define TRACE_FRAME_MAGIC 0x52465748u
/* Largest payload a frame may declare, stored or packed (the writer makes 256 KiB). */
#define TRACE_FRAME_MAX (1u << 20)
/* Largest zstd window a frame's stream may use (log2 bytes; the writer uses 2^19). */
#define TRACE_ZSTD_WINDOW_LOG_MAX 22

/* How a frame's payload is stored; trace_frame.codec. */
enum trace_codec {
    TRACE_CODEC_NONE = 0, /* the packed records themselves */
    TRACE_CODEC_ZSTD = 1, /* the next piece of the trace's zstd stream, ending in a flush */
    TRACE_CODEC_LIMIT
};

/*
 * One frame of the data area (version 2), followed by `stored` bytes of payload. Frames
 * follow each other without gaps; each covers the ring positions right after the last.
 */
struct trace_frame {
    uint32_t magic;      /* TRACE_FRAME_MAGIC */
    uint16_t codec;      /* enum trace_codec */
    uint16_t reserved;   /* 0 */
    uint32_t stored;     /* bytes of payload after this header, <= TRACE_FRAME_MAX */
    uint32_t packed;     /* bytes of packed records in it (its uncompressed length) */
    uint64_t ring_start; /* ring position of the first record drained into it */
    uint64_t ring_end;   /* ring position just past the last one (pad records included) */
    uint32_t count;      /* records in it */
    uint32_t crc;        /* CRC-32 (zlib's) of this header with crc = 0, then the payload */
};

/* Round n up to the record alignment. */
static inline uint32_t trace_align(uint32_t n)
{
    return (n + TRACE_ALIGN - 1) & ~(uint32_t)(TRACE_ALIGN - 1);
}

/* The header as the single 64-bit word that commits a record. */
static inline uint64_t trace_hdr_word(uint32_t size, uint16_t type, uint16_t aux)
{
    return (uint64_t)size | ((uint64_t)type << 32) | ((uint64_t)aux << 48);
}

/* Minimum size of a record of `type` (its fixed struct), or 0 for an unknown type. */
size_t trace_rec_min_size(unsigned type);

/* Lower-case name of a record type ("alloc"), or "unknown". */
const char *trace_rec_name(unsigned type);

/* Lower-case name of an allocation kind ("malloc", "new[]"), or "unknown". */
const char *trace_kind_name(unsigned kind);

/*
 * Check one record at `p` with `avail` readable bytes. Returns the record's size (> 0)
 * when it is complete and well formed, 0 when the header is zero (not committed / end
 * of data), -EAGAIN when fewer than size bytes are available (torn tail), and -EINVAL
 * when the header or the body is malformed (*why receives a static description).
 */
long trace_rec_check_any(const void *p, size_t avail, const char **why);

/*
 * trace_rec_check_any(), with the answer for the events (alloc, free, realloc records of
 * exactly their struct's size: nearly every record of a trace) given inline: only their
 * kind and a realloc's old pointer can be wrong. Anything else goes to the full check.
 */
static inline long trace_rec_check(const void *p, size_t avail, const char **why)
{
    const struct trace_rec_realloc *re = (const struct trace_rec_realloc *)p;
    if (avail < sizeof(*re) || re->h.aux >= KIND_LIMIT)
        return trace_rec_check_any(p, avail, why);
    /* field by field: a record just built by separate stores is read without a stall */
    uint32_t size = re->h.size;
    unsigned type = re->h.type;
    if ((type == TRACE_REC_ALLOC && size == sizeof(struct trace_rec_alloc)) ||
        (type == TRACE_REC_FREE && size == sizeof(struct trace_rec_free)) ||
        (type == TRACE_REC_REALLOC && size == sizeof(*re) && re->old_ptr != 0))
        return size;
    return trace_rec_check_any(p, avail, why);
}

/*
 * Check a file header; 0, or -EINVAL with *why set and *at the byte offset of the first
 * field found wrong (0 for the magic, 8 for the version, ...).
 */
int trace_header_check(const struct trace_file_header *h, const char **why, uint32_t *at);

/*
 * Check a frame header's own fields (magic, codec, sizes, ring range), not its payload;
 * 0, or -EINVAL with *why set.
 */
int trace_frame_check(const struct trace_frame *f, const char **why);

#endif
