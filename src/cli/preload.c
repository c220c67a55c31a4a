/*
 * Whether LD_PRELOAD can reach a program (preload.h): the loader never runs for a
 * statically linked executable (no PT_INTERP, no PT_DYNAMIC), and it ignores LD_PRELOAD
 * in a secure-execution process (set-user-ID or set-group-ID to someone else, or file
 * capabilities). Reads the file's ELF header and program headers and its mode; prints
 * nothing. Anything it cannot read or that is not ELF (a script, say) is left to exec.
 */
#include "cli/preload.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Program headers read at most: more than any real executable has. */
#define PRELOAD_PHDR_MAX 128

/* The program header types found in an ELF file's table (64- or 32-bit). */
struct phdr_types {
    int interp;  /* PT_INTERP: the loader is named */
    int dynamic; /* PT_DYNAMIC: dynamically linked */
};

static int read_at(int fd, void *dst, size_t n, off_t off)
{
    return pread(fd, dst, n, off) == (ssize_t)n ? 0 : -1;
}

/* Scan the program header table; -1 when it cannot be read. */
static int scan_phdrs(int fd, const unsigned char *ident, struct phdr_types *t)
{
    uint64_t off;
    unsigned num, size;
    if (ident[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr e;
        if (read_at(fd, &e, sizeof(e), 0) < 0)
            return -1;
        off = e.e_phoff, num = e.e_phnum, size = e.e_phentsize;
    } else {
        Elf32_Ehdr e;
        if (read_at(fd, &e, sizeof(e), 0) < 0)
            return -1;
        off = e.e_phoff, num = e.e_phnum, size = e.e_phentsize;
    }
    if (num > PRELOAD_PHDR_MAX || size < sizeof(uint32_t))
        return -1;
    for (unsigned i = 0; i < num; i++) {
        uint32_t type; /* p_type is the first word of both layouts */
        if (read_at(fd, &type, sizeof(type), (off_t)(off + (uint64_t)i * size)) < 0)
            return -1;
        t->interp |= type == PT_INTERP;
        t->dynamic |= type == PT_DYNAMIC;
    }
    return 0;
}

/* 1 when path is a native-endian ELF file without a loader and without a dynamic section. */
static int is_static_elf(const char *path)
{
    unsigned char ident[EI_NIDENT];
    struct phdr_types t = {0, 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int elf = read_at(fd, ident, sizeof(ident), 0) == 0 && memcmp(ident, ELFMAG, SELFMAG) == 0 &&
              (ident[EI_CLASS] == ELFCLASS64 || ident[EI_CLASS] == ELFCLASS32);
    int ok = elf && scan_phdrs(fd, ident, &t) == 0;
    close(fd);
    return ok && !t.interp && !t.dynamic;
}

/* 1 when executing path would change our effective user or group (AT_SECURE). */
static int is_secure_exec(const char *path, const struct stat *st)
{
    struct statvfs fs;
    if (statvfs(path, &fs) == 0 && (fs.f_flag & ST_NOSUID))
        return 0;
    if ((st->st_mode & S_ISUID) && st->st_uid != geteuid())
        return 1;
    if ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP) && st->st_gid != getegid())
        return 1;
    return getxattr(path, "security.capability", NULL, 0) > 0;
}

const char *preload_refusal(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    if (is_secure_exec(path, &st))
        return "set-user-ID, set-group-ID or file capabilities: the loader would ignore "
               "LD_PRELOAD and nothing would be traced; not run";
    if (is_static_elf(path))
        return "statically linked: LD_PRELOAD cannot reach its allocator and nothing would "
               "be traced; not run";
    return NULL;
}
