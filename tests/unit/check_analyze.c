/*
 * Unit tests of src/analyze/analyze.c through analyze_trace() on generated traces: exact
 * totals and leak order, records after the end record, truncation at every byte, corrupt
 * records, bad headers.
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/suppress.h"
#include "tracegen.h"

static struct tracegen g;
static const char *path;
static const struct analyze_opts opts = {0};

/* File offsets just past each record of the trace built by build_basic(). */
static size_t ends[64];
static size_t nends, end_record; /* index in ends of the END record */

static void setup(void)
{
    tracegen_init(&g, 4242, 1);
    nends = 0;
}

static void teardown(void)
{
    tracegen_fini(&g);
    if (path)
        unlink(path);
    path = NULL;
}

static void mark(void)
{
    ends[nends++] = g.len;
}

/*
 * Stacks 1..6; live at the end: stack 1: 3 x 100, stack 2: 300, stack 3: 50 (via realloc),
 * stack 4: 50, stack 6: 8 (allocated after the end record). Peak 1200.
 */
static void build_basic(void)
{
    const char *argv[] = {"prog", "arg one", "x"};
    tracegen_process(&g, "/usr/bin/prog", 3, argv), mark();
    tracegen_modules_begin(&g), mark();
    for (uint32_t id = 1; id <= 6; id++) {
        uint64_t frames[2] = {0x401000 + id * 0x10, 0x402000};
        tracegen_stack(&g, id, 2, frames), mark();
    }
    tracegen_alloc(&g, KIND_MALLOC, 0x5000, 1000, 5), mark();
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 100, 1), mark();
    tracegen_alloc(&g, KIND_NEW, 0x2000, 100, 1), mark();
    tracegen_free(&g, KIND_MALLOC, 0x5000), mark();
    tracegen_alloc(&g, KIND_NEW_ARRAY, 0x2100, 100, 1), mark();
    tracegen_alloc(&g, KIND_MALLOC, 0x6000, 10, 3), mark();
    tracegen_realloc(&g, 0x6000, 0x4000, 50, 3), mark();
    tracegen_alloc(&g, KIND_ALIGNED, 0x3000, 300, 2), mark();
    tracegen_alloc(&g, KIND_NEW_ALIGNED, 0x4100, 50, 4), mark();
    tracegen_free(&g, KIND_MALLOC, 0x7777), mark();
    tracegen_realloc(&g, 0x4100, 0, 4000, 4), mark();
    end_record = nends;
    tracegen_end(&g, 3, 2, 5), mark();
    tracegen_alloc(&g, KIND_MALLOC, 0x8000, 64, 6), mark();
    tracegen_free(&g, KIND_MALLOC, 0x8000), mark();
    tracegen_alloc(&g, KIND_NEW_ARRAY_ALIGNED, 0x8100, 8, 6), mark();
}

static struct analyze_process *analyze_len(size_t len)
{
    path = tracegen_tmp(&g, len);
    struct analyze_process *p = NULL;
    struct analyze_error err;
    int rc = analyze_trace(path, &opts, &p, &err);
    ck_assert_msg(rc == 0, "len %zu: %d %s", len, rc, err.message);
    return p;
}

START_TEST(test_round_trip)
{
    build_basic();
    struct analyze_process *p = analyze_len(g.len);
    ck_assert_uint_eq(p->pid, 4242);
    ck_assert_uint_eq(p->ppid, 1);
    ck_assert_str_eq(p->exe, "/usr/bin/prog");
    ck_assert_uint_eq(p->argc, 3);
    ck_assert_str_eq(p->argv[1], "arg one");
    ck_assert_int_eq(p->end, ANALYZE_END_EXIT);
    ck_assert_int_eq(p->status, 3);
    ck_assert_ptr_null(p->warning);
    ck_assert_uint_eq(p->summary.allocations, 10);
    ck_assert_uint_eq(p->summary.frees, 3);
    ck_assert_uint_eq(p->summary.unknown_frees, 1);
    ck_assert_uint_eq(p->summary.peak_bytes, 1200);
    ck_assert_uint_eq(p->summary.leaked_bytes, 708);
    ck_assert_uint_eq(p->summary.leaked_blocks, 7);
    ck_assert_uint_eq(p->summary.dropped, 2);
    ck_assert_uint_eq(p->summary.untracked, 5);
    ck_assert_uint_eq(p->duration_ns, 14000);
    static const uint32_t order[] = {1, 2, 3, 4, 6};
    static const uint64_t bytes[] = {300, 300, 50, 50, 8}, blocks[] = {3, 1, 1, 1, 1};
    ck_assert_uint_eq(p->nleaks, 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(p->leaks[i].kind, "leaked");
        ck_assert_uint_eq(p->leaks[i].stack->id, order[i]);
        ck_assert_uint_eq(p->leaks[i].bytes, bytes[i]);
        ck_assert_uint_eq(p->leaks[i].blocks, blocks[i]);
    }
    const struct analyze_stack *s = p->leaks[0].stack;
    ck_assert_uint_eq(s->nframes, 2);
    ck_assert_uint_eq(s->frames[0].address, 0x401010);
    ck_assert_ptr_null(s->frames[0].module); /* no module map covers it */
    ck_assert_ptr_null(s->frames[0].function);
    analyze_process_free(p);
}
END_TEST

/*
 * Turn the trace into that of a process killed before its writer drained everything:
 * the file keeps the records up to `drained` plus `torn` bytes of a half-written next
 * record; the ring area holds the records from `tail` to `end` at their ring positions
 * (file offset - data_offset), with the ring control saying so.
 */
static void kill_before_drain(size_t tail, size_t drained, size_t torn, size_t end)
{
    struct trace_file_header *h = tracegen_header(&g);
    uint64_t data = h->data_offset;
    ck_assert_uint_le(end - data, TRACEGEN_RING);
    memcpy(g.buf + h->ring_offset + (tail - data), g.buf + tail, end - tail);
    struct trace_ring_ctl *ctl = (struct trace_ring_ctl *)(g.buf + TRACE_RING_CTL_OFFSET);
    ctl->tail = tail - data;
    ctl->head = end - data;
    g.len = drained + torn;
}

/* The byte of the ring area that holds stream offset off (as a drained file has it). */
static size_t ring_byte(size_t off)
{
    return TRACE_PAGE + (off - tracegen_header(&g)->data_offset) % TRACEGEN_RING;
}

static void summary_eq(const struct analyze_summary *a, const struct analyze_summary *b)
{
    ck_assert_uint_eq(a->allocations, b->allocations);
    ck_assert_uint_eq(a->frees, b->frees);
    ck_assert_uint_eq(a->peak_bytes, b->peak_bytes);
    ck_assert_uint_eq(a->leaked_bytes, b->leaked_bytes);
    ck_assert_uint_eq(a->leaked_blocks, b->leaked_blocks);
}

START_TEST(test_ring_recovery)
{
    build_basic();
    size_t end = ends[end_record - 1]; /* killed before the end record */
    struct analyze_process *whole = analyze_len(end);
    /* the ring still holds 3 records the file has too: none may count twice */
    kill_before_drain(ends[7], ends[10], 12, end);
    struct analyze_process *p = analyze_len(g.len);
    summary_eq(&p->summary, &whole->summary);
    ck_assert_uint_eq(p->nleaks, whole->nleaks);
    ck_assert_int_eq(p->end, ANALYZE_END_KILLED);
    char want[128];
    /* the byte where the ring's records stop, in the ring area */
    snprintf(want, sizeof(want), "truncated at byte %zu (no end record; %zu records recovered "
             "from the ring)", ring_byte(end), end_record - 1 - 10);
    ck_assert_str_eq(p->warning, want);
    analyze_process_free(p);
    analyze_process_free(whole);
}
END_TEST

START_TEST(test_ring_without_the_gap)
{
    build_basic();
    size_t end = ends[end_record - 1];
    struct analyze_process *drained_only = analyze_len(ends[10]);
    /* the ring starts after the file's last record: what lies between is lost */
    kill_before_drain(ends[12], ends[10], 0, end);
    struct analyze_process *p = analyze_len(g.len);
    summary_eq(&p->summary, &drained_only->summary);
    analyze_process_free(p);
    analyze_process_free(drained_only);
}
END_TEST

START_TEST(test_ring_uncommitted)
{
    build_basic();
    size_t end = ends[end_record - 1];
    struct analyze_process *before = analyze_len(ends[12]);
    kill_before_drain(ends[7], ends[10], 0, end);
    /* the record at ends[12] was reserved, but its thread died before committing it */
    struct trace_file_header *h = tracegen_header(&g);
    memset(g.buf + h->ring_offset + (ends[12] - h->data_offset), 0, sizeof(struct trace_rec_hdr));
    struct analyze_process *p = analyze_len(g.len);
    summary_eq(&p->summary, &before->summary);
    char want[160];
    snprintf(want, sizeof(want), "truncated at byte %zu (no end record; 2 records recovered "
             "from the ring; a torn last record dropped)", ring_byte(ends[12]));
    ck_assert_str_eq(p->warning, want);
    analyze_process_free(p);
    analyze_process_free(before);
}
END_TEST

/* Damage in the ring area: what came before it counts, the offset is the ring's byte. */
START_TEST(test_ring_damage)
{
    build_basic();
    size_t end = ends[end_record - 1];
    struct analyze_process *before = analyze_len(ends[11]);
    kill_before_drain(ends[7], ends[10], 12, end);
    g.buf[ring_byte(ends[11])] = 13; /* the size of the second record the ring adds */
    struct analyze_process *p = analyze_len(g.len);
    summary_eq(&p->summary, &before->summary);
    ck_assert_int_eq(p->end, ANALYZE_END_UNKNOWN);
    char want[128];
    snprintf(want, sizeof(want), "bad record size at byte %zu (in the ring area)",
             ring_byte(ends[11]));
    ck_assert_str_eq(p->warning, want);
    analyze_process_free(p);
    analyze_process_free(before);
}
END_TEST

START_TEST(test_killed_not_freed)
{
    build_basic();
    struct analyze_process *p = analyze_len(ends[end_record - 1]);
    ck_assert_int_eq(p->end, ANALYZE_END_KILLED);
    ck_assert_uint_gt(p->nleaks, 0);
    for (size_t i = 0; i < p->nleaks; i++)
        ck_assert_str_eq(p->leaks[i].kind, "not_freed");
    ck_assert_uint_gt(p->summary.leaked_bytes, 0); /* kept for scripts */
    analyze_process_free(p);
}
END_TEST

START_TEST(test_recording_stopped)
{
    build_basic();
    tracegen_header(&g)->flags |= TRACE_FLAG_STOPPED; /* the writer could not write on */
    struct analyze_process *p = analyze_len(ends[end_record - 1]);
    ck_assert_int_eq(p->end, ANALYZE_END_UNKNOWN);
    char want[128];
    snprintf(want, sizeof(want),
             "truncated at byte %zu (recording stopped: the trace could not be written)",
             ends[end_record - 1]);
    ck_assert_str_eq(p->warning, want);
    for (size_t i = 0; i < p->nleaks; i++)
        ck_assert_str_eq(p->leaks[i].kind, "leaked"); /* the process was not killed */
    analyze_process_free(p);
}
END_TEST

START_TEST(test_records_after_end)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 10, 0);
    tracegen_end(&g, 0, 0, 0);
    tracegen_free(&g, KIND_MALLOC, 0x1000);
    tracegen_alloc(&g, KIND_MALLOC, 0x2000, 20, 0);
    struct analyze_process *p = analyze_len(g.len);
    ck_assert_uint_eq(p->summary.frees, 1);
    ck_assert_uint_eq(p->summary.leaked_bytes, 20);
    ck_assert_uint_eq(p->nleaks, 1);
    ck_assert_uint_eq(p->leaks[0].stack->id, 0);
    ck_assert_uint_eq(p->leaks[0].stack->nframes, 0);
    ck_assert_ptr_null(p->warning);
    ck_assert_ptr_null(p->exe);
    ck_assert_uint_eq(p->argc, 0);
    analyze_process_free(p);
}
END_TEST

/* Totals of the trace cut at len must be those of the complete records before it. */
static void check_prefix(size_t len, const struct analyze_process *whole_prefix, size_t k)
{
    struct analyze_process *p = analyze_len(len);
    char want[128];
    if (k >= end_record && len > ends[k])
        snprintf(want, sizeof(want), "truncated at byte %zu (torn record after the end record)",
                 ends[k]);
    else if (k < end_record)
        snprintf(want, sizeof(want), "truncated at byte %zu (no end record%s)", ends[k],
                 len > ends[k] ? "; a torn last record dropped" : "");
    if (k >= end_record && len == ends[k]) {
        ck_assert_ptr_null(p->warning);
    } else {
        ck_assert_ptr_nonnull(p->warning);
        ck_assert_str_eq(p->warning, want);
    }
    ck_assert_int_eq(p->end, k >= end_record ? ANALYZE_END_EXIT : ANALYZE_END_KILLED);
    ck_assert_mem_eq(&p->summary, &whole_prefix->summary, sizeof(p->summary));
    ck_assert_uint_eq(p->nleaks, whole_prefix->nleaks);
    for (size_t i = 0; i < p->nleaks; i++) {
        ck_assert_uint_eq(p->leaks[i].bytes, whole_prefix->leaks[i].bytes);
        ck_assert_uint_eq(p->leaks[i].stack->id, whole_prefix->leaks[i].stack->id);
    }
    analyze_process_free(p);
}

START_TEST(test_truncated_everywhere)
{
    build_basic();
    struct analyze_error err;
    struct analyze_process *p;
    size_t header = sizeof(struct trace_file_header);
    for (size_t len = 0; len < header; len++) {
        path = tracegen_tmp(&g, len);
        ck_assert_int_eq(analyze_trace(path, &opts, &p, &err), -EINVAL);
        char want[64];
        snprintf(want, sizeof(want), "truncated header at byte %zu%s", len,
                 len ? "" : " (empty file)");
        ck_assert_str_eq(err.message, want);
        ck_assert_ptr_null(p);
    }
    for (size_t len = header; len < ends[0]; len++) { /* header, ring, no records */
        p = analyze_len(len);
        char want[96];
        size_t data = TRACE_PAGE + TRACEGEN_RING;
        snprintf(want, sizeof(want), "truncated at byte %zu (no end record%s)",
                 len < data ? len : data, len > data ? "; a torn last record dropped" : "");
        ck_assert_str_eq(p->warning, want);
        ck_assert_uint_eq(p->summary.allocations, 0);
        ck_assert_int_eq(p->end, ANALYZE_END_KILLED);
        analyze_process_free(p);
    }
    for (size_t k = 0; k < nends; k++) {
        struct analyze_process *prefix = analyze_len(ends[k]);
        size_t stop = k + 1 < nends ? ends[k + 1] : ends[k] + 1;
        for (size_t len = ends[k]; len < stop; len++)
            check_prefix(len, prefix, k);
        analyze_process_free(prefix);
    }
}
END_TEST

START_TEST(test_corrupt_record)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 10, 0);
    tracegen_alloc(&g, KIND_MALLOC, 0x2000, 10, 0);
    size_t bad = g.len;
    uint64_t word = trace_hdr_word(20, TRACE_REC_FREE, 0);
    tracegen_raw(&g, &word, sizeof(word));
    tracegen_free(&g, KIND_MALLOC, 0x1000);
    tracegen_end(&g, 0, 0, 0);
    struct analyze_process *p = analyze_len(g.len);
    char want[64];
    snprintf(want, sizeof(want), "bad record size at byte %zu", bad);
    ck_assert_str_eq(p->warning, want);
    ck_assert_int_eq(p->end, ANALYZE_END_UNKNOWN);
    ck_assert_uint_eq(p->summary.allocations, 2);
    ck_assert_uint_eq(p->summary.frees, 0);
    ck_assert_uint_eq(p->summary.leaked_bytes, 20);
    analyze_process_free(p);
}
END_TEST

/* Append a 16-byte record of type and analyse: the warning is "why at byte N" (N: where
 * that record starts). */
static struct analyze_process *after_bad_record(uint16_t type, const char *why)
{
    size_t bad = g.len;
    uint64_t rec[2] = {trace_hdr_word(16, type, 0), 0};
    tracegen_raw(&g, rec, sizeof(rec));
    struct analyze_process *p = analyze_len(g.len);
    char want[128];
    snprintf(want, sizeof(want), "%s at byte %zu", why, bad);
    ck_assert_str_eq(p->warning, want);
    return p;
}

/* SAMPLE records: the peak and count in the summary, and with opts.timeline an RSS series
 * on the clock of the heap series (both from the trace's first timed record). */
START_TEST(test_rss_samples)
{
    tracegen_sample(&g, 4096);                   /* t = 0 */
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 64, 0); /* 1000 */
    tracegen_sample(&g, 90000);                  /* 2000: the peak */
    tracegen_free(&g, KIND_MALLOC, 0x1000);      /* 3000 */
    tracegen_sample(&g, 8192);                   /* 4000 */
    tracegen_end(&g, 0, 0, 0);
    struct analyze_opts with = {.timeline = 100};
    path = tracegen_tmp(&g, g.len);
    struct analyze_process *p = NULL;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace(path, &with, &p, &err), 0);
    ck_assert_uint_eq(p->summary.rss_samples, 3);
    ck_assert_uint_eq(p->summary.peak_rss_bytes, 90000);
    ck_assert_uint_eq(p->summary.peak_bytes, 64);
    ck_assert_uint_eq(p->duration_ns, 5000);
    ck_assert_uint_eq(p->nrss, 3);
    ck_assert_uint_eq(p->rss[0].time_ns, 0);
    ck_assert_uint_eq(p->rss[0].bytes, 4096);
    ck_assert_uint_eq(p->rss[1].time_ns, 2000);
    ck_assert_uint_eq(p->rss[1].bytes, 90000);
    ck_assert_uint_eq(p->rss[2].time_ns, 4000);
    ck_assert_uint_eq(p->ntimeline, 2);
    ck_assert_uint_eq(p->timeline[0].time_ns, 1000);
    ck_assert_uint_eq(p->timeline[0].bytes, 64);
    ck_assert_uint_eq(p->timeline[1].time_ns, 3000);
    analyze_process_free(p);
    p = analyze_len(g.len); /* no timeline asked for: the summary all the same */
    ck_assert_uint_eq(p->summary.peak_rss_bytes, 90000);
    ck_assert_uint_eq(p->nrss, 0);
    analyze_process_free(p);
}
END_TEST

/* A SAMPLE record shorter than its two fields is corruption, as for any type. */
START_TEST(test_short_sample)
{
    tracegen_sample(&g, 4096);
    struct analyze_process *p = after_bad_record(TRACE_REC_SAMPLE, "record shorter than its type");
    ck_assert_uint_eq(p->summary.rss_samples, 1);
    analyze_process_free(p);
}
END_TEST

START_TEST(test_unknown_type)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 10, 0);
    struct analyze_process *p = after_bad_record(77, "unknown record type");
    ck_assert_uint_eq(p->summary.allocations, 1);
    analyze_process_free(p);
}
END_TEST

static void expect_einval(const char *message, int64_t offset)
{
    path = tracegen_tmp(&g, g.len);
    struct analyze_process *p = (void *)1;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace(path, &opts, &p, &err), -EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(err.message, message);
    ck_assert_int_eq(err.offset, offset);
}

START_TEST(test_bad_headers)
{
    tracegen_header(&g)->magic[3] = 'x';
    expect_einval("not a heapwise trace (bad magic) at byte 3", 3);
    tracegen_header(&g)->magic[3] = TRACE_MAGIC[3];
    tracegen_header(&g)->version = 0;
    char want[128];
    snprintf(want, sizeof(want),
             "unsupported trace format version 0 at byte 8 (this heapwise reads 1 to %d)",
             TRACE_VERSION);
    expect_einval(want, 8);
    tracegen_header(&g)->version = TRACE_VERSION + 1;
    snprintf(want, sizeof(want),
             "unsupported trace format version %d at byte 8 (this heapwise reads 1 to %d)",
             TRACE_VERSION + 1, TRACE_VERSION);
    expect_einval(want, 8);
}
END_TEST

START_TEST(test_missing_file)
{
    struct analyze_process *p;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace("/nonexistent/x.trace", &opts, &p, &err), -ENOENT);
    ck_assert_str_eq(err.message, strerror(ENOENT));
}
END_TEST

START_TEST(test_set_end_and_names)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 10, 0);
    struct analyze_process *p = analyze_len(g.len);
    ck_assert_int_eq(p->end, ANALYZE_END_KILLED);
    ck_assert_str_eq(analyze_end_name(p->end), "killed");
    analyze_process_set_end(p, ANALYZE_END_SIGNAL, 0, 9);
    ck_assert_int_eq(p->end, ANALYZE_END_SIGNAL);
    ck_assert_int_eq(p->signal, 9);
    ck_assert_str_eq(analyze_end_name(ANALYZE_END_EXIT), "exit");
    ck_assert_str_eq(analyze_end_name(ANALYZE_END_SIGNAL), "signal");
    ck_assert_str_eq(analyze_end_name(ANALYZE_END_UNKNOWN), "unknown");
    analyze_process_free(p);
    analyze_process_free(NULL);
}
END_TEST

static uint64_t clock_now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Seconds into the trace of build_running's scan. */
#define SCAN_AT_NS 2500000000ull

/*
 * A trace of this very process (which runs), begun now, without an end record: 100 and
 * 300 bytes, a check by signal 12 finding them reachable and definitely lost, then 200
 * bytes allocated after it. `outcome` of the check; no scan without TRACE_CHECK_SCANNED.
 */
static void build_running(uint32_t outcome)
{
    struct trace_file_header *h = tracegen_header(&g);
    h->pid = (uint64_t)getpid();
    h->start_monotonic_ns = clock_now(CLOCK_MONOTONIC);
    h->start_realtime_ns = clock_now(CLOCK_REALTIME);
    g.time_ns = h->start_monotonic_ns + 1000;
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 100, 0);
    tracegen_alloc(&g, KIND_MALLOC, 0x2000, 300, 0);
    tracegen_check(&g, 12, 2, outcome);
    uint64_t entries[] = {0x1000 | LEAK_REACHABLE, 0x2000 | LEAK_DEFINITE};
    if (outcome == TRACE_CHECK_SCANNED)
        tracegen_leakscan(&g, LEAKSCAN_FIRST | LEAKSCAN_LAST, h->start_monotonic_ns + SCAN_AT_NS,
                          entries, 2);
    tracegen_alloc(&g, KIND_MALLOC, 0x3000, 200, 0);
}

static struct analyze_process *analyze_live(void)
{
    static const struct analyze_opts live = {.live_check = 1};
    path = tracegen_tmp(&g, g.len);
    struct analyze_process *p = NULL;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace(path, &live, &p, &err), 0);
    return p;
}

START_TEST(test_running)
{
    build_running(TRACE_CHECK_SCANNED);
    struct analyze_process *p = analyze_live();
    ck_assert_int_eq(p->end, ANALYZE_END_RUNNING);
    ck_assert_str_eq(analyze_end_name(p->end), "running");
    ck_assert_ptr_null(p->warning); /* a trace still being written is no damage */
    const struct analyze_summary *s = &p->summary;
    ck_assert_int_eq(s->scanned, 1);
    ck_assert_uint_eq(s->definitely_lost_bytes, 300);
    ck_assert_uint_eq(s->still_reachable_bytes, 100);
    ck_assert_uint_eq(s->leaked_bytes, 300);
    ck_assert_uint_eq(s->leaked_blocks, 1);
    ck_assert_uint_eq(s->not_checked_bytes, 200);
    ck_assert_uint_eq(s->not_checked_blocks, 1);
    ck_assert_uint_eq(s->in_use_bytes, 600);
    ck_assert_uint_eq(p->last_scan.offset_ns, SCAN_AT_NS);
    ck_assert_uint_eq(p->last_scan.realtime_ns,
                      tracegen_header(&g)->start_realtime_ns + SCAN_AT_NS);
    ck_assert_int_eq(p->last_scan.signal, 12);
    ck_assert_uint_eq(p->signal_checks, 1);
    ck_assert_int_eq(p->signal_checks_unscanned, 0);
    int not_checked = 0;
    for (size_t i = 0; i < p->nleaks; i++)
        not_checked += strcmp(p->leaks[i].kind, "not_checked") == 0 && p->leaks[i].bytes == 200;
    ck_assert_int_eq(not_checked, 1);
    analyze_process_free(p);

    p = analyze_len(g.len); /* without live_check: killed, as a trace alone tells */
    ck_assert_int_eq(p->end, ANALYZE_END_KILLED);
    ck_assert_ptr_nonnull(p->warning);
    ck_assert_uint_eq(p->summary.leaked_bytes, 500);
    ck_assert_uint_eq(p->summary.not_checked_bytes, 0);
    analyze_process_free(p);

    /* the pid's process started after the trace did: a reused pid, not the tracer */
    tracegen_header(&g)->start_monotonic_ns = 1;
    tracegen_header(&g)->start_realtime_ns =
        clock_now(CLOCK_REALTIME) - clock_now(CLOCK_MONOTONIC) + 1;
    p = analyze_live();
    ck_assert_int_eq(p->end, ANALYZE_END_KILLED);
    analyze_process_free(p);
}
END_TEST

/* Blocks a pool still hands out while the process runs are not judged: not checked. */
START_TEST(test_running_pool)
{
    build_running(TRACE_CHECK_SCANNED);
    tracegen_pool_create(&g, 0x9000, "partition", 0, 0);
    tracegen_pool_alloc(&g, 0x9000, 0x9100, 64, 0);
    struct analyze_process *p = analyze_live();
    ck_assert_int_eq(p->end, ANALYZE_END_RUNNING);
    ck_assert_uint_eq(p->summary.not_checked_bytes, 264);
    ck_assert_uint_eq(p->summary.not_checked_blocks, 2);
    ck_assert_uint_eq(p->summary.pool_leaked_bytes, 0);
    ck_assert_uint_eq(p->summary.leaked_bytes, 300);
    int pool_block = 0;
    for (size_t i = 0; i < p->nleaks; i++)
        pool_block += strcmp(p->leaks[i].kind, "not_checked") == 0 && p->leaks[i].has_pool &&
                      p->leaks[i].bytes == 64;
    ck_assert_int_eq(pool_block, 1);
    analyze_process_free(p);
    p = analyze_len(g.len); /* killed: the pool block is not freed back, a leak */
    ck_assert_uint_eq(p->summary.pool_leaked_bytes, 64);
    analyze_process_free(p);
}
END_TEST

START_TEST(test_running_unscanned_check)
{
    build_running(TRACE_CHECK_NO_SCAN);
    struct analyze_process *p = analyze_live();
    ck_assert_int_eq(p->end, ANALYZE_END_RUNNING);
    ck_assert_int_eq(p->summary.scanned, 0);
    ck_assert_uint_eq(p->signal_checks, 1);
    ck_assert_int_eq(p->signal_checks_unscanned, 1);
    ck_assert_uint_eq(p->summary.leaked_bytes, 0);
    ck_assert_uint_eq(p->summary.not_checked_bytes, 600);
    ck_assert_uint_eq(p->summary.not_checked_blocks, 3);
    analyze_process_free(p);
}
END_TEST

/* A scan asked for by a signal, then one that was not (heapwise_leak_check, the exit). */
START_TEST(test_scan_signal_attribution)
{
    uint64_t entries[] = {0x1000 | LEAK_DEFINITE};
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 10, 0);
    tracegen_check(&g, 10, 1, TRACE_CHECK_SCANNED);
    tracegen_leakscan(&g, LEAKSCAN_FIRST, g.time_ns, entries, 0);
    tracegen_leakscan(&g, LEAKSCAN_LAST, g.time_ns, entries, 1);
    size_t first = g.len;
    tracegen_leakscan(&g, LEAKSCAN_FIRST | LEAKSCAN_LAST, g.time_ns + 5, entries, 1);
    tracegen_end(&g, 0, 0, 0);
    struct analyze_process *p = analyze_len(first);
    ck_assert_int_eq(p->last_scan.signal, 10);
    analyze_process_free(p);
    p = analyze_len(g.len);
    ck_assert_int_eq(p->last_scan.signal, 0);
    ck_assert_uint_eq(p->signal_checks, 1);
    ck_assert_uint_eq(p->summary.definitely_lost_bytes, 10);
    analyze_process_free(p);
}
END_TEST

/* Random byte damage anywhere: never a crash; either a clean failure or a full report. */
START_TEST(test_random_damage)
{
    build_basic();
    unsigned char *pristine = malloc(g.len);
    memcpy(pristine, g.buf, g.len);
    FILE *sink = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(sink);
    srand(1234);
    for (int round = 0; round < 1500; round++) {
        memcpy(g.buf, pristine, g.len);
        for (int flips = 1 + rand() % 4; flips > 0; flips--) {
            /* mostly the records, sometimes the header */
            size_t at = rand() % 8 ? ends[0] - 8 + (size_t)rand() % (g.len - ends[0] + 8)
                                   : (size_t)rand() % sizeof(struct trace_file_header);
            g.buf[at] ^= (unsigned char)(1u << (rand() % 8));
        }
        path = tracegen_tmp(&g, g.len);
        struct analyze_process *p = NULL;
        struct analyze_error err;
        int rc = analyze_trace(path, &opts, &p, &err);
        if (rc < 0) {
            ck_assert_int_eq(rc, -EINVAL);
            ck_assert_ptr_null(p);
            continue;
        }
        ck_assert_int_eq(report_text_write(sink, p), 0);
        ck_assert_int_eq(report_json_write(sink, &p, 1), 0);
        analyze_process_free(p);
    }
    fclose(sink);
    free(pristine);
}
END_TEST

/*
 * Stack 1 runs through a module (not on disk: frames keep its path), stack 2 does not.
 * Live at the end: 2 x 100 from stack 1, 50 from stack 2; stack 2 also allocated and
 * freed 1000 earlier.
 */
static void build_two_sites(void)
{
    tracegen_process(&g, "/usr/bin/prog", 0, NULL);
    tracegen_modules_begin(&g);
    tracegen_module(&g, 0x400000, 0x401000, 0x401018, "/nonexistent/libfake.so", NULL, 0);
    uint64_t in_module[] = {0x401010, 0x402000}, outside[] = {0x403000};
    tracegen_stack(&g, 1, 2, in_module);
    tracegen_stack(&g, 2, 1, outside);
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 100, 1);
    tracegen_alloc(&g, KIND_MALLOC, 0x2000, 1000, 2);
    tracegen_free(&g, KIND_MALLOC, 0x2000);
    tracegen_alloc(&g, KIND_MALLOC, 0x3000, 100, 1);
    tracegen_alloc(&g, KIND_MALLOC, 0x4000, 50, 2);
    tracegen_end(&g, 0, 0, 0);
}

/* Suppressed leaks leave the leaks and totals and are tallied under their rule. */
START_TEST(test_suppressed_and_allocated)
{
    build_two_sites();
    struct suppress rules;
    struct analyze_error err;
    suppress_init(&rules);
    const char *text = "leak:never\nleak:libfake.so\n";
    ck_assert_int_eq(suppress_parse(&rules, "t.supp", text, strlen(text), &err), 0);
    struct analyze_opts o = {.suppress = &rules, .allocated = 1, .gen_suppressions = 1};
    struct analyze_process *p = NULL;
    path = tracegen_tmp(&g, g.len);
    ck_assert_int_eq(analyze_trace(path, &o, &p, &err), 0);
    suppress_fini(&rules); /* the process keeps copies */
    ck_assert_uint_eq(p->summary.leaked_bytes, 50);
    ck_assert_uint_eq(p->summary.leaked_blocks, 1);
    ck_assert_uint_eq(p->summary.suppressed_bytes, 200);
    ck_assert_uint_eq(p->summary.suppressed_blocks, 2);
    ck_assert_uint_eq(p->nleaks, 1);
    ck_assert_uint_eq(p->leaks[0].stack->id, 2);
    ck_assert_ptr_null(p->leaks[0].suppression); /* no function name to propose */
    ck_assert_uint_eq(p->nsuppressed, 1);
    ck_assert_str_eq(p->suppressed[0].rule, "leak:libfake.so");
    ck_assert_str_eq(p->suppressed[0].file, "t.supp");
    ck_assert_int_eq(p->suppressed[0].line, 2);
    ck_assert_uint_eq(p->suppressed[0].count, 2);
    ck_assert_uint_eq(p->suppressed[0].bytes, 200);
    ck_assert_uint_eq(p->nallocated, 2); /* every site, largest first, freed or not */
    ck_assert_uint_eq(p->allocated[0].stack->id, 2);
    ck_assert_uint_eq(p->allocated[0].bytes, 1050);
    ck_assert_uint_eq(p->allocated[0].blocks, 2);
    ck_assert_uint_eq(p->allocated[1].bytes, 200);
    analyze_process_free(p);
}
END_TEST

static Suite *analyze_suite(void)
{
    Suite *s = suite_create("analyze");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_suppressed_and_allocated);
    tcase_add_test(tc, test_records_after_end);
    tcase_add_test(tc, test_ring_recovery);
    tcase_add_test(tc, test_ring_without_the_gap);
    tcase_add_test(tc, test_ring_uncommitted);
    tcase_add_test(tc, test_killed_not_freed);
    tcase_add_test(tc, test_running);
    tcase_add_test(tc, test_running_unscanned_check);
    tcase_add_test(tc, test_running_pool);
    tcase_add_test(tc, test_scan_signal_attribution);
    tcase_add_test(tc, test_recording_stopped);
    tcase_add_test(tc, test_ring_damage);
    tcase_add_test(tc, test_truncated_everywhere);
    tcase_add_test(tc, test_corrupt_record);
    tcase_add_test(tc, test_unknown_type);
    tcase_add_test(tc, test_rss_samples);
    tcase_add_test(tc, test_short_sample);
    tcase_add_test(tc, test_bad_headers);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_set_end_and_names);
    tcase_add_test(tc, test_random_damage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(analyze_suite());
}
