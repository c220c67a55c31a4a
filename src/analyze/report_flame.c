/*
 * Collapsed stacks for flame graphs (report_flame_write in analyze.h), the format of
 * Brendan Gregg's stackcollapse scripts that flamegraph.pl and speedscope read: one line
 * per distinct stack, "outer;...;inner BYTES", frames as demangled function names (inline
 * frames are frames of their own), lines sorted. Stacks that symbolise alike (different
 * addresses, same functions) share one line. Writes only to the stream it is given.
 */
#include "analyze/report_flame.h"
#include "analyze/escape.h"
#include "trace/objname.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A frame's name: ';' (the separator) written ':', control characters escaped (escape.h). */
static void put_name(FILE *out, const char *name)
{
    for (const char *c = name; *c;) {
        size_t n = strcspn(c, ";");
        escape_putn(out, c, n);
        c += n;
        if (*c == ';')
            fputc(':', out), c++;
    }
}

static void put_frame(FILE *out, const struct analyze_frame *f)
{
    if (f->function) {
        put_name(out, f->function);
    } else if (f->module) {
        fputc('[', out);
        put_name(out, objname_base(f->module));
        fputc(']', out);
    } else {
        fputs("[unknown]", out);
    }
}

/* The folded stack of st, outermost frame first; NULL when out of memory. */
static char *fold(const struct analyze_stack *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    if (!st || st->nframes == 0)
        fputs("[no stack]", out);
    for (size_t i = st ? st->nframes : 0; i > 0; i--) {
        put_frame(out, &st->frames[i - 1]);
        if (i > 1)
            fputc(';', out);
    }
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static int add(struct flame *f, const struct analyze_leak *l, uint64_t bytes)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        struct flame_line *v = realloc(f->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        f->v = v;
        f->cap = cap;
    }
    if (!(f->v[f->n].stack = fold(l->stack)))
        return -ENOMEM;
    f->v[f->n++].bytes = bytes;
    return 0;
}

static int by_stack(const void *a, const void *b)
{
    return strcmp(((const struct flame_line *)a)->stack, ((const struct flame_line *)b)->stack);
}

/* Sort, then keep each distinct stack once with the sum of its bytes. */
static void merge(struct flame *f)
{
    if (f->n > 1)
        qsort(f->v, f->n, sizeof(*f->v), by_stack);
    size_t kept = 0;
    for (size_t i = 0; i < f->n;) {
        struct flame_line line = f->v[i++];
        while (i < f->n && strcmp(f->v[i].stack, line.stack) == 0) {
            line.bytes += f->v[i].bytes;
            free(f->v[i++].stack);
        }
        f->v[kept++] = line;
    }
    f->n = kept;
}

/* What counts as leaked: the lost classes, or every live block without a scan, and the
 * pool blocks never given back. */
static int is_leaked(const struct analyze_leak *l)
{
    return strcmp(l->kind, "definitely_lost") == 0 || strcmp(l->kind, "indirectly_lost") == 0 ||
           strcmp(l->kind, "leaked") == 0 || strcmp(l->kind, "not_freed") == 0 ||
           strcmp(l->kind, "pool_not_freed") == 0;
}

static int collect(struct flame *f, const struct analyze_process *p, enum flame_measure measure)
{
    const struct analyze_leak *v = measure == FLAME_LEAKED ? p->leaks : p->allocated;
    size_t n = measure == FLAME_LEAKED ? p->nleaks : p->nallocated;
    for (size_t i = 0; i < n; i++) {
        if (measure == FLAME_LEAKED && !is_leaked(&v[i]))
            continue;
        if (add(f, &v[i], measure == FLAME_PEAK ? v[i].peak_bytes : v[i].bytes) < 0)
            return -ENOMEM;
    }
    return 0;
}

int report_flame_collect(struct flame *f, struct analyze_process *const *procs, size_t nprocs,
                         enum flame_measure measure)
{
    int rc = 0;
    for (size_t i = 0; i < nprocs && rc == 0; i++)
        rc = collect(f, procs[i], measure);
    if (rc == 0)
        merge(f);
    return rc;
}

void report_flame_release(struct flame *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].stack);
    free(f->v);
    memset(f, 0, sizeof(*f));
}

int report_flame_write(FILE *out, struct analyze_process *const *procs, size_t nprocs,
                       int allocated)
{
    struct flame f = {0};
    int rc = report_flame_collect(&f, procs, nprocs, allocated ? FLAME_ALLOCATED : FLAME_LEAKED);
    for (size_t i = 0; rc == 0 && i < f.n; i++)
        fprintf(out, "%s %" PRIu64 "\n", f.v[i].stack, f.v[i].bytes);
    report_flame_release(&f);
    if (rc < 0)
        return rc;
    return ferror(out) ? -EIO : 0;
}
