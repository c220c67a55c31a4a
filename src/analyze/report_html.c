/*
 * The HTML report (report_html_write in analyze.h): one page per run, a section per
 * process. The tables are written here as HTML; the chart and the flame graphs are drawn
 * in the browser by the embedded script (src/analyze/html/report.js) from one JSON
 * document in a <script type="application/json"> element (report_html_data.c). Every
 * string from the trace is escaped (report_html_text, or JSON with '<' escaped). Nothing
 * is fetched: the page works from file://. Writes only to the stream it is given.
 */
#include "analyze/report_html.h"

#include "analyze/analyze.h"
#include "analyze/report_html_data.h"
#include "src/analyze/html_assets.h"
#include "trace/objname.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The orders of the allocation site tables. */
enum site_order { BY_BYTES, BY_CALLS, BY_PEAK, BY_TEMPORARY, SITE_ORDERS };

static const struct {
    const char *key;   /* data-by attribute */
    const char *title; /* tab label */
} site_orders[SITE_ORDERS] = {
    {"bytes", "bytes allocated"},
    {"calls", "allocation calls"},
    {"peak", "bytes at the peak"},
    {"temporary", "temporary allocations"},
};

void report_html_text(FILE *out, const char *text)
{
    for (const char *c = text ? text : ""; *c; c++) {
        switch (*c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*c, out); break;
        }
    }
}

/* n bytes for people (KiB, MiB...), the exact number in the title and data-bytes. */
static void put_bytes(FILE *out, uint64_t n)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    size_t u = 0;
    while (v >= 1024 && u < sizeof(units) / sizeof(units[0]) - 1) {
        v /= 1024;
        u++;
    }
    fprintf(out, "<span data-bytes=\"%" PRIu64 "\" title=\"%" PRIu64 " bytes\">", n, n);
    if (u == 0)
        fprintf(out, "%" PRIu64 " B</span>", n);
    else
        fprintf(out, "%.*f %s</span>", v < 10 ? 2 : 1, v, units[u]);
}

static void put_duration(FILE *out, uint64_t ns)
{
    if (ns < 1000000)
        fprintf(out, "%.1f µs", (double)ns / 1e3);
    else if (ns < 1000000000)
        fprintf(out, "%.1f ms", (double)ns / 1e6);
    else
        fprintf(out, "%.2f s", (double)ns / 1e9);
}

/* A frame's name: its function, else [module], else ???. */
static void put_frame_name(FILE *out, const struct analyze_frame *f)
{
    if (f->function) {
        report_html_text(out, f->function);
    } else if (f->module) {
        fputc('[', out);
        report_html_text(out, objname_base(f->module));
        fputc(']', out);
    } else {
        fputs("???", out);
    }
}

static void put_frame(FILE *out, const struct analyze_frame *f)
{
    fputs("<li><span class=\"fn\">", out);
    put_frame_name(out, f);
    fputs("</span>", out);
    if (f->file) {
        fputs(" <span class=\"loc\">", out);
        report_html_text(out, objname_base(f->file));
        if (f->line > 0)
            fprintf(out, ":%d", f->line);
        fputs("</span>", out);
    }
    if (f->module) {
        fputs(" <span class=\"mod\">", out);
        report_html_text(out, objname_base(f->module));
        fputs("</span>", out);
    }
    fprintf(out, "%s</li>\n", f->inlined ? " <span class=\"muted\">(inlined)</span>" : "");
}

/* A frame of the system's libraries or headers (glibc's sources are "./string/..."). */
static int is_system(const struct analyze_frame *f)
{
    static const char *const prefixes[] = {"/usr/", "/lib", "./"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if ((f->module && strncmp(f->module, prefixes[i], n) == 0) ||
            (f->file && strncmp(f->file, prefixes[i], n) == 0))
            return 1;
    }
    return 0;
}

/* The innermost frame, and when it is the system's, the first caller of the program's. */
static void put_caller(FILE *out, const struct analyze_stack *st)
{
    if (!st || st->nframes == 0) {
        fputs("<span class=\"fn\">(no stack recorded)</span>", out);
        return;
    }
    fputs("<span class=\"fn\">", out);
    put_frame_name(out, &st->frames[0]);
    fputs("</span>", out);
    for (size_t i = 1; is_system(&st->frames[0]) && i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        if (is_system(f) || !f->function)
            continue;
        fputs(" <span class=\"muted\">from</span> <span class=\"fn\">", out);
        report_html_text(out, f->function);
        fputs("</span>", out);
        if (f->file) {
            fputs(" <span class=\"loc\">", out);
            report_html_text(out, objname_base(f->file));
            fprintf(out, ":%d</span>", f->line);
        }
        break;
    }
}

/* The stack, collapsed to its innermost frame until clicked. */
static void put_stack(FILE *out, const char *label, const struct analyze_stack *st)
{
    fputs("<details><summary>", out);
    if (label)
        fprintf(out, "<span class=\"muted\">%s</span> ", label);
    put_caller(out, st);
    fputs("</summary><ol class=\"stack\">\n", out);
    size_t shown = st && st->nframes < REPORT_HTML_FRAMES ? st->nframes : REPORT_HTML_FRAMES;
    for (size_t i = 0; st && i < shown; i++)
        put_frame(out, &st->frames[i]);
    if (st && st->nframes > shown)
        fprintf(out, "<li class=\"muted\">... %zu more frames</li>\n", st->nframes - shown);
    fputs("</ol></details>", out);
}

static void put_header(FILE *out, const struct analyze_process *p)
{
    report_html_text(out, p->exe ? objname_base(p->exe) : "(unknown program)");
    for (size_t i = 1; i < p->argc; i++) {
        fputc(' ', out);
        report_html_text(out, p->argv[i]);
    }
    fprintf(out, " <span class=\"muted\">pid %" PRIu64 "</span>", p->pid);
}

static void put_end(FILE *out, const struct analyze_process *p)
{
    switch (p->end) {
    case ANALYZE_END_EXIT: fprintf(out, "exit status %d", p->status); break;
    case ANALYZE_END_SIGNAL: fprintf(out, "<span class=\"bad\">signal %d</span>", p->signal); break;
    case ANALYZE_END_KILLED: fputs("<span class=\"bad\">killed or crashed</span>", out); break;
    case ANALYZE_END_EXEC: fputs("replaced by exec", out); break;
    case ANALYZE_END_RUNNING:
        fputs("still running (results as of the last check)", out);
        break;
    default: fputs("unknown", out); break;
    }
}

static void row_bytes(FILE *out, const char *what, uint64_t bytes, uint64_t blocks, int bad)
{
    fprintf(out, "<tr><td>%s</td><td%s>", what, bad && bytes ? " class=\"bad\"" : "");
    put_bytes(out, bytes);
    fprintf(out, " in %" PRIu64 " blocks</td></tr>\n", blocks);
}

static void write_summary(FILE *out, const struct analyze_process *p, size_t index)
{
    const struct analyze_summary *s = &p->summary;
    fputs("<table class=\"summary\">\n<tr><td>program</td><td><code>", out);
    report_html_text(out, p->exe);
    for (size_t i = 1; i < p->argc; i++) {
        fputc(' ', out);
        report_html_text(out, p->argv[i]);
    }
    fprintf(out, "</code></td></tr>\n<tr><td>process</td><td>pid %" PRIu64 " (parent %" PRIu64
                 "), ", p->pid, p->ppid);
    put_end(out, p);
    fputs("</td></tr>\n<tr><td>duration</td><td>", out);
    put_duration(out, p->duration_ns);
    fprintf(out, "</td></tr>\n<tr><td>peak heap</td><td id=\"peak-%zu\">", index);
    put_bytes(out, s->peak_bytes);
    fprintf(out, "</td></tr>\n<tr><td>peak RSS</td><td id=\"peak-rss-%zu\">", index);
    if (s->rss_samples)
        put_bytes(out, s->peak_rss_bytes);
    else
        fputs("<span class=\"muted\">not sampled</span>", out);
    fprintf(out, "</td></tr>\n<tr><td>allocations</td><td>%" PRIu64 " (%" PRIu64 " frees), ",
            s->allocations, s->frees);
    put_bytes(out, s->allocated_bytes);
    fputs(" allocated</td></tr>\n", out);
    row_bytes(out, "leaked", s->leaked_bytes, s->leaked_blocks, 1);
    if (s->scanned) {
        row_bytes(out, "&nbsp; definitely lost", s->definitely_lost_bytes, s->definitely_lost_blocks, 1);
        row_bytes(out, "&nbsp; indirectly lost", s->indirectly_lost_bytes, s->indirectly_lost_blocks, 1);
        row_bytes(out, "&nbsp; possibly lost", s->possibly_lost_bytes, s->possibly_lost_blocks, 0);
        row_bytes(out, "&nbsp; still reachable", s->still_reachable_bytes, s->still_reachable_blocks, 0);
    }
    fprintf(out, "<tr><td>heap errors</td><td%s>%" PRIu64 "</td></tr>\n",
            s->errors ? " class=\"bad\"" : "", s->errors);
    if (s->suppressed_blocks || s->suppressed_errors)
        fprintf(out, "<tr><td>suppressed</td><td>%" PRIu64 " leaked blocks, %" PRIu64
                     " heap errors</td></tr>\n", s->suppressed_blocks, s->suppressed_errors);
    if (p->warning) {
        fputs("<tr><td>warning</td><td class=\"bad\">", out);
        report_html_text(out, p->warning);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static uint64_t site_value(const struct analyze_leak *l, enum site_order by)
{
    switch (by) {
    case BY_CALLS: return l->blocks;
    case BY_PEAK: return l->peak_bytes;
    case BY_TEMPORARY: return l->temporary;
    default: return l->bytes;
    }
}

static int by_order(const void *x, const void *y, void *arg)
{
    const struct analyze_leak *a = *(const struct analyze_leak *const *)x;
    const struct analyze_leak *b = *(const struct analyze_leak *const *)y;
    enum site_order by = *(const enum site_order *)arg;
    uint64_t va = site_value(a, by), vb = site_value(b, by);
    if (va != vb)
        return va > vb ? -1 : 1;
    return a->bytes > b->bytes ? -1 : a->bytes < b->bytes;
}

static void site_row(FILE *out, const struct analyze_leak *l)
{
    fputs("<tr><td class=\"num\">", out);
    put_bytes(out, l->bytes);
    fprintf(out, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">", l->blocks);
    put_bytes(out, l->peak_bytes);
    fprintf(out, "</td><td class=\"num\">%" PRIu64 "</td><td>", l->temporary);
    put_stack(out, NULL, l->stack);
    fputs("</td></tr>\n", out);
}

/* One table of the sites in sorted order (the first REPORT_HTML_TOP with a value). */
static void site_table(FILE *out, const struct analyze_leak **v, size_t n, enum site_order by)
{
    static const char *const heads[SITE_ORDERS] = {"allocated", "calls", "at peak", "temporary"};
    fprintf(out, "<div class=\"site-table%s\" data-by=\"%s\"><table>\n<tr>",
            by == BY_BYTES ? " on" : "", site_orders[by].key);
    for (int i = 0; i < SITE_ORDERS; i++)
        fprintf(out, "<th class=\"num%s\">%s</th>", i == (int)by ? " sorted" : "", heads[i]);
    fputs("<th>allocation site</th></tr>\n", out);
    size_t rows = 0;
    for (size_t i = 0; i < n && rows < REPORT_HTML_TOP && site_value(v[i], by) > 0; i++, rows++)
        site_row(out, v[i]);
    if (rows == 0)
        fputs("<tr><td colspan=\"5\" class=\"empty\">none</td></tr>\n", out);
    fputs("</table></div>\n", out);
}

static int write_sites(FILE *out, const struct analyze_process *p)
{
    fputs("<h3>Top allocation sites</h3>\n<div class=\"tabs\">by ", out);
    for (int i = 0; i < SITE_ORDERS; i++)
        fprintf(out, "<button data-by=\"%s\"%s>%s</button>", site_orders[i].key,
                i == BY_BYTES ? " class=\"on\"" : "", site_orders[i].title);
    fputs("</div>\n<p class=\"muted\">Temporary: freed (free or delete) before any other "
          "allocation happened, as heaptrack counts them.</p>\n", out);
    const struct analyze_leak **v = calloc(p->nallocated ? p->nallocated : 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < p->nallocated; i++)
        v[i] = &p->allocated[i];
    for (enum site_order by = BY_BYTES; by < SITE_ORDERS; by++) {
        qsort_r(v, p->nallocated, sizeof(*v), by_order, &by);
        site_table(out, v, p->nallocated, by);
    }
    free(v);
    return 0;
}

/* "definitely lost" for definitely_lost: a leak kind in words. */
static const char *kind_words(const char *kind)
{
    static const char *const words[][2] = {
        {"definitely_lost", "definitely lost"}, {"indirectly_lost", "indirectly lost"},
        {"possibly_lost", "possibly lost"},     {"still_reachable", "still reachable"},
        {"pool_not_freed", "not freed back to its pool"},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(kind, words[i][0]) == 0)
            return words[i][1];
    }
    return kind;
}

static void write_leaks(FILE *out, const struct analyze_process *p)
{
    fputs("<h3>Leaks</h3>\n<table class=\"leaks\">\n<tr><th>kind</th><th class=\"num\">bytes"
          "</th><th class=\"num\">blocks</th><th>allocated at</th></tr>\n", out);
    size_t n = p->nleaks < REPORT_HTML_TOP ? p->nleaks : REPORT_HTML_TOP;
    for (size_t i = 0; i < n; i++) {
        const struct analyze_leak *l = &p->leaks[i];
        fprintf(out, "<tr class=\"leak %s\"><td>%s", l->kind, kind_words(l->kind));
        if (l->has_pool && l->pool) {
            fputs(" (pool ", out);
            report_html_text(out, l->pool);
            fputc(')', out);
        }
        fputs("</td><td class=\"num\">", out);
        put_bytes(out, l->bytes);
        fprintf(out, "</td><td class=\"num\">%" PRIu64 "</td><td>", l->blocks);
        put_stack(out, NULL, l->stack);
        fputs("</td></tr>\n", out);
    }
    if (n == 0)
        fputs("<tr><td colspan=\"4\" class=\"empty\">no leaks</td></tr>\n", out);
    else if (p->nleaks > n)
        fprintf(out, "<tr><td colspan=\"4\" class=\"muted\">... %zu more</td></tr>\n", p->nleaks - n);
    fputs("</table>\n", out);
}

static void write_errors(FILE *out, const struct analyze_process *p)
{
    fputs("<h3>Heap errors</h3>\n<table class=\"errors\">\n<tr><th>kind</th><th class=\"num\">"
          "count</th><th>what</th><th>stacks</th></tr>\n", out);
    size_t n = p->nerrors < REPORT_HTML_TOP ? p->nerrors : REPORT_HTML_TOP;
    for (size_t i = 0; i < n; i++) {
        const struct analyze_heap_error *e = &p->errors[i];
        fprintf(out, "<tr class=\"error\"><td class=\"bad\">%s</td><td class=\"num\">%" PRIu64
                     "</td><td>", e->kind, e->count);
        report_html_text(out, e->message);
        fputs("</td><td>", out);
        if (e->stack)
            put_stack(out, "at", e->stack);
        if (e->alloc)
            put_stack(out, "allocated", e->alloc);
        if (e->freed)
            put_stack(out, "freed", e->freed);
        fputs("</td></tr>\n", out);
    }
    if (n == 0)
        fputs("<tr><td colspan=\"4\" class=\"empty\">no heap errors</td></tr>\n", out);
    fputs("</table>\n", out);
}

static int write_process(FILE *out, const struct analyze_process *p, size_t index)
{
    fprintf(out, "<section class=\"process\" id=\"process-%zu\">\n<h2>", index);
    put_header(out, p);
    fputs("</h2>\n", out);
    write_summary(out, p, index);
    fputs("<h3>Memory over time</h3>\n<div class=\"chart\"></div>\n", out);
    fputs("<h3>Flame graph</h3>\n<div class=\"flame-controls\"><button data-which=\"leaked\" "
          "class=\"on\">leaked bytes</button><button data-which=\"allocated\">allocated "
          "bytes</button> <span class=\"muted\">click a frame to zoom, click it again to go "
          "back</span></div>\n<div class=\"flame\"></div>\n", out);
    int rc = write_sites(out, p);
    write_leaks(out, p);
    write_errors(out, p);
    fputs("</section>\n", out);
    return rc;
}

int report_html_write(FILE *out, struct analyze_process *const *procs, size_t nprocs)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<title>heapwise: ", out);
    report_html_text(out, nprocs && procs[0]->exe ? objname_base(procs[0]->exe) : "report");
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>heapwise report</h1>\n"
                 "<p class=\"muted\">%zu process%s</p>\n", html_css, nprocs,
            nprocs == 1 ? "" : "es");
    int rc = 0;
    for (size_t i = 0; i < nprocs && rc == 0; i++)
        rc = write_process(out, procs[i], i);
    if (rc == 0)
        rc = report_html_data(out, procs, nprocs);
    fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", html_js);
    if (rc < 0)
        return rc;
    return ferror(out) ? -EIO : 0;
}
