/*
 * Which recorded allocation stacks are the dynamic loader's: the innermost frames run
 * through the C library and ld.so only, and at least one of them is in ld.so (a thread's
 * DTV made by pthread_create, a dlopen's link map). The report sets the lost blocks of
 * such stacks apart as held by the C runtime (src/analyze/runtime.c, RUNTIME_LOADER); the
 * shim's own counts (env-only summary, heapwise_leak_check) must agree with it. Pure
 * address work once the two objects' text ranges are known, and a fixed set of ids: safe
 * while the world is stopped (no lock, no allocation).
 */
#ifndef HEAPWISE_SHIM_LOADERSTACK_H
#define HEAPWISE_SHIM_LOADERSTACK_H

#include <stdint.h>

/* Once at init: the executable ranges of libc.so.* and ld-linux* (dl_iterate_phdr). */
void loaderstack_init(void);

/*
 * 1 when the stack frames[0..depth) (innermost first, heapwise's own frames trimmed) is
 * the loader's by the rule above.
 */
int loaderstack_is_loader(const uint64_t *frames, uint32_t depth);

/* Stack ids the set below holds at most (ids past it are never the loader's). */
#define LOADERSTACK_IDS (1u << 18)

/* Empty the set of the loader's stack ids. */
void loaderstack_clear(void);

/* stacktab_each_fn: add id to the set when its frames are the loader's (arg unused). */
void loaderstack_note(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg);

/* 1 when id is in the set. */
int loaderstack_has(uint32_t id);

#endif
