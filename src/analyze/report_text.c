/*
 * The human report (report_text_write in analyze.h), in valgrind's "==pid==" style:
 * header, leaks largest first with their stacks, then the summary, whose last line is
 * "leaked: N bytes in M blocks" verbatim because scripts grep for it. Writes only to the
 * stream it is given.
 */
#include "analyze/analyze.h"
#include "analyze/escape.h"
#include "trace/objname.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

/* "2026-01-02 03:04:05 UTC" for ns since the epoch, into buf[32]. */
static const char *utc(uint64_t ns, char *buf)
{
    time_t t = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, 32, "(unknown time)");
    return buf;
}

/* A process that still runs: what the report knows so far, and as of when. */
static void write_running(FILE *out, const struct analyze_process *p)
{
    const struct analyze_summary *s = &p->summary;
    char when[32];
    fprintf(out, "==%" PRIu64 "== process %" PRIu64 " is still running; ", p->pid, p->pid);
    if (s->scanned) {
        fprintf(out, "results as of the last check at %s (%.1f s after its start",
                utc(p->last_scan.realtime_ns, when), (double)p->last_scan.offset_ns / 1e9);
        if (p->last_scan.signal)
            fprintf(out, ", asked for by signal %d%s%s", p->last_scan.signal,
                    sigabbrev_np(p->last_scan.signal) ? " SIG" : "",
                    sigabbrev_np(p->last_scan.signal) ? sigabbrev_np(p->last_scan.signal) : "");
        fputs(")\n", out);
    } else if (p->signal_checks_unscanned) {
        fputs("no leak check could run (the guard or leak_scan option is off): its live "
              "blocks are not checked\n",
              out);
    } else {
        fputs("no leak check has run yet (check_signal, heapwise_leak_check): its live "
              "blocks are not checked\n",
              out);
    }
}

static void write_header(FILE *out, const struct analyze_process *p)
{
    fprintf(out, "==%" PRIu64 "== heapwise: ", p->pid);
    escape_put(out, p->exe ? p->exe : "(unknown program)");
    for (size_t i = 1; i < p->argc; i++) {
        fputc(' ', out);
        escape_put(out, p->argv[i]);
    }
    switch (p->end) {
    case ANALYZE_END_EXIT:
        fprintf(out, " (exit status %d)\n", p->status);
        break;
    case ANALYZE_END_SIGNAL:
        fprintf(out, " (killed by signal %d)\n", p->signal);
        break;
    case ANALYZE_END_KILLED:
        fprintf(out, " (no end record: crashed or killed)\n");
        break;
    case ANALYZE_END_EXEC:
        fprintf(out, " (replaced by exec; blocks live then are not leaks)\n");
        break;
    case ANALYZE_END_RUNNING:
        fprintf(out, " (still running)\n");
        write_running(out, p);
        break;
    default:
        fprintf(out, " (end unknown)\n");
        break;
    }
    if (p->warning)
        fprintf(out, "==%" PRIu64 "== partial report (reading stopped): %s\n", p->pid,
                p->warning);
}

/* "   at 0x401136: leak_three (demo.c:12)"; "by" for all but the first frame. */
static void write_frame(FILE *out, uint64_t pid, const struct analyze_frame *f, int first)
{
    fprintf(out, "==%" PRIu64 "==    %s 0x%" PRIx64 ": ", pid, first ? "at" : "by", f->address);
    escape_put(out, f->function ? f->function : "???");
    if (f->file || f->module) {
        fputs(f->file ? " (" : " (in ", out);
        escape_put(out, f->file ? objname_base(f->file) : f->module);
        if (f->file && f->line > 0)
            fprintf(out, ":%d", f->line);
        fputc(')', out);
    }
    fprintf(out, "%s\n", f->inlined ? " (inlined)" : "");
}

/* A leak kind in words: "definitely lost". */
static const char *kind_words(const char *kind, char *buf, size_t len)
{
    if (strcmp(kind, "not_freed") == 0) {
        snprintf(buf, len, "not freed (process killed)");
        return buf;
    }
    if (strcmp(kind, "pool_not_freed") == 0) {
        snprintf(buf, len, "not freed back to the pool");
        return buf;
    }
    if (strcmp(kind, "not_checked") == 0) {
        snprintf(buf, len, "not checked yet (allocated after the last check)");
        return buf;
    }
    snprintf(buf, len, "%s", kind);
    for (char *c = buf; *c; c++)
        *c = *c == '_' ? ' ' : *c;
    return buf;
}

/* "of pool 'name'" (or "of pool 0x..." when unnamed) for a pool's blocks, else "". */
static void write_pool(FILE *out, int has_pool, const char *name, uint64_t address)
{
    if (!has_pool)
        return;
    if (!name) {
        fprintf(out, " of pool 0x%" PRIx64, address);
        return;
    }
    fputs(" of pool '", out);
    escape_put(out, name);
    fputc('\'', out);
}

/*
 * memcheck's loss record line: a definite leak that holds indirect ones says so, "120 (24
 * direct, 96 indirect) bytes", and the indirect ones it holds follow it. A pool's blocks
 * name the pool: "48 bytes in 3 blocks of pool 'parts' are not freed back to the pool".
 */
static void write_leak(FILE *out, uint64_t pid, const struct analyze_leak *l)
{
    char kind[64];
    int past = strcmp(l->kind, "leaked") == 0 || strcmp(l->kind, "not_freed") == 0;
    kind_words(l->kind, kind, sizeof(kind));
    fprintf(out, "==%" PRIu64 "== ", pid);
    if (l->indirect_bytes)
        fprintf(out, "%" PRIu64 " (%" PRIu64 " direct, %" PRIu64 " indirect) bytes",
                l->bytes + l->indirect_bytes, l->bytes, l->indirect_bytes);
    else
        fprintf(out, "%" PRIu64 " bytes", l->bytes);
    fprintf(out, " in %" PRIu64 " blocks", l->blocks);
    write_pool(out, l->has_pool, l->pool, l->pool_address);
    fprintf(out, " %s %s%s, allocated at:\n", past ? "were" : "are", kind,
            l->held_by >= 0 ? " (held by the definitely lost blocks above)" : "");
    const struct analyze_stack *s = l->stack;
    if (!s || s->nframes == 0)
        fprintf(out, "==%" PRIu64 "==    (no stack recorded)\n", pid);
    for (size_t i = 0; s && i < s->nframes; i++)
        write_frame(out, pid, &s->frames[i], i == 0);
    fprintf(out, "==%" PRIu64 "==\n", pid);
}

static void write_stack(FILE *out, uint64_t pid, const struct analyze_stack *s)
{
    if (!s || s->nframes == 0)
        fprintf(out, "==%" PRIu64 "==    (no stack recorded)\n", pid);
    for (size_t i = 0; s && i < s->nframes; i++)
        write_frame(out, pid, &s->frames[i], i == 0);
}

static void write_bytes(FILE *out, uint64_t pid, const char *what, const uint8_t *b, size_t n)
{
    if (n == 0)
        return;
    fprintf(out, "==%" PRIu64 "==  %s", pid, what);
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %02x", b[i]);
    fputc('\n', out);
}

/* What the freed and alloc stacks of an error are: a block's, or an invalid pool's. */
static void history_words(const struct analyze_heap_error *e, const char **freed,
                          const char **alloc)
{
    int pool = strcmp(e->kind, "pool_invalid_pool") == 0;
    *freed = pool ? "Pool was destroyed at:" : "Block was freed at:";
    *alloc = pool ? "Pool was created at:" : "Block was allocated at:";
}

/* memcheck's shape: what happened, this call's stack, then the block's history. */
static void write_error(FILE *out, uint64_t pid, const struct analyze_heap_error *e)
{
    const char *freed, *alloc;
    history_words(e, &freed, &alloc);
    fprintf(out, "==%" PRIu64 "== ", pid);
    escape_put(out, e->message); /* a pool error's names the pool */
    if (e->count > 1)
        fprintf(out, " (%" PRIu64 " times)", e->count);
    fputc('\n', out);
    if (e->stack)
        write_stack(out, pid, e->stack);
    write_bytes(out, pid, "found:   ", e->found, e->nbytes);
    write_bytes(out, pid, "expected:", e->expected, e->nexpected);
    if (e->freed) {
        fprintf(out, "==%" PRIu64 "==  %s\n", pid, freed);
        write_stack(out, pid, e->freed);
    }
    if (e->alloc) {
        fprintf(out, "==%" PRIu64 "==  %s\n", pid, alloc);
        write_stack(out, pid, e->alloc);
    }
    fprintf(out, "==%" PRIu64 "==\n", pid);
}

static void write_count(FILE *out, uint64_t pid, uint64_t n, const char *what)
{
    if (n)
        fprintf(out, "==%" PRIu64 "==   %s: %" PRIu64 "\n", pid, what, n);
}

static void write_class(FILE *out, uint64_t pid, const char *what, uint64_t bytes,
                        uint64_t blocks)
{
    fprintf(out, "==%" PRIu64 "==   %s: %" PRIu64 " bytes in %" PRIu64 " blocks\n", pid, what,
            bytes, blocks);
}

/* Whether a leak of this kind is listed: lost ones always, the others on request; blocks
 * a running process allocated after its last check never (they are counted). */
static int listed(const struct analyze_leak *l, unsigned show)
{
    if (strcmp(l->kind, "not_checked") == 0)
        return 0;
    if (strcmp(l->kind, "possibly_lost") == 0)
        return (show & REPORT_SHOW_POSSIBLE) != 0;
    if (strcmp(l->kind, "still_reachable") == 0)
        return (show & REPORT_SHOW_REACHABLE) != 0;
    return 1;
}

/* LSan's "Suppressions used:": what each rule took, when any did. */
static void write_suppressed(FILE *out, const struct analyze_process *p)
{
    const struct analyze_summary *s = &p->summary;
    if (p->nsuppressed == 0)
        return;
    fprintf(out,
            "==%" PRIu64 "==   suppressed: %" PRIu64 " bytes in %" PRIu64 " blocks, %" PRIu64
            " errors\n==%" PRIu64 "==        count      bytes  rule\n",
            p->pid, s->suppressed_bytes, s->suppressed_blocks, s->suppressed_errors, p->pid);
    for (size_t i = 0; i < p->nsuppressed; i++) {
        const struct analyze_suppressed *u = &p->suppressed[i];
        fprintf(out, "==%" PRIu64 "==   %10" PRIu64 " %10" PRIu64 "  %s (%s:%d)\n", p->pid,
                u->count, u->bytes, u->rule, u->file, u->line);
    }
}

/* The pools' lines, when the program annotated any. */
static void write_pool_summary(FILE *out, const struct analyze_process *p)
{
    const struct analyze_summary *s = &p->summary;
    uint64_t pid = p->pid;
    if (s->pool_allocations == 0)
        return;
    fprintf(out, "==%" PRIu64 "==   pool blocks: %" PRIu64 " handed out, %" PRIu64 " given back\n",
            pid, s->pool_allocations, s->pool_frees);
    write_class(out, pid, "not freed back to pools", s->pool_leaked_bytes, s->pool_leaked_blocks);
    if (s->pool_destroyed_blocks)
        write_class(out, pid, "released by pool destroy", s->pool_destroyed_bytes,
                    s->pool_destroyed_blocks);
    if (s->pool_superblock_blocks)
        fprintf(out,
                "==%" PRIu64 "==   pool superblocks: %" PRIu64 " bytes in %" PRIu64
                " blocks (malloc'ed memory of the pools above; not leaks of their own)\n",
                pid, s->pool_superblock_bytes, s->pool_superblock_blocks);
}

static void write_summary(FILE *out, const struct analyze_process *p)
{
    const struct analyze_summary *s = &p->summary;
    uint64_t pid = p->pid;
    fprintf(out, "==%" PRIu64 "== SUMMARY\n", pid);
    fprintf(out,
            "==%" PRIu64 "==   allocations: %" PRIu64 ", frees: %" PRIu64 ", peak: %" PRIu64
            " bytes\n",
            pid, s->allocations, s->frees, s->peak_bytes);
    fprintf(out,
            "==%" PRIu64 "==   in use %s: %" PRIu64 " bytes in %" PRIu64
            " blocks; total heap usage: %" PRIu64 " allocs, %" PRIu64 " frees, %" PRIu64
            " bytes allocated\n",
            pid, p->end == ANALYZE_END_RUNNING ? "now" : "at exit", s->in_use_bytes,
            s->in_use_blocks, s->allocations, s->frees, s->allocated_bytes);
    write_count(out, pid, s->dropped, "dropped records (ring full; totals are incomplete)");
    write_count(out, pid, s->untracked, "untracked allocations (inside heapwise or before init)");
    write_count(out, pid, s->unknown_frees, "frees of untracked blocks");
    write_count(out, pid, s->implicit_frees, "blocks replaced at a still-live address");
    write_count(out, pid, s->errors, "errors");
    if (s->runtime_blocks)
        fprintf(out,
                "==%" PRIu64 "==   held by the C runtime until exit: %" PRIu64 " bytes in %" PRIu64
                " blocks (libc and loader internals; not leaks)\n",
                pid, s->runtime_bytes, s->runtime_blocks);
    if (s->scanned) {
        write_class(out, pid, "definitely lost", s->definitely_lost_bytes, s->definitely_lost_blocks);
        write_class(out, pid, "indirectly lost", s->indirectly_lost_bytes, s->indirectly_lost_blocks);
        write_class(out, pid, "  possibly lost", s->possibly_lost_bytes, s->possibly_lost_blocks);
        write_class(out, pid, "still reachable", s->still_reachable_bytes,
                    s->still_reachable_blocks);
    } else if (p->nleaks && strcmp(p->leaks[0].kind, "not_freed") == 0) {
        write_class(out, pid, "not freed (process killed)", s->leaked_bytes, s->leaked_blocks);
    }
    if (p->end == ANALYZE_END_RUNNING) /* pool blocks handed out are not judged either */
        write_class(out, pid,
                    s->pool_allocations ? "not checked yet (allocated after the last check, "
                                          "or handed out by a pool)"
                                        : "not checked yet (allocated after the last check)",
                    s->not_checked_bytes, s->not_checked_blocks);
    write_pool_summary(out, p);
    write_suppressed(out, p);
    fprintf(out, "==%" PRIu64 "==   leaked: %" PRIu64 " bytes in %" PRIu64 " blocks\n", pid,
            s->leaked_bytes, s->leaked_blocks);
}

/* 1 when an earlier finding (errors first, then leaks) proposed the same rule. */
static int proposed_before(const struct analyze_process *p, size_t index, const char *rule)
{
    for (size_t i = 0; i < index; i++) {
        const char *r = i < p->nerrors ? p->errors[i].suppression
                                       : p->leaks[i - p->nerrors].suppression;
        if (r && strcmp(r, rule) == 0)
            return 1;
    }
    return 0;
}

/* --gen-suppressions: one rule per distinct proposal, each under a comment saying what it
 * takes, ready to paste into a suppressions file. */
static void write_proposals(FILE *out, const struct analyze_process *p, unsigned show)
{
    char words[64];
    for (size_t i = 0; i < p->nerrors + p->nleaks; i++) {
        const struct analyze_heap_error *e = i < p->nerrors ? &p->errors[i] : NULL;
        const struct analyze_leak *l = e ? NULL : &p->leaks[i - p->nerrors];
        const char *rule = e ? e->suppression : l->suppression;
        if (!rule || (l && !listed(l, show)) || proposed_before(p, i, rule))
            continue;
        fputs("# ", out);
        if (e)
            escape_put(out, e->message); /* a pool error's names the pool */
        else
            fprintf(out, "%" PRIu64 " bytes in %" PRIu64 " blocks %s", l->bytes, l->blocks,
                    kind_words(l->kind, words, sizeof(words)));
        fputc('\n', out);
        escape_put(out, rule);
        fputc('\n', out);
    }
}

int report_text_write(FILE *out, const struct analyze_process *p)
{
    return report_text_show(out, p, 0);
}

int report_text_show(FILE *out, const struct analyze_process *p, unsigned show)
{
    write_header(out, p);
    for (size_t i = 0; i < p->nerrors; i++)
        write_error(out, p->pid, &p->errors[i]);
    for (size_t i = 0; i < p->nleaks; i++) {
        if (listed(&p->leaks[i], show))
            write_leak(out, p->pid, &p->leaks[i]);
    }
    write_summary(out, p);
    write_proposals(out, p, show);
    return ferror(out) ? -EIO : 0;
}
