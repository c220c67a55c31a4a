/*
 * The pool annotations of include/heapwise.h (heapwise_pool_create, _alloc, _free,
 * _destroy): each call is recorded as made, with the caller's stack, for the analyzer to
 * judge. The shim keeps no pool state beyond the table of live pools a forked child
 * announces again (pooltab.h).
 */
#ifndef HEAPWISE_SHIM_POOL_H
#define HEAPWISE_SHIM_POOL_H

/*
 * In a forked child whose trace has just begun (one thread, stacks republished): push an
 * inherited POOL_CREATE for every pool the parent had live.
 */
void pool_record_inherited(void);

#endif
