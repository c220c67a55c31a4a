/*
 * Unit tests of src/shim/ring.c on plain memory: geometry checks, padding at the end of
 * the area, many producers against one consumer on a small ring that wraps many times
 * (every record exactly once, intact, in per-producer order), and bounded drops when
 * the ring stays full.
 */
#include "check_run.h"
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shim/ring.h"

#define PRODUCERS 6
#define PER_PRODUCER 150000
#define SMALL_RING 16384

/* Test record: header, producer, sequence, then a payload derived from both. */
struct test_rec {
    struct trace_rec_hdr h;
    uint32_t producer;
    uint32_t seq;
};

struct fixture {
    struct trace_ring_ctl ctl;
    struct ring ring;
    unsigned char *area;
    _Atomic int producers_done;
    uint32_t next_seq[PRODUCERS];
    uint64_t received;
    int errors;
};

static struct fixture *fixture_new(uint64_t size)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->area = aligned_alloc(64, size);
    memset(f->area, 0, size);
    ck_assert_int_eq(ring_init(&f->ring, &f->ctl, f->area, size), 0);
    return f;
}

static void fixture_free(struct fixture *f)
{
    free(f->area);
    free(f);
}

static uint32_t rec_size(uint32_t producer, uint32_t seq)
{
    return (uint32_t)sizeof(struct test_rec) + 8u * ((producer * 7u + seq * 13u) % 40u);
}

static unsigned char pattern(uint32_t producer, uint32_t seq, uint32_t i)
{
    return (unsigned char)(producer * 31u + seq * 17u + i);
}

static int push(struct ring *r, uint32_t producer, uint32_t seq)
{
    uint32_t size = rec_size(producer, seq);
    struct test_rec *t = ring_reserve(r, size);
    if (!t)
        return -1;
    t->producer = producer;
    t->seq = seq;
    unsigned char *body = (unsigned char *)(t + 1);
    for (uint32_t i = 0; i < size - sizeof(*t); i++)
        body[i] = pattern(producer, seq, i);
    ring_commit(t, trace_hdr_word(size, TRACE_REC_ALLOC, 0));
    return 0;
}

static int check_sink(const void *rec, size_t size, void *arg)
{
    struct fixture *f = arg;
    const struct test_rec *t = rec;
    if (t->h.type == TRACE_REC_PAD)
        return 0;
    int bad = t->h.type != TRACE_REC_ALLOC || t->producer >= PRODUCERS ||
              t->seq != f->next_seq[t->producer] || size != rec_size(t->producer, t->seq);
    const unsigned char *body = (const unsigned char *)(t + 1);
    for (uint32_t i = 0; !bad && i < size - sizeof(*t); i++)
        bad = body[i] != pattern(t->producer, t->seq, i);
    f->errors += bad;
    if (!bad)
        f->next_seq[t->producer]++;
    f->received++;
    return 0;
}

static int count_sink(const void *rec, size_t size, void *arg)
{
    (void)rec;
    (void)size;
    ((struct fixture *)arg)->received++;
    return 0;
}

START_TEST(test_init_rejects_bad_sizes)
{
    struct trace_ring_ctl ctl = {0};
    struct ring r;
    static unsigned char area[RING_MIN_BYTES * 2];
    ck_assert_int_lt(ring_init(&r, &ctl, area, RING_MIN_BYTES / 2), 0);
    ck_assert_int_lt(ring_init(&r, &ctl, area, RING_MIN_BYTES + 8), 0);
    ck_assert_int_eq(ring_init(&r, &ctl, area, RING_MIN_BYTES), 0);
}
END_TEST

START_TEST(test_pad_at_end)
{
    struct fixture *f = fixture_new(RING_MIN_BYTES);
    uint32_t n = 0;
    /* Fill to 40 bytes short of the end, drain, then a 64-byte record must pad first. */
    while (f->ctl.head + 2 * sizeof(struct test_rec) + 40 <= RING_MIN_BYTES) {
        struct test_rec *t = ring_reserve(&f->ring, sizeof(*t));
        ck_assert_ptr_nonnull(t);
        ring_commit(t, trace_hdr_word(sizeof(*t), TRACE_REC_FREE, 0));
        n++;
    }
    ck_assert_int_eq(ring_drain(&f->ring, count_sink, f), (long)(n * sizeof(struct test_rec)));
    uint64_t before = f->ctl.head;
    ck_assert_uint_lt(RING_MIN_BYTES - before, 128);
    void *slot = ring_reserve(&f->ring, 128);
    ck_assert_ptr_eq(slot, f->area);
    ck_assert_uint_eq(f->ctl.head, RING_MIN_BYTES + 128);
    const struct trace_rec_hdr *pad = (const void *)(f->area + before);
    ck_assert_uint_eq(pad->type, TRACE_REC_PAD);
    ck_assert_uint_eq(pad->size, RING_MIN_BYTES - before);
    /* Not committed yet: the drain passes the PAD and stops at the slot. */
    ck_assert_int_eq(ring_drain(&f->ring, count_sink, f), (long)(RING_MIN_BYTES - before));
    ring_commit(slot, trace_hdr_word(128, TRACE_REC_FREE, 0));
    ck_assert_int_eq(ring_drain(&f->ring, count_sink, f), 128);
    ck_assert_uint_eq(f->received, n + 2);
    ck_assert_uint_eq(ring_used(&f->ring), 0);
    for (uint64_t i = 0; i < RING_MIN_BYTES; i++)
        ck_assert_uint_eq(f->area[i], 0);
    fixture_free(f);
}
END_TEST

struct producer_arg {
    struct fixture *f;
    uint32_t id;
};

static void *producer(void *arg)
{
    struct producer_arg *a = arg;
    for (uint32_t seq = 0; seq < PER_PRODUCER; seq++)
        if (push(&a->f->ring, a->id, seq) < 0)
            abort(); /* wait_ns is long: a drop here is a bug */
    atomic_fetch_add(&a->f->producers_done, 1);
    return NULL;
}

static void *consumer(void *arg)
{
    struct fixture *f = arg;
    for (;;) {
        int done = atomic_load(&f->producers_done) == PRODUCERS;
        long n = ring_drain(&f->ring, check_sink, f);
        if (n < 0)
            abort();
        if (done && ring_used(&f->ring) == 0)
            break;
        if (n == 0)
            sched_yield();
    }
    return NULL;
}

START_TEST(test_many_producers_wrap)
{
    struct fixture *f = fixture_new(SMALL_RING);
    f->ring.wait_ns = 30ull * 1000 * 1000 * 1000;
    pthread_t c, p[PRODUCERS];
    struct producer_arg args[PRODUCERS];
    ck_assert_int_eq(pthread_create(&c, NULL, consumer, f), 0);
    for (uint32_t i = 0; i < PRODUCERS; i++) {
        args[i] = (struct producer_arg){f, i};
        ck_assert_int_eq(pthread_create(&p[i], NULL, producer, &args[i]), 0);
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(p[i], NULL);
    pthread_join(c, NULL);
    ck_assert_int_eq(f->errors, 0);
    ck_assert_uint_eq(f->received, (uint64_t)PRODUCERS * PER_PRODUCER);
    for (int i = 0; i < PRODUCERS; i++)
        ck_assert_uint_eq(f->next_seq[i], PER_PRODUCER);
    ck_assert_uint_eq(ring_dropped(&f->ring), 0);
    ck_assert_uint_gt(f->ctl.head, 100u * SMALL_RING); /* wrapped many times */
    fixture_free(f);
}
END_TEST

START_TEST(test_full_ring_drops_and_counts)
{
    struct fixture *f = fixture_new(RING_MIN_BYTES);
    f->ring.wait_ns = 1000 * 1000;
    uint32_t ok = 0, failed = 0;
    for (uint32_t seq = 0; seq < 1000; seq++) {
        if (push(&f->ring, 0, ok) == 0)
            ok++;
        else
            failed++;
    }
    ck_assert_uint_gt(ok, 0);
    ck_assert_uint_gt(failed, 0);
    ck_assert_uint_eq(ring_dropped(&f->ring), failed);
    ck_assert_uint_le(ring_used(&f->ring), RING_MIN_BYTES);
    ring_drain(&f->ring, check_sink, f);
    ck_assert_int_eq(f->errors, 0);
    ck_assert_uint_eq(f->next_seq[0], ok);
    ck_assert_int_eq(push(&f->ring, 0, ok), 0); /* room again after the drain */
    fixture_free(f);
}
END_TEST

START_TEST(test_drain_rejects_garbage)
{
    struct fixture *f = fixture_new(RING_MIN_BYTES);
    uint64_t word = trace_hdr_word(12, TRACE_REC_ALLOC, 0); /* size not a multiple of 8 */
    memcpy(f->area, &word, sizeof(word));
    f->ctl.head = 16;
    ck_assert_int_lt(ring_drain(&f->ring, check_sink, f), 0);
    fixture_free(f);
}
END_TEST

static Suite *ring_suite(void)
{
    Suite *s = suite_create("ring");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_init_rejects_bad_sizes);
    tcase_add_test(tc, test_pad_at_end);
    tcase_add_test(tc, test_many_producers_wrap);
    tcase_add_test(tc, test_full_ring_drops_and_counts);
    tcase_add_test(tc, test_drain_rejects_garbage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(ring_suite());
}
