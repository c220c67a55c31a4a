/*
 * heapwise: one table of commands, one cmd_<name>() each (perf's shape). This file owns
 * dispatch, --help and --version; it knows nothing about traces.
 */
#include "cli/cli.h"

#include "config.h"

#include <string.h>

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run a program with every allocation traced, then report"},
    {"report", cmd_report, "analyse traces written earlier"},
    {"diff", cmd_diff, "compare two traces: which allocation sites leak or use more"},
};

const char *cli_version(void)
{
    return PACKAGE_NAME " " PACKAGE_VERSION;
}

static void help(FILE *out)
{
    fputs("Usage: heapwise COMMAND [OPTIONS] [ARGS]\n"
          "Heap leak detector and allocation tracer for unmodified programs.\n\nCommands:\n",
          out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\nOptions:\n  -h, --help     show this help and exit\n"
          "  -V, --version  show the version and exit\n\n"
          "'heapwise COMMAND --help' describes a command; man heapwise(1) has the rest.\n",
          out);
}

static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(NULL, "error writing to standard output");
        return rc ? rc : 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(NULL, "no command given");
    const char *name = argv[1];
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        help(stdout);
        return finish(CLI_EXIT_OK);
    }
    if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
        puts(cli_version());
        return finish(CLI_EXIT_OK);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (!strcmp(name, commands[i].name))
            return finish(commands[i].fn(argc - 1, argv + 1));
    }
    return cli_usage_error(NULL, "unknown command '%s'", name);
}
