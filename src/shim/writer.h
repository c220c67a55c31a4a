/*
 * The writer: the ring's single consumer. A background thread (all signals blocked,
 * recursion guard set for life; it also runs check_signal's scans) drains committed
 * records and appends them, PAD records skipped, to the trace file at data_offset onward,
 * and pushes a SAMPLE record of the process's resident set size every sample_interval_ms;
 * at exit the exiting thread drains the rest itself, and a producer facing a full ring may
 * drain too. All share one consumer try-lock.
 */
#ifndef HEAPWISE_SHIM_WRITER_H
#define HEAPWISE_SHIM_WRITER_H

#include <stdint.h>

#include "shim/tracefile.h"

/*
 * Start the writer thread appending to the trace tf (kept: its descriptor is checked,
 * and reopened, through tracefile_fd before every write). Returns 0 or -errno.
 */
int writer_start(struct tracefile *tf);

/*
 * Drain everything committed to the file from the calling thread, waiting (bounded) for
 * records other threads have reserved but not committed yet, then stop the thread's
 * draining for good. Returns 0, or -EIO when writing failed.
 */
int writer_finish(void);

/* Like writer_finish, but the thread goes on draining afterwards (before an exec). */
int writer_sync(void);

/*
 * Drain what is committed now, unless someone else is draining: for the writer thread
 * itself while it runs a scan (check_signal) whose records may need more room than the
 * ring has free. Returns the bytes drained, or -EIO.
 */
long writer_drain(void);

/*
 * atfork handlers. prepare: wait (bounded) until the thread is out of dl_iterate_phdr and
 * keep it out until parent (in the parent) or child (in the child) runs. child resets
 * the consumer lock, the buffer and the thread's state (it did not survive the fork);
 * async-signal-safe. The child starts a thread again with writer_start.
 */
void writer_fork_prepare(void);
void writer_fork_parent(void);
void writer_fork_child(void);

/*
 * Kernel tid of the writer thread, so that the leak scan leaves it be; waits (bounded)
 * for a thread just created to say who it is. 0 when there is no writer thread.
 */
uint32_t writer_tid(void);

/*
 * An address inside the writer thread's stack (0 before it runs), so that the leak scan
 * does not take the records it copied there for the program's pointers.
 */
uint64_t writer_stack(void);

#endif
