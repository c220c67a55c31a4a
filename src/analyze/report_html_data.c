/*
 * The JSON data of the HTML report (report_html_data.h): the memory-over-time series (live
 * heap, resident set size) as the analysis downsampled them, and the flame graph stacks
 * of report_flame.c's collapsing, bounded and with every frame name written once. Strings are JSON with '<', '>' and '&'
 * escaped, so nothing in them can end the <script> element.
 */
#include "analyze/report_html_data.h"

#include "analyze/report_flame.h"
#include "analyze/report_html.h"
#include "analyze/report_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The stack standing for every stack past REPORT_HTML_FLAME_STACKS. */
#define OTHER_STACKS "[other stacks]"

static void write_timeline(FILE *out, const struct analyze_process *p)
{
    fputs("\"timeline\": [", out);
    for (size_t i = 0; i < p->ntimeline; i++)
        fprintf(out, "%s[%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
                p->timeline[i].time_ns, p->timeline[i].bytes, p->timeline[i].blocks);
    fputs("],\n\"rss\": [", out);
    for (size_t i = 0; i < p->nrss; i++)
        fprintf(out, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "", p->rss[i].time_ns,
                p->rss[i].bytes);
    fputc(']', out);
}

static int by_bytes(const void *x, const void *y)
{
    const struct flame_line *a = x, *b = y;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return strcmp(a->stack, b->stack);
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/*
 * Split the first n stacks into their frames (in place: ';' becomes NUL), set depth[i]
 * to the frames of stack i, and return the distinct frame names, sorted, in a malloc'd
 * array (*count); NULL when out of memory.
 */
static const char **split_names(struct flame *f, size_t n, size_t *depth, size_t *count)
{
    size_t total = 1; /* OTHER_STACKS */
    for (size_t i = 0; i < n; i++) {
        depth[i] = 1;
        for (const char *c = f->v[i].stack; *c; c++)
            depth[i] += *c == ';';
        total += depth[i];
    }
    const char **names = malloc(total * sizeof(*names));
    if (!names)
        return NULL;
    size_t k = 0;
    names[k++] = OTHER_STACKS;
    for (size_t i = 0; i < n; i++) {
        char *frame = f->v[i].stack;
        for (size_t d = 0; d < depth[i]; d++) {
            names[k++] = frame;
            frame += strcspn(frame, ";");
            *frame++ = '\0';
        }
    }
    qsort(names, k, sizeof(*names), by_name);
    size_t unique = 0;
    for (size_t i = 0; i < k; i++) {
        if (unique == 0 || strcmp(names[unique - 1], names[i]) != 0)
            names[unique++] = names[i];
    }
    *count = unique;
    return names;
}

static size_t name_index(const char **names, size_t count, const char *name)
{
    const char **hit = bsearch(&name, names, count, sizeof(*names), by_name);
    return (size_t)(hit - names);
}

/* One stack of depth NUL-separated frames: its bytes, then each frame's name index. */
static void write_stack(FILE *out, uint64_t bytes, const char *frame, size_t depth,
                        const char **names, size_t count)
{
    fprintf(out, "[%" PRIu64, bytes);
    for (size_t d = 0; d < depth; d++, frame += strlen(frame) + 1)
        fprintf(out, ",%zu", name_index(names, count, frame));
    fputc(']', out);
}

/* FLAME of report_html_data.h for f, whose stacks it splits. 0, or -ENOMEM. */
static int write_flame(FILE *out, struct flame *f)
{
    if (f->n > 1)
        qsort(f->v, f->n, sizeof(*f->v), by_bytes);
    size_t n = f->n < REPORT_HTML_FLAME_STACKS ? f->n : REPORT_HTML_FLAME_STACKS, count;
    uint64_t other = 0;
    for (size_t i = n; i < f->n; i++)
        other += f->v[i].bytes;
    size_t *depth = calloc(n ? n : 1, sizeof(*depth));
    const char **names = depth ? split_names(f, n, depth, &count) : NULL;
    if (!names) {
        free(depth);
        return -ENOMEM;
    }
    fputs("{\"names\": [", out);
    for (size_t i = 0; i < count; i++) {
        fputs(i ? "," : "", out);
        report_json_string(out, names[i], 1);
    }
    fputs("], \"stacks\": [", out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n" : "\n", out);
        write_stack(out, f->v[i].bytes, f->v[i].stack, depth[i], names, count);
    }
    if (other) {
        fputs(n ? ",\n" : "\n", out);
        write_stack(out, other, OTHER_STACKS, 1, names, count);
    }
    fputs("]}", out);
    free(names);
    free(depth);
    return 0;
}

static int write_flames(FILE *out, struct analyze_process *p)
{
    int rc = 0;
    fputs("\"flame\": {", out);
    for (int allocated = 0; allocated <= 1 && rc == 0; allocated++) {
        struct flame f = {0};
        fputs(allocated ? ", \"allocated\": " : "\"leaked\": ", out);
        rc = report_flame_collect(&f, &p, 1, allocated ? FLAME_ALLOCATED : FLAME_LEAKED);
        if (rc == 0)
            rc = write_flame(out, &f);
        report_flame_release(&f);
    }
    fputc('}', out);
    return rc;
}

int report_html_data(FILE *out, struct analyze_process *const *procs, size_t nprocs)
{
    int rc = 0;
    fputs("<script type=\"application/json\" id=\"heapwise-data\">\n{\"processes\": [", out);
    for (size_t i = 0; i < nprocs && rc == 0; i++) {
        fputs(i ? ",\n{" : "\n{", out);
        write_timeline(out, procs[i]);
        fputs(",\n", out);
        rc = write_flames(out, procs[i]);
        fputc('}', out);
    }
    fputs("]}\n</script>\n", out);
    return rc;
}
