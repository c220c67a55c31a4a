/*
 * Stack capture for the shim: libunwind loaded privately at init, return addresses
 * captured with unw_backtrace, heapwise's own frames dropped, and the result turned into
 * a stack id by the lock-free stack table (stacktab.c), which pushes the STACK record
 * the first time. Without libunwind every stack id is 0.
 */
#ifndef HEAPWISE_SHIM_STACK_H
#define HEAPWISE_SHIM_STACK_H

#include <stdint.h>

/*
 * Load libunwind (warning on stderr if it cannot), find our own text range, map the stack
 * table. depth: frames kept per stack. Returns 0, or -ENOMEM when the table cannot be
 * mapped (capture then always answers 0).
 */
int stack_init(unsigned depth);

/*
 * Capture the caller's stack and return its id (TRACE_STACK_NONE when unavailable).
 * Sets the recursion guard while it runs; preserves errno.
 */
uint32_t stack_capture(void);

/*
 * The caller's return addresses, heapwise's own frames dropped, into out[max]; returns how
 * many (0 when libunwind is unavailable). Not deduplicated, nothing recorded.
 */
int stack_frames(uint64_t *out, int max);

/* Tell libunwind the address space changed (after dlclose). */
void stack_flush_cache(void);

#endif
