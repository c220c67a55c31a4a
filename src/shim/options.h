/*
 * Options of the shim: the HEAPWISE_OPTIONS string (`key=value:key=value`) parsed into a
 * struct, and the trace path built from it. Pure string work on caller buffers: no
 * allocation, no environment access, no I/O; the caller (init.c) reads the environment
 * once and reports errors. The one grammar of HEAPWISE_OPTIONS: every key of the shim and
 * every long option of `heapwise run` (its name with '-' written '_'); the CLI validates
 * the environment with this parser too, so both reject the same keys and values.
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
/* Default and largest interval between two RSS samples of the writer thread, in ms. */
#define OPTIONS_SAMPLE_DEFAULT_MS 10
#define OPTIONS_SAMPLE_MAX_MS 3600000
/* Default time_unit: trace times in whole microseconds (see heapwise(1)). */
#define OPTIONS_TIME_UNIT_DEFAULT 1000u
/* Largest time_unit, in ns: one second. */
#define OPTIONS_TIME_UNIT_MAX 1000000000u
/* Largest --error-exitcode. */
#define OPTIONS_EXITCODE_MAX 255

/* Leak classes (leak_kinds): which count as findings for error_exitcode. */
#define OPTIONS_LEAK_DEFINITE 0x1u /* definitely lost, and every live block without a scan */
#define OPTIONS_LEAK_INDIRECT 0x2u
#define OPTIONS_LEAK_POSSIBLE 0x4u
#define OPTIONS_LEAK_REACHABLE 0x8u
#define OPTIONS_LEAK_ALL 0xfu
#define OPTIONS_LEAK_DEFAULT (OPTIONS_LEAK_DEFINITE | OPTIONS_LEAK_INDIRECT)

struct options {
    char output[OPTIONS_PATH_MAX]; /* `output` as given (may hold %p), "" = default name */
    unsigned depth;                /* frames per stack, 1..OPTIONS_DEPTH_MAX */
    int free_stacks;               /* 1: capture stacks on frees too */
    uint64_t ring_size;            /* ring bytes, power of two in [RING_MIN, RING_MAX] */
    unsigned time_unit;            /* ns, 1..OPTIONS_TIME_UNIT_MAX: the trace's times are
                                      rounded down to a multiple of it */
    int enabled;                   /* 0: load but record nothing */
    int guard;                     /* 1: guard headers, canaries and checks on every block */
    uint64_t quarantine_size;      /* bytes of freed blocks kept in quarantine, 0 = none */
    int abort_on_error;            /* 1: abort() after recording the first heap error */
    int leak_scan;                 /* 1: reachability scan at exit (needs guard) */
    int trace_children;            /* 1: exec'd children keep LD_PRELOAD (are traced) */
    int summary;                   /* 1: env-only mode, the process prints its own summary
                                      and applies error_exitcode (heapwise run sets 0) */
    int error_exitcode;            /* exit status when something was found, 0 = none */
    unsigned leak_kinds;           /* OPTIONS_LEAK_* bits counted as found */
    int quiet;                     /* 1: no summary when nothing was found */
    int suppressions;              /* 1: a suppressions file was named (not applied here) */
    unsigned sample_interval_ms;   /* ms between two RSS samples, 0 = none */
    int check_signal;              /* signal number that asks for a leak check, 0 = off */
    int fast_unwind;               /* 1: heapwise's own unwinder before libunwind */
    int unwind_verify;             /* 1: both unwinders on every capture, compared */
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
 * The OPTIONS_LEAK_* bits of a leak_kinds list s[0..n): definite, indirect, possible,
 * reachable, comma-separated, or all or none. 0, or -EINVAL on an unknown or empty name.
 */
int options_leak_kinds(const char *s, size_t n, unsigned *bits);

/*
 * The number of the signal s[0..n) names, for check_signal: a number, or a name with or
 * without "SIG" (SIGUSR2, USR2; real-time signals by number), or 0 for none (*sig = 0,
 * off). Refused (-EINVAL): unknown names and numbers, signals that cannot be caught
 * (KILL, STOP), the synchronous faults and abort (SEGV, BUS, FPE, ILL, TRAP, SYS, ABRT:
 * their handler cannot just return), glibc's own (32, 33) and heapwise's (SIGRTMIN + 7,
 * stopworld.h). 0 and *sig, or -EINVAL.
 */
int options_signal(const char *s, size_t n, int *sig);

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
