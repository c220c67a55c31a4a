/*
 * Finding the traces one `heapwise run` produced (every process of the run, each image
 * of an exec chain), in the order they started. CLI-side: may allocate, never prints.
 */
#ifndef HEAPWISE_CLI_TRACES_H
#define HEAPWISE_CLI_TRACES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct run_trace {
    char *path;        /* the trace file */
    uint64_t pid;      /* process that wrote it */
    uint64_t ppid;     /* its parent when it started */
    uint64_t start_ns; /* CLOCK_REALTIME at its start, ns */
};

struct run_traces {
    struct run_trace *v; /* n entries, oldest start first: the program before its children */
    size_t n;
};

/*
 * The traces in `dir` whose names start with `prefix`, that started at or after t0_ns
 * (CLOCK_REALTIME, ns) and were written by pid `root` or one of its descendants.
 * Returns 0 (out->n may be 0) or -errno; free with traces_free.
 */
int traces_find(const char *dir, const char *prefix, pid_t root, uint64_t t0_ns,
                struct run_traces *out);

void traces_free(struct run_traces *t);

/*
 * Before a run with a fixed output file: remove a heapwise trace left at path by an
 * earlier run (the shim never overwrites a file). Anything else there is left alone.
 */
void traces_remove_stale(const char *path);

#endif
