/*
 * Finding the real allocator (see real.h). Owns the dlsym(RTLD_NEXT) lookups, their
 * fallbacks to glibc's public __libc_* twins, and the 64 KiB bootstrap arena: a 16-byte
 * aligned bump allocator whose blocks carry their size in the 16 bytes before them and
 * are never reused. Lookups run with the recursion guard and the in_dlsym flag set, so
 * dlsym's own calloc lands in the arena and nothing of it is recorded.
 *
 *   arena: [size|pad][block 0 ...][size|pad][block 1 ...]......[unused, zero]
 */
#include "config.h"

#include "shim/real.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim/shim.h"

/* Arena block header: the block's size, padded to keep blocks 16-byte aligned. */
#define ARENA_HDR 16

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

struct real_fns {
    void (*free)(void *);
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
    int (*dlclose)(void *);
    void (*exit)(int);
};

static struct real_fns fns;
static _Atomic int resolved;
static void *cxx_fns[CXX_LIMIT];
static unsigned char arena[REAL_ARENA_BYTES] __attribute__((aligned(16)));
static _Atomic size_t arena_used;

static const char *const cxx_names[CXX_LIMIT] = {
    "_Znwm",
    "_Znam",
    "_ZnwmRKSt9nothrow_t",
    "_ZnamRKSt9nothrow_t",
    "_ZnwmSt11align_val_t",
    "_ZnamSt11align_val_t",
    "_ZnwmSt11align_val_tRKSt9nothrow_t",
    "_ZnamSt11align_val_tRKSt9nothrow_t",
};

static void *next(const char *name, void *fallback)
{
    void *f = dlsym(RTLD_NEXT, name);
    return f ? f : fallback;
}

#define LOAD(field, name, fallback)                                                                \
    __atomic_store_n((void **)&fns.field, next(name, (void *)(fallback)), __ATOMIC_RELEASE)

void real_resolve(void)
{
    if (atomic_load_explicit(&resolved, memory_order_acquire) || shim_tls.in_dlsym)
        return;
    int saved = errno;
    shim_tls.in_dlsym++;
    shim_tls.guard++;
    LOAD(free, "free", __libc_free);
    LOAD(malloc, "malloc", __libc_malloc);
    LOAD(calloc, "calloc", __libc_calloc);
    LOAD(realloc, "realloc", __libc_realloc);
    LOAD(memalign, "memalign", __libc_memalign);
    LOAD(posix_memalign, "posix_memalign", NULL);
    LOAD(aligned_alloc, "aligned_alloc", NULL);
    LOAD(valloc, "valloc", NULL);
    LOAD(pvalloc, "pvalloc", NULL);
    LOAD(malloc_usable_size, "malloc_usable_size", NULL);
    LOAD(dlclose, "dlclose", NULL);
    LOAD(exit, "_exit", NULL);
    shim_tls.guard--;
    shim_tls.in_dlsym--;
    atomic_store_explicit(&resolved, 1, memory_order_release);
    errno = saved;
}

/* Load a function pointer, resolving on first use; NULL while resolving on this thread. */
#define FN(field)                                                                                  \
    (likely(__atomic_load_n((void **)&fns.field, __ATOMIC_ACQUIRE) != NULL)                        \
         ? fns.field                                                                               \
         : (real_resolve(), fns.field))

static void *arena_alloc(size_t align, size_t n)
{
    if (align < ARENA_HDR)
        align = ARENA_HDR;
    size_t used = atomic_load(&arena_used);
    for (;;) {
        size_t start = (used + ARENA_HDR + align - 1) & ~(align - 1);
        if (n > REAL_ARENA_BYTES || start > REAL_ARENA_BYTES - n) {
            errno = ENOMEM;
            return NULL;
        }
        size_t end = (start + n + ARENA_HDR - 1) & ~(size_t)(ARENA_HDR - 1);
        if (atomic_compare_exchange_weak(&arena_used, &used, end)) {
            memcpy(arena + start - ARENA_HDR, &n, sizeof(n));
            return arena + start;
        }
    }
}

int real_is_arena(const void *p)
{
    return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof(arena);
}

size_t real_arena_size(const void *p)
{
    size_t n;
    memcpy(&n, (const unsigned char *)p - ARENA_HDR, sizeof(n));
    return n;
}

void *real_arena_realloc(void *p, size_t n)
{
    void *q = real_malloc(n);
    if (q) {
        size_t old = real_arena_size(p);
        memcpy(q, p, old < n ? old : n);
    }
    return q;
}

void *real_malloc(size_t n)
{
    void *(*f)(size_t) = shim_tls.in_dlsym ? NULL : FN(malloc);
    return f ? f(n) : arena_alloc(16, n);
}

void *real_calloc(size_t nmemb, size_t size)
{
    void *(*f)(size_t, size_t) = shim_tls.in_dlsym ? NULL : FN(calloc);
    if (f)
        return f(nmemb, size);
    return arena_alloc(16, nmemb * size); /* overflow checked by the caller; arena is zero */
}

void *real_realloc(void *p, size_t n)
{
    void *(*f)(void *, size_t) = shim_tls.in_dlsym ? NULL : FN(realloc);
    if (f)
        return f(p, n);
    if (p && !real_is_arena(p)) {
        errno = ENOMEM; /* cannot move a real block before the real realloc is known */
        return NULL;
    }
    return p ? real_arena_realloc(p, n) : arena_alloc(16, n);
}

void real_free(void *p)
{
    void (*f)(void *) = FN(free);
    if (f && !real_is_arena(p))
        f(p);
}

int real_posix_memalign(void **out, size_t align, size_t n)
{
    int (*f)(void **, size_t, size_t) = shim_tls.in_dlsym ? NULL : FN(posix_memalign);
    if (f)
        return f(out, align, n);
    int saved = errno;
    void *p = real_memalign(align, n);
    errno = saved;
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *real_aligned_alloc(size_t align, size_t n)
{
    void *(*f)(size_t, size_t) = shim_tls.in_dlsym ? NULL : FN(aligned_alloc);
    return f ? f(align, n) : real_memalign(align, n);
}

void *real_memalign(size_t align, size_t n)
{
    void *(*f)(size_t, size_t) = shim_tls.in_dlsym ? NULL : FN(memalign);
    return f ? f(align, n) : arena_alloc(align, n);
}

void *real_valloc(size_t n)
{
    void *(*f)(size_t) = shim_tls.in_dlsym ? NULL : FN(valloc);
    return f ? f(n) : real_memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *real_pvalloc(size_t n)
{
    void *(*f)(size_t) = shim_tls.in_dlsym ? NULL : FN(pvalloc);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return f ? f(n) : real_memalign(page, (n + page - 1) & ~(page - 1));
}

size_t real_malloc_usable_size(void *p)
{
    size_t (*f)(void *) = FN(malloc_usable_size);
    return f ? f(p) : 0;
}

int real_dlclose(void *handle)
{
    int (*f)(void *) = FN(dlclose);
    return f ? f(handle) : -1;
}

void real_exit(int status)
{
    void (*f)(int) = FN(exit);
    if (f)
        f(status);
    for (;;)
        syscall(SYS_exit_group, status);
}

void *real_next(const char *name)
{
    int saved = errno;
    shim_tls.in_dlsym++;
    shim_tls.guard++;
    void *f = dlsym(RTLD_NEXT, name);
    shim_tls.guard--;
    shim_tls.in_dlsym--;
    errno = saved;
    return f;
}

void *real_cxx(enum real_cxx which)
{
    void *f = __atomic_load_n(&cxx_fns[which], __ATOMIC_ACQUIRE);
    if (likely(f != NULL))
        return f;
    shim_tls.guard++;
    f = dlsym(RTLD_NEXT, cxx_names[which]);
    if (!f) {
        void *h = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_NOLOAD);
        if (h)
            f = dlsym(h, cxx_names[which]);
    }
    shim_tls.guard--;
    __atomic_store_n(&cxx_fns[which], f, __ATOMIC_RELEASE);
    return f;
}
