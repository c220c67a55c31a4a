/*
 * Suppression rules (suppress.h): LeakSanitizer's file format and template matching, and
 * the rule proposed for a finding. Each pattern is turned once into a glob over the whole
 * string ('*' the only wildcard): an unanchored side gets a '*', so "foo" becomes "*foo*"
 * and "^foo$" stays "foo". Pure functions over strings and stacks; never prints.
 */
#include "analyze/suppress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/errors.h"
#include "analyze/runtime.h"
#include "trace/format.h"

/* Bytes read from a suppressions file at a time. */
#define READ_CHUNK 4096

void suppress_init(struct suppress *s)
{
    memset(s, 0, sizeof(*s));
    strpool_init(&s->strings);
}

void suppress_fini(struct suppress *s)
{
    free(s->rules);
    strpool_fini(&s->strings);
    suppress_init(s);
}

/* The kind named by the n bytes at name (SUPPRESS_LEAK or an error kind), or NULL. */
static const char *known_kind(const char *name, size_t n)
{
    if (n == strlen(SUPPRESS_LEAK) && memcmp(name, SUPPRESS_LEAK, n) == 0)
        return SUPPRESS_LEAK;
    for (unsigned k = errors_kind_next(0); k; k = errors_kind_next(k)) {
        const char *e = errors_kind_name(k);
        if (strlen(e) == n && memcmp(name, e, n) == 0)
            return e;
    }
    return NULL;
}

/* "leak, double_free, ..." into buf. */
static void list_kinds(char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "%s", SUPPRESS_LEAK);
    for (unsigned k = errors_kind_next(0); k && used < len; k = errors_kind_next(k))
        used += (size_t)snprintf(buf + used, len - used, ", %s", errors_kind_name(k));
}

__attribute__((format(printf, 5, 6))) static int
bad_line(struct analyze_error *err, const char *file, int line, size_t offset, const char *fmt, ...)
{
    char cause[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cause, sizeof(cause), fmt, ap);
    va_end(ap);
    snprintf(err->message, sizeof(err->message), "%s:%d: %s", file, line, cause);
    err->offset = (int64_t)offset;
    return -EINVAL;
}

/* The glob of a pattern (see the file comment), pooled; NULL when out of memory. */
static const char *make_glob(struct strpool *pool, const char *pattern, size_t n)
{
    int start = n > 0 && pattern[0] == '^';
    const char *body = pattern + start;
    const char *dollar = memchr(body, '$', n - (size_t)start);
    size_t body_len = dollar ? (size_t)(dollar - body) : n - (size_t)start;
    char *glob = malloc(body_len + 3);
    if (!glob)
        return NULL;
    int len = snprintf(glob, body_len + 3, "%s%.*s%s", start ? "" : "*", (int)body_len, body,
                       dollar ? "" : "*");
    const char *copy = strpool_copy(pool, glob, (size_t)len);
    free(glob);
    return copy;
}

static int add_rule(struct suppress *s, const struct suppress_rule *r)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct suppress_rule *v = realloc(s->rules, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        s->rules = v;
        s->cap = cap;
    }
    s->rules[s->n++] = *r;
    return 0;
}

/* One line (no newline, blanks around it trimmed, not empty, not a comment). */
static int parse_line(struct suppress *s, const char *file, int lineno, size_t offset,
                      const char *line, size_t n, struct analyze_error *err)
{
    const char *colon = memchr(line, ':', n);
    if (!colon)
        return bad_line(err, file, lineno, offset, "expected KIND:PATTERN, got '%.*s'",
                        (int)(n > 60 ? 60 : n), line);
    struct suppress_rule r = {.file = file, .line = lineno};
    if (!(r.kind = known_kind(line, (size_t)(colon - line)))) {
        char kinds[320];
        list_kinds(kinds, sizeof(kinds));
        return bad_line(err, file, lineno, offset, "unknown suppression kind '%.*s' (known: %s)",
                        (int)(colon - line > 40 ? 40 : colon - line), line, kinds);
    }
    const char *pattern = colon + 1;
    size_t plen = n - (size_t)(pattern - line);
    while (plen > 0 && (*pattern == ' ' || *pattern == '\t'))
        pattern++, plen--;
    if (plen == 0)
        return bad_line(err, file, lineno, offset, "empty pattern after '%s:'", r.kind);
    if (!(r.pattern = strpool_copy(&s->strings, pattern, plen)) ||
        !(r.glob = make_glob(&s->strings, pattern, plen)))
        return -ENOMEM;
    return add_rule(s, &r);
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int suppress_parse(struct suppress *s, const char *file, const char *text, size_t len,
                   struct analyze_error *err)
{
    const char *pooled = strpool_dup(&s->strings, file);
    if (!pooled)
        return -ENOMEM;
    int lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos, offset = pos;
        pos += n + 1;
        lineno++;
        while (n > 0 && blank(*line))
            line++, n--;
        while (n > 0 && blank(line[n - 1]))
            n--;
        if (n == 0 || line[0] == '#')
            continue;
        int rc = parse_line(s, pooled, lineno, offset, line, n, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The whole file at path, malloc'd, in *text and *len; 0 or -errno. */
static int read_file(const char *path, char **text, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char *buf = NULL;
    size_t used = 0;
    ssize_t got = 0;
    do {
        char *more = realloc(buf, used + READ_CHUNK);
        if (!more) {
            got = -1, errno = ENOMEM;
            break;
        }
        buf = more;
        got = read(fd, buf + used, READ_CHUNK);
        used += got > 0 ? (size_t)got : 0;
    } while (got > 0 || (got < 0 && errno == EINTR));
    int rc = got < 0 ? -errno : 0;
    close(fd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = used;
    return 0;
}

int suppress_load(struct suppress *s, const char *path, struct analyze_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(path, &text, &len);
    if (rc < 0) {
        snprintf(err->message, sizeof(err->message), "%s: %s", path, strerror(-rc));
        err->offset = -1;
        return rc;
    }
    rc = suppress_parse(s, path, text, len, err);
    free(text);
    return rc;
}

/* Whole-string glob match, '*' matching any run of characters. Backtracking to the last
 * star is enough: an earlier star can only ever take a shorter run. */
static int glob_match(const char *g, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*g == '*') {
            star = ++g;
            resume = s;
        } else if (*g == *s) {
            g++, s++;
        } else if (star) {
            g = star;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*g == '*')
        g++;
    return *g == '\0';
}

int suppress_match(const char *pattern, const char *str)
{
    if (!str || !*str)
        return 0;
    struct strpool pool;
    strpool_init(&pool);
    const char *glob = make_glob(&pool, pattern, strlen(pattern));
    int hit = glob && glob_match(glob, str);
    strpool_fini(&pool);
    return hit;
}

static int hits(const char *glob, const char *str)
{
    return str && *str && glob_match(glob, str);
}

static int frame_matches(const char *glob, const struct analyze_frame *f)
{
    return hits(glob, f->function) || hits(glob, f->mangled) || hits(glob, f->file) ||
           hits(glob, f->module);
}

static int stack_matches(const char *glob, const struct analyze_stack *st)
{
    for (size_t i = 0; st && i < st->nframes; i++) {
        if (frame_matches(glob, &st->frames[i]))
            return 1;
    }
    return 0;
}

long suppress_find(const struct suppress *s, const char *kind,
                   const struct analyze_stack *const *stacks, size_t n)
{
    for (size_t r = 0; r < s->n; r++) {
        if (strcmp(s->rules[r].kind, kind) != 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (stack_matches(s->rules[r].glob, stacks[i]))
                return (long)r;
        }
    }
    return -1;
}

int suppress_rule_for(char *buf, size_t len, const char *kind, const struct analyze_stack *st)
{
    long i = st ? runtime_own_frame(st) : -1;
    for (size_t j = 0; i < 0 && st && j < st->nframes; j++) {
        if (st->frames[j].function)
            i = (long)j; /* only runtime frames: the innermost one with a name */
    }
    if (i < 0)
        return -ENOENT;
    const char *name = st->frames[i].function;
    const char *dollar = strchr(name, '$'); /* a '$' would end the pattern: glob past it */
    int n = dollar ? snprintf(buf, len, "%s:^%.*s*", kind, (int)(dollar - name), name)
                   : snprintf(buf, len, "%s:^%s$", kind, name);
    if (n < 0 || (size_t)n >= len)
        return -ENAMETOOLONG;
    for (char *c = buf; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '*'; /* a rule is one line: a control character in a name is globbed */
    }
    return 0;
}
