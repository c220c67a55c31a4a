/*
 * Unit tests of src/shim/options.c: defaults, every key, the exact diagnostics for an
 * unknown key or a bad value, and trace path construction (%p, directories, default
 * name, length limit).
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim/options.h"

static struct options o;
static char err[OPTIONS_ERR_MAX];
static char path[OPTIONS_PATH_MAX];

START_TEST(test_defaults)
{
    ck_assert_int_eq(options_parse(&o, NULL, err), 0);
    ck_assert_str_eq(o.output, "");
    ck_assert_uint_eq(o.depth, 64);
    ck_assert_int_eq(o.free_stacks, 1);
    ck_assert_uint_eq(o.ring_size, 8u << 20);
    ck_assert_int_eq(o.enabled, 1);
    ck_assert_int_eq(o.guard, 1);
    ck_assert_uint_eq(o.quarantine_size, 4u << 20);
    ck_assert_int_eq(o.abort_on_error, 0);
    ck_assert_int_eq(o.leak_scan, 1);
    ck_assert_uint_eq(o.sample_interval_ms, 10);
    ck_assert_uint_eq(o.time_unit, 1000);
    ck_assert_int_eq(options_parse(&o, "", err), 0);
    ck_assert_int_eq(options_parse(&o, "::", err), 0);
}
END_TEST

/* sample_interval_ms, and sample_interval (heapwise run's --sample-interval): plain ms. */
START_TEST(test_sample_interval)
{
    ck_assert_int_eq(options_parse(&o, "sample_interval_ms=0", err), 0);
    ck_assert_uint_eq(o.sample_interval_ms, 0);
    ck_assert_int_eq(options_parse(&o, "sample_interval_ms=3600000:depth=4", err), 0);
    ck_assert_uint_eq(o.sample_interval_ms, 3600000);
    ck_assert_int_eq(options_parse(&o, "sample_interval_ms=5:sample_interval=250", err), 0);
    ck_assert_uint_eq(o.sample_interval_ms, 250);
    const char *bad[] = {"sample_interval_ms=3600001", "sample_interval_ms=1K",
                         "sample_interval_ms=-1", "sample_interval_ms=", "sample_interval=x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(options_parse(&o, bad[i], err) == -EINVAL, "accepted %s", bad[i]);
    ck_assert_str_eq(err, "bad value 'x' for option 'sample_interval'");
}
END_TEST

START_TEST(test_all_keys)
{
    ck_assert_int_eq(options_parse(&o,
                                   "output=/tmp/x.%p:depth=8:free_stacks=0:"
                                   "ring_size=65536:enabled=0",
                                   err),
                     0);
    ck_assert_str_eq(o.output, "/tmp/x.%p");
    ck_assert_uint_eq(o.depth, 8);
    ck_assert_int_eq(o.free_stacks, 0);
    ck_assert_uint_eq(o.ring_size, 65536);
    ck_assert_int_eq(o.enabled, 0);
    ck_assert_int_eq(options_parse(&o, "ring_size=16M:depth=256", err), 0);
    ck_assert_uint_eq(o.ring_size, 16u << 20);
    ck_assert_uint_eq(o.depth, 256);
    ck_assert_int_eq(options_parse(&o, "ring_size=64k", err), 0);
    ck_assert_uint_eq(o.ring_size, 65536);
}
END_TEST

START_TEST(test_time_unit)
{
    ck_assert_int_eq(options_parse(&o, "time_unit=1", err), 0);
    ck_assert_uint_eq(o.time_unit, 1);
    ck_assert_int_eq(options_parse(&o, "time_unit=1000000000", err), 0);
    ck_assert_uint_eq(o.time_unit, 1000000000);
    ck_assert_int_eq(options_parse(&o, "time_unit=0", err), -EINVAL);
    ck_assert_str_eq(err, "bad value '0' for option 'time_unit'");
    ck_assert_int_eq(options_parse(&o, "time_unit=1000000001", err), -EINVAL);
    ck_assert_int_eq(options_parse(&o, "time_unit=1k", err), -EINVAL);
}
END_TEST

START_TEST(test_guard_keys)
{
    ck_assert_int_eq(options_parse(&o, "guard=0:quarantine_size=64K:abort_on_error=1", err), 0);
    ck_assert_int_eq(o.guard, 0);
    ck_assert_uint_eq(o.quarantine_size, 65536);
    ck_assert_int_eq(o.abort_on_error, 1);
    ck_assert_int_eq(options_parse(&o, "quarantine_size=0", err), 0);
    ck_assert_uint_eq(o.quarantine_size, 0);
    ck_assert_int_eq(options_parse(&o, "quarantine_size=1G", err), 0);
    ck_assert_uint_eq(o.quarantine_size, 1u << 30);
    ck_assert_int_eq(options_parse(&o, "guard=2", err), -EINVAL);
    ck_assert_int_eq(options_parse(&o, "abort_on_error=yes", err), -EINVAL);
    ck_assert_int_eq(options_parse(&o, "quarantine_size=4X", err), -EINVAL);
    ck_assert_str_eq(err, "bad value '4X' for option 'quarantine_size'");
}
END_TEST

START_TEST(test_leak_scan_key)
{
    ck_assert_int_eq(options_parse(&o, "leak_scan=0", err), 0);
    ck_assert_int_eq(o.leak_scan, 0);
    ck_assert_int_eq(o.guard, 1);
    ck_assert_int_eq(options_parse(&o, "leak_scan=1", err), 0);
    ck_assert_int_eq(o.leak_scan, 1);
    ck_assert_int_eq(options_parse(&o, "leak_scan=on", err), -EINVAL);
    ck_assert_str_eq(err, "bad value 'on' for option 'leak_scan'");
    ck_assert_int_eq(options_parse(&o, "", err), 0);
    ck_assert_int_eq(o.trace_children, 1);
    ck_assert_int_eq(options_parse(&o, "trace_children=0", err), 0);
    ck_assert_int_eq(o.trace_children, 0);
    ck_assert_int_eq(options_parse(&o, "trace_children=yes:trace_children=no", err), 0);
    ck_assert_int_eq(o.trace_children, 0);
    ck_assert_int_eq(options_parse(&o, "trace_children=maybe", err), -EINVAL);
}
END_TEST

/* fast_unwind (on by default) and unwind_verify (off by default): flags. */
START_TEST(test_unwind_keys)
{
    ck_assert_int_eq(options_parse(&o, "", err), 0);
    ck_assert_int_eq(o.fast_unwind, 1);
    ck_assert_int_eq(o.unwind_verify, 0);
    ck_assert_int_eq(options_parse(&o, "fast_unwind=0:unwind_verify=1", err), 0);
    ck_assert_int_eq(o.fast_unwind, 0);
    ck_assert_int_eq(o.unwind_verify, 1);
    ck_assert_int_eq(options_parse(&o, "fast_unwind=no", err), -EINVAL);
    ck_assert_str_eq(err, "bad value 'no' for option 'fast_unwind'");
}
END_TEST

/* The keys of `heapwise run`'s long options: kept when the shim uses them, else checked. */
START_TEST(test_run_keys)
{
    ck_assert_int_eq(options_parse(&o, NULL, err), 0);
    ck_assert_int_eq(o.summary, 1);
    ck_assert_int_eq(o.error_exitcode, 0);
    ck_assert_uint_eq(o.leak_kinds, OPTIONS_LEAK_DEFINITE | OPTIONS_LEAK_INDIRECT);
    ck_assert_int_eq(options_parse(&o,
                                   "error_exitcode=23:leak_kinds=possible,definite:quiet=1:"
                                   "suppressions=a.supp:summary=0:no_free_stacks=1:json=1:"
                                   "log_file=r.txt:flamegraph=allocated:show_reachable=1:"
                                   "show_possibly=0:show_shim_frames=1:gen_suppressions=1:"
                                   "html=r.html:pprof=r.pb.gz",
                                   err),
                     0);
    ck_assert_int_eq(o.error_exitcode, 23);
    ck_assert_uint_eq(o.leak_kinds, OPTIONS_LEAK_POSSIBLE | OPTIONS_LEAK_DEFINITE);
    ck_assert_int_eq(o.quiet, 1);
    ck_assert_int_eq(o.suppressions, 1);
    ck_assert_int_eq(o.summary, 0);
    ck_assert_int_eq(o.free_stacks, 0);
    ck_assert_int_eq(options_parse(&o, "leak_kinds=none", err), 0);
    ck_assert_uint_eq(o.leak_kinds, 0);
    ck_assert_int_eq(options_parse(&o, "leak_kinds=all", err), 0);
    ck_assert_uint_eq(o.leak_kinds, 0xf);
    const char *bad[] = {"error_exitcode=0", "error_exitcode=256", "error_exitcode=1K",
                         "error_exitcode=",  "leak_kinds=",        "leak_kinds=definite,",
                         "leak_kinds=lost",  "json=yes",           "flamegraph=1",
                         "suppressions=",    "log_file=",          "quiet=2",
                         "html=",            "pprof="};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(options_parse(&o, bad[i], err) == -EINVAL, "accepted %s", bad[i]);
    options_parse(&o, "leak_kinds=definite,lost", err);
    ck_assert_str_eq(err, "bad value 'definite,lost' for option 'leak_kinds'");
    options_parse(&o, "error-exitcode=1", err);
    ck_assert_str_eq(err, "unknown option 'error-exitcode'");
}
END_TEST

START_TEST(test_unknown_key)
{
    ck_assert_int_eq(options_parse(&o, "depth=4:foo=1", err), -EINVAL);
    ck_assert_str_eq(err, "unknown option 'foo'");
    ck_assert_int_eq(options_parse(&o, "verbose", err), -EINVAL);
    ck_assert_str_eq(err, "option 'verbose' has no value (expected key=value)");
}
END_TEST

START_TEST(test_bad_values)
{
    const char *bad[] = {"depth=0",         "depth=257",
                         "depth=x",         "depth=",
                         "free_stacks=2",   "enabled=yes",
                         "ring_size=65535", "ring_size=32768",
                         "ring_size=3G",    "ring_size=99999999999999999999",
                         "output="};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(options_parse(&o, bad[i], err) == -EINVAL, "accepted %s", bad[i]);
    options_parse(&o, "depth=300", err);
    ck_assert_str_eq(err, "bad value '300' for option 'depth'");
}
END_TEST

START_TEST(test_paths)
{
    options_parse(&o, NULL, err);
    ck_assert_int_eq(options_trace_path(&o, 0, 1234, "ls", path), 0);
    ck_assert_str_eq(path, "heapwise.ls.1234.trace");
    options_parse(&o, "output=/tmp/t.%p.%p.trace", err);
    ck_assert_int_eq(options_trace_path(&o, 0, 77, "ls", path), 0);
    ck_assert_str_eq(path, "/tmp/t.77.77.trace");
    options_parse(&o, "output=/tmp/dir", err);
    ck_assert_int_eq(options_trace_path(&o, 1, 5, "prog", path), 0);
    ck_assert_str_eq(path, "/tmp/dir/heapwise.prog.5.trace");
    options_parse(&o, "output=/tmp/dir/", err);
    ck_assert_int_eq(options_trace_path(&o, 1, 5, "prog", path), 0);
    ck_assert_str_eq(path, "/tmp/dir/heapwise.prog.5.trace");
    options_parse(&o, "output=%d%p%", err);
    ck_assert_int_eq(options_expand_output(&o, 9, path), 0);
    ck_assert_str_eq(path, "%d9%");
}
END_TEST

START_TEST(test_path_too_long)
{
    static char opt[OPTIONS_PATH_MAX + 16];
    strcpy(opt, "output=");
    memset(opt + 7, 'a', OPTIONS_PATH_MAX - 10);
    ck_assert_int_eq(options_parse(&o, opt, err), 0);
    ck_assert_int_eq(options_trace_path(&o, 1, 123456, "prog", path), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_check_signal)
{
    ck_assert_int_eq(options_parse(&o, NULL, err), 0);
    ck_assert_int_eq(o.check_signal, 0); /* off by default */
    const char *good[] = {"SIGUSR2", "USR2", "12", "SIGHUP", "TERM", "SIGCHLD", "0"};
    const int want[] = {SIGUSR2, SIGUSR2, 12, SIGHUP, SIGTERM, SIGCHLD, 0};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char s[64];
        snprintf(s, sizeof(s), "check_signal=%s", good[i]);
        ck_assert_msg(options_parse(&o, s, err) == 0, "%s: %s", s, err);
        ck_assert_int_eq(o.check_signal, want[i]);
    }
    int sig = -1;
    ck_assert_int_eq(options_signal("34", 2, &sig), 0); /* SIGRTMIN */
    ck_assert_int_eq(sig, SIGRTMIN);
    const char *bad[] = {"SIGKILL", "KILL", "9",     "STOP", "SIGSEGV", "BUS", "FPE",
                         "ILL",     "TRAP", "SYS",   "ABRT", "32",      "33",  "65",
                         "SIG",     "usr2", "USR2x", "-12",  "12K",     ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(options_signal(bad[i], strlen(bad[i]), &sig) == -EINVAL, "%s", bad[i]);
    char own[16];
    snprintf(own, sizeof(own), "%d", SIGRTMIN + 7); /* heapwise's stop-the-world signal */
    ck_assert_int_eq(options_signal(own, strlen(own), &sig), -EINVAL);
    ck_assert_int_eq(options_parse(&o, "check_signal=SIGKILL", err), -EINVAL);
    ck_assert_str_eq(err, "bad value 'SIGKILL' for option 'check_signal'");
    ck_assert_int_eq(options_parse(&o, "html=/tmp/r.html", err), 0); /* a report key */
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_all_keys);
    tcase_add_test(tc, test_time_unit);
    tcase_add_test(tc, test_guard_keys);
    tcase_add_test(tc, test_sample_interval);
    tcase_add_test(tc, test_leak_scan_key);
    tcase_add_test(tc, test_run_keys);
    tcase_add_test(tc, test_unknown_key);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_paths);
    tcase_add_test(tc, test_path_too_long);
    tcase_add_test(tc, test_check_signal);
    tcase_add_test(tc, test_unwind_keys);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(options_suite());
}
