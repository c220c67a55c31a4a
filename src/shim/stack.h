/*
 * Stack capture for the shim: libunwind loaded privately at init, return addresses
 * captured with unw_backtrace, heapwise's own frames dropped, and the result turned into
 * a stack id by the lock-free stack table (stacktab.c), which pushes the STACK record
 * the first time. Without libunwind every stack id is 0.
 */
#ifndef HEAPWISE_SHIM_STACK_H
#define HEAPWISE_SHIM_STACK_H

#include <stdint.h>

#include "shim/stacktab.h"

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

/* Callee-saved registers of the x86-64 ABI: rbx, rbp, r12, r13, r14, r15. */
#define STACK_CALLEE_SAVED 6

/*
 * Walk up from the caller while inside(ip, arg) says a frame belongs to the code to skip,
 * and stop at the first frame it does not claim: its stack pointer into *sp and the
 * callee-saved registers as they are in that frame into regs (rbx, rbp, r12..r15).
 * 0; -ENOSYS without libunwind; -ENOENT when the walk ended or failed first. May take
 * the loader lock (libunwind finds unwind tables with dl_iterate_phdr).
 */
int stack_outer_frame(int (*inside)(uint64_t ip, void *arg), void *arg, uint64_t *sp,
                      uint64_t regs[STACK_CALLEE_SAVED]);

/* Every complete stack of the table, to fn (stacktab_each). No lock, no allocation. */
void stack_each(stacktab_each_fn fn, void *arg);

/*
 * In a forked child, before its trace starts (one thread): every known stack must be
 * published again into the new trace. stack_fork_child forgets the publications;
 * stack_republish, once the trace is open, pushes a STACK record for every stack.
 */
void stack_fork_child(void);
void stack_republish(void);

/* Tell libunwind and our own unwinder the address space changed (after dlclose). */
void stack_flush_cache(void);

/*
 * Under unwind_verify=1, one line on stderr: captures our unwinder answered, captures
 * left to libunwind, and how many answers differed from libunwind's. Nothing otherwise.
 */
void stack_verify_report(void);

#endif
