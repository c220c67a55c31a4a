/*
 * Start and end of recording. Owns the shim's constructor (options, guard settings, trace
 * file, ring, stacks, PROCESS and module records, exit and fork hooks, writer thread), the
 * exit-time guard check and END record, and the exit paths that write them (destructor,
 * on_exit, _exit/_Exit), and the leak scan's place among them (after the guard check,
 * before END), and the public heapwise_active and heapwise_leak_check. Any failure here
 * turns recording off with one line on stderr; the program runs on as if heapwise were
 * absent. No stdio and no malloc of our own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "heapwise.h"
#include "shim/fatal.h"
#include "shim/guard.h"
#include "shim/log.h"
#include "shim/modules.h"
#include "shim/real.h"
#include "shim/record.h"
#include "shim/scan.h"
#include "shim/shim.h"
#include "shim/stack.h"
#include "shim/writer.h"

/* Bytes of /proc/self/cmdline kept for the PROCESS record and the program name. */
#define CMDLINE_MAX 3072
/* Lowest descriptor number for the trace, out of the way of programs that expect the
 * small numbers for themselves (shells use up to 255). */
#define TRACE_FD_MIN 700
/* Longest exe path kept in the PROCESS record. */
#define EXE_MAX 1024

HW_TLS struct shim_thread shim_tls = {.pending_kind = PENDING_NONE};
_Atomic int shim_phase = SHIM_INIT;
_Atomic uint64_t shim_untracked;
struct ring shim_ring;
struct options shim_options;

static char trace_path[OPTIONS_PATH_MAX];
static char exe_path[PATH_MAX];
static char cmdline[CMDLINE_MAX];
static size_t cmdline_len;
static int trace_fd = -1;
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

/* exe path, cmdline, and the program's base name into prog[NAME_MAX + 1]. */
static void read_identity(char *prog)
{
    ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
    exe_path[n > 0 ? n : 0] = '\0';
    cmdline_len = read_small("/proc/self/cmdline", cmdline, sizeof(cmdline) - 1);
    cmdline[cmdline_len] = '\0';
    const char *base = strrchr(cmdline, '/') ? strrchr(cmdline, '/') + 1 : cmdline;
    size_t len = strnlen(base, NAME_MAX);
    if (len == 0) {
        len = read_small("/proc/self/comm", prog, NAME_MAX);
        while (len && prog[len - 1] == '\n')
            len--;
        base = len ? prog : "unknown";
        len = len ? len : 7;
    }
    memmove(prog, base, len);
    prog[len] = '\0';
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

static int make_path(pid_t pid, const char *prog)
{
    struct stat st;
    int is_dir = 0;
    if (shim_options.output[0]) {
        if (options_expand_output(&shim_options, pid, trace_path) < 0)
            goto too_long;
        is_dir = stat(trace_path, &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (options_trace_path(&shim_options, is_dir, pid, prog, trace_path) == 0)
        return 0;
too_long:
    log_line("output path too long; recording off", NULL);
    return -1;
}

static void fill_header(struct trace_file_header *h, pid_t pid)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    memcpy(h->magic, TRACE_MAGIC, TRACE_MAGIC_LEN);
    h->version = TRACE_VERSION;
    h->header_size = sizeof(*h);
    h->pid = (uint64_t)pid;
    h->ppid = (uint64_t)getppid();
    h->start_realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
    h->start_monotonic_ns = record_now();
    h->ring_offset = TRACE_PAGE;
    h->ring_bytes = shim_options.ring_size;
    h->data_offset = TRACE_PAGE + shim_options.ring_size;
    h->flags = shim_options.free_stacks ? TRACE_FLAG_FREE_STACKS : 0;
    if (guard_enabled) {
        h->flags |= TRACE_FLAG_GUARD;
        h->guard_secret = guard_secret();
    }
    h->stack_depth = shim_options.depth;
}

static int fail(const char *what)
{
    log_line("cannot ", what, " '", trace_path, "': ", strerrordesc_np(errno), "; recording off",
             NULL);
    return -1;
}

/*
 * The name an earlier program image of this process keeps: "PREFIX~N.PID.trace" for
 * the default "PREFIX.PID.trace" (so `heapwise run` and `heapwise report DIR` still find
 * it), else "PATH.~N"; N is the first that is free. 0 or -1.
 */
static int earlier_name(pid_t pid, char *out, size_t len)
{
    char num[LOG_NUM_MAX], suffix[LOG_NUM_MAX + 8] = ".";
    strcat(strcat(suffix, log_num((uint64_t)pid, num)), ".trace");
    size_t plen = strlen(trace_path), slen = strlen(suffix);
    int dflt = plen > slen && strcmp(trace_path + plen - slen, suffix) == 0;
    for (unsigned n = 1; n < 1000; n++) {
        char digits[LOG_NUM_MAX];
        const char *d = log_num(n, digits);
        size_t base = dflt ? plen - slen : plen;
        if (base + strlen(d) + slen + 3 >= len)
            return -1;
        memcpy(out, trace_path, base);
        out[base] = '\0';
        strcat(strcat(strcat(out, dflt ? "~" : ".~"), d), dflt ? suffix : "");
        if (access(out, F_OK) != 0)
            return 0;
    }
    return -1;
}

/*
 * fd (locked, so no live process writes it) holds the trace of an earlier program image
 * of this same process (it exec'd us under the same trace name): move that trace aside
 * rather than overwrite it. Returns 1 when it was moved.
 */
static int keep_earlier_image(int fd, pid_t pid)
{
    struct trace_file_header h;
    char moved[OPTIONS_PATH_MAX];
    if (pread(fd, &h, sizeof(h), 0) < (ssize_t)TRACE_HEADER_MIN_SIZE ||
        memcmp(h.magic, TRACE_MAGIC, TRACE_MAGIC_LEN) != 0 || h.pid != (uint64_t)pid)
        return 0;
    return earlier_name(pid, moved, sizeof(moved)) == 0 &&
           syscall(SYS_rename, trace_path, moved) == 0;
}

/*
 * Open the trace without truncating it, and own it with an exclusive flock held for the
 * life of the process. A file still locked belongs to another traced process (a parent
 * that exec'ed us with the same output option): truncating it would make that process
 * die of SIGBUS in its ring mapping, so write to "<path>.<pid>" instead.
 */
static int open_locked(pid_t pid)
{
    int fd = open(trace_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
        if (!keep_earlier_image(fd, pid))
            return fd;
        close(fd); /* renamed away: start a new file under the name */
        fd = open(trace_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
    }
    if (fd < 0)
        return fd;
    close(fd);
    char num[LOG_NUM_MAX];
    const char *digits = log_num((uint64_t)pid, num);
    size_t len = strlen(trace_path);
    if (len + 1 + strlen(digits) >= sizeof(trace_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    trace_path[len] = '.';
    strcpy(trace_path + len + 1, digits);
    fd = open(trace_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Create the trace file, map page 0 + ring, attach the ring. */
static int open_trace(pid_t pid)
{
    uint64_t data_offset = TRACE_PAGE + shim_options.ring_size;
    trace_fd = open_locked(pid);
    if (trace_fd < 0)
        return fail("create the trace");
    int high = fcntl(trace_fd, F_DUPFD_CLOEXEC, TRACE_FD_MIN);
    if (high >= 0) {
        close(trace_fd); /* drops no lock: flock belongs to the open file, shared by dups */
        trace_fd = high;
    }
    if (ftruncate(trace_fd, 0) < 0 || ftruncate(trace_fd, (off_t)data_offset) < 0)
        return fail("size the trace");
    if (fallocate(trace_fd, 0, 0, (off_t)data_offset) < 0 && errno == ENOSPC)
        return fail("reserve space for the trace");
    unsigned char *map = mmap(NULL, data_offset, PROT_READ | PROT_WRITE, MAP_SHARED, trace_fd, 0);
    if (map == MAP_FAILED)
        return fail("map the trace");
    struct trace_file_header *h = (struct trace_file_header *)map;
    struct trace_ring_ctl *ctl = (struct trace_ring_ctl *)(map + TRACE_RING_CTL_OFFSET);
    fill_header(h, pid);
    ctl->drained_end = data_offset;
    if (ring_init(&shim_ring, ctl, map + TRACE_PAGE, shim_options.ring_size) < 0) {
        errno = EINVAL;
        return fail("set up the ring of");
    }
    return 0;
}

/* Remove the ring area's blocks from the file: after the final drain it holds nothing. */
static void punch_ring(void)
{
    fallocate(trace_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, TRACE_PAGE,
              (off_t)shim_options.ring_size);
}

void shim_finish(int status, unsigned how)
{
    int expected = 0;
    if (atomic_load(&shim_phase) != SHIM_RECORDING || (pid_t)syscall(SYS_getpid) != traced_pid)
        return;
    if (!atomic_compare_exchange_strong(&finished, &expected, 1))
        return;
    int saved = errno;
    shim_tls.guard++;
    modules_emit_if_changed(); /* a dlopen the writer has not seen yet */
    guard_exit_check();
    /* after any on-demand scan */
    scan_exit(guard_enabled && shim_options.leak_scan, how == TRACE_END_SIGNAL);
    record_end(status, how, ring_dropped(&shim_ring), atomic_load(&shim_untracked));
    atomic_store(&shim_phase, SHIM_OFF);
    if (writer_finish() == 0)
        punch_ring();
    shim_tls.guard--;
    errno = saved;
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
        shim_finish(status, TRACE_END_EXIT);
}

/*
 * The child of fork() shares the MAP_SHARED ring with its parent: it must not write into
 * it. For now the child records nothing; following forks into a trace of their own is
 * a later step (DESIGN.md, fork).
 */
static void fork_child(void)
{
    atomic_store(&shim_phase, SHIM_OFF);
    shim_tls.tid = 0;
}

__attribute__((constructor)) static void shim_init(void)
{
    char prog[NAME_MAX + 1];
    shim_tls.guard++;
    real_resolve();
    traced_pid = getpid();
    if (read_options() < 0)
        goto off;
    read_identity(prog);
    if (guard_enabled && shim_options.leak_scan)
        scan_init();
    if (make_path(traced_pid, prog) < 0 || open_trace(traced_pid) < 0)
        goto off;
    if (stack_init(shim_options.depth) < 0)
        log_line("cannot map the stack table; recording without stacks", NULL);
    push_process();
    modules_init(exe_path);
    modules_emit_if_changed();
    on_exit_registered = on_exit(on_exit_handler, NULL) == 0;
    pthread_atfork(NULL, NULL, fork_child);
    int rc = writer_start(trace_fd);
    if (rc < 0) {
        log_line("cannot start the writer thread: ", strerrordesc_np(-rc), "; recording off", NULL);
        goto off;
    }
    atomic_store(&shim_phase, SHIM_RECORDING);
    fatal_init();
    shim_tls.guard--;
    return;
off:
    atomic_store(&shim_phase, SHIM_OFF);
    if (trace_fd >= 0)
        close(trace_fd);
    trace_fd = -1;
    shim_tls.guard--;
}

__attribute__((destructor)) static void shim_fini(void)
{
    destructor_ran = 1;
    if (exit_status_known || !on_exit_registered)
        shim_finish(exit_status, TRACE_END_EXIT);
}

HW_EXPORT int heapwise_active(void)
{
    return atomic_load(&shim_phase) == SHIM_RECORDING;
}

/* 1 when an on-demand scan can run: recording this process, guard and leak_scan on. */
static int can_scan(void)
{
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
    shim_finish(status, TRACE_END_UNDERSCORE_EXIT);
    real_exit(status);
}

HW_EXPORT void _Exit(int status)
{
    shim_finish(status, TRACE_END_UNDERSCORE_EXIT);
    real_exit(status);
}
