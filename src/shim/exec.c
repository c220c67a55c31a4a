/*
 * The exec family (see exec.h). Each wrapper only forwards: END and drain first
 * (shim_exec_begin), then the next definition of the same name. glibc's execl, execv and
 * execvp reach the kernel through internal calls, so each name is wrapped, not execve
 * alone. If the exec fails, recording simply goes on. The environment edit for
 * trace_children=0 happens once, in place, at start (it only shortens a string).
 */
#include "config.h"

#include "shim/exec.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "shim/real.h"
#include "shim/shim.h"

/* Characters that separate LD_PRELOAD entries (ld.so accepts both). */
#define PRELOAD_SEPARATORS ": "
/* Name of this library when dladdr cannot tell. */
#define SHIM_SONAME "libheapwise.so"

extern char **environ;

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
typedef int (*execveat_fn)(int, const char *, char *const[], char *const[], int);

static const char *base_of(const char *path, size_t len)
{
    const char *b = path;
    for (size_t i = 0; i < len; i++)
        if (path[i] == '/')
            b = path + i + 1;
    return b;
}

void exec_strip_preload(char *value, const char *self)
{
    const char *self_base = base_of(self, strlen(self));
    char *w = value;
    const char *r = value;
    for (;;) {
        r += strspn(r, PRELOAD_SEPARATORS);
        size_t len = strcspn(r, PRELOAD_SEPARATORS);
        if (len == 0)
            break;
        const char *b = base_of(r, len);
        size_t blen = len - (size_t)(b - r);
        if (blen != strlen(self_base) || memcmp(b, self_base, blen) != 0) {
            if (w != value)
                *w++ = ':';
            memmove(w, r, len);
            w += len;
        }
        r += len;
    }
    *w = '\0';
}

void exec_init(int trace_children)
{
    Dl_info info;
    if (trace_children || !environ)
        return;
    const char *self = dladdr((void *)exec_init, &info) && info.dli_fname ? info.dli_fname
                                                                          : SHIM_SONAME;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) == 0)
            exec_strip_preload(*e + 11, self);
}

/* The next definition of `name`, cached in *slot; NULL (errno ENOSYS) if there is none. */
static void *next(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!f && (f = real_next(name)))
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    if (!f)
        errno = ENOSYS;
    return f;
}

HW_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    static void *fn;
    execve_fn f = (execve_fn)next(&fn, "execve");
    if (!f)
        return -1;
    shim_exec_begin();
    return f(path, argv, envp);
}

HW_EXPORT int execv(const char *path, char *const argv[])
{
    static void *fn;
    execv_fn f = (execv_fn)next(&fn, "execv");
    if (!f)
        return -1;
    shim_exec_begin();
    return f(path, argv);
}

HW_EXPORT int execvp(const char *file, char *const argv[])
{
    static void *fn;
    execv_fn f = (execv_fn)next(&fn, "execvp");
    if (!f)
        return -1;
    shim_exec_begin();
    return f(file, argv);
}

HW_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    static void *fn;
    execve_fn f = (execve_fn)next(&fn, "execvpe");
    if (!f)
        return -1;
    shim_exec_begin();
    return f(file, argv, envp);
}

HW_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    static void *fn;
    fexecve_fn f = (fexecve_fn)next(&fn, "fexecve");
    if (!f)
        return -1;
    shim_exec_begin();
    return f(fd, argv, envp);
}

HW_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                       int flags)
{
    static void *fn;
    execveat_fn f = (execveat_fn)next(&fn, "execveat");
    if (!f)
        return -1;
    shim_exec_begin();
    return f(dirfd, path, argv, envp, flags);
}

/* Arguments of an execl-style call after `arg`, up to and including the NULL. */
static size_t count_args(const char *arg, va_list ap)
{
    size_t n = 1;
    while (arg && va_arg(ap, const char *))
        n++;
    return arg ? n + 1 : 1;
}

/* Fill argv[n] from arg and the variadic list (the NULL included); returns the list
 * positioned after the NULL (for execle's envp). */
static void gather(char **argv, size_t n, const char *arg, va_list ap)
{
    argv[0] = (char *)arg;
    for (size_t i = 1; i < n; i++)
        argv[i] = va_arg(ap, char *);
}

/* The argv of an execl-style call, in a VLA of the caller: count, then gather. */
#define EXECL_ARGV(argv, arg)                                                                      \
    va_list ap;                                                                                    \
    va_start(ap, arg);                                                                             \
    size_t n_ = count_args(arg, ap);                                                               \
    va_end(ap);                                                                                    \
    char *argv[n_];                                                                                \
    va_start(ap, arg);                                                                             \
    gather(argv, n_, arg, ap)

HW_EXPORT int execl(const char *path, const char *arg, ...)
{
    EXECL_ARGV(argv, arg);
    va_end(ap);
    return execve(path, argv, environ);
}

HW_EXPORT int execlp(const char *file, const char *arg, ...)
{
    EXECL_ARGV(argv, arg);
    va_end(ap);
    return execvp(file, argv);
}

HW_EXPORT int execle(const char *path, const char *arg, ...)
{
    EXECL_ARGV(argv, arg);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, argv, envp);
}
