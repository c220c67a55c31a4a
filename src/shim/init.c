/*
 * Start and end of recording. Owns the shim's constructor (options, guard settings, stacks,
 * exit, exec and fork hooks), the start of a trace (file, writer thread, PROCESS and
 * module records; again in a forked child), the exit-time guard check and END record,
 * the exit paths that write them (destructor, on_exit, _exit/_Exit), the END before an
 * exec, the leak scan's place among them (after the guard check, before END), and the
 * public heapwise_active and heapwise_leak_check, and env-only mode's end (summary line,
 * error_exitcode). Any failure here turns recording off with one line on stderr; the
 * program runs on as if heapwise were absent. No malloc of our own, and no stdio but the
 * flush exit() would do anyway (finish_exit).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "heapwise.h"
#include "shim/checksig.h"
#include "shim/clock.h"
#include "shim/exec.h"
#include "shim/fatal.h"
#include "shim/fork.h"
#include "shim/guard.h"
#include "shim/log.h"
#include "shim/modules.h"
#include "shim/real.h"
#include "shim/record.h"
#include "shim/scan.h"
#include "shim/shim.h"
#include "shim/stack.h"
#include "shim/summary.h"
#include "shim/tracefile.h"
#include "shim/writer.h"

/* Bytes of /proc/self/cmdline kept for the PROCESS record and the program name. */
#define CMDLINE_MAX 3072
/* Longest exe path kept in the PROCESS record. */
#define EXE_MAX 1024

HW_TLS struct shim_thread shim_tls = {.pending_kind = PENDING_NONE};
_Atomic int shim_phase = SHIM_INIT;
_Atomic uint64_t shim_untracked;
struct ring shim_ring;
struct options shim_options;

static struct tracefile trace = {.fd = -1};
static char prog[NAME_MAX + 1]; /* base name of the program, for the trace's name */
static char exe_path[PATH_MAX];
static char cmdline[CMDLINE_MAX];
static size_t cmdline_len;
static pid_t traced_pid;
static _Atomic int finished;
static int exit_status;
static int exit_status_known;  /* the on_exit handler ran */
static int on_exit_registered; /* it will run at exit() */
static int destructor_ran;     /* our destructor (in _dl_fini) ran */

/* Read up to n bytes of a small /proc file; returns the length (0 on failure). */
static size_t read_small(const char *path, char *out, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    if (fd < 0)
        return 0;
    while (len < n) {
        ssize_t k = read(fd, out + len, n - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    close(fd);
    return len;
}

/* exe path, cmdline, and the program's base name into out[NAME_MAX + 1]. */
static void read_identity(char *out)
{
    ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
    exe_path[n > 0 ? n : 0] = '\0';
    cmdline_len = read_small("/proc/self/cmdline", cmdline, sizeof(cmdline) - 1);
    cmdline[cmdline_len] = '\0';
    const char *base = strrchr(cmdline, '/') ? strrchr(cmdline, '/') + 1 : cmdline;
    size_t len = strnlen(base, NAME_MAX);
    if (len == 0) {
        len = read_small("/proc/self/comm", out, NAME_MAX);
        while (len && out[len - 1] == '\n')
            len--;
        base = len ? out : "unknown";
        len = len ? len : 7;
    }
    memmove(out, base, len);
    out[len] = '\0';
}

/* Push the PROCESS record: exe path, then as many whole argv strings as fit. */
static void push_process(void)
{
    uint32_t exe_len = (uint32_t)strnlen(exe_path, EXE_MAX);
    size_t room = TRACE_REC_MAX - sizeof(struct trace_rec_process) - exe_len;
    uint32_t args_len = 0, argc = 0;
    while (args_len < cmdline_len) {
        size_t s = strnlen(cmdline + args_len, cmdline_len - args_len);
        if (args_len + s + 1 > room || args_len + s >= cmdline_len)
            break;
        args_len += (uint32_t)s + 1;
        argc++;
    }
    uint32_t size = (uint32_t)(sizeof(struct trace_rec_process) + exe_len + args_len);
    struct trace_rec_process *r = record_reserve(size);
    if (!r)
        return;
    r->argc = argc;
    r->exe_len = exe_len;
    r->args_len = args_len;
    memcpy((char *)(r + 1), exe_path, exe_len);
    memcpy((char *)(r + 1) + exe_len, cmdline, args_len);
    ring_commit(r, trace_hdr_word(trace_align(size), TRACE_REC_PROCESS, 0));
}

/* Options from HEAPWISE_OPTIONS; -1 (after one stderr line) when recording must stay off. */
static int read_options(void)
{
    char err[OPTIONS_ERR_MAX];
    if (getauxval(AT_SECURE)) {
        /* set-id or capabilities: trust nothing from the environment, write no file */
        guard_configure(0, 0, 0);
        return -1;
    }
    if (options_parse(&shim_options, getenv("HEAPWISE_OPTIONS"), err) < 0) {
        log_line("HEAPWISE_OPTIONS: ", err, NULL);
        guard_configure(0, 0, 0);
        return -1;
    }
    /* enabled=0 means as little of heapwise as possible: no guard for new blocks either. */
    guard_configure(shim_options.guard && shim_options.enabled, shim_options.quarantine_size,
                    shim_options.abort_on_error);
    return shim_options.enabled ? 0 : -1;
}

int shim_trace_begin(pid_t pid)
{
    traced_pid = pid;
    record_errors_reset();
    if (tracefile_open(&trace, &shim_options, pid, prog, &shim_ring) < 0)
        return -1;
    int rc = writer_start(&trace);
    if (rc < 0) {
        log_line("cannot start the writer thread: ", strerrordesc_np(-rc), "; recording off", NULL);
        tracefile_forget(&trace);
        return -1;
    }
    push_process();
    modules_emit_if_changed();
    return 0;
}

void shim_trace_forget(void)
{
    tracefile_forget(&trace);
    traced_pid = (pid_t)syscall(SYS_getpid);
    atomic_store(&finished, 0);
}

/* guard_each_live: a block live at the end, counted as a report without a scan counts it
 * (definitely lost), when its allocation was recorded. */
static void add_unscanned(uintptr_t user, uint64_t size, void *arg)
{
    struct scan_totals *t = arg;
    if (guard_live_epoch(user, NULL) < 0)
        return;
    t->blocks[LEAK_DEFINITE]++;
    t->bytes[LEAK_DEFINITE] += size;
}

/*
 * Env-only mode (summary=1), once the trace is complete: the summary line on stderr, and
 * the status to end with: error_exitcode when something counted was found (not after a
 * death by signal, which stays one), else `status`. Suppressions are not applied here.
 */
static int env_only_end(int status, unsigned how)
{
    static char line[SUMMARY_LINE_MAX]; /* not on the stack: it may be a signal's */
    struct scan_totals t = {{0}, {0}, {0}, {0}};
    struct summary s = {.errors = record_errors(), .leak_kinds = shim_options.leak_kinds,
                        .trace = trace.path};
    if (!shim_options.summary || how == TRACE_END_EXEC)
        return status;
    if (scan_last(&t) == 0) {
        s.totals = &t;
        if (how == TRACE_END_SIGNAL) /* the report sets nothing apart after a signal */
            scan_totals_add_loader(&t);
    } else if (guard_enabled) {
        guard_each_live(add_unscanned, &t); /* no scan: every live block counts */
        s.totals = &t;
    }
    int found = summary_found(&s);
    if (found && how != TRACE_END_SIGNAL)
        s.exit_code = shim_options.error_exitcode;
    if (!found && shim_options.quiet)
        return status;
    if (shim_options.suppressions)
        log_line("suppressions apply under 'heapwise run' and 'heapwise report' only; "
                 "this count includes what they would take", NULL);
    summary_format(&s, line);
    log_line(line, NULL);
    return s.exit_code ? s.exit_code : status;
}

/* shim_finish's END record, pushed by end_now once the world is stopped. */
static int end_status;
static unsigned end_how;

/* The END record, and recording off: the threads let go after it record nothing. */
static void end_now(void)
{
    record_end(end_status, end_how, ring_dropped(&shim_ring), atomic_load(&shim_untracked));
    atomic_store(&shim_phase, SHIM_OFF);
}

static const struct scan_exit_hooks exit_hooks = {guard_exit_check, end_now};

int shim_finish(int status, unsigned how)
{
    int expected = 0;
    if (atomic_load(&shim_phase) == SHIM_FORKED)
        shim_fork_start(); /* a forked child's leaks include what it inherited */
    if (atomic_load(&shim_phase) != SHIM_RECORDING || (pid_t)syscall(SYS_getpid) != traced_pid)
        return status;
    if (!atomic_compare_exchange_strong(&finished, &expected, 1))
        return status;
    int saved = errno;
    shim_tls.guard++;
    modules_emit_if_changed(); /* a dlopen the writer has not seen yet */
    end_status = status;
    end_how = how;
    /* after any on-demand scan, with the other threads stopped */
    scan_exit(guard_enabled && shim_options.leak_scan, how == TRACE_END_SIGNAL, &exit_hooks);
    stack_verify_report();
    if (writer_finish() == 0)
        tracefile_punch_ring(&trace, &shim_options);
    status = env_only_end(status, how);
    shim_tls.guard--;
    errno = saved;
    return status;
}

/*
 * The end of exit(): finish, and when env-only mode changes the status, do what exit()
 * has left to do (flush stdio: our on_exit handler is the last handler) and end with it.
 * The only stdio call of the shim: exit() itself would make it a moment later.
 */
static void finish_exit(int status)
{
    int code = shim_finish(status, TRACE_END_EXIT);
    if (code == status)
        return;
    fflush(NULL);
    real_exit(code);
}

/*
 * exit() runs _dl_fini (our destructor) as an exit handler registered after ours, so
 * usually before this one; the END record is written by whichever of the two runs last,
 * which is also when the exit status is known. Both run after the program's own
 * atexit handlers and destructors.
 */
static void on_exit_handler(int status, void *arg)
{
    (void)arg;
    exit_status = status;
    exit_status_known = 1;
    if (destructor_ran)
        finish_exit(status);
}

void shim_exec_begin(void)
{
    if (atomic_load(&shim_phase) != SHIM_RECORDING || (pid_t)syscall(SYS_getpid) != traced_pid)
        return;
    int saved = errno;
    shim_tls.guard++;
    modules_emit_if_changed();
    record_end(0, TRACE_END_EXEC, ring_dropped(&shim_ring), atomic_load(&shim_untracked));
    writer_sync();
    shim_tls.guard--;
    errno = saved;
}

__attribute__((constructor)) static void shim_init(void)
{
    shim_tls.guard++;
    real_resolve();
    traced_pid = getpid();
    if (read_options() < 0)
        goto off;
    log_init();
    exec_init(shim_options.trace_children);
    read_identity(prog);
    if (guard_enabled && shim_options.leak_scan)
        scan_init();
    modules_init(exe_path);
    if (stack_init(shim_options.depth) < 0)
        log_line("cannot map the stack table; recording without stacks", NULL);
    clock_start();
    if (shim_trace_begin(traced_pid) < 0)
        goto off;
    on_exit_registered = on_exit(on_exit_handler, NULL) == 0;
    fork_init();
    atomic_store(&shim_phase, SHIM_RECORDING);
    checksig_init(); /* first: fatal_init leaves a signal with a handler alone */
    fatal_init();
    shim_tls.guard--;
    return;
off:
    atomic_store(&shim_phase, SHIM_OFF);
    shim_tls.guard--;
}

__attribute__((destructor)) static void shim_fini(void)
{
    destructor_ran = 1;
    if (exit_status_known || !on_exit_registered)
        finish_exit(exit_status);
}

HW_EXPORT int heapwise_active(void)
{
    return atomic_load(&shim_phase) == SHIM_RECORDING;
}

/* 1 when an on-demand scan can run: recording this process, guard and leak_scan on (a
 * forked child's trace starts here if not yet: Check runs each test in one). */
static int can_scan(void)
{
    shim_fork_check();
    return atomic_load(&shim_phase) == SHIM_RECORDING &&
           (pid_t)syscall(SYS_getpid) == traced_pid && guard_enabled && shim_options.leak_scan;
}

/* The on-demand scan counting blocks of epoch `since` on (noinline: one frame to skip). */
static __attribute__((noinline)) size_t check_since(uint32_t since)
{
    if (!can_scan())
        return 0;
    int saved = errno;
    shim_tls.guard++;
    uint64_t n = scan_check(since);
    shim_tls.guard--;
    errno = saved;
    return (size_t)n;
}

HW_EXPORT size_t heapwise_leak_check(void)
{
    return check_since(0);
}

HW_EXPORT unsigned long heapwise_checkpoint(void)
{
    return can_scan() ? guard_checkpoint() : 0;
}

HW_EXPORT size_t heapwise_leaks_since(unsigned long mark)
{
    return check_since(mark > UINT32_MAX ? UINT32_MAX : (uint32_t)mark);
}

HW_EXPORT void _exit(int status)
{
    real_exit(shim_finish(status, TRACE_END_UNDERSCORE_EXIT));
}

HW_EXPORT void _Exit(int status)
{
    real_exit(shim_finish(status, TRACE_END_UNDERSCORE_EXIT));
}
