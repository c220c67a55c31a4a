/*
 * Module map emission (see modules.h). Owns reading program headers in memory: PT_LOAD
 * ranges and the GNU build-id note. Records are pushed from inside the dl_iterate_phdr
 * callback so that the list cannot change, and two emitters cannot interleave, while a
 * map is written. Never allocates; runs under the recursion guard.
 */
#include "config.h"

#include "shim/modules.h"

#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>

#include "shim/record.h"
#include "shim/shim.h"

/* Longest build-id kept (GNU build-ids are 20 bytes; leave room for others). */
#define MODULE_BUILD_ID_MAX 64
/* Longest module path kept, so that a MODULE record stays under TRACE_REC_MAX. */
#define MODULE_PATH_MAX (TRACE_REC_MAX - sizeof(struct trace_rec_module) - MODULE_BUILD_ID_MAX)

static const char *exe;
/* dlpi_adds/dlpi_subs at the last emission; touched only under the loader lock. */
static unsigned long long last_adds, last_subs;

void modules_init(const char *exe_path)
{
    exe = exe_path;
}

/* Find the GNU build-id in a PT_NOTE segment; returns its length (0 if none). */
static uint32_t note_build_id(const unsigned char *p, size_t len, const unsigned char **id)
{
    size_t off = 0;
    while (off + sizeof(ElfW(Nhdr)) <= len) {
        const ElfW(Nhdr) *n = (const void *)(p + off);
        size_t name = (n->n_namesz + 3) & ~(size_t)3, desc = (n->n_descsz + 3) & ~(size_t)3;
        const unsigned char *q = p + off + sizeof(*n);
        if (off + sizeof(*n) + name + desc > len)
            return 0;
        if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(q, "GNU", 4) == 0) {
            *id = q + name;
            return n->n_descsz < MODULE_BUILD_ID_MAX ? n->n_descsz : MODULE_BUILD_ID_MAX;
        }
        off += sizeof(*n) + name + desc;
    }
    return 0;
}

/* Address range and build-id of one object. */
static uint32_t scan(const struct dl_phdr_info *info, uint64_t *lo, uint64_t *hi,
                     const unsigned char **id)
{
    uint32_t id_len = 0;
    *lo = UINT64_MAX;
    *hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uint64_t a = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD) {
            *lo = a < *lo ? a : *lo;
            *hi = a + ph->p_memsz > *hi ? a + ph->p_memsz : *hi;
        } else if (ph->p_type == PT_NOTE && id_len == 0) {
            id_len = note_build_id((const unsigned char *)(uintptr_t)a, ph->p_memsz, id);
        }
    }
    if (*lo > *hi)
        *lo = *hi = 0;
    return id_len;
}

static void push_module(const struct dl_phdr_info *info, const char *path)
{
    const unsigned char *id = NULL;
    uint64_t lo, hi;
    uint32_t id_len = scan(info, &lo, &hi, &id);
    size_t path_len = strlen(path);
    if (path_len > MODULE_PATH_MAX)
        path_len = MODULE_PATH_MAX;
    uint32_t size = (uint32_t)(sizeof(struct trace_rec_module) + id_len + path_len);
    struct trace_rec_module *r = record_reserve(size);
    if (!r)
        return;
    r->base = info->dlpi_addr;
    r->start = lo;
    r->end = hi;
    r->build_id_len = id_len;
    r->path_len = (uint32_t)path_len;
    memcpy((char *)(r + 1), id, id_len);
    memcpy((char *)(r + 1) + id_len, path, path_len);
    ring_commit(r, trace_hdr_word(trace_align(size), TRACE_REC_MODULE, 0));
}

static int emit_one(struct dl_phdr_info *info, size_t size, void *arg)
{
    int *begun = arg;
    (void)size;
    if (!*begun) {
        if (info->dlpi_adds == last_adds && info->dlpi_subs == last_subs)
            return 1;
        last_adds = info->dlpi_adds;
        last_subs = info->dlpi_subs;
        struct trace_rec_hdr *h = record_reserve(sizeof(*h));
        if (h)
            ring_commit(h, trace_hdr_word(sizeof(*h), TRACE_REC_MODULES_BEGIN, 0));
        *begun = 1;
    }
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    if ((uintptr_t)info->dlpi_phdr == getauxval(AT_PHDR))
        name = exe && *exe ? exe : name;
    else if (strncmp(name, "linux-vdso", 10) == 0 || strncmp(name, "linux-gate", 10) == 0)
        return 0;
    if (*name)
        push_module(info, name);
    return 0;
}

void modules_emit_if_changed(void)
{
    int begun = 0;
    shim_tls.guard++;
    dl_iterate_phdr(emit_one, &begun);
    shim_tls.guard--;
}

void modules_forget(void)
{
    last_adds = last_subs = ~0ull; /* no real counter pair: the next call emits */
}
