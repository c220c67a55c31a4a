/*
 * analyze_trace() and the process object (analyze.h): reads a trace with the reader,
 * hands each record to replay (events) or the symbolizer (modules, stacks), then orders
 * the leaks and symbolises their stacks. A trace is read once without remembering every
 * release; only when it holds an invalid free (which an earlier release may turn into a
 * double free) is it read again with them. Owns the struct analyze_process it returns and
 * everything it points to. Never prints, never exits.
 */
#include "analyze/analyze.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/errors.h"
#include "analyze/leakorder.h"
#include "analyze/liveness.h"
#include "analyze/pools.h"
#include "analyze/reader.h"
#include "analyze/replay.h"
#include "analyze/runtime.h"
#include "analyze/strpool.h"
#include "analyze/suppress.h"
#include "analyze/symbolize.h"
#include "analyze/timeline.h"
#include "trace/format.h"

/* The allocation behind a struct analyze_process. */
struct analysis {
    struct analyze_process pub; /* first: analyze_process_free casts back */
    struct strpool strings;     /* path, exe, argv, warning */
    struct symbolize *sym;      /* owns the leak stacks */
    const char **argv;
};

/* Event records held back while the replay's slots for their addresses are fetched. */
#define QUEUE_RECORDS 16

/* An event record waiting in the queue: its known fields, and where it ended. */
struct queued {
    union {
        struct trace_rec_hdr h;
        struct trace_rec_alloc al;
        struct trace_rec_free fr;
        struct trace_rec_realloc re;
    } rec;
    uint64_t end; /* reader_stop_offset() just after it: an error in it is reported there */
};

/* State while the records stream by. */
struct run {
    struct analysis *a;
    const struct analyze_opts *opts;
    struct replay replay;
    struct errors errors;
    struct pools pools;       /* the pool annotations' state; errors go to `errors` */
    struct timeline timeline; /* opts->timeline > 0 */
    uint64_t secret; /* the trace's guard_secret */
    int have_process, have_end;
    int have_time;
    uint64_t first_ns, last_ns; /* earliest and latest record time */
    uint64_t start_realtime_ns, start_monotonic_ns; /* the header's clocks */
    int check_signal; /* the signal of a CHECK record whose scan has not begun, or 0 */
    int scan_signal;  /* the signal that asked for the scan being read, or 0 */
    uint64_t scan_ns; /* when the scan being read started (CLOCK_MONOTONIC) */
    struct queued queue[QUEUE_RECORDS]; /* events read, not yet applied, in order */
    size_t nqueued;
};

static void note_time(struct run *run, uint64_t ns)
{
    if (!run->have_time) {
        run->first_ns = run->last_ns = ns;
        run->have_time = 1;
    }
    /* selects, not branches: equal and later times mix unpredictably */
    run->first_ns = ns < run->first_ns ? ns : run->first_ns;
    run->last_ns = ns > run->last_ns ? ns : run->last_ns;
}

static int on_process(struct run *run, const struct trace_rec_process *r)
{
    struct analysis *a = run->a;
    if (run->have_process) /* the first one describes the process */
        return 0;
    run->have_process = 1;
    const char *text = (const char *)(r + 1);
    if (!(a->pub.exe = strpool_copy(&a->strings, text, r->exe_len)))
        return -ENOMEM;
    if (!(a->argv = calloc((size_t)r->argc + 1, sizeof(*a->argv))))
        return -ENOMEM;
    const char *arg = text + r->exe_len; /* argc NUL-terminated strings, checked */
    for (uint32_t i = 0; i < r->argc; i++) {
        if (!(a->argv[i] = strpool_dup(&a->strings, arg)))
            return -ENOMEM;
        arg += strlen(arg) + 1;
    }
    a->pub.argc = r->argc;
    a->pub.argv = a->argv;
    return 0;
}

static int on_module(struct run *run, const struct trace_rec_module *r)
{
    const char *build_id = (const char *)(r + 1);
    return symbolize_module_add(run->a->sym, r->base, r->start, r->end, build_id + r->build_id_len,
                                r->path_len, build_id, r->build_id_len);
}

static void on_end(struct run *run, const struct trace_rec_end *r)
{
    struct analyze_process *p = &run->a->pub;
    run->have_end = 1;
    /* exit() and _exit() give a status; a failed exec is followed by another END */
    if (r->how == TRACE_END_SIGNAL) {
        p->end = ANALYZE_END_SIGNAL;
        p->signal = r->status;
    } else {
        p->end = r->how == TRACE_END_EXEC ? ANALYZE_END_EXEC : ANALYZE_END_EXIT;
        p->status = r->how == TRACE_END_EXEC ? 0 : r->status;
    }
    p->summary.dropped = r->dropped;
    p->summary.untracked = r->untracked;
    note_time(run, r->time_ns);
}

/* A check asked for by a signal: the next scan is the one it asked for (if any). */
static void on_check(struct run *run, const struct trace_rec_check *r)
{
    struct analyze_process *p = &run->a->pub;
    p->signal_checks++;
    p->signal_checks_unscanned = r->outcome != TRACE_CHECK_SCANNED;
    run->check_signal = r->outcome == TRACE_CHECK_SCANNED ? (int)r->signal : 0;
}

/* A leak scan record: the classes (replay), and when and why the last complete one ran. */
static void on_leakscan(struct run *run, const struct trace_rec_leakscan *r)
{
    struct analyze_process *p = &run->a->pub;
    replay_leakscan(&run->replay, r);
    if (r->flags & LEAKSCAN_FIRST) {
        run->scan_ns = r->time_ns;
        run->scan_signal = run->check_signal;
        run->check_signal = 0;
    }
    if (!(r->flags & LEAKSCAN_LAST))
        return;
    uint64_t since =
        run->scan_ns > run->start_monotonic_ns ? run->scan_ns - run->start_monotonic_ns : 0;
    p->last_scan.offset_ns = since;
    p->last_scan.realtime_ns = run->start_realtime_ns + since;
    p->last_scan.signal = run->scan_signal;
}

/* After an allocation event at time_ns: a point of the memory-over-time series. */
static int sample(struct run *run, uint64_t time_ns, int rc)
{
    if (rc == 0 && run->opts->timeline > 0)
        timeline_add(&run->timeline, time_ns, run->replay.live_bytes, run->replay.live.count);
    return rc;
}

/* A pool record (or a PAD, which does nothing). */
static int apply_pool(struct run *run, const struct trace_rec_hdr *h)
{
    const struct trace_rec_pool_create *cr = (const void *)h;
    const struct trace_rec_pool *ev = (const void *)h;
    if (h->type == TRACE_REC_POOL_CREATE) {
        note_time(run, cr->time_ns);
        return pools_create(&run->pools, cr);
    }
    if (h->type != TRACE_REC_POOL_ALLOC && h->type != TRACE_REC_POOL_FREE &&
        h->type != TRACE_REC_POOL_DESTROY)
        return 0;
    note_time(run, ev->time_ns);
    if (h->type == TRACE_REC_POOL_ALLOC)
        return pools_alloc(&run->pools, ev);
    if (h->type == TRACE_REC_POOL_FREE)
        return pools_free(&run->pools, ev);
    return pools_destroy(&run->pools, ev);
}

/* A SAMPLE record: the resident set size at its time. */
static void on_sample(struct run *run, const struct trace_rec_sample *r)
{
    struct analyze_summary *sum = &run->replay.sum;
    note_time(run, r->time_ns);
    sum->rss_samples++;
    if (r->rss_bytes > sum->peak_rss_bytes)
        sum->peak_rss_bytes = r->rss_bytes;
    if (run->opts->timeline > 0)
        timeline_add_rss(&run->timeline, r->time_ns, r->rss_bytes);
}

/* Any record but the events: rare, kept out of the events' path. */
static __attribute__((noinline)) int apply_other(struct run *run, const struct trace_rec_hdr *h)
{
    const struct trace_rec_stack *st = (const void *)h;
    switch (h->type) {
    case TRACE_REC_PROCESS:
        return on_process(run, (const void *)h);
    case TRACE_REC_MODULES_BEGIN:
        return symbolize_modules_begin(run->a->sym);
    case TRACE_REC_MODULE:
        return on_module(run, (const void *)h);
    case TRACE_REC_STACK:
        return symbolize_stack_add(run->a->sym, st->id, (const uint64_t *)(st + 1), st->depth);
    case TRACE_REC_END:
        on_end(run, (const void *)h);
        return 0;
    case TRACE_REC_LEAKSCAN:
        on_leakscan(run, (const void *)h);
        return 0;
    case TRACE_REC_CHECK:
        on_check(run, (const void *)h);
        return 0;
    case TRACE_REC_ERROR:
        /* an invalid free may be a double free the releases explain: read again with them */
        if (h->aux == ERR_INVALID_FREE && !run->replay.track_freed)
            return -EAGAIN;
        note_time(run, ((const struct trace_rec_error *)h)->time_ns);
        return errors_add(&run->errors, &run->replay, (const void *)h, run->secret);
    case TRACE_REC_SAMPLE:
        on_sample(run, (const void *)h);
        return 0;
    default: /* TRACE_REC_PAD and the pool records */
        return apply_pool(run, h);
    }
}

static int apply(struct run *run, const struct trace_rec_hdr *h)
{
    const struct trace_rec_alloc *al = (const void *)h;
    const struct trace_rec_free *fr = (const void *)h;
    const struct trace_rec_realloc *re = (const void *)h;
    switch (h->type) {
    case TRACE_REC_ALLOC:
        note_time(run, al->time_ns);
        return sample(run, al->time_ns,
                      replay_alloc(&run->replay, al->ptr, al->size, al->stack, h->aux));
    case TRACE_REC_FREE:
        note_time(run, fr->time_ns);
        return sample(run, fr->time_ns, replay_free(&run->replay, fr->ptr, fr->stack));
    case TRACE_REC_REALLOC:
        note_time(run, re->time_ns);
        return sample(run, re->time_ns, replay_realloc(&run->replay, re->old_ptr, re->new_ptr,
                                                       re->size, re->stack));
    default:
        return apply_other(run, h);
    }
}

static int set_warning(struct analysis *a, const char *text)
{
    a->pub.warning = strpool_dup(&a->strings, text);
    return a->pub.warning ? 0 : -ENOMEM;
}

/*
 * Why a trace without an end record stops, into text: "truncated at byte N (no end record"
 * or "(recording stopped: ...", then what the ring gave and whether a torn record was
 * dropped.
 */
static void describe_end(const struct reader *r, uint64_t at, int stopped, char *text,
                         size_t len)
{
    int n = snprintf(text, len, "truncated at byte %" PRIu64 " (%s", at,
                     stopped ? "recording stopped: the trace could not be written"
                             : "no end record");
    if (r->ring_records && n > 0 && (size_t)n < len)
        n += snprintf(text + n, len - (size_t)n, "; %" PRIu64 " records recovered from the ring",
                      r->ring_records);
    else if (r->in_ring && n > 0 && (size_t)n < len)
        n += snprintf(text + n, len - (size_t)n, "; stopped in the ring area");
    if (r->stop == READER_TORN && n > 0 && (size_t)n < len)
        n += snprintf(text + n, len - (size_t)n, "; a torn last %s dropped", r->torn);
    if (n > 0 && (size_t)n < len)
        snprintf(text + n, len - (size_t)n, ")");
}

/*
 * Say why and where the records stopped, and what that means for the end. A process that
 * still runs is not done writing: its trace simply ends at what was written so far.
 */
static int conclude(struct run *run, const struct reader *r)
{
    char text[256];
    uint64_t at = reader_stop_offset(r);
    if (!run->have_end && run->opts->live_check && liveness_running(&r->hdr)) {
        run->a->pub.end = ANALYZE_END_RUNNING;
        if (r->stop != READER_CORRUPT)
            return 0;
        snprintf(text, sizeof(text), "%s at byte %" PRIu64 "%s", r->why, at,
                 r->in_ring ? " (in the ring area)" : "");
        return set_warning(run->a, text);
    }
    if (r->stop == READER_CORRUPT) {
        /* we cannot know how it ended: the end record may lie past the damage */
        if (!run->have_end)
            run->a->pub.end = ANALYZE_END_UNKNOWN;
        snprintf(text, sizeof(text), "%s at byte %" PRIu64 "%s", r->why, at,
                 r->in_ring ? " (in the ring area)" : "");
        return set_warning(run->a, text);
    }
    if (!run->have_end) {
        /* the records ended because the trace could not be written, not the process */
        int stopped = (r->hdr.flags & TRACE_FLAG_STOPPED) != 0;
        run->a->pub.end = stopped ? ANALYZE_END_UNKNOWN : ANALYZE_END_KILLED;
        describe_end(r, at, stopped, text, sizeof(text));
        return set_warning(run->a, text);
    }
    if (r->stop == READER_TORN) {
        snprintf(text, sizeof(text),
                 "truncated at byte %" PRIu64 " (torn %s after the end record)", at, r->torn);
        return set_warning(run->a, text);
    }
    return 0;
}

static int by_size(const void *x, const void *y)
{
    const struct replay_group *a = x, *b = y;
    if (a->leak_class != b->leak_class) /* definitely, indirectly, possibly lost, reachable */
        return a->leak_class < b->leak_class ? -1 : 1;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->blocks != b->blocks)
        return a->blocks > b->blocks ? -1 : 1;
    return a->stack < b->stack ? -1 : a->stack > b->stack;
}

/*
 * A group's kind: its class, or without one (no scan saw the block) "not_freed" when the
 * process was killed before it could end (nobody knows whether it was lost),
 * "not_checked" when it still runs (it may yet free the block) and "leaked" otherwise
 * (the scan was off).
 */
static const char *leak_kind(unsigned leak_class, enum analyze_end end)
{
    switch (leak_class) {
    case LEAK_DEFINITE: return "definitely_lost";
    case LEAK_INDIRECT: return "indirectly_lost";
    case LEAK_POSSIBLE: return "possibly_lost";
    case LEAK_REACHABLE: return "still_reachable";
    default:
        return end == ANALYZE_END_KILLED    ? "not_freed"
               : end == ANALYZE_END_RUNNING ? "not_checked"
                                            : "leaked";
    }
}

/*
 * Add a group to its class's totals; leaked_* are what is lost (all, without a scan,
 * unless the process still runs: then what no scan classified is only not checked).
 */
static void count_leak(struct analyze_summary *s, unsigned leak_class, uint64_t bytes,
                       uint64_t blocks, enum analyze_end end)
{
    uint64_t *b = NULL, *n = NULL;
    if (leak_class == 0 && end == ANALYZE_END_RUNNING) {
        s->not_checked_bytes += bytes;
        s->not_checked_blocks += blocks;
        return;
    }
    switch (leak_class) {
    case LEAK_DEFINITE: b = &s->definitely_lost_bytes, n = &s->definitely_lost_blocks; break;
    case LEAK_INDIRECT: b = &s->indirectly_lost_bytes, n = &s->indirectly_lost_blocks; break;
    case LEAK_POSSIBLE: b = &s->possibly_lost_bytes, n = &s->possibly_lost_blocks; break;
    case LEAK_REACHABLE: b = &s->still_reachable_bytes, n = &s->still_reachable_blocks; break;
    default: break;
    }
    if (b) {
        *b += bytes;
        *n += blocks;
    }
    if (leak_class == 0 || leak_class == LEAK_DEFINITE || leak_class == LEAK_INDIRECT) {
        s->leaked_bytes += bytes;
        s->leaked_blocks += blocks;
    }
}

/* The rule --gen-suppressions proposes for a finding at st, pooled; NULL when none. */
static const char *propose(struct run *run, const char *kind, const struct analyze_stack *st)
{
    char rule[1024];
    if (!run->opts->gen_suppressions || suppress_rule_for(rule, sizeof(rule), kind, st) < 0)
        return NULL;
    return strpool_dup(&run->a->strings, rule);
}

/*
 * 1 when a rule of kind takes the finding at the n stacks: it is then added to that rule's
 * tally (count, bytes). 0 when no rule does.
 */
static int suppressed(struct run *run, const char *kind, const struct analyze_stack *const *st,
                      size_t n, uint64_t count, uint64_t bytes)
{
    struct analyze_process *p = &run->a->pub;
    long r = p->suppressed ? suppress_find(run->opts->suppress, kind, st, n) : -1;
    if (r < 0)
        return 0;
    p->suppressed[r].count += count;
    p->suppressed[r].bytes += bytes;
    return 1;
}

/* Start one tally per rule (finish_tallies keeps those that took something). */
static int start_tallies(struct run *run)
{
    const struct suppress *s = run->opts->suppress;
    struct analyze_process *p = &run->a->pub;
    if (!s || s->n == 0)
        return 0;
    if (!(p->suppressed = calloc(s->n, sizeof(*p->suppressed))))
        return -ENOMEM;
    p->nsuppressed = s->n;
    return 0;
}

/* "kind:pattern" in the analysis's pool; NULL when out of memory. */
static const char *pooled_rule(struct run *run, const char *kind, const char *pattern)
{
    char *rule = NULL;
    if (asprintf(&rule, "%s:%s", kind, pattern) < 0)
        return NULL;
    const char *copy = strpool_dup(&run->a->strings, rule);
    free(rule);
    return copy;
}

static int finish_tallies(struct run *run)
{
    struct analyze_process *p = &run->a->pub;
    const struct suppress_rule *rules = run->opts->suppress ? run->opts->suppress->rules : NULL;
    size_t used = 0;
    for (size_t i = 0; i < p->nsuppressed; i++) {
        struct analyze_suppressed *t = &p->suppressed[used];
        if (p->suppressed[i].count == 0)
            continue;
        *t = p->suppressed[i];
        t->kind = rules[i].kind; /* a static name */
        t->line = rules[i].line;
        t->file = strpool_dup(&run->a->strings, rules[i].file);
        t->pattern = strpool_dup(&run->a->strings, rules[i].pattern);
        if (!t->file || !t->pattern || !(t->rule = pooled_rule(run, t->kind, t->pattern)))
            return -ENOMEM;
        used++;
    }
    p->nsuppressed = used;
    return 0;
}

/* One group still live: runtime-owned, suppressed, or a leak of the report (then 1). */
static int take_leak(struct run *run, const struct replay_group *g,
                     const struct analyze_stack *st)
{
    struct analyze_process *p = &run->a->pub;
    struct analyze_summary *sum = &run->replay.sum;
    if (runtime_sets_apart(runtime_owns(st), g->leak_class, p->end == ANALYZE_END_SIGNAL)) {
        sum->runtime_bytes += g->bytes;
        sum->runtime_blocks += g->blocks;
        return 0;
    }
    sum->in_use_bytes += g->bytes;
    sum->in_use_blocks += g->blocks;
    if (suppressed(run, SUPPRESS_LEAK, &st, 1, g->blocks, g->bytes)) {
        sum->suppressed_bytes += g->bytes;
        sum->suppressed_blocks += g->blocks;
        return 0;
    }
    struct analyze_leak *l = &p->leaks[p->nleaks++];
    l->kind = leak_kind(g->leak_class, p->end);
    l->bytes = g->bytes;
    l->blocks = g->blocks;
    l->stack = st;
    l->suppression = propose(run, SUPPRESS_LEAK, st);
    l->held_by = -1;
    count_leak(sum, g->leak_class, l->bytes, l->blocks, p->end);
    return 1;
}

static int by_pool_size(const void *x, const void *y)
{
    const struct pools_group *a = x, *b = y;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->blocks != b->blocks)
        return a->blocks > b->blocks ? -1 : 1;
    if (a->pool != b->pool)
        return a->pool < b->pool ? -1 : 1;
    return a->stack < b->stack ? -1 : a->stack > b->stack;
}

/*
 * One group of pool blocks never given back: suppressed, or a leak of the report; in a
 * process still running only not checked (the program may give them back yet).
 */
static int take_pool_leak(struct run *run, const struct pools_group *g)
{
    struct analyze_process *p = &run->a->pub;
    struct analyze_summary *sum = &run->replay.sum;
    const struct analyze_stack *st = symbolize_stack(run->a->sym, g->stack);
    if (!st)
        return -ENOMEM;
    if (suppressed(run, SUPPRESS_LEAK, &st, 1, g->blocks, g->bytes)) {
        sum->suppressed_bytes += g->bytes;
        sum->suppressed_blocks += g->blocks;
        return 0;
    }
    struct analyze_leak *l = &p->leaks[p->nleaks++];
    int running = p->end == ANALYZE_END_RUNNING;
    l->kind = running ? "not_checked" : "pool_not_freed";
    l->bytes = g->bytes;
    l->blocks = g->blocks;
    l->stack = st;
    l->suppression = propose(run, SUPPRESS_LEAK, st);
    l->held_by = -1;
    l->has_pool = 1;
    l->pool_address = g->pool;
    if (g->name && !(l->pool = strpool_dup(&run->a->strings, g->name)))
        return -ENOMEM;
    if (running) {
        sum->not_checked_bytes += g->bytes;
        sum->not_checked_blocks += g->blocks;
        return 0;
    }
    sum->pool_leaked_bytes += g->bytes;
    sum->pool_leaked_blocks += g->blocks;
    sum->leaked_bytes += g->bytes;
    sum->leaked_blocks += g->blocks;
    return 0;
}

/* The pool leaks, after the others (p->leaks has room for them), largest first. */
static int collect_pool_leaks(struct run *run, struct pools_group *groups, size_t n)
{
    int rc = 0;
    if (n > 1)
        qsort(groups, n, sizeof(*groups), by_pool_size);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = take_pool_leak(run, &groups[i]);
    return rc;
}

/*
 * The pools' superblocks set apart (pools.h: they are in use, not leaks) and the pool
 * blocks never given back, grouped into *groups (*n).
 */
static int pool_memory(struct run *run, struct pools_group **groups, size_t *n)
{
    struct analyze_summary *sum = &run->replay.sum;
    uint64_t bytes = 0, blocks = 0;
    if (pools_set_apart(&run->pools, &run->replay, &bytes, &blocks) < 0 ||
        pools_leaks(&run->pools, groups, n) < 0)
        return -ENOMEM;
    sum->pool_superblock_bytes = bytes;
    sum->pool_superblock_blocks = blocks;
    sum->in_use_bytes += bytes;
    sum->in_use_blocks += blocks;
    return 0;
}

/*
 * Group, order and symbolise what is still live, then the pool blocks never given back.
 * Nothing of an image replaced by exec is a leak: exec releases the whole address space
 * (memcheck does not check at exec either).
 */
static int collect_leaks(struct run *run)
{
    struct analyze_process *p = &run->a->pub;
    struct replay_group *groups;
    struct pools_group *pool_groups;
    size_t n, npool;
    if (p->end == ANALYZE_END_EXEC)
        return 0;
    if (pool_memory(run, &pool_groups, &npool) < 0)
        return -ENOMEM;
    if (replay_leaks(&run->replay, &groups, &n) < 0) {
        free(pool_groups);
        return -ENOMEM;
    }
    if (n > 1)
        qsort(groups, n, sizeof(*groups), by_size);
    p->leaks = n + npool ? calloc(n + npool, sizeof(*p->leaks)) : NULL;
    size_t *from = n ? calloc(n, sizeof(*from)) : NULL; /* leak -> its group */
    int rc = (n + npool && !p->leaks) || (n && !from) ? -ENOMEM : 0;
    run->replay.sum.scanned = run->replay.scanned;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct analyze_stack *st = symbolize_stack(run->a->sym, groups[i].stack);
        if (!st)
            rc = -ENOMEM;
        else if (take_leak(run, &groups[i], st))
            from[p->nleaks - 1] = i;
    }
    if (rc == 0 && p->nleaks > 1)
        rc = leakorder_group(p->leaks, p->nleaks, groups, from);
    if (rc == 0)
        rc = collect_pool_leaks(run, pool_groups, npool);
    free(from);
    free(groups);
    free(pool_groups);
    return rc;
}

/* Every allocation site with what it allocated over the run, largest first. */
static int collect_allocated(struct run *run)
{
    struct analyze_process *p = &run->a->pub;
    struct replay_group *groups;
    size_t n;
    if (!run->opts->allocated)
        return 0;
    if (replay_sites(&run->replay, &groups, &n) < 0)
        return -ENOMEM;
    if (n > 1)
        qsort(groups, n, sizeof(*groups), by_size);
    int rc = n && !(p->allocated = calloc(n, sizeof(*p->allocated))) ? -ENOMEM : 0;
    for (size_t i = 0; i < n && rc == 0; i++, p->nallocated++) {
        struct analyze_leak *l = &p->allocated[i];
        l->kind = "allocated";
        l->bytes = groups[i].bytes;
        l->blocks = groups[i].blocks;
        l->peak_bytes = groups[i].peak_bytes;
        l->temporary = groups[i].temporary;
        if (!(l->stack = symbolize_stack(run->a->sym, groups[i].stack)))
            rc = -ENOMEM;
    }
    free(groups);
    return rc;
}

/* One series of the timeline as analyze_points into *out (*n of them). 0 or -ENOMEM. */
static int publish_series(const struct timeline *t,
                          size_t (*get)(const struct timeline *, struct timeline_point *),
                          struct analyze_point **out, size_t *n)
{
    struct timeline_point *pt = calloc(t->cap, sizeof(*pt));
    if (!pt || !(*out = calloc(t->cap, sizeof(**out)))) {
        free(pt);
        return -ENOMEM;
    }
    *n = get(t, pt);
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (struct analyze_point){pt[i].time_ns, pt[i].bytes, pt[i].blocks};
    free(pt);
    return 0;
}

/* The memory-over-time series (live heap, resident set size), when asked for. */
static int collect_timeline(struct run *run)
{
    struct analyze_process *p = &run->a->pub;
    if (run->opts->timeline <= 0)
        return 0;
    int rc = publish_series(&run->timeline, timeline_points, &p->timeline, &p->ntimeline);
    if (rc == 0)
        rc = publish_series(&run->timeline, timeline_rss_points, &p->rss, &p->nrss);
    return rc;
}

/* A stack id as a symbolised stack, NULL for none; *rc = -ENOMEM on failure. */
static const struct analyze_stack *stack_or_null(struct run *run, uint32_t id, int *rc)
{
    if (id == TRACE_STACK_NONE)
        return NULL;
    const struct analyze_stack *st = symbolize_stack(run->a->sym, id);
    if (!st)
        *rc = -ENOMEM;
    return st;
}

static int publish_error(struct run *run, const struct error_entry *en,
                         struct analyze_heap_error *out)
{
    const struct trace_rec_error *r = &en->rec;
    char text[512];
    int rc = 0;
    out->kind = errors_kind_name(r->h.aux);
    out->address = r->ptr;
    out->has_size = r->size != UINT64_MAX;
    out->size = out->has_size ? r->size : 0;
    out->has_offset = r->h.aux == ERR_HEADER_CORRUPTION || r->h.aux == ERR_OVERFLOW ||
                      r->h.aux == ERR_WRITE_AFTER_FREE;
    out->offset = r->offset;
    out->alloc_kind = errors_alloc_kind(r->alloc_kind);
    out->free_kind = r->free_kind == TRACE_KIND_NONE && r->where != WHERE_REALLOC
                         ? NULL : errors_free_kind(r->free_kind, r->where);
    out->where = errors_where(r->where);
    out->has_pool = errors_is_pool(r->h.aux);
    out->pool_address = en->pool;
    if (en->pool_name && !(out->pool = strpool_dup(&run->a->strings, en->pool_name)))
        rc = -ENOMEM;
    out->stack = stack_or_null(run, r->stack, &rc);
    out->alloc = stack_or_null(run, r->alloc_stack ? r->alloc_stack : en->block_stack, &rc);
    out->freed = stack_or_null(run, r->free_stack, &rc);
    out->nbytes = r->nbytes;
    out->nexpected = r->nexpected;
    memcpy(out->found, r->found, sizeof(out->found));
    memcpy(out->expected, r->expected, sizeof(out->expected));
    out->count = en->count;
    errors_describe(en, text, sizeof(text));
    if (!(out->message = strpool_dup(&run->a->strings, text)))
        rc = -ENOMEM;
    return rc;
}

/* 1 when a rule takes the published error e (then counted apart), else 0. */
static int error_suppressed(struct run *run, struct analyze_heap_error *e)
{
    const struct analyze_stack *stacks[] = {e->stack, e->alloc, e->freed};
    if (!suppressed(run, e->kind, stacks, 3, e->count, 0))
        return 0;
    run->replay.sum.errors -= e->count;
    run->replay.sum.suppressed_errors += e->count;
    return 1;
}

static int collect_errors(struct run *run)
{
    struct analyze_process *p = &run->a->pub;
    size_t n = run->errors.n;
    run->replay.sum.errors = run->errors.total;
    if (n == 0)
        return 0;
    if (!(p->errors = calloc(n, sizeof(*p->errors))))
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct analyze_heap_error *e = &p->errors[p->nerrors];
        rc = publish_error(run, &run->errors.v[i], e);
        if (rc == 0 && !error_suppressed(run, e)) {
            e->suppression = propose(run, e->kind, e->stack ? e->stack : e->alloc);
            p->nerrors++;
        }
    }
    return rc;
}

static struct analysis *analysis_new(const char *path, const struct analyze_opts *opts)
{
    struct analysis *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    strpool_init(&a->strings);
    a->sym = symbolize_new(opts);
    a->pub.path = strpool_dup(&a->strings, path);
    if (!a->sym || !a->pub.path) {
        analyze_process_free(&a->pub);
        return NULL;
    }
    return a;
}

/* An apply() failure of the record that ended at byte end: err filled unless -EAGAIN. */
static int failed(int rc, uint64_t end, struct analyze_error *err)
{
    if (rc == -EAGAIN)
        return rc;
    snprintf(err->message, sizeof(err->message), "out of memory");
    err->offset = (int64_t)end;
    return -ENOMEM;
}

/* Apply the queued events in order. */
static int drain(struct run *run, struct analyze_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < run->nqueued && rc == 0; i++) {
        if ((rc = apply(run, &run->queue[i].rec.h)) < 0)
            rc = failed(rc, run->queue[i].end, err);
    }
    run->nqueued = 0;
    return rc;
}

/* Queue event h (its known fields) and prefetch what it will touch; drain a full queue. */
static int enqueue(struct run *run, const struct trace_rec_hdr *h, uint64_t end,
                   struct analyze_error *err)
{
    struct queued *q = &run->queue[run->nqueued++];
    memcpy(&q->rec, h, h->size < sizeof(q->rec) ? h->size : sizeof(q->rec));
    q->end = end;
    replay_expect(&run->replay, h);
    return run->nqueued == QUEUE_RECORDS ? drain(run, err) : 0;
}

static int is_event(const struct trace_rec_hdr *h)
{
    return h->type == TRACE_REC_ALLOC || h->type == TRACE_REC_FREE ||
           h->type == TRACE_REC_REALLOC;
}

/*
 * Stream every record through apply(), in order; once the replay's tables outgrow the
 * cache, events a few records late so that the memory they need is on its way (with small
 * tables the queue would cost more than the misses it hides). 0, -EAGAIN when the
 * releases must be kept (then nothing is filled), or -errno with err filled.
 */
static int read_all(struct run *run, struct reader *r, struct analyze_error *err)
{
    const struct trace_rec_hdr *h;
    int rc, queueing = 0;
    while ((rc = reader_next(r, &h, err)) > 0) {
        if (queueing && is_event(h)) {
            if ((rc = enqueue(run, h, reader_stop_offset(r), err)) < 0)
                return rc;
            continue;
        }
        if (run->nqueued && (rc = drain(run, err)) < 0)
            return rc;
        if ((rc = apply(run, h)) < 0)
            return failed(rc, reader_stop_offset(r), err);
        queueing = queueing || (is_event(h) && replay_expect_pays(&run->replay));
    }
    return rc == 0 ? drain(run, err) : rc;
}

static int finish(struct run *run, struct reader *r, struct analyze_error *err)
{
    struct analyze_process *p = &run->a->pub;
    p->pid = r->hdr.pid;
    p->ppid = r->hdr.ppid;
    p->start_ns = r->hdr.start_realtime_ns;
    p->duration_ns = run->last_ns - run->first_ns;
    int rc = conclude(run, r);
    if (rc == 0)
        rc = start_tallies(run);
    if (rc == 0)
        rc = collect_errors(run);
    if (rc == 0)
        rc = collect_leaks(run);
    if (rc == 0)
        rc = collect_allocated(run);
    if (rc == 0)
        rc = collect_timeline(run);
    if (rc == 0)
        rc = symbolize_modules(run->a->sym, &p->modules, &p->nmodules);
    if (rc == 0)
        rc = finish_tallies(run);
    symbolize_release_debuginfo(run->a->sym);
    uint64_t dropped = p->summary.dropped, untracked = p->summary.untracked;
    p->summary = run->replay.sum; /* with leaked_* from collect_leaks */
    p->summary.pool_allocations = run->pools.allocations;
    p->summary.pool_frees = run->pools.frees;
    p->summary.pool_destroyed_bytes = run->pools.destroyed_bytes;
    p->summary.pool_destroyed_blocks = run->pools.destroyed_blocks;
    p->summary.unknown_frees += run->pools.unknown_frees;
    p->summary.dropped = dropped;
    p->summary.untracked = untracked;
    if (rc < 0) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        err->offset = -1;
    }
    return rc;
}

/*
 * One reading of the trace, keeping the releases (for double frees) when track_freed.
 * -EAGAIN when the trace needs them and track_freed is 0.
 */
static int analyze_pass(const char *path, const struct analyze_opts *opts, int track_freed,
                        struct analyze_process **out, struct analyze_error *err)
{
    struct reader r;
    struct run run = {0};
    int rc = reader_open(&r, path, err);
    if (rc == 0 && !(run.a = analysis_new(path, opts))) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        rc = -ENOMEM;
    }
    replay_init(&run.replay);
    run.replay.track_sites = opts->allocated;
    run.replay.track_freed = track_freed;
    run.opts = opts;
    if (rc == 0 && opts->timeline > 0 && timeline_init(&run.timeline, (size_t)opts->timeline) < 0) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        rc = -ENOMEM;
    }
    errors_init(&run.errors);
    pools_init(&run.pools, &run.errors);
    run.secret = r.hdr.guard_secret;
    run.start_realtime_ns = r.hdr.start_realtime_ns;
    run.start_monotonic_ns = r.hdr.start_monotonic_ns;
    if (rc == 0)
        rc = read_all(&run, &r, err);
    if (rc == 0)
        rc = finish(&run, &r, err);
    replay_fini(&run.replay);
    timeline_fini(&run.timeline);
    pools_fini(&run.pools);
    errors_fini(&run.errors);
    reader_close(&r);
    if (rc < 0) {
        analyze_process_free(run.a ? &run.a->pub : NULL);
        return rc;
    }
    *out = &run.a->pub;
    return 0;
}

int analyze_trace(const char *path, const struct analyze_opts *opts, struct analyze_process **out,
                  struct analyze_error *err)
{
    static const struct analyze_opts defaults;
    if (!opts)
        opts = &defaults;
    err->message[0] = '\0';
    err->offset = -1;
    *out = NULL;
    /* most traces have no invalid free: they are read once, without the freed table */
    int rc = analyze_pass(path, opts, 0, out, err);
    if (rc == -EAGAIN)
        rc = analyze_pass(path, opts, 1, out, err);
    return rc;
}

void analyze_process_set_end(struct analyze_process *p, enum analyze_end end, int status,
                             int signal)
{
    p->end = end;
    p->status = end == ANALYZE_END_EXIT ? status : 0;
    p->signal = end == ANALYZE_END_SIGNAL ? signal : 0;
}

void analyze_process_free(struct analyze_process *p)
{
    if (!p)
        return;
    struct analysis *a = (struct analysis *)p;
    symbolize_free(a->sym);
    strpool_fini(&a->strings);
    free(a->argv);
    free(p->leaks);
    free(p->errors);
    free(p->suppressed);
    free(p->allocated);
    free(p->timeline);
    free(p->rss);
    free(p->modules);
    free(a);
}

const char *analyze_end_name(enum analyze_end end)
{
    switch (end) {
    case ANALYZE_END_EXIT:
        return "exit";
    case ANALYZE_END_SIGNAL:
        return "signal";
    case ANALYZE_END_KILLED:
        return "killed";
    case ANALYZE_END_EXEC:
        return "exec";
    case ANALYZE_END_RUNNING:
        return "running";
    default:
        return "unknown";
    }
}
