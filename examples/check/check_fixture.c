/*
 * heapwise in a Check suite: a checked fixture takes a checkpoint before each test and
 * fails the test that lost memory after it, by name, with the bytes lost. Check runs each
 * test in a forked child (its default), which heapwise traces as a process of its own.
 * Without heapwise the weak symbols are NULL and the fixture does nothing.
 *
 * Run: heapwise run -- ./check_fixture   (or with the shim preloaded alone)
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "heapwise.h"

static unsigned long mark;

static void leak_setup(void)
{
    mark = heapwise_checkpoint ? heapwise_checkpoint() : 0;
}

static void leak_teardown(void)
{
    size_t lost = heapwise_leaks_since ? heapwise_leaks_since(mark) : 0;
    ck_assert_msg(lost == 0, "%zu bytes definitely lost in this test", lost);
}

__attribute__((noinline)) static char *make_name(const char *s)
{
    char *name = malloc(strlen(s) + 1);
    if (name)
        strcpy(name, s);
    return name;
}

START_TEST(test_clean)
{
    char *name = make_name("clean");
    ck_assert_str_eq(name, "clean");
    free(name);
}
END_TEST

START_TEST(test_leaky)
{
    char *volatile name = make_name("leaky"); /* 6 bytes, never freed */
    ck_assert_str_eq(name, "leaky");
    name = NULL;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fixture");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, leak_setup, leak_teardown);
    tcase_add_test(tc, test_clean);
    tcase_add_test(tc, test_leaky);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
