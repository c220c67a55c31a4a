/*
 * Unit tests of src/analyze/runtime.c: which symbolised allocation stacks belong to the
 * C runtime (reported apart from leaks) and which are the program's, and which of the
 * runtime's the report sets apart.
 */
#include "check_run.h"
#include <check.h>
#include <stdlib.h>

#include "analyze/runtime.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LOADER "/lib64/ld-linux-x86-64.so.2"
#define PROG "/usr/bin/prog"

static int owns(const struct analyze_frame *frames, size_t n)
{
    struct analyze_stack st = {.id = 1, .nframes = n, .frames = (struct analyze_frame *)frames};
    return runtime_owns(&st);
}

START_TEST(test_stdio_buffer)
{
    const struct analyze_frame f[] = {
        {.module = LIBC, .function = "_IO_file_doallocate"},
        {.module = LIBC, .function = "_IO_doallocbuf"},
        {.module = LIBC, .function = "printf"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(f, 4), RUNTIME_FREERES);
}
END_TEST

START_TEST(test_loader)
{
    const struct analyze_frame f[] = {
        {.module = LOADER, .function = "_dl_find_object_update"},
        {.module = LIBC, .function = "dlopen"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(f, 3), RUNTIME_LOADER);
}
END_TEST

START_TEST(test_locale_below_libc_entry)
{
    const struct analyze_frame f[] = {
        {.module = LIBC, .function = "__strdup"},
        {.module = LIBC, .function = "setlocale"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(f, 3), RUNTIME_FREERES);
}
END_TEST

/* strdup called by the program: the program owns the copy. */
START_TEST(test_program_strdup)
{
    const struct analyze_frame f[] = {
        {.module = LIBC, .function = "__strdup"},
        {.module = PROG, .function = "setlocale"}, /* a program's own function of that name */
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(f, 3), 0);
}
END_TEST

/* A callback of the program under a runtime function: the walk stops at the program. */
START_TEST(test_program_frame_stops_walk)
{
    const struct analyze_frame f[] = {
        {.module = PROG, .function = "compare"},
        {.module = LIBC, .function = "setlocale"},
    };
    ck_assert_int_eq(owns(f, 2), 0);
}
END_TEST

START_TEST(test_unknown_and_empty)
{
    const struct analyze_frame f[] = {{.address = 0x1234}};
    ck_assert_int_eq(owns(f, 1), 0);
    ck_assert_int_eq(owns(f, 0), 0);
    const struct analyze_frame g[] = {{.module = LIBC, .function = NULL}, {.module = PROG}};
    ck_assert_int_eq(owns(g, 2), 0);
}
END_TEST

/* NSS keeps its modules and the getpwnam result buffer until freeres. */
START_TEST(test_nss)
{
    const struct analyze_frame f[] = {
        {.module = LIBC, .function = "__nss_module_allocate"},
        {.module = LIBC, .function = "nss_action_parse"},
        {.module = LIBC, .function = "getpwnam_r"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(f, 4), RUNTIME_FREERES);
    const struct analyze_frame g[] = {
        {.module = LIBC, .function = "getpwnam"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(g, 2), RUNTIME_FREERES);
}
END_TEST

/* A dlopen'ed object's link map stays (the libc frames around the loader only called it);
 * the loader's dlerror() message and the dlerror state libc keeps go at freeres. */
START_TEST(test_loader_freeres)
{
    const struct analyze_frame f[] = {
        {.module = LOADER, .function = "calloc"},
        {.module = LOADER, .function = "_dl_new_object"},
        {.module = LIBC, .function = "_dl_catch_exception"},
        {.module = LIBC, .function = "_dlerror_run"},
        {.module = LIBC, .function = "dlopen"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(f, 6), RUNTIME_LOADER);
    const struct analyze_frame g[] = {
        {.module = LOADER, .function = "malloc"},
        {.module = LOADER, .function = "_dl_exception_create"},
        {.module = LIBC, .function = "dlopen"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(g, 4), RUNTIME_FREERES);
    const struct analyze_frame h[] = {
        {.module = LIBC, .function = "malloc"},
        {.module = LIBC, .function = "_dlerror_run"},
        {.module = LIBC, .function = "dlopen"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(h, 4), RUNTIME_FREERES);
}
END_TEST

/* iconv_open's descriptor and its steps are the program's (iconv_close frees them); the
 * modules libc loaded for it, and their link maps, go at freeres (memcheck: p42_iconv). */
START_TEST(test_iconv)
{
    const struct analyze_frame cd[] = {
        {.module = LIBC, .function = "__gconv_open"},
        {.module = LIBC, .function = "iconv_open"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(cd, 3), RUNTIME_NONE);
    const struct analyze_frame steps[] = {
        {.module = LIBC, .function = "__gconv_lookup_cache"},
        {.module = LIBC, .function = "__gconv_find_transform"},
        {.module = LIBC, .function = "__gconv_open"},
        {.module = LIBC, .function = "iconv_open"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(steps, 5), RUNTIME_NONE);
    const struct analyze_frame module[] = {
        {.module = LIBC, .function = "__gconv_find_shlib"},
        {.module = LIBC, .function = "find_module"},
        {.module = LIBC, .function = "__gconv_lookup_cache"},
        {.module = LIBC, .function = "__gconv_find_transform"},
        {.module = LIBC, .function = "__gconv_open"},
        {.module = LIBC, .function = "iconv_open"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(module, 7), RUNTIME_FREERES);
    const struct analyze_frame link_map[] = {
        {.module = LOADER, .function = "calloc"},
        {.module = LOADER, .function = "_dl_new_object"},
        {.module = LIBC, .function = "_dl_catch_exception"},
        {.module = LIBC, .function = "__libc_dlopen_mode"},
        {.module = LIBC, .function = "__gconv_find_shlib"},
        {.module = LIBC, .function = "iconv_open"},
        {.module = PROG, .function = "main"},
    };
    ck_assert_int_eq(owns(link_map, 7), RUNTIME_FREERES);
}
END_TEST

/* What valgrind's freeres would release at exit, and nothing after a death by signal. */
START_TEST(test_sets_apart)
{
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_NONE, LEAK_DEFINITE, 0), 0);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_FREERES, LEAK_REACHABLE, 0), 1);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_FREERES, 0, 0), 1);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_FREERES, LEAK_REACHABLE, 1), 0);
    /* a joined thread's TLS vector (lost) goes; a live thread's (interior pointer) and a
     * loaded object's link map (reachable) stay, as memcheck reports them */
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_LOADER, LEAK_DEFINITE, 0), 1);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_LOADER, LEAK_INDIRECT, 0), 1);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_LOADER, 0, 0), 1);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_LOADER, LEAK_POSSIBLE, 0), 0);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_LOADER, LEAK_REACHABLE, 0), 0);
    ck_assert_int_eq(runtime_sets_apart(RUNTIME_LOADER, LEAK_DEFINITE, 1), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("runtime");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_stdio_buffer);
    tcase_add_test(tc, test_loader);
    tcase_add_test(tc, test_locale_below_libc_entry);
    tcase_add_test(tc, test_program_strdup);
    tcase_add_test(tc, test_program_frame_stops_walk);
    tcase_add_test(tc, test_unknown_and_empty);
    tcase_add_test(tc, test_nss);
    tcase_add_test(tc, test_loader_freeres);
    tcase_add_test(tc, test_iconv);
    tcase_add_test(tc, test_sets_apart);
    suite_add_tcase(s, tc);
    return check_run(s);
}
