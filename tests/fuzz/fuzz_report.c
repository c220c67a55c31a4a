/*
 * The fuzz target: arbitrary bytes as a trace file through everything `heapwise report`
 * does (reader, replay, heap errors, suppressions, leak grouping, text, JSON, flame
 * graph and pprof reports) except reading
 * debug information: module paths in the input are never opened (addresses_only), so the
 * input cannot make it touch files. Every refusal or partial read must name its byte.
 * Built with libFuzzer by `make fuzz`, and with the
 * normal compiler into tests/fuzz/replay, which feeds it the committed inputs in make check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/suppress.h"
#include "trace/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One in-memory file for every input, opened by path as the CLI opens a trace. */
static int trace_fd = -1;
static char trace_path[64];
static FILE *sink;
/* Rules for the inputs analysed with suppressions: frames have module paths, no names. */
static struct suppress rules;
static const char rules_text[] = "# fuzz\nleak:libc.so\ndouble_free:^/lib*ld-linux\n"
                                 "invalid_free:$\noverflow:*\nleak:^/work/*leak_c$\n";

static void setup(void)
{
    trace_fd = memfd_create("heapwise-fuzz", MFD_CLOEXEC);
    sink = fopen("/dev/null", "w");
    if (trace_fd < 0 || !sink) {
        perror("heapwise fuzz: memfd_create or /dev/null");
        abort();
    }
    snprintf(trace_path, sizeof(trace_path), "/proc/self/fd/%d", trace_fd);
    struct analyze_error err;
    suppress_init(&rules);
    if (suppress_parse(&rules, "fuzz.supp", rules_text, sizeof(rules_text) - 1, &err) < 0) {
        fprintf(stderr, "heapwise fuzz: %s\n", err.message);
        abort();
    }
}

/*
 * A copy of a version-2 input whose frames carry the CRC of what they hold, so that the
 * fuzzer gets past the checksum to the frame's lengths, zstd and the packed records
 * (taken for inputs whose size has bit 1 set: the others exercise the check itself).
 * NULL for an input without frames.
 */
static uint8_t *with_good_crcs(const uint8_t *data, size_t size)
{
    struct trace_file_header h;
    if (!(size & 2) || size < sizeof(h))
        return NULL;
    memcpy(&h, data, sizeof(h));
    if (h.version < TRACE_VERSION_FRAMES || h.data_offset >= size)
        return NULL;
    uint8_t *copy = malloc(size);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    for (size_t at = h.data_offset; size - at >= sizeof(struct trace_frame);) {
        struct trace_frame f;
        memcpy(&f, copy + at, sizeof(f));
        if (f.stored > size - at - sizeof(f))
            break;
        f.crc = frame_crc(&f, copy + at + sizeof(f));
        memcpy(copy + at, &f, sizeof(f));
        at += sizeof(f) + f.stored;
    }
    return copy;
}

/* Make the memory file hold exactly data. */
static void load(const uint8_t *data, size_t size)
{
    size_t done = 0;
    if (ftruncate(trace_fd, 0) < 0)
        abort();
    while (done < size) {
        ssize_t n = pwrite(trace_fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
}

/*
 * The promise of issue #5, checked on every input: a trace refused or read only in part
 * is explained by a message naming the byte ("... at byte N"), never by a bare errno.
 */
static void expect_byte(const char *message, int64_t offset)
{
    if (offset >= 0 && strstr(message, " at byte "))
        return;
    fprintf(stderr, "heapwise fuzz: no byte offset in \"%s\" (offset %lld)\n", message,
            (long long)offset);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (trace_fd < 0)
        setup();
    uint8_t *fixed = with_good_crcs(data, size);
    load(fixed ? fixed : data, size);
    free(fixed);
    /* odd sizes take the other options of `heapwise report` (any bit of the input would
     * do; this one needs no bytes of it) */
    const int all = size & 1;
    const struct analyze_opts opts = {
        .addresses_only = 1,
        .suppress = all ? &rules : NULL,
        .gen_suppressions = all,
        .allocated = all,
        .show_below_main = all,
        .max_frames = all ? 3 : 0,
    };
    struct analyze_process *p = NULL;
    struct analyze_error err;
    if (analyze_trace(trace_path, &opts, &p, &err) < 0) {
        expect_byte(err.message, err.offset);
        return 0;
    }
    if (p->warning)
        expect_byte(p->warning, 0);
    report_text_show(sink, p, REPORT_SHOW_POSSIBLE | REPORT_SHOW_REACHABLE);
    report_json_write(sink, &p, 1);
    report_flame_write(sink, &p, 1, all);
    report_pprof_write(sink, &p, 1);
    analyze_process_free(p);
    return 0;
}
