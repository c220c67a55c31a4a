/*
 * Diagnostics of the command line, one line each on stderr, in the form
 * "heapwise COMMAND: object: cause". Nothing else in heapwise writes diagnostics.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>

static void vline(const char *cmd, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "heapwise%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(cmd, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'heapwise %s%s--help' for more information.\n", cmd ? cmd : "",
            cmd ? " " : "");
    return CLI_EXIT_USAGE;
}
