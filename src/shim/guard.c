/*
 * The block guard (see guard.h). Owns the block map of our user pointers, the map of
 * foreign operator new results, the per-process secret, the quarantine instance and its
 * budget, the order of the release checks and the ERROR records they produce, the
 * exit-time check and abort_on_error. It must never read memory the block map does not
 * vouch for, never hand a pointer it did not get from the real allocator back to it, and
 * never lock.
 */
#include "config.h"

#include "shim/guard.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "shim/blockmap.h"
#include "shim/log.h"
#include "shim/ownmem.h"
#include "shim/pagemap.h"
#include "shim/quarantine.h"
#include "shim/real.h"
#include "shim/record.h"
#include "shim/stack.h"
#include "shim/stopworld.h"
#include "shim/writer.h"
#include "trace/blockhdr.h"

/* Every user byte of a freed block while it waits in quarantine. */
#define GUARD_FILL 0xfd
/*
 * The tail: the bytes the real allocator gave past the canary (its rounding), filled with
 * GUARD_TAIL_FILL and checked with the canary, so that an overflow that skips the canary
 * is still caught. At most GUARD_TAIL_MAX of them are used.
 */
#define GUARD_TAIL_FILL 0xbd
#define GUARD_TAIL_MAX 64
/* Alignment of the real malloc, kept by every plain block (header is 32 bytes). */
#define GUARD_MIN_ALIGN 16
/* Largest alignment base_off (u32) can express with room to spare. */
#define GUARD_MAX_ALIGN (1ul << 30)
/* In base_off: the block is on pages of its own (pagemap.h), not the real allocator's. */
#define GUARD_PAGEMAP 0x80000000u
/* Sizing of the quarantine queue: assumed bytes per block, and the bounds in cells. */
#define QUARANTINE_AVG_BLOCK 32
#define QUARANTINE_SLOTS_MIN 1024ull
#define QUARANTINE_SLOTS_MAX (1ull << 20)
/* Frames printed by abort_on_error. */
#define ABORT_FRAMES 16

/* Quarantine states. */
enum { QUAR_NONE, QUAR_MAPPING, QUAR_READY, QUAR_FAILED };

int guard_enabled = 1;
static struct blockmap blocks;  /* user pointers of our blocks, live or in quarantine */
static struct blockmap foreign; /* operator new results the next allocator made itself */
static _Atomic uint64_t secret;
/* heapwise_checkpoint calls so far: a live block's header keeps the value at its allocation
 * in its free_stack field (a freed block has its release stack there). */
static _Atomic uint32_t epoch;
static _Atomic uint64_t budget = OPTIONS_QUARANTINE_DEFAULT;
static int configured;          /* guard_configure ran: the quarantine may be sized */
static int abort_on_error;
static struct quarantine quar;
static _Atomic int quar_state;

static struct blockhdr *hdr_of(uintptr_t user)
{
    return (struct blockhdr *)user - 1;
}

static uint64_t make_secret(void)
{
    uint64_t s = 0;
    if (syscall(SYS_getrandom, &s, sizeof(s), GRND_NONBLOCK) != (long)sizeof(s)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
            ((uint64_t)syscall(SYS_getpid) << 32) ^ (uint64_t)(uintptr_t)&s;
    }
    return s ? s : 1;
}

uint64_t guard_secret(void)
{
    uint64_t s = atomic_load_explicit(&secret, memory_order_acquire);
    if (likely(s != 0))
        return s;
    int saved = errno;
    uint64_t fresh = make_secret();
    errno = saved;
    return atomic_compare_exchange_strong(&secret, &s, fresh) ? fresh : s;
}

void guard_configure(int on, uint64_t quarantine_bytes, int abort_flag)
{
    guard_enabled = on;
    atomic_store(&budget, quarantine_bytes);
    abort_on_error = abort_flag;
    configured = 1;
}

/* ---- allocation ---------------------------------------------------------------------- */

/*
 * The tail of a block at user in the real allocation at base (or on its own pages, when
 * base_off says so): its bytes (see GUARD_TAIL_FILL).
 */
/* Bytes the real allocation at base (made as base_off says) really has. */
static size_t room_of(uintptr_t base, uint32_t base_off)
{
    return base_off & GUARD_PAGEMAP ? pagemap_len((void *)base)
                                    : real_malloc_usable_size((void *)base);
}

static size_t tail_len(uintptr_t base, uint32_t base_off, uintptr_t user, uint64_t size)
{
    size_t room = room_of(base, base_off);
    uintptr_t start = user + size + BLOCKHDR_CANARY, end = base + room;
    if (end <= start)
        return 0;
    return end - start < GUARD_TAIL_MAX ? end - start : GUARD_TAIL_MAX;
}

/* Give the memory of a block back: to the real allocator, or its pages to the system. */
static void release_base(unsigned char *base, uint32_t base_off)
{
    if (base_off & GUARD_PAGEMAP)
        pagemap_free(base);
    else
        real_free(base);
}

/*
 * Header, canary and block map bit for a block at user inside base; NULL if unmarkable.
 * flags: 0, or GUARD_PAGEMAP for a block on its own pages.
 */
static void *install(unsigned char *base, uintptr_t user, uint32_t flags, uint64_t size,
                     unsigned kind, uint32_t stack)
{
    uint64_t s = guard_secret();
    uint8_t canary[BLOCKHDR_CANARY];
    uint32_t base_off = (uint32_t)(user - (uintptr_t)base) | flags;
    blockhdr_encode(hdr_of(user), user, size, kind, BLOCK_LIVE, base_off, stack,
                    atomic_load_explicit(&epoch, memory_order_relaxed), s);
    blockhdr_canary(user, s, canary);
    memcpy((unsigned char *)user + size, canary, sizeof(canary));
    memset((unsigned char *)user + size + BLOCKHDR_CANARY, GUARD_TAIL_FILL,
           tail_len((uintptr_t)base, base_off, user, size));
    if (unlikely(blockmap_set(&blocks, user) < 0)) {
        release_base(base, base_off);
        errno = ENOMEM;
        return NULL;
    }
    return (void *)user;
}

/*
 * 1 inside an allocator call nested in another on this thread (alloc_enter counted both):
 * a signal handler interrupted the outer one, maybe inside the real allocator, holding
 * its lock. Such a call must not reach the real allocator, nor evict from the quarantine.
 * (libunwind's own calls during a stack capture count too: a handler may have interrupted
 * the capture of a call that interrupted the real allocator.)
 */
static int nested(void)
{
    return stopworld_defer.busy > 1;
}

/* A nested call's block, on its own pages (zero-filled). */
static void *install_paged(size_t n, size_t a, uint64_t size, const struct alloc_call *c)
{
    unsigned char *base = pagemap_alloc(n, a);
    if (!base)
        return NULL;
    return install(base, (uintptr_t)base + PAGEMAP_OFF(a), GUARD_PAGEMAP, size, c->kind,
                   c->stack);
}

/* memalign's reading of an alignment: 0 for malloc's, else a power of two; SIZE_MAX if bad. */
static size_t normal_align(size_t align)
{
    if (align <= GUARD_MIN_ALIGN)
        return 0;
    if (align > GUARD_MAX_ALIGN)
        return SIZE_MAX;
    size_t a = GUARD_MIN_ALIGN;
    while (a < align)
        a <<= 1;
    return a;
}

void *guard_alloc(const struct alloc_call *c, size_t n, size_t align, int zero)
{
    size_t total, a = normal_align(align);
    uint64_t size = c->size <= n ? c->size : n;
    /* n + 1 for malloc(0): a block that ends where its chunk ends would have the next
     * chunk's header as its address, which glibc's own pointers (the arena's top) name. */
    if (a == SIZE_MAX ||
        __builtin_add_overflow(n ? n : 1, BLOCKHDR_SIZE + BLOCKHDR_CANARY + a, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (nested())
        return install_paged(n ? n : 1, a, size, c);
    unsigned char *base = zero ? real_calloc(1, total) : real_malloc(total);
    if (!base)
        return NULL;
    uintptr_t user = (uintptr_t)base + BLOCKHDR_SIZE;
    if (a)
        user = (user + a - 1) & ~(uintptr_t)(a - 1);
    return install(base, user, 0, size, c->kind, c->stack);
}

void guard_note_new(void *p)
{
    uintptr_t u = (uintptr_t)p;
    if (p && guard_enabled && !blockmap_test(&blocks, u) && !real_is_arena(p))
        blockmap_set(&foreign, u & ~(uintptr_t)(BLOCKMAP_GRANULE - 1));
}

static int take_foreign(void *p)
{
    uintptr_t g = (uintptr_t)p & ~(uintptr_t)(BLOCKMAP_GRANULE - 1);
    if (!blockmap_test(&foreign, g))
        return 0;
    blockmap_clear(&foreign, g);
    return 1;
}

/* ---- errors -------------------------------------------------------------------------- */

/* The stack of this call when it may be captured (not inside heapwise itself). */
static uint32_t this_stack(void)
{
    return shim_may_record() ? stack_capture() : TRACE_STACK_NONE;
}

static void init_error(struct trace_rec_error *e, const void *ptr, unsigned free_kind,
                       unsigned where, uint32_t stack)
{
    memset(e, 0, sizeof(*e));
    e->ptr = (uintptr_t)ptr;
    e->size = UINT64_MAX;
    e->stack = stack;
    e->alloc_stack = TRACE_STACK_NONE;
    e->free_stack = TRACE_STACK_NONE;
    e->alloc_kind = TRACE_KIND_NONE;
    e->free_kind = (uint8_t)free_kind;
    e->where = (uint8_t)where;
}

/* Size, kind and stacks of an intact header into e. */
static void from_header(struct trace_rec_error *e, const struct blockhdr *h)
{
    e->size = h->size;
    e->alloc_kind = h->kind < KIND_LIMIT ? h->kind : TRACE_KIND_NONE;
    e->alloc_stack = h->alloc_stack;
    e->free_stack = h->state == BLOCK_FREED ? h->free_stack : TRACE_STACK_NONE; /* else epoch */
}

static char *put_str(char *o, char *end, const char *s)
{
    while (*s && o < end)
        *o++ = *s++;
    return o;
}

static char *put_hex(char *o, char *end, uint64_t v)
{
    char buf[LOG_NUM_MAX];
    return put_str(o, end, log_hex(v, buf));
}

static char *put_dec(char *o, char *end, uint64_t v)
{
    char buf[LOG_NUM_MAX];
    return put_str(o, end, log_num(v, buf));
}

/* abort_on_error: one line on stderr, the ring drained to the file, then abort(). */
static __attribute__((noreturn, noinline)) void die(unsigned kind, const struct trace_rec_error *e)
{
    static char line[4096];
    uint64_t frames[ABORT_FRAMES];
    shim_tls.guard++;
    int n = stack_frames(frames, ABORT_FRAMES);
    char *o = line, *end = line + sizeof(line) - 1;
    o = put_str(o, end, "heapwise: ");
    o = put_str(o, end, trace_error_name(kind));
    o = put_str(o, end, " of ");
    o = put_hex(o, end, e->ptr);
    if (e->size != UINT64_MAX) {
        o = put_str(o, end, " (size ");
        o = put_dec(o, end, e->size);
        o = put_str(o, end, ")");
    }
    for (int i = 0; i < n; i++) {
        Dl_info info;
        o = put_str(o, end, i ? " " : " at ");
        if (dladdr((void *)(uintptr_t)frames[i], &info) && info.dli_fname) {
            o = put_str(o, end, info.dli_fname);
            o = put_str(o, end, "+");
            o = put_hex(o, end, frames[i] - (uintptr_t)info.dli_fbase);
        } else {
            o = put_hex(o, end, frames[i]);
        }
    }
    *o++ = '\n';
    struct iovec iov = {line, (size_t)(o - line)};
    int fd = log_fd();
    while (fd >= 0 && writev(fd, &iov, 1) < 0 && errno == EINTR)
        ;
    int expected = SHIM_RECORDING;
    if (atomic_compare_exchange_strong(&shim_phase, &expected, SHIM_OFF))
        writer_finish();
    abort();
}

static void report(unsigned kind, struct trace_rec_error *e)
{
    if (atomic_load_explicit(&shim_phase, memory_order_acquire) == SHIM_RECORDING)
        record_error(kind, e);
    if (abort_on_error)
        die(kind, e);
}

static void report_invalid(const void *p, unsigned free_kind, unsigned where)
{
    struct trace_rec_error e;
    init_error(&e, p, free_kind, where, this_stack());
    report(ERR_INVALID_FREE, &e);
}

/* A header that does not verify: the 32 bytes as found; size and kind if the magic holds. */
static void report_header(const void *p, const struct blockhdr *h, uint64_t cell_size,
                          unsigned free_kind, unsigned where, uint32_t stack)
{
    struct trace_rec_error e;
    init_error(&e, p, free_kind, where, stack);
    if (h->magic == BLOCKHDR_MAGIC) {
        e.size = h->size;
        e.alloc_kind = h->kind < KIND_LIMIT ? h->kind : TRACE_KIND_NONE;
    } else if (cell_size != UINT64_MAX) {
        e.size = cell_size;
    }
    e.offset = -BLOCKHDR_SIZE;
    e.nbytes = BLOCKHDR_SIZE;
    memcpy(e.found, h, BLOCKHDR_SIZE);
    report(ERR_HEADER_CORRUPTION, &e);
}

static void report_double(const void *p, const struct blockhdr *h, unsigned free_kind,
                          unsigned where)
{
    struct trace_rec_error e;
    init_error(&e, p, free_kind, where, this_stack());
    from_header(&e, h);
    report(ERR_DOUBLE_FREE, &e);
}

/*
 * Fill checks read every byte once, FILL_STRIDE at a time, as vectors compared with the
 * pattern repeated (no second stream of pattern bytes, no call, no spill).
 */
typedef uint64_t fill_vec __attribute__((vector_size(16)));
#define FILL_STRIDE (4 * sizeof(fill_vec))

/* 1 when the FILL_STRIDE bytes at p are all the byte repeated in pat. */
static inline int stride_like(const unsigned char *p, fill_vec pat)
{
    fill_vec a, b, c, d;
    memcpy(&a, p, sizeof(a));
    memcpy(&b, p + sizeof(a), sizeof(b));
    memcpy(&c, p + 2 * sizeof(a), sizeof(c));
    memcpy(&d, p + 3 * sizeof(a), sizeof(d));
    fill_vec x = (a ^ pat) | (b ^ pat) | (c ^ pat) | (d ^ pat);
    return (x[0] | x[1]) == 0;
}

/*
 * Offset of the first of the n bytes at p that is not `byte` (a fill pattern), or n.
 * Whole strides first; the rest is one stride overlapping the last one checked, when n
 * allows; a stride that differs, and short runs, are searched a word, then a byte, at a
 * time.
 */
static size_t first_unlike(const unsigned char *p, size_t n, unsigned char byte)
{
    const uint64_t word = 0x0101010101010101ull * byte;
    const fill_vec pat = {word, word};
    size_t i = 0;
    while (i + FILL_STRIDE <= n && stride_like(p + i, pat))
        i += FILL_STRIDE;
    if (i + FILL_STRIDE > n && n >= FILL_STRIDE && stride_like(p + n - FILL_STRIDE, pat))
        return n;
    for (; i + sizeof(word) <= n; i += sizeof(word)) {
        uint64_t w;
        memcpy(&w, p + i, sizeof(w));
        if (w != word)
            break;
    }
    for (; i < n; i++)
        if (p[i] != byte)
            return i;
    return n;
}

/* A freed block's fill pattern: report the first changed byte and what follows. */
static void check_fill(uintptr_t user, const struct blockhdr *h, int intact, uint64_t size,
                       unsigned where)
{
    const unsigned char *u = (const unsigned char *)user;
    size_t i = first_unlike(u, size, GUARD_FILL);
    if (i == size)
        return;
    struct trace_rec_error e;
    init_error(&e, u, TRACE_KIND_NONE, where, TRACE_STACK_NONE);
    if (intact)
        from_header(&e, h);
    e.size = size;
    e.offset = (int64_t)i;
    e.nbytes = (uint8_t)(size - i < TRACE_ERROR_BYTES ? size - i : TRACE_ERROR_BYTES);
    e.nexpected = e.nbytes;
    memcpy(e.found, u + i, e.nbytes);
    memset(e.expected, GUARD_FILL, e.nbytes);
    report(ERR_WRITE_AFTER_FREE, &e);
}

/* Report an overflow at offset `at` of the block: n bytes found where `want` was expected. */
static void report_overflow(uintptr_t user, const struct blockhdr *h, uint64_t at,
                            const uint8_t *found, const uint8_t *want, size_t n,
                            unsigned free_kind, unsigned where, uint32_t stack)
{
    struct trace_rec_error e;
    init_error(&e, (const void *)user, free_kind, where, stack);
    from_header(&e, h);
    e.offset = (int64_t)at;
    e.nbytes = e.nexpected = (uint8_t)(n < sizeof(e.found) ? n : sizeof(e.found));
    memcpy(e.found, found, e.nbytes);
    memcpy(e.expected, want, e.nbytes);
    report(ERR_OVERFLOW, &e);
}

/* 1 when the canary and the tail after it are as install() left them. */
static int tail_intact(uintptr_t user, const struct blockhdr *h, uint64_t s)
{
    uint8_t want[BLOCKHDR_CANARY];
    blockhdr_canary(user, s, want);
    if (memcmp((const unsigned char *)user + h->size, want, sizeof(want)) != 0)
        return 0;
    size_t n = tail_len(user - (h->base_off & ~GUARD_PAGEMAP), h->base_off, user, h->size);
    const unsigned char *t = (const unsigned char *)user + h->size + BLOCKHDR_CANARY;
    return first_unlike(t, n, GUARD_TAIL_FILL) == n;
}

/*
 * A live block's canary and tail: report from the first changed byte on (to the canary's
 * end, or 8 bytes of the tail).
 */
static void check_canary(uintptr_t user, const struct blockhdr *h, uint64_t s, unsigned free_kind,
                         unsigned where, uint32_t stack)
{
    uint8_t want[BLOCKHDR_CANARY], got[BLOCKHDR_CANARY];
    blockhdr_canary(user, s, want);
    memcpy(got, (const unsigned char *)user + h->size, sizeof(got));
    if (memcmp(got, want, sizeof(got)) != 0) {
        unsigned i = 0;
        while (got[i] == want[i])
            i++;
        report_overflow(user, h, h->size + i, got + i, want + i, BLOCKHDR_CANARY - i, free_kind,
                        where, stack);
        return;
    }
    size_t n = tail_len(user - (h->base_off & ~GUARD_PAGEMAP), h->base_off, user, h->size);
    const unsigned char *t = (const unsigned char *)user + h->size + BLOCKHDR_CANARY;
    size_t i = first_unlike(t, n, GUARD_TAIL_FILL);
    if (i == n)
        return;
    uint8_t fill[BLOCKHDR_CANARY];
    memset(fill, GUARD_TAIL_FILL, sizeof(fill));
    size_t k = n - i < sizeof(fill) ? n - i : sizeof(fill);
    report_overflow(user, h, h->size + BLOCKHDR_CANARY + i, t + i, fill, k, free_kind, where,
                    stack);
}

/* The deallocation family of an allocation kind (aligned C blocks are free()d). */
static unsigned family(unsigned kind)
{
    return kind == KIND_ALIGNED ? KIND_MALLOC : kind;
}

/* Checks of a live block being released: family, then canary. */
static void check_live(uintptr_t user, const struct blockhdr *h, uint64_t s, unsigned free_kind,
                       unsigned where)
{
    uint32_t stack = TRACE_STACK_NONE;
    int have_stack = 0;
    if (h->kind != TRACE_KIND_NONE && family(h->kind) != free_kind) {
        struct trace_rec_error e;
        stack = this_stack();
        have_stack = 1;
        init_error(&e, (const void *)user, free_kind, where, stack);
        from_header(&e, h);
        report(ERR_MISMATCHED_FREE, &e);
    }
    if (!tail_intact(user, h, s))
        check_canary(user, h, s, free_kind, where, have_stack ? stack : this_stack());
}

/* ---- release ------------------------------------------------------------------------- */

/*
 * Turn a LIVE header's first word into the FREED one with a CAS, so that of two threads
 * releasing one block at once only one gives it back. 0 if the block was not LIVE.
 */
static int claim(struct blockhdr *h)
{
    struct blockhdr tmp;
    uint64_t live = __atomic_load_n((uint64_t *)h, __ATOMIC_RELAXED), freed;
    memcpy(&tmp, &live, sizeof(live));
    if (tmp.state != BLOCK_LIVE)
        return 0;
    tmp.state = BLOCK_FREED;
    memcpy(&freed, &tmp, sizeof(freed));
    return __atomic_compare_exchange_n((uint64_t *)h, &live, freed, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

/* Give a block back to the real allocator: unmark first, so a reuse is never unmarked. */
static void drop(uintptr_t user, const struct blockhdr *h)
{
    uint32_t base_off = h->base_off;
    blockmap_clear(&blocks, user);
    release_base((unsigned char *)user - (base_off & ~GUARD_PAGEMAP), base_off);
}

/* A block leaving the quarantine: header, fill pattern, then release (or leak if damaged). */
static void evict(uintptr_t user, uint64_t size)
{
    struct blockhdr *h = hdr_of(user);
    int intact = blockhdr_intact(h, user, guard_secret()) && h->state == BLOCK_FREED;
    if (!intact)
        report_header((const void *)user, h, size, TRACE_KIND_NONE, WHERE_QUARANTINE,
                      TRACE_STACK_NONE);
    check_fill(user, h, intact, size, WHERE_QUARANTINE);
    if (intact)
        drop(user, h);
    else
        blockmap_clear(&blocks, user); /* its base may be wrong: leak it, safely */
}

/* The queue, mapped on first use once the options are known. 1 when usable. */
static int quarantine_ready(void)
{
    int st = atomic_load_explicit(&quar_state, memory_order_acquire);
    if (likely(st == QUAR_READY))
        return 1;
    if (st != QUAR_NONE || !configured || !atomic_compare_exchange_strong(&quar_state, &st, QUAR_MAPPING))
        return 0;
    uint64_t slots = QUARANTINE_SLOTS_MIN, want = atomic_load(&budget) / QUARANTINE_AVG_BLOCK;
    while (slots < want && slots < QUARANTINE_SLOTS_MAX)
        slots <<= 1;
    void *mem = ownmem_map(quarantine_mem_size(slots));
    if (!mem) {
        atomic_store(&quar_state, QUAR_FAILED);
        return 0;
    }
    quarantine_init(&quar, mem, slots);
    atomic_store_explicit(&quar_state, QUAR_READY, memory_order_release);
    return 1;
}

/*
 * A block leaving the quarantine was freed long ago and is cold (the quarantine is larger
 * than a core's cache): before each eviction, start loading the header (with the real
 * allocator's chunk header before it, both about to be written), the first PREFETCH_BYTES
 * of the block and its block map word (about to be cleared) PREFETCH_AHEAD places behind,
 * so that its eviction finds them in the cache. Per eviction, as one large free evicts
 * many small blocks. A prefetch never faults, so a stale hint is harmless.
 */
#define PREFETCH_AHEAD 4
#define PREFETCH_BYTES 512
#define CACHE_LINE 64
static void prefetch_oldest(void)
{
    uint64_t size;
    const char *next = quarantine_oldest_hint(&quar, PREFETCH_AHEAD, &size);
    if (!next)
        return;
    const char *end = next + (size < PREFETCH_BYTES ? size : PREFETCH_BYTES);
    const char *l = next - sizeof(struct blockhdr) - 16;
    __builtin_prefetch(l, 1);
    __builtin_prefetch(next - 1, 1);
    for (l = next; l < end; l += CACHE_LINE)
        __builtin_prefetch(l);
    blockmap_prefetch(&blocks, (uintptr_t)next);
}

/* Evict the oldest blocks while the quarantine holds more than its budget. */
static void trim(uint64_t limit)
{
    uint64_t size;
    while (quarantine_bytes(&quar) > limit) {
        prefetch_oldest();
        void *old = quarantine_pop(&quar, &size);
        if (!old)
            return;
        evict((uintptr_t)old, size);
    }
}

/*
 * A claimed block: release it now, or mark it FREED with its release stack and quarantine
 * it. A nested call (see nested()) evicts nothing: that would reach the real allocator.
 */
static void retire(uintptr_t user, struct blockhdr *h, uint32_t free_stack, uint64_t s)
{
    uint64_t size = h->size, limit = atomic_load_explicit(&budget, memory_order_relaxed);
    if (limit == 0 || size > limit || !quarantine_ready()) {
        drop(user, h); /* unmarked at once: the FREED header would never be read */
    } else {
        uint64_t old_size;
        blockhdr_encode(h, user, size, h->kind, BLOCK_FREED, h->base_off, h->alloc_stack,
                        free_stack, s);
        memset((void *)user, GUARD_FILL, size);
        if (quarantine_push(&quar, (void *)user, size) < 0) {
            void *old = nested() ? NULL : quarantine_pop(&quar, &old_size);
            if (old)
                evict((uintptr_t)old, old_size);
            if (quarantine_push(&quar, (void *)user, size) < 0)
                drop(user, h);
        }
    }
    if (atomic_load_explicit(&quar_state, memory_order_relaxed) == QUAR_READY && !nested())
        trim(limit);
}

/* Not one of our blocks: the next allocator's (guard off, foreign new), or invalid. */
static void free_unknown(void *p, unsigned kind, unsigned where)
{
    if (!guard_enabled || take_foreign(p)) {
        alloc_free(kind, p);
        real_free(p);
        return;
    }
    report_invalid(p, kind, where);
}

static void release_checked(void *p, unsigned kind, unsigned where)
{
    uintptr_t user = (uintptr_t)p;
    shim_fork_check();
    if (!blockmap_test(&blocks, user)) {
        free_unknown(p, kind, where);
        return;
    }
    struct blockhdr *h = hdr_of(user);
    uint64_t s = guard_secret();
    if (!blockhdr_intact(h, user, s)) {
        report_header(p, h, UINT64_MAX, kind, where, this_stack());
        alloc_free(kind, p); /* the program released it; we cannot */
        blockmap_clear(&blocks, user);
        return;
    }
    if (h->state == BLOCK_FREED) {
        report_double(p, h, kind, where);
        return;
    }
    check_live(user, h, s, kind, where);
    if (!claim(h)) {
        report_double(p, h, kind, where); /* released by another thread meanwhile */
        return;
    }
    retire(user, h, alloc_free(kind, p), s);
}

void guard_free(void *p, unsigned kind)
{
    stopworld_enter();
    release_checked(p, kind, WHERE_FREE);
    stopworld_leave();
}

/* ---- realloc ------------------------------------------------------------------------- */

/* realloc of a pointer the next allocator owns (guard off, or a foreign new). */
static void *realloc_raw(void *p, size_t n, int was_foreign)
{
    struct alloc_call c;
    if (n == 0) {
        alloc_free(KIND_MALLOC, p);
        alloc_enter(&c, KIND_MALLOC, 0);
        void *q = real_realloc(p, 0);
        alloc_leave(&c, q, 0); /* allocators that return a fresh block for size 0 */
        return q;
    }
    struct trace_rec_realloc *r = NULL;
    if (shim_alloc_may_record())
        r = record_realloc_begin(p, n, stack_capture());
    void *q = real_realloc(p, n);
    int saved = errno;
    if (was_foreign)
        guard_note_new(q ? q : p);
    if (r)
        record_realloc_settle(r, q);
    errno = saved;
    return q;
}

/*
 * Resize by moving, as memcheck does: a new block, the bytes copied, the record, then the
 * old block released. The record's place in the ring must follow every release of the new
 * address and precede every reuse of the old one; glibc's realloc frees a moved chunk
 * inside the call, where another thread could get it and record it first.
 */
static void *resize(uintptr_t user, struct blockhdr *h, size_t n, uint64_t s)
{
    int record = shim_alloc_may_record();
    struct alloc_call c = {.kind = KIND_MALLOC, .stack = TRACE_STACK_NONE, .size = n};
    if (record)
        c.stack = stack_capture();
    void *q = guard_alloc(&c, n, 0, 0);
    if (record) {
        int saved = errno;
        struct trace_rec_realloc *r = record_realloc_begin((void *)user, n, c.stack);
        if (r)
            record_realloc_end(r, q);
        errno = saved;
    }
    if (!q)
        return NULL;
    memcpy(q, (void *)user, h->size < n ? h->size : n);
    if (claim(h))
        retire(user, h, c.stack, s);
    return q;
}

static void *realloc_checked(void *p, size_t n)
{
    uintptr_t user = (uintptr_t)p;
    shim_fork_check();
    if (!blockmap_test(&blocks, user)) {
        if (!guard_enabled || take_foreign(p))
            return realloc_raw(p, n, guard_enabled);
        report_invalid(p, KIND_MALLOC, WHERE_REALLOC);
        errno = EINVAL;
        return NULL;
    }
    if (n == 0) {
        release_checked(p, KIND_MALLOC, WHERE_REALLOC);
        return NULL;
    }
    struct blockhdr *h = hdr_of(user);
    uint64_t s = guard_secret();
    if (!blockhdr_intact(h, user, s)) {
        report_header(p, h, UINT64_MAX, KIND_MALLOC, WHERE_REALLOC, this_stack());
        errno = ENOMEM; /* the block stays as it is: its size cannot be trusted */
        return NULL;
    }
    if (h->state == BLOCK_FREED) {
        report_double(p, h, KIND_MALLOC, WHERE_REALLOC);
        errno = EINVAL;
        return NULL;
    }
    check_live(user, h, s, KIND_MALLOC, WHERE_REALLOC);
    return resize(user, h, n, s);
}

void *guard_realloc(void *p, size_t n)
{
    stopworld_enter();
    void *q = realloc_checked(p, n);
    int saved = errno;
    stopworld_leave();
    errno = saved;
    return q;
}

/* ---- usable size, exit ---------------------------------------------------------------- */

size_t guard_usable_size(void *p)
{
    uintptr_t user = (uintptr_t)p;
    if (!blockmap_test(&blocks, user)) {
        uintptr_t g = user & ~(uintptr_t)(BLOCKMAP_GRANULE - 1);
        return !guard_enabled || blockmap_test(&foreign, g) ? real_malloc_usable_size(p) : 0;
    }
    struct blockhdr *h = hdr_of(user);
    if (!blockhdr_intact(h, user, guard_secret())) {
        report_header(p, h, UINT64_MAX, TRACE_KIND_NONE, WHERE_USABLE_SIZE, this_stack());
        return 0;
    }
    return h->state == BLOCK_LIVE ? h->size : 0;
}

static void exit_one(uintptr_t user, void *arg)
{
    (void)arg;
    struct blockhdr *h = hdr_of(user);
    uint64_t s = guard_secret();
    if (!blockhdr_intact(h, user, s)) {
        report_header((const void *)user, h, UINT64_MAX, TRACE_KIND_NONE, WHERE_EXIT,
                      TRACE_STACK_NONE);
        return;
    }
    if (h->state == BLOCK_LIVE)
        check_canary(user, h, s, TRACE_KIND_NONE, WHERE_EXIT, TRACE_STACK_NONE);
    else
        check_fill(user, h, 1, h->size, WHERE_EXIT);
}

void guard_exit_check(void)
{
    if (atomic_load_explicit(&secret, memory_order_acquire) == 0)
        return; /* no block was ever guarded */
    blockmap_each(&blocks, exit_one, NULL);
}

int64_t guard_live_epoch(uintptr_t user, uint32_t *alloc_stack)
{
    if (!blockmap_test(&blocks, user))
        return -1;
    const struct blockhdr *h = hdr_of(user);
    if (!blockhdr_intact(h, user, guard_secret())) {
        /* damaged: live unless the quarantine holds it; its fields cannot be trusted */
        if (quarantine_holds(&quar, (const void *)user))
            return -1;
        if (alloc_stack)
            *alloc_stack = TRACE_STACK_NONE;
        return 0;
    }
    if (h->state != BLOCK_LIVE || h->kind == TRACE_KIND_NONE)
        return -1;
    if (alloc_stack)
        *alloc_stack = h->alloc_stack;
    return h->free_stack; /* a live block keeps its epoch there */
}

uint32_t guard_checkpoint(void)
{
    uint32_t e = atomic_load(&epoch);
    while (e < UINT32_MAX && !atomic_compare_exchange_weak(&epoch, &e, e + 1))
        ;
    return e < UINT32_MAX ? e + 1 : UINT32_MAX;
}

struct each_live {
    void (*fn)(uintptr_t user, uint64_t size, void *arg);
    void *arg;
    uint64_t secret;
};

/*
 * The size a block with a damaged header can be trusted with: its size word when the
 * real allocator's chunk (found at the plain layout's base) has room for it, else the room
 * itself; 0 for a block whose base cannot be told (an aligned one).
 */
static uint64_t damaged_size(uintptr_t user, const struct blockhdr *h)
{
    if (h->base_off != BLOCKHDR_SIZE)
        return 0;
    const size_t overhead = BLOCKHDR_SIZE + BLOCKHDR_CANARY;
    size_t room = room_of(user - BLOCKHDR_SIZE, h->base_off);
    uint64_t bound = room > overhead ? room - overhead : 0;
    return h->size <= bound ? h->size : bound;
}

static void live_one(uintptr_t user, void *arg)
{
    const struct each_live *e = arg;
    const struct blockhdr *h = hdr_of(user);
    if (!blockhdr_intact(h, user, e->secret))
        e->fn(user, damaged_size(user, h), e->arg); /* live or freed: the trace knows */
    else if (h->state == BLOCK_LIVE)
        e->fn(user, h->size, e->arg);
}

void guard_each_live(void (*fn)(uintptr_t user, uint64_t size, void *arg), void *arg)
{
    struct each_live e = {fn, arg, atomic_load_explicit(&secret, memory_order_acquire)};
    if (e.secret == 0)
        return; /* no block was ever guarded */
    blockmap_each(&blocks, live_one, &e);
}

static void record_one(uintptr_t user, void *arg)
{
    const struct blockhdr *h = hdr_of(user);
    if (blockhdr_intact(h, user, *(const uint64_t *)arg) && h->state == BLOCK_LIVE &&
        h->kind != TRACE_KIND_NONE)
        record_alloc(h->kind, (const void *)user, h->size, h->alloc_stack);
}

void guard_record_live(void)
{
    uint64_t s = atomic_load_explicit(&secret, memory_order_acquire);
    if (s != 0)
        blockmap_each(&blocks, record_one, &s);
}

/*
 * 1 when h is a header some thread claimed (state FREED) but had not re-encoded yet:
 * with the state it had before, LIVE, and no release stack, it verifies.
 */
static int was_claimed(const struct blockhdr *h, uintptr_t user, uint64_t s)
{
    struct blockhdr tmp = *h;
    if (h->magic != BLOCKHDR_MAGIC || h->state != BLOCK_FREED)
        return 0;
    tmp.state = BLOCK_LIVE;
    tmp.free_stack = TRACE_STACK_NONE;
    return blockhdr_intact(&tmp, user, s);
}

/* A block a vanished thread was releasing is released; a freed one stays only if whole. */
static void settle_one(uintptr_t user, void *arg)
{
    uint64_t s = *(const uint64_t *)arg;
    const struct blockhdr *h = hdr_of(user);
    if (blockhdr_intact(h, user, s)) {
        if (h->state == BLOCK_FREED && first_unlike((const void *)user, h->size, GUARD_FILL) !=
                                           h->size)
            blockmap_clear(&blocks, user); /* its fill was under way */
        return;
    }
    if (was_claimed(h, user, s))
        blockmap_clear(&blocks, user);
}

void guard_fork_child(void)
{
    uint64_t s = atomic_load_explicit(&secret, memory_order_acquire);
    /* The queue may hold cells a vanished thread was writing: start a new one. Blocks of
     * the old one stay marked FREED (double frees are still seen) and are never reused. */
    atomic_store(&quar_state, QUAR_NONE);
    if (s != 0)
        blockmap_each(&blocks, settle_one, &s);
}
