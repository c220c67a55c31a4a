/*
 * The writer (see writer.h). Owns the consumer try-lock, the static buffers of one frame
 * (packed records, then the sealed frame), the trace's zstd stream, the pwrite loop that
 * keeps ctl->drained_end current, and the background thread that also polls the module
 * map for dlopen, samples the resident set size and takes up check_signal's requests
 * (checksig.h). Whoever holds the try-lock drains: the thread, or the exiting thread. It
 * must never block while holding the lock except in write(2) itself, never malloc, and
 * never record its own allocations.
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

#include "shim/checksig.h"
#include "shim/log.h"
#include "shim/modules.h"
#include "shim/ownmem.h"
#include "shim/record.h"
#include "shim/rss.h"
#include "shim/shim.h"
#include "shim/threadcount.h"
#include "shim/tracefile.h"
#include "trace/frame.h"
#include "trace/pack.h"

/* Packed bytes gathered into one frame at most. */
#define WRITER_BUF (256 * 1024)
/*
 * How long the thread gathers records into one frame before writing it, in ns: bigger
 * frames compress better. The records stay in the ring (in the file) meanwhile, so a
 * SIGKILL loses none of them; the frame is written sooner when the ring is a quarter full.
 */
#define WRITER_FRAME_NS (20 * 1000 * 1000)
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
/* The frame being gathered: packed records, how many, and the packing state. */
static unsigned char packed[WRITER_BUF];
static size_t packed_len;
static uint32_t packed_count;
static struct pack_state pack;
static uint64_t gathered;    /* ring bytes the frame covers, peeked and not yet released */
static uint64_t frame_began; /* record_now() when the frame was begun */
/* The sealed frame, header and payload, and its length (0: nothing to write). */
static unsigned char buf[FRAME_BOUND(WRITER_BUF)] __attribute__((aligned(8)));
static size_t buf_len;
/* The zstd context in a mapping of our own (NULL: none could be had), and the trace's
 * stream in it (NULL once compression failed: later frames are stored). */
static ZSTD_CCtx *zctx;
static ZSTD_CCtx *zstream;
static _Atomic int forking; /* forks in progress: the thread keeps out of dl_iterate_phdr */
static _Atomic int polling; /* 1 while the thread polls the module map */
static uint64_t next_sample;  /* record_now() from which the next RSS sample is due */
static int sampling_failed;   /* statm could not be read: no more samples */

/*
 * zstd calls these tracing hooks, weak references, when someone defines them; a program
 * that does must never see heapwise's compression, so the shim binds them here to hooks
 * that trace nothing (0: no trace context).
 */
__attribute__((visibility("hidden"))) unsigned long long ZSTD_trace_compress_begin(const void *cctx)
{
    (void)cctx;
    return 0;
}

__attribute__((visibility("hidden"))) void ZSTD_trace_compress_end(unsigned long long ctx,
                                                                   const void *trace)
{
    (void)ctx;
    (void)trace;
}

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
 * Pack one record into the frame; non-zero (stop) when the frame is full. PAD records are
 * left out: the frame's ring range says which ring bytes it covers, which is how the
 * reader finds where to continue in the ring after a crash.
 */
static int sink(const void *rec, size_t size, void *arg)
{
    const struct trace_rec_hdr *h = rec;
    (void)arg;
    (void)size;
    if (h->type == TRACE_REC_PAD)
        return 0;
    if (packed_len + PACK_RECORD_MAX > sizeof(packed))
        return 1;
    packed_len += pack_record(&pack, h, packed + packed_len);
    packed_count++;
    return 0;
}

/* The trace's time unit (trace_file_header.time_unit), 1 when there is no trace. */
static uint32_t time_unit(void)
{
    return out && out->map ? ((const struct trace_file_header *)out->map)->time_unit : 1;
}

/*
 * Seal what sink gathered from ring positions [start, end) into buf: compressed, unless
 * the ring is more than half full, when the program is outrunning the writer and the
 * frame is stored as packed (a third of the work) to make room sooner.
 */
static void seal(uint64_t start, uint64_t end)
{
    struct frame_src src = {packed, (uint32_t)packed_len, packed_count, start, end};
    ZSTD_CCtx *none = NULL;
    buf_len = frame_seal(ring_used(&shim_ring) > shim_ring.size / 2 ? &none : &zstream, &src, buf);
    packed_len = 0;
    packed_count = 0;
    pack_reset(&pack, time_unit());
}

/* 1 when the frame gathered so far is to be written now. */
static int frame_due(int force)
{
    if (gathered == 0)
        return 0;
    return force || packed_len + PACK_RECORD_MAX > sizeof(packed) ||
           ring_used(&shim_ring) > shim_ring.size / 4 ||
           record_now() - frame_began >= WRITER_FRAME_NS;
}

/*
 * Drain under the consumer lock (already held): gather committed records into the frame,
 * and write it when it is due (always when `force`). Records leave the ring only after
 * they are in the file and drained_end covers them, so a SIGKILL at any point leaves
 * every record either in [data_offset, drained_end) or in the ring from ctl->tail.
 * Returns the bytes gathered, or -EIO.
 */
static long drain_locked(int force)
{
    long total = 0;
    for (;;) {
        if (gathered == 0)
            frame_began = record_now();
        long n = ring_peek_from(&shim_ring, gathered, sink, NULL);
        if (n < 0) {
            if (!write_failed)
                give_up("trace ring corrupted", "");
            return -EIO;
        }
        gathered += (uint64_t)n;
        total += n;
        if (!frame_due(force))
            return total;
        uint64_t start =
            atomic_load_explicit((_Atomic uint64_t *)&shim_ring.ctl->tail, memory_order_relaxed);
        seal(start, start + gathered);
        flush();
        ring_release(&shim_ring, gathered); /* also after a failed write: unblock */
        gathered = 0;
        if (write_failed)
            return -EIO;
    }
}

/* 1 when a record is reserved past what the frame gathered but not committed yet. */
static int pending(void)
{
    return ring_used(&shim_ring) > gathered;
}

/* drain_locked(force) unless someone else drains; the bytes gathered, or -EIO. */
static long drain_try(int force)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&consumer_busy, &expected, 1))
        return 0;
    long n = atomic_load(&stopping) ? 0 : drain_locked(force);
    atomic_store_explicit(&consumer_busy, 0, memory_order_release);
    return n;
}

long writer_drain(void)
{
    return drain_try(1); /* room now: the frame is written, not gathered further */
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
    /* Under the consumer lock, and only while the final drain has not happened: a sample
     * committed after it would lie in the ring past the END record, torn once the ring is
     * punched out of the file. The final drain sets `stopping` before it lets go. */
    int expected = 0;
    if (!atomic_compare_exchange_strong(&consumer_busy, &expected, 1))
        return; /* a drain is running: sample on the next pass */
    if (!atomic_load(&stopping)) {
        next_sample = now + interval;
        record_sample(now, rss);
    }
    atomic_store_explicit(&consumer_busy, 0, memory_order_release);
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
        long n = drain_try(0);
        poll_modules(n);
        sample_rss();
        if (checksig_poll())
            continue; /* drain the check's records now */
        if (n <= 0) {
            /* Records pending but the oldest not committed yet: its producer is about to. */
            struct timespec ts = {0, pending() ? WRITER_WAIT_NS : WRITER_IDLE_NS};
            nanosleep(&ts, NULL);
        }
    }
    while (uncounted)
        pause(); /* all signals blocked: until the process ends, which it is doing */
    return NULL;
}

/*
 * The zstd context, made once in a mapping of our own (registered: the leak scan must not
 * take the records it holds for the program's pointers), and a new stream in it. Without
 * one the frames are stored, not compressed, after one line on stderr.
 */
static void stream_begin(void)
{
    if (!zctx) {
        ZSTD_compressionParameters cp = ZSTD_getCParams(FRAME_ZSTD_LEVEL, 0, 0);
        cp.windowLog = FRAME_ZSTD_WINDOW_LOG;
        size_t bytes = ZSTD_estimateCStreamSize_usingCParams(cp);
        void *space = ownmem_map(bytes);
        zctx = space ? ZSTD_initStaticCCtx(space, bytes) : NULL;
        if (!zctx)
            log_line("cannot set up trace compression; the trace is written uncompressed", NULL);
    }
    zstream = zctx && frame_stream_init(zctx) == 0 ? zctx : NULL;
}

int writer_start(struct tracefile *tf)
{
    sigset_t all, old;
    pthread_t t;
    pthread_attr_t attr;
    out = tf;
    pack_reset(&pack, time_unit());
    stream_begin();
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
        n = drain_locked(1);
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
    packed_len = 0;
    packed_count = 0;
    gathered = 0;
    zstream = NULL; /* the parent's stream: writer_start begins the child's own */
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
