/*
 * From trace files to a report: analyse each trace, apply what the CLI knows about how
 * the process ended, and write text or one JSON document. Owns the wording of per-trace
 * problems; the analysis itself is src/analyze/.
 */
#include "cli/cli.h"

#include "analyze/analyze.h"
#include "shim/options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The value of --error-exitcode (1-255); -1 when it is not one. */
static int parse_exitcode(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return errno || *end || end == s || v < 1 || v > 255 ? -1 : (int)v;
}

/* The CLI_LEAK_* bits of a --leak-kinds list (the grammar of HEAPWISE_OPTIONS' leak_kinds);
 * 0 when a name is unknown. */
static unsigned parse_leak_kinds(const char *list)
{
    unsigned bits = 0;
    _Static_assert(CLI_LEAK_DEFINITE == OPTIONS_LEAK_DEFINITE &&
                       CLI_LEAK_INDIRECT == OPTIONS_LEAK_INDIRECT &&
                       CLI_LEAK_POSSIBLE == OPTIONS_LEAK_POSSIBLE &&
                       CLI_LEAK_REACHABLE == OPTIONS_LEAK_REACHABLE,
                   "one set of leak class bits");
    return options_leak_kinds(list, strlen(list), &bits) < 0 ? 0 : bits | CLI_LEAK_GIVEN;
}

static int load_suppressions(const char *cmd, const char *path, struct report_request *req)
{
    struct analyze_error err = {.offset = -1};
    if (suppress_load(&req->suppress, path, &err) == 0)
        return 1;
    cli_error(cmd, "%s", err.message);
    return CLI_EXIT_USAGE;
}

static int flamegraph_option(const char *cmd, const char *arg, struct report_request *req)
{
    if (!arg || strcmp(arg, "leaked") == 0)
        req->flamegraph = CLI_FLAME_LEAKED;
    else if (strcmp(arg, "allocated") == 0)
        req->flamegraph = CLI_FLAME_ALLOCATED;
    else
        return cli_usage_error(cmd, "--flamegraph: '%s' is neither 'leaked' nor 'allocated'",
                               arg);
    return 1;
}

/* One report format at a time: text, --json or --flamegraph. */
static int check_format(const char *cmd, const struct report_request *req)
{
    if (req->json && req->flamegraph)
        return cli_usage_error(cmd, "--json and --flamegraph cannot be used together");
    return 1;
}

int cli_report_option(const char *cmd, int c, const char *arg, struct report_request *req)
{
    switch (c) {
    case 'j': req->json = 1; return check_format(cmd, req);
    case 'F': return flamegraph_option(cmd, arg, req) == 1 ? check_format(cmd, req)
                                                            : CLI_EXIT_USAGE;
    case 'S': return load_suppressions(cmd, arg, req);
    case 'H':
    case 'p':
        if (!*arg)
            return cli_usage_error(cmd, "--%s: no file name given", c == 'H' ? "html" : "pprof");
        *(c == 'H' ? &req->html : &req->pprof) = arg;
        return 1;
    case 'G': req->gen_suppressions = 1; return 1;
    case 'q': req->quiet = 1; return 1;
    case 'K':
        if ((req->leak_kinds = parse_leak_kinds(arg)) != 0)
            return 1;
        return cli_usage_error(cmd, "--leak-kinds: '%s' is not a list of definite, indirect, "
                               "possible, reachable, or all or none", arg);
    case 's': req->show_shim_frames = 1; return 1;
    case 'R': req->show |= REPORT_SHOW_REACHABLE; return 1;
    case 'P': req->show |= REPORT_SHOW_POSSIBLE; return 1;
    case 'e':
        if ((req->error_exitcode = parse_exitcode(arg)) > 0)
            return 1;
        return cli_usage_error(cmd, "--error-exitcode: '%s' is not a number from 1 to 255", arg);
    default:
        return 0;
    }
}

void cli_report_env_format(struct report_request *req, int aside)
{
    if (aside) {
        req->env_json = req->json;
        req->env_flamegraph = req->flamegraph;
        req->json = req->flamegraph = 0;
    } else if (!req->json && !req->flamegraph) {
        req->json = req->env_json;
        req->flamegraph = req->env_flamegraph;
    }
}

int cli_exit_status(const struct report_request *req, int otherwise)
{
    return req->error_exitcode > 0 && req->findings > 0 ? req->error_exitcode : otherwise;
}

void cli_report_release(struct report_request *req)
{
    suppress_fini(&req->suppress);
}

static unsigned leak_kinds(const struct report_request *req)
{
    return req->leak_kinds & CLI_LEAK_GIVEN ? req->leak_kinds : CLI_LEAK_DEFAULT;
}

/* Heap errors plus the leaked blocks of the classes --leak-kinds counts. Blocks no scan
 * classified (no scan, or allocated after it) count as definitely lost. */
static uint64_t findings(const struct analyze_process *p, unsigned kinds)
{
    const struct analyze_summary *s = &p->summary;
    uint64_t n = s->errors;
    if (kinds & CLI_LEAK_DEFINITE)
        n += s->leaked_blocks - s->indirectly_lost_blocks;
    if (kinds & CLI_LEAK_INDIRECT)
        n += s->indirectly_lost_blocks;
    if (kinds & CLI_LEAK_POSSIBLE)
        n += s->possibly_lost_blocks;
    if (kinds & CLI_LEAK_REACHABLE)
        n += s->still_reachable_blocks;
    return n;
}

/* The leak kinds listed: --show-*, and whatever --leak-kinds counts. */
static unsigned shown(const struct report_request *req)
{
    unsigned kinds = leak_kinds(req);
    return req->show | (kinds & CLI_LEAK_POSSIBLE ? REPORT_SHOW_POSSIBLE : 0) |
           (kinds & CLI_LEAK_REACHABLE ? REPORT_SHOW_REACHABLE : 0);
}

static void apply_wait_status(struct analyze_process *p, int status)
{
    if (WIFEXITED(status))
        analyze_process_set_end(p, ANALYZE_END_EXIT, WEXITSTATUS(status), 0);
    else if (WIFSIGNALED(status))
        analyze_process_set_end(p, ANALYZE_END_SIGNAL, 0, WTERMSIG(status));
}

static struct analyze_process *load(const char *cmd, const char *path, int end,
                                    struct report_request *req, int *bad)
{
    struct analyze_opts opts = {
        .show_shim_frames = req->show_shim_frames,
        .suppress = req->suppress.n ? &req->suppress : NULL,
        .gen_suppressions = req->gen_suppressions,
        .allocated = req->flamegraph == CLI_FLAME_ALLOCATED || req->html || req->pprof,
        .timeline = req->html ? ANALYZE_TIMELINE_POINTS : 0,
        .live_check = 1,
    };
    struct analyze_error err = {.offset = -1};
    struct analyze_process *p = NULL;
    int rc = analyze_trace(path, &opts, &p, &err);
    if (rc < 0) {
        cli_error(cmd, "%s: %s", path, err.message[0] ? err.message : strerror(-rc));
        ++*bad;
        return NULL;
    }
    if (p->warning) {
        cli_error(cmd, "%s: %s", path, p->warning);
        ++*bad;
    }
    if (end >= 0 && p->end != ANALYZE_END_EXEC)
        apply_wait_status(p, end);
    req->findings += findings(p, leak_kinds(req));
    return p;
}

static int write_all(struct analyze_process **procs, size_t n, const struct report_request *req)
{
    if (req->json)
        return report_json_write(req->out, procs, n);
    if (req->flamegraph)
        return report_flame_write(req->out, procs, n, req->flamegraph == CLI_FLAME_ALLOCATED);
    int written = 0;
    for (size_t i = 0; i < n; i++) {
        if (req->quiet && findings(procs[i], leak_kinds(req)) == 0)
            continue;
        if (written++ > 0)
            fputc('\n', req->out);
        if (n > 1)
            fprintf(req->out, "==%" PRIu64 "== process %zu of %zu (parent %" PRIu64 ")\n",
                    procs[i]->pid, i + 1, n, procs[i]->ppid);
        int rc = report_text_show(req->out, procs[i], shown(req));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A report of every process into the file at path (--html, --pprof): 0, or -1 after a
 * message naming what (the report) could not be written. */
static int write_file(const char *cmd, const char *path, const char *what,
                      int (*writer)(FILE *, struct analyze_process *const *, size_t),
                      struct analyze_process **procs, size_t n)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = writer(out, procs, n);
    if (fclose(out) != 0 && rc == 0)
        rc = -errno;
    if (rc < 0) {
        cli_error(cmd, "%s: cannot write the %s: %s", path, what, strerror(-rc));
        return -1;
    }
    return 0;
}

int cli_emit_reports(const char *cmd, char *const *paths, const int *ends, size_t n,

                     struct report_request *req)
{
    struct analyze_process **procs = calloc(n ? n : 1, sizeof(*procs));
    if (!procs) {
        cli_error(cmd, "out of memory");
        return -1;
    }
    int bad = 0;
    size_t loaded = 0;
    for (size_t i = 0; i < n; i++) {
        struct analyze_process *p = load(cmd, paths[i], ends ? ends[i] : -1, req, &bad);
        if (p)
            procs[loaded++] = p;
    }
    int rc = 0;
    if (loaded > 0 || req->json)
        rc = write_all(procs, loaded, req);
    if (rc == 0 && fflush(req->out) != 0)
        rc = -EIO;
    int files_failed =
        req->html && rc == 0 &&
        write_file(cmd, req->html, "HTML report", report_html_write, procs, loaded) < 0;
    files_failed |= req->pprof && rc == 0 &&
                    write_file(cmd, req->pprof, "pprof profile", report_pprof_write, procs,
                               loaded) < 0;
    for (size_t i = 0; i < loaded; i++)
        analyze_process_free(procs[i]);
    free(procs);
    if (rc < 0) {
        cli_error(cmd, "cannot write the report: %s", strerror(errno ? errno : EIO));
        return -1;
    }
    return files_failed ? -1 : bad;
}
