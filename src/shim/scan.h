/*
 * The reachability scan (LSan/memcheck style), at exit and on demand: stop the other threads, mark
 * the live guarded blocks from the roots (writable segments of every loaded object but
 * heapwise, each thread's stack, registers, static TLS and TCB), class them reachable /
 * possibly / indirectly / definitely lost, and push the result as LEAKSCAN records.
 * Needs the guard (headers and block map). Never mallocs, never takes a lock a stopped
 * thread may hold, and finishes even when a thread does not stop.
 */
#ifndef HEAPWISE_SHIM_SCAN_H
#define HEAPWISE_SHIM_SCAN_H

#include <stdint.h>

/*
 * What the last scan found, as the report will count it as far as the shim can tell:
 * blocks whose allocation was recorded (not heapwise's own, not made before init), per
 * enum trace_leak_class (index 0 unused). The analyzer also sets apart what the C
 * runtime keeps (runtime.c): of that the shim knows the dynamic loader's lost blocks
 * (loaderstack.h: a joined thread's DTV, a dlopen's link map), counted apart in
 * loader_bytes/blocks per class instead; the C library's own (freeres) ones need
 * function names and are counted in their class.
 */
struct scan_totals {
    uint64_t bytes[5];         /* requested bytes per class */
    uint64_t blocks[5];        /* blocks per class */
    uint64_t loader_bytes[5];  /* the loader's definitely and indirectly lost blocks */
    uint64_t loader_blocks[5]; /* (only those two classes) */
};

/* Count the loader's blocks of t in their classes again (as the report does after a death
 * by a signal). */
void scan_totals_add_loader(struct scan_totals *t);

/* The totals of the last scan that ran to the end into *t; 0, or -1 when none did. */
int scan_last(struct scan_totals *t);

/*
 * Once at init, after the options: learn the static TLS size from ld.so
 * (_dl_get_tls_static_info). Must run where dlsym may allocate (recursion guard set).
 */
void scan_init(void);

/*
 * Scan and push the LEAKSCAN records (an empty scan is one record with count 0), and
 * return the definitely lost bytes (sum of the requested sizes of the LEAK_DEFINITE
 * blocks allocated in checkpoint epoch `since` or later; 0 when the scan failed). At exit
 * (mode without SCAN_ON_DEMAND) this thread's stack root starts at its first frame
 * outside heapwise, libc and ld.so; on demand at its first frame outside libheapwise.so,
 * i.e. the caller of heapwise_leak_check. Runs under the
 * recursion guard, while recording, with the guard on; only through scan_check and
 * scan_exit, which keep it to one scan at a time. Failures (no memory for the tables)
 * write one line on stderr and push nothing.
 */
uint64_t scan_run(unsigned mode, uint32_t since);

/* scan_run modes (bits). */
#define SCAN_ON_DEMAND 0x1u     /* heapwise_leak_check & co: the caller's stack is a root */
#define SCAN_KEEP_FINISHED 0x2u /* finished threads' TLS and TCB are roots (see scan.c) */
#define SCAN_SHIM_THREAD 0x4u   /* on heapwise's own thread: its stack is no root */

/*
 * heapwise_leak_check's and heapwise_leaks_since's scan, on the calling thread (see
 * scan_run; the caller checked that recording, the guard and leak_scan are on, and holds
 * the recursion guard). Waits (up to 10 s) for another thread's scan to end. Returns 0
 * and pushes nothing when the wait ran out or shim_finish has started.
 */
uint64_t scan_check(uint32_t since);

/*
 * check_signal's scan (checksig.c), on a thread of heapwise's own holding the recursion
 * guard, while recording with the guard and leak_scan on: takes the scanner without
 * waiting, calls first(arg) (which pushes the CHECK record, so that no other scan comes
 * between it and this scan's records), then scans every thread of the program
 * (SCAN_ON_DEMAND | SCAN_SHIM_THREAD). 0; -EBUSY when another thread's scan runs (ask
 * again later); -ECANCELED once shim_finish has begun (then nothing is pushed).
 */
int scan_for_signal(void (*first)(void *arg), void *arg);

/* What shim_finish runs while the other threads are stopped, around the exit scan. */
struct scan_exit_hooks {
    void (*before)(void); /* before the scan: checks every block (guard_exit_check) */
    void (*after)(void);  /* after its records: END, and recording off */
};

/*
 * shim_finish's turn: wait (up to 10 s) for an on-demand scan of another thread to end,
 * then take the scanner for good (later scan_check calls return 0 at once), stop the
 * other threads (each at the end of its allocator call, see stopworld.h) and run
 * h->before, the exit scan when `scan` (finished threads kept as roots when the process
 * is dying of a signal), then h->after, and let the threads go. So no thread changes a
 * block while it is checked and scanned, and none records between the scan and END. If
 * the wait ran out, the hooks run without a stop and no scan is pushed.
 */
void scan_exit(int scan, int died_of_signal, const struct scan_exit_hooks *h);

/*
 * In a forked child (async-signal-safe): no scan is running (a parent thread that was
 * scanning did not survive the fork), so the child's own exit scan can take the scanner.
 */
void scan_fork_child(void);

#endif
