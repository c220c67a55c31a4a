/*
 * Shared pieces of the heapwise command line: the command entry points, diagnostics in
 * the house style ("heapwise report: t.trace: truncated at byte 42"), and turning traces
 * into reports. Only src/cli/ prints diagnostics and chooses exit codes.
 */
#ifndef HEAPWISE_CLI_H
#define HEAPWISE_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/suppress.h"

/* Exit codes of heapwise itself (documented in man/heapwise.1). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_INCOMPLETE 1 /* report: a trace was unreadable, truncated or corrupt */
#define CLI_EXIT_USAGE 2      /* bad command line */
#define CLI_EXIT_NOEXEC 126   /* run: the program exists but cannot be executed */
#define CLI_EXIT_NOTFOUND 127 /* run: the program does not exist */

/* Leak classes (--leak-kinds): which count as findings for --error-exitcode. */
#define CLI_LEAK_DEFINITE 0x1u  /* definitely lost, and every live block without a scan */
#define CLI_LEAK_INDIRECT 0x2u
#define CLI_LEAK_POSSIBLE 0x4u
#define CLI_LEAK_REACHABLE 0x8u
#define CLI_LEAK_GIVEN 0x100u   /* set once --leak-kinds was parsed (it may say "none") */
#define CLI_LEAK_DEFAULT (CLI_LEAK_DEFINITE | CLI_LEAK_INDIRECT)

/* --flamegraph[=leaked|allocated]: collapsed stacks instead of the report. */
#define CLI_FLAME_LEAKED 1
#define CLI_FLAME_ALLOCATED 2

/* Options shared by `run` and `report` that shape the report. */
struct report_request {
    int json;              /* 1: one JSON document instead of text */
    int flamegraph;        /* 0, or CLI_FLAME_*: collapsed stacks instead of text */
    const char *html;      /* --html=FILE: also write the HTML report there, or NULL */
    const char *pprof;     /* --pprof=FILE: also write a gzipped pprof profile there, or NULL */
    int show_shim_frames;  /* 1: keep libheapwise.so frames in stacks */
    unsigned show;         /* REPORT_SHOW_* bits: leak kinds listed beyond the lost ones */
    unsigned leak_kinds;   /* CLI_LEAK_* bits, or 0 for CLI_LEAK_DEFAULT */
    int quiet;             /* 1: no text report for a process without findings */
    int gen_suppressions;  /* 1: propose a suppression rule for every finding */
    struct suppress suppress; /* every --suppressions file's rules (zeroed: none) */
    FILE *out;             /* where the report goes */
    int error_exitcode;    /* --error-exitcode's N, or 0 when not given */
    uint64_t findings;     /* set by cli_emit_reports: heap errors + leaked blocks of the
                              counted classes, all traces, after suppressions */
    int env_json;          /* the format HEAPWISE_OPTIONS chose, put aside while the */
    int env_flamegraph;    /*   command line is read (cli_report_env_format) */
};

/* The long options shaping the report, shared by `run` and `report` (getopt values are
 * the ones cli_report_option takes). Spliced into each command's table by this macro. */
#define CLI_REPORT_OPTIONS                                                                         \
    {"json", no_argument, NULL, 'j'}, {"show-shim-frames", no_argument, NULL, 's'},                \
        {"show-reachable", no_argument, NULL, 'R'}, {"show-possibly", no_argument, NULL, 'P'},     \
        {"error-exitcode", required_argument, NULL, 'e'},                                        \
        {"suppressions", required_argument, NULL, 'S'},                                           \
        {"gen-suppressions", no_argument, NULL, 'G'},                                             \
        {"leak-kinds", required_argument, NULL, 'K'}, {"quiet", no_argument, NULL, 'q'},          \
        {"flamegraph", optional_argument, NULL, 'F'}, {"html", required_argument, NULL, 'H'},    \
        {"pprof", required_argument, NULL, 'p'}

/* --help lines of CLI_REPORT_OPTIONS, in the layout of both commands' usage texts. */
#define CLI_REPORT_USAGE                                                                           \
    "      --json                the report as one JSON document (schema: heapwise(1))\n"        \
    "      --show-shim-frames    keep frames inside libheapwise.so in stacks\n"                   \
    "      --show-reachable      also list blocks still reachable at exit\n"                      \
    "      --show-possibly       also list blocks only reachable through interior pointers\n"     \
    "      --error-exitcode=N    exit N (1-255) when a heap error or a leak was found\n"          \
    "      --leak-kinds=LIST     leak classes that count as found (and are listed):\n"            \
    "                            definite,indirect,possible,reachable, all, none\n"               \
    "                            (default: definite,indirect)\n"                                  \
    "      --suppressions=FILE   leave out findings matched by FILE's rules (LeakSanitizer's\n"   \
    "                            format: leak:PATTERN, double_free:PATTERN, ...); repeatable\n"  \
    "      --gen-suppressions    after the report, print a rule for each finding\n"               \
    "      --quiet               no report for a process where nothing was found\n"               \
    "      --flamegraph[=leaked|allocated]\n"                                                      \
    "                            collapsed stacks (flamegraph.pl, speedscope) instead of the\n"   \
    "                            report: leaked bytes (default) or all allocated bytes\n"   \
    "      --html=FILE           also write a self-contained HTML report to FILE: memory\n"    \
    "                            over time, top allocation sites, leaks, flame graphs\n"       \
    "      --pprof=FILE          also write a gzipped pprof heap profile to FILE\n"             \
    "                            (alloc_/inuse_objects, alloc_/inuse_space; inuse: live\n"     \
    "                            at the end of the trace) for pprof, Pyroscope, Parca\n"

/*
 * Apply getopt's result c (with optarg arg) if it is one of CLI_REPORT_OPTIONS: returns 1
 * when taken, 0 when c is not a report option, or CLI_EXIT_USAGE after a message.
 */
int cli_report_option(const char *cmd, int c, const char *arg, struct report_request *req);

/*
 * The report format (json, flamegraph) chosen by HEAPWISE_OPTIONS: `aside` = 1 between the
 * environment and the command line puts it aside, so that a format given on the command
 * line replaces it instead of conflicting with it; `aside` = 0 afterwards puts it back
 * when the command line chose none.
 */
void cli_report_env_format(struct report_request *req, int aside);

/* The exit status --error-exitcode asks for when something was found, else `otherwise`. */
int cli_exit_status(const struct report_request *req, int otherwise);

/* Free what the report options hold (the suppression rules). */
void cli_report_release(struct report_request *req);

/* Apply long option c (getopt's value) with value (NULL for a flag), named key; 0 or a
 * non-zero status that stops the reading. */
typedef int (*cli_env_apply_fn)(int c, const char *value, const char *key, void *ctx);

/*
 * HEAPWISE_OPTIONS, to be read before the command line (whose options then win): checked
 * whole by the shim's parser, so a key or value the shim would refuse is a usage error
 * here too; then each key naming a long option of `longopts` (its name with '-' written
 * '_') is handed to apply, a flag only when its value is 1; the other keys (the shim's,
 * another command's) are left alone. The string is copied into *keep (free it: the
 * values point into it). Returns 0, apply's first non-zero value, or CLI_EXIT_USAGE
 * after a message.
 */
int cli_env_options(const char *cmd, const struct option *longopts, cli_env_apply_fn apply,
                    void *ctx, char **keep);

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* "heapwise CMD: message\n" on stderr; printf-style. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As cli_error, then a hint to run `heapwise CMD --help`; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Analyse each trace and write one report for all of them. `ends` (may be NULL) holds,
 * per trace, a wait status to apply (-1: none). Problems with a trace are printed as
 * one line each under `cmd`. Returns the number of traces that were unreadable or
 * incomplete, or -1 if writing the report failed. Adds to req->findings.
 */
int cli_emit_reports(const char *cmd, char *const *paths, const int *ends, size_t n,
                     struct report_request *req);

/* Version string "heapwise X.Y.Z". */
const char *cli_version(void);

#endif
