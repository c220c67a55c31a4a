/*
 * Stopping every other thread of the process for the leak scan, and letting them go.
 * Each thread found in /proc/self/task gets STOPWORLD_SIGNAL with tgkill; its handler
 * saves the thread's registers, stack pointer and thread pointer in a static slot, says
 * so, and waits on a futex until stopworld_resume. Threads that do not answer within
 * STOPWORLD_WAIT_NS (signal blocked, exited, or over STOPWORLD_MAX) are counted as
 * missed and keep running. No malloc, no stdio, no lock a stopped thread could hold.
 */
#ifndef HEAPWISE_SHIM_STOPWORLD_H
#define HEAPWISE_SHIM_STOPWORLD_H

#include <signal.h>
#include <stdint.h>
#include <sys/ucontext.h>

#include "shim/shim.h"

/*
 * The private signal: SIGRTMIN + 7 (41 with glibc 2.36). Taken over only while a scan
 * runs; the program's own action is put back afterwards unless a thread that was sent
 * the signal never answered (its pending signal must find our harmless handler then).
 */
#define STOPWORLD_SIGNAL (SIGRTMIN + 7)
/* Threads that can be stopped at once; more are counted as missed. */
#define STOPWORLD_MAX 2048
/* How long to wait for the signalled threads to stop, in ns. */
#define STOPWORLD_WAIT_NS (100ull * 1000 * 1000)
/* Rounds of /proc/self/task reading, to catch threads created while stopping. */
#define STOPWORLD_ROUNDS 8

/* The calling thread's thread pointer (x86-64: the TCB's self pointer at %fs:0). */
static inline uint64_t stopworld_tp(void)
{
    uint64_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
}

/*
 * Safe points. A thread inside an allocator call (between stopworld_enter and
 * stopworld_leave: a block's header half written, a ring record reserved but not
 * committed, the loader lock held by libunwind) does not stop when asked: it notes the
 * request and stops when the call ends, so a stopped world has no call half done.
 */
struct stopworld_defer {
    unsigned busy;                 /* allocator calls in progress on this thread (nested) */
    volatile sig_atomic_t pending; /* a stop was asked for while busy */
};
extern HW_TLS struct stopworld_defer stopworld_defer;

/* The deferred stop of this thread, now that its allocator call has ended. */
void stopworld_safepoint(void);

static inline void stopworld_enter(void)
{
    stopworld_defer.busy++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void stopworld_leave(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (--stopworld_defer.busy == 0 && unlikely(stopworld_defer.pending))
        stopworld_safepoint();
}

/* What a stopped thread left for the scanner. */
struct stopworld_thread {
    uint32_t tid;          /* kernel thread id */
    uint32_t session;      /* stop session the slot was written in */
    uint64_t sp;           /* stack pointer where the signal interrupted it */
    uint64_t tp;           /* thread pointer (%fs base): its TCB and static TLS */
    uint64_t gregs[NGREG]; /* general registers at the interruption */
};

/* The outcome of one stop. */
struct stopworld {
    uint32_t signalled; /* threads sent the signal successfully */
    uint32_t stopped;   /* of those, stopped in their slot (usable with stopworld_get) */
    uint32_t missed;    /* signalled - stopped */
    int main_missed;    /* the main thread (tid == pid) is another thread and did not stop */
    uint32_t session;   /* this stop's number */
};

/*
 * Stop every thread but the caller and `skip_tid` (0: none; heapwise's writer, which
 * blocks all signals). Always fills *w, even on failure (then nothing is stopped and
 * -errno is returned). Call stopworld_resume exactly once afterwards in every case.
 */
int stopworld_stop(struct stopworld *w, uint32_t skip_tid);

/* The i-th stopped thread (i < w->stopped). */
const struct stopworld_thread *stopworld_get(const struct stopworld *w, uint32_t i);

/* Let the stopped threads go, and restore the signal's action when that is safe. */
void stopworld_resume(struct stopworld *w);

#endif
