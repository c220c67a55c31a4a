/*
 * Stack capture (see stack.h). Owns the private dlopen of libunwind (RTLD_LOCAL, so its
 * _Unwind_* never reach the program's global scope and C++ exceptions keep unwinding
 * with libgcc), the choice between our own unwinder (unwind.c) and libunwind, the range
 * of our own text whose frames are trimmed, and the mmap'd stack table. Capture runs
 * under the recursion guard: whatever libunwind allocates is not recorded.
 */
#include "shim/stack.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "config.h"
#include "shim/log.h"
#include "shim/modules.h"
#include "shim/ownmem.h"
#include "shim/record.h"
#include "shim/shim.h"
#include "shim/stacktab.h"
#include "shim/textspan.h"
#include "shim/unwind.h"

/* libunwind's UNW_CACHE_PER_THREAD (libunwind.h, enum unw_caching_policy_t). */
#define UNW_CACHE_PER_THREAD_VALUE 2
/* Extra frames captured to make room for our own, trimmed afterwards. */
#define STACK_OWN_FRAMES 8
/* libunwind's register numbers on x86-64 (libunwind-x86_64.h, x86_64_regnum_t). */
#define UNW_RBX 3
#define UNW_RBP 6
#define UNW_RSP 7
#define UNW_R12 12
#define UNW_R13 13
#define UNW_R14 14
#define UNW_R15 15
#define UNW_RIP 16
/* Words of an unw_cursor_t (UNW_TDEP_CURSOR_LEN is 127 on x86-64), with room to spare. */
#define UNW_CURSOR_WORDS 256
/* Frames stack_outer_frame walks at most. */
#define STACK_WALK_MAX 1024
/* Stack table capacity: slots (power of two) and frames in the arena. */
#define STACK_SLOTS (1u << 18)
#define STACK_FRAMES (1u << 23)
/* Per-thread memo of recent stacks: entries (a power of two), frames each (deeper stacks
 * go to the table directly). 8 x 536 bytes of initial-exec TLS per thread. */
#define MEMO_ENTRIES 8
#define MEMO_DEPTH 64

/*
 * The memo in front of the shared table: a thread mostly allocates from a few call
 * sites, and finding them here touches one hot entry instead of a slot and a frames run
 * spread over megabytes of the shared table. An entry is trusted only when its frames
 * compare equal and its generation is the process's current one (a forked child, whose
 * trace must receive every STACK record again, starts a new generation).
 */
struct memo_entry {
    uint64_t hash;  /* stacktab_hash of the frames */
    uint32_t depth; /* frames; 0: empty */
    uint32_t id;    /* the table's id, published */
    uint32_t gen;   /* memo_gen when filled */
    uint64_t frames[MEMO_DEPTH];
};

static int (*unw_backtrace_fn)(void **buf, int size);
static void (*flush_cache_fn)(void *as, uintptr_t lo, uintptr_t hi);
static void *local_as;
static int (*getcontext_fn)(ucontext_t *uc);
static int (*init_local_fn)(void *cursor, ucontext_t *uc);
static int (*step_fn)(void *cursor);
static int (*get_reg_fn)(void *cursor, int reg, uint64_t *value);
static unsigned stack_depth;
static uintptr_t own_lo, own_hi;
static struct stacktab table;
static int table_ready;
static _Atomic uint32_t memo_gen = 1;
static HW_TLS struct memo_entry memo[MEMO_ENTRIES];
static int fast_unwind;   /* 1: unwind.c first, libunwind when it gives up */
static int unwind_verify; /* 1: both on every capture, libunwind's answer kept */
/* unwind_verify's counts over all threads: captures unwind.c answered, those it left to
 * libunwind, and answers that differed from libunwind's. */
static _Atomic uint64_t verify_fast, verify_fallback, verify_mismatch;

/*
 * stacktab_publish_fn: a new stack may point into an object dlopen'ed since the last
 * module map; emit the map first (one dl_iterate_phdr call that stops at the first object
 * when nothing changed, paid once per distinct stack), then the STACK record.
 */
static int publish(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg)
{
    modules_emit_if_changed();
    return record_stack(id, frames, depth, arg);
}

static int find_own(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct textspan t = textspan_of(info);
    if (!textspan_has(t, (uintptr_t)arg))
        return 0;
    own_lo = t.lo;
    own_hi = t.hi;
    return 1;
}

static void load_unwind(void)
{
    void *h = dlopen(HW_UNWIND_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        log_line("cannot load " HW_UNWIND_SONAME ", recording without stacks", NULL);
        return;
    }
    void **as = dlsym(h, "_ULx86_64_local_addr_space");
    int (*policy)(void *, int) = (int (*)(void *, int))dlsym(h, "_ULx86_64_set_caching_policy");
    flush_cache_fn = (void (*)(void *, uintptr_t, uintptr_t))dlsym(h, "_Ux86_64_flush_cache");
    if (!flush_cache_fn)
        flush_cache_fn = (void (*)(void *, uintptr_t, uintptr_t))dlsym(h, "_ULx86_64_flush_cache");
    if (as && policy) {
        local_as = *as;
        policy(local_as, UNW_CACHE_PER_THREAD_VALUE);
    }
    unw_backtrace_fn = (int (*)(void **, int))dlsym(h, "unw_backtrace");
    getcontext_fn = (int (*)(ucontext_t *))dlsym(h, "_Ux86_64_getcontext");
    init_local_fn = (int (*)(void *, ucontext_t *))dlsym(h, "_ULx86_64_init_local");
    step_fn = (int (*)(void *))dlsym(h, "_ULx86_64_step");
    get_reg_fn = (int (*)(void *, int, uint64_t *))dlsym(h, "_ULx86_64_get_reg");
    if (!unw_backtrace_fn)
        log_line(HW_UNWIND_SONAME " has no unw_backtrace, recording without stacks", NULL);
}

int stack_init(unsigned depth)
{
    shim_tls.guard++;
    stack_depth = depth;
    dl_iterate_phdr(find_own, (void *)(uintptr_t)&stack_init);
    load_unwind();
    unwind_verify = shim_options.unwind_verify && unw_backtrace_fn && unwind_init() == 0;
    fast_unwind = shim_options.fast_unwind && unwind_init() == 0;
    size_t bytes = stacktab_mem_size(STACK_SLOTS, STACK_FRAMES);
    void *mem = ownmem_map(bytes);
    shim_tls.guard--;
    if (!mem)
        return -ENOMEM;
    stacktab_init(&table, mem, STACK_SLOTS, STACK_FRAMES, publish, NULL);
    table_ready = 1;
    return 0;
}

/* The id of a captured stack: from this thread's memo, else from the table (and memoised). */
static uint32_t lookup(const uint64_t *frames, uint32_t depth)
{
    uint64_t h = stacktab_hash(frames, depth);
    struct memo_entry *e = &memo[h & (MEMO_ENTRIES - 1)];
    uint32_t gen = atomic_load_explicit(&memo_gen, memory_order_relaxed);
    if (e->hash == h && e->depth == depth && e->gen == gen &&
        memcmp(e->frames, frames, depth * sizeof(uint64_t)) == 0)
        return e->id;
    uint32_t id = stacktab_get_hashed(&table, frames, depth, h);
    if (id != TRACE_STACK_NONE && depth <= MEMO_DEPTH) {
        e->hash = h;
        e->depth = depth;
        e->id = id;
        e->gen = gen;
        memcpy(e->frames, frames, depth * sizeof(uint64_t));
    }
    return id;
}

/* Name the first frame where two answers differ (the first few times). */
static void mismatch(void *const *mine, int k, void *const *theirs, int n)
{
    char a[LOG_NUM_MAX], b[LOG_NUM_MAX], num[LOG_NUM_MAX], depths[2][LOG_NUM_MAX];
    int i = 1;
    while (i < k && i < n && mine[i] == theirs[i])
        i++;
    if (atomic_fetch_add(&verify_mismatch, 1) >= 3)
        return;
    log_line("unwind_verify: frame ", log_num((uint64_t)i, num), ": ",
             log_hex(i < k ? (uintptr_t)mine[i] : 0, a), " (of ", log_num((uint64_t)k, depths[0]),
             ") against libunwind's ", log_hex(i < n ? (uintptr_t)theirs[i] : 0, b), " (of ",
             log_num((uint64_t)n, depths[1]), ")", NULL);
}

/* unwind_verify=1: both unwinders, compared; libunwind's frames into buf. */
static int verified(void **buf, int max)
{
    void *mine[OPTIONS_DEPTH_MAX + STACK_OWN_FRAMES];
    int k = unwind_backtrace(mine, max);
    int n = unw_backtrace_fn(buf, max);
    if (k < 0) {
        atomic_fetch_add_explicit(&verify_fallback, 1, memory_order_relaxed);
        return n;
    }
    atomic_fetch_add_explicit(&verify_fast, 1, memory_order_relaxed);
    /* frame 0 is this function's own call site, different for the two calls */
    if (k != n || (n > 1 && memcmp(mine + 1, buf + 1, (size_t)(n - 1) * sizeof(void *)) != 0))
        mismatch(mine, k, buf, n);
    return n;
}

/* Up to max return addresses from here up: unw_backtrace's answer. */
static int grab(void **buf, int max)
{
    if (unwind_verify)
        return verified(buf, max);
    if (fast_unwind) {
        int n = unwind_backtrace(buf, max);
        if (n >= 0)
            return n;
    }
    return unw_backtrace_fn(buf, max);
}

/* Frames of heapwise itself at the start of buf[n]. */
static int own_frames(void *const *buf, int n)
{
    int skip = 0;
    while (skip < n && (uintptr_t)buf[skip] >= own_lo && (uintptr_t)buf[skip] < own_hi)
        skip++;
    return skip;
}

uint32_t stack_capture(void)
{
    void *buf[OPTIONS_DEPTH_MAX + STACK_OWN_FRAMES];
    if (!unw_backtrace_fn || !table_ready)
        return TRACE_STACK_NONE;
    int saved = errno;
    shim_tls.guard++;
    int n = grab(buf, (int)(stack_depth + STACK_OWN_FRAMES));
    int skip = own_frames(buf, n);
    int keep = n - skip < (int)stack_depth ? n - skip : (int)stack_depth;
    uint32_t id =
        keep > 0 ? lookup((const uint64_t *)(buf + skip), (uint32_t)keep) : TRACE_STACK_NONE;
    shim_tls.guard--;
    errno = saved;
    return id;
}

int stack_frames(uint64_t *out, int max)
{
    void *buf[OPTIONS_DEPTH_MAX + STACK_OWN_FRAMES];
    if (!unw_backtrace_fn || max <= 0)
        return 0;
    int saved = errno;
    shim_tls.guard++;
    int want = max + STACK_OWN_FRAMES;
    int n =
        grab(buf, want < (int)(sizeof(buf) / sizeof(buf[0])) ? want
                                                             : (int)(sizeof(buf) / sizeof(buf[0])));
    int skip = own_frames(buf, n);
    int keep = n - skip < max ? n - skip : max;
    for (int i = 0; i < keep; i++)
        out[i] = (uint64_t)(uintptr_t)buf[skip + i];
    shim_tls.guard--;
    errno = saved;
    return keep > 0 ? keep : 0;
}

void stack_verify_report(void)
{
    char f[LOG_NUM_MAX], b[LOG_NUM_MAX], m[LOG_NUM_MAX];
    if (!unwind_verify)
        return;
    log_line("unwind_verify: ", log_num(atomic_load(&verify_fast), f), " fast, ",
             log_num(atomic_load(&verify_fallback), b), " libunwind, ",
             log_num(atomic_load(&verify_mismatch), m), " mismatches", NULL);
}

void stack_each(stacktab_each_fn fn, void *arg)
{
    if (table_ready)
        stacktab_each(&table, fn, arg);
}

void stack_fork_child(void)
{
    atomic_fetch_add(&memo_gen, 1);
    if (table_ready)
        stacktab_forget_published(&table);
}

void stack_republish(void)
{
    if (table_ready)
        stacktab_publish_all(&table);
}

void stack_flush_cache(void)
{
    unwind_flush();
    if (flush_cache_fn && local_as) {
        shim_tls.guard++;
        flush_cache_fn(local_as, 0, 0);
        shim_tls.guard--;
    }
}

int stack_outer_frame(int (*inside)(uint64_t ip, void *arg), void *arg, uint64_t *sp,
                      uint64_t regs[STACK_CALLEE_SAVED])
{
    static const int saved_regs[STACK_CALLEE_SAVED] = {UNW_RBX, UNW_RBP, UNW_R12,
                                                       UNW_R13, UNW_R14, UNW_R15};
    uint64_t cursor[UNW_CURSOR_WORDS];
    ucontext_t uc;
    uint64_t ip = 0;
    if (!getcontext_fn || !init_local_fn || !step_fn || !get_reg_fn)
        return -ENOSYS;
    int saved = errno, rc = -ENOENT;
    shim_tls.guard++;
    if (getcontext_fn(&uc) == 0 && init_local_fn(cursor, &uc) == 0) {
        for (int i = 0; i < STACK_WALK_MAX; i++) {
            if (get_reg_fn(cursor, UNW_RIP, &ip) < 0)
                break;
            if (!inside(ip, arg)) {
                rc = get_reg_fn(cursor, UNW_RSP, sp) < 0 ? -ENOENT : 0;
                for (int r = 0; r < STACK_CALLEE_SAVED && rc == 0; r++)
                    rc = get_reg_fn(cursor, saved_regs[r], &regs[r]) < 0 ? -ENOENT : 0;
                break;
            }
            if (step_fn(cursor) <= 0)
                break;
        }
    }
    shim_tls.guard--;
    errno = saved;
    return rc;
}
