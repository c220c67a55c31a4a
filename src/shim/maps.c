/*
 * /proc/thread-self/maps reading and parsing (see maps.h). Owns the read loop into a growing
 * anonymous mapping and the line parser. It must not malloc (it runs while the other
 * threads are stopped, maybe inside the allocator's own locks) and must never say a
 * range is readable when reading it could fault.
 */
#include "config.h"

#include "shim/maps.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* First size of the text buffer; doubled until the whole file fits. */
#define MAPS_TEXT_FIRST (64u * 1024)

static void *map_bytes(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parse hex at *p up to end; advances *p. -1 when there is no digit. */
static int parse_hex(const char **p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = *p;
    int d;
    for (; s < end && (d = hex_digit(*s)) >= 0; s++)
        v = (v << 4) | (uint64_t)d;
    if (s == *p)
        return -1;
    *p = s;
    *out = v;
    return 0;
}

/* Skip n whitespace-separated fields after *p (offset, device, inode); then the name. */
static const char *skip_fields(const char *p, const char *end, int n)
{
    while (n-- > 0) {
        while (p < end && *p == ' ')
            p++;
        while (p < end && *p != ' ')
            p++;
    }
    while (p < end && *p == ' ')
        p++;
    return p;
}

static int name_is(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(end - p) >= n && memcmp(p, name, n) == 0 &&
           ((size_t)(end - p) == n || p[n] == ' ');
}

/* One line [p, end) into r; -1 when it does not parse. */
static int parse_line(const char *p, const char *end, struct maps_range *r)
{
    if (parse_hex(&p, end, &r->start) < 0 || p >= end || *p++ != '-' ||
        parse_hex(&p, end, &r->end) < 0 || end - p < 5 || *p++ != ' ')
        return -1;
    r->flags = (p[0] == 'r' ? MAPS_READ : 0) | (p[1] == 'w' ? MAPS_WRITE : 0) |
               (p[2] == 'x' ? MAPS_EXEC : 0);
    r->reserved = 0;
    int private = p[3] == 'p';
    const char *name = skip_fields(p + 4, end, 3);
    if (private && (name == end || (end - name >= 6 && memcmp(name, "[anon:", 6) == 0)))
        r->flags |= MAPS_ANON;
    if (name_is(name, end, "[stack]"))
        r->flags |= MAPS_STACK;
    else if (name_is(name, end, "[vvar]") || name_is(name, end, "[vsyscall]"))
        r->flags &= ~MAPS_READ;
    return r->start < r->end ? 0 : -1;
}

size_t maps_parse(const char *text, size_t len, struct maps_range *out, size_t cap)
{
    const char *p = text, *end = text + len;
    size_t n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        struct maps_range r;
        if (parse_line(p, eol, &r) == 0) {
            if (n < cap)
                out[n] = r;
            n++;
        }
        p = eol + 1;
    }
    return n;
}

/*
 * The whole of the maps file in an mmap'd buffer; NULL on failure. Read through this
 * thread: /proc/self is the main thread's, whose maps read empty once it has ended
 * (pthread_exit in main) while other threads run on. /proc/self/maps before Linux 3.17.
 */
static char *read_text(size_t *len, size_t *bytes)
{
    int fd = open("/proc/thread-self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = MAPS_TEXT_FIRST, n = 0;
    char *buf = map_bytes(cap);
    while (buf) {
        if (n == cap) {
            char *bigger = mremap(buf, cap, cap * 2, MREMAP_MAYMOVE);
            if (bigger == MAP_FAILED) {
                munmap(buf, cap);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    *len = n;
    *bytes = cap;
    return buf;
}

int maps_read(struct maps *m)
{
    size_t len, text_bytes;
    memset(m, 0, sizeof(*m));
    char *text = read_text(&len, &text_bytes);
    if (!text)
        return -ENOMEM;
    size_t n = maps_parse(text, len, NULL, 0);
    m->bytes = (n ? n : 1) * sizeof(*m->r);
    m->r = map_bytes(m->bytes);
    if (!m->r) {
        munmap(text, text_bytes);
        m->bytes = 0;
        return -ENOMEM;
    }
    m->count = maps_parse(text, len, m->r, n);
    m->text = text;
    m->text_bytes = text_bytes;
    return 0;
}

const struct maps_range *maps_find(const struct maps *m, uint64_t addr)
{
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (addr < m->r[mid].start)
            hi = mid;
        else if (addr >= m->r[mid].end)
            lo = mid + 1;
        else
            return &m->r[mid];
    }
    return NULL;
}

void maps_each_readable(const struct maps *m, uint64_t lo, uint64_t hi,
                        void (*fn)(uint64_t lo, uint64_t hi, void *arg), void *arg)
{
    for (size_t i = 0; i < m->count && lo < hi; i++) {
        const struct maps_range *r = &m->r[i];
        if (r->end <= lo || !(r->flags & MAPS_READ))
            continue;
        if (r->start >= hi)
            break;
        uint64_t a = r->start > lo ? r->start : lo, b = r->end < hi ? r->end : hi;
        fn(a, b, arg);
    }
}

void maps_release(struct maps *m)
{
    if (m->r)
        munmap(m->r, m->bytes);
    if (m->text)
        munmap(m->text, m->text_bytes);
    memset(m, 0, sizeof(*m));
}
