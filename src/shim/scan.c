/*
 * The leak scan, at exit and on demand (see scan.h). Owns the order of the steps, the list of roots
 * and what is left out of them, and the LEAKSCAN records:
 *
 *   1. writable PT_LOAD segments of every object but libheapwise.so (dl_iterate_phdr,
 *      which takes the loader lock: done before any thread is stopped)
 *   2. stop the other threads (stopworld.c), read /proc/self/maps
 *   3. the live guarded blocks into the mark table (mark.c)
 *   4. roots: segments; this thread's stack from its first frame outside the skipped
 *      code (at exit the exit path: heapwise, libc, ld.so; on demand heapwise alone, so
 *      the root starts at the caller of heapwise_leak_check; found with libunwind before
 *      stopping anyone) up, and the callee-saved registers as that frame sees them (none
 *      of it for check_signal's scan, which runs on the writer thread); every stopped
 *      thread's registers, stack from its sp (less the 128-byte red zone) to the end of
 *      its mapping; every thread's static TLS and TCB [tp - static TLS size, tp + 2304);
 *      the main thread's whole [stack] if it did not stop; every anonymous mapping of the
 *      program, as memcheck scans them, but the heap itself and thread stacks (see
 *      root_anon). Only readable mappings are read, and never heapwise's own TLS block,
 *      its registered mappings (ownmem.h) or the scan's tables: they hold block addresses
 *      of their own.
 *   5. mark, classify, push the records and let the threads go. Records are pushed
 *      while the world is stopped, so that no FREE of a scanned block can precede them,
 *      when they fit in half the ring's free room; a bigger result is pushed after the
 *      threads go, because a stopped thread may hold a reserved, uncommitted record that
 *      the writer cannot drain past (check_signal's scan runs on the writer itself, which
 *      then drains between its records).
 *
 * The frames of the exit path are skipped because their unwritten slots hold stale words
 * of the program's dead frames (memcheck sees those as undefined and skips them too);
 * without libunwind the scan starts at the registers scan_run pushed instead. Either
 * way the scanner's own state (block addresses included) is below the scanned part of
 * the stack, or in mmap'd memory or our own .bss: none of it is a root. Nothing here
 * mallocs or takes a lock a stopped thread could hold.
 */
#include "config.h"

#include "shim/scan.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "shim/anonmap.h"
#include "shim/guard.h"
#include "shim/log.h"
#include "shim/maps.h"
#include "shim/mark.h"
#include "shim/loaderstack.h"
#include "shim/ownmem.h"
#include "shim/record.h"
#include "shim/shim.h"
#include "shim/stack.h"
#include "shim/stopworld.h"
#include "shim/writer.h"

/* Bytes below a thread's sp that leaf code may use without moving sp (x86-64 ABI). */
#define SCAN_RED_ZONE 128
/* The x86-64 `syscall` instruction (0f 05), read as a little-endian 16-bit word. */
#define SCAN_SYSCALL_INSN 0x050f
/* Bytes of glibc's TCB (struct pthread) above the thread pointer, when libc's
 * _thread_db_sizeof_pthread does not say. */
#define SCAN_TCB_SIZE 2304
/* Static TLS assumed below the thread pointer when ld.so does not say. */
#define SCAN_TLS_FALLBACK 4096
/* Words of the buffer roots are copied into before they are read (256 KiB). */
#define SCAN_COPY_WORDS (32u * 1024)
/* Page size, for rounding segments out to what is mapped. */
#define SCAN_PAGE 4096ull
/* Writable segments kept as roots; objects past this many segments are not scanned. */
#define SCAN_SEGMENTS_MAX 4096
/* Largest distance from a secondary base to the whole object a vtable may say (bytes). */
#define SCAN_VTABLE_TOP_MAX (1ull << 24)
/* Writable segments of libheapwise.so kept apart (never roots). */
#define SCAN_OWN_MAX 4
/* glibc's TERMINATED_BIT in struct pthread's cancelhandling (nptl/descr.h): set once an
 * ended thread's TCB is released (joined, or detached), when its stack joins the cache. */
#define SCAN_TERMINATED_BIT 5
/* Executable segments of the skipped objects (exit path: heapwise, libc, ld.so). */
#define SCAN_EXIT_CODE_MAX 16
/* How long an exit waits for an on-demand scan of another thread to end: 1 ms steps. */
#define SCAN_EXIT_WAIT_STEPS 10000
/* Ranges never scanned: heapwise's TLS block in each thread (stopped ones and this one),
 * and the scan's own tables (block table, states, work list, memory map). */
#define SCAN_EXCLUDE_MAX (STOPWORLD_MAX + 1 + 5 + OWNMEM_MAX)

struct scan {
    struct mark mark;
    struct maps maps;
    struct stopworld world;
    struct mark_block segs[SCAN_SEGMENTS_MAX]; /* writable segments: start, bytes */
    size_t nsegs;
    struct mark_block own[SCAN_OWN_MAX]; /* libheapwise.so's writable segments */
    size_t nown;
    struct mark_block exclude[SCAN_EXCLUDE_MAX]; /* sorted by start before use */
    size_t nexclude;
    uint64_t tls_off;  /* our PT_TLS block's start - thread pointer (mod 2^64) */
    uint64_t tls_size; /* its bytes, 0 if unknown */
    uint64_t tp;       /* this thread's thread pointer */
    int runtime;                                     /* on demand: skip heapwise alone */
    int keep_finished; /* finished threads' TLS and TCB are roots */
    int on_writer;     /* the scan runs on the writer thread (SCAN_SHIM_THREAD) */
    struct mark_block exit_code[SCAN_EXIT_CODE_MAX]; /* text of the skipped frames */
    size_t nexit_code;
    uint64_t self_sp;                       /* where this thread's stack root starts */
    uint64_t self_regs[STACK_CALLEE_SAVED]; /* its callee-saved registers there */
    int self_unwound;                       /* self_regs valid (libunwind walk worked) */
};

static size_t tls_static_size = SCAN_TLS_FALLBACK; /* below the thread pointer */
static size_t tcb_size = SCAN_TCB_SIZE;              /* above it: struct pthread */
static int tcb_tid_known; /* the TCB's tid is at ANONMAP_TID_OFFSET (checked at init) */
static uint32_t cancel_offset; /* offsetof(struct pthread, cancelhandling); 0: unknown */
static uintptr_t in_ld_so; /* an address in ld.so's text (_dl_get_tls_static_info) */
static struct scan state;  /* one scan at a time; static so that no stack holds it */
static _Atomic int busy;   /* 1 while a scan owns `state`; shim_finish keeps it */
static _Atomic int exiting; /* shim_finish wants the scanner: on-demand calls give up */
static struct scan_totals last; /* what the last scan found (written by its owner) */
static _Atomic int last_valid;  /* 1 once a scan filled `last` */
static const struct scan_exit_hooks *exit_hooks; /* the exit scan's, NULL otherwise */

void scan_init(void)
{
    loaderstack_init();
    void (*info)(size_t *, size_t *) =
        (void (*)(size_t *, size_t *))dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
    size_t size = 0, align = 0;
    if (info) {
        info(&size, &align);
        in_ld_so = (uintptr_t)info;
    }
    /* ld.so's static TLS size counts the TCB too: keep only what is below tp, or the top
     * of each thread's stack (dead frames included) would be taken for TLS. */
    const unsigned *tsz = dlsym(RTLD_DEFAULT, "_thread_db_sizeof_pthread");
    if (tsz && *tsz)
        tcb_size = *tsz;
    if (size > tcb_size)
        tls_static_size = size - tcb_size;
    else if (size)
        tls_static_size = size;
    tcb_tid_known = *(const int32_t *)(uintptr_t)(stopworld_tp() + ANONMAP_TID_OFFSET) ==
                    (int32_t)syscall(SYS_gettid);
    /* libthread_db's field descriptor: bits, count, offset */
    const uint32_t *cancel = dlsym(RTLD_DEFAULT, "_thread_db_pthread_cancelhandling");
    if (cancel && cancel[0] == 32 && cancel[2] + sizeof(int32_t) <= tcb_size)
        cancel_offset = cancel[2];
}

/* ---- roots ----------------------------------------------------------------------------- */

/* 1 when the object `info` maps the address `me`. */
static int maps_addr(const struct dl_phdr_info *info, uintptr_t me)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && me >= a && me - a < ph->p_memsz)
            return 1;
    }
    return 0;
}

static int segment_one(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct scan *s = arg;
    (void)size;
    int ours = maps_addr(info, (uintptr_t)&tls_static_size);
    int exit_path = ours || (!s->runtime && (maps_addr(info, (uintptr_t)&exit) ||
                                             (in_ld_so && maps_addr(info, in_ld_so))));
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uint64_t a = info->dlpi_addr + ph->p_vaddr;
        if (exit_path && ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
            s->nexit_code < SCAN_EXIT_CODE_MAX) {
            s->exit_code[s->nexit_code].start = a;
            s->exit_code[s->nexit_code].size = ph->p_memsz;
            s->nexit_code++;
        }
        if (ours && ph->p_type == PT_TLS && info->dlpi_tls_data) {
            s->tls_off = (uintptr_t)info->dlpi_tls_data - s->tp;
            s->tls_size = ph->p_memsz;
        }
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
            continue;
        uint64_t lo = a & ~(SCAN_PAGE - 1),
                 hi = (a + ph->p_memsz + SCAN_PAGE - 1) & ~(SCAN_PAGE - 1);
        struct mark_block *to = ours ? s->own : s->segs;
        size_t *n = ours ? &s->nown : &s->nsegs;
        if (*n == (ours ? SCAN_OWN_MAX : SCAN_SEGMENTS_MAX))
            continue;
        to[*n].start = lo;
        to[*n].size = hi - lo;
        (*n)++;
    }
    return 0;
}

/* stack_outer_frame's test: 1 for code of the skipped frames (exit path, or heapwise). */
static int in_exit_path(uint64_t ip, void *arg)
{
    const struct scan *s = arg;
    for (size_t i = 0; i < s->nexit_code; i++)
        if (ip - s->exit_code[i].start < s->exit_code[i].size)
            return 1;
    return 0;
}

/* Where this thread's stack root starts: see the top of the file. Before any stop. */
static void find_self_root(struct scan *s, uint64_t sp)
{
    s->self_sp = sp;
    uint64_t outer;
    if (stack_outer_frame(in_exit_path, s, &outer, s->self_regs) == 0 && outer >= sp) {
        s->self_sp = outer;
        s->self_unwound = 1;
    }
}

/*
 * Mark from [lo, hi), read through process_vm_readv into a buffer of our own, so that a
 * page unmapped since /proc/self/maps was read (by a thread that did not stop) is skipped
 * instead of faulting; where the call is refused (seccomp), the memory is read in place.
 */
static void root_piece(uint64_t lo, uint64_t hi, void *arg)
{
    static uint64_t copy[SCAN_COPY_WORDS]; /* our .bss: never a root itself */
    static int copy_refused;
    lo = (lo + sizeof(uint64_t) - 1) & ~(uint64_t)(sizeof(uint64_t) - 1);
    while (lo < hi && !copy_refused) {
        size_t n = hi - lo < sizeof(copy) ? hi - lo : sizeof(copy);
        struct iovec local = {copy, n}, remote = {(void *)(uintptr_t)lo, n};
        ssize_t got = syscall(SYS_process_vm_readv, (pid_t)syscall(SYS_getpid), &local, 1UL,
                              &remote, 1UL, 0UL);
        if (got > 0) {
            mark_root(arg, copy, (size_t)got);
            lo += (uint64_t)got;
        } else if (got < 0 && errno == EFAULT) {
            lo = (lo + SCAN_PAGE) & ~(SCAN_PAGE - 1); /* gone: the next page */
        } else {
            copy_refused = 1;
        }
    }
    if (lo < hi)
        mark_root(arg, (const void *)(uintptr_t)lo, hi - lo);
}

/* Mark from [lo, hi): its readable parts, less the excluded ranges. */
static void root(struct scan *s, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < s->nexclude && lo < hi; i++) {
        uint64_t xlo = s->exclude[i].start, xhi = xlo + s->exclude[i].size;
        if (xhi <= lo || xlo >= hi)
            continue;
        if (xlo > lo)
            maps_each_readable(&s->maps, lo, xlo, root_piece, &s->mark);
        lo = xhi;
    }
    if (lo < hi)
        maps_each_readable(&s->maps, lo, hi, root_piece, &s->mark);
}

static void root_tls(struct scan *s, uint64_t tp)
{
    root(s, tp - tls_static_size, tp + tcb_size);
}

/* Mark from a stack: [sp, end of the mapping holding sp). */
static void root_stack(struct scan *s, uint64_t lo, uint64_t sp)
{
    const struct maps_range *r = maps_find(&s->maps, sp);
    if (r)
        root(s, lo, r->end);
}

static void exclude_tls(struct scan *s, uint64_t tp)
{
    if (s->tls_size == 0 || s->nexclude == SCAN_EXCLUDE_MAX)
        return;
    s->exclude[s->nexclude].start = tp + s->tls_off;
    s->exclude[s->nexclude].size = s->tls_size;
    s->nexclude++;
}

static void exclude_range(struct scan *s, const void *p, uint64_t bytes)
{
    if (!p || s->nexclude == SCAN_EXCLUDE_MAX)
        return;
    s->exclude[s->nexclude].start = (uintptr_t)p;
    s->exclude[s->nexclude].size = bytes;
    s->nexclude++;
}

static int overlaps(const struct mark_block *v, size_t n, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].start < hi && lo < v[i].start + v[i].size)
            return 1;
    return 0;
}

/* 1 when [lo, hi) holds the stack pointer of a thread whose stack is scanned already. */
static int holds_known_stack(const struct scan *s, uint64_t lo, uint64_t hi)
{
    uint64_t writer = writer_stack();
    if ((s->self_sp >= lo && s->self_sp < hi) || (writer >= lo && writer < hi))
        return 1;
    for (uint32_t i = 0; i < s->world.stopped; i++) {
        uint64_t sp = stopworld_get(&s->world, i)->sp;
        if (sp >= lo && sp < hi)
            return 1;
    }
    return 0;
}

/* A finished thread's static TLS and TCB [tp - static TLS, hi), less heapwise's TLS block. */
static void root_finished_thread(struct scan *s, uint64_t tp, uint64_t hi)
{
    uint64_t lo = tp - tls_static_size, xlo = tp + s->tls_off, xhi = xlo + s->tls_size;
    if (s->tls_size == 0 || xlo < lo || xhi > hi) {
        root(s, lo, hi);
        return;
    }
    root(s, lo, xlo);
    root(s, xhi, hi);
}

/*
 * Mark from [lo, hi) less the live blocks in it: the kernel merges neighbouring anonymous
 * mappings, so one range can hold the real allocator's own mappings of big blocks next to
 * the program's data (an interpreter's arenas, say). The blocks are reached as blocks.
 */
static void root_between_blocks(struct scan *s, uint64_t lo, uint64_t hi)
{
    for (size_t i = mark_first_from(&s->mark, lo); i < s->mark.count && lo < hi; i++) {
        const struct mark_block *b = &s->mark.blocks[i];
        if (b->start >= hi)
            break;
        root(s, lo, b->start);
        lo = b->start + b->size > lo ? b->start + b->size : lo;
    }
    if (lo < hi)
        root(s, lo, hi);
}

/*
 * 1 when the ended thread whose TCB is at tp (in a mapping ending at end) was joined or
 * detached: glibc released its TCB and keeps the stack only in its cache for reuse. 1 too
 * when that cannot be told (the old rule).
 */
static int tcb_released(uint64_t tp, uint64_t end)
{
    if (!cancel_offset || tp + cancel_offset + sizeof(int32_t) > end)
        return 1;
    int32_t c = *(const int32_t *)(uintptr_t)(tp + cancel_offset);
    return (c >> SCAN_TERMINATED_BIT) & 1;
}

/*
 * An anonymous mapping (anonmap.h): skipped when an object's data (a .bss tail: the
 * segments are roots already, heapwise's never), a glibc arena heap (its freed chunks
 * hold stale words) or the stack of a thread scanned already (from its stack pointer up to
 * the mapping's end). A finished thread's stack gives its static TLS and TCB on demand
 * and at a death by signal. At exit only while nobody joined the thread: memcheck runs
 * __libc_freeres first there, which unmaps glibc's cache of released stacks, so a value
 * a joined thread returned, or its TLS held, is lost; an unjoined thread's stack stays.
 * A thread that did not stop gives its whole stack. Any other mapping is a root, less the
 * live blocks it holds.
 */
static void root_anon(struct scan *s, const struct maps_range *r)
{
    if (overlaps(s->own, s->nown, r->start, r->end) ||
        overlaps(s->segs, s->nsegs, r->start, r->end) || holds_known_stack(s, r->start, r->end) ||
        anonmap_is_malloc_heap(r->start, r->end))
        return;
    uint64_t tp = anonmap_thread_tp(r->start, r->end);
    if (tp && tp - r->start >= tls_static_size && tcb_tid_known &&
        *(const int32_t *)(uintptr_t)(tp + ANONMAP_TID_OFFSET) <= 0) { /* glibc's FREE_P */
        if (s->keep_finished || !tcb_released(tp, r->end)) /* its dead frames: garbage */
            root_finished_thread(s, tp, r->end);
        return;
    }
    root_between_blocks(s, r->start, r->end);
}

/* Mapping flags of addr, 0 when unmapped. */
static uint32_t flags_at(const struct scan *s, uint64_t addr);

/* 1 when the two bytes at `at` are readable and a `syscall` instruction. */
static int syscall_at(const struct scan *s, uint64_t at)
{
    if (!(flags_at(s, at) & MAPS_READ) || !(flags_at(s, at + 1) & MAPS_READ))
        return 0;
    uint16_t insn;
    memcpy(&insn, (const void *)(uintptr_t)at, sizeof(insn));
    return insn == SCAN_SYSCALL_INSN;
}

/*
 * Where a stopped thread's stack root starts: below its sp by the red zone, where a leaf
 * function may keep live words, unless the signal found it in a system call (its ip just
 * after the instruction, or on it when the call restarts). System calls that block are
 * made from functions that call others (cancellation points), which keep nothing below
 * sp; what is there then is dead frames' words, heapwise's own malloc frames among them,
 * that memcheck's malloc would not have left.
 */
static uint64_t stack_root_start(const struct scan *s, const struct stopworld_thread *t)
{
    uint64_t ip = (uint64_t)t->gregs[REG_RIP];
    if (syscall_at(s, ip - 2) || syscall_at(s, ip))
        return t->sp;
    return t->sp - SCAN_RED_ZONE;
}

/*
 * At exit, memcheck looks after __libc_freeres, whose clearenv frees the environment array
 * setenv and putenv built (the strings setenv copied go too): a string the program gave
 * putenv is lost unless the program still holds it. The array environ points to is held,
 * never scanned (its own block is libc's: the report sets it apart).
 */
static void hold_environ(struct scan *s)
{
    int at_start;
    long i = mark_find(&s->mark, (uintptr_t)environ, &at_start);
    if (i >= 0 && at_start)
        mark_hold(&s->mark, (size_t)i);
}

static void mark_roots(struct scan *s)
{
    exclude_tls(s, s->tp);
    for (uint32_t i = 0; i < s->world.stopped; i++)
        exclude_tls(s, stopworld_get(&s->world, i)->tp);
    exclude_range(s, s->mark.blocks, s->mark.cap * sizeof(*s->mark.blocks));
    exclude_range(s, s->mark.state, s->mark.count ? s->mark.count : 1);
    exclude_range(s, s->mark.work, (s->mark.count ? s->mark.count : 1) * sizeof(*s->mark.work));
    exclude_range(s, s->maps.r, s->maps.bytes);
    exclude_range(s, s->maps.text, s->maps.text_bytes);
    for (size_t i = 0; i < ownmem_count(); i++) {
        uint64_t start, bytes;
        if (ownmem_get(i, &start, &bytes) == 0)
            exclude_range(s, (const void *)(uintptr_t)start, bytes);
    }
    mark_sort(s->exclude, s->nexclude);
    if (!s->keep_finished) /* at exit, not on demand nor at a death by signal */
        hold_environ(s);

    for (size_t i = 0; i < s->nsegs; i++)
        root(s, s->segs[i].start, s->segs[i].start + s->segs[i].size);
    if (s->self_unwound)
        mark_root(&s->mark, s->self_regs, sizeof(s->self_regs));
    root_stack(s, s->self_sp, s->self_sp);
    root_tls(s, s->tp);
    for (uint32_t i = 0; i < s->world.stopped; i++) {
        const struct stopworld_thread *t = stopworld_get(&s->world, i);
        mark_root(&s->mark, t->gregs, sizeof(t->gregs));
        root_stack(s, stack_root_start(s, t), t->sp);
        root_tls(s, t->tp);
    }
    for (size_t i = 0; i < s->maps.count; i++) {
        const struct maps_range *r = &s->maps.r[i];
        if ((r->flags & MAPS_STACK) && s->world.main_missed)
            root(s, r->start, r->end); /* running: its whole stack, conservatively */
        else if ((r->flags & (MAPS_ANON | MAPS_READ)) == (MAPS_ANON | MAPS_READ))
            root_anon(s, r);
    }
}

/* Mapping flags of addr, 0 when unmapped. */
static uint32_t flags_at(const struct scan *s, uint64_t addr)
{
    const struct maps_range *r = maps_find(&s->maps, addr);
    return r ? r->flags : 0;
}

/*
 * mark_vtable_fn: `addr` is where a vtable pointer points in the Itanium C++ ABI: in
 * read-only data of a loaded object (.data.rel.ro after RELRO, or .rodata), with the
 * offset-to-top (0 or a negative multiple of 8) 16 bytes before, the type_info pointer
 * (or 0) 8 bytes before, and a first virtual function in code.
 */
static int is_vtable(uint64_t addr, void *arg)
{
    const struct scan *s = arg;
    const uint32_t ro_mask = MAPS_READ | MAPS_WRITE | MAPS_EXEC | MAPS_ANON;
    const struct maps_range *r = maps_find(&s->maps, addr);
    if (!r || (r->flags & ro_mask) != MAPS_READ || addr - r->start < 2 * sizeof(uint64_t) ||
        addr + sizeof(uint64_t) > r->end)
        return 0;
    const int64_t *v = (const int64_t *)(uintptr_t)addr;
    int64_t top = v[-2];
    uint64_t type_info = (uint64_t)v[-1], fn = (uint64_t)v[0];
    return top <= 0 && top > -(int64_t)SCAN_VTABLE_TOP_MAX && top % 8 == 0 &&
           (type_info == 0 || (flags_at(s, type_info) & MAPS_READ)) &&
           (flags_at(s, fn) & (MAPS_READ | MAPS_EXEC)) == (MAPS_READ | MAPS_EXEC);
}

/* ---- blocks and records ------------------------------------------------------------------ */

struct collect {
    struct mark *mark;
    int rc;
};

static void add_block(uintptr_t user, uint64_t size, void *arg)
{
    struct collect *c = arg;
    if (c->rc == 0)
        c->rc = mark_add(c->mark, user, size);
}

static int collect_blocks(struct scan *s)
{
    struct collect c = {&s->mark, 0};
    guard_each_live(add_block, &c);
    return c.rc < 0 ? c.rc : mark_prepare(&s->mark);
}

/*
 * The LEAKSCAN records, in mark_order_lost's order when it could be made (then flagged
 * LEAKSCAN_GROUPED: an indirect block follows the definite block holding it), else in
 * address order.
 */
static void emit(const struct scan *s, uint64_t t0)
{
    uint64_t entries[RECORD_LEAKSCAN_MAX];
    const uint32_t *order = s->mark.order;
    uint32_t flags = LEAKSCAN_FIRST | (order ? LEAKSCAN_GROUPED : 0);
    uint32_t threads = 1 + s->world.stopped;
    size_t i = 0;
    do {
        uint32_t n = 0;
        for (; n < RECORD_LEAKSCAN_MAX && i < s->mark.count; i++) {
            size_t b = order ? order[i] : i;
            entries[n++] = s->mark.blocks[b].start | mark_class(&s->mark, b);
        }
        if (i == s->mark.count)
            flags |= LEAKSCAN_LAST;
        if (s->on_writer)
            writer_drain(); /* only this thread makes room in the ring */
        if (record_leakscan(flags, t0, threads, s->world.missed, entries, n) < 0)
            return; /* the ring stayed full: the rest would be dropped too */
        flags = 0;
    } while (i < s->mark.count);
}

/* 1 when the records surely fit in the ring without the writer draining anything. */
static int fits_in_ring(const struct scan *s)
{
    uint64_t records = s->mark.count / RECORD_LEAKSCAN_MAX + 1;
    uint64_t room = shim_ring.size - ring_used(&shim_ring);
    return records * TRACE_REC_MAX <= room / 2;
}

/* ---- the scan ---------------------------------------------------------------------------- */

/*
 * The totals of every block whose allocation was recorded (heapwise's own, or made before
 * init, are left out, as the report leaves them out) into `last`, and the sum of the
 * requested sizes of the definitely lost ones allocated in checkpoint epoch `since` or
 * later, the loader's lost blocks set apart as the report sets them apart. While the
 * world is stopped.
 */
static uint64_t tally(const struct scan *s, uint32_t since)
{
    uint64_t sum = 0;
    memset(&last, 0, sizeof(last));
    loaderstack_clear();
    stack_each(loaderstack_note, NULL);
    for (size_t i = 0; i < s->mark.count; i++) {
        uint32_t stack = 0;
        int64_t epoch = guard_live_epoch((uintptr_t)s->mark.blocks[i].start, &stack);
        unsigned c = mark_class(&s->mark, i);
        if (epoch < 0 || c >= sizeof(last.blocks) / sizeof(last.blocks[0]))
            continue;
        if ((c == LEAK_DEFINITE || c == LEAK_INDIRECT) && loaderstack_has(stack)) {
            last.loader_blocks[c]++;
            last.loader_bytes[c] += s->mark.blocks[i].size;
            continue;
        }
        last.blocks[c]++;
        last.bytes[c] += s->mark.blocks[i].size;
        if (c == LEAK_DEFINITE && epoch >= (int64_t)since)
            sum += s->mark.blocks[i].size;
    }
    atomic_store(&last_valid, 1);
    return sum;
}

void scan_totals_add_loader(struct scan_totals *t)
{
    for (size_t c = 0; c < sizeof(t->blocks) / sizeof(t->blocks[0]); c++) {
        t->blocks[c] += t->loader_blocks[c];
        t->bytes[c] += t->loader_bytes[c];
        t->loader_blocks[c] = t->loader_bytes[c] = 0;
    }
}

int scan_last(struct scan_totals *t)
{
    if (!atomic_load(&last_valid))
        return -1;
    *t = last;
    return 0;
}

/*
 * Called by scan_run with sp just below the callee-saved registers it pushed. Returns
 * the definitely lost bytes (0 when the scan failed).
 */
uint64_t scan_from(uint64_t sp, unsigned mode, uint32_t since) __attribute__((used));
uint64_t scan_from(uint64_t sp, unsigned mode, uint32_t since)
{
    struct scan *s = &state;
    uint64_t t0 = record_now(), definite = 0;
    memset(s, 0, sizeof(*s));
    s->runtime = (mode & SCAN_ON_DEMAND) != 0;
    s->keep_finished = (mode & (SCAN_ON_DEMAND | SCAN_KEEP_FINISHED)) != 0;
    s->on_writer = (mode & SCAN_SHIM_THREAD) != 0;
    mark_init(&s->mark);
    s->tp = stopworld_tp();
    dl_iterate_phdr(segment_one, s);
    if (!(mode & SCAN_SHIM_THREAD))
        find_self_root(s, sp); /* else no self root at all: self_sp 0 maps nothing */
    int stop_rc = stopworld_stop(&s->world, writer_tid());
    const struct scan_exit_hooks *hooks = mode & SCAN_ON_DEMAND ? NULL : exit_hooks;
    if (hooks)
        hooks->before();
    int rc = maps_read(&s->maps), emitted = 0;
    if (rc == 0)
        rc = collect_blocks(s);
    if (rc == 0) {
        s->mark.is_vtable = is_vtable;
        s->mark.vtable_arg = s;
        mark_roots(s);
        mark_propagate(&s->mark);
        mark_classify(&s->mark);
        mark_order_lost(&s->mark); /* without it, the records go in address order */
        definite = tally(s, since);
    }
    if (rc == 0 && fits_in_ring(s)) {
        emit(s, t0);
        emitted = 1;
    }
    if (hooks && (rc != 0 || emitted))
        hooks->after();
    stopworld_resume(&s->world);
    if (stop_rc < 0)
        log_line("leak scan: cannot stop the other threads: ", strerrordesc_np(-stop_rc),
                 "; their stacks were not scanned", NULL);
    if (rc == 0 && !emitted) {
        emit(s, t0);
        if (hooks)
            hooks->after(); /* the records first: only the writer could make room */
    } else if (rc != 0)
        log_line("leak scan: ", strerrordesc_np(-rc), "; no leak classes recorded", NULL);
    mark_release(&s->mark);
    maps_release(&s->maps);
    return definite;
}

/*
 * Take the scanner, waiting up to SCAN_EXIT_WAIT_STEPS ms for another thread's scan to
 * end. 1 when taken; 0 when the wait ran out, or (on demand) once the exit wants it.
 */
static int take_scanner(int on_demand)
{
    struct timespec step = {0, 1000 * 1000};
    for (int i = 0; i < SCAN_EXIT_WAIT_STEPS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&busy, &expected, 1))
            return 1;
        if (on_demand && atomic_load(&exiting))
            return 0;
        nanosleep(&step, NULL);
    }
    return 0;
}

uint64_t scan_check(uint32_t since)
{
    if (!take_scanner(1))
        return 0;
    uint64_t n = scan_run(SCAN_ON_DEMAND, since);
    atomic_store(&busy, 0);
    return n;
}

int scan_for_signal(void (*first)(void *arg), void *arg)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&busy, &expected, 1))
        return atomic_load(&exiting) ? -ECANCELED : -EBUSY;
    if (atomic_load(&exiting)) { /* it waits for the scanner: give it back at once */
        atomic_store(&busy, 0);
        return -ECANCELED;
    }
    first(arg);
    scan_run(SCAN_ON_DEMAND | SCAN_SHIM_THREAD, 0);
    atomic_store(&busy, 0);
    return 0;
}

/* The hooks with the world stopped, without a scan. */
static void stopped_hooks(const struct scan_exit_hooks *h)
{
    struct stopworld w;
    stopworld_stop(&w, writer_tid());
    h->before();
    h->after();
    stopworld_resume(&w);
}

void scan_exit(int scan, int died_of_signal, const struct scan_exit_hooks *h)
{
    atomic_store(&exiting, 1);
    if (take_scanner(0)) {
        /* busy stays 1: no on-demand scan after this */
        if (!scan) {
            stopped_hooks(h);
            return;
        }
        exit_hooks = h;
        scan_run(died_of_signal ? SCAN_KEEP_FINISHED : 0, 0);
        exit_hooks = NULL;
        return;
    }
    if (scan)
        log_line("leak scan: an on-demand scan did not end; no leak classes recorded", NULL);
    h->before(); /* the scanner's owner holds the stop: run them unstopped */
    h->after();
}

void scan_fork_child(void)
{
    atomic_store(&busy, 0);
    atomic_store(&last_valid, 0); /* the parent's scan: not this process's */
}

/*
 * scan_run(mode, since): push the callee-saved registers (the only ones that can still
 * hold the program's values after the calls that led here), then call scan_from with the
 * stack pointer just below them (and `mode`, `since` after it), and return what it
 * returns (rax is left alone). Without libunwind, from there up is a root; scan_from's
 * frames are not.
 *
 *   ... the program's and exit's frames ...   <- end of the stack mapping
 *   return address into scan_check or scan_exit
 *   rbx rbp r12 r13 r14 r15                   <- sp given to scan_from
 *   8 bytes of alignment
 *   scan_from and below: the scanner          (never scanned)
 */
__asm__(".text\n"
        ".globl scan_run\n"
        ".hidden scan_run\n"
        ".type scan_run, @function\n"
        "scan_run:\n"
        ".cfi_startproc\n"
        "    push %rbx\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    push %rbp\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    push %r12\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    push %r13\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    push %r14\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    push %r15\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    sub $8, %rsp\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    mov %esi, %edx\n"
        "    mov %edi, %esi\n"
        "    lea 8(%rsp), %rdi\n"
        "    call scan_from\n"
        "    add $8, %rsp\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    pop %r15\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    pop %r14\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    pop %r13\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    pop %r12\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    pop %rbp\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    pop %rbx\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    ret\n"
        ".cfi_endproc\n"
        ".size scan_run, .-scan_run\n");
