/*
 * Unit tests of src/analyze/suppress.c: LeakSanitizer's file format and template
 * matching, which frames a rule looks at, and the rule proposed for a finding.
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/suppress.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LIBSTDCXX "/lib/x86_64-linux-gnu/libstdc++.so.6"
#define PROG "/usr/bin/prog"

static struct suppress s;
static struct analyze_error err;

static void setup(void)
{
    suppress_init(&s);
    memset(&err, 0, sizeof(err));
}

static void teardown(void)
{
    suppress_fini(&s);
}

static int parse(const char *text)
{
    return suppress_parse(&s, "supp.txt", text, strlen(text), &err);
}

START_TEST(test_match_lsan_rules)
{
    ck_assert_int_eq(suppress_match("make_node", "make_node"), 1);
    ck_assert_int_eq(suppress_match("node", "make_node_fast"), 1); /* substring */
    ck_assert_int_eq(suppress_match("^make", "make_node"), 1);
    ck_assert_int_eq(suppress_match("^node", "make_node"), 0);
    ck_assert_int_eq(suppress_match("node$", "make_node"), 1);
    ck_assert_int_eq(suppress_match("make$", "make_node"), 0);
    ck_assert_int_eq(suppress_match("^make_node$", "make_node"), 1);
    ck_assert_int_eq(suppress_match("^make_node$", "make_node2"), 0);
    ck_assert_int_eq(suppress_match("a$", "aba"), 1); /* the last 'a', not the first */
    ck_assert_int_eq(suppress_match("*LeakingFunc*", "LSanTestLeakingFunc()"), 1);
    ck_assert_int_eq(suppress_match("ns::*::get", "ns::Cache::get(int)"), 1);
    ck_assert_int_eq(suppress_match("^ns*get$", "ns::Cache::get(int)"), 0);
    ck_assert_int_eq(suppress_match("^*get", "ns::get"), 1); /* '*' lifts the anchor */
    ck_assert_int_eq(suppress_match("node*$", "make_node_fast"), 1);
    ck_assert_int_eq(suppress_match("node$ignored", "make_node"), 1);
    ck_assert_int_eq(suppress_match("f(char*)", "f(char*)"), 1);
    ck_assert_int_eq(suppress_match("x", ""), 0);
    ck_assert_int_eq(suppress_match("x", NULL), 0);
}
END_TEST

START_TEST(test_parse_format)
{
    ck_assert_int_eq(parse("# comment\n\n  leak:make_node  \r\n\tdouble_free:^free_twice$\n"
                           "leak:libfoo.so\n  # indented comment\nmismatched_free: spaced"),
                     0);
    ck_assert_uint_eq(s.n, 4);
    ck_assert_str_eq(s.rules[0].kind, "leak");
    ck_assert_str_eq(s.rules[0].pattern, "make_node");
    ck_assert_int_eq(s.rules[0].line, 3);
    ck_assert_str_eq(s.rules[0].file, "supp.txt");
    ck_assert_str_eq(s.rules[1].kind, "double_free");
    ck_assert_str_eq(s.rules[1].pattern, "^free_twice$");
    ck_assert_int_eq(s.rules[1].line, 4);
    ck_assert_str_eq(s.rules[3].kind, "mismatched_free");
    ck_assert_str_eq(s.rules[3].pattern, "spaced");
    ck_assert_int_eq(s.rules[3].line, 7);
}
END_TEST

START_TEST(test_every_error_kind)
{
    ck_assert_int_eq(parse("double_free:a\ninvalid_free:a\nmismatched_free:a\n"
                           "header_corruption:a\noverflow:a\nwrite_after_free:a\n"),
                     0);
    ck_assert_uint_eq(s.n, 6);
}
END_TEST

START_TEST(test_bad_lines)
{
    ck_assert_int_eq(parse("leak:ok\nlek:make_node\n"), -EINVAL);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_str_eq(err.message, "supp.txt:2: unknown suppression kind 'lek' (known: leak, "
                                  "double_free, invalid_free, mismatched_free, "
                                  "header_corruption, overflow, write_after_free, "
                                  "pool_double_free, pool_invalid_free, pool_double_alloc, "
                                  "pool_invalid_pool)");
    ck_assert_int_eq(err.offset, 8);
    ck_assert_int_eq(parse("\n\nmake_node\n"), -EINVAL);
    ck_assert_str_eq(err.message, "supp.txt:3: expected KIND:PATTERN, got 'make_node'");
    ck_assert_int_eq(parse("leak:  \n"), -EINVAL);
    ck_assert_str_eq(err.message, "supp.txt:1: empty pattern after 'leak:'");
    ck_assert_int_eq(parse("Leak:x\n"), -EINVAL); /* kinds are case-sensitive, as in LSan */
}
END_TEST

START_TEST(test_load)
{
    char path[] = "/tmp/check_suppress.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "leak:x\nbad\n", 11), 11);
    close(fd);
    ck_assert_int_eq(suppress_load(&s, path, &err), -EINVAL);
    char want[128];
    snprintf(want, sizeof(want), "%s:2: expected KIND:PATTERN, got 'bad'", path);
    ck_assert_str_eq(err.message, want);
    unlink(path);
    ck_assert_int_eq(suppress_load(&s, path, &err), -ENOENT);
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    ck_assert_str_eq(err.message, want);
}
END_TEST

static const struct analyze_frame leak_frames[] = {
    {.module = LIBSTDCXX, .function = "operator new(unsigned long)", .mangled = "_Znwm"},
    {.module = PROG,
     .function = "ns::Cache::fill(int)",
     .mangled = "_ZN2ns5Cache4fillEi",
     .file = "/src/cache.cc",
     .line = 12},
    {.module = PROG, .function = "main", .file = "/src/main.c", .line = 3},
};
static const struct analyze_stack leak_stack = {
    .id = 1, .nframes = 3, .frames = (struct analyze_frame *)leak_frames};

/* Index of the rule of `rules` (a fresh list) that takes a finding of kind at leak_stack. */
static long find(const char *kind, const char *rules)
{
    suppress_fini(&s);
    ck_assert_int_eq(parse(rules), 0);
    const struct analyze_stack *stacks[] = {NULL, &leak_stack};
    return suppress_find(&s, kind, stacks, 2);
}

START_TEST(test_find_by_function_file_module)
{
    ck_assert_int_eq(find("leak", "leak:ns::Cache::fill"), 0);
    ck_assert_int_eq(find("leak", "leak:_ZN2ns5Cache4fill"), 0); /* mangled */
    ck_assert_int_eq(find("leak", "leak:cache.cc"), 0);          /* source file */
    ck_assert_int_eq(find("leak", "leak:^/usr/bin/prog$"), 0);   /* module */
    ck_assert_int_eq(find("leak", "leak:libstdc++"), 0);         /* any frame */
    ck_assert_int_eq(find("leak", "leak:^cache.cc"), -1);        /* the path is whole */
    ck_assert_int_eq(find("leak", "leak:^fill"), -1);
}
END_TEST

START_TEST(test_find_first_rule_of_kind)
{
    ck_assert_int_eq(find("leak", "leak:nothing\ndouble_free:main\nleak:main\nleak:fill"), 2);
    ck_assert_int_eq(
        suppress_find(&s, "double_free", (const struct analyze_stack *const[]){&leak_stack}, 1), 1);
    ck_assert_int_eq(
        suppress_find(&s, "overflow", (const struct analyze_stack *const[]){&leak_stack}, 1), -1);
    ck_assert_int_eq(suppress_find(&s, "leak", NULL, 0), -1);
}
END_TEST

START_TEST(test_rule_for_own_frame)
{
    char buf[128];
    ck_assert_int_eq(suppress_rule_for(buf, sizeof(buf), "leak", &leak_stack), 0);
    ck_assert_str_eq(buf, "leak:^ns::Cache::fill(int)$");
    ck_assert_int_eq(find("leak", buf), 0); /* and it matches what it came from */

    const struct analyze_frame f[] = {
        {.module = LIBC, .function = "malloc"},
        {.module = LIBC, .function = "__strdup"},
        {.module = PROG, .function = "strdup"}, /* a static allocator */
        {.module = PROG},                       /* no name */
        {.module = PROG, .function = "load_config", .file = "/src/config.c", .line = 9},
    };
    struct analyze_stack st = {.id = 2, .nframes = 5, .frames = (struct analyze_frame *)f};
    ck_assert_int_eq(suppress_rule_for(buf, sizeof(buf), "double_free", &st), 0);
    ck_assert_str_eq(buf, "double_free:^load_config$");
}
END_TEST

START_TEST(test_rule_for_runtime_only)
{
    char buf[64];
    const struct analyze_frame f[] = {{.module = LIBC}, {.module = LIBC, .function = "fopen"}};
    struct analyze_stack st = {.id = 3, .nframes = 2, .frames = (struct analyze_frame *)f};
    ck_assert_int_eq(suppress_rule_for(buf, sizeof(buf), "leak", &st), 0);
    ck_assert_str_eq(buf, "leak:^fopen$");
    st.nframes = 1;
    ck_assert_int_eq(suppress_rule_for(buf, sizeof(buf), "leak", &st), -ENOENT);
    ck_assert_int_eq(suppress_rule_for(buf, sizeof(buf), "leak", NULL), -ENOENT);
    const struct analyze_frame d[] = {{.module = PROG, .function = "odd$name"}};
    st.frames = (struct analyze_frame *)d;
    ck_assert_int_eq(suppress_rule_for(buf, sizeof(buf), "leak", &st), 0);
    ck_assert_str_eq(buf, "leak:^odd*");
    ck_assert_int_eq(suppress_rule_for(buf, 8, "leak", &st), -ENAMETOOLONG);
}
END_TEST

static Suite *suite(void)
{
    Suite *su = suite_create("suppress");
    TCase *tc = tcase_create("suppress");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_match_lsan_rules);
    tcase_add_test(tc, test_parse_format);
    tcase_add_test(tc, test_every_error_kind);
    tcase_add_test(tc, test_bad_lines);
    tcase_add_test(tc, test_load);
    tcase_add_test(tc, test_find_by_function_file_module);
    tcase_add_test(tc, test_find_first_rule_of_kind);
    tcase_add_test(tc, test_rule_for_own_frame);
    tcase_add_test(tc, test_rule_for_runtime_only);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return check_run(suite());
}
