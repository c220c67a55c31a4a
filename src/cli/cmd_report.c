/*
 * `heapwise report [--json] TRACE|DIR...`: analyse traces written earlier. A directory
 * stands for every *.trace file in it. Reports go to stdout, problems to stderr.
 */
#include "cli/cli.h"

#include "analyze/analyze.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CMD "report"

static const char usage[] =
    "Usage: heapwise report [OPTIONS] TRACE|DIR...\n"
    "Analyse heapwise traces and print a leak report for each process.\n"
    "A directory stands for every *.trace file in it.\n"
    "\n"
    CLI_REPORT_USAGE
    "  -h, --help                show this help and exit\n"
    "\n"
    "These options may also be given as HEAPWISE_OPTIONS=key=value:key=value, as for\n"
    "'heapwise run' (the keys of run alone are checked and ignored); the command line wins.\n"
    "\n"
    "Exit status: N of --error-exitcode when it applies, else 0 when every trace\n"
    "was read completely, 1 when a trace was\n"
    "unreadable, truncated or corrupt (what could be read is still reported),\n"
    "2 on a usage error.\n";

struct path_list {
    char **v;
    size_t n, cap;
};

static int push(struct path_list *l, char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = path;
    return 0;
}

static int is_trace_name(const struct dirent *d)
{
    size_t len = strlen(d->d_name);
    return len > 6 && strcmp(d->d_name + len - 6, ".trace") == 0;
}

/* Add every *.trace of dir, sorted by name. Returns how many, or -errno. */
static int push_dir(struct path_list *l, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, is_trace_name, alphasort);
    if (n < 0)
        return -errno;
    int rc = n;
    for (int i = 0; i < n; i++) {
        char *path = NULL;
        if (rc >= 0 && (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0 || push(l, path)))
            rc = -ENOMEM;
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Expand the operands into trace paths; returns the number of operands that failed. */
static int collect(struct path_list *l, char **args, int nargs)
{
    int bad = 0;
    for (int i = 0; i < nargs; i++) {
        struct stat st;
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            int n = push_dir(l, args[i]);
            if (n <= 0) {
                cli_error(CMD, "%s: %s", args[i], n == 0 ? "no *.trace files in directory"
                                                          : strerror(-n));
                bad++;
            }
            continue;
        }
        char *copy = strdup(args[i]);
        if (!copy || push(l, copy) < 0) {
            free(copy);
            cli_error(CMD, "out of memory");
            bad++;
        }
    }
    return bad;
}

static const struct option longopts[] = {
    CLI_REPORT_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* cli_env_apply_fn: a report option from HEAPWISE_OPTIONS. */
static int env_apply(int c, const char *value, const char *key, void *ctx)
{
    (void)key;
    int taken = cli_report_option(CMD, c, value, ctx);
    return taken == 1 ? 0 : taken;
}

/*
 * HEAPWISE_OPTIONS, then the command line, which wins. 0 to go on with the operands at
 * optind; else the status to exit with, -1 for CLI_EXIT_OK after --help. *env keeps the
 * environment's string, which values (--html's) point into.
 */
static int parse(int argc, char **argv, struct report_request *req, char **env)
{
    int c, rc = cli_env_options(CMD, longopts, env_apply, req, env);
    if (rc)
        return rc;
    cli_report_env_format(req, 1);
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        int taken = cli_report_option(CMD, c, optarg, req);
        if (taken == 1)
            continue;
        if (taken == 0 && c == 'h')
            fputs(usage, stdout);
        else if (taken == 0)
            taken = cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        return taken ? taken : -1;
    }
    cli_report_env_format(req, 0);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    struct report_request req = {.out = stdout};
    char *env = NULL;
    int rc = parse(argc, argv, &req, &env);
    if (rc || optind >= argc) {
        cli_report_release(&req);
        free(env);
        return rc < 0 ? CLI_EXIT_OK : rc ? rc : cli_usage_error(CMD, "no trace given");
    }
    struct path_list l = {0};
    int bad = collect(&l, argv + optind, argc - optind);
    rc = l.n ? cli_emit_reports(CMD, l.v, NULL, l.n, &req) : 0;
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    cli_report_release(&req);
    free(env);
    return cli_exit_status(&req, rc != 0 || bad ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK);
}
