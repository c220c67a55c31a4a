/*
 * The traces of one `heapwise run`: every process the run started (the program, the
 * images it exec'd, its forked and spawned descendants) writes its own trace next to the
 * others. They are told from leftovers of other runs by their headers alone: started at
 * or after the run began, and written by the program's pid or a descendant of it (each
 * header names the pid's parent). Owns that selection and its order; reads only headers.
 */
#include "cli/traces.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/format.h"

/* The header of a regular file at path, if it is a heapwise trace; 0 or -1. */
static int read_header(const char *path, struct trace_file_header *h)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    memset(h, 0, sizeof(*h));
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             pread(fd, h, sizeof(*h), 0) >= (ssize_t)TRACE_HEADER_MIN_SIZE &&
             memcmp(h->magic, TRACE_MAGIC, TRACE_MAGIC_LEN) == 0;
    close(fd);
    return ok ? 0 : -1;
}

static int push(struct run_traces *t, const char *path, const struct trace_file_header *h)
{
    struct run_trace *v = realloc(t->v, (t->n + 1) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    t->v = v;
    if (!(v[t->n].path = strdup(path)))
        return -ENOMEM;
    v[t->n].pid = h->pid;
    v[t->n].ppid = h->ppid;
    v[t->n].start_ns = h->start_realtime_ns;
    t->n++;
    return 0;
}

/* Every trace in dir named prefix* that started at or after t0_ns, in any order. */
static int candidates(const char *dir, const char *prefix, uint64_t t0_ns, struct run_traces *t)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    struct dirent *e;
    int rc = 0;
    size_t plen = strlen(prefix);
    while (rc == 0 && (e = readdir(d))) {
        char path[PATH_MAX];
        struct trace_file_header h;
        if (strncmp(e->d_name, prefix, plen) != 0 ||
            (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
            continue;
        if (read_header(path, &h) == 0 && h.start_realtime_ns >= t0_ns)
            rc = push(t, path, &h);
    }
    closedir(d);
    return rc;
}

static int by_start(const void *x, const void *y)
{
    const struct run_trace *a = x, *b = y;
    if (a->start_ns != b->start_ns)
        return a->start_ns < b->start_ns ? -1 : 1;
    return strcmp(a->path, b->path);
}

static int has_pid(const uint64_t *pids, size_t n, uint64_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return 1;
    return 0;
}

/* Keep the traces of root and its descendants, in start order (stable). */
static int keep_family(struct run_traces *t, pid_t root)
{
    uint64_t *pids = malloc((t->n + 1) * sizeof(*pids));
    char *in = calloc(t->n + 1, 1);
    if (!pids || !in) {
        free(pids);
        free(in);
        return -ENOMEM;
    }
    size_t npids = 1, kept = 0;
    pids[0] = (uint64_t)root;
    for (int grew = 1; grew;) { /* a child's trace may start before its parent's */
        grew = 0;
        for (size_t i = 0; i < t->n; i++) {
            if (in[i] || !(has_pid(pids, npids, t->v[i].pid) || has_pid(pids, npids, t->v[i].ppid)))
                continue;
            in[i] = grew = 1;
            if (!has_pid(pids, npids, t->v[i].pid))
                pids[npids++] = t->v[i].pid;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        if (in[i])
            t->v[kept++] = t->v[i];
        else
            free(t->v[i].path);
    }
    t->n = kept;
    free(pids);
    free(in);
    return 0;
}

int traces_find(const char *dir, const char *prefix, pid_t root, uint64_t t0_ns,
                struct run_traces *out)
{
    out->v = NULL;
    out->n = 0;
    int rc = candidates(dir, prefix, t0_ns, out);
    if (rc == 0)
        rc = keep_family(out, root);
    if (rc < 0) {
        traces_free(out);
        return rc;
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), by_start);
    return 0;
}

void traces_free(struct run_traces *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].path);
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

void traces_remove_stale(const char *path)
{
    struct trace_file_header h;
    if (read_header(path, &h) == 0)
        unlink(path);
}
