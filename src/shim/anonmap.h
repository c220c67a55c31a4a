/*
 * What the leak scan makes of an anonymous mapping (no file, not [heap] or [stack]):
 * memcheck scans all such memory the program mapped, so heapwise does too, except what
 * is the heap itself (stale words in freed chunks would hide leaks) or a thread's stack
 * (whose dead frames hold stale words: only the part a live thread uses, or a finished
 * thread's TLS and TCB, count). These are the tests on the mapping's own bytes; the scan
 * knows the rest (live blocks, stack pointers). Reads only inside [start, end), which the
 * caller guarantees readable; no allocation, no locks.
 *
 *   a thread stack (glibc):   [guard page ---p][ rw: stack ... | static TLS | TCB ]
 *                                                                           ^ tp
 *   a malloc heap (glibc):    [ rw: heap_info | chunks ... ][ ---p reserve ]  start % 64 MiB == 0
 */
#ifndef HEAPWISE_SHIM_ANONMAP_H
#define HEAPWISE_SHIM_ANONMAP_H

#include <stdint.h>

/* glibc's HEAP_MAX_SIZE on 64-bit: every non-main arena heap is aligned to it. */
#define ANONMAP_HEAP_ALIGN (64ull << 20)
/* The window below a mapping's end searched for a thread's TCB (struct pthread is ~2.3 KiB). */
#define ANONMAP_TCB_WINDOW 8192
/* offsetof(struct pthread, tid) in glibc 2.36 x86-64 (checked at run time by the caller). */
#define ANONMAP_TID_OFFSET 0x2d0

/*
 * 1 when [start, end) begins like a glibc non-main arena heap: 64 MiB aligned, a
 * heap_info whose arena pointer is set, whose size fits the mapping and whose previous
 * heap, if any, is itself aligned.
 */
int anonmap_is_malloc_heap(uint64_t start, uint64_t end);

/*
 * The thread pointer of the TCB at the top of [start, end) when the mapping is a thread's
 * stack (a word pointing to itself, with the TCB's self pointer 16 bytes on also pointing
 * there, within ANONMAP_TCB_WINDOW of the end); 0 when there is none.
 */
uint64_t anonmap_thread_tp(uint64_t start, uint64_t end);

#endif
