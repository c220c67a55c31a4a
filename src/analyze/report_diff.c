/*
 * The comparison of two runs (report_diff_write in analyze.h): allocation sites are
 * matched by their folded stack (function names, as report_flame.c folds them, so two
 * builds or two address-space layouts still match), and each site's leaked bytes, bytes
 * at the peak and bytes allocated are compared. Writes only to the stream it is given.
 */
#include "analyze/analyze.h"
#include "analyze/report_flame.h"
#include "analyze/report_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MEASURES 3 /* the measures compared, in column order: leaked, peak, allocated */

static const enum flame_measure columns[MEASURES] = {FLAME_LEAKED, FLAME_PEAK, FLAME_ALLOCATED};
static const char *const column_names[MEASURES] = {"leaked", "peak", "allocated"};

/* One site of either run: its folded stack and each measure's bytes in both runs. */
struct diff_site {
    const char *stack;        /* owned by one of the flames */
    uint64_t old[MEASURES], new[MEASURES];
};

struct diff {
    struct flame flames[2][MEASURES]; /* [run][column] */
    struct diff_site *v;
    size_t n;
};

static int64_t change(const struct diff_site *s, int c)
{
    return (int64_t)(s->new[c] - s->old[c]);
}

static uint64_t magnitude(const struct diff_site *s)
{
    uint64_t most = 0;
    for (int c = 0; c < MEASURES; c++) {
        int64_t d = change(s, c);
        uint64_t m = d < 0 ? (uint64_t)-d : (uint64_t)d;
        most = m > most ? m : most;
    }
    return most;
}

/* Largest change first (leaked, then peak, then allocated break ties), then by stack. */
static int by_change(const void *x, const void *y)
{
    const struct diff_site *a = x, *b = y;
    if (magnitude(a) != magnitude(b))
        return magnitude(a) > magnitude(b) ? -1 : 1;
    for (int c = 0; c < MEASURES; c++) {
        if (change(a, c) != change(b, c))
            return change(a, c) > change(b, c) ? -1 : 1;
    }
    return strcmp(a->stack, b->stack);
}

static int by_stack(const void *x, const void *y)
{
    return strcmp(((const struct diff_site *)x)->stack, ((const struct diff_site *)y)->stack);
}

/* One entry per (run, column, stack), then merged by stack into d->v. */
static int gather(struct diff *d)
{
    size_t total = 0;
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < MEASURES; c++)
            total += d->flames[r][c].n;
    if (!(d->v = calloc(total ? total : 1, sizeof(*d->v))))
        return -ENOMEM;
    for (int r = 0; r < 2; r++) {
        for (int c = 0; c < MEASURES; c++) {
            for (size_t i = 0; i < d->flames[r][c].n; i++) {
                struct diff_site *s = &d->v[d->n++];
                s->stack = d->flames[r][c].v[i].stack;
                (r ? s->new : s->old)[c] = d->flames[r][c].v[i].bytes;
            }
        }
    }
    qsort(d->v, d->n, sizeof(*d->v), by_stack);
    size_t kept = 0;
    for (size_t i = 0; i < d->n; i++) {
        struct diff_site *into = kept ? &d->v[kept - 1] : NULL;
        if (!into || strcmp(into->stack, d->v[i].stack) != 0) {
            d->v[kept++] = d->v[i];
            continue;
        }
        for (int c = 0; c < MEASURES; c++) {
            into->old[c] += d->v[i].old[c];
            into->new[c] += d->v[i].new[c];
        }
    }
    d->n = kept;
    return 0;
}

static void write_text(FILE *out, const struct diff *d, const char *old_path,
                       const char *new_path)
{
    fprintf(out, "heapwise diff: %s -> %s\n", old_path, new_path);
    fprintf(out, "%12s %12s %12s  site (outermost;...;innermost)\n", "leaked", "peak", "allocated");
    size_t shown = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (magnitude(&d->v[i]) == 0)
            continue;
        for (int c = 0; c < MEASURES; c++)
            fprintf(out, "%+12" PRId64 " ", change(&d->v[i], c));
        fprintf(out, " %s\n", d->v[i].stack);
        shown++;
    }
    fprintf(out, "%zu site%s changed\n", shown, shown == 1 ? "" : "s");
}

static void write_json(FILE *out, const struct diff *d, const char *old_path,
                       const char *new_path)
{
    fputs("{\"heapwise_diff\": 1, \"old\": ", out);
    report_json_string(out, old_path, 0);
    fputs(", \"new\": ", out);
    report_json_string(out, new_path, 0);
    fputs(", \"sites\": [", out);
    size_t shown = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (magnitude(&d->v[i]) == 0)
            continue;
        fputs(shown++ ? ",\n  {\"stack\": " : "\n  {\"stack\": ", out);
        report_json_string(out, d->v[i].stack, 0);
        for (int c = 0; c < MEASURES; c++)
            fprintf(out, ", \"%s\": {\"old\": %" PRIu64 ", \"new\": %" PRIu64 ", \"change\": %" PRId64 "}",
                    column_names[c], d->v[i].old[c], d->v[i].new[c], change(&d->v[i], c));
        fputc('}', out);
    }
    fputs("]}\n", out);
}

int report_diff_write(FILE *out, struct analyze_process *old, struct analyze_process *new,
                      int json)
{
    struct diff d = {0};
    struct analyze_process *runs[2] = {old, new};
    int rc = 0;
    for (int r = 0; r < 2 && rc == 0; r++)
        for (int c = 0; c < MEASURES && rc == 0; c++)
            rc = report_flame_collect(&d.flames[r][c], &runs[r], 1, columns[c]);
    if (rc == 0)
        rc = gather(&d);
    if (rc == 0) {
        qsort(d.v, d.n, sizeof(*d.v), by_change);
        (json ? write_json : write_text)(out, &d, old->path, new->path);
    }
    free(d.v);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < MEASURES; c++)
            report_flame_release(&d.flames[r][c]);
    if (rc < 0)
        return rc;
    return ferror(out) ? -EIO : 0;
}
