/*
 * glibc ends a process whose threads all ended by themselves (pthread_exit in every
 * thread, main included) with exit(0) from the last one: it counts the threads it started
 * in __nptl_nthreads (GLIBC_PRIVATE). heapwise's writer thread must not count there, or
 * such a program would never end. Only the writer uses this; no malloc, no locks.
 */
#ifndef HEAPWISE_SHIM_THREADCOUNT_H
#define HEAPWISE_SHIM_THREADCOUNT_H

/*
 * Take the calling thread out of glibc's count of running threads, so that the last of
 * the program's threads to end still ends the process. Once out, the caller must never
 * return from its start routine (glibc would count it out a second time, and might start
 * a second exit). 1 when it was taken out; 0 when this libc keeps no such count.
 */
int threadcount_leave(void);

#endif
