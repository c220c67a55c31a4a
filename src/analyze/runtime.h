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

#endif
