/*
 * Which allocation stacks belong to the C runtime (runtime.h). Pure matching on a
 * symbolised stack: walk the innermost frames while they are inside the C library or the
 * dynamic loader; the block is the runtime's when the loader made it, or when one of
 * those frames is a libc function that keeps what it allocates for the rest of the
 * process (the same set glibc's __libc_freeres releases for valgrind). Then, which of
 * those the report sets apart, as valgrind's freeres at exit would; and which frame is
 * the program's own, below the allocator and the runtime libraries.
 */
#include "analyze/runtime.h"

#include <string.h>

#include "trace/objname.h"

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
    "__gconv_find_shlib",       /* iconv modules loaded (not the iconv_open result) */
    "__gconv_read_conf",        /* the iconv module database */
    "__gconv_load_cache",
    "__wcsmbs_load_conv",       /* the multibyte conversion of the locale */
    "__new_exitfn",             /* atexit handler blocks past the static ones */
    "__nss_database_get",       /* NSS configuration and modules */
    "__nss_module_load",
    "__nss_module_allocate",
    "__nss_action_allocate",
    "nss_database_check_reload_and_get",
    "getpwnam",                 /* the static result buffers of the getXXbyYY functions */
    "getpwuid",
    "getpwent",
    "getgrnam",
    "getgrgid",
    "getgrent",
    "getspnam",
    "gethostbyname",
    "gethostbyname2",
    "gethostbyaddr",
    "getservbyname",
    "getservbyport",
    "getprotobyname",
    "getprotobynumber",
    "getnetbyname",
    "getnetbyaddr",
    "getrpcbyname",
    "getrpcbynumber",
    "_dlerror_run",             /* the dlerror() message */
    "__add_to_environ",         /* setenv/putenv copies of the environment */
    "getmntent",                /* its static line buffer */
    "re_comp",                  /* the BSD regex of re_comp, and what re_exec adds */
    "re_exec",
};

/* libc's own dlopen (iconv and NSS modules, libgcc_s for unwinding): freeres closes what
 * it opened, so the loader's blocks for those objects go too. */
static const char *const libc_dlopen_functions[] = {"__libc_dlopen_mode"};

/* Loader functions whose allocations __libc_freeres() releases even while in use. */
static const char *const loader_freeres_functions[] = {
    "_dlfo_mappings_segment_allocate", /* _dl_find_object's tables */
    "_dl_exception_create",            /* the message dlerror() returns */
    "_dl_map_object_deps",             /* the dependency search list of a dlopen */
};

/* Functions that hand out memory for their caller: never where a leak "is". */
static const char *const allocator_functions[] = {
    "malloc", "calloc", "realloc", "reallocarray", "free", "memalign", "aligned_alloc",
    "posix_memalign", "valloc", "pvalloc", "strdup", "strndup", "__strdup", "__strndup",
};

/* Prefixes of the runtime libraries' file names, beyond libc and the loader. */
static const char *const runtime_libraries[] = {"libstdc++.so", "libgcc_s.so", "libm.so"};

static int in_list(const char *name, const char *const *list, size_t n, int prefix)
{
    for (size_t i = 0; i < n; i++) {
        if (prefix ? strncmp(name, list[i], strlen(list[i])) == 0 : strcmp(name, list[i]) == 0)
            return 1;
    }
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int runtime_owns(const struct analyze_stack *st)
{
    int loader = 0;
    for (size_t i = 0; i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        int in_loader = f->module && objname_is_loader(f->module);
        if (!f->module || (!in_loader && !objname_is_libc(f->module)))
            break;
        loader |= in_loader;
        if (!f->function)
            continue;
        /* once in the loader, the libc frames further out only called it (dlopen): they
         * count when libc itself opened the object */
        if (in_loader ? in_list(f->function, loader_freeres_functions,
                                COUNT(loader_freeres_functions), 0)
                      : loader ? in_list(f->function, libc_dlopen_functions,
                                         COUNT(libc_dlopen_functions), 0)
                               : in_list(f->function, runtime_functions,
                                         COUNT(runtime_functions), 0))
            return RUNTIME_FREERES;
    }
    return loader ? RUNTIME_LOADER : RUNTIME_NONE;
}

int runtime_sets_apart(int owner, unsigned leak_class, int died_of_signal)
{
    if (owner == RUNTIME_NONE || died_of_signal)
        return 0;
    if (owner == RUNTIME_FREERES)
        return 1;
    return leak_class == 0 || leak_class == LEAK_DEFINITE || leak_class == LEAK_INDIRECT;
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
    return objname_is_libc(module) || objname_is_loader(module) ||
           in_list(objname_base(module), runtime_libraries,
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
