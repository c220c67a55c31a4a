/*
 * Which allocation stacks belong to the C runtime (runtime.h). Pure matching on a
 * symbolised stack: the innermost frame's module or function name.
 */
#include "analyze/runtime.h"

#include <string.h>

/* Functions of glibc whose allocations live until __libc_freeres(). */
static const char *const runtime_functions[] = {
    "_IO_file_doallocate", /* the buffer of a stdio stream */
};

static int is_loader(const char *module)
{
    if (!module)
        return 0;
    const char *base = strrchr(module, '/');
    base = base ? base + 1 : module;
    return strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld64.so", 7) == 0;
}

int runtime_owns(const struct analyze_stack *st)
{
    if (st->nframes == 0)
        return 0;
    const struct analyze_frame *top = &st->frames[0];
    if (is_loader(top->module))
        return 1;
    for (size_t i = 0; i < sizeof(runtime_functions) / sizeof(runtime_functions[0]); i++) {
        if (top->function && strcmp(top->function, runtime_functions[i]) == 0)
            return 1;
    }
    return 0;
}
