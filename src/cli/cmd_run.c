/*
 * `heapwise run [OPTIONS] [--] PROG [ARGS]`: start PROG with libheapwise.so preloaded,
 * wait for it, then report on every trace of the run (PROG, the images it exec'd, its
 * forked and spawned descendants; traces.c finds them), PROG first. The program's stdin,
 * stdout and exit status pass through untouched; the report goes to stderr or --log-file.
 */
#include "cli/cli.h"

#include "analyze/analyze.h"
#include "cli/preload.h"
#include "cli/traces.h"
#include "shim/options.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMD "run"
/* Name of the shim next to the CLI in a build tree, and in the install libdir. */
#define SHIM_NAME "libheapwise.so"
/* Exit status of a process killed by signal N, as shells report it. */
#define SIGNAL_EXIT_BASE 128

static const char usage[] =
    "Usage: heapwise run [OPTIONS] [--] PROG [ARGS...]\n"
    "Run PROG with every allocation traced, then print a leak report on stderr.\n"
    "\n"
    "  -o, --output=PATH         trace file (%p: pid) or directory for traces\n"
    "                            (default: heapwise.PROG.PID.trace in the current directory)\n"
    "      --log-file=FILE       write the report to FILE instead of stderr\n"
    "      --depth=N             frames captured per stack (1-256, default 64)\n"
    "      --no-free-stacks      do not capture stacks on free (faster)\n"
    "      --abort-on-error      abort() the program at its first heap error\n"
    "      --trace-children=yes|no  trace the programs PROG executes (default: yes;\n"
    "                            forked children are always traced)\n"
    "      --sample-interval=MS  sample PROG's resident set size every MS milliseconds\n"
    "                            (0-3600000, default 10; 0: no samples)\n"
    "      --check-signal=SIG    a leak check each time PROG gets signal SIG (SIGUSR2,\n"
    "                            USR2 or a number); 'heapwise report' on its trace while\n"
    "                            it runs shows the last one (default: off)\n"
    CLI_REPORT_USAGE
    "  -h, --help                show this help and exit\n"
    "\n"
    "Each option may also be given as HEAPWISE_OPTIONS=key=value:key=value, the key being\n"
    "its long name with '-' written '_' (error_exitcode=23, json=1); the command line wins.\n"
    "\n"
    "Exit status: --error-exitcode's N when it applies, else PROG's own (128+N if\n"
    "it died of signal N); 127 if PROG does not\n"
    "exist, 126 if it cannot be executed or cannot be traced (statically linked,\n"
    "set-user-ID), 2 on a usage error, 1 if no usable\n"
    "trace was written although PROG succeeded.\n";

struct run_opts {
    const char *output;   /* -o value or NULL */
    const char *log_file; /* --log-file or NULL */
    const char *depth;    /* --depth value or NULL */
    int no_free_stacks;
    int abort_on_error;
    int no_children;      /* --trace-children=no */
    const char *sample_interval; /* --sample-interval value or NULL */
    const char *check_signal; /* --check-signal value or NULL */
    char *env;            /* copy of HEAPWISE_OPTIONS the values above may point into */
    struct report_request req;
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"log-file", required_argument, NULL, 'l'},
    CLI_REPORT_OPTIONS,
    {"depth", required_argument, NULL, 'd'},
    {"no-free-stacks", no_argument, NULL, 'n'},
    {"abort-on-error", no_argument, NULL, 'a'},
    {"trace-children", required_argument, NULL, 't'},
    {"sample-interval", required_argument, NULL, 'i'},
    {"check-signal", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* 1 when the shim's parser (the one grammar of its options) takes value for key. */
static int shim_accepts(const char *key, const char *value)
{
    char opt[128], err[OPTIONS_ERR_MAX];
    static struct options shim; /* large: not on the stack */
    int n = snprintf(opt, sizeof(opt), "%s=%s", key, value);
    return n > 0 && (size_t)n < sizeof(opt) && !strchr(value, ':') &&
           options_parse(&shim, opt, err) == 0;
}

/* Apply option c (getopt's value) with arg, given as `given`: 0, 1 after --help, or
 * CLI_EXIT_USAGE after a message. */
static int apply(int c, const char *arg, const char *given, void *ctx)
{
    struct run_opts *o = ctx;
    int taken = cli_report_option(CMD, c, arg, &o->req);
    if (taken)
        return taken == CLI_EXIT_USAGE ? taken : 0;
    switch (c) {
    case 'o': o->output = arg; return 0;
    case 'l': o->log_file = arg; return 0;
    case 'd': o->depth = arg; return 0;
    case 'n': o->no_free_stacks = 1; return 0;
    case 'a': o->abort_on_error = 1; return 0;
    case 'i':
        if (!shim_accepts("sample_interval_ms", arg))
            return cli_usage_error(CMD, "--sample-interval: '%s' is not a number of milliseconds "
                                   "from 0 to %d", arg, OPTIONS_SAMPLE_MAX_MS);
        o->sample_interval = arg;
        return 0;
    case 't':
        if (strcmp(arg, "yes") && strcmp(arg, "no"))
            return cli_usage_error(CMD, "--trace-children: '%s' is not yes or no", arg);
        o->no_children = strcmp(arg, "no") == 0;
        return 0;
    case 'c': {
        int sig;
        if (options_signal(arg, strlen(arg), &sig) < 0)
            return cli_usage_error(CMD,
                                   "--check-signal: '%s' is not a signal a leak check "
                                   "can be asked with (SIGUSR2, USR2, 12, ...)",
                                   arg);
        o->check_signal = arg;
        return 0;
    }
    case 'h': fputs(usage, stdout); return 1;
    case ':': return cli_usage_error(CMD, "option '%s' needs a value", given);
    default: return cli_usage_error(CMD, "unknown option '%s'", given);
    }
}

/* cli_env_apply_fn: one HEAPWISE_OPTIONS key; the shim's 0 and 1 of trace_children are
 * no and yes here. */
static int env_apply(int c, const char *value, const char *key, void *ctx)
{
    if (c == 't')
        value = strcmp(value, "1") == 0 || strcmp(value, "yes") == 0 ? "yes" : "no";
    return apply(c, value, key, ctx);
}

/* HEAPWISE_OPTIONS, then the command line, which wins (suppressions files add up). */
static int parse(int argc, char **argv, struct run_opts *o)
{
    int c, rc = cli_env_options(CMD, longopts, env_apply, o, &o->env);
    if (rc)
        return rc;
    cli_report_env_format(&o->req, 1);
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+ho:", longopts, NULL)) != -1) {
        if ((rc = apply(c, optarg, argv[optind - 1], o)) != 0)
            return rc;
    }
    cli_report_env_format(&o->req, 0);
    return 0;
}

/* snprintf that reports truncation: 0, or -ENAMETOOLONG. */
__attribute__((format(printf, 3, 4))) static int fmt(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, len, f, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int check_depth(const char *depth)
{
    char *end;
    errno = 0;
    long v = strtol(depth, &end, 10);
    return errno == 0 && *end == '\0' && end != depth && v >= 1 && v <= 256;
}

/*
 * The root this binary is installed under: its directory less HW_BINDIR's path, "" when
 * installed where configure said, "/tmp/stage" for a DESTDIR=/tmp/stage copy. -1 when the
 * binary is not in a directory ending in HW_BINDIR (a build tree).
 */
static int install_root(const char *self_dir, char *buf, size_t len)
{
    size_t n = strlen(self_dir), b = strlen(HW_BINDIR);
    if (n < b || strcmp(self_dir + n - b, HW_BINDIR) != 0)
        return -1;
    return fmt(buf, len, "%.*s", (int)(n - b), self_dir);
}

/* The shim: next to this binary in a build tree (.libs/), else in the install libdir
 * under the same root as this binary (a staged DESTDIR copy too), else in HW_LIBDIR. */
static int find_shim(char *buf, size_t len)
{
    char self[PATH_MAX], root[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) {
        *slash = '\0';
        if (fmt(buf, len, "%s/.libs/%s", self, SHIM_NAME) == 0 && access(buf, R_OK) == 0)
            return 0;
        if (install_root(self, root, sizeof(root)) == 0 &&
            fmt(buf, len, "%s%s/%s", root, HW_LIBDIR, SHIM_NAME) == 0 && access(buf, R_OK) == 0)
            return 0;
    }
    if (fmt(buf, len, "%s/%s", HW_LIBDIR, SHIM_NAME) < 0)
        return -ENAMETOOLONG;
    return access(buf, R_OK) == 0 ? 0 : -ENOENT;
}

/* Resolve PROG like execvp does. Returns 0, -ENOENT or -EACCES. */
static int find_program(const char *prog, char *buf, size_t len)
{
    if (strchr(prog, '/')) {
        snprintf(buf, len, "%s", prog);
        return access(buf, F_OK) ? -ENOENT : access(buf, X_OK) ? -EACCES : 0;
    }
    const char *path = getenv("PATH");
    int rc = -ENOENT;
    for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
        size_t dl = strcspn(p, ":");
        snprintf(buf, len, "%.*s/%s", (int)dl, dl ? p : ".", prog);
        struct stat st;
        if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(buf, X_OK) == 0)
                return 0;
            rc = -EACCES;
        }
        p += dl + (p[dl] == ':');
    }
    return rc;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Append "key=value" to the HEAPWISE_OPTIONS string in buf. */
static void add_option(char *buf, size_t len, const char *key, const char *value)
{
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s=%s", used ? ":" : "", key, value);
}

/* Set LD_PRELOAD and HEAPWISE_OPTIONS for the child; the user's own values are kept. */
static int setup_env(const char *shim, const char *outdir_or_file, const struct run_opts *o)
{
    char opts[PATH_MAX + 512] = "";
    const char *user = getenv("HEAPWISE_OPTIONS");
    if (user && *user)
        snprintf(opts, sizeof(opts), "%s", user);
    add_option(opts, sizeof(opts), "output", outdir_or_file);
    if (o->depth)
        add_option(opts, sizeof(opts), "depth", o->depth);
    if (o->no_free_stacks)
        add_option(opts, sizeof(opts), "free_stacks", "0");
    if (o->abort_on_error)
        add_option(opts, sizeof(opts), "abort_on_error", "1");
    if (o->no_children)
        add_option(opts, sizeof(opts), "trace_children", "0");
    if (o->sample_interval)
        add_option(opts, sizeof(opts), "sample_interval_ms", o->sample_interval);
    if (o->check_signal)
        add_option(opts, sizeof(opts), "check_signal", o->check_signal);
    add_option(opts, sizeof(opts), "summary", "0"); /* this command reports, not the shim */

    char preload[2 * PATH_MAX];
    const char *old = getenv("LD_PRELOAD");
    snprintf(preload, sizeof(preload), "%s%s%s", shim, old && *old ? ":" : "", old ? old : "");
    if (setenv("HEAPWISE_OPTIONS", opts, 1) || setenv("LD_PRELOAD", preload, 1))
        return -errno;
    return 0;
}

/* Fork and exec; returns the child's pid, or -errno when exec failed (reported by the child). */
static pid_t spawn(const char *path, char **args)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        close(fds[0]);
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        execv(path, args);
        int e = errno;
        (void)!write(fds[1], &e, sizeof(e));
        _exit(CLI_EXIT_NOTFOUND);
    }
    close(fds[1]);
    int e = 0;
    ssize_t n;
    while ((n = read(fds[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(fds[0]);
    if (n == sizeof(e)) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        return -e;
    }
    return pid;
}

static int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return status;
}

static int exit_code_of(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return SIGNAL_EXIT_BASE + WTERMSIG(status);
    return 1;
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Where traces of the run appear: dir and the name prefix they share. */
static void trace_place(const char *out, int dir, char *where, size_t len, char *prefix,
                        size_t plen)
{
    if (dir) {
        snprintf(where, len, "%s", out);
        snprintf(prefix, plen, "heapwise.");
        return;
    }
    const char *slash = strrchr(out, '/');
    snprintf(where, len, "%.*s", slash ? (int)(slash - out) : 1, slash ? out : ".");
    if (slash && slash == out)
        snprintf(where, len, "/");
    const char *base = slash ? slash + 1 : out, *pct = strstr(base, "%p");
    snprintf(prefix, plen, "%.*s", pct ? (int)(pct - base) : (int)strlen(base), base);
}

/* Wait statuses to apply: the program's to the last trace of its pid, none to others. */
static int *ends_for(const struct run_traces *t, pid_t pid, int status)
{
    int *ends = malloc((t->n ? t->n : 1) * sizeof(*ends));
    if (!ends)
        return NULL;
    size_t last = t->n;
    for (size_t i = 0; i < t->n; i++) {
        ends[i] = -1;
        if (t->v[i].pid == (uint64_t)pid)
            last = i;
    }
    if (last < t->n)
        ends[last] = status;
    return ends;
}

/* Where the child's trace goes: a directory (dir = 1) or a file pattern with %p. */
static int choose_output(const char *output, char *buf, size_t len, int *dir)
{
    if (!output && !getcwd(buf, len))
        return -errno;
    if (output)
        snprintf(buf, len, "%s", output);
    if (strchr(buf, ':'))
        return -EINVAL;
    *dir = is_dir(buf);
    return 0;
}

/* Report every trace of the run; -1 when none was found or writing failed. */
static int report(pid_t pid, int status, uint64_t t0, const char *out, int dir,
                  struct run_opts *o)
{
    char where[PATH_MAX], prefix[NAME_MAX + 1];
    struct run_traces t;
    trace_place(out, dir, where, sizeof(where), prefix, sizeof(prefix));
    if (traces_find(where, prefix, pid, t0, &t) < 0 || t.n == 0) {
        cli_error(CMD, "no trace was written for pid %ld in %s", (long)pid, where);
        return -1;
    }
    char **paths = malloc(t.n * sizeof(*paths));
    int *ends = ends_for(&t, pid, status);
    o->req.out = stderr;
    if (!paths || !ends || (o->log_file && !(o->req.out = fopen(o->log_file, "w")))) {
        cli_error(CMD, "%s: %s", o->log_file && paths && ends ? o->log_file : "report",
                  strerror(errno));
        free(paths);
        free(ends);
        traces_free(&t);
        return -1;
    }
    for (size_t i = 0; i < t.n; i++)
        paths[i] = t.v[i].path;
    int rc = cli_emit_reports(CMD, paths, ends, t.n, &o->req);
    free(paths);
    free(ends);
    traces_free(&t);
    if (o->log_file && fclose(o->req.out) != 0 && rc == 0) {
        cli_error(CMD, "%s: %s", o->log_file, strerror(errno));
        rc = -1;
    }
    return rc;
}

static int start(char **args, const struct run_opts *o, const char *out, pid_t *pid)
{
    char shim[PATH_MAX], prog[PATH_MAX];
    if (find_shim(shim, sizeof(shim)) < 0) {
        cli_error(CMD, "cannot find %s (looked next to heapwise and in %s)", SHIM_NAME, HW_LIBDIR);
        return CLI_EXIT_NOTFOUND;
    }
    int rc = find_program(args[0], prog, sizeof(prog));
    if (rc < 0) {
        cli_error(CMD, "%s: %s", args[0], rc == -ENOENT ? strchr(args[0], '/')
                  ? "No such file or directory" : "command not found" : strerror(-rc));
        return rc == -ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_NOEXEC;
    }
    const char *why = preload_refusal(prog);
    if (why) {
        cli_error(CMD, "%s: %s", args[0], why);
        return CLI_EXIT_NOEXEC;
    }
    if (setup_env(shim, out, o) < 0) {
        cli_error(CMD, "cannot set the environment: %s", strerror(errno));
        return 1;
    }
    *pid = spawn(prog, args);
    if (*pid < 0) {
        cli_error(CMD, "%s: %s", args[0], strerror((int)-*pid));
        return *pid == -ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_NOEXEC;
    }
    return 0;
}

/* cmd_run with the options in o (released by the caller). */
static int run(int argc, char **argv, struct run_opts *o)
{
    int rc = parse(argc, argv, o);
    if (rc)
        return rc == 1 ? CLI_EXIT_OK : rc;
    if (optind >= argc)
        return cli_usage_error(CMD, "no program given");
    if (o->depth && !check_depth(o->depth))
        return cli_usage_error(CMD, "--depth: '%s' is not a number from 1 to 256", o->depth);
    char out[PATH_MAX];
    int dir = 0;
    if (choose_output(o->output, out, sizeof(out), &dir) < 0)
        return cli_usage_error(CMD, "--output: '%s' cannot be used (no ':' allowed)", o->output);
    if (!dir && !strstr(out, "%p"))
        traces_remove_stale(out);
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    pid_t pid;
    uint64_t t0 = realtime_ns();
    rc = start(argv + optind, o, out, &pid);
    if (rc)
        return rc;
    int status = wait_child(pid);
    int code = exit_code_of(status);
    if (report(pid, status, t0, out, dir, o) < 0 && code == 0)
        return 1;
    return cli_exit_status(&o->req, code);
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o = {0};
    int rc = run(argc, argv, &o);
    cli_report_release(&o.req);
    free(o.env);
    return rc;
}
