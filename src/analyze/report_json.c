/*
 * The JSON report (report_json_write in analyze.h), schema version 1:
 *
 *   { "heapwise": 1, "processes": [ { "pid", "ppid", "exe", "argv", "end", "status",
 *     "signal", "running", "last_scan": { "time_ns", "time", "signal" }, "signal_checks",
 *     "summary": {...}, "leaks": [ { "kind", "bytes", "blocks", "stack":
 *     [ { "address", "module", "function", "file", "line", "inlined" } ],
 *     "indirect_bytes", "indirect_blocks" (definitely lost), "held_by" (indirectly lost:
 *     index of the holding leak, or null), "pool", "pool_address" (pool_not_freed),
 *     "suppression" (--gen-suppressions only) } ],
 *     "errors": [ { ..., "pool", "pool_address" (pool kinds) } ],
 *     "suppressions": [ { "rule", "file", "line", "count", "bytes" } ], "partial",
 *     "warning" } ] }
 *
 * Unknown values are null. Strings are escaped per RFC 8259; bytes that are not valid
 * UTF-8 become U+FFFD. Writes only to the stream it is given.
 */
#include "analyze/analyze.h"
#include "analyze/report_json.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

size_t report_json_utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    }
    /* no overlong 3/4-byte forms, no surrogates, nothing past U+10FFFF */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return len;
}

/* 1 for a byte written as it is (printable ASCII that needs no escape). */
static int plain(unsigned char c, int html_safe)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' &&
           !(html_safe && (c == '<' || c == '>' || c == '&'));
}

void report_json_string(FILE *out, const char *str, int html_safe)
{
    if (!str) {
        fputs("null", out);
        return;
    }
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t run = i;
        while (run < n && plain(s[run], html_safe))
            run++;
        if (run > i) { /* the common case: a path or a name, in one write */
            fwrite(s + i, 1, run - i, out);
            i = run;
            continue;
        }
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c >= 0x80) {
            size_t len = report_json_utf8_len(s + i, n - i);
            if (len == 0) {
                fputs("\\ufffd", out);
                i++;
                continue;
            }
            fwrite(s + i, 1, len, out);
            i += len;
            continue;
        } else {
            fprintf(out, "\\u%04x", c);
        }
        i++;
    }
    fputc('"', out);
}

static void put_string(FILE *out, const char *str)
{
    report_json_string(out, str, 0);
}

static void put_frame(FILE *out, const struct analyze_frame *f)
{
    fprintf(out, "{\"address\": \"0x%" PRIx64 "\", \"module\": ", f->address);
    put_string(out, f->module);
    fputs(", \"function\": ", out);
    put_string(out, f->function);
    fputs(", \"file\": ", out);
    put_string(out, f->file);
    if (f->line > 0)
        fprintf(out, ", \"line\": %d", f->line);
    else
        fputs(", \"line\": null", out);
    fprintf(out, ", \"inlined\": %s}", f->inlined ? "true" : "false");
}

static void put_stack(FILE *out, const struct analyze_stack *st)
{
    fputc('[', out);
    for (size_t i = 0; st && i < st->nframes; i++) {
        fputs(i ? ",\n          " : "\n          ", out);
        put_frame(out, &st->frames[i]);
    }
    fputc(']', out);
}

/* ", \"suppression\": RULE" when --gen-suppressions proposed one. */
static void put_proposal(FILE *out, const char *rule)
{
    if (!rule)
        return;
    fputs(", \"suppression\": ", out);
    put_string(out, rule);
}

/* ", \"pool\": NAME, \"pool_address\": \"0x..\"" for a pool's finding. */
static void put_pool(FILE *out, int has_pool, const char *name, uint64_t address)
{
    if (!has_pool)
        return;
    fputs(", \"pool\": ", out);
    put_string(out, name);
    fprintf(out, ", \"pool_address\": \"0x%" PRIx64 "\"", address);
}

static void put_leak(FILE *out, const struct analyze_leak *l)
{
    fputs("{\"kind\": ", out);
    put_string(out, l->kind);
    fprintf(out, ", \"bytes\": %" PRIu64 ", \"blocks\": %" PRIu64 ", \"stack\": ", l->bytes,
            l->blocks);
    put_stack(out, l->stack);
    if (strcmp(l->kind, "definitely_lost") == 0)
        fprintf(out, ", \"indirect_bytes\": %" PRIu64 ", \"indirect_blocks\": %" PRIu64,
                l->indirect_bytes, l->indirect_blocks);
    else if (strcmp(l->kind, "indirectly_lost") == 0 && l->held_by >= 0)
        fprintf(out, ", \"held_by\": %ld", l->held_by);
    else if (strcmp(l->kind, "indirectly_lost") == 0)
        fputs(", \"held_by\": null", out);
    put_pool(out, l->has_pool, l->pool, l->pool_address);
    put_proposal(out, l->suppression);
    fputc('}', out);
}

static void put_bytes(FILE *out, const char *key, const uint8_t *b, size_t n)
{
    fprintf(out, ", \"%s\": ", key);
    if (n == 0) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%02x", i ? " " : "", b[i]);
    fputc('"', out);
}

/* Stack `key` when there is one, after sep; returns the separator of the next. */
static const char *put_named_stack(FILE *out, const char *sep, const char *key,
                                   const struct analyze_stack *st)
{
    if (!st)
        return sep;
    fprintf(out, "%s\"%s\": ", sep, key);
    put_stack(out, st);
    return ", ";
}

/* A pool error's stacks: "call" (the annotation that was wrong), and "alloc" and
 * "first_free" of the block, or "pool_create" and "pool_destroy" of an invalid pool. */
static void put_pool_stacks(FILE *out, const struct analyze_heap_error *e)
{
    int invalid_pool = strcmp(e->kind, "pool_invalid_pool") == 0;
    const char *sep = put_named_stack(out, "", "call", e->stack);
    sep = put_named_stack(out, sep, invalid_pool ? "pool_create" : "alloc", e->alloc);
    put_named_stack(out, sep, invalid_pool ? "pool_destroy" : "first_free", e->freed);
}

/* The stacks that explain an error: "alloc", "free" (this call, or the block's release
 * for a write after free) and "first_free" (double free), as they apply. */
static void put_error_stacks(FILE *out, const struct analyze_heap_error *e)
{
    int double_free = strcmp(e->kind, "double_free") == 0;
    const struct analyze_stack *free_stack = e->stack ? e->stack : e->freed;
    const char *sep = "";
    fputs(", \"stacks\": {", out);
    if (e->has_pool) {
        put_pool_stacks(out, e);
        fputc('}', out);
        return;
    }
    if (e->alloc) {
        fputs("\"alloc\": ", out);
        put_stack(out, e->alloc);
        sep = ", ";
    }
    if (free_stack) {
        fprintf(out, "%s\"free\": ", sep);
        put_stack(out, free_stack);
        sep = ", ";
    }
    if (double_free && e->freed && e->stack) {
        fprintf(out, "%s\"first_free\": ", sep);
        put_stack(out, e->freed);
    }
    fputc('}', out);
}

static void put_error(FILE *out, const struct analyze_heap_error *e)
{
    fputs("{\"kind\": ", out);
    put_string(out, e->kind);
    fprintf(out, ", \"address\": \"0x%" PRIx64 "\", \"size\": ", e->address);
    if (e->has_size)
        fprintf(out, "%" PRIu64, e->size);
    else
        fputs("null", out);
    if (e->has_offset)
        fprintf(out, ", \"offset\": %" PRId64, e->offset);
    else
        fputs(", \"offset\": null", out);
    fputs(", \"alloc_kind\": ", out);
    put_string(out, e->alloc_kind);
    fputs(", \"free_kind\": ", out);
    put_string(out, e->free_kind);
    fputs(", \"where\": ", out);
    put_string(out, e->where);
    fprintf(out, ", \"count\": %" PRIu64, e->count);
    put_bytes(out, "found", e->found, e->nbytes);
    put_bytes(out, "expected", e->expected, e->nexpected);
    put_error_stacks(out, e);
    put_pool(out, e->has_pool, e->pool, e->pool_address);
    fputs(", \"message\": ", out);
    put_string(out, e->message);
    put_proposal(out, e->suppression);
    fputc('}', out);
}

/* "<kind>_bytes" and "<kind>_blocks"; null when no scan classified the blocks. */
static void put_class(FILE *out, const char *kind, int scanned, uint64_t bytes, uint64_t blocks)
{
    if (scanned)
        fprintf(out, ", \"%s_bytes\": %" PRIu64 ", \"%s_blocks\": %" PRIu64, kind, bytes, kind,
                blocks);
    else
        fprintf(out, ", \"%s_bytes\": null, \"%s_blocks\": null", kind, kind);
}

static void put_summary(FILE *out, const struct analyze_process *p)
{
    const struct analyze_summary *s = &p->summary;
    fprintf(out,
            "\"summary\": {\"allocations\": %" PRIu64 ", \"frees\": %" PRIu64
            ", \"peak_bytes\": %" PRIu64 ", \"leaked_bytes\": %" PRIu64
            ", \"leaked_blocks\": %" PRIu64 ", \"errors\": %" PRIu64 ", \"dropped\": %" PRIu64
            ", \"untracked\": %" PRIu64 ", \"unknown_frees\": %" PRIu64
            ", \"implicit_frees\": %" PRIu64 ", \"runtime_bytes\": %" PRIu64
            ", \"runtime_blocks\": %" PRIu64 ", \"duration_ns\": %" PRIu64,
            s->allocations, s->frees, s->peak_bytes, s->leaked_bytes, s->leaked_blocks, s->errors,
            s->dropped, s->untracked, s->unknown_frees, s->implicit_frees, s->runtime_bytes,
            s->runtime_blocks, p->duration_ns);
    fprintf(out,
            ", \"allocated_bytes\": %" PRIu64 ", \"in_use_bytes\": %" PRIu64
            ", \"in_use_blocks\": %" PRIu64,
            s->allocated_bytes, s->in_use_bytes, s->in_use_blocks);
    fprintf(out,
            ", \"suppressed_bytes\": %" PRIu64 ", \"suppressed_blocks\": %" PRIu64
            ", \"suppressed_errors\": %" PRIu64,
            s->suppressed_bytes, s->suppressed_blocks, s->suppressed_errors);
    fprintf(out,
            ", \"pool_allocations\": %" PRIu64 ", \"pool_frees\": %" PRIu64
            ", \"pool_leaked_bytes\": %" PRIu64 ", \"pool_leaked_blocks\": %" PRIu64
            ", \"pool_destroyed_bytes\": %" PRIu64 ", \"pool_destroyed_blocks\": %" PRIu64
            ", \"pool_superblock_bytes\": %" PRIu64 ", \"pool_superblock_blocks\": %" PRIu64,
            s->pool_allocations, s->pool_frees, s->pool_leaked_bytes, s->pool_leaked_blocks,
            s->pool_destroyed_bytes, s->pool_destroyed_blocks, s->pool_superblock_bytes,
            s->pool_superblock_blocks);
    if (s->rss_samples)
        fprintf(out, ", \"peak_rss_bytes\": %" PRIu64, s->peak_rss_bytes);
    else
        fputs(", \"peak_rss_bytes\": null", out);
    fprintf(out, ", \"leak_scan\": %s", s->scanned ? "true" : "false");
    put_class(out, "definitely_lost", s->scanned, s->definitely_lost_bytes,
              s->definitely_lost_blocks);
    put_class(out, "indirectly_lost", s->scanned, s->indirectly_lost_bytes,
              s->indirectly_lost_blocks);
    put_class(out, "possibly_lost", s->scanned, s->possibly_lost_bytes, s->possibly_lost_blocks);
    put_class(out, "still_reachable", s->scanned, s->still_reachable_bytes,
              s->still_reachable_blocks);
    fprintf(out, ", \"not_checked_bytes\": %" PRIu64 ", \"not_checked_blocks\": %" PRIu64,
            s->not_checked_bytes, s->not_checked_blocks);
    fputc('}', out);
}

static void put_identity(FILE *out, const struct analyze_process *p)
{
    fprintf(out, "{\"pid\": %" PRIu64 ", \"ppid\": %" PRIu64 ", \"exe\": ", p->pid, p->ppid);
    put_string(out, p->exe);
    fputs(", \"argv\": [", out);
    for (size_t i = 0; i < p->argc; i++) {
        fputs(i ? ", " : "", out);
        put_string(out, p->argv[i]);
    }
    fprintf(out, "],\n    \"end\": \"%s\", ", analyze_end_name(p->end));
    if (p->end == ANALYZE_END_EXIT)
        fprintf(out, "\"status\": %d, ", p->status);
    else
        fputs("\"status\": null, ", out);
    if (p->end == ANALYZE_END_SIGNAL)
        fprintf(out, "\"signal\": %d,\n    ", p->signal);
    else
        fputs("\"signal\": null,\n    ", out);
}

/* "running", "last_scan" (null without a complete scan) and "signal_checks". */
static void put_checks(FILE *out, const struct analyze_process *p)
{
    fprintf(out,
            "\"running\": %s, \"last_scan\": ", p->end == ANALYZE_END_RUNNING ? "true" : "false");
    if (p->summary.scanned) {
        const struct analyze_scan *c = &p->last_scan;
        time_t t = (time_t)(c->realtime_ns / 1000000000u);
        struct tm tm;
        char when[32] = "";
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(out,
                "{\"time_ns\": %" PRIu64 ", \"time\": \"%s.%03uZ\", \"signal\": ", c->offset_ns,
                when, (unsigned)(c->realtime_ns / 1000000u % 1000u));
        if (c->signal)
            fprintf(out, "%d}", c->signal);
        else
            fputs("null}", out);
    } else {
        fputs("null", out);
    }
    fprintf(out, ", \"signal_checks\": %" PRIu64 ",\n    ", p->signal_checks);
}

static void put_suppressed(FILE *out, const struct analyze_suppressed *u)
{
    fputs("{\"rule\": ", out);
    put_string(out, u->rule);
    fputs(", \"file\": ", out);
    put_string(out, u->file);
    fprintf(out, ", \"line\": %d, \"count\": %" PRIu64 ", \"bytes\": %" PRIu64 "}", u->line,
            u->count, u->bytes);
}

static void put_process(FILE *out, const struct analyze_process *p)
{
    put_identity(out, p);
    put_checks(out, p);
    put_summary(out, p);
    fputs(",\n    \"leaks\": [", out);
    for (size_t i = 0; i < p->nleaks; i++) {
        fputs(i ? ",\n      " : "\n      ", out);
        put_leak(out, &p->leaks[i]);
    }
    fputs("],\n    \"errors\": [", out);
    for (size_t i = 0; i < p->nerrors; i++) {
        fputs(i ? ",\n      " : "\n      ", out);
        put_error(out, &p->errors[i]);
    }
    fputs("],\n    \"suppressions\": [", out);
    for (size_t i = 0; i < p->nsuppressed; i++) {
        fputs(i ? ",\n      " : "\n      ", out);
        put_suppressed(out, &p->suppressed[i]);
    }
    fprintf(out, "],\n    \"partial\": %s, \"warning\": ", p->warning ? "true" : "false");
    put_string(out, p->warning);
    fputs("}", out);
}

int report_json_write(FILE *out, struct analyze_process *const *procs, size_t nprocs)
{
    fputs("{\"heapwise\": 1,\n \"processes\": [", out);
    for (size_t i = 0; i < nprocs; i++) {
        fputs(i ? ",\n   " : "\n   ", out);
        put_process(out, procs[i]);
    }
    fputs("]}\n", out);
    return ferror(out) ? -EIO : 0;
}
