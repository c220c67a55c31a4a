/*
 * The writer (see writer.h). Owns the consumer try-lock, the static output buffer, the
 * pwrite loop that keeps ctl->drained_end current, and the background thread that also
 * polls the module map for dlopen and samples the resident set size. Whoever holds the
 * try-lock drains: the thread, a producer that found the ring full (ring.help), or the
 * exiting thread. It must never block while holding the lock except in write(2) itself,
 * never malloc, and never record its own allocations.
 */
#include "config.h"

#include "shim/writer.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shim/log.h"
#include "shim/modules.h"
#include "shim/record.h"
#include "shim/rss.h"
#include "shim/shim.h"
#include "shim/threadcount.h"
#include "shim/tracefile.h"

/* Bytes gathered before one pwrite. */
#define WRITER_BUF (256 * 1024)
/* Sleep of the thread when the ring was empty, in ns. */
#define WRITER_IDLE_NS (1000 * 1000)
/* Longest time between two module map polls while the ring is busy, in ns. */
#define WRITER_POLL_NS (10 * 1000 * 1000)
/* Sleep when the oldest record is reserved but not yet committed, in ns. */
#define WRITER_WAIT_NS (20 * 1000)
/* How long writer_tid waits for a writer thread that has not run yet, in ns. */
#define WRITER_TID_WAIT_NS (100ull * 1000 * 1000)
/* How long writer_finish waits for reserved-but-uncommitted records, in ns. */
#define WRITER_FINISH_NS (200ull * 1000 * 1000)
/* How long a fork waits for the thread to leave dl_iterate_phdr, in ns. */
#define WRITER_FORK_WAIT_NS (100ull * 1000 * 1000)

static struct tracefile *out;     /* the trace being written; NULL before writer_start */
static _Atomic int consumer_busy; /* the try-lock: 1 while someone drains */
static _Atomic int stopping;      /* set by writer_finish: the thread stops draining */
static int write_failed;
static _Atomic uint32_t thread_tid;   /* kernel tid of the writer thread, 0 before it runs */
static _Atomic uint64_t thread_stack; /* an address in the writer thread's stack, 0 before */
static int thread_started;            /* writer_start created the thread */
static unsigned char buf[WRITER_BUF] __attribute__((aligned(8)));
static size_t buf_len;
static _Atomic int forking; /* forks in progress: the thread keeps out of dl_iterate_phdr */
static _Atomic int polling; /* 1 while the thread polls the module map */
static uint64_t next_sample;  /* record_now() from which the next RSS sample is due */
static int sampling_failed;   /* statm could not be read: no more samples */

/* Stop for good, with one line on stderr and a word in the trace's mapped header. */
static void give_up(const char *why, const char *detail)
{
    write_failed = 1;
    log_line(why, detail, "; recording stopped", NULL);
    if (out && out->map)
        __atomic_fetch_or(&((struct trace_file_header *)out->map)->flags, TRACE_FLAG_STOPPED,
                          __ATOMIC_RELAXED);
    atomic_store(&shim_phase, SHIM_OFF);
}

/*
 * The trace's descriptor (reopened by path when the program closed or replaced ours: a
 * file of the program must never get trace records); -1 after giving up.
 */
static int trace_fd(void)
{
    int fd = out ? tracefile_fd(out) : -1;
    if (fd < 0)
        give_up("the trace's descriptor was closed by the program and the trace is gone "
                "from its path", "");
    return fd;
}

static int flush(void)
{
    uint64_t off = shim_ring.ctl->drained_end;
    size_t done = 0;
    int fd = buf_len == 0 || write_failed ? -1 : trace_fd();
    if (fd >= 0 && !tracefile_may_grow(off + buf_len)) {
        give_up("cannot write the trace: ", "the file size limit (ulimit -f) is reached");
        fd = -1;
    }
    if (fd < 0) {
        buf_len = 0;
        return write_failed ? -EIO : 0;
    }
    while (done < buf_len && !write_failed) {
        ssize_t n = pwrite(fd, buf + done, buf_len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            give_up("cannot write the trace: ", strerrordesc_np(n < 0 ? errno : EIO));
            break;
        }
        done += (size_t)n;
    }
    atomic_store_explicit((_Atomic uint64_t *)&shim_ring.ctl->drained_end, off + done,
                          memory_order_release);
    buf_len = 0;
    return write_failed ? -EIO : 0;
}

/*
 * Copy one record into the buffer; non-zero (stop) when it is full. PAD records are kept:
 * with them, file offset = data_offset + ring position, which is how the reader finds
 * where to continue in the ring after a crash.
 */
static int sink(const void *rec, size_t size, void *arg)
{
    (void)arg;
    if (buf_len + size > sizeof(buf))
        return 1;
    memcpy(buf + buf_len, rec, size);
    buf_len += size;
    return 0;
}

/*
 * Drain under the consumer lock (already held). Records leave the ring only after they
 * are in the file and drained_end covers them, so a SIGKILL at any point leaves every
 * record either in [data_offset, drained_end) or in the ring from ctl->tail.
 * Returns bytes drained or -EIO.
 */
static long drain_locked(void)
{
    long total = 0;
    for (;;) {
        long n = ring_peek(&shim_ring, sink, NULL);
        if (n < 0) {
            if (!write_failed)
                give_up("trace ring corrupted", "");
            return -EIO;
        }
        if (n == 0)
            return total;
        flush();
        ring_release(&shim_ring, (uint64_t)n); /* also after a failed write: unblock */
        total += n;
        if (write_failed)
            return -EIO;
    }
}

static long drain_try(void *arg)
{
    (void)arg;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&consumer_busy, &expected, 1))
        return 0;
    long n = atomic_load(&stopping) ? 0 : drain_locked();
    atomic_store_explicit(&consumer_busy, 0, memory_order_release);
    return n;
}

/*
 * Look for dlopen'ed objects when the ring is idle, and at least every WRITER_POLL_NS
 * under load: dl_iterate_phdr takes the loader lock that libunwind also takes on every
 * uncached frame, so polling on every busy pass slows the drain down.
 */
static void poll_modules(long drained)
{
    static uint64_t last;
    uint64_t now = record_now();
    if (drained > 0 && now - last < WRITER_POLL_NS)
        return;
    if (ring_used(&shim_ring) > shim_ring.size / 2)
        return; /* this thread must not wait for room that only it can make */
    last = now;
    /* Dekker with writer_fork_prepare (both sequentially consistent): a fork never
     * happens while this thread holds the loader lock, which a child would find held. */
    atomic_store(&polling, 1);
    if (atomic_load(&forking) == 0 && atomic_load(&shim_phase) == SHIM_RECORDING)
        modules_emit_if_changed();
    atomic_store(&polling, 0);
}

/*
 * Every sample_interval_ms while recording: a SAMPLE of the resident set size. Only this
 * thread samples, so the program's threads never pay for it; a sample waits for the next
 * pass while the ring is more than half full (this thread must not wait for room).
 */
static void sample_rss(void)
{
    uint64_t interval = (uint64_t)shim_options.sample_interval_ms * 1000000u, rss;
    if (interval == 0 || sampling_failed || atomic_load(&shim_phase) != SHIM_RECORDING)
        return;
    uint64_t now = record_now();
    if (now < next_sample || ring_used(&shim_ring) > shim_ring.size / 2)
        return;
    int rc = rss_read(&rss);
    if (rc < 0) {
        sampling_failed = 1;
        log_line("cannot read /proc/self/statm: ", strerrordesc_np(-rc), "; no RSS samples",
                 NULL);
        return;
    }
    next_sample = now + interval;
    record_sample(now, rss);
}

static void *writer_main(void *arg)
{
    volatile char here = 0;
    (void)arg;
    shim_tls.guard = 1; /* for life: nothing this thread allocates is recorded */
    atomic_store(&thread_stack, (uintptr_t)&here);
    atomic_store(&thread_tid, record_tid());
    int uncounted = threadcount_leave(); /* the program's last thread still ends it */
    while (!atomic_load(&stopping)) {
        long n = drain_try(NULL);
        poll_modules(n);
        sample_rss();
        if (n <= 0) {
            /* Records pending but the oldest not committed yet: its producer is about to. */
            struct timespec ts = {0, ring_used(&shim_ring) ? WRITER_WAIT_NS : WRITER_IDLE_NS};
            nanosleep(&ts, NULL);
        }
    }
    while (uncounted)
        pause(); /* all signals blocked: until the process ends, which it is doing */
    return NULL;
}

int writer_start(struct tracefile *tf)
{
    sigset_t all, old;
    pthread_t t;
    pthread_attr_t attr;
    out = tf;
    sigfillset(&all);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&t, &attr, writer_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    thread_started = rc == 0;
    return -rc;
}

/* Take the consumer lock, drain everything (waiting boundedly for uncommitted records),
 * set `stop`, let the lock go. 0 or -EIO. */
static int drain_all(int stop)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak(&consumer_busy, &expected, 1)) {
        expected = 0;
        sched_yield();
    }
    uint64_t deadline = record_now() + WRITER_FINISH_NS;
    long n;
    do {
        n = drain_locked();
        if (n < 0 || ring_used(&shim_ring) == 0)
            break;
        sched_yield();
    } while (record_now() < deadline);
    if (stop)
        atomic_store(&stopping, 1);
    atomic_store_explicit(&consumer_busy, 0, memory_order_release);
    return n < 0 || write_failed ? -EIO : 0;
}

int writer_finish(void)
{
    return drain_all(1);
}

int writer_sync(void)
{
    return drain_all(0);
}

void writer_fork_prepare(void)
{
    atomic_fetch_add(&forking, 1);
    uint64_t deadline = record_now() + WRITER_FORK_WAIT_NS;
    while (atomic_load(&polling) && record_now() < deadline)
        sched_yield();
}

void writer_fork_parent(void)
{
    atomic_fetch_sub(&forking, 1);
}

void writer_fork_child(void)
{
    atomic_store(&forking, 0);
    atomic_store(&polling, 0);
    atomic_store(&consumer_busy, 0); /* maybe held by a parent thread that is gone */
    atomic_store(&stopping, 0);
    atomic_store(&thread_tid, 0);
    atomic_store(&thread_stack, 0);
    thread_started = 0;
    write_failed = 0;
    buf_len = 0; /* parent records on their way to the parent's file: not ours */
    out = NULL;
    next_sample = 0;
    sampling_failed = 0;
    rss_forget(); /* the parent's statm */
}

uint64_t writer_stack(void)
{
    return atomic_load(&thread_stack);
}

uint32_t writer_tid(void)
{
    uint64_t deadline = record_now() + WRITER_TID_WAIT_NS;
    while (thread_started && atomic_load(&thread_tid) == 0 && record_now() < deadline)
        sched_yield();
    return atomic_load(&thread_tid);
}
