/*
 * Options of the shim: the HEAPWISE_OPTIONS string (`key=value:key=value`) parsed into a
 * struct, and the trace path built from it. Pure string work on caller buffers: no
 * allocation, no environment access, no I/O; the caller (init.c) reads the environment
 * once and reports errors.
 */
#ifndef HEAPWISE_SHIM_OPTIONS_H
#define HEAPWISE_SHIM_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/* Longest output path accepted, NUL included. */
#define OPTIONS_PATH_MAX 4096
/* Longest diagnostic options_parse writes, NUL included. */
#define OPTIONS_ERR_MAX 256
#define OPTIONS_DEPTH_DEFAULT 64
#define OPTIONS_DEPTH_MAX 256
#define OPTIONS_RING_DEFAULT (8u << 20)
#define OPTIONS_RING_MIN (64u << 10)
#define OPTIONS_RING_MAX (1ull << 30)
/* Default bytes of freed blocks held in quarantine (4 MiB). */
#define OPTIONS_QUARANTINE_DEFAULT (4ull << 20)

struct options {
    char output[OPTIONS_PATH_MAX]; /* `output` as given (may hold %p), "" = default name */
    unsigned depth;                /* frames per stack, 1..OPTIONS_DEPTH_MAX */
    int free_stacks;               /* 1: capture stacks on frees too */
    uint64_t ring_size;            /* ring bytes, power of two in [RING_MIN, RING_MAX] */
    int enabled;                   /* 0: load but record nothing */
    int guard;                     /* 1: guard headers, canaries and checks on every block */
    uint64_t quarantine_size;      /* bytes of freed blocks kept in quarantine, 0 = none */
    int abort_on_error;            /* 1: abort() after recording the first heap error */
    int leak_scan;                 /* 1: reachability scan at exit (needs guard) */
    int trace_children;            /* 1: exec'd children keep LD_PRELOAD (are traced) */
};

/* Fill `c` with the defaults. */
void options_defaults(struct options *c);

/*
 * Parse an option string (NULL or "" = defaults) into `c`, which starts from the
 * defaults. Returns 0, or -EINVAL with a one-line message (no newline, no prefix) in
 * err[OPTIONS_ERR_MAX], e.g. "unknown option 'foo'".
 */
int options_parse(struct options *c, const char *s, char *err);

/*
 * Build the trace path into out[OPTIONS_PATH_MAX]: `output` with each %p replaced by the
 * pid; the default name heapwise.<prog>.<pid>.trace when output is empty, or appended
 * as a file name when `output_is_dir`. Returns 0 or -ENAMETOOLONG.
 */
int options_trace_path(const struct options *c, int output_is_dir, long pid, const char *prog,
                       char *out);

/* Expand %p in the output option alone (to test it for a directory); same errors. */
int options_expand_output(const struct options *c, long pid, char *out);

#endif
