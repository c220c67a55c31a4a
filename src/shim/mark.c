/*
 * The leak scan's marking (see mark.h). Owns the block table and its growth (mremap),
 * the heap sort, the pointer lookup and the two marking passes with an explicit work
 * list, following memcheck's mc_leakcheck.c: a start pointer from a root or a reachable
 * block makes a block reachable, any other pointer possibly reachable at best; then the
 * unreached blocks are split into definite leaders and the indirect blocks they reach.
 * It must never read outside the ranges it is handed and never malloc or recurse.
 */
#include "config.h"

#include "shim/mark.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

/* Blocks the table has room for at first; it doubles from there. */
#define MARK_FIRST_CAP (64u * 1024)
/* Alignment of the words scanned for pointers. */
#define MARK_WORD 8
/* No vtable lives in the first page. */
#define MARK_PAGE 4096
/* Bytes before the text of a copy-on-write std::string: length, capacity, reference count. */
#define MARK_COW_HEADER (3 * MARK_WORD)

/* A word read from memory the program wrote with any type. */
typedef uint64_t __attribute__((may_alias)) mark_word;

static void *map_bytes(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void mark_init(struct mark *m)
{
    memset(m, 0, sizeof(*m));
}

static int grow(struct mark *m)
{
    size_t cap = m->cap ? m->cap * 2 : MARK_FIRST_CAP;
    void *p = m->blocks ? mremap(m->blocks, m->cap * sizeof(*m->blocks), cap * sizeof(*m->blocks),
                                 MREMAP_MAYMOVE)
                        : map_bytes(cap * sizeof(*m->blocks));
    if (p == MAP_FAILED || p == NULL)
        return -ENOMEM;
    m->blocks = p;
    m->cap = cap;
    return 0;
}

int mark_add(struct mark *m, uint64_t start, uint64_t size)
{
    if (m->count >= UINT32_MAX)
        return -EOVERFLOW;
    if (m->count == m->cap && grow(m) < 0)
        return -ENOMEM;
    m->blocks[m->count].start = start;
    m->blocks[m->count].size = size;
    m->count++;
    return 0;
}

/* Move b[i] down the max-heap b[0..n) until both children are smaller. */
static void sift_down(struct mark_block *b, size_t i, size_t n)
{
    struct mark_block v = b[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && b[c + 1].start > b[c].start)
            c++;
        if (b[c].start <= v.start)
            break;
        b[i] = b[c];
        i = c;
    }
    b[i] = v;
}

void mark_sort(struct mark_block *b, size_t n)
{
    if (n < 2)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(b, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        struct mark_block t = b[0];
        b[0] = b[end];
        b[end] = t;
        sift_down(b, 0, end);
    }
}

static int sorted(const struct mark_block *b, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (b[i - 1].start > b[i].start)
            return 0;
    return 1;
}

/* One past the last address a block covers (a zero-size block covers its start). */
static uint64_t block_end(const struct mark_block *b)
{
    return b->start + (b->size ? b->size : 1);
}

int mark_prepare(struct mark *m)
{
    size_t n = m->count ? m->count : 1;
    if (!sorted(m->blocks, m->count))
        mark_sort(m->blocks, m->count);
    m->state = map_bytes(n);
    m->work = map_bytes(n * sizeof(*m->work));
    if (!m->state || !m->work)
        return -ENOMEM;
    m->top = 0;
    m->lo = m->count ? m->blocks[0].start : 1;
    m->hi = 0;
    for (size_t i = 0; i < m->count; i++) {
        uint64_t e = block_end(&m->blocks[i]);
        m->hi = e > m->hi ? e : m->hi;
    }
    return 0;
}

long mark_find(const struct mark *m, uint64_t word, int *at_start)
{
    if (word < m->lo || word >= m->hi)
        return -1;
    size_t lo = 0, hi = m->count; /* blocks[lo].start <= word < blocks[hi].start */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->blocks[mid].start <= word)
            lo = mid;
        else
            hi = mid;
    }
    const struct mark_block *b = &m->blocks[lo];
    if (word >= block_end(b))
        return -1;
    *at_start = word == b->start;
    return (long)lo;
}

size_t mark_first_from(const struct mark *m, uint64_t lo)
{
    size_t a = 0, b = m->count;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (m->blocks[mid].start < lo)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

static void push(struct mark *m, size_t i)
{
    if (m->state[i] & MARK_QUEUED)
        return; /* still waiting: it is scanned with its newest class */
    m->state[i] |= MARK_QUEUED;
    m->work[m->top++] = (uint32_t)i;
}

static size_t pop(struct mark *m)
{
    size_t i = m->work[--m->top];
    m->state[i] &= (uint8_t)~MARK_QUEUED;
    return i;
}

static uint64_t word_at(uint64_t addr)
{
    return *(const mark_word *)(uintptr_t)addr;
}

/* memcheck's newarray and length64: `word` is 8 bytes into b, after a count dividing the rest. */
static int after_count(const struct mark_block *b, uint64_t word)
{
    if (word != b->start + MARK_WORD || b->size < MARK_WORD)
        return 0;
    uint64_t n = word_at(b->start);
    return n > 0 && (b->size - MARK_WORD) % n == 0;
}

/*
 * memcheck's stdstring: `word` is the text of a copy-on-write std::string (libstdc++'s old
 * ABI, still in its exception classes), whose block is length, capacity, reference count
 * (a word each), then capacity + 1 bytes of text; the length no more than the capacity.
 */
static int cow_string(const struct mark_block *b, uint64_t word)
{
    if (word != b->start + MARK_COW_HEADER || b->size < MARK_COW_HEADER)
        return 0;
    uint64_t length = word_at(b->start), capacity = word_at(b->start + MARK_WORD);
    return capacity <= b->size && MARK_COW_HEADER + capacity + 1 == b->size && length <= capacity;
}

/* memcheck's multipleinheritance: `word` and the block's start both hold vtable pointers. */
static int secondary_base(const struct mark *m, const struct mark_block *b, uint64_t word)
{
    if (!m->is_vtable || word % MARK_WORD != 0 || b->size < MARK_WORD ||
        word + MARK_WORD > b->start + b->size)
        return 0;
    uint64_t inner = word_at(word), first = word_at(b->start);
    return inner % MARK_WORD == 0 && first % MARK_WORD == 0 && inner >= MARK_PAGE &&
           first >= MARK_PAGE && m->is_vtable(inner, m->vtable_arg) &&
           m->is_vtable(first, m->vtable_arg);
}

/* A pointer found in a root (definite) or in a reachable/possible block. */
static void reach(struct mark *m, uint64_t word, int definite)
{
    int at_start;
    long i = mark_find(m, word, &at_start);
    if (i < 0)
        return;
    unsigned cls = mark_class(m, (size_t)i);
    if (cls == LEAK_REACHABLE)
        return;
    const struct mark_block *b = &m->blocks[i];
    if (!at_start && definite)
        at_start = after_count(b, word) || cow_string(b, word) || secondary_base(m, b, word);
    if (at_start && definite)
        m->state[i] = (uint8_t)((m->state[i] & MARK_QUEUED) | LEAK_REACHABLE);
    else if (cls == MARK_UNREACHED)
        m->state[i] = (uint8_t)((m->state[i] & MARK_QUEUED) | LEAK_POSSIBLE);
    else
        return;
    push(m, (size_t)i); /* its class went up: (re)scan what it points to */
}

/* A pointer found in a block of the walk led by `leader`: unreached targets go indirect. */
static void absorb(struct mark *m, uint64_t word, size_t leader)
{
    int at_start;
    long i = mark_find(m, word, &at_start);
    if (i < 0 || (size_t)i == leader || mark_class(m, (size_t)i) != MARK_UNREACHED)
        return;
    m->state[i] = LEAK_INDIRECT;
    push(m, (size_t)i);
}

/*
 * Every 8-aligned word inside [lo, hi): to reach() when leader is SIZE_MAX, else to
 * absorb(). Words outside [m->lo, m->hi) cannot be pointers to blocks: rejected inline.
 */
static void scan(struct mark *m, uint64_t lo, uint64_t hi, int definite, size_t leader)
{
    uint64_t p = (lo + MARK_WORD - 1) & ~(uint64_t)(MARK_WORD - 1);
    uint64_t end = hi & ~(uint64_t)(MARK_WORD - 1);
    uint64_t base = m->lo, span = m->hi - m->lo;
    for (; p < end; p += MARK_WORD) {
        uint64_t w = *(const mark_word *)(uintptr_t)p;
        if (w - base >= span)
            continue;
        if (leader == SIZE_MAX)
            reach(m, w, definite);
        else
            absorb(m, w, leader);
    }
}

void mark_root(struct mark *m, const void *mem, size_t len)
{
    if (m->count == 0 || len == 0)
        return;
    scan(m, (uintptr_t)mem, (uintptr_t)mem + len, 1, SIZE_MAX);
}

void mark_hold(struct mark *m, size_t i)
{
    m->state[i] = LEAK_REACHABLE; /* reach() stops at it; nothing pushed */
}

void mark_propagate(struct mark *m)
{
    while (m->top) {
        size_t i = pop(m);
        const struct mark_block *b = &m->blocks[i];
        scan(m, b->start, b->start + b->size, mark_class(m, i) == LEAK_REACHABLE, SIZE_MAX);
    }
}

void mark_classify(struct mark *m)
{
    for (size_t lead = 0; lead < m->count; lead++) {
        if (mark_class(m, lead) != MARK_UNREACHED)
            continue;
        push(m, lead);
        while (m->top) {
            size_t i = pop(m);
            const struct mark_block *b = &m->blocks[i];
            scan(m, b->start, b->start + b->size, 0, lead);
        }
    }
    for (size_t i = 0; i < m->count; i++)
        if (mark_class(m, i) == MARK_UNREACHED)
            m->state[i] = LEAK_DEFINITE;
}

/* Place every unplaced indirect block block i points to after it, depth first. */
static size_t place_held(struct mark *m, size_t lead, uint32_t *order, size_t n)
{
    m->top = 0;
    m->work[m->top++] = (uint32_t)lead;
    while (m->top) {
        const struct mark_block *b = &m->blocks[m->work[--m->top]];
        uint64_t p = (b->start + MARK_WORD - 1) & ~(uint64_t)(MARK_WORD - 1);
        for (; p + MARK_WORD <= b->start + b->size; p += MARK_WORD) {
            int at_start;
            long j = mark_find(m, word_at(p), &at_start);
            if (j < 0 || mark_class(m, (size_t)j) != LEAK_INDIRECT ||
                (m->state[j] & MARK_PLACED))
                continue;
            m->state[j] |= MARK_PLACED;
            order[n++] = (uint32_t)j;
            m->work[m->top++] = (uint32_t)j;
        }
    }
    return n;
}

int mark_order_lost(struct mark *m)
{
    uint32_t *order = m->order ? m->order : map_bytes((m->count ? m->count : 1) * sizeof(*order));
    if (!order)
        return -ENOMEM;
    m->order = order;
    size_t lost = 0, placed = 0, n = 0;
    for (size_t i = 0; i < m->count; i++) {
        unsigned c = mark_class(m, i);
        lost += c == LEAK_DEFINITE || c == LEAK_INDIRECT;
    }
    /* the walks, from order[count - lost] on: each definite block, then what it holds */
    uint32_t *walked = order + (m->count - lost);
    for (size_t i = 0; i < m->count; i++) {
        if (mark_class(m, i) != LEAK_DEFINITE)
            continue;
        m->state[i] |= MARK_PLACED;
        walked[placed++] = (uint32_t)i;
        placed = place_held(m, i, walked, placed);
    }
    /* indirect blocks no walk took go first, with the blocks not lost */
    memmove(order + (m->count - placed), walked, placed * sizeof(*order));
    for (size_t i = 0; i < m->count; i++) {
        unsigned c = mark_class(m, i);
        if (c != LEAK_DEFINITE && !(c == LEAK_INDIRECT && (m->state[i] & MARK_PLACED)))
            order[n++] = (uint32_t)i;
    }
    for (size_t i = 0; i < m->count; i++)
        m->state[i] &= (uint8_t)~MARK_PLACED;
    return 0;
}

void mark_release(struct mark *m)
{
    size_t n = m->count ? m->count : 1;
    if (m->blocks)
        munmap(m->blocks, m->cap * sizeof(*m->blocks));
    if (m->state)
        munmap(m->state, n);
    if (m->work)
        munmap(m->work, n * sizeof(*m->work));
    if (m->order)
        munmap(m->order, n * sizeof(*m->order));
    mark_init(m);
}
