/*
 * The loader's allocation stacks (see loaderstack.h). Owns the text ranges of the C
 * library and of ld.so, learnt once at init, and the set of the loader's stack ids.
 */
#include "config.h"

#include "shim/loaderstack.h"

#include <link.h>
#include <string.h>

/* Executable PT_LOAD ranges kept per object (libc and ld.so have one or two). */
#define LOADERSTACK_RANGES 4

struct text {
    uintptr_t lo[LOADERSTACK_RANGES], hi[LOADERSTACK_RANGES];
    unsigned n;
};

static struct text libc_text, loader_text;
static uint64_t loader_ids[LOADERSTACK_IDS / 64]; /* a bit per stack id */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void add_ranges(struct text *t, const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum && t->n < LOADERSTACK_RANGES; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        t->lo[t->n] = info->dlpi_addr + ph->p_vaddr;
        t->hi[t->n] = t->lo[t->n] + ph->p_memsz;
        t->n++;
    }
}

static int find_objects(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    const char *base = info->dlpi_name ? base_name(info->dlpi_name) : "";
    if (strncmp(base, "libc.so", 7) == 0)
        add_ranges(&libc_text, info);
    else if (strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld64.so", 7) == 0)
        add_ranges(&loader_text, info);
    return 0;
}

void loaderstack_init(void)
{
    memset(&libc_text, 0, sizeof(libc_text));
    memset(&loader_text, 0, sizeof(loader_text));
    dl_iterate_phdr(find_objects, NULL);
}

static int in_text(const struct text *t, uint64_t pc)
{
    for (unsigned i = 0; i < t->n; i++)
        if (pc >= t->lo[i] && pc < t->hi[i])
            return 1;
    return 0;
}

int loaderstack_is_loader(const uint64_t *frames, uint32_t depth)
{
    int loader = 0;
    for (uint32_t i = 0; i < depth; i++) {
        int in_loader = in_text(&loader_text, frames[i]);
        if (!in_loader && !in_text(&libc_text, frames[i]))
            break;
        loader |= in_loader;
    }
    return loader;
}

void loaderstack_clear(void)
{
    memset(loader_ids, 0, sizeof(loader_ids));
}

void loaderstack_note(uint32_t id, const uint64_t *frames, uint32_t depth, void *arg)
{
    (void)arg;
    if (id < LOADERSTACK_IDS && loaderstack_is_loader(frames, depth))
        loader_ids[id / 64] |= UINT64_C(1) << (id % 64);
}

int loaderstack_has(uint32_t id)
{
    return id < LOADERSTACK_IDS && (loader_ids[id / 64] >> (id % 64) & 1);
}
