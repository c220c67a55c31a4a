/* A write just before a block (its size word), one just past another's end, and one past
 * the end of a block that is never freed (found at exit). */
#include <stdio.h>
#include <stdlib.h>

#include "opaque.h"

__attribute__((noinline)) char *alloc_under(void)
{
    return malloc(100); /* MARK:alloc_under */
}

__attribute__((noinline)) char *alloc_over(void)
{
    return malloc(100); /* MARK:alloc_over */
}

__attribute__((noinline)) char *alloc_kept(void)
{
    return malloc(10); /* MARK:alloc_kept */
}

int main(void)
{
    char *under = alloc_under();
    ((char *)opaque(under))[-1] = 'A';
    free(under); /* MARK:free_under */
    char *over = alloc_over();
    ((char *)opaque(over))[100] = 'B';
    free(over); /* MARK:free_over */
    char *kept = alloc_kept();
    ((char *)opaque(kept))[10] = 'C';
    printf("err_corrupt: still running\n");
    return 0;
}
