/* Unit tests of src/analyze/reader.c: header checks, record stream, stops and offsets. */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/reader.h"
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
    tcase_add_test(tc, test_type_without_struct);
    tcase_add_test(tc, test_pool_records);
    tcase_add_test(tc, test_pool_null_block);
    tcase_add_test(tc, test_pool_long_name);
    tcase_add_test(tc, test_torn_tail);
    tcase_add_test(tc, test_zero_word_ends_data);
    tcase_add_test(tc, test_larger_than_buffer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(reader_suite());
}
