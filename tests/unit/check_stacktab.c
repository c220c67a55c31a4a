/*
 * Unit tests of src/shim/stacktab.c on calloc'd memory: equal stacks share an id,
 * distinct stacks get distinct ids from 1 up, each id is published exactly once and
 * before it is handed out, many threads agree on ids, and a full table or a failed
 * publication degrades to id 0 without blocking.
 */
#include "check_run.h"
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shim/stacktab.h"

#define MAX_IDS 4096
#define THREADS 8
#define DISTINCT 500

struct published {
    _Atomic int count[MAX_IDS];
    _Atomic int fail_next; /* drop this many publications */
};

static int publish(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg)
{
    struct published *p = arg;
    (void)frames;
    (void)depth;
    if (atomic_load(&p->fail_next) > 0) {
        atomic_fetch_sub(&p->fail_next, 1);
        return -1;
    }
    if (id < MAX_IDS)
        atomic_fetch_add(&p->count[id], 1);
    return 0;
}

static struct stacktab *table_new(uint32_t nslots, uint32_t nframes, struct published *p)
{
    struct stacktab *t = calloc(1, sizeof(*t));
    void *mem = calloc(1, stacktab_mem_size(nslots, nframes));
    ck_assert_int_eq(stacktab_init(t, mem, nslots, nframes, publish, p), 0);
    return t;
}

static void table_free(struct stacktab *t)
{
    free(t->slots);
    free(t);
}

/* Stack number k: depth 1..16, addresses derived from k. */
static uint32_t make_stack(uint32_t k, uint64_t *f)
{
    uint32_t depth = 1 + k % 16;
    for (uint32_t i = 0; i < depth; i++)
        f[i] = 0x400000u + k * 0x1000u + i * 8u;
    return depth;
}

START_TEST(test_same_and_distinct)
{
    struct published *p = calloc(1, sizeof(*p));
    struct stacktab *t = table_new(1024, 1 << 16, p);
    uint64_t f[16];
    for (uint32_t k = 0; k < 100; k++) {
        uint32_t d = make_stack(k, f);
        ck_assert_uint_eq(stacktab_get(t, f, d), k + 1);
        ck_assert_int_eq(atomic_load(&p->count[k + 1]), 1);
    }
    for (uint32_t k = 0; k < 100; k++) {
        uint32_t d = make_stack(k, f);
        ck_assert_uint_eq(stacktab_get(t, f, d), k + 1);
    }
    /* Same addresses, different depth: a different stack. */
    uint32_t d = make_stack(3, f);
    ck_assert_uint_eq(stacktab_get(t, f, d - 1), 101);
    ck_assert_uint_eq(stacktab_count(t), 101);
    for (uint32_t id = 1; id <= 101; id++)
        ck_assert_int_eq(atomic_load(&p->count[id]), 1);
    table_free(t);
    free(p);
}
END_TEST

struct worker {
    struct stacktab *t;
    struct published *p;
    uint32_t seed;
    uint32_t ids[DISTINCT];
    int unpublished;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    uint64_t f[16];
    for (uint32_t round = 0; round < 4; round++) {
        for (uint32_t i = 0; i < DISTINCT; i++) {
            uint32_t k = (i * 7919u + w->seed * 104729u + round) % DISTINCT;
            uint32_t d = make_stack(k, f);
            uint32_t id = stacktab_get(w->t, f, d);
            if (id == 0 || atomic_load(&w->p->count[id]) != 1)
                w->unpublished++;
            if (w->ids[k] && w->ids[k] != id)
                w->unpublished++;
            w->ids[k] = id;
        }
    }
    return NULL;
}

/* A caller's memo hashes once and looks up with the hash: the same ids as stacktab_get. */
START_TEST(test_hashed_lookup_agrees)
{
    struct published *p = calloc(1, sizeof(*p));
    struct stacktab *t = table_new(1024, 1 << 16, p);
    uint64_t f[16];
    for (uint32_t k = 0; k < 50; k++) {
        uint32_t d = make_stack(k, f);
        ck_assert_uint_eq(stacktab_get_hashed(t, f, d, stacktab_hash(f, d)), k + 1);
    }
    for (uint32_t k = 0; k < 50; k++) {
        uint32_t d = make_stack(k, f);
        ck_assert_uint_eq(stacktab_get(t, f, d), k + 1);
        ck_assert_int_eq(atomic_load(&p->count[k + 1]), 1);
    }
    ck_assert_uint_ne(stacktab_hash(f, 2), stacktab_hash(f, 3));
    table_free(t);
    free(p);
}
END_TEST

START_TEST(test_threads_agree)
{
    struct published *p = calloc(1, sizeof(*p));
    struct stacktab *t = table_new(2048, 1 << 16, p);
    static struct worker w[THREADS];
    pthread_t th[THREADS];
    for (uint32_t i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i] = (struct worker){.t = t, .p = p, .seed = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    ck_assert_uint_eq(stacktab_count(t), DISTINCT);
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(w[i].unpublished, 0);
        for (int k = 0; k < DISTINCT; k++)
            ck_assert_uint_eq(w[i].ids[k], w[0].ids[k]);
    }
    for (uint32_t id = 1; id <= DISTINCT; id++)
        ck_assert_int_eq(atomic_load(&p->count[id]), 1);
    table_free(t);
    free(p);
}
END_TEST

START_TEST(test_full_table_degrades)
{
    struct published *p = calloc(1, sizeof(*p));
    struct stacktab *t = table_new(16, 1 << 12, p); /* 12 ids at most */
    uint64_t f[16];
    uint32_t k = 0;
    for (; k < 12; k++)
        ck_assert_uint_eq(stacktab_get(t, f, make_stack(k, f)), k + 1);
    ck_assert_uint_eq(stacktab_get(t, f, make_stack(k, f)), 0);
    ck_assert_uint_eq(stacktab_get(t, f, make_stack(5, f)), 6); /* old ones still found */
    table_free(t);

    t = table_new(1024, 20, p);                                  /* frames arena of 20 addresses */
    ck_assert_uint_eq(stacktab_get(t, f, make_stack(15, f)), 1); /* 16 frames */
    ck_assert_uint_eq(stacktab_get(t, f, make_stack(14, f)), 0); /* 15 more: no room */
    ck_assert_uint_eq(stacktab_get(t, f, make_stack(16, f)), 2); /* 1 frame fits */
    table_free(t);
    free(p);
}
END_TEST

START_TEST(test_failed_publication_retries)
{
    struct published *p = calloc(1, sizeof(*p));
    struct stacktab *t = table_new(64, 1 << 10, p);
    uint64_t f[16];
    uint32_t d = make_stack(7, f);
    atomic_store(&p->fail_next, 1);
    ck_assert_uint_eq(stacktab_get(t, f, d), 0);
    ck_assert_int_eq(atomic_load(&p->count[1]), 0);
    ck_assert_uint_eq(stacktab_get(t, f, d), 1);
    ck_assert_int_eq(atomic_load(&p->count[1]), 1);
    ck_assert_uint_eq(stacktab_get(t, f, d), 1);
    ck_assert_int_eq(atomic_load(&p->count[1]), 1);
    table_free(t);
    free(p);
}
END_TEST

START_TEST(test_init_rejects)
{
    struct stacktab t;
    static uint64_t mem[64];
    ck_assert_int_lt(stacktab_init(&t, mem, 12, 4, publish, NULL), 0);
    ck_assert_int_lt(stacktab_init(&t, mem, 8, 0, publish, NULL), 0);
}
END_TEST

/* A forked child: every stack is published again, ids unchanged; a half-filled slot goes. */
START_TEST(test_fork_republishes)
{
    struct published *p = calloc(1, sizeof(*p));
    struct stacktab *t = table_new(1024, 1 << 16, p);
    uint64_t f[16];
    for (uint32_t k = 0; k < 50; k++) {
        uint32_t d = make_stack(k, f);
        ck_assert_uint_eq(stacktab_get(t, f, d), k + 1);
    }
    t->slots[1023].state = 1; /* FILLING: its thread vanished at the fork */
    stacktab_forget_published(t);
    ck_assert_uint_eq(t->slots[1023].state, 0);
    ck_assert_uint_eq(stacktab_publish_all(t), 0);
    for (uint32_t k = 0; k < 50; k++)
        ck_assert_int_eq(atomic_load(&p->count[k + 1]), 2);
    uint32_t d = make_stack(7, f);
    ck_assert_uint_eq(stacktab_get(t, f, d), 8);
    ck_assert_int_eq(atomic_load(&p->count[8]), 2);
    table_free(t);
    free(p);
}
END_TEST

static Suite *stacktab_suite(void)
{
    Suite *s = suite_create("stacktab");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_same_and_distinct);
    tcase_add_test(tc, test_hashed_lookup_agrees);
    tcase_add_test(tc, test_threads_agree);
    tcase_add_test(tc, test_full_table_degrades);
    tcase_add_test(tc, test_failed_publication_retries);
    tcase_add_test(tc, test_init_rejects);
    tcase_add_test(tc, test_fork_republishes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(stacktab_suite());
}
