/*
 * heapwise public API. The only installed header. Every function is declared weak, so a
 * program that calls them links and runs without heapwise: test the address first.
 *
 *     if (heapwise_active && heapwise_active())
 *         ...
 *
 * Safe to include from C and C++.
 */
#ifndef HEAPWISE_H
#define HEAPWISE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HEAPWISE_VERSION_MAJOR 0
#define HEAPWISE_VERSION_MINOR 1

/*
 * 1 when libheapwise.so is loaded into this process and recording, 0 when it is loaded
 * but not recording (disabled, or its trace file could not be opened). The symbol itself
 * is NULL when heapwise is not loaded.
 */
int heapwise_active(void) __attribute__((weak));

/*
 * Run the leak scan now, from the calling thread, as heapwise runs it at exit: the other
 * threads are stopped briefly (signal SIGRTMIN+7), the live blocks are marked from the
 * roots (this thread's stack from the caller of heapwise_leak_check up, with the caller's
 * callee-saved registers; the other threads' registers, stacks and TLS; the writable data
 * of every loaded object), and their classes go to the trace as a leak scan (the report
 * shows the last one). Returns the definitely lost bytes: the sum of the sizes asked for
 * of the blocks nothing points to, not even from another lost block. Returns 0 when
 * heapwise is loaded but not recording, or its guard or leak_scan option is off (or the
 * scan failed: a line on stderr says why). One scan at a time: a call made while another
 * thread's call is scanning waits for it (up to 10 s, then returns 0), and a call made
 * once the process has begun its exit returns 0. The symbol is NULL when heapwise is not
 * loaded:
 *
 *     if (heapwise_leak_check)
 *         lost = heapwise_leak_check();
 */
size_t heapwise_leak_check(void) __attribute__((weak));

/*
 * Mark this moment: returns a mark (1, 2, ...) for heapwise_leaks_since. Blocks allocated
 * (or reallocated) after the call belong to the mark; those allocated before do not.
 * Returns 0 when heapwise is loaded but not recording, or its guard or leak_scan option is
 * off. The symbol is NULL when heapwise is not loaded.
 */
unsigned long heapwise_checkpoint(void) __attribute__((weak));

/*
 * heapwise_leak_check, counting only the definitely lost blocks allocated since `mark`
 * (a value heapwise_checkpoint returned; 0 counts every block, as heapwise_leak_check).
 * Made for test fixtures: checkpoint in the setup, assert 0 in the teardown:
 *
 *     static unsigned long mark;
 *     void setup(void)    { mark = heapwise_checkpoint ? heapwise_checkpoint() : 0; }
 *     void teardown(void) { if (heapwise_leaks_since) assert(heapwise_leaks_since(mark) == 0); }
 */
size_t heapwise_leaks_since(unsigned long mark) __attribute__((weak));

#ifdef __cplusplus
}
#endif

#endif
