/*
 * Functions with known source lines for the symbolizer test. Each records the return
 * address of a call it makes (as a stack capture would) and the line of that call.
 */
#ifndef HEAPWISE_TESTS_SYMTARGET_H
#define HEAPWISE_TESTS_SYMTARGET_H

#include <stdint.h>

/* A plain function: its call at symtarget_plain_line returns to symtarget_plain_ret. */
extern uint64_t symtarget_plain_ret;
extern int symtarget_plain_line;
int symtarget_plain(int x);

/*
 * symtarget_outer() calls the always_inline symtarget_inner() at symtarget_outer_line;
 * inside it, the call at symtarget_inner_line returns to symtarget_inner_ret.
 */
extern uint64_t symtarget_inner_ret;
extern int symtarget_inner_line, symtarget_outer_line;
int symtarget_outer(int x);

#endif
