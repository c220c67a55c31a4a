/*
 * Blocks the C runtime allocates for itself and releases only in __libc_freeres(), which
 * no program calls: stdio buffers, and everything the dynamic loader allocates (link maps
 * of dlopen'ed objects, thread control blocks, dynamic TLS). Valgrind hides them by
 * calling __libc_freeres at exit; heapwise cannot do that safely inside a running program
 * (stdout is flushed after the shim's last chance to run), so the analyzer recognises
 * them by their allocation stack and counts them apart from leaks.
 */
#ifndef HEAPWISE_ANALYZE_RUNTIME_H
#define HEAPWISE_ANALYZE_RUNTIME_H

#include "analyze/analyze.h"

/* 1 when a block allocated at stack st belongs to the C runtime, else 0. */
int runtime_owns(const struct analyze_stack *st);

/*
 * The innermost frame of st in the program's own code: one with a function name that is
 * not an allocator entry point (malloc, strdup, operator new, ...) and not inside the C or
 * C++ runtime (libc, the loader, libstdc++, libgcc_s, libm). Its index, or -1.
 */
long runtime_own_frame(const struct analyze_stack *st);

#endif
