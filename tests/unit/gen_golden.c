/*
 * Writes tests/data/v<TRACE_VERSION>-basic.trace and its .expected (see golden.h): the same
 * records in every version (from version 2 on, in frames of 8 records, compressed). Run
 * by hand, from the source tree, only to create the golden files of a new format version:
 *     tests/unit/gen_golden $(srcdir)/tests/data
 * The committed files are the test: never regenerate an existing version's files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "tracegen.h"

/* Every record type and kind, realloc success and failure, records after the end. */
static void build(struct tracegen *g)
{
    static const unsigned char build_id[] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
    const char *argv[] = {"prog", "--flag", "x y"};
    tracegen_process(g, "/nonexistent/golden/prog", 3, argv);
    tracegen_modules_begin(g);
    tracegen_module(g, 0x400000, 0x400000, 0x410000, "/nonexistent/golden/prog", build_id,
                    sizeof(build_id));
    tracegen_module(g, 0x7f0000000000, 0x7f0000000000, 0x7f0000100000,
                    "/nonexistent/golden/libheapwise.so", NULL, 0);
    uint64_t s1[] = {0x7f0000000100, 0x401136, 0x401150, 0x401200};
    uint64_t s2[] = {0x401180, 0x401200};
    uint64_t s3[] = {0x7f0000000100, 0x4011a0};
    tracegen_stack(g, 1, 4, s1);
    tracegen_stack(g, 2, 2, s2);
    tracegen_stack(g, 3, 2, s3);
    for (unsigned k = 0; k < KIND_LIMIT; k++)
        tracegen_alloc(g, k, 0x10000 + k * 0x100, 100 + k, 1);
    for (unsigned k = 0; k < KIND_LIMIT; k += 2)
        tracegen_free(g, k, 0x10000 + k * 0x100);
    uint64_t pad = trace_hdr_word(16, TRACE_REC_PAD, 0), zero = 0;
    tracegen_raw(g, &pad, sizeof(pad));
    tracegen_raw(g, &zero, sizeof(zero));
    tracegen_alloc(g, KIND_MALLOC, 0x20000, 4096, 2);
    tracegen_realloc(g, 0x20000, 0x30000, 8192, 2);
    tracegen_realloc(g, 0x30000, 0, 1 << 30, 2);
    tracegen_free(g, KIND_MALLOC, 0x99990);
    tracegen_modules_begin(g); /* dlclose: the library is gone, old stacks keep it */
    tracegen_module(g, 0x400000, 0x400000, 0x410000, "/nonexistent/golden/prog", build_id,
                    sizeof(build_id));
    tracegen_alloc(g, KIND_NEW, 0x40000, 24, 3);
    tracegen_alloc(g, KIND_MALLOC, 0x50000, 7, TRACE_STACK_NONE);
    tracegen_end(g, 0, 3, 11);
    tracegen_alloc(g, KIND_MALLOC, 0x60000, 16, 3); /* a late destructor's leak */
    tracegen_free(g, KIND_NEW, 0x40000);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_golden DIR\n");
        return 2;
    }
    char trace[4096], expected[4096];
    snprintf(trace, sizeof(trace), "%s/v%d-basic.trace", argv[1], TRACE_VERSION);
    snprintf(expected, sizeof(expected), "%s/v%d-basic.expected", argv[1], TRACE_VERSION);
    struct tracegen g;
    tracegen_init(&g, 4242, 4200);
    build(&g);
    if (TRACE_VERSION >= TRACE_VERSION_FRAMES)
        tracegen_frames(&g, 8, 1);
    if (tracegen_write(&g, trace, g.len) < 0) {
        perror(trace);
        return 1;
    }
    tracegen_fini(&g);
    struct analyze_opts opts = {0};
    struct analyze_process *p;
    struct analyze_error err;
    if (analyze_trace(trace, &opts, &p, &err) < 0) {
        fprintf(stderr, "gen_golden: %s: %s\n", trace, err.message);
        return 1;
    }
    FILE *out = fopen(expected, "w");
    if (!out) {
        perror(expected);
        return 1;
    }
    golden_write(out, p);
    analyze_process_free(p);
    return fclose(out) == 0 ? 0 : 1;
}
