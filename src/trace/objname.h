/*
 * Names of files and shared objects, shared by the shim and the analyzer so that both
 * tell the C library and the dynamic loader the same way (the shim's own leak counts
 * must set apart what the report sets apart). Header-only, no allocation.
 */
#ifndef HEAPWISE_TRACE_OBJNAME_H
#define HEAPWISE_TRACE_OBJNAME_H

#include <string.h>

/* The last component of path (path itself without a slash). */
static inline const char *objname_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* 1 when path names the C library (libc.so.*). */
static inline int objname_is_libc(const char *path)
{
    return strncmp(objname_base(path), "libc.so", 7) == 0;
}

/* 1 when path names the dynamic loader (ld-linux*, ld64.so*). */
static inline int objname_is_loader(const char *path)
{
    const char *base = objname_base(path);
    return strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld64.so", 7) == 0;
}

#endif
