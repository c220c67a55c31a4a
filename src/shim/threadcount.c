/*
 * The writer thread's way out of glibc's thread count (see threadcount.h). pthread_create
 * adds one to __nptl_nthreads before the thread runs; start_thread and a main thread's
 * pthread_exit take one away and call exit(0) when that leaves 0. The writer takes its own
 * one away as it starts, so the count is again the program's threads alone.
 */
#include "config.h"

#include "shim/threadcount.h"

#include <dlfcn.h>
#include <stddef.h>

int threadcount_leave(void)
{
    unsigned int *count = dlvsym(RTLD_DEFAULT, "__nptl_nthreads", "GLIBC_PRIVATE");
    if (!count)
        return 0;
    __atomic_fetch_sub(count, 1, __ATOMIC_SEQ_CST);
    return 1;
}
