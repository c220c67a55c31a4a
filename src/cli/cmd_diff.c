/*
 * `heapwise diff [--json] OLD NEW`: what changed between two traces of a program, per
 * allocation site (leaked bytes, bytes at the peak, bytes allocated). For CI: "did this
 * commit add a leak?". The comparison itself is report_diff_write (src/analyze/).
 */
#include "cli/cli.h"

#include "analyze/analyze.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

#define CMD "diff"

static const char usage[] =
    "Usage: heapwise diff [OPTIONS] OLD NEW\n"
    "Compare two traces: the allocation sites (matched by their functions) whose leaked\n"
    "bytes, bytes at the heap's peak or bytes allocated changed, largest change first.\n"
    "\n"
    "      --json                the comparison as one JSON document\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "Exit status: 0 when both traces were read completely, 1 when one was unreadable,\n"
    "truncated or corrupt, 2 on a usage error.\n";

/* The analysis of path (NULL after a message); *incomplete set when it has a warning. */
static struct analyze_process *load(const char *path, int *incomplete)
{
    struct analyze_opts opts = {.allocated = 1};
    struct analyze_error err = {.offset = -1};
    struct analyze_process *p = NULL;
    int rc = analyze_trace(path, &opts, &p, &err);
    if (rc < 0) {
        cli_error(CMD, "%s: %s", path, err.message[0] ? err.message : strerror(-rc));
        *incomplete = 1;
        return NULL;
    }
    if (p->warning) {
        cli_error(CMD, "%s: %s", path, p->warning);
        *incomplete = 1;
    }
    return p;
}

int cmd_diff(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (c == 'j') {
            json = 1;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        } else {
            return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error(CMD, "two traces expected, OLD and NEW");
    int incomplete = 0;
    struct analyze_process *old = load(argv[optind], &incomplete);
    struct analyze_process *new = old ? load(argv[optind + 1], &incomplete) : NULL;
    int rc = old && new ? report_diff_write(stdout, old, new, json) : 0;
    analyze_process_free(old);
    analyze_process_free(new);
    if (rc < 0) {
        cli_error(CMD, "cannot write the comparison: %s", strerror(-rc));
        return CLI_EXIT_INCOMPLETE;
    }
    return incomplete ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK;
}
