/*
 * Golden traces: every tests/data/v<N>-*.trace committed for an earlier (or the current)
 * format version must still give exactly its .expected summary (golden.h).
 */
#include "check_run.h"
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, mem);
    fclose(f);
    fclose(mem);
    return buf;
}

static void check_one(const char *trace)
{
    char expected_path[4096];
    snprintf(expected_path, sizeof(expected_path), "%.*s.expected",
             (int)(strlen(trace) - strlen(".trace")), trace);
    struct analyze_opts opts = {0};
    struct analyze_process *p;
    struct analyze_error err;
    ck_assert_msg(analyze_trace(trace, &opts, &p, &err) == 0, "%s: %s", trace, err.message);
    char *got = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&got, &len);
    golden_write(out, p);
    fclose(out);
    char *want = slurp(expected_path);
    ck_assert_msg(strcmp(got, want) == 0, "%s:\n--- expected\n%s--- got\n%s", trace, want, got);
    free(want);
    free(got);
    analyze_process_free(p);
}

START_TEST(test_golden_traces)
{
    glob_t g;
    ck_assert_int_eq(glob(HW_TEST_DATA "/v*-*.trace", 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 1);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_one(g.gl_pathv[i]);
    globfree(&g);
}
END_TEST

/* Spot checks of v1-basic and v2-basic (the same records: raw, then in frames),
 * independent of the .expected files. */
static void check_basic(const char *trace)
{
    struct analyze_opts opts = {0};
    struct analyze_process *p;
    struct analyze_error err;
    ck_assert_int_eq(analyze_trace(trace, &opts, &p, &err), 0);
    ck_assert_str_eq(p->exe, "/nonexistent/golden/prog");
    ck_assert_int_eq(p->end, ANALYZE_END_EXIT);
    ck_assert_ptr_null(p->warning);
    ck_assert_uint_eq(p->summary.unknown_frees, 1);
    ck_assert_uint_eq(p->summary.untracked, 11);
    ck_assert_uint_gt(p->nleaks, 0);
    /* stack 1 starts in the (hidden) shim library */
    for (size_t i = 0; i < p->nleaks; i++) {
        if (p->leaks[i].stack->id == 1)
            ck_assert_uint_eq(p->leaks[i].stack->frames[0].address, 0x401136);
    }
    analyze_process_free(p);
}

START_TEST(test_basic)
{
    check_basic(HW_TEST_DATA "/v1-basic.trace");
    check_basic(HW_TEST_DATA "/v2-basic.trace");
}
END_TEST

static Suite *golden_suite(void)
{
    Suite *s = suite_create("golden");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_golden_traces);
    tcase_add_test(tc, test_basic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(golden_suite());
}
