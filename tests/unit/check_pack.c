/* Unit tests of src/trace/pack.c: packed records unpack to the bytes that were packed,
 * repeats cost a byte or two, and bad packed bytes are refused, never read past. */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <string.h>

#include "trace/pack.h"

/* Records in the order a stream would carry them, and their packed form. */
static struct pack_state packer, unpacker;
static unsigned char packed[64 * PACK_RECORD_MAX];
static size_t packed_len;

static void setup(void)
{
    pack_reset(&packer, 1);
    pack_reset(&unpacker, 1);
    packed_len = 0;
}

/* Pack rec; the bytes it took. */
static size_t pack(const void *rec)
{
    size_t n = pack_record(&packer, rec, packed + packed_len);
    ck_assert_uint_le(n, PACK_RECORD_MAX);
    packed_len += n;
    return n;
}

/* Unpack the next record at *at and compare it with rec byte for byte. */
static void expect_next(size_t *at, const void *rec)
{
    union {
        uint64_t align;
        unsigned char bytes[TRACE_REC_MAX];
    } out;
    const char *why = NULL;
    long n = pack_unpack(&unpacker, packed + *at, packed_len - *at, out.bytes, &why);
    ck_assert_msg(n > 0, "unpack failed: %s", why ? why : "?");
    const struct trace_rec_hdr *h = rec;
    ck_assert_mem_eq(out.bytes, rec, h->size);
    *at += (size_t)n;
}

/* Pack the n records, then unpack them: each must come back as it was. */
static void round_trip(const void *const *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pack(recs[i]);
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        expect_next(&at, recs[i]);
    ck_assert_uint_eq(at, packed_len);
}

static struct trace_rec_alloc alloc_rec(uint64_t ptr, uint64_t size, uint64_t t, uint32_t stack)
{
    return (struct trace_rec_alloc){
        {sizeof(struct trace_rec_alloc), TRACE_REC_ALLOC, KIND_NEW}, ptr, size, t, stack, 4242};
}

static struct trace_rec_free free_rec(uint64_t ptr, uint64_t t, uint32_t stack, uint32_t tid)
{
    return (struct trace_rec_free){
        {sizeof(struct trace_rec_free), TRACE_REC_FREE, KIND_NEW}, ptr, t, stack, tid};
}

START_TEST(test_hot_records_round_trip)
{
    struct trace_rec_alloc a = alloc_rec(0x5555aaaa1000, 100, 1000000123, 7);
    struct trace_rec_free f = free_rec(0x5555aaaa1000, 1000000456, 9, 4242);
    struct trace_rec_realloc r = {{sizeof(r), TRACE_REC_REALLOC, KIND_MALLOC},
                                  0x5555aaaa2000,
                                  0x7f0000001230,
                                  4096,
                                  999,
                                  3,
                                  77};
    struct trace_rec_realloc failed = {
        {sizeof(r), TRACE_REC_REALLOC, KIND_MALLOC}, 0x5555aaaa3000, 0, 1u << 30, 2000, 3, 77};
    struct trace_rec_free odd = free_rec(0x5555aaaa1003, 2100, 0, 78); /* unaligned */
    const void *const recs[] = {&a, &f, &r, &failed, &odd};
    round_trip(recs, 5);
}
END_TEST

/* A free of the block just allocated, by the same thread soon after: a few bytes. */
START_TEST(test_repeats_are_small)
{
    struct trace_rec_alloc a = alloc_rec(0x5555aaaa1000, 48, 5000, 12);
    struct trace_rec_free f = free_rec(0x5555aaaa1000, 5050, 13, 4242);
    struct trace_rec_alloc again = alloc_rec(0x5555aaaa1000, 48, 5100, 12);
    pack(&a);
    ck_assert_uint_le(pack(&f), 4);     /* tag, time, window index 0, stack */
    ck_assert_uint_le(pack(&again), 5); /* tag, time, window, size, stack */
    size_t at = 0;
    expect_next(&at, &a);
    expect_next(&at, &f);
    expect_next(&at, &again);
}
END_TEST

/* Pointers far back in the window are found too (a block freed long after). */
START_TEST(test_window_reaches_back)
{
    struct trace_rec_alloc first = alloc_rec(0x10000, 16, 1, 1);
    pack(&first);
    for (uint64_t i = 1; i < 40; i++) {
        struct trace_rec_alloc a = alloc_rec(0x10000 + i * 0x10000, 16, 1 + i, 1);
        pack(&a);
    }
    struct trace_rec_free f = free_rec(0x10000, 100, 1, 4242);
    ck_assert_uint_le(pack(&f), 4);
    size_t at = 0;
    expect_next(&at, &first);
    for (uint64_t i = 1; i < 40; i++) {
        struct trace_rec_alloc a = alloc_rec(0x10000 + i * 0x10000, 16, 1 + i, 1);
        expect_next(&at, &a);
    }
    expect_next(&at, &f);
}
END_TEST

/* A record of no packed form (longer than its struct, a pointer difference that needs all
 * 64 bits) travels verbatim and changes no state. */
START_TEST(test_verbatim)
{
    union {
        struct trace_rec_alloc a;
        unsigned char bytes[sizeof(struct trace_rec_alloc) + 8];
    } longer = {.a = alloc_rec(0x1000, 8, 10, 1)};
    longer.a.h.size = sizeof(longer);
    longer.bytes[sizeof(longer) - 1] = 0xab;
    struct trace_rec_free far = free_rec(0x8000000000000001ull, 20, 1, 4242);
    struct trace_rec_end end = {{sizeof(end), TRACE_REC_END, 0}, 3, TRACE_END_EXIT, 30, 0, 5};
    const void *const recs[] = {&longer, &far, &end};
    round_trip(recs, 3);
    ck_assert_uint_eq(packed_len, 3 + sizeof(longer) + sizeof(far) + sizeof(end));
}
END_TEST

/* Stacks that share their outer frames are sent as the frames that differ. */
START_TEST(test_stacks)
{
    struct {
        struct trace_rec_stack s;
        uint64_t frames[6];
    } one = {{{sizeof(one), TRACE_REC_STACK, 0}, 1, 6},
             {0x401010, 0x401200, 0x402000, 0x7f0000100000, 0x7f0000100400, 0x400800}},
      two = {{{sizeof(two), TRACE_REC_STACK, 0}, 2, 6},
             {0x401020, 0x401210, 0x402000, 0x7f0000100000, 0x7f0000100400, 0x400800}};
    struct {
        struct trace_rec_stack s;
        uint64_t frames[2];
    } short_one = {{{sizeof(short_one), TRACE_REC_STACK, 0}, 9, 2}, {0x500000, 0x400800}};
    const void *const recs[] = {&one, &two, &short_one};
    round_trip(recs, 3);
    struct pack_state fresh;
    pack_reset(&fresh, 1);
    size_t first = pack_record(&fresh, &one.s.h, packed);
    /* tag, id, depth, shared 4, two small differences */
    ck_assert_uint_lt(pack_record(&fresh, &two.s.h, packed + first), 12);
}
END_TEST

/* With a time unit, times come back rounded down to a multiple of it. */
START_TEST(test_time_unit)
{
    pack_reset(&packer, 1000);
    pack_reset(&unpacker, 1000);
    struct trace_rec_alloc a = alloc_rec(0x1000, 8, 1234567, 1);
    pack(&a);
    union {
        uint64_t align;
        unsigned char bytes[TRACE_REC_MAX];
    } out;
    const char *why;
    ck_assert_int_gt(pack_unpack(&unpacker, packed, packed_len, out.bytes, &why), 0);
    ck_assert_uint_eq(((struct trace_rec_alloc *)(void *)out.bytes)->time_ns, 1234000);
}
END_TEST

/* Pack rec alone, then unpack it with no byte to spare after it (the bytes of its last
 * varints checked one by one) and with room to read whole words after each varint. */
static void expect_either_way(const struct trace_rec_alloc *rec)
{
    setup();
    size_t n = pack(rec), at = 0;
    expect_next(&at, rec);
    ck_assert_uint_eq(at, n);
    memset(packed + n, 0xff, 16); /* continuation bits: a reader must not take them */
    packed_len = n + 16;
    pack_reset(&unpacker, 1);
    at = 0;
    expect_next(&at, rec);
    ck_assert_uint_eq(at, n);
}

/* Varints of every length from 1 to 10 bytes, in every field, unpack alike either way. */
START_TEST(test_long_varints_either_way)
{
    for (unsigned bits = 0; bits < 64; bits++) {
        uint64_t v = UINT64_C(1) << bits, big = v | (v - 1);
        struct trace_rec_alloc a =
            alloc_rec(0x7f0000001230 + (big << 4), big, big >> 1, (uint32_t)big);
        expect_either_way(&a);
        a = alloc_rec(0x1000, v, 1000 + (v >> 1), 7);
        expect_either_way(&a);
    }
}
END_TEST

static void expect_refused(const unsigned char *in, size_t n, const char *why_wanted)
{
    union {
        uint64_t align;
        unsigned char bytes[TRACE_REC_MAX];
    } out;
    const char *why = NULL;
    pack_reset(&unpacker, 1);
    ck_assert_int_eq(pack_unpack(&unpacker, in, n, out.bytes, &why), -EINVAL);
    ck_assert_str_eq(why, why_wanted);
}

START_TEST(test_bad_bytes)
{
    static const unsigned char cut[] = {PACK_ALLOC, 0x80};
    static const unsigned char op[] = {7};
    static const unsigned char window[] = {PACK_FREE, 0, 3, 0}; /* index 3 of nothing */
    static const unsigned char verbatim[] = {PACK_VERBATIM, 12, 0, 0, 0, 6, 0, 0, 0};
    static const unsigned char depth[] = {PACK_STACK, 0, 0x81, 0x02, 0};
    static const unsigned char shared[] = {PACK_STACK, 0, 2, 1};
    static const unsigned char longer[] = {PACK_FREE, 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff,      0xff, 0xff, 0xff, 0xff, 0x01};
    expect_refused(cut, sizeof(cut), "packed record cut short");
    expect_refused(cut, 0, "packed record cut short");
    expect_refused(op, sizeof(op), "unknown packed record op");
    expect_refused(window, sizeof(window), "pointer window index out of range");
    expect_refused(verbatim, sizeof(verbatim), "bad size of a verbatim record");
    expect_refused(verbatim, 5, "packed record cut short");
    expect_refused(depth, sizeof(depth), "bad depth of a packed stack");
    expect_refused(shared, sizeof(shared), "bad depth of a packed stack");
    expect_refused(longer, sizeof(longer), "varint too long in a packed record");
    unsigned char roomy[sizeof(longer) + 16] = {0}; /* the same with bytes to spare */
    memcpy(roomy, longer, sizeof(longer));
    expect_refused(roomy, sizeof(roomy), "varint too long in a packed record");
    expect_refused(longer, sizeof(longer) - 3, "packed record cut short");
}
END_TEST

static Suite *pack_suite(void)
{
    Suite *s = suite_create("pack");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_hot_records_round_trip);
    tcase_add_test(tc, test_repeats_are_small);
    tcase_add_test(tc, test_window_reaches_back);
    tcase_add_test(tc, test_verbatim);
    tcase_add_test(tc, test_stacks);
    tcase_add_test(tc, test_time_unit);
    tcase_add_test(tc, test_bad_bytes);
    tcase_add_test(tc, test_long_varints_either_way);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(pack_suite());
}
