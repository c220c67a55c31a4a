/*
 * The exported C allocator names and dlclose. Each wrapper only forwards: it asks
 * alloc.c whether and how to record, calls the real function (real.c) and hands the
 * result back untouched, errno included. Arena blocks from the bootstrap are recognised
 * here and never reach the real allocator.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim/alloc.h"
#include "shim/modules.h"
#include "shim/real.h"
#include "shim/record.h"
#include "shim/shim.h"
#include "shim/stack.h"

HW_EXPORT void *malloc(size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_MALLOC, n);
    void *p = real_malloc(n);
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
    void *p = real_calloc(nmemb, size);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void free(void *p)
{
    if (!p || real_is_arena(p))
        return;
    int saved = errno;
    alloc_free(KIND_MALLOC, p);
    real_free(p);
    errno = saved;
}

/* realloc(p, 0) on a non-arena p: a FREE, then whatever the real allocator does. */
static void *realloc_zero(void *p)
{
    alloc_free(KIND_MALLOC, p);
    struct alloc_call c;
    alloc_enter(&c, KIND_MALLOC, 0);
    void *q = real_realloc(p, 0);
    alloc_leave(&c, q, 0); /* allocators that return a fresh block for size 0 */
    return q;
}

HW_EXPORT void *realloc(void *p, size_t n)
{
    struct alloc_call c;
    if (!p || real_is_arena(p)) {
        alloc_enter(&c, KIND_MALLOC, n);
        void *q = p ? real_arena_realloc(p, n) : real_malloc(n);
        alloc_leave(&c, q, n);
        return q;
    }
    if (n == 0)
        return realloc_zero(p);
    struct trace_rec_realloc *r = NULL;
    if (shim_alloc_may_record())
        r = record_realloc_begin(p, n, stack_capture());
    void *q = real_realloc(p, n);
    if (r) {
        int saved = errno;
        record_realloc_end(r, q);
        errno = saved;
    }
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
    int rc = real_posix_memalign(out, align, n);
    alloc_leave(&c, rc == 0 ? *out : NULL, n);
    return rc;
}

HW_EXPORT void *aligned_alloc(size_t align, size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_ALIGNED, n);
    void *p = real_aligned_alloc(align, n);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void *memalign(size_t align, size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_ALIGNED, n);
    void *p = real_memalign(align, n);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void *valloc(size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_MALLOC, n);
    void *p = real_valloc(n);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT void *pvalloc(size_t n)
{
    struct alloc_call c;
    alloc_enter(&c, KIND_MALLOC, n);
    void *p = real_pvalloc(n);
    alloc_leave(&c, p, n);
    return p;
}

HW_EXPORT size_t malloc_usable_size(void *p)
{
    if (p && real_is_arena(p))
        return real_arena_size(p);
    return real_malloc_usable_size(p);
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
