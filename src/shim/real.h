/*
 * The real allocator: the next definitions of the interposed names, found lazily with
 * dlsym(RTLD_NEXT) so that a program linking jemalloc or tcmalloc keeps using it, and the
 * static bootstrap arena that serves allocations made by dlsym itself while it runs.
 * Callers need not care which one answers, except that arena blocks are never freed.
 */
#ifndef HEAPWISE_SHIM_REAL_H
#define HEAPWISE_SHIM_REAL_H

#include <stddef.h>

/* Bytes of the bootstrap arena. */
#define REAL_ARENA_BYTES (64 * 1024)

/* The libstdc++ operators new, in the order of real_cxx_names. */
enum real_cxx {
    CXX_NEW,                  /* _Znwm */
    CXX_NEW_ARRAY,            /* _Znam */
    CXX_NEW_NOTHROW,          /* _ZnwmRKSt9nothrow_t */
    CXX_NEW_ARRAY_NOTHROW,    /* _ZnamRKSt9nothrow_t */
    CXX_NEW_AL,               /* _ZnwmSt11align_val_t */
    CXX_NEW_ARRAY_AL,         /* _ZnamSt11align_val_t */
    CXX_NEW_AL_NOTHROW,       /* _ZnwmSt11align_val_tRKSt9nothrow_t */
    CXX_NEW_ARRAY_AL_NOTHROW, /* _ZnamSt11align_val_tRKSt9nothrow_t */
    CXX_LIMIT
};

/* Resolve every C function now (idempotent; the constructor calls it early). */
void real_resolve(void);

/* The real functions. During dlsym on this thread they serve from the arena. */
void *real_malloc(size_t n);
void *real_calloc(size_t nmemb, size_t size);
void *real_realloc(void *p, size_t n);
void real_free(void *p);
int real_posix_memalign(void **out, size_t align, size_t n);
void *real_aligned_alloc(size_t align, size_t n);
void *real_memalign(size_t align, size_t n);
void *real_valloc(size_t n);
void *real_pvalloc(size_t n);
size_t real_malloc_usable_size(void *p);
int real_dlclose(void *handle);
void real_exit(int status) __attribute__((noreturn));

/*
 * The next definition of operator new `which`, resolved on first use (RTLD_NEXT, then
 * libstdc++.so.6 if already loaded). NULL when none can be found.
 */
void *real_cxx(enum real_cxx which);

/*
 * The next definition of any other interposed function `name` (dlsym RTLD_NEXT, with
 * dlsym's own allocations served from the arena); NULL when there is none.
 */
void *real_next(const char *name);

/* 1 when p lies in the bootstrap arena (such blocks are never released). */
int real_is_arena(const void *p);

/* Usable bytes of an arena block. */
size_t real_arena_size(const void *p);

/* A real-allocator copy of arena block p resized to n (realloc semantics for n > 0). */
void *real_arena_realloc(void *p, size_t n);

#endif
