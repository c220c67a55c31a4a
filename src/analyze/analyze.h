/*
 * The analyzer's interface to the CLI: load one trace into findings, then write them as
 * text or JSON. Nothing here prints diagnostics or exits; failures come back as -errno
 * plus a message in struct analyze_error. Report writers write only to the FILE they get.
 */
#ifndef HEAPWISE_ANALYZE_H
#define HEAPWISE_ANALYZE_H

#include <stdint.h>
#include <stdio.h>

#include "trace/format.h"

/* How a traced process ended, as far as the trace (or the CLI, which waited for it) knows. */
enum analyze_end {
    ANALYZE_END_UNKNOWN = 0, /* no end record and nobody told us */
    ANALYZE_END_EXIT,        /* exited; status valid */
    ANALYZE_END_SIGNAL,      /* died of a signal; signal valid */
    ANALYZE_END_KILLED,      /* no end record: crashed or killed before it could write one */
    ANALYZE_END_EXEC,        /* an exec replaced this program image (the pid goes on) */
    ANALYZE_END_RUNNING,     /* no end record, and the process still runs (opts.live_check) */
};

/* One symbolised frame. Strings are owned by the analysis; NULL when unknown. */
struct analyze_frame {
    uint64_t address;     /* return address as recorded (the report may print address-1 lookups) */
    const char *module;   /* path of the loaded object, NULL if no module covers it */
    const char *function; /* demangled function name, NULL if unknown */
    const char *file;     /* source file, NULL if no line info */
    int line;             /* source line, 0 if unknown */
    int inlined;          /* 1 for a frame inlined into the next (outer) frame */
    const char *mangled;  /* the function's mangled name when it had one (C++), else NULL */
};

/* A loaded object of the traced process, as a MODULE record of the trace gave it. */
struct analyze_module {
    const char *path;              /* NULL when the record had none */
    uint64_t base;                 /* load bias */
    uint64_t start, end;           /* mapped addresses [start, end), absolute */
    const unsigned char *build_id; /* GNU build-id, build_id_len bytes (0: none) */
    size_t build_id_len;
};

/* A symbolised stack: innermost first, shim frames removed, inline frames expanded. */
struct analyze_stack {
    uint32_t id;                  /* trace stack id (0: none recorded) */
    size_t nframes;
    struct analyze_frame *frames; /* nframes entries */
};

/* Blocks live at the end sharing one allocation stack and leak class. */
struct analyze_leak {
    const char *kind;             /* "definitely_lost", "indirectly_lost", "possibly_lost",
                                     "still_reachable"; without a class, "leaked" (no leak
                                     scan), "not_freed" (killed) or "not_checked" (still
                                     running: allocated after the last scan); or
                                     "pool_not_freed" (blocks of a pool never given back) */
    uint64_t bytes;               /* sum of requested sizes */
    uint64_t blocks;              /* number of blocks */
    const struct analyze_stack *stack;
    const char *suppression;      /* the rule that would suppress it (gen_suppressions), or NULL */
    uint64_t indirect_bytes;      /* definitely lost: what the indirectly lost blocks it */
    uint64_t indirect_blocks;     /*   holds add up to (memcheck's "(N direct, M indirect)") */
    long held_by;                 /* indirectly lost: index in leaks[] of the definitely lost
                                     blocks holding these (listed before them), or -1 */
    uint64_t peak_bytes;          /* kind "allocated": its bytes live when the process's
                                     heap peaked (summary.peak_bytes) */
    uint64_t temporary;           /* kind "allocated": blocks freed (free or delete, not
                                     realloc) before any other allocation happened, as
                                     heaptrack counts temporary allocations */
    int has_pool;                 /* kind "pool_not_freed": blocks of a pool */
    uint64_t pool_address;        /*   the pool's handle */
    const char *pool;             /*   its name, NULL when unnamed */
};

/*
 * One point of a memory-over-time series: the largest live heap of its time slice, or in
 * the RSS series the largest resident set size sampled in it.
 */
struct analyze_point {
    uint64_t time_ns; /* since the first event or sample of the trace (both series) */
    uint64_t bytes;   /* live requested bytes, or resident bytes */
    uint64_t blocks;  /* live blocks at that moment (0 in the RSS series) */
};

/* A heap error (one context: identical errors are folded into count). */
struct analyze_heap_error {
    const char *kind;        /* "double_free", "invalid_free", "mismatched_free",
                                "header_corruption", "overflow", "write_after_free", or a
                                pool kind: "pool_double_free", "pool_invalid_free",
                                "pool_double_alloc", "pool_invalid_pool" */
    uint64_t address;        /* the pointer given to the releasing function, or the block */
    int has_size;            /* 0 when there is no block (invalid free) */
    uint64_t size;           /* requested bytes of the block */
    int has_offset;          /* 1 for the corruption kinds */
    int64_t offset;          /* first damaged byte relative to address (negative: before) */
    const char *alloc_kind;  /* "malloc", "new", "new[]", "aligned_new", or NULL */
    const char *free_kind;   /* "free", "delete", "delete[]", "realloc", or NULL */
    const char *where;       /* "free", "realloc", "exit", "quarantine", "malloc_usable_size";
                                pool kinds: "pool_create", "pool_alloc", "pool_free",
                                "pool_destroy" */
    const struct analyze_stack *stack;      /* the call that hit it (NULL at exit/quarantine) */
    const struct analyze_stack *alloc;      /* allocation of the block, NULL if unknown
                                               (pool_invalid_pool: the pool's creation) */
    const struct analyze_stack *freed;      /* release of the block (double free, write
                                               after free), NULL if none
                                               (pool_invalid_pool: the pool's destruction) */
    size_t nbytes;           /* bytes in found */
    size_t nexpected;        /* bytes in expected (0: unknown) */
    uint8_t found[TRACE_ERROR_BYTES], expected[TRACE_ERROR_BYTES];
    uint64_t count;          /* occurrences of this context */
    const char *message;     /* one line describing it */
    const char *suppression; /* the rule that would suppress it (gen_suppressions), or NULL */
    int has_pool;            /* a pool kind */
    uint64_t pool_address;   /*   the pool handle the call named */
    const char *pool;        /*   that pool's name, NULL when unnamed or not a pool */
};

/* What one suppression rule took out of one process's findings. */
struct analyze_suppressed {
    const char *kind;        /* "leak" or a heap error kind */
    const char *pattern;     /* as written after the colon */
    const char *rule;        /* "kind:pattern" */
    const char *file;        /* suppressions file and line of the rule */
    int line;
    uint64_t count;          /* leaked blocks, or heap error occurrences */
    uint64_t bytes;          /* leaked bytes (0 for heap errors) */
};

/* Totals of one process. */
struct analyze_summary {
    uint64_t allocations;  /* successful allocation calls (realloc counts as one) */
    uint64_t frees;        /* successful releases of a known block (realloc counts as one) */
    uint64_t peak_bytes;   /* maximum of live requested bytes at any point in the trace */
    uint64_t allocated_bytes; /* requested bytes of every allocation (memcheck's "bytes
                                 allocated"; a realloc counts its new size) */
    uint64_t in_use_bytes, in_use_blocks; /* live at the end and not set apart as the C
                                 runtime's (memcheck's "in use at exit"; suppressed included) */
    uint64_t leaked_bytes; /* definitely + indirectly lost when the trace has a leak scan,
                              else every block live at the end (runtime-owned excluded),
                              plus the pool blocks never given back (pool_leaked_*);
                              0 for an image replaced by exec (exec frees it all) */
    uint64_t leaked_blocks;
    int scanned;           /* 1 when a leak scan classified the blocks live at the end */
    uint64_t definitely_lost_bytes, definitely_lost_blocks;
    uint64_t indirectly_lost_bytes, indirectly_lost_blocks;
    uint64_t possibly_lost_bytes, possibly_lost_blocks;
    uint64_t still_reachable_bytes, still_reachable_blocks;
    uint64_t errors;       /* heap errors found (every occurrence) */
    uint64_t dropped;      /* records the shim lost (ring full), from the end record */
    uint64_t untracked;    /* allocations made before init or inside heapwise */
    uint64_t unknown_frees; /* frees of pointers never seen allocated (e.g. untracked) */
    uint64_t runtime_bytes;  /* live at the end but owned by the C runtime (see runtime.h) */
    uint64_t runtime_blocks;
    uint64_t implicit_frees; /* live blocks dropped because a new allocation reused their
                                address (the shim missed their release) */
    uint64_t suppressed_bytes, suppressed_blocks; /* leaks taken out by suppressions (any
                                class; not in the totals above) */
    uint64_t suppressed_errors; /* heap error occurrences taken out (not in errors) */
    uint64_t pool_allocations; /* blocks handed out by pools (heapwise_pool_alloc) */
    uint64_t pool_frees;       /* blocks given back to their pools */
    uint64_t pool_leaked_bytes, pool_leaked_blocks; /* handed out of a pool still live at the
                                 end and never given back (in leaked_*; suppressed ones not) */
    uint64_t pool_destroyed_bytes, pool_destroyed_blocks; /* still handed out when their pool
                                 was destroyed: released with it, not leaks */
    uint64_t pool_superblock_bytes, pool_superblock_blocks; /* malloc'ed blocks live at the
                                 end holding pool blocks still handed out: the pools' memory,
                                 not leaks of their own (in in_use_*) */
    uint64_t rss_samples;    /* SAMPLE records in the trace (0: RSS was not sampled) */
    uint64_t peak_rss_bytes; /* largest resident set size sampled (0 without samples) */
    uint64_t not_checked_bytes, not_checked_blocks; /* still running: live blocks no scan
                                 classified (allocated after the last one, or no scan
                                 yet); not leaks, not in leaked_* */
};

/* The last complete leak scan of a trace (summary.scanned). */
struct analyze_scan {
    uint64_t offset_ns;   /* when it started, since the trace started */
    uint64_t realtime_ns; /* the same as CLOCK_REALTIME, ns since the epoch */
    int signal;           /* the check_signal signal that asked for it, 0 when none did
                             (the exit's scan, heapwise_leak_check) */
};

/* Everything found in one trace. */
struct analyze_process {
    const char *path;      /* trace file */
    uint64_t pid, ppid;
    const char *exe;       /* NULL if the trace has no process record */
    size_t argc;
    const char *const *argv;
    enum analyze_end end;
    int status;            /* exit status when end == ANALYZE_END_EXIT */
    int signal;            /* signal number when end == ANALYZE_END_SIGNAL */
    uint64_t start_ns;     /* CLOCK_REALTIME when the trace began, ns since the epoch */
    uint64_t duration_ns;  /* first to last record time */
    struct analyze_summary summary;
    struct analyze_scan last_scan; /* valid when summary.scanned */
    uint64_t signal_checks;        /* leak checks asked for by check_signal (CHECK records) */
    int signal_checks_unscanned;   /* of those, the last was not followed by a scan (the
                                      guard or leak_scan was off) */
    size_t nleaks;
    struct analyze_leak *leaks; /* largest bytes first, ties by blocks then stack id */
    size_t nerrors;
    struct analyze_heap_error *errors; /* in order of first occurrence */
    size_t nsuppressed;
    struct analyze_suppressed *suppressed; /* rules that took something, in rule order */
    size_t nallocated;
    struct analyze_leak *allocated; /* opts.allocated: every allocation stack with the bytes
                                       and blocks allocated there over the whole run (kind
                                       "allocated"), largest first */
    size_t ntimeline;
    struct analyze_point *timeline; /* opts.timeline: live heap over time, in time order,
                                       at most opts.timeline points; the largest bytes is
                                       summary.peak_bytes */
    size_t nrss;
    struct analyze_point *rss;      /* opts.timeline: resident set size over time, at most
                                       opts.timeline points on the clock of timeline; the
                                       largest bytes is summary.peak_rss_bytes */
    size_t nmodules;
    struct analyze_module *modules; /* every distinct module the trace named, in the order
                                       of their first MODULE record (a frame's module is
                                       the same string as its path) */
    const char *warning;   /* e.g. "truncated at byte 18342 (no end record)", or NULL; when
                              set, the report covers only the records read before it */
};

struct suppress; /* analyze/suppress.h */

/* Points of a memory-over-time series for a chart: enough for a 2000-pixel-wide one. */
#define ANALYZE_TIMELINE_POINTS 2000

struct analyze_opts {
    int show_shim_frames;  /* 1: keep frames inside libheapwise.so (debugging heapwise) */
    int max_frames;        /* frames per stack in reports, <= 0: all */
    int show_below_main;   /* 1: keep the frames under main() (__libc_start_main, _start) */
    const struct suppress *suppress; /* rules taking findings out of the report, or NULL */
    int gen_suppressions;  /* 1: propose a rule for every leak and heap error */
    int allocated;         /* 1: fill analyze_process.allocated (costs a symbolised stack per
                              allocation site) */
    int timeline;          /* > 0: fill analyze_process.timeline with at most this many
                              points (ANALYZE_TIMELINE_POINTS is a good number) */
    int addresses_only;    /* 1: open no module file; frames keep address and module only */
    int live_check;        /* 1: a trace without an end record whose process still runs
                              (liveness.h: /proc) ends ANALYZE_END_RUNNING, not KILLED */
};

/* Error detail: a message such as "bad record size" and the byte offset it concerns. */
struct analyze_error {
    char message[512];
    int64_t offset;        /* -1 when not about a position in the file */
};

/*
 * Read, replay and symbolise the trace at path. On success returns 0 and *out (free with
 * analyze_process_free). A trace that is readable up to some point but then truncated or
 * corrupt still succeeds: what was read is analysed and (*out)->warning says where and why
 * it stopped. Fails with -errno (and *err filled) when the file cannot be opened or read,
 * is not a heapwise trace, or has an unsupported version.
 */
int analyze_trace(const char *path, const struct analyze_opts *opts,
                  struct analyze_process **out, struct analyze_error *err);

/* Record what the CLI learned by waiting for the process; overrides the trace's own view. */
void analyze_process_set_end(struct analyze_process *p, enum analyze_end end, int status,
                             int signal);

void analyze_process_free(struct analyze_process *p);

/* "exit", "signal", "killed", "exec", "running" or "unknown". */
const char *analyze_end_name(enum analyze_end end);

/* Bits of the `show` argument of report_text_show: which leak kinds are listed. */
#define REPORT_SHOW_POSSIBLE 0x1u  /* possibly_lost */
#define REPORT_SHOW_REACHABLE 0x2u /* still_reachable */

/*
 * Text report of one process: header line, heap errors, leaks grouped by stack (largest
 * first, frames with function file:line; definitely and indirectly lost, and "leaked"
 * blocks of traces without a scan, plus the kinds `show` asks for), then a summary ending
 * with the exact line "leaked: N bytes in M blocks". Returns 0 or -EIO when the stream
 * reports an error.
 */
int report_text_show(FILE *out, const struct analyze_process *p, unsigned show);

/* report_text_show with show = 0. */
int report_text_write(FILE *out, const struct analyze_process *p);

/* One JSON document (schema version 1, see man/heapwise.1) holding every process. */
int report_json_write(FILE *out, struct analyze_process *const *procs, size_t nprocs);

/*
 * Collapsed stacks of every process for flamegraph.pl or speedscope: one line per distinct
 * stack, "outermost;...;innermost BYTES", sorted. Leaked bytes (definitely and indirectly
 * lost, or every live block without a scan; suppressed and runtime blocks excluded), or
 * with `allocated` the bytes allocated at each stack over the run (needs opts.allocated).
 * 0, -ENOMEM, or -EIO when the stream reports an error.
 */
int report_flame_write(FILE *out, struct analyze_process *const *procs, size_t nprocs,
                       int allocated);

/*
 * One self-contained HTML page (inline CSS, JavaScript and SVG; nothing fetched) for every
 * process: summary, memory over time (needs opts.timeline), the top allocation sites by
 * bytes, calls, bytes at the peak and temporary blocks (needs opts.allocated), leaks and
 * heap errors with their stacks, and flame graphs of leaked and allocated bytes. Tables
 * are bounded (report_html.h), so the page stays small for any trace. 0, -ENOMEM, or -EIO
 * when the stream reports an error.
 */
int report_html_write(FILE *out, struct analyze_process *const *procs, size_t nprocs);

/*
 * A gzipped pprof heap profile (perftools.profiles.Profile, src/analyze/profile.proto) of
 * every process, for pprof, Pyroscope, Parca: one sample per allocation stack with
 * alloc_objects and alloc_space (every allocation made there over the run; needs
 * opts.allocated) and inuse_objects and inuse_space (its blocks still live at the end of
 * the trace: the leaks of every class in leaks[], so without the C runtime's and the
 * suppressed blocks), labelled pid; symbolised functions, files, lines and inline frames,
 * one mapping per module (with its build-id). 0, -ENOMEM, or -EIO when the stream
 * reports an error.
 */
int report_pprof_write(FILE *out, struct analyze_process *const *procs, size_t nprocs);

/*
 * What changed from run old to run new (both analysed with opts.allocated), per allocation
 * site matched by its folded stack (function names, outermost first): the change of its
 * leaked bytes, bytes live at the peak and bytes allocated, largest change first; sites
 * where nothing changed are left out. Text: a header line, one line per site
 * ("%+12d %+12d %+12d  STACK"), then "N sites changed"; or with json one document
 * {"heapwise_diff": 1, "old", "new", "sites": [{"stack", "leaked", "peak", "allocated"}]}
 * each measure {"old", "new", "change"}. 0, -ENOMEM, or -EIO when the stream fails.
 */
int report_diff_write(FILE *out, struct analyze_process *old, struct analyze_process *new,
                      int json);

#endif
