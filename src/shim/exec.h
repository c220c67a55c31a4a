/*
 * Following exec: the exec family is interposed so that the image being replaced ends its
 * trace with END (how = exec), drained to the file, instead of looking killed; the new
 * image, which inherits LD_PRELOAD and HEAPWISE_OPTIONS through the environment, starts
 * a trace of its own. With trace_children=0 the shim takes itself out of LD_PRELOAD in
 * the process's environment at start, so that nothing it execs or spawns is traced.
 */
#ifndef HEAPWISE_SHIM_EXEC_H
#define HEAPWISE_SHIM_EXEC_H

/* From the constructor, once: trace_children 0 removes libheapwise.so from LD_PRELOAD. */
void exec_init(int trace_children);

/*
 * Remove every entry naming `self` (compared by base name) from an LD_PRELOAD value, in
 * place; entries are separated by ':' or ' ' and come out separated by ':'.
 */
void exec_strip_preload(char *value, const char *self);

#endif
