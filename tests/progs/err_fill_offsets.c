/*
 * One byte written into each of several freed blocks, at offsets in every part of the
 * fill check (whole 64-byte strides, the stride overlapping the last one, whole words, the
 * last bytes), then enough churn to push them all out of a small quarantine
 * (HEAPWISE_OPTIONS=quarantine_size=65536 in the test): each write is reported with its
 * block's size and offset, in the order of the frees; the untouched blocks are not. Each
 * block is allocated at a call depth of its own, so that the report keeps the errors apart.
 */
#include <stdio.h>
#include <stdlib.h>

#include "opaque.h"

static const struct {
    size_t size, offset;
} cases[] = {
    {1, 0},     {13, 12},  {64, 63},     {100, 70},    {100, 99},
    {200, 130}, {4000, 0}, {4000, 3999}, {4096, 2048},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static char *alloc_at_depth(size_t size, size_t depth)
{
    return depth ? alloc_at_depth(size, depth - 1) : malloc(size);
}

int main(void)
{
    char *p[NCASES];
    for (size_t i = 0; i < NCASES; i++)
        p[i] = alloc_at_depth(cases[i].size, i);
    for (size_t i = 0; i < NCASES; i++) {
        free(p[i]);
        free(opaque(malloc(cases[i].size))); /* an untouched freed block between them */
    }
    for (size_t i = 0; i < NCASES; i++)
        ((char *)opaque(p[i]))[cases[i].offset] = 'X';
    for (int i = 0; i < 2000; i++)
        free(opaque(malloc(100)));
    printf("err_fill_offsets: still running\n");
    return 0;
}
