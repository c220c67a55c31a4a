/*
 * Following fork(): the child gets a trace of its own, named like the parent's with the
 * child's pid, that starts with the blocks the child inherited (ALLOC records with their
 * original stacks), so that its frees of them are valid and its leak report covers them,
 * as memcheck's report of a forked child does. The atfork child handler does only
 * async-signal-safe work (plain stores and close/munmap); the trace itself is started
 * by the child's first recordable call, or at its exit, in ordinary context.
 */
#ifndef HEAPWISE_SHIM_FORK_H
#define HEAPWISE_SHIM_FORK_H

/* Register the atfork handlers (once, from the constructor). */
void fork_init(void);

#endif
