/*
 * Which allocation stacks belong to the C runtime (runtime.h). Pure matching on a
 * symbolised stack: walk the innermost frames while they are inside the C library or the
 * dynamic loader; the block is the runtime's when the loader made it, or when one of
 * those frames is a libc function that keeps what it allocates for the rest of the
 * process (the same set glibc's __libc_freeres releases for valgrind).
 */
#include "analyze/runtime.h"

#include <string.h>

/* libc functions whose own allocations live until __libc_freeres(). */
static const char *const runtime_functions[] = {
    "_IO_file_doallocate",      /* the buffer of a stdio stream */
    "setlocale",                /* locale names */
    "_nl_find_locale",          /* locale data loaded by setlocale and newlocale */
    "bindtextdomain",           /* message catalog bindings */
    "textdomain",
    "bind_textdomain_codeset",
    "__dcigettext",             /* loaded message catalogs */
    "tzset_internal",           /* time zone data */
    "__tzfile_read",
    "__gconv_open",             /* iconv conversion modules */
    "__gconv_find_transform",
    "__wcsmbs_load_conv",       /* the multibyte conversion of the locale */
    "__new_exitfn",             /* atexit handler blocks past the static ones */
    "__nss_database_get",       /* NSS configuration and modules */
    "__nss_module_load",
    "__add_to_environ",         /* setenv/putenv copies of the environment */
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int is_loader(const char *module)
{
    const char *base = base_name(module);
    return strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld64.so", 7) == 0;
}

static int is_libc(const char *module)
{
    return strncmp(base_name(module), "libc.so", 7) == 0;
}

static int is_runtime_function(const char *name)
{
    for (size_t i = 0; i < sizeof(runtime_functions) / sizeof(runtime_functions[0]); i++) {
        if (strcmp(name, runtime_functions[i]) == 0)
            return 1;
    }
    return 0;
}

int runtime_owns(const struct analyze_stack *st)
{
    for (size_t i = 0; i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        if (!f->module)
            return 0;
        if (is_loader(f->module))
            return 1;
        if (!is_libc(f->module))
            return 0;
        if (f->function && is_runtime_function(f->function))
            return 1;
    }
    return 0;
}
