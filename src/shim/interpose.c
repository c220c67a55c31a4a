/*
 * The exported C allocator names and dlclose. Each wrapper only forwards: it asks
 * alloc.c whether and how to record, gets the block from the guard (guard.c) or, with
 * the guard off, from the real function (real.c), and hands the result back, errno
 * included. Arena blocks from the bootstrap are recognised here and never reach the
 * guard or the real allocator.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim/alloc.h"
#include "shim/guard.h"
#include "shim/modules.h"
#include "shim/real.h"
#include "shim/record.h"
#include "shim/shim.h"
#include "shim/stack.h"

HW_EXPORT void *malloc(size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_MALLOC, n);
    void *p = guard_active() ? guard_alloc(&c, n, 0, 0) : real_malloc(n);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void *calloc(size_t nmemb, size_t size)
{
    struct alloc_call c;
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    alloc_enter(&c, KIND_MALLOC, n);
    void *p = guard_active() ? guard_alloc(&c, n, 0, 1) : real_calloc(nmemb, size);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void free(void *p)
{
    if (!p || real_is_arena(p))
        return;
    int saved = errno;
    guard_free(p, KIND_MALLOC);
    errno = saved;
}

HW_EXPORT void *realloc(void *p, size_t n)
{
    struct alloc_call c;
    if (p && !real_is_arena(p))
        return guard_realloc(p, n);
    alloc_enter(&c, KIND_MALLOC, n);
    void *q;
    if (!guard_active())
        q = p ? real_arena_realloc(p, n) : real_malloc(n);
    else if ((q = guard_alloc(&c, n, 0, 0)) && p) {
        size_t old = real_arena_size(p);
        memcpy(q, p, old < n ? old : n);
    }
    alloc_leave(&c, q, n);
    return q;
}

/*
 * glibc's reallocarray is an overflow check around realloc; doing the same here keeps a
 * program that links jemalloc or tcmalloc on its own allocator's realloc.
 */
HW_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n);
}

HW_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    struct alloc_call c;
    if (align == 0 || align % sizeof(void *) != 0 ||
        ((align / sizeof(void *)) & (align / sizeof(void *) - 1)) != 0)
        return EINVAL;
    alloc_enter(&c, KIND_ALIGNED, n);
    int rc;
    if (guard_active()) {
        int saved = errno;
        void *p = guard_alloc(&c, n, align, 0);
        rc = p ? 0 : ENOMEM;
        if (p)
            *out = p;
        errno = saved;
    } else {
        rc = real_posix_memalign(out, align, n);
    }
    alloc_leave(&c, rc == 0 ? *out : NULL, n);
    return rc;
}

/* glibc 2.36 reads aligned_alloc like memalign: any alignment, rounded to a power of two. */
HW_EXPORT void *aligned_alloc(size_t align, size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_ALIGNED, n);
    void *p = guard_active() ? guard_alloc(&c, n, align, 0) : real_aligned_alloc(align, n);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void *memalign(size_t align, size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_ALIGNED, n);
    void *p = guard_active() ? guard_alloc(&c, n, align, 0) : real_memalign(align, n);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void *valloc(size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_MALLOC, n);
    void *p = guard_active() ? guard_alloc(&c, n, (size_t)sysconf(_SC_PAGESIZE), 0)
                             : real_valloc(n);
    alloc_leave(&c, p, n);
    return p;
}

/* pvalloc: like glibc, the size rounded up to whole pages (what the program may use). */
HW_EXPORT void *pvalloc(size_t n)
{
    struct alloc_call c;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), rounded;
    if (__builtin_add_overflow(n, page - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(page - 1);
    alloc_enter(&c, KIND_MALLOC, rounded);
    void *p = guard_active() ? guard_alloc(&c, rounded, page, 0) : real_pvalloc(n);
    alloc_leave(&c, p, rounded);
    return p;
}

HW_EXPORT size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    if (real_is_arena(p))
        return real_arena_size(p);
    int saved = errno;
    size_t n = guard_usable_size(p);
    errno = saved;
    return n;
}

/*
 * Before an object goes away, make sure the trace holds a module map that contains it,
 * so stacks that point into it still symbolise; then tell libunwind its caches are stale.
 */
HW_EXPORT int dlclose(void *handle)
{
    if (shim_may_record())
        modules_emit_if_changed();
    int rc = real_dlclose(handle);
    if (atomic_load(&shim_phase) == SHIM_RECORDING) {
        int saved = errno;
        stack_flush_cache();
        errno = saved;
    }
    return rc;
}
