/*
 * The shim's unwinder (see unwind.h). Owns the rule cache: an open-addressing table of
 * (address, rule) slots in our own mapping. A slot's address is claimed once with a CAS
 * and never changes; its value packs the rule with the cache generation it was computed
 * in, written as one word, so a reader sees either a whole rule or none, and a rule
 * computed before unwind_flush() is never used after it. In front of it each thread has
 * a small near cache of its own (struct near_cache). A miss finds the object with glibc's
 * lock-free _dl_find_object and decodes its unwind tables (cfi.c).
 */
#include "config.h"

#include "shim/unwind.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "shim/cfi.h"
#include "shim/ownmem.h"
#include "shim/shim.h"

/* Slots of the rule cache (a power of two), 16 bytes each, and slots probed per lookup. */
#define UNWIND_SLOTS (1u << 18)
#define UNWIND_PROBES 32
/* libunwind's fast trace (x86_64/Gtrace.c) ends at a return address below this. */
#define UNWIND_MIN_RA 0x4000
/* Largest step of the stack pointer between two frames trusted without libunwind. */
#define UNWIND_MAX_FRAME (1ull << 28)
/* Bits of the packed rule: kind, rbp slot, CFA offset (CFI_OFFSET_LIMIT fits in 21). */
#define PACK_KIND_BITS 3
#define PACK_SLOT_BITS 8
#define PACK_OFFSET_BITS 21
/* The code of glibc's x86-64 __restore_rt: mov $15, %rax; syscall (rt_sigreturn). */
static const uint8_t sigreturn_code[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};

/*
 * The thread's own small cache in front of the shared table: the table spreads a
 * thread's few dozen hot addresses over as many pages, this keeps them in one. Written
 * only by its thread, in the order ip = 0, rule, ip, with `busy` set meanwhile: a signal
 * handler that interrupts the writing neither writes nor reads it, one that interrupts
 * anything else finishes before the thread goes on.
 */
#define NEAR_ENTRIES 256
struct near_entry {
    uint64_t ip;
    struct cfi_rule rule; /* unpacked: the hit path decodes nothing */
};
struct near_cache {
    uint32_t gen; /* the table's generation the entries belong to */
    int busy;     /* 1 while an entry is being written */
    struct near_entry e[NEAR_ENTRIES];
};
static HW_TLS struct near_cache near;

struct slot {
    _Atomic uint64_t ip;    /* the address the rule is for; 0: free */
    _Atomic uint64_t value; /* generation << 32 | packed rule; 0: not computed yet */
};

static struct slot *slots;
static _Atomic uint32_t generation = 1;

int unwind_init(void)
{
    if (slots)
        return 0;
    slots = ownmem_map(UNWIND_SLOTS * sizeof(struct slot));
    return slots ? 0 : -ENOMEM;
}

void unwind_flush(void)
{
    atomic_fetch_add_explicit(&generation, 1, memory_order_acq_rel);
}

static uint32_t pack(struct cfi_rule r)
{
    uint32_t slot = (uint8_t)r.rbp_slot;
    uint32_t offset = (uint32_t)r.cfa_offset & ((1u << PACK_OFFSET_BITS) - 1);
    return r.kind | slot << PACK_KIND_BITS | offset << (PACK_KIND_BITS + PACK_SLOT_BITS);
}

static struct cfi_rule unpack(uint32_t v)
{
    struct cfi_rule r;
    r.kind = (uint8_t)(v & ((1u << PACK_KIND_BITS) - 1));
    r.rbp_slot = (int8_t)(uint8_t)(v >> PACK_KIND_BITS);
    /* sign-extend the offset from its top bits */
    r.cfa_offset = (int32_t)v >> (PACK_KIND_BITS + PACK_SLOT_BITS);
    return r;
}

/* 1 when the code at `at` (inside [at, limit)) is the signal return trampoline. */
static int sigreturn_at(uint64_t at, uint64_t limit)
{
    return at + sizeof(sigreturn_code) <= limit &&
           memcmp((const void *)(uintptr_t)at, sigreturn_code, sizeof(sigreturn_code)) == 0;
}

/*
 * The rule for ip, decoded. A return address right at a signal trampoline is refused
 * whatever its FDE says: libunwind unwinds those frames through the signal context.
 */
static struct cfi_rule compute(uint64_t ip)
{
    struct cfi_rule unsupported = {CFI_UNSUPPORTED, 0, 0};
    struct dl_find_object obj;
    const uint8_t *fde;
    if (_dl_find_object((void *)(uintptr_t)ip, &obj) != 0 || !obj.dlfo_eh_frame)
        return unsupported;
    if (sigreturn_at(ip + 1, (uintptr_t)obj.dlfo_map_end))
        return unsupported;
    if (cfi_hdr_find(obj.dlfo_eh_frame, ip, &fde) < 0)
        return unsupported;
    return cfi_rule_at(fde, ip);
}

/* Compute the rule of ip and keep it in slot s under generation gen (read before). */
static struct cfi_rule fill(struct slot *s, uint64_t ip, uint32_t gen)
{
    struct cfi_rule r = compute(ip);
    atomic_store_explicit(&s->value, (uint64_t)gen << 32 | pack(r), memory_order_release);
    return r;
}

/* The rule for ip: cached, or computed (and cached when a slot is free). */
static struct cfi_rule rule_for(uint64_t ip)
{
    uint32_t gen = atomic_load_explicit(&generation, memory_order_acquire);
    uint64_t h = (ip * 0x9e3779b97f4a7c15ull) >> 40;
    for (unsigned i = 0; i < UNWIND_PROBES; i++) {
        struct slot *s = &slots[(h + i) & (UNWIND_SLOTS - 1)];
        uint64_t key = atomic_load_explicit(&s->ip, memory_order_acquire);
        if (key == 0) {
            if (!atomic_compare_exchange_strong(&s->ip, &key, ip) && key != ip)
                continue;
            return fill(s, ip, gen);
        }
        if (key != ip)
            continue;
        uint64_t v = atomic_load_explicit(&s->value, memory_order_acquire);
        if ((uint32_t)(v >> 32) == gen)
            return unpack((uint32_t)v);
        return fill(s, ip, gen);
    }
    return compute(ip);
}

/* The near cache's entry for ip. */
static inline struct near_entry *near_entry(struct near_entry *tab, uint64_t ip)
{
    return &tab[(ip ^ ip >> 8) & (NEAR_ENTRIES - 1)];
}

/* A rule missing from the near cache tab (NULL: not usable, see struct near_cache). */
static struct cfi_rule near_miss(struct near_entry *tab, uint64_t ip)
{
    struct cfi_rule r = rule_for(ip);
    if (tab) {
        struct near_entry *e = near_entry(tab, ip);
        near.busy = 1;
        atomic_signal_fence(memory_order_seq_cst);
        e->ip = 0;
        atomic_signal_fence(memory_order_seq_cst);
        e->rule = r;
        atomic_signal_fence(memory_order_seq_cst);
        e->ip = ip;
        atomic_signal_fence(memory_order_seq_cst);
        near.busy = 0;
    }
    return r;
}

/* This thread's near cache, emptied if the table was flushed; NULL while it is written. */
static struct near_entry *near_cache(void)
{
    if (near.busy)
        return NULL;
    uint32_t gen = atomic_load_explicit(&generation, memory_order_acquire);
    if (near.gen == gen)
        return near.e;
    near.busy = 1;
    atomic_signal_fence(memory_order_seq_cst);
    for (unsigned i = 0; i < NEAR_ENTRIES; i++)
        near.e[i].ip = 0;
    near.gen = gen;
    atomic_signal_fence(memory_order_seq_cst);
    near.busy = 0;
    return near.e;
}

__attribute__((noinline)) int unwind_backtrace(void **buf, int max)
{
    uint64_t rip, rsp, rbp;
    if (!slots)
        return -1;
    /* our own state at one instruction: the address after the lea, rsp and rbp there */
    __asm__ volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
                     : "=r"(rip), "=r"(rsp), "=r"(rbp));
    uint64_t look = rip; /* the first frame is looked up at its address, others minus one */
    int n = 0;
    struct near_entry *tab = near_cache(), none = {0, {CFI_EMPTY, 0, 0}};
    while (n < max) {
        struct near_entry *e = tab ? near_entry(tab, look) : &none;
        struct cfi_rule r = likely(e->ip == look) ? e->rule : near_miss(tab, look);
        if (r.kind == CFI_END)
            break;
        if (r.kind != CFI_CFA_RSP && r.kind != CFI_CFA_RBP)
            return -1;
        uint64_t cfa = (r.kind == CFI_CFA_RSP ? rsp : rbp) + (uint64_t)(int64_t)r.cfa_offset;
        if (cfa <= rsp || cfa - rsp > UNWIND_MAX_FRAME)
            return -1;
        rip = *(const uint64_t *)(uintptr_t)(cfa - 8);
        if (r.rbp_slot)
            rbp = *(const uint64_t *)(uintptr_t)(cfa + (uint64_t)(int64_t)r.rbp_slot * 8);
        rsp = cfa;
        if (rip < UNWIND_MIN_RA)
            break;
        look = rip - 1;
        buf[n++] = (void *)(uintptr_t)rip;
    }
    return n;
}
