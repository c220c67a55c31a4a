/*
 * Unit tests of src/shim/mark.c on synthetic memory: "blocks" are slots of a static
 * array, roots are local arrays of words. Covers the lookup (start, interior, end,
 * zero-size blocks), memcheck's classes (reachable and what it reaches, possibly
 * reachable through interior pointers only, memcheck's stdstring heuristic, held blocks
 * never scanned, start pointers winning, lost lists and lost cycles split into one
 * definite and the rest indirect), and the sort and lookup of a million blocks (times
 * printed, not asserted).
 */
#include "check_run.h"
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "shim/mark.h"

#define SLOTS 64
#define SLOT_WORDS 4 /* 32-byte blocks */
#define MILLION 1000000

static uint64_t heap[SLOTS][SLOT_WORDS] __attribute__((aligned(16)));
static struct mark m;

static uint64_t addr(int slot)
{
    return (uintptr_t)heap[slot];
}

/* Blocks at slots [0, n), each 32 bytes, then the table prepared. */
static void setup_blocks(int n)
{
    memset(heap, 0, sizeof(heap));
    mark_init(&m);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(mark_add(&m, addr(i), sizeof(heap[i])), 0);
}

static void prepare(void)
{
    ck_assert_int_eq(mark_prepare(&m), 0);
}

static unsigned class_of(int slot)
{
    int at_start = 0;
    long i = mark_find(&m, addr(slot), &at_start);
    ck_assert_int_ge(i, 0);
    ck_assert_int_eq(at_start, 1);
    return mark_class(&m, (size_t)i);
}

/* The class of slots [0, n) is want[0..n). */
static void expect_classes(const unsigned *want, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_uint_eq(class_of(i), want[i]);
}

/* Roots, propagation and classification in one go. */
static void run(const uint64_t *roots, size_t n)
{
    mark_root(&m, roots, n * sizeof(*roots));
    mark_propagate(&m);
    mark_classify(&m);
}

static double secs(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

START_TEST(test_find)
{
    setup_blocks(4);
    ck_assert_int_eq(mark_add(&m, addr(8), 0), 0); /* a zero-size block */
    prepare();
    int at_start = -1;
    ck_assert_int_eq(mark_find(&m, addr(1), &at_start), 1);
    ck_assert_int_eq(at_start, 1);
    ck_assert_int_eq(mark_find(&m, addr(1) + 31, &at_start), 1);
    ck_assert_int_eq(at_start, 0);
    ck_assert_int_eq(mark_find(&m, addr(3) + 32, &at_start), -1); /* one past the end */
    ck_assert_int_eq(mark_find(&m, addr(0) - 1, &at_start), -1);
    ck_assert_int_eq(mark_find(&m, addr(8), &at_start), 4);
    ck_assert_int_eq(at_start, 1);
    ck_assert_int_eq(mark_find(&m, addr(8) + 8, &at_start), -1); /* zero-size: start only */
    ck_assert_int_eq(mark_find(&m, 0, &at_start), -1);
    ck_assert_int_eq(mark_find(&m, UINT64_MAX, &at_start), -1);
    mark_release(&m);
}
END_TEST

START_TEST(test_lost_list)
{
    /* head (slot 0) -> 1 -> 2 -> 3 -> 4 -> 5, nothing points at the head */
    setup_blocks(6);
    for (int i = 0; i < 5; i++)
        heap[i][1] = addr(i + 1);
    prepare();
    uint64_t roots[] = {42, addr(10)}; /* no block there */
    run(roots, 2);
    ck_assert_uint_eq(class_of(0), LEAK_DEFINITE);
    for (int i = 1; i < 6; i++)
        ck_assert_uint_eq(class_of(i), LEAK_INDIRECT);
    mark_release(&m);
}
END_TEST

START_TEST(test_lost_list_head_above)
{
    /* The head has the highest address: the walks of the lower nodes run first. */
    setup_blocks(6);
    for (int i = 5; i > 0; i--)
        heap[i][0] = addr(i - 1);
    prepare();
    run(NULL, 0);
    ck_assert_uint_eq(class_of(5), LEAK_DEFINITE);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(class_of(i), LEAK_INDIRECT);
    mark_release(&m);
}
END_TEST

START_TEST(test_root_reachable)
{
    /* root -> 0 -> 1 (start) and 1 -> 2 (interior); 3 unreferenced */
    setup_blocks(4);
    heap[0][2] = addr(1);
    heap[1][3] = addr(2) + 16;
    prepare();
    uint64_t roots[] = {7, addr(0), 0};
    run(roots, 3);
    ck_assert_uint_eq(class_of(0), LEAK_REACHABLE);
    ck_assert_uint_eq(class_of(1), LEAK_REACHABLE);
    ck_assert_uint_eq(class_of(2), LEAK_POSSIBLE);
    ck_assert_uint_eq(class_of(3), LEAK_DEFINITE);
    mark_release(&m);
}
END_TEST

START_TEST(test_interior_possible)
{
    /* root -> 0 + 8 (interior); 0 -> 1 (start): both possible at best */
    setup_blocks(2);
    heap[0][0] = addr(1);
    prepare();
    uint64_t roots[] = {addr(0) + 8};
    run(roots, 1);
    ck_assert_uint_eq(class_of(0), LEAK_POSSIBLE);
    ck_assert_uint_eq(class_of(1), LEAK_POSSIBLE);
    mark_release(&m);
}
END_TEST

START_TEST(test_cow_string)
{
    /* memcheck's stdstring: a pointer 24 bytes in, at the text of a 32-byte block holding
     * length, capacity 7 (24 + 7 + 1 = 32), reference count. Reachable when the length is
     * at most the capacity and the capacity fits the block exactly; else possibly lost, as
     * is a string only a possibly lost block (3) points to. */
    setup_blocks(5);
    uint64_t words[][2] = {{5, 7}, {8, 7}, {5, 6}, {0, 0}, {7, 7}};
    for (int i = 0; i < 5; i++) {
        heap[i][0] = words[i][0];
        heap[i][1] = words[i][1];
    }
    heap[3][3] = addr(4) + 24;
    prepare();
    uint64_t roots[] = {addr(0) + 24, addr(1) + 24, addr(2) + 24, addr(3) + 8};
    run(roots, 4);
    const unsigned want[] = {LEAK_REACHABLE, LEAK_POSSIBLE, LEAK_POSSIBLE, LEAK_POSSIBLE,
                             LEAK_POSSIBLE};
    expect_classes(want, 5);
    mark_release(&m);
}
END_TEST

START_TEST(test_hold)
{
    /* root -> 0 -> 1; 0 held: reachable, but 1 is reached through nothing else */
    setup_blocks(3);
    heap[0][1] = addr(1);
    heap[2][0] = addr(0);
    prepare();
    mark_hold(&m, 0);
    uint64_t roots[] = {addr(0), addr(2)};
    run(roots, 2);
    const unsigned want[] = {LEAK_REACHABLE, LEAK_DEFINITE, LEAK_REACHABLE};
    expect_classes(want, 3);
    mark_release(&m);
}
END_TEST

START_TEST(test_start_wins)
{
    /* X (slot 0) reached by an interior root and through Y (slot 1) at its start; X -> Z.
     * Whatever the order, X and what it points to end reachable. */
    for (int order = 0; order < 2; order++) {
        setup_blocks(3);
        heap[1][0] = addr(0);
        heap[0][3] = addr(2);
        prepare();
        uint64_t a[] = {addr(0) + 24, addr(1)}, b[] = {addr(1), addr(0) + 24};
        run(order ? b : a, 2);
        ck_assert_uint_eq(class_of(0), LEAK_REACHABLE);
        ck_assert_uint_eq(class_of(1), LEAK_REACHABLE);
        ck_assert_uint_eq(class_of(2), LEAK_REACHABLE);
        mark_release(&m);
    }
}
END_TEST

START_TEST(test_lost_cycle)
{
    /* 0 -> 1 -> 2 -> 0 */
    setup_blocks(3);
    heap[0][0] = addr(1);
    heap[1][1] = addr(2);
    heap[2][2] = addr(0);
    prepare();
    run(NULL, 0);
    ck_assert_uint_eq(class_of(0), LEAK_DEFINITE);
    ck_assert_uint_eq(class_of(1), LEAK_INDIRECT);
    ck_assert_uint_eq(class_of(2), LEAK_INDIRECT);
    mark_release(&m);
}
END_TEST

/*
 * The report order: not-lost blocks (and unheld indirect ones) first in address order,
 * then each definite block followed by what its walk holds. Two lost lists (0 -> 1 -> 2,
 * 4 -> 3), a reachable block 5 and a lost block 6 holding nothing.
 */
START_TEST(test_order_lost)
{
    setup_blocks(7);
    heap[0][0] = addr(1);
    heap[1][0] = addr(2);
    heap[4][1] = addr(3);
    uint64_t roots[] = {addr(5)};
    prepare();
    run(roots, 1);
    ck_assert_int_eq(mark_order_lost(&m), 0);
    const uint32_t want[] = {5, 0, 1, 2, 4, 3, 6};
    for (size_t i = 0; i < 7; i++)
        ck_assert_uint_eq(m.order[i], want[i]);
    ck_assert_uint_eq(class_of(1), LEAK_INDIRECT); /* classes untouched */
    ck_assert_uint_eq(class_of(4), LEAK_DEFINITE);
    mark_release(&m);
}
END_TEST

START_TEST(test_cycle_entered_from_above)
{
    /* 0 -> 1 -> 2 -> 0, and a lost block 5 -> 0: 5 definite, the cycle indirect */
    setup_blocks(6);
    heap[0][0] = addr(1);
    heap[1][1] = addr(2);
    heap[2][2] = addr(0);
    heap[5][3] = addr(0) + 8; /* interior pointers count between lost blocks too */
    prepare();
    run(NULL, 0);
    ck_assert_uint_eq(class_of(5), LEAK_DEFINITE);
    ck_assert_uint_eq(class_of(0), LEAK_INDIRECT);
    ck_assert_uint_eq(class_of(1), LEAK_INDIRECT);
    ck_assert_uint_eq(class_of(2), LEAK_INDIRECT);
    ck_assert_uint_eq(class_of(3), LEAK_DEFINITE);
    ck_assert_uint_eq(class_of(4), LEAK_DEFINITE);
    mark_release(&m);
}
END_TEST

START_TEST(test_reachable_cycle_and_self)
{
    /* a rooted cycle is reachable; a lost block pointing at itself is definite */
    setup_blocks(4);
    heap[0][0] = addr(1);
    heap[1][0] = addr(0);
    heap[3][1] = addr(3);
    prepare();
    uint64_t roots[] = {addr(1)};
    run(roots, 1);
    ck_assert_uint_eq(class_of(0), LEAK_REACHABLE);
    ck_assert_uint_eq(class_of(1), LEAK_REACHABLE);
    ck_assert_uint_eq(class_of(2), LEAK_DEFINITE);
    ck_assert_uint_eq(class_of(3), LEAK_DEFINITE);
    mark_release(&m);
}
END_TEST

START_TEST(test_only_block_bytes_scanned)
{
    /* A pointer in the word right after a block's last byte is not its content. */
    mark_init(&m);
    memset(heap, 0, sizeof(heap));
    ck_assert_int_eq(mark_add(&m, addr(0), 20), 0); /* whole words: 0..15 only */
    ck_assert_int_eq(mark_add(&m, addr(1), 32), 0);
    heap[0][2] = addr(1); /* bytes 16..23: past the last whole word of a 20-byte block */
    prepare();
    uint64_t roots[] = {addr(0)};
    run(roots, 1);
    ck_assert_uint_eq(class_of(0), LEAK_REACHABLE);
    ck_assert_uint_eq(class_of(1), LEAK_DEFINITE);
    mark_release(&m);
}
END_TEST

START_TEST(test_empty)
{
    uint64_t roots[] = {addr(0), 1, 2};
    mark_init(&m);
    prepare();
    run(roots, 3);
    ck_assert_uint_eq(m.count, 0);
    mark_release(&m);
}
END_TEST

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(test_million)
{
    /* Synthetic addresses (never read): 48-byte blocks 64 bytes apart, added shuffled. */
    const uint64_t base = 0x10000000000ull, stride = 64, size = 48;
    struct timespec t0, t1, t2, t3;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    size_t added = 0, in_place = 0, found = 0; /* counted, then asserted once: asserts are slow */
    mark_init(&m);
    for (uint64_t i = 0; i < MILLION; i++)
        added += mark_add(&m, base + i * stride, size) == 0;
    ck_assert_uint_eq(added, MILLION);
    for (size_t i = MILLION - 1; i > 0; i--) {
        size_t j = xorshift(&seed) % (i + 1);
        struct mark_block t = m.blocks[i];
        m.blocks[i] = m.blocks[j];
        m.blocks[j] = t;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    prepare();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (size_t i = 0; i < MILLION; i++)
        in_place += m.blocks[i].start == base + i * stride;
    clock_gettime(CLOCK_MONOTONIC, &t2);
    for (uint64_t i = 0; i < MILLION; i++) {
        uint64_t a = base + (xorshift(&seed) % MILLION) * stride;
        int at_start;
        long k = mark_find(&m, a + (i & 1) * 40, &at_start);
        found += k >= 0 && m.blocks[k].start == a && at_start == !(i & 1);
        if (mark_find(&m, a + size, &at_start) >= 0) /* the gap after each block */
            found = 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t3);
    ck_assert_uint_eq(in_place, MILLION);
    ck_assert_uint_eq(found, MILLION);
    printf("check_mark: %d blocks: sort %.3f s, %d+%d random lookups %.3f s\n", MILLION,
           secs(&t0, &t1), MILLION, MILLION, secs(&t2, &t3));
    mark_release(&m);
}
END_TEST

static Suite *mark_suite(void)
{
    Suite *s = suite_create("mark");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_find);
    tcase_add_test(tc, test_lost_list);
    tcase_add_test(tc, test_lost_list_head_above);
    tcase_add_test(tc, test_root_reachable);
    tcase_add_test(tc, test_interior_possible);
    tcase_add_test(tc, test_cow_string);
    tcase_add_test(tc, test_hold);
    tcase_add_test(tc, test_start_wins);
    tcase_add_test(tc, test_lost_cycle);
    tcase_add_test(tc, test_order_lost);
    tcase_add_test(tc, test_cycle_entered_from_above);
    tcase_add_test(tc, test_reachable_cycle_and_self);
    tcase_add_test(tc, test_only_block_bytes_scanned);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_million);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(mark_suite());
}
