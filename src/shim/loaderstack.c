/*
 * The loader's allocation stacks (see loaderstack.h). Owns the code spans of the C
 * library and of ld.so, learnt once at init, and the set of the loader's stack ids.
 */
#include "config.h"

#include "shim/loaderstack.h"

#include <link.h>
#include <string.h>

#include "shim/textspan.h"
#include "trace/objname.h"

static struct textspan libc_text, loader_text;
static uint64_t loader_ids[LOADERSTACK_IDS / 64]; /* a bit per stack id */

static int find_objects(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    if (objname_is_libc(name))
        libc_text = textspan_of(info);
    else if (objname_is_loader(name))
        loader_text = textspan_of(info);
    return 0;
}

void loaderstack_init(void)
{
    libc_text = loader_text = (struct textspan){0, 0};
    dl_iterate_phdr(find_objects, NULL);
}

int loaderstack_is_loader(const uint64_t *frames, uint32_t depth)
{
    int loader = 0;
    for (uint32_t i = 0; i < depth; i++) {
        int in_loader = textspan_has(loader_text, frames[i]);
        if (!in_loader && !textspan_has(libc_text, frames[i]))
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
