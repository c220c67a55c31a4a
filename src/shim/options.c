/*
 * HEAPWISE_OPTIONS parsing and trace path construction (see options.h). Everything here
 * works on caller-provided buffers with explicit bounds; it must not allocate or touch
 * the environment, because init.c calls it from inside the allocator's constructor.
 */
#include "config.h"

#include "shim/options.h"

#include <errno.h>
#include <string.h>

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
    c->enabled = 1;
    c->guard = 1;
    c->quarantine_size = OPTIONS_QUARANTINE_DEFAULT;
    c->abort_on_error = 0;
    c->leak_scan = 1;
    c->trace_children = 1;
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

/* Apply one key=value; -1 with err set on an unknown key or a bad value. */
static int apply(struct options *c, const char *k, size_t kn, const char *v, size_t vn, char *err)
{
    uint64_t x = 0;
    int num = parse_num(v, vn, &x);
#define KEY(name) (kn == sizeof(name) - 1 && memcmp(k, name, kn) == 0)
    if (KEY("output")) {
        if (vn == 0 || vn >= OPTIONS_PATH_MAX)
            goto bad;
        memcpy(c->output, v, vn);
        c->output[vn] = '\0';
    } else if (KEY("depth")) {
        if (num < 0 || x < 1 || x > OPTIONS_DEPTH_MAX)
            goto bad;
        c->depth = (unsigned)x;
    } else if (KEY("free_stacks") || KEY("enabled") || KEY("guard") || KEY("abort_on_error") ||
               KEY("leak_scan") || KEY("trace_children")) {
        if (num < 0 || x > 1 || vn != 1)
            goto bad;
        *(KEY("enabled")          ? &c->enabled
          : KEY("guard")          ? &c->guard
          : KEY("abort_on_error") ? &c->abort_on_error
          : KEY("leak_scan")      ? &c->leak_scan
          : KEY("trace_children") ? &c->trace_children
                                  : &c->free_stacks) = (int)x;
    } else if (KEY("quarantine_size")) {
        if (num < 0)
            goto bad;
        c->quarantine_size = x;
    } else if (KEY("ring_size")) {
        if (num < 0 || !is_pow2(x) || x < OPTIONS_RING_MIN || x > OPTIONS_RING_MAX)
            goto bad;
        c->ring_size = x;
    } else {
        say(err, "unknown option '", k, kn, "'");
        return -1;
    }
#undef KEY
    return 0;
bad:
    say(err, "bad value '", v, vn, "' for option '");
    errcat(err, k, kn);
    errcat(err, "'", 1);
    return -1;
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
