/*
 * Which allocation stacks belong to the C runtime (runtime.h). Pure matching on a
 * symbolised stack: walk the innermost frames while they are inside the C library or the
 * dynamic loader; the block is the runtime's when the loader made it, or when one of
 * those frames is a libc function that keeps what it allocates for the rest of the
 * process (the same set glibc's __libc_freeres releases for valgrind). Also which frame
 * is the program's own, below the allocator and the runtime libraries.
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

/* Functions that hand out memory for their caller: never where a leak "is". */
static const char *const allocator_functions[] = {
    "malloc", "calloc", "realloc", "reallocarray", "free", "memalign", "aligned_alloc",
    "posix_memalign", "valloc", "pvalloc", "strdup", "strndup", "__strdup", "__strndup",
};

/* Prefixes of the runtime libraries' file names, beyond libc and the loader. */
static const char *const runtime_libraries[] = {"libstdc++.so", "libgcc_s.so", "libm.so"};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int in_list(const char *name, const char *const *list, size_t n, int prefix)
{
    for (size_t i = 0; i < n; i++) {
        if (prefix ? strncmp(name, list[i], strlen(list[i])) == 0 : strcmp(name, list[i]) == 0)
            return 1;
    }
    return 0;
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
    return in_list(name, runtime_functions,
                   sizeof(runtime_functions) / sizeof(runtime_functions[0]), 0);
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

static int is_allocator(const char *function)
{
    return strncmp(function, "operator new", 12) == 0 ||
           strncmp(function, "operator delete", 15) == 0 ||
           in_list(function, allocator_functions,
                   sizeof(allocator_functions) / sizeof(allocator_functions[0]), 0);
}

static int is_runtime_module(const char *module)
{
    return is_libc(module) || is_loader(module) ||
           in_list(base_name(module), runtime_libraries,
                   sizeof(runtime_libraries) / sizeof(runtime_libraries[0]), 1);
}

long runtime_own_frame(const struct analyze_stack *st)
{
    for (size_t i = 0; i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        if (f->function && !is_allocator(f->function) &&
            !(f->module && is_runtime_module(f->module)))
            return (long)i;
    }
    return -1;
}
