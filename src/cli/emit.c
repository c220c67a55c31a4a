/*
 * From trace files to a report: analyse each trace, apply what the CLI knows about how
 * the process ended, and write text or one JSON document. Owns the wording of per-trace
 * problems; the analysis itself is src/analyze/.
 */
#include "cli/cli.h"

#include "analyze/analyze.h"

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

int cli_report_option(const char *cmd, int c, const char *arg, struct report_request *req)
{
    switch (c) {
    case 'j': req->json = 1; return 1;
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

int cli_exit_status(const struct report_request *req, int otherwise)
{
    return req->error_exitcode > 0 && req->findings > 0 ? req->error_exitcode : otherwise;
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
    struct analyze_opts opts = {.show_shim_frames = req->show_shim_frames};
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
    req->findings += p->summary.errors + p->summary.leaked_blocks;
    return p;
}

static int write_all(struct analyze_process **procs, size_t n, const struct report_request *req)
{
    if (req->json)
        return report_json_write(req->out, procs, n);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', req->out);
        if (n > 1)
            fprintf(req->out, "==%" PRIu64 "== process %zu of %zu (parent %" PRIu64 ")\n",
                    procs[i]->pid, i + 1, n, procs[i]->ppid);
        int rc = report_text_show(req->out, procs[i], req->show);
        if (rc < 0)
            return rc;
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
    for (size_t i = 0; i < loaded; i++)
        analyze_process_free(procs[i]);
    free(procs);
    if (rc < 0) {
        cli_error(cmd, "cannot write the report: %s", strerror(errno ? errno : EIO));
        return -1;
    }
    return bad;
}
