/*
 * The module map in the trace: MODULES_BEGIN followed by one MODULE record per loaded
 * object (path, load bias, address range, GNU build-id), pushed at start and again
 * whenever dl_iterate_phdr's load/unload counters moved since the last emission. It is
 * checked before every new STACK record (so a stack never precedes the map of the objects
 * it points into), before every dlclose (so an unloaded object's map precedes its
 * unloading), by the writer thread, and at exit.
 */
#ifndef HEAPWISE_SHIM_MODULES_H
#define HEAPWISE_SHIM_MODULES_H

/* Remember the main program's path (readlink of /proc/self/exe), NUL-terminated. */
void modules_init(const char *exe_path);

/*
 * Push the whole module map if objects were loaded or unloaded since the last emission
 * (always on the first call). Safe from any thread: the emission runs inside one
 * dl_iterate_phdr call, which glibc serialises with the loader lock.
 */
void modules_emit_if_changed(void);

/* In a forked child (async-signal-safe): the next emission pushes the whole map again. */
void modules_forget(void);

#endif
