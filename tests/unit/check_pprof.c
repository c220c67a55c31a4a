/*
 * Unit tests of src/analyze/report_pprof.c and pprof_tables.c: a profile written for made-up
 * processes, gunzipped and unpacked again with the generated protobuf-c code, holds the
 * exact samples, locations (shared between stacks, inlined functions as Lines innermost
 * first), functions, mappings and strings; a failing stream is -EIO.
 */
#include "check_run.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analyze/analyze.h"
#include "src/analyze/profile.pb-c.h"

#define EXE "/usr/bin/app"
#define LIBC "/lib/libc.so.6"

static const unsigned char build_id[] = {0xde, 0xad, 0xbe, 0xef};
static struct analyze_module modules[] = {
    {EXE, 0x400000, 0x400000, 0x402000, build_id, sizeof(build_id)},
    {LIBC, 0x7f0000000000, 0x7f0000000000, 0x7f0000200000, NULL, 0},
};
/* A leaf inlined into its caller at 0x401010, then main; and libc's malloc wrapper. */
static struct analyze_frame leak_frames[] = {
    {0x401010, EXE, "leaf", "/src/app.c", 7, 1, NULL},
    {0x401010, EXE, "ns::caller(int)", "/src/app.cc", 12, 0, "_ZN2ns6callerEi"},
    {0x401100, EXE, "main", "/src/app.c", 30, 0, NULL},
};
static struct analyze_frame other_frames[] = {
    {0x7f0000001234, LIBC, NULL, NULL, 0, 0, NULL}, /* no symbols */
    {0x10, NULL, NULL, NULL, 0, 0, NULL},           /* no module */
    {0x401100, EXE, "main", "/src/app.c", 30, 0, NULL},
};
static struct analyze_stack stacks[] = {{3, 3, leak_frames}, {5, 3, other_frames}, {0, 0, NULL}};

static struct analyze_process make_process(uint64_t pid, struct analyze_leak *allocated,
                                           size_t nallocated, struct analyze_leak *leaks,
                                           size_t nleaks)
{
    struct analyze_process p = {.pid = pid, .exe = EXE, .end = ANALYZE_END_EXIT};
    p.start_ns = 1700000000000000000ULL + pid;
    p.duration_ns = 5000;
    p.modules = modules;
    p.nmodules = 2;
    p.allocated = allocated;
    p.nallocated = nallocated;
    p.leaks = leaks;
    p.nleaks = nleaks;
    return p;
}

/* The profile of procs, written, gunzipped and unpacked (free with ..._free_unpacked). */
static Perftools__Profiles__Profile *round_trip(struct analyze_process **procs, size_t n)
{
    char *gz = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&gz, &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(report_pprof_write(out, procs, n), 0);
    fclose(out);
    ck_assert_uint_ge(len, 18);
    ck_assert_uint_eq((unsigned char)gz[0], 0x1f); /* gzip magic */
    ck_assert_uint_eq((unsigned char)gz[1], 0x8b);
    static unsigned char raw[1 << 20];
    z_stream z = {.next_in = (unsigned char *)gz, .avail_in = (uInt)len};
    ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_out = raw;
    z.avail_out = sizeof(raw);
    ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    size_t raw_len = sizeof(raw) - z.avail_out;
    inflateEnd(&z);
    free(gz);
    Perftools__Profiles__Profile *p = perftools__profiles__profile__unpack(NULL, raw_len, raw);
    ck_assert_ptr_nonnull(p);
    return p;
}

static const char *str(const Perftools__Profiles__Profile *p, int64_t i)
{
    ck_assert_int_ge(i, 0);
    ck_assert_uint_lt((size_t)i, p->n_string_table);
    return p->string_table[i];
}

static const char *function_name(const Perftools__Profiles__Profile *p, uint64_t id)
{
    ck_assert_uint_ge(id, 1);
    ck_assert_uint_le(id, p->n_function);
    ck_assert_uint_eq(p->function[id - 1]->id, id);
    return str(p, p->function[id - 1]->name);
}

START_TEST(test_samples_and_types)
{
    struct analyze_leak allocated[] = {
        {.kind = "allocated", .bytes = 1000, .blocks = 10, .stack = &stacks[0]},
        {.kind = "allocated", .bytes = 64, .blocks = 2, .stack = &stacks[1]}};
    struct analyze_leak leaks[] = {
        {.kind = "definitely_lost", .bytes = 300, .blocks = 3, .stack = &stacks[0]},
        {.kind = "still_reachable", .bytes = 20, .blocks = 1, .stack = &stacks[0]},
        {.kind = "leaked", .bytes = 8, .blocks = 1, .stack = &stacks[2]}};
    struct analyze_process a = make_process(42, allocated, 2, leaks, 3);
    struct analyze_process *procs[] = {&a};
    Perftools__Profiles__Profile *p = round_trip(procs, 1);
    ck_assert_str_eq(p->string_table[0], "");
    static const char *const types[][2] = {{"alloc_objects", "count"},
                                           {"alloc_space", "bytes"},
                                           {"inuse_objects", "count"},
                                           {"inuse_space", "bytes"}};
    ck_assert_uint_eq(p->n_sample_type, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(str(p, p->sample_type[i]->type), types[i][0]);
        ck_assert_str_eq(str(p, p->sample_type[i]->unit), types[i][1]);
    }
    ck_assert_str_eq(str(p, p->default_sample_type), "inuse_space");
    ck_assert_str_eq(str(p, p->period_type->type), "space");
    ck_assert_int_eq(p->period, 1);
    ck_assert_int_eq(p->time_nanos, 1700000000000000042LL);
    ck_assert_int_eq(p->duration_nanos, 5000);
    /* stack 3 (allocated and two leak classes), stack 5 (allocated), no stack (leaked) */
    static const int64_t want[3][4] = {{10, 1000, 4, 320}, {2, 64, 0, 0}, {0, 0, 1, 8}};
    static const size_t depth[3] = {2, 3, 0}; /* leaf+caller are one location */
    ck_assert_uint_eq(p->n_sample, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(p->sample[i]->n_value, 4);
        for (int v = 0; v < 4; v++)
            ck_assert_int_eq(p->sample[i]->value[v], want[i][v]);
        ck_assert_uint_eq(p->sample[i]->n_location_id, depth[i]);
        ck_assert_uint_eq(p->sample[i]->n_label, 1);
        ck_assert_str_eq(str(p, p->sample[i]->label[0]->key), "pid");
        ck_assert_int_eq(p->sample[i]->label[0]->num, 42);
    }
    /* main is one location, shared by both stacks */
    ck_assert_uint_eq(p->sample[0]->location_id[1], p->sample[1]->location_id[2]);
    ck_assert_uint_eq(p->n_location, 4);
    perftools__profiles__profile__free_unpacked(p, NULL);
}
END_TEST

START_TEST(test_locations_functions_mappings)
{
    struct analyze_leak allocated[] = {
        {.kind = "allocated", .bytes = 1, .blocks = 1, .stack = &stacks[0]},
        {.kind = "allocated", .bytes = 1, .blocks = 1, .stack = &stacks[1]}};
    struct analyze_process a = make_process(42, allocated, 2, NULL, 0);
    struct analyze_process *procs[] = {&a};
    Perftools__Profiles__Profile *p = round_trip(procs, 1);
    const Perftools__Profiles__Location *inl = p->location[p->sample[0]->location_id[0] - 1];
    ck_assert_uint_eq(inl->address, 0x401010);
    ck_assert_uint_eq(inl->n_line, 2); /* innermost first */
    ck_assert_str_eq(function_name(p, inl->line[0]->function_id), "leaf");
    ck_assert_int_eq(inl->line[0]->line, 7);
    ck_assert_str_eq(function_name(p, inl->line[1]->function_id), "ns::caller(int)");
    ck_assert_int_eq(inl->line[1]->line, 12);
    const Perftools__Profiles__Function *caller = p->function[inl->line[1]->function_id - 1];
    ck_assert_str_eq(str(p, caller->system_name), "_ZN2ns6callerEi");
    ck_assert_str_eq(str(p, caller->filename), "/src/app.cc");
    const Perftools__Profiles__Function *leaf = p->function[inl->line[0]->function_id - 1];
    ck_assert_str_eq(str(p, leaf->system_name), "leaf");
    const Perftools__Profiles__Mapping *exe = p->mapping[inl->mapping_id - 1];
    ck_assert_uint_eq(exe->memory_start, 0x400000);
    ck_assert_uint_eq(exe->memory_limit, 0x402000);
    ck_assert_str_eq(str(p, exe->filename), EXE);
    ck_assert_str_eq(str(p, exe->build_id), "deadbeef");
    ck_assert(exe->has_functions && exe->has_filenames && exe->has_line_numbers);
    const Perftools__Profiles__Location *bare = p->location[p->sample[1]->location_id[0] - 1];
    ck_assert_uint_eq(bare->n_line, 0);
    const Perftools__Profiles__Mapping *libc = p->mapping[bare->mapping_id - 1];
    ck_assert_str_eq(str(p, libc->filename), LIBC);
    ck_assert_str_eq(str(p, libc->build_id), "");
    ck_assert(!libc->has_functions && !libc->has_filenames);
    const Perftools__Profiles__Location *lost = p->location[p->sample[1]->location_id[1] - 1];
    ck_assert_uint_eq(lost->address, 0x10);
    ck_assert_uint_eq(lost->mapping_id, 0);
    ck_assert_uint_eq(p->n_mapping, 2);
    ck_assert_uint_eq(p->n_function, 3); /* leaf, ns::caller, main: each once */
    perftools__profiles__profile__free_unpacked(p, NULL);
}
END_TEST

/* Two processes: the same addresses are different locations and mappings, pid labels. */
START_TEST(test_processes)
{
    struct analyze_leak allocated[] = {
        {.kind = "allocated", .bytes = 5, .blocks = 1, .stack = &stacks[0]}};
    struct analyze_process a = make_process(7, allocated, 1, NULL, 0);
    struct analyze_process b = make_process(3, allocated, 1, NULL, 0);
    b.duration_ns = 100;
    struct analyze_process *procs[] = {&a, &b};
    Perftools__Profiles__Profile *p = round_trip(procs, 2);
    ck_assert_uint_eq(p->n_sample, 2);
    ck_assert_int_eq(p->sample[0]->label[0]->num, 7);
    ck_assert_int_eq(p->sample[1]->label[0]->num, 3);
    ck_assert_uint_ne(p->sample[0]->location_id[0], p->sample[1]->location_id[0]);
    ck_assert_uint_eq(p->n_location, 4);
    ck_assert_uint_eq(p->n_mapping, 2);
    ck_assert_uint_eq(p->n_function, 3); /* functions are names: shared */
    ck_assert_int_eq(p->time_nanos, 1700000000000000003LL);
    ck_assert_int_eq(p->duration_nanos, 5004); /* to the end of the later process */
    ck_assert_uint_eq(p->n_comment, 3);
    ck_assert_str_eq(str(p, p->comment[1]), "process 7: " EXE);
    perftools__profiles__profile__free_unpacked(p, NULL);
}
END_TEST

/* A frame's mapping is the module of its path whose range holds it (a library loaded
 * twice is two mappings); a path no module of that range has gives none. */
START_TEST(test_module_by_range)
{
    static const unsigned char again_id[] = {0xab};
    struct analyze_module mods[] = {
        modules[0],
        modules[1],
        {LIBC, 0x7f1000000000, 0x7f1000000000, 0x7f1000200000, again_id, 1}};
    struct analyze_frame f[] = {{0x7f1000000010, LIBC, "malloc", NULL, 0, 0, NULL},
                                {0x7f0000000010, LIBC, "malloc", NULL, 0, 0, NULL},
                                {0x7f2000000000, LIBC, "malloc", NULL, 0, 0, NULL}};
    struct analyze_stack st = {9, 3, f};
    struct analyze_leak allocated[] = {
        {.kind = "allocated", .bytes = 1, .blocks = 1, .stack = &st}};
    struct analyze_process a = make_process(42, allocated, 1, NULL, 0);
    a.modules = mods;
    a.nmodules = 3;
    struct analyze_process *procs[] = {&a};
    Perftools__Profiles__Profile *p = round_trip(procs, 1);
    ck_assert_uint_eq(p->sample[0]->n_location_id, 3);
    const Perftools__Profiles__Location *l[3];
    for (int i = 0; i < 3; i++)
        l[i] = p->location[p->sample[0]->location_id[i] - 1];
    ck_assert_str_eq(str(p, p->mapping[l[0]->mapping_id - 1]->build_id), "ab");
    ck_assert_uint_eq(p->mapping[l[0]->mapping_id - 1]->memory_start, 0x7f1000000000);
    ck_assert_uint_eq(p->mapping[l[1]->mapping_id - 1]->memory_start, 0x7f0000000000);
    ck_assert_uint_eq(l[2]->mapping_id, 0);
    ck_assert_uint_eq(p->n_function, 1);
    perftools__profiles__profile__free_unpacked(p, NULL);
}
END_TEST

/* Strings that are not UTF-8 (a path, a symbol) get U+FFFD for each bad byte. */
START_TEST(test_not_utf8)
{
    struct analyze_frame f[] = {{0x401000, EXE, "caf\xc3\xa9\xff", "/src/\xe9.c", 1, 0, NULL}};
    struct analyze_stack st = {9, 1, f};
    struct analyze_leak allocated[] = {
        {.kind = "allocated", .bytes = 1, .blocks = 1, .stack = &st}};
    struct analyze_process a = make_process(42, allocated, 1, NULL, 0);
    struct analyze_process *procs[] = {&a};
    Perftools__Profiles__Profile *p = round_trip(procs, 1);
    const Perftools__Profiles__Function *fn = p->function[0];
    ck_assert_str_eq(str(p, fn->name), "caf\xc3\xa9\xef\xbf\xbd");
    ck_assert_str_eq(str(p, fn->filename), "/src/\xef\xbf\xbd.c");
    perftools__profiles__profile__free_unpacked(p, NULL);
}
END_TEST

START_TEST(test_empty_and_stream_error)
{
    Perftools__Profiles__Profile *p = round_trip(NULL, 0);
    ck_assert_uint_eq(p->n_sample, 0);
    ck_assert_uint_eq(p->n_sample_type, 4);
    perftools__profiles__profile__free_unpacked(p, NULL);
    FILE *ro = fopen("/dev/null", "r");
    ck_assert_ptr_nonnull(ro);
    ck_assert_int_eq(report_pprof_write(ro, NULL, 0), -EIO);
    fclose(ro);
}
END_TEST

static Suite *pprof_suite(void)
{
    Suite *s = suite_create("pprof");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_samples_and_types);
    tcase_add_test(tc, test_locations_functions_mappings);
    tcase_add_test(tc, test_processes);
    tcase_add_test(tc, test_module_by_range);
    tcase_add_test(tc, test_not_utf8);
    tcase_add_test(tc, test_empty_and_stream_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(pprof_suite());
}
