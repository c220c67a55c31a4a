/*
 * Whether LD_PRELOAD can reach a program (preload.h): the loader never runs for a
 * statically linked executable (no PT_INTERP; no PT_DYNAMIC, or a static-PIE one whose
 * dynamic section says DF_1_PIE), and it ignores LD_PRELOAD
 * in a secure-execution process (set-user-ID or set-group-ID to someone else, or file
 * capabilities). Reads the file's ELF header and program headers and its mode; prints
 * nothing. Anything it cannot read or that is not ELF (a script, say) is left to exec.
 */
#include "cli/preload.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Program headers read at most: more than any real executable has. */
#define PRELOAD_PHDR_MAX 128
/* Dynamic section entries read at most. */
#define PRELOAD_DYN_MAX 1024

/* What an ELF file's program headers and dynamic section say about its loading. */
struct elf_facts {
    int interp;       /* PT_INTERP: the loader is named */
    int dynamic;      /* PT_DYNAMIC: has a dynamic section */
    int pie;          /* DF_1_PIE in DT_FLAGS_1: an executable, not a library */
    uint64_t dyn_off; /* the dynamic section's file offset and size */
    uint64_t dyn_size;
};

static int read_at(int fd, void *dst, size_t n, off_t off)
{
    return pread(fd, dst, n, off) == (ssize_t)n ? 0 : -1;
}

/* One program header of either class, widened; -1 when it cannot be read. */
static int read_phdr(int fd, int is64, uint64_t off, Elf64_Phdr *ph)
{
    if (is64)
        return read_at(fd, ph, sizeof(*ph), (off_t)off);
    Elf32_Phdr p;
    if (read_at(fd, &p, sizeof(p), (off_t)off) < 0)
        return -1;
    ph->p_type = p.p_type, ph->p_offset = p.p_offset, ph->p_filesz = p.p_filesz;
    return 0;
}

/* Scan the program header table; -1 when it cannot be read. */
static int scan_phdrs(int fd, int is64, struct elf_facts *t)
{
    Elf64_Ehdr e;
    Elf32_Ehdr e32;
    if (is64 ? read_at(fd, &e, sizeof(e), 0) : read_at(fd, &e32, sizeof(e32), 0))
        return -1;
    uint64_t off = is64 ? e.e_phoff : e32.e_phoff;
    unsigned num = is64 ? e.e_phnum : e32.e_phnum;
    unsigned size = is64 ? e.e_phentsize : e32.e_phentsize;
    if (num > PRELOAD_PHDR_MAX || size != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
        return -1;
    for (unsigned i = 0; i < num; i++) {
        Elf64_Phdr ph;
        if (read_phdr(fd, is64, off + (uint64_t)i * size, &ph) < 0)
            return -1;
        t->interp |= ph.p_type == PT_INTERP;
        if (ph.p_type == PT_DYNAMIC)
            t->dynamic = 1, t->dyn_off = ph.p_offset, t->dyn_size = ph.p_filesz;
    }
    return 0;
}

/* Look for DF_1_PIE in the dynamic section (static-PIE executables carry it). */
static void scan_dynamic(int fd, int is64, struct elf_facts *t)
{
    size_t entsize = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    for (uint64_t i = 0; i < PRELOAD_DYN_MAX && (i + 1) * entsize <= t->dyn_size; i++) {
        Elf64_Dyn d;
        Elf32_Dyn d32;
        off_t at = (off_t)(t->dyn_off + i * entsize);
        if (is64 ? read_at(fd, &d, sizeof(d), at) : read_at(fd, &d32, sizeof(d32), at))
            return;
        uint64_t tag = is64 ? (uint64_t)d.d_tag : (uint64_t)d32.d_tag;
        uint64_t val = is64 ? d.d_un.d_val : d32.d_un.d_val;
        if (tag == DT_NULL)
            return;
        if (tag == DT_FLAGS_1)
            t->pie |= (val & DF_1_PIE) != 0;
    }
}

/*
 * 1 when path is a native-endian ELF executable the loader never runs for: no PT_INTERP
 * and either no dynamic section (static) or one marked DF_1_PIE (static-PIE). The loader
 * itself (no PT_INTERP, a dynamic section, not DF_1_PIE) runs programs that honour
 * LD_PRELOAD, so it is not refused.
 */
static int is_static_elf(const char *path)
{
    unsigned char ident[EI_NIDENT];
    struct elf_facts t = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int elf = read_at(fd, ident, sizeof(ident), 0) == 0 && memcmp(ident, ELFMAG, SELFMAG) == 0 &&
              (ident[EI_CLASS] == ELFCLASS64 || ident[EI_CLASS] == ELFCLASS32);
    int is64 = ident[EI_CLASS] == ELFCLASS64;
    int ok = elf && scan_phdrs(fd, is64, &t) == 0;
    if (ok && t.dynamic && !t.interp)
        scan_dynamic(fd, is64, &t);
    close(fd);
    return ok && !t.interp && (!t.dynamic || t.pie);
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
