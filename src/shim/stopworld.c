/*
 * Stop the world (see stopworld.h). Owns the private signal's handler, the static slots
 * the stopped threads write, the /proc/self/task walk (open + getdents64, no opendir)
 * and the futex the stopped threads wait on. The handler is async-signal-safe: loads,
 * stores, atomics and raw syscalls only. The slots are static, never unmapped, so a
 * thread that answers late (after the scan gave up on it) writes into valid memory and
 * finds the session closed instead of waiting.
 *
 *   session (futex word): even = no stop in progress, odd = threads must stop.
 *   handler: session odd? -> busy? note it, return (the call's end re-raises)
 *            -> claim slot -> fill -> ready = session -> reported++
 *            -> FUTEX_WAIT while session unchanged -> return (SA_RESTART)
 */
#include "config.h"

#include "shim/stopworld.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Bytes of directory entries read per getdents64 call. */
#define TASK_DIRENT_BUF 4096
/* Pause between two looks at the number of stopped threads, in ns. */
#define STOPWORLD_POLL_NS (100 * 1000)

struct slot {
    struct stopworld_thread t;
    _Atomic uint32_t ready; /* the session whose data t holds */
};

static struct slot slots[STOPWORLD_MAX];
static uint32_t used[STOPWORLD_MAX]; /* slot indexes of the threads stopped this session */
static uint32_t tids[STOPWORLD_MAX]; /* threads signalled this session */
static _Atomic uint32_t session;     /* the futex word, see above */
static _Atomic uint32_t claimed;     /* slots handed out this session */
static _Atomic uint32_t reported;    /* slots filled this session */
static pid_t stopper_pid;
static struct sigaction old_action;
static int installed;

HW_TLS struct stopworld_defer stopworld_defer;

static long futex(_Atomic uint32_t *word, int op, uint32_t val)
{
    return syscall(SYS_futex, (uint32_t *)word, op, val, NULL, NULL, 0);
}

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    int saved = errno;
    uint32_t s = atomic_load_explicit(&session, memory_order_acquire);
    if (!(s & 1) || si->si_code != SI_TKILL || si->si_pid != stopper_pid)
        goto out;
    if (stopworld_defer.busy) {
        stopworld_defer.pending = 1;
        goto out;
    }
    uint32_t i = atomic_fetch_add(&claimed, 1);
    if (i >= STOPWORLD_MAX)
        goto out; /* no room: this thread runs on, counted as missed */
    const ucontext_t *uc = ctx;
    struct stopworld_thread *t = &slots[i].t;
    t->tid = (uint32_t)syscall(SYS_gettid);
    t->session = s;
    t->sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
    t->tp = stopworld_tp();
    memcpy(t->gregs, uc->uc_mcontext.gregs, sizeof(t->gregs));
    atomic_store_explicit(&slots[i].ready, s, memory_order_release);
    atomic_fetch_add_explicit(&reported, 1, memory_order_release);
    while (atomic_load_explicit(&session, memory_order_acquire) == s)
        futex(&session, FUTEX_WAIT_PRIVATE, s);
out:
    errno = saved;
}

void stopworld_safepoint(void)
{
    int saved = errno;
    stopworld_defer.pending = 0;
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), STOPWORLD_SIGNAL);
    errno = saved;
}

static int install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask); /* no other handler may run on a stopped stack */
    if (sigaction(STOPWORLD_SIGNAL, &sa, installed ? NULL : &old_action) < 0)
        return -errno;
    installed = 1;
    return 0;
}

static int signalled_already(uint32_t n, uint32_t tid)
{
    for (uint32_t i = 0; i < n; i++)
        if (tids[i] == tid)
            return 1;
    return 0;
}

static uint32_t parse_tid(const char *name)
{
    uint64_t v = 0;
    if (!*name)
        return 0;
    for (; *name; name++) {
        if (*name < '0' || *name > '9' || v > UINT32_MAX / 10)
            return 0;
        v = v * 10 + (uint64_t)(*name - '0');
    }
    return v <= UINT32_MAX ? (uint32_t)v : 0;
}

/*
 * One pass over /proc/self/task: signal every thread not signalled yet. Returns how many
 * were newly signalled; *over counts threads past STOPWORLD_MAX. -errno if unreadable.
 */
static long signal_round(struct stopworld *w, uint32_t self, uint32_t skip, uint32_t *over)
{
    char buf[TASK_DIRENT_BUF] __attribute__((aligned(8)));
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    long fresh = 0, n;
    if (fd < 0)
        return -errno;
    *over = 0;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n;) {
            const struct dirent64 *d = (const void *)(buf + off);
            uint32_t tid = parse_tid(d->d_name);
            off += d->d_reclen;
            if (!tid || tid == self || tid == skip || signalled_already(w->signalled, tid))
                continue;
            if (w->signalled == STOPWORLD_MAX) {
                (*over)++;
                continue;
            }
            if (syscall(SYS_tgkill, stopper_pid, tid, STOPWORLD_SIGNAL) == 0) {
                tids[w->signalled++] = tid;
                fresh++;
            }
        }
    }
    close(fd);
    return fresh;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void wait_stopped(const struct stopworld *w)
{
    uint64_t deadline = now_ns() + STOPWORLD_WAIT_NS;
    while (atomic_load_explicit(&reported, memory_order_acquire) < w->signalled &&
           now_ns() < deadline) {
        struct timespec ts = {0, STOPWORLD_POLL_NS};
        nanosleep(&ts, NULL);
    }
}

/* The slots filled in this session, into used[]; the counters of w. */
static void collect(struct stopworld *w, uint32_t over)
{
    uint32_t n = atomic_load_explicit(&claimed, memory_order_acquire), main_seen = 0;
    pid_t pid = stopper_pid;
    n = n < STOPWORLD_MAX ? n : STOPWORLD_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (atomic_load_explicit(&slots[i].ready, memory_order_acquire) != w->session)
            continue;
        used[w->stopped++] = i;
        main_seen |= slots[i].t.tid == (uint32_t)pid;
    }
    w->missed = w->signalled - w->stopped + over;
    w->main_missed = (uint32_t)syscall(SYS_gettid) != (uint32_t)pid && !main_seen;
}

int stopworld_stop(struct stopworld *w, uint32_t skip_tid)
{
    uint32_t self = (uint32_t)syscall(SYS_gettid), over = 0;
    memset(w, 0, sizeof(*w));
    stopper_pid = getpid();
    w->session = (atomic_load(&session) | 1) + 2; /* odd, and new */
    atomic_store(&claimed, 0);
    atomic_store(&reported, 0);
    int rc = install();
    if (rc < 0)
        return rc;
    atomic_store_explicit(&session, w->session, memory_order_release);
    for (int round = 0; round < STOPWORLD_ROUNDS; round++) {
        long fresh = signal_round(w, self, skip_tid, &over);
        if (fresh < 0) {
            rc = (int)fresh;
            break;
        }
        if (fresh == 0)
            break;
    }
    wait_stopped(w);
    collect(w, over);
    return rc;
}

const struct stopworld_thread *stopworld_get(const struct stopworld *w, uint32_t i)
{
    return i < w->stopped ? &slots[used[i]].t : NULL;
}

void stopworld_resume(struct stopworld *w)
{
    if (atomic_load(&session) == w->session) {
        atomic_store_explicit(&session, w->session + 1, memory_order_release);
        futex(&session, FUTEX_WAKE_PRIVATE, INT_MAX);
    }
    /* A thread signalled but not stopped has the signal pending: keep our handler for it. */
    if (installed && w->missed == 0 && w->signalled == w->stopped) {
        sigaction(STOPWORLD_SIGNAL, &old_action, NULL);
        installed = 0;
    }
}
