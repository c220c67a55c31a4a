/*
 * The shim's own stack unwinder for x86-64, in front of libunwind: it walks the caller's
 * stack with the compact DWARF rules of cfi.h, kept in a lock-free cache keyed by
 * address, and gives up (the caller then asks libunwind) on any frame whose rule is not
 * one libunwind's fast trace would take the same way. Its frames are exactly those of
 * unw_backtrace: the raw return addresses, the walk ending where libunwind's ends.
 * No allocation, no locks: safe inside malloc, in signal handlers and in forked children.
 */
#ifndef HEAPWISE_SHIM_UNWIND_H
#define HEAPWISE_SHIM_UNWIND_H

/* Map the rule cache. 0, or -ENOMEM (unwind_backtrace then always answers -1). */
int unwind_init(void);

/*
 * The return addresses of the caller's frames, its own first, into buf[max],
 * as unw_backtrace(buf, max) called from the same place would give them. The count, or
 * -1 when some frame needs libunwind (buf then holds nothing of use).
 */
int unwind_backtrace(void **buf, int max);

/* Forget every cached rule (an object was unloaded; its addresses may be reused). */
void unwind_flush(void);

#endif
