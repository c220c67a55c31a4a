/*
 * Fork following (see fork.h). Owns the atfork handlers and the child's trace start.
 * The handlers only store: the parent's ring is MAP_SHARED with the child, so the child
 * must never touch it again (records committed but not drained at the fork belong to the
 * parent's trace, and the parent's writer drains them); the writer's state, the stack
 * table's publication marks and the scanner's busy flag are reset because the threads
 * that held them did not survive the fork. The start runs later on the child's one thread,
 * where creating a file, a thread and a module map are allowed: a child that only execs
 * writes no trace at all. Nothing here locks.
 */
#include "config.h"

#include "shim/fork.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim/checksig.h"
#include "shim/guard.h"
#include "shim/modules.h"
#include "shim/pool.h"
#include "shim/scan.h"
#include "shim/shim.h"
#include "shim/stack.h"
#include "shim/writer.h"

static void prepare(void)
{
    writer_fork_prepare();
}

static void parent(void)
{
    writer_fork_parent();
}

/* Async-signal-safe: stores, close and munmap only. */
static void child(void)
{
    int phase = atomic_load(&shim_phase);
    writer_fork_child();
    checksig_fork_child();
    if (phase != SHIM_RECORDING && phase != SHIM_FORKED)
        return;
    shim_tls.tid = 0;
    shim_trace_forget();
    scan_fork_child();
    modules_forget();
    atomic_store(&shim_phase, SHIM_FORKED);
}

void fork_init(void)
{
    pthread_atfork(prepare, parent, child);
}

int shim_fork_start(void)
{
    int expected = SHIM_FORKED;
    if (!atomic_compare_exchange_strong(&shim_phase, &expected, SHIM_INIT))
        return 0; /* another thread starts it; until then nothing is recorded */
    shim_tls.guard++;
    stack_fork_child(); /* before any new stack: every id gets a STACK record again */
    guard_fork_child();
    int rc = shim_trace_begin((pid_t)syscall(SYS_getpid));
    if (rc == 0) {
        stack_republish();
        guard_record_live();
        pool_record_inherited();
    }
    atomic_store(&shim_phase, rc == 0 ? SHIM_RECORDING : SHIM_OFF);
    shim_tls.guard--;
    return rc == 0 && shim_tls.guard == 0;
}
