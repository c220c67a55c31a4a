/*
 * The exported libstdc++ operator new and delete names, written in C. A new wrapper
 * captures the stack, leaves the kind in thread-local state and calls the real operator,
 * whose nested malloc/aligned_alloc then records the block with that kind; new_handler,
 * std::bad_alloc and nothrow behaviour stay libstdc++'s. The state is cleared by a
 * cleanup that also runs when the real operator throws (this file is built with
 * -fexceptions). A delete wrapper hands the block to the guard with its kind.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "shim/alloc.h"
#include "shim/guard.h"
#include "shim/log.h"
#include "shim/real.h"
#include "shim/record.h"
#include "shim/shim.h"
#include "shim/stack.h"
#include "shim/stopworld.h"

/* Alignment glibc's malloc guarantees; aligned new may round the size up to it. */
#define MALLOC_ALIGN 16

/* Begin the outermost new wrapper: 1 if this call owns the pending state. */
static int new_enter(unsigned kind, size_t n, size_t align)
{
    struct shim_thread *t = &shim_tls;
    if (t->in_new || !shim_may_record())
        return 0;
    t->in_new = 1;
    t->new_recorded = 0;
    t->pending_stack = stack_capture();
    t->pending_size = n;
    t->pending_lo = n ? n : 1;
    size_t slack = align > 1 ? (align > MALLOC_ALIGN ? align : MALLOC_ALIGN) - 1 : 0;
    t->pending_hi = t->pending_lo + slack;
    t->pending_kind = (uint16_t)kind;
    return 1;
}

/* The real operator returned p: record it ourselves if no nested allocation did. */
static void new_leave(int owner, unsigned kind, const void *p, size_t n)
{
    struct shim_thread *t = &shim_tls;
    if (!owner || !p || t->new_recorded == (uintptr_t)p)
        return;
    int saved = errno;
    stopworld_enter();
    record_alloc(kind, p, n, t->pending_stack);
    stopworld_leave();
    errno = saved;
}

/* Cleanup of every new wrapper, on return and on unwinding alike. */
static void new_clear(int *owner)
{
    if (*owner) {
        shim_tls.pending_kind = PENDING_NONE;
        shim_tls.in_new = 0;
    }
}

static void *missing(const char *name)
{
    log_line("no next definition of ", name, " to forward to; aborting", NULL);
    abort(); /* no libstdc++ operator to forward to: cannot honour C++ semantics */
}

typedef void *(*new_fn)(size_t);
typedef void *(*new_nt_fn)(size_t, const void *);
typedef void *(*new_al_fn)(size_t, size_t);
typedef void *(*new_al_nt_fn)(size_t, size_t, const void *);

#define NEW_BODY(kind, which, type, ...)                                                           \
    int owner __attribute__((cleanup(new_clear))) = new_enter(kind, n, ALIGN);                     \
    type f = (type)real_cxx(which);                                                                \
    void *p = f ? f(__VA_ARGS__) : missing(#which);                                                \
    guard_note_new(p);                                                                             \
    new_leave(owner, kind, p, n);                                                                  \
    return p

#define ALIGN 1
HW_EXPORT void *_Znwm(size_t n)
{
    NEW_BODY(KIND_NEW, CXX_NEW, new_fn, n);
}

HW_EXPORT void *_Znam(size_t n)
{
    NEW_BODY(KIND_NEW_ARRAY, CXX_NEW_ARRAY, new_fn, n);
}

HW_EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, const void *nt)
{
    NEW_BODY(KIND_NEW, CXX_NEW_NOTHROW, new_nt_fn, n, nt);
}

HW_EXPORT void *_ZnamRKSt9nothrow_t(size_t n, const void *nt)
{
    NEW_BODY(KIND_NEW_ARRAY, CXX_NEW_ARRAY_NOTHROW, new_nt_fn, n, nt);
}
#undef ALIGN

#define ALIGN al
HW_EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t al)
{
    NEW_BODY(KIND_NEW_ALIGNED, CXX_NEW_AL, new_al_fn, n, al);
}

HW_EXPORT void *_ZnamSt11align_val_t(size_t n, size_t al)
{
    NEW_BODY(KIND_NEW_ARRAY_ALIGNED, CXX_NEW_ARRAY_AL, new_al_fn, n, al);
}

HW_EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
    NEW_BODY(KIND_NEW_ALIGNED, CXX_NEW_AL_NOTHROW, new_al_nt_fn, n, al, nt);
}

HW_EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
    NEW_BODY(KIND_NEW_ARRAY_ALIGNED, CXX_NEW_ARRAY_AL_NOTHROW, new_al_nt_fn, n, al, nt);
}
#undef ALIGN

/* Every delete: the guard's checks and release with the delete's kind (guard.c). */
static void delete_common(void *p, unsigned kind)
{
    if (!p || real_is_arena(p))
        return;
    int saved = errno;
    guard_free(p, kind);
    errno = saved;
}

HW_EXPORT void _ZdlPv(void *p)
{
    delete_common(p, KIND_NEW);
}
HW_EXPORT void _ZdaPv(void *p)
{
    delete_common(p, KIND_NEW_ARRAY);
}
HW_EXPORT void _ZdlPvm(void *p, size_t n)
{
    (void)n;
    delete_common(p, KIND_NEW);
}
HW_EXPORT void _ZdaPvm(void *p, size_t n)
{
    (void)n;
    delete_common(p, KIND_NEW_ARRAY);
}
HW_EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const void *nt)
{
    (void)nt;
    delete_common(p, KIND_NEW);
}
HW_EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const void *nt)
{
    (void)nt;
    delete_common(p, KIND_NEW_ARRAY);
}
HW_EXPORT void _ZdlPvSt11align_val_t(void *p, size_t al)
{
    (void)al;
    delete_common(p, KIND_NEW_ALIGNED);
}
HW_EXPORT void _ZdaPvSt11align_val_t(void *p, size_t al)
{
    (void)al;
    delete_common(p, KIND_NEW_ARRAY_ALIGNED);
}
HW_EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t al)
{
    (void)n, (void)al;
    delete_common(p, KIND_NEW_ALIGNED);
}
HW_EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t al)
{
    (void)n, (void)al;
    delete_common(p, KIND_NEW_ARRAY_ALIGNED);
}
HW_EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt)
{
    (void)al, (void)nt;
    delete_common(p, KIND_NEW_ALIGNED);
}
HW_EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt)
{
    (void)al, (void)nt;
    delete_common(p, KIND_NEW_ARRAY_ALIGNED);
}
