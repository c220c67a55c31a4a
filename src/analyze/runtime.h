/*
 * Blocks the C runtime allocates for itself and releases only in __libc_freeres(), which
 * no program calls: stdio buffers, locale and NSS data, and what the dynamic loader
 * allocates (link maps of dlopen'ed objects, thread TLS vectors, dynamic TLS). Valgrind
 * hides what freeres releases by calling it at exit; heapwise cannot do that safely inside
 * a running program (stdout is flushed after the shim's last chance to run), so the
 * analyzer recognises those blocks by their allocation stack and counts them apart.
 */
#ifndef HEAPWISE_ANALYZE_RUNTIME_H
#define HEAPWISE_ANALYZE_RUNTIME_H

#include "analyze/analyze.h"

/* Who holds a block, by its allocation stack. */
enum runtime_owner {
    RUNTIME_NONE = 0,    /* the program */
    RUNTIME_FREERES = 1, /* a libc function that keeps it until __libc_freeres() */
    RUNTIME_LOADER = 2,  /* the dynamic loader: __libc_freeres() frees only what no one
                            uses any more (a joined thread's TLS vector); link maps of
                            objects still loaded and live threads' TLS stay */
};

/* The enum runtime_owner of a block allocated at stack st. */
int runtime_owns(const struct analyze_stack *st);

/*
 * 1 when a block of `owner` in scan class `leak_class` (0: no scan) is set apart from the
 * report as valgrind does by running __libc_freeres() at exit: whatever libc functions
 * hold, and what the loader holds once nothing points to it (lost, or no scan to tell).
 * Never after a death by signal (`died_of_signal`), where valgrind runs no freeres.
 */
int runtime_sets_apart(int owner, unsigned leak_class, int died_of_signal);

/*
 * The innermost frame of st in the program's own code: one with a function name that is
 * not an allocator entry point (malloc, strdup, operator new, ...) and not inside the C or
 * C++ runtime (libc, the loader, libstdc++, libgcc_s, libm). Its index, or -1.
 */
long runtime_own_frame(const struct analyze_stack *st);

#endif
