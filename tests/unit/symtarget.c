/*
 * Symbolizer test target (symtarget.h): calls whose return addresses and lines are known.
 * A call followed by an empty volatile asm is never a tail call, so its return address
 * lies inside the calling function, on the line of the call.
 */
#include "symtarget.h"

uint64_t symtarget_plain_ret, symtarget_inner_ret;
int symtarget_plain_line, symtarget_inner_line, symtarget_outer_line;

/* Record the caller's return address; never inlined, so the call really happens. */
__attribute__((noinline)) static void capture(uint64_t *slot)
{
    *slot = (uint64_t)(uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
    __asm__ volatile("" ::: "memory");
}

/* Call capture(slot) and store the line of the call in line. */
#define CAPTURE_HERE(slot, line) ((line) = __LINE__, capture(&(slot)))

__attribute__((noinline)) int symtarget_plain(int x)
{
    CAPTURE_HERE(symtarget_plain_ret, symtarget_plain_line);
    __asm__ volatile("" ::: "memory");
    return x + 1;
}

static inline __attribute__((always_inline)) int symtarget_inner(int x)
{
    CAPTURE_HERE(symtarget_inner_ret, symtarget_inner_line);
    __asm__ volatile("" ::: "memory");
    return x * 2;
}

__attribute__((noinline)) int symtarget_outer(int x)
{
    int y = (symtarget_outer_line = __LINE__, symtarget_inner(x));
    __asm__ volatile("" ::: "memory");
    return y + 1;
}
