/*
 * The symbolizer: remembers the module maps and stacks of a trace as they are read, and
 * turns a stack id into frames (function, file:line, inline chain, demangled) with
 * elfutils libdw, lazily and cached per address. Each stack's frames are tied to the
 * module map current when its STACK record was read, so a library unloaded and replaced
 * at the same address still symbolises old stacks right. Missing files or debug info give
 * frames with fewer fields, never invented ones. Never prints.
 */
#ifndef HEAPWISE_ANALYZE_SYMBOLIZE_H
#define HEAPWISE_ANALYZE_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"

struct symbolize;

/* A symbolizer honouring opts (show_shim_frames, max_frames); NULL when out of memory. */
struct symbolize *symbolize_new(const struct analyze_opts *opts);

/* Free it and every stack, frame and string it handed out. NULL is fine. */
void symbolize_free(struct symbolize *s);

/* A MODULES_BEGIN record: the modules added so far are no longer mapped. 0, or -ENOMEM. */
int symbolize_modules_begin(struct symbolize *s);

/*
 * A MODULE record: path (path_len bytes, no NUL) loaded with bias base over [start, end);
 * build_id (may be empty) is compared with the file found on disk. 0, or -ENOMEM.
 */
int symbolize_module_add(struct symbolize *s, uint64_t base, uint64_t start, uint64_t end,
                         const char *path, size_t path_len, const void *build_id,
                         size_t build_id_len);

/*
 * A STACK record: id and its depth return addresses (innermost first), tied now to the
 * current module map. A second definition of an id is ignored. 0, or -ENOMEM.
 */
int symbolize_stack_add(struct symbolize *s, uint32_t id, const uint64_t *addrs, size_t depth);

/*
 * The symbolised stack of id, innermost first, shim frames removed unless asked for, inline
 * frames expanded, cut to max_frames. An id never defined (or 0) gives an empty stack.
 * Valid until symbolize_free. NULL when out of memory.
 */
const struct analyze_stack *symbolize_stack(struct symbolize *s, uint32_t id);

/*
 * Every distinct module added so far, in the order they were first added, as a malloc'd
 * array (*out, *n entries; its strings stay the symbolizer's, so a frame's module is the
 * very pointer of its module's path). 0, or -ENOMEM.
 */
int symbolize_modules(const struct symbolize *s, struct analyze_module **out, size_t *n);

/* Close every libdw handle (files, debug info); stacks already symbolised stay valid. */
void symbolize_release_debuginfo(struct symbolize *s);

#endif
