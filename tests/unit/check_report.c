/*
 * Unit tests of src/analyze/report_text.c, report_json.c, report_flame.c and report_html.c
 * on hand-built findings: exact
 * lines, the summary line scripts grep for, nulls for unknown values, string escaping,
 * -EIO on a failing stream.
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"

static struct analyze_frame frames[] = {
    {0x401136, "/usr/bin/demo", "leak_inner", "/src/demo.c", 7, 1, NULL},
    {0x401136, "/usr/bin/demo", "leak_three", "/src/demo.c", 12, 0, NULL},
    {0x7f0000001234, "/lib/libfoo.so", NULL, NULL, 0, 0, NULL},
    {0x7f0000005678, "/lib/libbar.so", "bar", NULL, 0, 0, NULL},
    {0x10, NULL, NULL, NULL, 0, 0, NULL},
};
static struct analyze_stack stacks[] = {{5, 5, frames}, {0, 0, NULL}};
static struct analyze_leak leaks[] = {{"leaked", 300, 3, &stacks[0], NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
                                      {"leaked", 8, 1, &stacks[1], NULL, 0, 0, -1, 0, 0, 0, 0, NULL}};
static const char *argv[] = {"demo", "a1"};
#define PROG_NAME "/usr/bin/demo"

static struct analyze_process make_process(void)
{
    struct analyze_process p = {
        .path = "t.trace",
        .pid = 1234,
        .ppid = 1,
        .exe = "/usr/bin/demo",
        .argc = 2,
        .argv = argv,
        .end = ANALYZE_END_EXIT,
        .status = 0,
        .nleaks = 2,
        .leaks = leaks,
    };
    p.summary = (struct analyze_summary){
        .allocations = 10, .frees = 7, .peak_bytes = 1234, .leaked_bytes = 308, .leaked_blocks = 4};
    return p;
}

/* Run a writer into memory; returns the malloc'd text. */
#define CAPTURE(call)                                                                              \
    ({                                                                                             \
        char *buf_ = NULL;                                                                         \
        size_t len_ = 0;                                                                           \
        FILE *out = open_memstream(&buf_, &len_);                                                  \
        ck_assert_ptr_nonnull(out);                                                                \
        ck_assert_int_eq((call), 0);                                                               \
        fclose(out);                                                                               \
        buf_;                                                                                      \
    })

static void assert_contains(const char *text, const char *line)
{
    ck_assert_msg(strstr(text, line) != NULL, "missing \"%s\" in:\n%s", line, text);
}

START_TEST(test_text)
{
    struct analyze_process p = make_process();
    char *text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234== heapwise: /usr/bin/demo a1 (exit status 0)\n");
    assert_contains(text, "==1234== 300 bytes in 3 blocks were leaked, allocated at:\n"
                          "==1234==    at 0x401136: leak_inner (demo.c:7) (inlined)\n"
                          "==1234==    by 0x401136: leak_three (demo.c:12)\n"
                          "==1234==    by 0x7f0000001234: ??? (in /lib/libfoo.so)\n"
                          "==1234==    by 0x7f0000005678: bar (in /lib/libbar.so)\n"
                          "==1234==    by 0x10: ???\n");
    assert_contains(text, "==1234== 8 bytes in 1 blocks were leaked, allocated at:\n"
                          "==1234==    (no stack recorded)\n");
    assert_contains(text, "==1234==   allocations: 10, frees: 7, peak: 1234 bytes\n");
    const char *last = "==1234==   leaked: 308 bytes in 4 blocks\n";
    ck_assert_str_eq(text + strlen(text) - strlen(last), last);
    ck_assert_ptr_null(strstr(text, "partial"));
    ck_assert_ptr_null(strstr(text, "dropped"));
    free(text);
}
END_TEST

/* With a leak scan: lost blocks listed, possibly lost and reachable only on request. */
/* memcheck's loss record of a definite leak holding indirect ones, and the held ones after it. */
START_TEST(test_held_leaks)
{
    struct analyze_process p = make_process();
    struct analyze_leak held[] = {{"definitely_lost", 16, 1, &stacks[0], NULL, 48, 3, -1, 0, 0, 0, 0, NULL},
                                  {"indirectly_lost", 48, 3, &stacks[1], NULL, 0, 0, 0, 0, 0, 0, 0, NULL},
                                  {"indirectly_lost", 8, 1, &stacks[1], NULL, 0, 0, -1, 0, 0, 0, 0, NULL}};
    p.leaks = held;
    p.nleaks = 3;
    p.summary.scanned = 1;
    char *text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234== 64 (16 direct, 48 indirect) bytes in 1 blocks are definitely "
                          "lost, allocated at:\n");
    assert_contains(text, "==1234== 48 bytes in 3 blocks are indirectly lost (held by the "
                          "definitely lost blocks above), allocated at:\n");
    assert_contains(text, "==1234== 8 bytes in 1 blocks are indirectly lost, allocated at:\n");
    free(text);
    struct analyze_process *procs[] = {&p};
    char *json = CAPTURE(report_json_write(out, procs, 1));
    assert_contains(json, "\"indirect_bytes\": 48, \"indirect_blocks\": 3");
    assert_contains(json, "\"held_by\": 0");
    assert_contains(json, "\"held_by\": null");
    free(json);
}
END_TEST

START_TEST(test_text_leak_classes)
{
    struct analyze_process p = make_process();
    struct analyze_leak classed[] = {{"definitely_lost", 300, 3, &stacks[0], NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
                                     {"possibly_lost", 16, 1, &stacks[1], NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
                                     {"still_reachable", 8, 1, &stacks[1], NULL, 0, 0, -1, 0, 0, 0, 0, NULL}};
    p.leaks = classed;
    p.nleaks = 3;
    p.summary.scanned = 1;
    p.summary.definitely_lost_bytes = 300, p.summary.definitely_lost_blocks = 3;
    p.summary.possibly_lost_bytes = 16, p.summary.possibly_lost_blocks = 1;
    p.summary.still_reachable_bytes = 8, p.summary.still_reachable_blocks = 1;
    p.summary.leaked_bytes = 300, p.summary.leaked_blocks = 3;
    char *text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234== 300 bytes in 3 blocks are definitely lost, allocated at:\n");
    ck_assert_ptr_null(strstr(text, "are possibly lost"));
    ck_assert_ptr_null(strstr(text, "are still reachable"));
    assert_contains(text, "==1234==   definitely lost: 300 bytes in 3 blocks\n"
                          "==1234==   indirectly lost: 0 bytes in 0 blocks\n"
                          "==1234==     possibly lost: 16 bytes in 1 blocks\n"
                          "==1234==   still reachable: 8 bytes in 1 blocks\n"
                          "==1234==   leaked: 300 bytes in 3 blocks\n");
    free(text);
    text = CAPTURE(report_text_show(out, &p, REPORT_SHOW_POSSIBLE | REPORT_SHOW_REACHABLE));
    assert_contains(text, "==1234== 16 bytes in 1 blocks are possibly lost, allocated at:\n");
    assert_contains(text, "==1234== 8 bytes in 1 blocks are still reachable, allocated at:\n");
    free(text);
}
END_TEST

START_TEST(test_text_counts_and_warning)
{
    struct analyze_process p = make_process();
    p.end = ANALYZE_END_KILLED;
    p.warning = "truncated at byte 8240 (no end record)";
    p.summary.dropped = 4;
    p.summary.unknown_frees = 2;
    char *text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "(no end record: crashed or killed)\n");
    assert_contains(text, "==1234== partial report (reading stopped): truncated at byte 8240 "
                          "(no end record)\n");
    assert_contains(text, "dropped records (ring full; totals are incomplete): 4\n");
    assert_contains(text, "frees of untracked blocks: 2\n");
    assert_contains(text, "leaked: 308 bytes in 4 blocks\n");
    free(text);
    analyze_process_set_end(&p, ANALYZE_END_SIGNAL, 0, 11);
    text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "(killed by signal 11)\n");
    free(text);
}
END_TEST

START_TEST(test_json)
{
    struct analyze_process p = make_process();
    struct analyze_process *procs[] = {&p};
    char *json = CAPTURE(report_json_write(out, procs, 1));
    assert_contains(json, "{\"heapwise\": 1,\n \"processes\": [");
    assert_contains(json, "{\"pid\": 1234, \"ppid\": 1, \"exe\": \"/usr/bin/demo\", "
                          "\"argv\": [\"demo\", \"a1\"]");
    assert_contains(json, "\"end\": \"exit\", \"status\": 0, \"signal\": null");
    assert_contains(json, "\"summary\": {\"allocations\": 10, \"frees\": 7, "
                          "\"peak_bytes\": 1234, \"leaked_bytes\": 308, "
                          "\"leaked_blocks\": 4, \"errors\": 0");
    assert_contains(json, "{\"kind\": \"leaked\", \"bytes\": 300, \"blocks\": 3, \"stack\": [");
    assert_contains(json, "{\"address\": \"0x401136\", \"module\": \"/usr/bin/demo\", "
                          "\"function\": \"leak_inner\", \"file\": \"/src/demo.c\", "
                          "\"line\": 7, \"inlined\": true}");
    assert_contains(json, "{\"address\": \"0x10\", \"module\": null, \"function\": null, "
                          "\"file\": null, \"line\": null, \"inlined\": false}");
    assert_contains(json, "{\"kind\": \"leaked\", \"bytes\": 8, \"blocks\": 1, \"stack\": []}");
    assert_contains(json, "\"errors\": [],\n    \"suppressions\": [],\n    \"partial\": false, "
                          "\"warning\": null}");
    assert_contains(json, "\"peak_rss_bytes\": null, \"leak_scan\": false"); /* not sampled */
    free(json);
    p.summary.rss_samples = 3;
    p.summary.peak_rss_bytes = 70000;
    json = CAPTURE(report_json_write(out, procs, 1));
    assert_contains(json, "\"peak_rss_bytes\": 70000, \"leak_scan\": false");
    free(json);
}
END_TEST

START_TEST(test_json_ends)
{
    struct analyze_process p = make_process();
    struct analyze_process *procs[] = {&p, &p};
    analyze_process_set_end(&p, ANALYZE_END_SIGNAL, 0, 9);
    p.exe = NULL;
    p.warning = "bad record size at byte 99";
    char *json = CAPTURE(report_json_write(out, procs, 2));
    assert_contains(json, "\"exe\": null");
    assert_contains(json, "\"end\": \"signal\", \"status\": null, \"signal\": 9");
    assert_contains(json, "\"partial\": true, \"warning\": \"bad record size at byte 99\"");
    free(json);
    p.end = ANALYZE_END_KILLED;
    json = CAPTURE(report_json_write(out, procs, 0));
    ck_assert_str_eq(json, "{\"heapwise\": 1,\n \"processes\": []}\n");
    free(json);
}
END_TEST

/* A process still running: as of which check, blocks after it counted but not listed. */
START_TEST(test_running)
{
    struct analyze_process p = make_process();
    struct analyze_process *procs[] = {&p};
    struct analyze_leak found[] = {
        {"definitely_lost", 300, 3, &stacks[0], NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
        {"not_checked", 200, 1, &stacks[0], NULL, 0, 0, -1, 0, 0, 0, 0, NULL}};
    p.end = ANALYZE_END_RUNNING;
    p.leaks = found;
    p.summary.scanned = 1;
    p.summary.definitely_lost_bytes = p.summary.leaked_bytes = 300;
    p.summary.definitely_lost_blocks = p.summary.leaked_blocks = 3;
    p.summary.not_checked_bytes = 200;
    p.summary.not_checked_blocks = 1;
    p.last_scan = (struct analyze_scan){2500000000ull, 1700000000250000000ull, 12};
    p.signal_checks = 1;
    char *text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234== heapwise: /usr/bin/demo a1 (still running)\n"
                          "==1234== process 1234 is still running; results as of the last check "
                          "at 2023-11-14 22:13:20 UTC (2.5 s after its start, asked for by "
                          "signal 12 SIGUSR2)\n");
    assert_contains(text, "==1234== 300 bytes in 3 blocks are definitely lost, allocated at:\n");
    ck_assert_ptr_null(strstr(text, "the last check), allocated at")); /* counted, not listed */
    assert_contains(text, "==1234==   in use now: ");
    assert_contains(text, "==1234==   not checked yet (allocated after the last check): 200 "
                          "bytes in 1 blocks\n==1234==   leaked: 300 bytes in 3 blocks\n");
    free(text);
    char *json = CAPTURE(report_json_write(out, procs, 1));
    assert_contains(json, "\"end\": \"running\", \"status\": null, \"signal\": null,\n    "
                          "\"running\": true, \"last_scan\": {\"time_ns\": 2500000000, \"time\": "
                          "\"2023-11-14T22:13:20.250Z\", \"signal\": 12}, \"signal_checks\": 1,");
    assert_contains(json, "\"not_checked_bytes\": 200, \"not_checked_blocks\": 1}");
    assert_contains(json, "{\"kind\": \"not_checked\", \"bytes\": 200, \"blocks\": 1");
    free(json);

    p.summary.scanned = 0;
    text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234== process 1234 is still running; no leak check has run yet "
                          "(check_signal, heapwise_leak_check): its live blocks are not checked\n");
    free(text);
    p.signal_checks_unscanned = 1;
    text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234== process 1234 is still running; no leak check could run (the "
                          "guard or leak_scan option is off): its live blocks are not checked\n");
    free(text);
    p.end = ANALYZE_END_EXIT;
    json = CAPTURE(report_json_write(out, procs, 1));
    assert_contains(json, "\"running\": false, \"last_scan\": null, \"signal_checks\": 1,");
    free(json);
}
END_TEST

START_TEST(test_json_escaping)
{
    struct analyze_process p = make_process();
    struct analyze_process *procs[] = {&p};
    p.exe = "a\"b\\c\nd\te\x01"
            "f\x7f g\xc3\xa9h\xe2\x82\xac i\xffj\xc3(k\xed\xa0\x80l";
    char *json = CAPTURE(report_json_write(out, procs, 1));
    assert_contains(json, "\"exe\": \"a\\\"b\\\\c\\u000ad\\u0009e\\u0001f\\u007f "
                          "g\xc3\xa9h\xe2\x82\xac i\\ufffdj\\ufffd(k\\ufffd\\ufffd\\ufffdl\"");
    free(json);
}
END_TEST

/* Untrusted names reach a terminal: control bytes, invalid UTF-8 and backslashes as \xNN. */
START_TEST(test_text_escaping)
{
    struct analyze_process p = make_process();
    struct analyze_frame evil[] = {{0x10, "/lib/x\x1b]0;t\x07.so", "f\x1b[2J\n==1== fake",
                                    NULL, 0, 0, NULL},
                                   {0x20, NULL, "g\xc3\xa9\xc2\x9b\xff\\", "/s/a\rb.c", 3, 0, NULL}};
    struct analyze_stack st = {2, 2, evil};
    struct analyze_leak l = {"leaked", 8, 1, &st, NULL, 0, 0, -1, 0, 0, 0, 0, NULL};
    const char *args[] = {"demo", "\x1b[31mred"};
    p.argv = args;
    p.exe = "/tmp/a\nb";
    p.leaks = &l;
    p.nleaks = 1;
    char *text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234== heapwise: /tmp/a\\x0ab \\x1b[31mred (exit status 0)\n");
    assert_contains(text, "==1234==    at 0x10: f\\x1b[2J\\x0a==1== fake (in "
                          "/lib/x\\x1b]0;t\\x07.so)\n");
    assert_contains(text, "==1234==    by 0x20: g\xc3\xa9\\xc2\\x9b\\xff\\x5c (a\\x0db.c:3)\n");
    for (const char *c = text; *c; c++)
        ck_assert_msg((unsigned char)*c >= 0x20 || *c == '\n', "control byte %#x", *c);
    char *flame = CAPTURE(report_flame_write(out, (struct analyze_process *[]){&p}, 1, 0));
    ck_assert_str_eq(flame, "g\xc3\xa9\\xc2\\x9b\\xff\\x5c;f\\x1b[2J\\x0a==1== fake 8\n");
    free(flame);
    free(text);
}
END_TEST

START_TEST(test_stream_error)
{
    struct analyze_process p = make_process();
    struct analyze_process *procs[] = {&p};
    FILE *ro = fopen("/dev/null", "r");
    ck_assert_ptr_nonnull(ro);
    ck_assert_int_eq(report_text_write(ro, &p), -EIO);
    ck_assert_int_eq(report_json_write(ro, procs, 1), -EIO);
    fclose(ro);
}
END_TEST

/* What suppressions took, and the rules --gen-suppressions proposes, after the summary. */
START_TEST(test_text_suppressions)
{
    struct analyze_process p = make_process();
    struct analyze_suppressed used[] = {
        {"leak", "leak_three", "leak:leak_three", "s.supp", 3, 2, 40},
        {"double_free", "^x$", "double_free:^x$", "/etc/more.supp", 1, 5, 0}};
    struct analyze_leak proposed[] = {{"definitely_lost", 300, 3, &stacks[0], "leak:^leak_three$", 0, 0, -1, 0, 0, 0, 0, NULL},
                                      {"indirectly_lost", 8, 1, &stacks[0], "leak:^leak_three$", 0, 0, -1, 0, 0, 0, 0, NULL},
                                      {"leaked", 4, 1, &stacks[1], NULL, 0, 0, -1, 0, 0, 0, 0, NULL}};
    p.suppressed = used;
    p.nsuppressed = 2;
    p.summary.suppressed_bytes = 40, p.summary.suppressed_blocks = 2;
    p.summary.suppressed_errors = 5;
    p.leaks = proposed;
    p.nleaks = 3;
    char *text = CAPTURE(report_text_write(out, &p));
    assert_contains(text, "==1234==   suppressed: 40 bytes in 2 blocks, 5 errors\n"
                          "==1234==        count      bytes  rule\n"
                          "==1234==            2         40  leak:leak_three (s.supp:3)\n"
                          "==1234==            5          0  double_free:^x$ (/etc/more.supp:1)\n"
                          "==1234==   leaked: 308 bytes in 4 blocks\n"
                          "# 300 bytes in 3 blocks definitely lost\n"
                          "leak:^leak_three$\n");
    ck_assert_ptr_null(strstr(text, "indirectly lost\n")); /* one rule, proposed once */
    free(text);
    char *json = CAPTURE(report_json_write(out, (struct analyze_process *[]){&p}, 1));
    assert_contains(json, "\"suppressed_bytes\": 40, \"suppressed_blocks\": 2, "
                          "\"suppressed_errors\": 5, ");
    assert_contains(json, "\"suppressions\": [\n      {\"rule\": \"leak:leak_three\", "
                          "\"file\": \"s.supp\", \"line\": 3, \"count\": 2, \"bytes\": 40},\n"
                          "      {\"rule\": \"double_free:^x$\", \"file\": \"/etc/more.supp\", "
                          "\"line\": 1, \"count\": 5, \"bytes\": 0}],");
    assert_contains(json, "\"indirect_blocks\": 0, \"suppression\": \"leak:^leak_three$\"}");
    free(json);
}
END_TEST

/* Collapsed stacks: outermost first, names or [module], merged across processes. */
START_TEST(test_flamegraph)
{
    struct analyze_frame odd[] = {{0x20, PROG_NAME, "ns::f(int;)", NULL, 0, 0, NULL},
                                  {0x30, PROG_NAME, "main", NULL, 0, 0, NULL}};
    struct analyze_stack odd_stack = {7, 2, odd};
    struct analyze_leak classed[] = {{"definitely_lost", 300, 3, &stacks[0], NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
                                     {"indirectly_lost", 8, 1, &stacks[1], NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
                                     {"possibly_lost", 16, 1, &odd_stack, NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
                                     {"definitely_lost", 5, 1, &odd_stack, NULL, 0, 0, -1, 0, 0, 0, 0, NULL}};
    struct analyze_process p = make_process(), q = make_process();
    p.leaks = classed;
    p.nleaks = 4;
    struct analyze_process *procs[] = {&p, &q};
    char *text = CAPTURE(report_flame_write(out, procs, 2, 0));
    ck_assert_str_eq(text, "[no stack] 16\n"
                           "[unknown];bar;[libfoo.so];leak_three;leak_inner 600\n"
                           "main;ns::f(int:) 5\n");
    free(text);
    p.allocated = classed + 2;
    p.nallocated = 1;
    text = CAPTURE(report_flame_write(out, procs, 1, 1));
    ck_assert_str_eq(text, "main;ns::f(int:) 16\n");
    free(text);
}
END_TEST

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *at = text; (at = strstr(at, what)); at++)
        n++;
    return n;
}

/* After the first `from` in text, `first` comes before `second`. */
static void assert_before(const char *text, const char *from, const char *first,
                          const char *second)
{
    const char *start = strstr(text, from);
    ck_assert_msg(start != NULL, "missing \"%s\"", from);
    const char *a = strstr(start, first), *b = strstr(start, second);
    ck_assert_msg(a && b && a < b, "\"%s\" not before \"%s\" after \"%s\"", first, second, from);
}

/* The HTML page: C++ names like operator<< escaped in the tables and in the script's data
 * (nothing can end the <script> element), the sites tables ordered by each measure. */
START_TEST(test_html_escaping)
{
    struct analyze_frame op[] = {
        {0x401000, "/usr/bin/demo", "operator<<(std::ostream&, T const&)", "/src/a&b.cc", 3, 0, NULL},
        {0x401100, "/usr/bin/demo", "main</script>", "/src/demo.c", 9, 0, NULL},
    };
    struct analyze_stack op_stack = {7, 2, op};
    struct analyze_leak leak = {"definitely_lost", 40, 2, &op_stack, NULL, 0, 0, -1, 0, 0, 0, 0, NULL};
    struct analyze_leak sites[] = {{"allocated", 100, 1, &op_stack, NULL, 0, 0, -1, 0, 0, 0, 0, NULL},
                                   {"allocated", 50, 9, &stacks[0], NULL, 0, 0, -1, 50, 4, 0, 0, NULL}};
    struct analyze_point timeline[] = {{0, 10, 1}, {500, 1234, 3}, {900, 40, 2}};
    struct analyze_process p = make_process();
    p.exe = "/bin/x<b>";
    p.leaks = &leak;
    p.nleaks = 1;
    p.allocated = sites;
    p.nallocated = 2;
    p.timeline = timeline;
    p.ntimeline = 3;
    struct analyze_process *procs[] = {&p};
    char *html = CAPTURE(report_html_write(out, procs, 1));
    assert_contains(html, "<span class=\"fn\">operator&lt;&lt;(std::ostream&amp;, T const&amp;)</span>");
    assert_contains(html, "<span class=\"loc\">a&amp;b.cc:3</span>");
    assert_contains(html, "\"operator\\u003c\\u003c(std::ostream\\u0026, T const\\u0026)\"");
    assert_contains(html, "<title>heapwise: x&lt;b&gt;</title>");
    assert_contains(html, "<code>/bin/x&lt;b&gt; a1</code>");
    assert_contains(html, "<span class=\"fn\">main&lt;/script&gt;</span>");
    assert_contains(html, "\"main\\u003c/script\\u003e\"");
    ck_assert_ptr_null(strstr(html, "operator<<"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_int_eq(count(html, "</script>"), 2); /* the data's and the code's */
    assert_contains(html, "\"timeline\": [[0,10,1],[500,1234,3],[900,40,2]],\n\"rss\": []");
    assert_contains(html, "<td id=\"peak-rss-0\"><span class=\"muted\">not sampled</span>");
    assert_contains(html, "<td id=\"peak-0\"><span data-bytes=\"1234\"");
    assert_before(html, "data-by=\"bytes\"><table>", "operator&lt;&lt;", "leak_inner");
    assert_before(html, "data-by=\"calls\"><table>", "leak_inner", "operator&lt;&lt;");
    free(html);
    struct analyze_point rss[] = {{100, 8192, 0}, {800, 20480, 0}};
    p.rss = rss;
    p.nrss = 2;
    p.summary.rss_samples = 9;
    p.summary.peak_rss_bytes = 20480;
    html = CAPTURE(report_html_write(out, procs, 1));
    assert_contains(html, "\"rss\": [[100,8192],[800,20480]]");
    assert_contains(html, "<td id=\"peak-rss-0\"><span data-bytes=\"20480\"");
    free(html);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_text_leak_classes);
    tcase_add_test(tc, test_held_leaks);
    tcase_add_test(tc, test_text_counts_and_warning);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_json_ends);
    tcase_add_test(tc, test_json_escaping);
    tcase_add_test(tc, test_text_escaping);
    tcase_add_test(tc, test_running);
    tcase_add_test(tc, test_stream_error);
    tcase_add_test(tc, test_text_suppressions);
    tcase_add_test(tc, test_flamegraph);
    tcase_add_test(tc, test_html_escaping);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(report_suite());
}
