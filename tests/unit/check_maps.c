/*
 * Unit tests of src/shim/maps.c: parsing of /proc/self/maps lines (permissions, the
 * [stack] name, [vvar] and [vsyscall] never readable, malformed lines skipped), the
 * lookup, the intersection with readable mappings, and reading this process's own map.
 */
#include "check_run.h"
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "shim/maps.h"

static const char sample[] =
    "555555554000-555555555000 r--p 00000000 fe:01 1234                       /usr/bin/x\n"
    "555555555000-555555556000 r-xp 00001000 fe:01 1234                       /usr/bin/x\n"
    "555555558000-55555555a000 rw-p 00003000 fe:01 1234                       /usr/bin/x\n"
    "55555555a000-55555557b000 rw-p 00000000 00:00 0                          [heap]\n"
    "this line is not a mapping\n"
    "7ffff7fc0000-7ffff7fc4000 r--p 00000000 00:00 0                          [vvar]\n"
    "7ffff7fc4000-7ffff7fc6000 r-xp 00000000 00:00 0                          [vdso]\n"
    "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"
    "7ffffffff000-7ffffffff000 rw-p 00000000 00:00 0                          [empty]\n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
    "7fff00000000-7fff00001000 rw-p 00000000 00:00 0 /path with spaces [stack]\n"
    "7fff00001000-7fff00002000 rw-p 00000000 00:00 0 \n"
    "7fff00002000-7fff00003000 rw-s 00000000 00:01 77                         /dev/zero (deleted)\n"
    "7fff00003000-7fff00004000 r--p 00000000 00:00 0                          [anon:pool]";

static struct maps_range r[16];

struct piece {
    uint64_t lo[8], hi[8];
    int n;
};

static void collect(uint64_t lo, uint64_t hi, void *arg)
{
    struct piece *p = arg;
    ck_assert_int_lt(p->n, 8);
    p->lo[p->n] = lo;
    p->hi[p->n] = hi;
    p->n++;
}

START_TEST(test_parse)
{
    size_t n = maps_parse(sample, strlen(sample), r, 16);
    ck_assert_uint_eq(n, 12);
    ck_assert_uint_eq(r[0].start, 0x555555554000ull);
    ck_assert_uint_eq(r[0].end, 0x555555555000ull);
    ck_assert_uint_eq(r[0].flags, MAPS_READ);
    ck_assert_uint_eq(r[2].flags, MAPS_READ | MAPS_WRITE);
    ck_assert_uint_eq(r[4].flags, 0); /* [vvar]: r--p but never read */
    ck_assert_uint_eq(r[1].flags, MAPS_READ | MAPS_EXEC);
    ck_assert_uint_eq(r[5].flags, MAPS_READ | MAPS_EXEC);
    ck_assert_uint_eq(r[6].flags, MAPS_READ | MAPS_WRITE | MAPS_STACK);
    ck_assert_uint_eq(r[7].start, 0xffffffffff600000ull);
    ck_assert_uint_eq(r[7].flags, MAPS_EXEC); /* [vsyscall]: never read */
    /* a file whose name ends in " [stack]" is not the stack */
    ck_assert_uint_eq(r[8].flags, MAPS_READ | MAPS_WRITE);
    /* anonymous: private with no file, or a named anonymous region; not shared memory */
    ck_assert_uint_eq(r[3].flags, MAPS_READ | MAPS_WRITE); /* [heap] */
    ck_assert_uint_eq(r[9].flags, MAPS_READ | MAPS_WRITE | MAPS_ANON);
    ck_assert_uint_eq(r[10].flags, MAPS_READ | MAPS_WRITE);
    ck_assert_uint_eq(r[11].flags, MAPS_READ | MAPS_ANON);
    ck_assert_uint_eq(maps_parse(sample, strlen(sample), r, 2), 12); /* counts past cap */
    ck_assert_uint_eq(maps_parse("", 0, r, 16), 0);
}
END_TEST

START_TEST(test_find_and_readable)
{
    /* the first seven ranges of the sample, in address order */
    struct maps m = {r, maps_parse(sample, strlen(sample), r, 16) - 5, 0, NULL, 0};
    ck_assert_ptr_eq(maps_find(&m, 0x555555558000ull), &r[2]);
    ck_assert_ptr_eq(maps_find(&m, 0x555555559fffull), &r[2]);
    ck_assert_ptr_null(maps_find(&m, 0x555555556000ull)); /* a hole */
    ck_assert_ptr_eq(maps_find(&m, 0x7ffffffde123ull), &r[6]);
    ck_assert_ptr_null(maps_find(&m, 0x1000));

    struct piece p = {.n = 0};
    maps_each_readable(&m, 0x555555554800ull, 0x555555560000ull, collect, &p);
    ck_assert_int_eq(p.n, 4); /* the hole 556000-558000 is skipped */
    ck_assert_uint_eq(p.lo[0], 0x555555554800ull);
    ck_assert_uint_eq(p.hi[0], 0x555555555000ull);
    ck_assert_uint_eq(p.lo[2], 0x555555558000ull);
    ck_assert_uint_eq(p.lo[3], 0x55555555a000ull);
    ck_assert_uint_eq(p.hi[3], 0x555555560000ull);

    p.n = 0;
    maps_each_readable(&m, 0x7ffff7fc0000ull, 0x7ffff7fc5000ull, collect, &p);
    ck_assert_int_eq(p.n, 1); /* [vvar] left out, [vdso] cut at hi */
    ck_assert_uint_eq(p.lo[0], 0x7ffff7fc4000ull);
    ck_assert_uint_eq(p.hi[0], 0x7ffff7fc5000ull);
}
END_TEST

static int global_word = 1;

START_TEST(test_read_self)
{
    struct maps m;
    int local = 0;
    ck_assert_int_eq(maps_read(&m), 0);
    ck_assert_uint_gt(m.count, 3);
    for (size_t i = 1; i < m.count; i++)
        ck_assert_uint_le(m.r[i - 1].end, m.r[i].start);
    const struct maps_range *s = maps_find(&m, (uintptr_t)&local);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->flags & (MAPS_READ | MAPS_WRITE | MAPS_STACK),
                      MAPS_READ | MAPS_WRITE | MAPS_STACK);
    const struct maps_range *g = maps_find(&m, (uintptr_t)&global_word);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->flags & (MAPS_READ | MAPS_WRITE), MAPS_READ | MAPS_WRITE);
    maps_release(&m);
    ck_assert_ptr_null(m.r);
}
END_TEST

static Suite *maps_suite(void)
{
    Suite *s = suite_create("maps");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_find_and_readable);
    tcase_add_test(tc, test_read_self);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(maps_suite());
}
