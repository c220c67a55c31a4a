/*
 * State shared by the files of libheapwise.so: the per-thread record (guard, pending C++
 * kind), the process-wide phase and counters, and the export/likely macros. It owns no
 * logic; it must stay free of anything that allocates (initial-exec TLS only).
 */
#ifndef HEAPWISE_SHIM_SHIM_H
#define HEAPWISE_SHIM_SHIM_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "shim/options.h"
#include "shim/ring.h"

#define HW_EXPORT __attribute__((visibility("default")))
#define HW_TLS __thread __attribute__((tls_model("initial-exec")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Whole-process state, in this order. */
enum shim_phase {
    SHIM_INIT = 0,      /* constructor not finished: forward, count as untracked */
    SHIM_RECORDING = 1, /* trace open, writer running */
    SHIM_OFF = 2,       /* disabled, failed, or past the END record */
    SHIM_FORKED = 3,    /* forked child without a trace yet: the first recordable call
                           (or the exit) starts one (fork.c) */
};

/* shim_thread.pending_kind when no operator new is waiting for its malloc. */
#define PENDING_NONE 0xffffu

struct shim_thread {
    unsigned guard;         /* > 0 while heapwise itself runs: forward, record nothing */
    unsigned in_dlsym;      /* > 0 while resolving the real allocator: use the arena */
    unsigned in_new;        /* 1 inside the outermost operator new wrapper */
    uint32_t tid;           /* kernel thread id, 0 until first needed */
    uint32_t pending_stack; /* stack id the pending allocation records */
    uint16_t pending_kind;  /* enum trace_kind for the next matching allocation */
    uint64_t pending_lo;    /* smallest size the pending allocation may request */
    uint64_t pending_hi;    /* largest size the pending allocation may request */
    uint64_t pending_size;  /* bytes the program asked operator new for */
    uintptr_t new_recorded; /* last pointer recorded while in_new */
};

extern HW_TLS struct shim_thread shim_tls;
extern _Atomic int shim_phase;          /* enum shim_phase */
extern _Atomic uint64_t shim_untracked; /* allocations not recorded */
extern struct ring shim_ring;           /* the trace's event ring */
extern struct options shim_options;     /* options, read once at init */

/*
 * A forked child's first recordable call: start its own trace (fork.c). Returns 1 when
 * this call may record now.
 */
int shim_fork_start(void);

/* 1 when this call may record: recording, and heapwise is not running on this thread. */
static inline int shim_may_record(void)
{
    int phase = atomic_load_explicit(&shim_phase, memory_order_acquire);
    if (likely(phase == SHIM_RECORDING))
        return likely(shim_tls.guard == 0);
    return unlikely(phase == SHIM_FORKED) && shim_tls.guard == 0 && shim_fork_start();
}

/*
 * Start a forked child's trace now if it has none yet: before a release changes the state
 * of a block the child inherited, so that the block is in the trace when it goes.
 */
static inline void shim_fork_check(void)
{
    if (unlikely(atomic_load_explicit(&shim_phase, memory_order_relaxed) == SHIM_FORKED))
        (void)shim_may_record();
}

/* Like shim_may_record, but counts an allocation that will not be recorded. */
static inline int shim_alloc_may_record(void)
{
    if (shim_may_record())
        return 1;
    if (atomic_load_explicit(&shim_phase, memory_order_relaxed) != SHIM_OFF)
        atomic_fetch_add_explicit(&shim_untracked, 1, memory_order_relaxed);
    return 0;
}

/*
 * Write the END record, drain the ring to the file and stop recording; in env-only mode
 * (the summary option) print the summary line. Returns the status to end with: `status`,
 * or error_exitcode when env-only mode found something (never for how = signal or exec).
 * Runs once; later calls and calls from a process other than the traced one (vfork
 * child) do nothing and return `status`.
 */
int shim_finish(int status, unsigned how);

/*
 * Start the trace of process `pid`: create the file, start the writer thread, push
 * PROCESS and the module map. The caller holds the recursion guard and sets the phase.
 * Returns 0, or -1 after one line on stderr.
 */
int shim_trace_begin(pid_t pid);

/* In a forked child (async-signal-safe): let go of the parent's trace; pid := ours. */
void shim_trace_forget(void);

/*
 * Before an exec: push END (how = exec) and drain every record to the file. Recording
 * goes on: if the exec fails, the records that follow and a later END supersede it.
 */
void shim_exec_begin(void);

#endif
