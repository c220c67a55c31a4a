/*
 * Unit tests of src/analyze/pools.c: the pools' blocks and leaks grouped by stack, every
 * pool error with the stacks and words that explain it, destroy releasing silently,
 * inherited pools, the superblocks set apart from a replay; then through analyze_trace()
 * on a generated trace, the published leaks, errors and counters.
 */
#include "check_run.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/pools.h"
#include "tracegen.h"

#define PARTS 0x5000 /* a pool handle */
#define CACHE 0x5100 /* another */

static struct errors errs;
static struct pools pools;

static void setup(void)
{
    errors_init(&errs);
    pools_init(&pools, &errs);
}

static void teardown(void)
{
    pools_fini(&pools);
    errors_fini(&errs);
}

/* The record bytes of a create with a name (NULL: unnamed). */
static void create(uint64_t pool, const char *name, uint32_t stack, unsigned flags)
{
    struct {
        struct trace_rec_pool_create r;
        char name[64];
    } rec = {.r = {.h = {.aux = (uint16_t)flags}, .pool = pool, .stack = stack}};
    rec.r.name_len = name ? (uint32_t)strlen(name) : 0;
    if (name)
        memcpy(rec.name, name, rec.r.name_len);
    ck_assert_int_eq(pools_create(&pools, &rec.r), 0);
}

static void alloc(uint64_t pool, uint64_t ptr, uint64_t size, uint32_t stack)
{
    struct trace_rec_pool r = {.pool = pool, .ptr = ptr, .size = size, .stack = stack};
    ck_assert_int_eq(pools_alloc(&pools, &r), 0);
}

static void give_back(uint64_t pool, uint64_t ptr, uint32_t stack)
{
    struct trace_rec_pool r = {.pool = pool, .ptr = ptr, .stack = stack};
    ck_assert_int_eq(pools_free(&pools, &r), 0);
}

static void destroy(uint64_t pool, uint32_t stack)
{
    struct trace_rec_pool r = {.pool = pool, .stack = stack};
    ck_assert_int_eq(pools_destroy(&pools, &r), 0);
}

/* Error i's message. */
static const char *message(size_t i)
{
    static char buf[512];
    ck_assert_uint_lt(i, errs.n);
    errors_describe(&errs.v[i], buf, sizeof(buf));
    return buf;
}

static const struct pools_group *group_of(const struct pools_group *g, size_t n, uint32_t stack)
{
    for (size_t i = 0; i < n; i++) {
        if (g[i].stack == stack)
            return &g[i];
    }
    return NULL;
}

START_TEST(test_leaks_grouped_by_stack)
{
    create(PARTS, "parts", 9, 0);
    for (uint64_t i = 0; i < 3; i++)
        alloc(PARTS, 0x6000 + i * 16, 16, 1);
    alloc(PARTS, 0x6100, 32, 2);
    give_back(PARTS, 0x6010, 3);
    uint64_t bytes;
    ck_assert_uint_eq(pools_live_blocks(&pools, &bytes), 3);
    ck_assert_uint_eq(bytes, 64);
    ck_assert_uint_eq(pools.allocations, 4);
    ck_assert_uint_eq(pools.frees, 1);
    struct pools_group *g;
    size_t n;
    ck_assert_int_eq(pools_leaks(&pools, &g, &n), 0);
    ck_assert_uint_eq(n, 2);
    const struct pools_group *one = group_of(g, n, 1), *two = group_of(g, n, 2);
    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(two);
    ck_assert_uint_eq(one->bytes, 32);
    ck_assert_uint_eq(one->blocks, 2);
    ck_assert_uint_eq(two->bytes, 32);
    ck_assert_uint_eq(two->blocks, 1);
    ck_assert_uint_eq(one->pool, PARTS);
    ck_assert_str_eq(one->name, "parts");
    ck_assert_uint_eq(errs.total, 0);
    free(g);
}
END_TEST

/* Given back twice: the call, the allocation and the first release; folded by context. */
START_TEST(test_double_free)
{
    create(PARTS, "parts", 9, 0);
    alloc(PARTS, 0x6000, 32, 1);
    give_back(PARTS, 0x6000, 2);
    give_back(PARTS, 0x6000, 3);
    give_back(PARTS, 0x6000, 3);
    ck_assert_uint_eq(errs.n, 1);
    ck_assert_uint_eq(errs.total, 2);
    const struct error_entry *en = &errs.v[0];
    ck_assert_uint_eq(en->count, 2);
    ck_assert_uint_eq(en->rec.h.aux, ERR_POOL_DOUBLE_FREE);
    ck_assert_uint_eq(en->rec.where, WHERE_POOL_FREE);
    ck_assert_uint_eq(en->rec.stack, 3);
    ck_assert_uint_eq(en->rec.alloc_stack, 1);
    ck_assert_uint_eq(en->rec.free_stack, 2);
    ck_assert_uint_eq(en->rec.size, 32);
    ck_assert_uint_eq(en->pool, PARTS);
    ck_assert_str_eq(message(0), "double free into pool 'parts': the block of 32 bytes at 0x6000 "
                                 "was already given back");
    ck_assert_str_eq(errors_kind_name(en->rec.h.aux), "pool_double_free");
    ck_assert_str_eq(errors_where(en->rec.where), "pool_free");
    /* handed out again: a later release is a plain one */
    alloc(PARTS, 0x6000, 32, 1);
    give_back(PARTS, 0x6000, 2);
    ck_assert_uint_eq(errs.total, 2);
}
END_TEST

/* A pointer the pool did not hand out: inside one of its blocks, another pool's, or none. */
START_TEST(test_invalid_free)
{
    create(PARTS, "parts", 9, 0);
    create(CACHE, NULL, 9, 0);
    alloc(PARTS, 0x6000, 32, 1);
    alloc(CACHE, 0x7000, 48, 4);
    give_back(PARTS, 0x6008, 2);
    give_back(PARTS, 0x7000, 3);
    give_back(PARTS, 0x9000, 5);
    give_back(CACHE, 0x6000, 5);
    give_back(PARTS, 0x9100, 5); /* the same call again: folded */
    ck_assert_uint_eq(errs.n, 4);
    ck_assert_uint_eq(errs.v[2].count, 2);
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(errs.v[i].rec.h.aux, ERR_POOL_INVALID_FREE);
    ck_assert_int_eq(errs.v[0].inside, 1);
    ck_assert_uint_eq(errs.v[0].block, 0x6000);
    ck_assert_uint_eq(errs.v[0].block_stack, 1);
    ck_assert_str_eq(message(0),
                     "invalid free into pool 'parts': 0x6008 is 8 bytes inside its block of 32 bytes");
    ck_assert_uint_eq(errs.v[1].other_pool, CACHE);
    ck_assert_str_eq(message(1), "invalid free into pool 'parts': 0x7000 is a block of pool 0x5100");
    ck_assert_str_eq(message(2), "invalid free into pool 'parts': 0x9000 is not one of its blocks");
    ck_assert_str_eq(message(3), "invalid free into pool 0x5100: 0x6000 is a block of pool 'parts'");
    /* nothing changed hands */
    ck_assert_uint_eq(pools_live_blocks(&pools, NULL), 2);
    ck_assert_uint_eq(pools.frees, 0);
}
END_TEST

/* Handed out at the start of a block still handed out: reported, the new block wins. */
START_TEST(test_double_alloc)
{
    create(PARTS, "parts", 9, 0);
    alloc(PARTS, 0x6000, 32, 1);
    alloc(PARTS, 0x6000, 24, 2);
    ck_assert_uint_eq(errs.n, 1);
    const struct error_entry *en = &errs.v[0];
    ck_assert_uint_eq(en->rec.h.aux, ERR_POOL_DOUBLE_ALLOC);
    ck_assert_uint_eq(en->rec.stack, 2);
    ck_assert_uint_eq(en->rec.alloc_stack, 1);
    ck_assert_str_eq(message(0), "double allocation in pool 'parts': 0x6000 handed out again (24 "
                                 "bytes) while its block of 32 bytes is still allocated");
    uint64_t bytes;
    ck_assert_uint_eq(pools_live_blocks(&pools, &bytes), 1);
    ck_assert_uint_eq(bytes, 24);
}
END_TEST

/* Calls naming no live pool: never created, NULL, destroyed, or created twice. */
START_TEST(test_invalid_pool)
{
    alloc(PARTS, 0x6000, 32, 1);
    create(0, "null", 2, 0);
    create(CACHE, "cache", 3, 0);
    destroy(CACHE, 4);
    give_back(CACHE, 0x6000, 5);
    create(PARTS, "parts", 6, 0);
    create(PARTS, "again", 7, 0);
    ck_assert_uint_eq(errs.n, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(errs.v[i].rec.h.aux, ERR_POOL_INVALID_POOL);
    ck_assert_int_eq(errs.v[0].pool_state, POOL_NEVER);
    ck_assert_str_eq(message(0), "invalid pool: heapwise_pool_alloc names 0x5000, which is not a pool");
    ck_assert_str_eq(message(1), "invalid pool: heapwise_pool_create names 0x0, which is not a pool");
    ck_assert_int_eq(errs.v[2].pool_state, POOL_DESTROYED);
    ck_assert_uint_eq(errs.v[2].rec.free_stack, 4);
    ck_assert_uint_eq(errs.v[2].rec.alloc_stack, 3);
    ck_assert_str_eq(message(2), "invalid pool: heapwise_pool_free names pool 'cache', which was destroyed");
    ck_assert_int_eq(errs.v[3].pool_state, POOL_EXISTS);
    ck_assert_uint_eq(errs.v[3].rec.alloc_stack, 6);
    ck_assert_str_eq(message(3), "invalid pool: heapwise_pool_create of pool 'parts', which already exists");
    ck_assert_uint_eq(pools.allocations, 0);
}
END_TEST

/* Destroy releases what the pool holds without a word; a pool made again starts afresh. */
START_TEST(test_destroy_releases)
{
    create(PARTS, "parts", 9, 0);
    alloc(PARTS, 0x6000, 32, 1);
    alloc(PARTS, 0x6020, 16, 1);
    alloc(PARTS, 0x6040, 8, 1);
    give_back(PARTS, 0x6040, 2);
    destroy(PARTS, 3);
    ck_assert_uint_eq(pools.destroyed_bytes, 48);
    ck_assert_uint_eq(pools.destroyed_blocks, 2);
    ck_assert_uint_eq(pools_live_blocks(&pools, NULL), 0);
    create(PARTS, "parts2", 4, 0);
    give_back(PARTS, 0x6040, 5); /* given back before the destroy: forgotten with it */
    ck_assert_uint_eq(errs.n, 1);
    ck_assert_uint_eq(errs.v[0].rec.h.aux, ERR_POOL_INVALID_FREE);
    ck_assert_str_eq(message(0), "invalid free into pool 'parts2': 0x6040 is not one of its blocks");
    struct pools_group *g;
    size_t n;
    ck_assert_int_eq(pools_leaks(&pools, &g, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(g);
}
END_TEST

/* A pool inherited at a fork: its blocks from before the fork are given back unannounced. */
START_TEST(test_inherited)
{
    create(PARTS, "parts", 9, TRACE_POOL_INHERITED);
    give_back(PARTS, 0x6000, 2);
    ck_assert_uint_eq(errs.n, 0);
    ck_assert_uint_eq(pools.unknown_frees, 1);
    give_back(PARTS, 0x6000, 3);
    ck_assert_uint_eq(errs.n, 1);
    ck_assert_uint_eq(errs.v[0].rec.h.aux, ERR_POOL_DOUBLE_FREE);
    ck_assert_uint_eq(errs.v[0].rec.free_stack, 2);
    ck_assert_str_eq(message(0), "double free into pool 'parts': the block at 0x6000 was already "
                                 "given back");
}
END_TEST

/* The malloc'ed blocks holding the first or last byte of a live pool block are set apart. */
START_TEST(test_set_apart)
{
    struct replay r;
    replay_init(&r);
    replay_alloc(&r, 0x1000, 512, 1, KIND_MALLOC); /* holds a live block */
    replay_alloc(&r, 0x2000, 64, 1, KIND_MALLOC);  /* holds only a given back one */
    replay_alloc(&r, 0x3000, 100, 1, KIND_MALLOC); /* holds the last byte of one */
    replay_alloc(&r, 0x4000, 0, 1, KIND_MALLOC);   /* empty, right after a block */
    create(PARTS, "parts", 9, 0);
    alloc(PARTS, 0x1020, 32, 2);
    alloc(PARTS, 0x2010, 16, 2);
    give_back(PARTS, 0x2010, 3);
    alloc(PARTS, 0x2ff0, 0x20, 2);
    alloc(PARTS, 0x3064, 0x100, 2); /* starts at the end of 0x3000's block */
    uint64_t bytes = 0, blocks = 0;
    ck_assert_int_eq(pools_set_apart(&pools, &r, &bytes, &blocks), 0);
    ck_assert_uint_eq(blocks, 2);
    ck_assert_uint_eq(bytes, 612);
    ck_assert_ptr_null(replay_live(&r, 0x1000));
    ck_assert_ptr_null(replay_live(&r, 0x3000));
    ck_assert_ptr_nonnull(replay_live(&r, 0x2000));
    ck_assert_ptr_nonnull(replay_live(&r, 0x4000));
    ck_assert_uint_eq(r.live_bytes, 64);
    ck_assert_uint_eq(r.sum.frees, 0);
    replay_fini(&r);
}
END_TEST

/* Through analyze_trace: published leak and error of a pool, counters, the area set apart. */
START_TEST(test_analyze_published)
{
    struct tracegen g;
    tracegen_init(&g, 77, 1);
    for (uint32_t id = 1; id <= 3; id++) {
        uint64_t frames[2] = {0x401000 + id * 0x10, 0x402000};
        tracegen_stack(&g, id, 2, frames);
    }
    tracegen_alloc(&g, KIND_MALLOC, 0x1000, 512, 1);
    tracegen_pool_create(&g, PARTS, "parts", 1, 0);
    tracegen_pool_alloc(&g, PARTS, 0x1000, 32, 2);
    tracegen_pool_alloc(&g, PARTS, 0x1020, 32, 2);
    tracegen_pool_alloc(&g, PARTS, 0x1040, 32, 3);
    tracegen_pool_free(&g, PARTS, 0x1040, 1);
    tracegen_pool_free(&g, PARTS, 0x1040, 3);
    tracegen_end(&g, 0, 0, 0);
    const char *path = tracegen_tmp(&g, g.len);
    struct analyze_opts opts = {.addresses_only = 1};
    struct analyze_process *p;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace(path, &opts, &p, &err), 0);
    ck_assert_uint_eq(p->nleaks, 1);
    ck_assert_str_eq(p->leaks[0].kind, "pool_not_freed");
    ck_assert_uint_eq(p->leaks[0].bytes, 64);
    ck_assert_uint_eq(p->leaks[0].blocks, 2);
    ck_assert_int_eq(p->leaks[0].has_pool, 1);
    ck_assert_str_eq(p->leaks[0].pool, "parts");
    ck_assert_uint_eq(p->leaks[0].pool_address, PARTS);
    ck_assert_uint_eq(p->leaks[0].stack->id, 2);
    ck_assert_uint_eq(p->nerrors, 1);
    ck_assert_str_eq(p->errors[0].kind, "pool_double_free");
    ck_assert_str_eq(p->errors[0].where, "pool_free");
    ck_assert_str_eq(p->errors[0].pool, "parts");
    ck_assert_uint_eq(p->errors[0].stack->id, 3);
    ck_assert_uint_eq(p->errors[0].alloc->id, 3);
    ck_assert_uint_eq(p->errors[0].freed->id, 1);
    ck_assert_ptr_null(p->errors[0].alloc_kind);
    const struct analyze_summary *s = &p->summary;
    ck_assert_uint_eq(s->errors, 1);
    ck_assert_uint_eq(s->leaked_bytes, 64);
    ck_assert_uint_eq(s->leaked_blocks, 2);
    ck_assert_uint_eq(s->pool_leaked_bytes, 64);
    ck_assert_uint_eq(s->pool_allocations, 3);
    ck_assert_uint_eq(s->pool_frees, 1);
    ck_assert_uint_eq(s->pool_superblock_bytes, 512);
    ck_assert_uint_eq(s->pool_superblock_blocks, 1);
    ck_assert_uint_eq(s->in_use_bytes, 512);
    ck_assert_uint_eq(s->allocations, 1);
    analyze_process_free(p);
    unlink(path);
    tracegen_fini(&g);
}
END_TEST

/* A pool's name comes from the program: escaped in the text report, leak and error alike. */
START_TEST(test_text_escapes_names)
{
    struct tracegen g;
    tracegen_init(&g, 78, 1);
    tracegen_pool_create(&g, PARTS, "bad\x1b[2Jname\n==78== fake", 0, 0);
    tracegen_pool_alloc(&g, PARTS, 0x1000, 8, 0);
    tracegen_pool_free(&g, PARTS, 0x2000, 0);
    tracegen_end(&g, 0, 0, 0);
    const char *path = tracegen_tmp(&g, g.len);
    struct analyze_opts opts = {.addresses_only = 1};
    struct analyze_process *p;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace(path, &opts, &p, &err), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_int_eq(report_text_write(out, p), 0);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, "invalid free into pool 'bad\\x1b[2Jname\\x0a==78== fake'"));
    ck_assert_ptr_nonnull(strstr(text, "8 bytes in 1 blocks of pool 'bad\\x1b[2Jname\\x0a==78== "
                                       "fake' are not freed back to the pool"));
    ck_assert_ptr_null(strchr(text, '\x1b'));
    free(text);
    analyze_process_free(p);
    unlink(path);
    tracegen_fini(&g);
}
END_TEST

static Suite *pools_suite(void)
{
    Suite *s = suite_create("pools");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_leaks_grouped_by_stack);
    tcase_add_test(tc, test_double_free);
    tcase_add_test(tc, test_invalid_free);
    tcase_add_test(tc, test_double_alloc);
    tcase_add_test(tc, test_invalid_pool);
    tcase_add_test(tc, test_destroy_releases);
    tcase_add_test(tc, test_inherited);
    tcase_add_test(tc, test_set_apart);
    tcase_add_test(tc, test_analyze_published);
    tcase_add_test(tc, test_text_escapes_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(pools_suite());
}
