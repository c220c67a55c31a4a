/*
 * HEAPWISE_OPTIONS as command line options: the one place that turns the environment's
 * key=value list into a command's long options (run and report), after the shim's own
 * parser has accepted the whole string. It knows no option itself; each command applies
 * the values it is handed, before its command line, which then wins.
 */
#include "cli/cli.h"

#include "shim/options.h"

#include <stdlib.h>
#include <string.h>

/* One key=value (key edited in place): handed to apply when longopts has that key. */
static int one(char *key, char *value, const struct option *longopts, cli_env_apply_fn apply,
               void *ctx)
{
    for (char *p = key; *p; p++)
        *p = *p == '_' ? '-' : *p;
    const struct option *opt = longopts;
    while (opt->name && strcmp(opt->name, key) != 0)
        opt++;
    if (!opt->name || (opt->has_arg == no_argument && strcmp(value, "1") != 0))
        return 0;
    return apply(opt->val, opt->has_arg == no_argument ? NULL : value, key, ctx);
}

int cli_env_options(const char *cmd, const struct option *longopts, cli_env_apply_fn apply,
                    void *ctx, char **keep)
{
    const char *env = getenv("HEAPWISE_OPTIONS");
    struct options shim;
    char err[OPTIONS_ERR_MAX];
    *keep = NULL;
    if (!env || !*env)
        return 0;
    if (options_parse(&shim, env, err) < 0)
        return cli_usage_error(cmd, "HEAPWISE_OPTIONS: %s", err);
    if (!(*keep = strdup(env))) {
        cli_error(cmd, "out of memory");
        return CLI_EXIT_USAGE;
    }
    for (char *save = NULL, *kv = strtok_r(*keep, ":", &save); kv;
         kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '='); /* options_parse saw one in every item */
        *eq = '\0';
        int rc = one(kv, eq + 1, longopts, apply, ctx);
        if (rc)
            return rc;
    }
    return 0;
}
