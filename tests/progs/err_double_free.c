/* Frees one 32-byte block twice, then keeps running. */
#include <stdio.h>
#include <stdlib.h>

#include "opaque.h"

__attribute__((noinline)) char *make_block(void)
{
    return malloc(32); /* MARK:make_block */
}

__attribute__((noinline)) void release_once(char *p)
{
    free(p); /* MARK:release_once */
}

__attribute__((noinline)) void release_twice(char *p)
{
    free(opaque(p)); /* MARK:release_twice */
}

int main(void)
{
    char *p = make_block();
    release_once(p);
    release_twice(p);
    printf("err_double_free: still running\n");
    return 0;
}
