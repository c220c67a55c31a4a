/*
 * Unit tests of src/shim/summary.c: env-only mode's verdict (which classes count) and its
 * summary line (classes in report order, plurals, errors, trace, exit status), and the
 * log formatters it is built with (log.c).
 */
#include "check_run.h"
#include <check.h>

#include "shim/options.h"
#include "shim/log.h"
#include "shim/summary.h"
#include "trace/format.h"

static char line[SUMMARY_LINE_MAX];

START_TEST(test_found_by_kinds)
{
    struct scan_totals t = {{0}, {0}, {0}, {0}};
    struct summary s = {.totals = &t, .leak_kinds = OPTIONS_LEAK_DEFAULT, .trace = "t"};
    t.blocks[LEAK_REACHABLE] = 3;
    ck_assert_int_eq(summary_found(&s), 0);
    s.leak_kinds = OPTIONS_LEAK_ALL;
    ck_assert_int_eq(summary_found(&s), 1);
    s.leak_kinds = 0;
    ck_assert_int_eq(summary_found(&s), 0);
    s.errors = 1;
    ck_assert_int_eq(summary_found(&s), 1);
    s.totals = NULL;
    ck_assert_int_eq(summary_found(&s), 1);
}
END_TEST

/* The number formatters the lines are built with. */
START_TEST(test_numbers)
{
    char buf[LOG_NUM_MAX];
    ck_assert_str_eq(log_num(0, buf), "0");
    ck_assert_str_eq(log_num(UINT64_MAX, buf), "18446744073709551615");
    ck_assert_str_eq(log_hex(0, buf), "0x0");
    ck_assert_str_eq(log_hex(0x7f12ab, buf), "0x7f12ab");
    ck_assert_str_eq(log_hex(UINT64_MAX, buf), "0xffffffffffffffff");
}
END_TEST

START_TEST(test_line)
{
    struct scan_totals t = {{0}, {0}, {0}, {0}};
    struct summary s = {.totals = &t, .leak_kinds = OPTIONS_LEAK_DEFAULT, .trace = "h.t"};
    summary_format(&s, line);
    ck_assert_str_eq(line, "no leaks, no heap errors; trace: h.t");
    t.bytes[LEAK_DEFINITE] = 120;
    t.blocks[LEAK_DEFINITE] = 3;
    t.bytes[LEAK_INDIRECT] = 1;
    t.blocks[LEAK_INDIRECT] = 1;
    t.bytes[LEAK_REACHABLE] = 9; /* not counted by default: not listed */
    t.blocks[LEAK_REACHABLE] = 1;
    s.errors = 1;
    s.exit_code = 23;
    summary_format(&s, line);
    ck_assert_str_eq(line, "120 bytes definitely lost in 3 blocks, 1 byte indirectly lost in "
                           "1 block, 1 heap error; trace: h.t; run 'heapwise report h.t'; "
                           "exit status 23");
    s.totals = NULL;
    s.errors = 2;
    s.exit_code = 0;
    summary_format(&s, line);
    ck_assert_str_eq(line, "no leak check, 2 heap errors; trace: h.t; run 'heapwise report h.t'");
}
END_TEST

static Suite *summary_suite(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_found_by_kinds);
    tcase_add_test(tc, test_line);
    tcase_add_test(tc, test_numbers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(summary_suite());
}
