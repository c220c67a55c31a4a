/*
 * The exit-time reachability scan (LSan/memcheck style): stop the other threads, mark
 * the live guarded blocks from the roots (writable segments of every loaded object but
 * heapwise, each thread's stack, registers, static TLS and TCB), class them reachable /
 * possibly / indirectly / definitely lost, and push the result as LEAKSCAN records.
 * Needs the guard (headers and block map). Never mallocs, never takes a lock a stopped
 * thread may hold, and finishes even when a thread does not stop.
 */
#ifndef HEAPWISE_SHIM_SCAN_H
#define HEAPWISE_SHIM_SCAN_H

/*
 * Once at init, after the options: learn the static TLS size from ld.so
 * (_dl_get_tls_static_info). Must run where dlsym may allocate (recursion guard set).
 */
void scan_init(void);

/*
 * Scan and push the LEAKSCAN records (an empty scan is one record with count 0). Runs
 * on the exiting thread, under the recursion guard, while recording; one scan at a
 * time (shim_finish runs once). Failures (no memory for the tables) write one line on
 * stderr and push nothing.
 */
void scan_run(void);

#endif
