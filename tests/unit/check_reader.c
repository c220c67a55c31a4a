/* Unit tests of src/analyze/reader.c: header checks, record stream, stops and offsets. */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/reader.h"
#include "trace/frame.h"
#include "tracegen.h"

static struct tracegen g;
static const char *path;

static void setup(void)
{
    tracegen_init(&g, 100, 1);
}

static void teardown(void)
{
    tracegen_fini(&g);
    if (path)
        unlink(path);
    path = NULL;
}

/* Read every record of the file at path; returns the count, *r left at the stop. */
static int read_all(struct reader *r, unsigned *types, int max)
{
    struct analyze_error err;
    ck_assert_int_eq(reader_open(r, path, &err), 0);
    const struct trace_rec_hdr *h;
    int n = 0, rc;
    while ((rc = reader_next(r, &h, &err)) > 0) {
        ck_assert_uint_eq((uintptr_t)h % TRACE_ALIGN, 0);
        if (n < max)
            types[n] = h->type;
        n++;
    }
    ck_assert_int_eq(rc, 0);
    return n;
}

START_TEST(test_records_in_order)
{
    const char *argv[] = {"prog", "x"};
    tracegen_process(&g, "/bin/prog", 2, argv);
    uint64_t frames[] = {0x401000};
    tracegen_stack(&g, 1, 1, frames);
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 8, 1);
    tracegen_end(&g, 0, 0, 0);
    path = tracegen_tmp(&g, g.len);
    struct reader r;
    unsigned types[8];
    ck_assert_int_eq(read_all(&r, types, 8), 4);
    ck_assert_uint_eq(types[0], TRACE_REC_PROCESS);
    ck_assert_uint_eq(types[3], TRACE_REC_END);
    ck_assert_int_eq(r.stop, READER_EOF);
    ck_assert_uint_eq(r.good_end, g.len);
    ck_assert_uint_eq(r.hdr.pid, 100);
    reader_close(&r);
}
END_TEST

static void expect_open_error(size_t len, int code, const char *message, int64_t offset)
{
    path = tracegen_tmp(&g, len);
    struct reader r;
    struct analyze_error err = {.offset = 99};
    ck_assert_int_eq(reader_open(&r, path, &err), code);
    ck_assert_str_eq(err.message, message);
    ck_assert_int_eq(err.offset, offset);
    reader_close(&r);
}

START_TEST(test_bad_magic)
{
    tracegen_header(&g)->magic[0] = 'X';
    expect_open_error(g.len, -EINVAL, "not a heapwise trace (bad magic) at byte 0", 0);
    tracegen_header(&g)->magic[0] = 'H';
    tracegen_header(&g)->magic[5] = 'c';
    expect_open_error(g.len, -EINVAL, "not a heapwise trace (bad magic) at byte 5", 5);
}
END_TEST

START_TEST(test_bad_version)
{
    char want[128];
    snprintf(want, sizeof(want),
             "unsupported trace format version %d at byte 8 (this heapwise reads 1 to %d)",
             TRACE_VERSION + 1, TRACE_VERSION);
    tracegen_header(&g)->version = TRACE_VERSION + 1;
    expect_open_error(g.len, -EINVAL, want, 8);
}
END_TEST

/* Each header field the check refuses is named by its byte offset. */
START_TEST(test_bad_header_fields)
{
    struct trace_file_header *h = tracegen_header(&g);
    struct trace_file_header good = *h;
    h->header_size = TRACE_HEADER_MIN_SIZE - 8;
    expect_open_error(g.len, -EINVAL, "bad header size at byte 12", 12);
    *h = good;
    h->ring_offset = 0;
    expect_open_error(g.len, -EINVAL, "bad ring geometry at byte 48", 48);
    *h = good;
    h->ring_bytes = 3 * TRACE_PAGE;
    expect_open_error(g.len, -EINVAL, "bad ring geometry at byte 56", 56);
    h->ring_bytes = TRACE_RING_MAX * 2; /* data_offset past any file offset */
    h->data_offset = h->ring_offset + h->ring_bytes;
    expect_open_error(g.len, -EINVAL, "bad ring geometry at byte 56", 56);
    *h = good;
    *h = good;
    h->data_offset += 8;
    expect_open_error(g.len, -EINVAL, "bad ring geometry at byte 64", 64);
}
END_TEST

START_TEST(test_truncated_header)
{
    expect_open_error(20, -EINVAL, "truncated header at byte 20", 20);
    expect_open_error(0, -EINVAL, "truncated header at byte 0 (empty file)", 0);
    expect_open_error(7, -EINVAL, "truncated header at byte 7", 7);
}
END_TEST

/* A file with an older, shorter header is complete once that header is. */
START_TEST(test_short_header_of_older_writer)
{
    tracegen_header(&g)->header_size = TRACE_HEADER_MIN_SIZE;
    tracegen_header(&g)->guard_secret = 77;
    expect_open_error(TRACE_HEADER_MIN_SIZE - 1, -EINVAL, "truncated header at byte 79", 79);
    path = tracegen_tmp(&g, TRACE_HEADER_MIN_SIZE + 4);
    struct reader r;
    struct analyze_error err;
    ck_assert_int_eq(reader_open(&r, path, &err), 0);
    ck_assert_uint_eq(r.hdr.guard_secret, 0);
    reader_close(&r);
}
END_TEST

/* A short file that is not a trace is reported as such, not as a truncated trace. */
START_TEST(test_short_foreign_file)
{
    memcpy(g.buf, "hello, world!\n", 15);
    expect_open_error(15, -EINVAL, "not a heapwise trace (bad magic) at byte 0", 0);
    expect_open_error(3, -EINVAL, "not a heapwise trace (bad magic) at byte 0", 0);
    memcpy(g.buf, "HWTRAXE", 7);
    expect_open_error(6, -EINVAL, "not a heapwise trace (bad magic) at byte 5", 5);
}
END_TEST

START_TEST(test_missing_file)
{
    struct reader r;
    struct analyze_error err;
    ck_assert_int_eq(reader_open(&r, "/nonexistent/heapwise.trace", &err), -ENOENT);
    ck_assert_int_eq(err.offset, -1);
    reader_close(&r);
}
END_TEST

/* Read a trace whose second record is bad: one record read, stopped there for why. */
static void expect_second_bad(const char *why, size_t bad_at)
{
    path = tracegen_tmp(&g, g.len);
    struct reader r;
    unsigned types[2];
    ck_assert_int_eq(read_all(&r, types, 2), 1);
    ck_assert_int_eq(r.stop, READER_CORRUPT);
    ck_assert_str_eq(r.why, why);
    ck_assert_uint_eq(r.good_end, bad_at);
    reader_close(&r);
}

static void expect_corrupt(uint64_t word, const char *why)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 8, 0);
    size_t bad_at = g.len;
    tracegen_raw(&g, &word, sizeof(word));
    tracegen_alloc(&g, KIND_MALLOC, 0x2000, 8, 0);
    expect_second_bad(why, bad_at);
}

START_TEST(test_bad_size)
{
    expect_corrupt(trace_hdr_word(13, TRACE_REC_ALLOC, 0), "bad record size");
}
END_TEST

START_TEST(test_unknown_type)
{
    expect_corrupt(trace_hdr_word(48, 200, 0), "unknown record type");
}
END_TEST

/* The first number past the known types is unknown too (12, between them once, is the
 * sample record now). */
START_TEST(test_type_without_struct)
{
    expect_corrupt(trace_hdr_word(48, TRACE_REC_TYPE_LIMIT, 0), "unknown record type");
}
END_TEST

/* Pool records: all four read back in order; a NULL block and a long name are refused. */
START_TEST(test_pool_records)
{
    tracegen_pool_create(&g, 0x5000, "partition", 1, 0);
    tracegen_pool_alloc(&g, 0x5000, 0x6000, 32, 1);
    tracegen_pool_free(&g, 0x5000, 0x6000, 2);
    tracegen_pool_destroy(&g, 0x5000, 3);
    path = tracegen_tmp(&g, g.len);
    struct reader r;
    unsigned types[4];
    ck_assert_int_eq(read_all(&r, types, 4), 4);
    ck_assert_uint_eq(types[0], TRACE_REC_POOL_CREATE);
    ck_assert_uint_eq(types[1], TRACE_REC_POOL_ALLOC);
    ck_assert_uint_eq(types[2], TRACE_REC_POOL_FREE);
    ck_assert_uint_eq(types[3], TRACE_REC_POOL_DESTROY);
    ck_assert_int_eq(r.stop, READER_EOF);
    reader_close(&r);
}
END_TEST

START_TEST(test_pool_null_block)
{
    tracegen_pool_create(&g, 0x5000, "partition", 1, 0);
    size_t bad_at = g.len;
    tracegen_pool_free(&g, 0x5000, 0, 1);
    expect_second_bad("pool block of a null pointer", bad_at);
}
END_TEST

START_TEST(test_pool_long_name)
{
    struct trace_rec_pool_create c = {.pool = 0x5000, .name_len = TRACE_POOL_NAME_MAX + 1};
    uint32_t size = trace_align(sizeof(c) + TRACE_POOL_NAME_MAX + 1);
    c.h = (struct trace_rec_hdr){size, TRACE_REC_POOL_CREATE, 0};
    unsigned char rec[sizeof(c) + TRACE_POOL_NAME_MAX + 8] = {0};
    memcpy(rec, &c, sizeof(c));
    tracegen_pool_create(&g, 0x4000, "ok", 0, 0);
    size_t bad_at = g.len;
    tracegen_raw(&g, rec, size);
    expect_second_bad("pool name exceeds the record", bad_at);
}
END_TEST

START_TEST(test_bad_check)
{
    struct {
        struct trace_rec_check c;
    } rec = {{.h = {sizeof(rec), TRACE_REC_CHECK, 0},
              .signal = 12,
              .requests = 0,
              .outcome = TRACE_CHECK_SCANNED}};
    const char *why = NULL;
    ck_assert_int_eq(trace_rec_check(&rec, sizeof(rec), &why), -EINVAL);
    ck_assert_str_eq(why, "check record fields out of range");
    rec.c.requests = 3;
    ck_assert_int_eq(trace_rec_check(&rec, sizeof(rec), &why), (long)sizeof(rec));
    rec.c.outcome = TRACE_CHECK_NO_SCAN + 1;
    ck_assert_int_eq(trace_rec_check(&rec, sizeof(rec), &why), -EINVAL);
    ck_assert_str_eq(trace_rec_name(TRACE_REC_CHECK), "check");
}
END_TEST

/* One record header with a realloc's old pointer after it, checked both ways. */
static void expect_same_check(uint32_t size, uint16_t type, uint16_t aux, uint64_t old_ptr,
                              size_t avail)
{
    static union {
        uint64_t align;
        unsigned char bytes[TRACE_REC_MAX + 64];
    } buf;
    struct trace_rec_realloc re = {.h = {size, type, aux}, .old_ptr = old_ptr, .new_ptr = 1};
    memset(buf.bytes, 0, sizeof(buf.bytes));
    memcpy(buf.bytes, &re, sizeof(re));
    const char *fast_why = "unset", *why = "unset";
    long fast = trace_rec_check(buf.bytes, avail, &fast_why);
    long full = trace_rec_check_any(buf.bytes, avail, &why);
    ck_assert_msg(fast == full, "size %u type %u aux %u old %llu avail %zu: %ld vs %ld", size, type,
                  aux, (unsigned long long)old_ptr, avail, fast, full);
    ck_assert_str_eq(fast_why, why);
}

/* The events' inline check answers as the full one does, near every edge it takes. */
START_TEST(test_event_check_agrees)
{
    static const uint32_t sizes[] = {
        0, 8, 32, 40, 44, 48, 56, 64, TRACE_REC_MAX, TRACE_REC_MAX + 8};
    static const uint16_t types[] = {0,
                                     TRACE_REC_PAD,
                                     TRACE_REC_STACK,
                                     TRACE_REC_ALLOC,
                                     TRACE_REC_FREE,
                                     TRACE_REC_REALLOC,
                                     TRACE_REC_END,
                                     TRACE_REC_TYPE_LIMIT};
    static const uint16_t auxes[] = {0, KIND_LIMIT - 1, KIND_LIMIT, 0xffff};
    static const size_t avails[] = {0, 7, 8, 39, 40, 47, 48, 55, 56, TRACE_REC_MAX};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
        for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
            for (size_t a = 0; a < sizeof(auxes) / sizeof(auxes[0]); a++)
                for (size_t v = 0; v < sizeof(avails) / sizeof(avails[0]); v++) {
                    expect_same_check(sizes[s], types[t], auxes[a], 0, avails[v]);
                    expect_same_check(sizes[s], types[t], auxes[a], 0x1000, avails[v]);
                }
}
END_TEST

START_TEST(test_bad_kind)
{
    expect_corrupt(trace_hdr_word(48, TRACE_REC_ALLOC, KIND_LIMIT), "allocation kind out of range");
}
END_TEST

START_TEST(test_torn_tail)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 8, 0);
    size_t good = g.len;
    tracegen_alloc(&g, KIND_MALLOC, 0x2000, 8, 0);
    path = tracegen_tmp(&g, g.len - 5);
    struct reader r;
    unsigned types[4];
    ck_assert_int_eq(read_all(&r, types, 4), 1);
    ck_assert_int_eq(r.stop, READER_TORN);
    ck_assert_uint_eq(r.good_end, good);
    reader_close(&r);
}
END_TEST

START_TEST(test_zero_word_ends_data)
{
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 8, 0);
    size_t good = g.len;
    uint64_t zero[2] = {0, 0xdeadbeef};
    tracegen_raw(&g, zero, sizeof(zero));
    path = tracegen_tmp(&g, g.len);
    struct reader r;
    unsigned types[4];
    ck_assert_int_eq(read_all(&r, types, 4), 1);
    ck_assert_int_eq(r.stop, READER_EOF);
    ck_assert_uint_eq(r.good_end, good);
    reader_close(&r);
}
END_TEST

/* More data than one buffer: every record arrives, whole and aligned, across refills. */
START_TEST(test_larger_than_buffer)
{
    int n = 3 * READER_BUF / 48 + 17;
    uint64_t frames[7] = {1, 2, 3, 4, 5, 6, 7}; /* 72-byte records shift the phase */
    for (int i = 0; i < n; i++) {
        if (i % 5 == 0)
            tracegen_stack(&g, (uint32_t)i + 1, 7, frames);
        tracegen_alloc(&g, KIND_MALLOC, 0x1000 + (uint64_t)i * 16, 8, 0);
    }
    path = tracegen_tmp(&g, g.len);
    struct reader r;
    unsigned types[1];
    ck_assert_int_eq(read_all(&r, types, 1), n + (n + 4) / 5);
    ck_assert_int_eq(r.stop, READER_EOF);
    ck_assert_uint_eq(r.good_end, g.len);
    reader_close(&r);
}
END_TEST

/* Version 2. Ten allocations and frees after a process record, then an end record. */
static void some_records(void)
{
    const char *argv[] = {"prog"};
    tracegen_process(&g, "/bin/prog", 1, argv);
    for (uint64_t i = 0; i < 10; i++) {
        tracegen_alloc(&g, KIND_MALLOC, 0x5000 + i * 32, 24 + i, 0);
        if (i % 2)
            tracegen_free(&g, KIND_MALLOC, 0x5000 + i * 32);
    }
    tracegen_end(&g, 0, 0, 0);
}

/* File offsets of g's frames (a version-2 trace): *n of them, the last one at [*n - 1]. */
static size_t frame_at(size_t want, size_t *n)
{
    size_t at = tracegen_header(&g)->data_offset, found = 0, want_at = 0;
    while (at < g.len) {
        struct trace_frame f;
        memcpy(&f, g.buf + at, sizeof(f));
        if (found++ == want)
            want_at = at;
        at += sizeof(f) + f.stored;
    }
    *n = found;
    return want_at;
}

START_TEST(test_frames_in_order)
{
    for (int zstd = 0; zstd < 2; zstd++) {
        tracegen_fini(&g);
        tracegen_init(&g, 100, 1);
        some_records();
        ck_assert_uint_eq(tracegen_frames(&g, 4, zstd), 5); /* 17 records */
        path = tracegen_tmp(&g, g.len);
        struct reader r;
        unsigned types[20];
        ck_assert_int_eq(read_all(&r, types, 20), 17);
        ck_assert_uint_eq(types[0], TRACE_REC_PROCESS);
        ck_assert_uint_eq(types[1], TRACE_REC_ALLOC);
        ck_assert_uint_eq(types[16], TRACE_REC_END);
        ck_assert_int_eq(r.stop, READER_EOF);
        ck_assert_uint_eq(r.good_end, g.len);
        ck_assert_uint_eq(r.frames_read, 5);
        reader_close(&r);
    }
}
END_TEST

/* A frame cut short at the end is dropped, the frames before it are read. */
START_TEST(test_torn_frame)
{
    some_records();
    tracegen_frames(&g, 4, 1);
    size_t n, last = frame_at(4, &n);
    ck_assert_uint_eq(n, 5);
    for (size_t cut = last + 3; cut < g.len; cut += (g.len - last) / 2) {
        path = tracegen_tmp(&g, cut);
        struct reader r;
        unsigned types[20];
        ck_assert_int_eq(read_all(&r, types, 20), 16);
        ck_assert_int_eq(r.stop, READER_TORN);
        ck_assert_str_eq(r.torn, "frame");
        ck_assert_uint_eq(reader_stop_offset(&r), last);
        reader_close(&r);
    }
}
END_TEST

/* Any byte changed in a frame stops the reading at that frame, after the ones before. */
START_TEST(test_flipped_frame)
{
    some_records();
    tracegen_frames(&g, 4, 1);
    size_t n, second = frame_at(1, &n), third = frame_at(2, &n);
    for (size_t at = second; at < third; at++) {
        g.buf[at] ^= 0x10;
        path = tracegen_tmp(&g, g.len);
        struct reader r;
        unsigned types[20];
        ck_assert_int_eq(read_all(&r, types, 20), 4);
        /* a longer `stored` may reach past the end of the file: a torn frame, then */
        if (at < second + offsetof(struct trace_frame, packed))
            ck_assert_int_ne(r.stop, READER_EOF);
        else
            ck_assert_int_eq(r.stop, READER_CORRUPT);
        ck_assert_uint_eq(reader_stop_offset(&r), second);
        if (at >= second + sizeof(struct trace_frame))
            ck_assert_str_eq(r.why, "frame checksum mismatch");
        reader_close(&r);
        g.buf[at] ^= 0x10;
    }
}
END_TEST

/* Re-seal the frame at `at` after its header was changed. */
static void reseal(size_t at)
{
    struct trace_frame f;
    memcpy(&f, g.buf + at, sizeof(f));
    f.crc = frame_crc(&f, g.buf + at + sizeof(f));
    memcpy(g.buf + at, &f, sizeof(f));
}

/* The second of five frames, its field at byte `field` set to value: `before` records
 * read, then a stop at that frame for `why`. */
static void expect_bad_frame(size_t field, uint32_t value, int before, const char *why)
{
    some_records();
    tracegen_frames(&g, 4, 1);
    size_t n, second = frame_at(1, &n);
    memcpy(g.buf + second + field, &value, sizeof(value));
    reseal(second);
    path = tracegen_tmp(&g, g.len);
    struct reader r;
    unsigned types[20];
    ck_assert_int_eq(read_all(&r, types, 20), before);
    ck_assert_int_eq(r.stop, READER_CORRUPT);
    ck_assert_str_eq(r.why, why);
    ck_assert_uint_eq(reader_stop_offset(&r), second);
    reader_close(&r);
}

START_TEST(test_frame_fields)
{
    /* known once its records are out */
    expect_bad_frame(offsetof(struct trace_frame, count), 5, 8, "frame record count mismatch");
}
END_TEST

START_TEST(test_frame_ring_order)
{
    expect_bad_frame(offsetof(struct trace_frame, ring_start), 8, 4, "frame out of ring order");
}
END_TEST

START_TEST(test_frame_codec)
{
    expect_bad_frame(offsetof(struct trace_frame, codec), 7, 4, "unknown frame codec");
}
END_TEST

START_TEST(test_frame_packed_length)
{
    expect_bad_frame(offsetof(struct trace_frame, packed), 3, 4,
                     "frame holds more than its length");
}
END_TEST

/*
 * A process killed with records still in the ring: the frames hold the first ones, the
 * ring area (read from the last frame's ring_end, as the ring control says) the rest.
 */
START_TEST(test_frames_then_ring)
{
    some_records();
    struct trace_file_header *h = tracegen_header(&g);
    size_t data = h->data_offset, len = g.len - data, drained = 0, kept = 0;
    while (kept < 9) { /* the first 9 records go to frames */
        struct trace_rec_hdr rh;
        memcpy(&rh, g.buf + data + drained, sizeof(rh));
        drained += rh.size;
        kept++;
    }
    ck_assert_uint_le(len, TRACEGEN_RING);
    struct trace_ring_ctl ctl = {.head = len, .tail = drained};
    memcpy(g.buf + TRACE_RING_CTL_OFFSET, &ctl, sizeof(ctl));
    memcpy(g.buf + h->ring_offset + drained, g.buf + data + drained, len - drained);
    unsigned char *frames = NULL;
    size_t frames_len = 0;
    tracegen_pack_frames(g.buf + data, drained, 4, 1, &frames, &frames_len);
    h->version = TRACE_VERSION;
    g.len = data;
    tracegen_raw(&g, frames, frames_len);
    free(frames);
    path = tracegen_tmp(&g, g.len);
    struct reader r;
    unsigned types[20];
    ck_assert_int_eq(read_all(&r, types, 20), 17);
    ck_assert_uint_eq(types[16], TRACE_REC_END);
    ck_assert_uint_eq(r.ring_records, 8);
    ck_assert_int_eq(r.stop, READER_EOF);
    reader_close(&r);
}
END_TEST

static Suite *reader_suite(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_records_in_order);
    tcase_add_test(tc, test_bad_magic);
    tcase_add_test(tc, test_bad_version);
    tcase_add_test(tc, test_bad_header_fields);
    tcase_add_test(tc, test_truncated_header);
    tcase_add_test(tc, test_short_header_of_older_writer);
    tcase_add_test(tc, test_short_foreign_file);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_bad_size);
    tcase_add_test(tc, test_unknown_type);
    tcase_add_test(tc, test_bad_check);
    tcase_add_test(tc, test_bad_kind);
    tcase_add_test(tc, test_event_check_agrees);
    tcase_add_test(tc, test_type_without_struct);
    tcase_add_test(tc, test_pool_records);
    tcase_add_test(tc, test_pool_null_block);
    tcase_add_test(tc, test_pool_long_name);
    tcase_add_test(tc, test_torn_tail);
    tcase_add_test(tc, test_zero_word_ends_data);
    tcase_add_test(tc, test_larger_than_buffer);
    tcase_add_test(tc, test_frames_in_order);
    tcase_add_test(tc, test_torn_frame);
    tcase_add_test(tc, test_flipped_frame);
    tcase_add_test(tc, test_frame_fields);
    tcase_add_test(tc, test_frame_ring_order);
    tcase_add_test(tc, test_frame_codec);
    tcase_add_test(tc, test_frame_packed_length);
    tcase_add_test(tc, test_frames_then_ring);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(reader_suite());
}
