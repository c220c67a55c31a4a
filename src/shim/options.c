/*
 * HEAPWISE_OPTIONS parsing and trace path construction (see options.h). Everything here
 * works on caller-provided buffers with explicit bounds; it must not allocate or touch
 * the environment, because init.c calls it from inside the allocator's constructor.
 */
#include "config.h"

#include "shim/options.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shim/stopworld.h"

/* Append src[0..n) to out at *len, bounded by OPTIONS_PATH_MAX; -ENAMETOOLONG if full. */
static int put(char *out, size_t *len, const char *src, size_t n)
{
    if (*len + n >= OPTIONS_PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(out + *len, src, n);
    *len += n;
    out[*len] = '\0';
    return 0;
}

static int put_num(char *out, size_t *len, unsigned long v)
{
    char buf[24];
    size_t i = sizeof(buf);
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return put(out, len, buf + i, sizeof(buf) - i);
}

/* Append s[0..n) to the NUL-terminated err, bounded by OPTIONS_ERR_MAX. */
static void errcat(char *err, const char *s, size_t n)
{
    size_t len = strlen(err);
    size_t k = n < OPTIONS_ERR_MAX - 1 - len ? n : OPTIONS_ERR_MAX - 1 - len;
    memcpy(err + len, s, k);
    err[len + k] = '\0';
}

/* err = a + s[0..n) + b. */
static void say(char *err, const char *a, const char *s, size_t n, const char *b)
{
    err[0] = '\0';
    errcat(err, a, strlen(a));
    errcat(err, s, n);
    errcat(err, b, strlen(b));
}

void options_defaults(struct options *c)
{
    c->output[0] = '\0';
    c->depth = OPTIONS_DEPTH_DEFAULT;
    c->free_stacks = 1;
    c->ring_size = OPTIONS_RING_DEFAULT;
    c->time_unit = OPTIONS_TIME_UNIT_DEFAULT;
    c->enabled = 1;
    c->guard = 1;
    c->quarantine_size = OPTIONS_QUARANTINE_DEFAULT;
    c->abort_on_error = 0;
    c->leak_scan = 1;
    c->trace_children = 1;
    c->summary = 1;
    c->error_exitcode = 0;
    c->leak_kinds = OPTIONS_LEAK_DEFAULT;
    c->quiet = 0;
    c->suppressions = 0;
    c->sample_interval_ms = OPTIONS_SAMPLE_DEFAULT_MS;
    c->check_signal = 0;
    c->fast_unwind = 1;
    c->unwind_verify = 0;
}

/* Parse a decimal with an optional K/M/G (binary) suffix; -1 on anything else. */
static int parse_num(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;
    size_t i = 0;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
        if (x > (UINT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    if (i == 0)
        return -1;
    unsigned shift = 0;
    if (i + 1 == n) {
        const char *units = "KkMmGg";
        const char *u = strchr(units, v[i]);
        if (!u || !*u)
            return -1;
        shift = 10 * (unsigned)((u - units) / 2 + 1);
    } else if (i != n) {
        return -1;
    }
    if (shift && x > (UINT64_MAX >> shift))
        return -1;
    *out = x << shift;
    return 0;
}

static int is_pow2(uint64_t x)
{
    return x && (x & (x - 1)) == 0;
}

/* 1 when v[0..n) is the NUL-terminated word w. */
static int is(const char *v, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(v, w, n) == 0;
}

int options_leak_kinds(const char *s, size_t n, unsigned *bits)
{
    static const struct {
        const char *name;
        unsigned bits;
    } names[] = {
        {"definite", OPTIONS_LEAK_DEFINITE}, {"indirect", OPTIONS_LEAK_INDIRECT},
        {"possible", OPTIONS_LEAK_POSSIBLE}, {"reachable", OPTIONS_LEAK_REACHABLE},
        {"all", OPTIONS_LEAK_ALL},           {"none", 0},
    };
    *bits = 0;
    if (n == 0)
        return -EINVAL;
    for (size_t at = 0; at <= n;) {
        const char *comma = memchr(s + at, ',', n - at);
        size_t len = comma ? (size_t)(comma - (s + at)) : n - at, i = 0;
        while (i < sizeof(names) / sizeof(names[0]) && !is(s + at, len, names[i].name))
            i++;
        if (i == sizeof(names) / sizeof(names[0]))
            return -EINVAL;
        *bits |= names[i].bits;
        at += len + 1;
    }
    return 0;
}

/* 1 when a handler for sig may ask for a leak check and return (see options.h). */
static int catchable(int sig)
{
    static const int refused[] = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE,
                                  SIGILL,  SIGTRAP, SIGSYS,  SIGABRT};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (sig == refused[i])
            return 0;
    return sig >= 1 && sig <= SIGRTMAX && (sig < 32 || sig >= SIGRTMIN) && sig != STOPWORLD_SIGNAL;
}

int options_signal(const char *s, size_t n, int *sig)
{
    uint64_t x = 0;
    *sig = 0;
    if (n && strspn(s, "0123456789") >= n && parse_num(s, n, &x) == 0 && x <= INT32_MAX) {
        if (x == 0)
            return 0; /* off */
        *sig = (int)x;
    } else {
        if (n > 3 && memcmp(s, "SIG", 3) == 0)
            s += 3, n -= 3;
        for (int i = 1; i < 32 && !*sig; i++)
            if (sigabbrev_np(i) && is(s, n, sigabbrev_np(i)))
                *sig = i;
    }
    return catchable(*sig) ? 0 : -EINVAL;
}

/* How a key's value is read (and where it goes: struct key.offset). */
enum value_type {
    VALUE_PATH,      /* a non-empty path, copied into a char[OPTIONS_PATH_MAX] */
    VALUE_GIVEN,     /* a non-empty path that is only noted: the int becomes 1 */
    VALUE_BOOL,      /* 0 or 1, into an int */
    VALUE_NOT,       /* 0 or 1, its negation into an int (no_free_stacks) */
    VALUE_YES_NO,    /* 0, 1, no or yes, into an int */
    VALUE_DEPTH,     /* 1..OPTIONS_DEPTH_MAX, into an unsigned */
    VALUE_BYTES,     /* a size with K/M/G, into a uint64_t */
    VALUE_RING,      /* a power of two in [RING_MIN, RING_MAX], into a uint64_t */
    VALUE_TIME_UNIT, /* 1..OPTIONS_TIME_UNIT_MAX (ns), into an unsigned */
    VALUE_EXITCODE,  /* 1..OPTIONS_EXITCODE_MAX, into an int */
    VALUE_KINDS,     /* a leak_kinds list, into an unsigned */
    VALUE_FLAME,     /* leaked or allocated (checked, not kept) */
    VALUE_MS,        /* 0..OPTIONS_SAMPLE_MAX_MS, digits only, into an unsigned */
    VALUE_SIGNAL,    /* a signal for check_signal (options_signal), its number into an int */
};

/* Where a key's value goes when the shim keeps it; NOT_KEPT for the report's own keys. */
#define NOT_KEPT SIZE_MAX
#define AT(field) offsetof(struct options, field)

static const struct key {
    const char *name;
    enum value_type type;
    size_t offset;
} keys[] = {
    {"output", VALUE_PATH, AT(output)},
    {"depth", VALUE_DEPTH, AT(depth)},
    {"free_stacks", VALUE_BOOL, AT(free_stacks)},
    {"no_free_stacks", VALUE_NOT, AT(free_stacks)},
    {"ring_size", VALUE_RING, AT(ring_size)},
    {"time_unit", VALUE_TIME_UNIT, AT(time_unit)},
    {"enabled", VALUE_BOOL, AT(enabled)},
    {"guard", VALUE_BOOL, AT(guard)},
    {"quarantine_size", VALUE_BYTES, AT(quarantine_size)},
    {"abort_on_error", VALUE_BOOL, AT(abort_on_error)},
    {"leak_scan", VALUE_BOOL, AT(leak_scan)},
    {"trace_children", VALUE_YES_NO, AT(trace_children)},
    {"summary", VALUE_BOOL, AT(summary)},
    {"error_exitcode", VALUE_EXITCODE, AT(error_exitcode)},
    {"leak_kinds", VALUE_KINDS, AT(leak_kinds)},
    {"quiet", VALUE_BOOL, AT(quiet)},
    {"suppressions", VALUE_GIVEN, AT(suppressions)},
    {"sample_interval_ms", VALUE_MS, AT(sample_interval_ms)},
    {"sample_interval", VALUE_MS, AT(sample_interval_ms)}, /* heapwise run's --sample-interval */
    {"check_signal", VALUE_SIGNAL, AT(check_signal)},
    {"fast_unwind", VALUE_BOOL, AT(fast_unwind)},
    {"unwind_verify", VALUE_BOOL, AT(unwind_verify)},
    {"log_file", VALUE_PATH, NOT_KEPT},
    {"json", VALUE_BOOL, NOT_KEPT},
    {"flamegraph", VALUE_FLAME, NOT_KEPT},
    {"html", VALUE_PATH, NOT_KEPT},
    {"pprof", VALUE_PATH, NOT_KEPT},
    {"show_shim_frames", VALUE_BOOL, NOT_KEPT},
    {"show_reachable", VALUE_BOOL, NOT_KEPT},
    {"show_possibly", VALUE_BOOL, NOT_KEPT},
    {"gen_suppressions", VALUE_BOOL, NOT_KEPT},
};

/* The int value of a 0/1 (or, when `words`, no/yes) v[0..n); -1 when it is neither. */
static int boolean(const char *v, size_t n, int words)
{
    if (is(v, n, "0") || (words && is(v, n, "no")))
        return 0;
    if (is(v, n, "1") || (words && is(v, n, "yes")))
        return 1;
    return -1;
}

/* 1 when v[0..n) is all decimal digits (no K/M/G suffix). */
static int digits(const char *v, size_t n)
{
    return strspn(v, "0123456789") >= n;
}

/* Read v[0..n) as `type` says into *x (the value to store); -1 when it is bad. */
static int check(enum value_type type, const char *v, size_t n, uint64_t *x)
{
    int num = parse_num(v, n, x) == 0;
    int b = boolean(v, n, type == VALUE_YES_NO);
    unsigned bits = 0;
    switch (type) {
    case VALUE_PATH:
    case VALUE_GIVEN:
        *x = 1;
        return n && n < OPTIONS_PATH_MAX ? 0 : -1;
    case VALUE_BOOL:
    case VALUE_YES_NO:
    case VALUE_NOT:
        *x = (uint64_t)(type == VALUE_NOT ? !b : b);
        return b < 0 ? -1 : 0;
    case VALUE_DEPTH: return num && *x >= 1 && *x <= OPTIONS_DEPTH_MAX ? 0 : -1;
    case VALUE_BYTES: return num ? 0 : -1;
    case VALUE_RING:
        return num && is_pow2(*x) && *x >= OPTIONS_RING_MIN && *x <= OPTIONS_RING_MAX ? 0 : -1;
    case VALUE_TIME_UNIT:
        return num && digits(v, n) && *x >= 1 && *x <= OPTIONS_TIME_UNIT_MAX ? 0 : -1;
    case VALUE_EXITCODE:
        return num && digits(v, n) && *x >= 1 && *x <= OPTIONS_EXITCODE_MAX ? 0 : -1;
    case VALUE_MS: return num && digits(v, n) && *x <= OPTIONS_SAMPLE_MAX_MS ? 0 : -1;
    case VALUE_KINDS:
        if (options_leak_kinds(v, n, &bits) < 0)
            return -1;
        *x = bits;
        return 0;
    case VALUE_FLAME: return is(v, n, "leaked") || is(v, n, "allocated") ? 0 : -1;
    case VALUE_SIGNAL: {
        int sig = 0;
        int rc = options_signal(v, n, &sig);
        *x = (uint64_t)sig;
        return rc < 0 ? -1 : 0;
    }
    }
    return -1;
}

/* Store a checked value into its field. */
static void store(struct options *c, const struct key *k, const char *v, size_t n, uint64_t x)
{
    char *f = (char *)c + k->offset;
    if (k->offset == NOT_KEPT)
        return;
    switch (k->type) {
    case VALUE_PATH: memcpy(f, v, n); f[n] = '\0'; break;
    case VALUE_DEPTH:
    case VALUE_MS:
    case VALUE_TIME_UNIT:
    case VALUE_KINDS: *(unsigned *)(void *)f = (unsigned)x; break;
    case VALUE_BYTES:
    case VALUE_RING: *(uint64_t *)(void *)f = x; break;
    default: *(int *)(void *)f = (int)x; break;
    }
}

/* Apply one key=value; -1 with err set on an unknown key or a bad value. */
static int apply(struct options *c, const char *k, size_t kn, const char *v, size_t vn, char *err)
{
    size_t i = 0;
    while (i < sizeof(keys) / sizeof(keys[0]) && !is(k, kn, keys[i].name))
        i++;
    if (i == sizeof(keys) / sizeof(keys[0])) {
        say(err, "unknown option '", k, kn, "'");
        return -1;
    }
    uint64_t x = 0;
    if (check(keys[i].type, v, vn, &x) < 0) {
        say(err, "bad value '", v, vn, "' for option '");
        errcat(err, k, kn);
        errcat(err, "'", 1);
        return -1;
    }
    store(c, &keys[i], v, vn, x);
    return 0;
}

int options_parse(struct options *c, const char *s, char *err)
{
    options_defaults(c);
    err[0] = '\0';
    while (s && *s) {
        const char *end = strchr(s, ':');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (n && !eq) {
            say(err, "option '", s, n, "' has no value (expected key=value)");
            return -EINVAL;
        }
        if (n && apply(c, s, (size_t)(eq - s), eq + 1, n - (size_t)(eq - s) - 1, err) < 0)
            return -EINVAL;
        s = end ? end + 1 : s + n;
    }
    return 0;
}

int options_expand_output(const struct options *c, long pid, char *out)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = c->output; *p; p++) {
        int rc = p[0] == '%' && p[1] == 'p' ? (p++, put_num(out, &len, (unsigned long)pid))
                                            : put(out, &len, p, 1);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int options_trace_path(const struct options *c, int output_is_dir, long pid, const char *prog,
                       char *out)
{
    size_t len = 0;
    int rc = 0;
    out[0] = '\0';
    if (c->output[0]) {
        if ((rc = options_expand_output(c, pid, out)) < 0)
            return rc;
        len = strlen(out);
        if (!output_is_dir)
            return 0;
        if (len && out[len - 1] != '/')
            rc = put(out, &len, "/", 1);
    }
    if (rc == 0)
        rc = put(out, &len, "heapwise.", 9);
    if (rc == 0)
        rc = put(out, &len, prog, strlen(prog));
    if (rc == 0)
        rc = put(out, &len, ".", 1);
    if (rc == 0)
        rc = put_num(out, &len, (unsigned long)pid);
    if (rc == 0)
        rc = put(out, &len, ".trace", 6);
    return rc;
}
