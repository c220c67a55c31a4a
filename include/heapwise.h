/*
 * heapwise public API. The only installed header. Every function is declared weak, so a
 * program that calls them links and runs without heapwise: test the address first.
 *
 *     if (heapwise_active && heapwise_active())
 *         ...
 *
 * The pool annotations need no test: they are macros that call the function when
 * heapwise is loaded and do nothing otherwise. Safe to include from C and C++.
 */
#ifndef HEAPWISE_H
#define HEAPWISE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HEAPWISE_VERSION_MAJOR 0
#define HEAPWISE_VERSION_MINOR 1

/*
 * 1 when libheapwise.so is loaded into this process and recording, 0 when it is loaded
 * but not recording (disabled, or its trace file could not be opened). The symbol itself
 * is NULL when heapwise is not loaded.
 */
int heapwise_active(void) __attribute__((weak));

/*
 * Run the leak scan now, from the calling thread, as heapwise runs it at exit: the other
 * threads are stopped briefly (signal SIGRTMIN+7), the live blocks are marked from the
 * roots (this thread's stack from the caller of heapwise_leak_check up, with the caller's
 * callee-saved registers; the other threads' registers, stacks and TLS; the writable data
 * of every loaded object), and their classes go to the trace as a leak scan (the report
 * shows the last one). Returns the definitely lost bytes: the sum of the sizes asked for
 * of the blocks nothing points to, not even from another lost block. Returns 0 when
 * heapwise is loaded but not recording, or its guard or leak_scan option is off (or the
 * scan failed: a line on stderr says why). One scan at a time: a call made while another
 * thread's call is scanning waits for it (up to 10 s, then returns 0), and a call made
 * once the process has begun its exit returns 0. The symbol is NULL when heapwise is not
 * loaded:
 *
 *     if (heapwise_leak_check)
 *         lost = heapwise_leak_check();
 */
size_t heapwise_leak_check(void) __attribute__((weak));

/*
 * Mark this moment: returns a mark (1, 2, ...) for heapwise_leaks_since. Blocks allocated
 * (or reallocated) after the call belong to the mark; those allocated before do not.
 * Returns 0 when heapwise is loaded but not recording, or its guard or leak_scan option is
 * off. The symbol is NULL when heapwise is not loaded.
 */
unsigned long heapwise_checkpoint(void) __attribute__((weak));

/*
 * heapwise_leak_check, counting only the definitely lost blocks allocated since `mark`
 * (a value heapwise_checkpoint returned; 0 counts every block, as heapwise_leak_check).
 * Made for test fixtures: checkpoint in the setup, assert 0 in the teardown:
 *
 *     static unsigned long mark;
 *     void setup(void)    { mark = heapwise_checkpoint ? heapwise_checkpoint() : 0; }
 *     void teardown(void) { if (heapwise_leaks_since) assert(heapwise_leaks_since(mark) == 0); }
 */
size_t heapwise_leaks_since(unsigned long mark) __attribute__((weak));

/*
 * Pool annotations, in the spirit of Valgrind's mempool client requests, for a program's
 * own allocator (a partition pool carving fixed-size blocks from one big malloc, a slab
 * cache, an arena): heapwise then traces its blocks like malloc's, with their stacks,
 * reports a block never given back as a leak under the pool's name, and reports double
 * and foreign frees into the pool, allocations over a block still allocated, and calls
 * naming no live pool as heap errors. `pool` is any non-NULL address naming the pool
 * (usually its control structure); blocks of a pool may live inside a malloc'ed block
 * (the pool's superblock). See heapwise(3).
 *
 *     heapwise_pool_create(pool, name)     a pool exists from now on (name may be NULL)
 *     heapwise_pool_alloc(pool, ptr, size) after taking a block of size bytes at ptr out
 *     heapwise_pool_free(pool, ptr)        before putting the block at ptr back
 *     heapwise_pool_destroy(pool)          the pool and every block it still holds are gone
 *
 * Each is a macro that evaluates its arguments once and calls the weak function below
 * when heapwise is loaded, or a no-op when it is not, so a program runs unchanged without
 * heapwise. (heapwise_pool_alloc)(...) in parentheses calls the weak function itself.
 */
void heapwise_pool_create(void *pool, const char *name) __attribute__((weak));
void heapwise_pool_alloc(void *pool, void *ptr, size_t size) __attribute__((weak));
void heapwise_pool_free(void *pool, void *ptr) __attribute__((weak));
void heapwise_pool_destroy(void *pool) __attribute__((weak));

/* The no-ops the macros call without heapwise. */
static inline void heapwise_noop_pool_create(void *pool, const char *name)
{
    (void)pool;
    (void)name;
}
static inline void heapwise_noop_pool_alloc(void *pool, void *ptr, size_t size)
{
    (void)pool;
    (void)ptr;
    (void)size;
}
static inline void heapwise_noop_pool_free(void *pool, void *ptr)
{
    (void)pool;
    (void)ptr;
}
static inline void heapwise_noop_pool_destroy(void *pool)
{
    (void)pool;
}

#define heapwise_pool_create(pool, name)                                                        \
    ((heapwise_pool_create ? heapwise_pool_create : heapwise_noop_pool_create)(pool, name))
#define heapwise_pool_alloc(pool, ptr, size)                                                    \
    ((heapwise_pool_alloc ? heapwise_pool_alloc : heapwise_noop_pool_alloc)(pool, ptr, size))
#define heapwise_pool_free(pool, ptr)                                                           \
    ((heapwise_pool_free ? heapwise_pool_free : heapwise_noop_pool_free)(pool, ptr))
#define heapwise_pool_destroy(pool)                                                             \
    ((heapwise_pool_destroy ? heapwise_pool_destroy : heapwise_noop_pool_destroy)(pool))

#ifdef __cplusplus
}
#endif

#endif
