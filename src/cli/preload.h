/*
 * Programs LD_PRELOAD cannot trace, found before `heapwise run` starts them rather than
 * after a run that recorded nothing.
 */
#ifndef HEAPWISE_CLI_PRELOAD_H
#define HEAPWISE_CLI_PRELOAD_H

/*
 * Why the program at path (resolved, as exec will run it) cannot be traced through
 * LD_PRELOAD: it is statically linked, or executing it is secure execution (set-user-ID
 * or set-group-ID to another user or group, file capabilities) where the loader ignores
 * LD_PRELOAD. Returns the cause as a static phrase ("statically linked: ..."), or NULL when
 * nothing is against it (including files it cannot read or that are not ELF).
 */
const char *preload_refusal(const char *path);

#endif
