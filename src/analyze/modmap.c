/*
 * Module map history (modmap.h). Owns one array per map, in the order its modules were
 * added, sorted by start (then that order) on the first lookup after a change. A position
 * names a prefix of one map, so a lookup long after sees exactly the modules a lookup at
 * that moment saw. A map nobody holds a position in is reused by the next MODULES_BEGIN:
 * a trace that reloads its map often keeps one array per map that stacks point to.
 */
#include "analyze/modmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct modmap_entry {
    uint64_t start, end; /* mapped range */
    long module;         /* the caller's index */
    uint32_t order;      /* position in the order of addition */
};

struct modmap_gen {
    struct modmap_entry *v; /* n entries */
    size_t n, cap;
    int sorted; /* v is by start, then order */
    int held;   /* a position refers to it: never reused */
};

void modmap_init(struct modmap *mm)
{
    memset(mm, 0, sizeof(*mm));
}

void modmap_fini(struct modmap *mm)
{
    for (size_t i = 0; i < mm->ngens; i++)
        free(mm->gens[i].v);
    free(mm->gens);
    modmap_init(mm);
}

/* Room in *array (capacity *cap, n used) for one more element of size bytes. 0 or -ENOMEM. */
static int room(void *array, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t more = *cap ? *cap * 2 : 16;
    void *p = realloc(*(void **)array, more * size);
    if (!p)
        return -ENOMEM;
    *(void **)array = p;
    *cap = more;
    return 0;
}

int modmap_begin(struct modmap *mm)
{
    if (mm->ngens && !mm->gens[mm->ngens - 1].held) {
        mm->gens[mm->ngens - 1].n = 0;
        mm->gens[mm->ngens - 1].sorted = 1;
        return 0;
    }
    if (room(&mm->gens, &mm->cap, mm->ngens, sizeof(*mm->gens)) < 0)
        return -ENOMEM;
    mm->gens[mm->ngens++] = (struct modmap_gen){.sorted = 1};
    return 0;
}

int modmap_add(struct modmap *mm, uint64_t start, uint64_t end, long module)
{
    if (mm->ngens == 0 && modmap_begin(mm) < 0)
        return -ENOMEM;
    struct modmap_gen *g = &mm->gens[mm->ngens - 1];
    if (room(&g->v, &g->cap, g->n, sizeof(*g->v)) < 0)
        return -ENOMEM;
    g->v[g->n] = (struct modmap_entry){start, end, module, (uint32_t)g->n};
    g->n++;
    g->sorted = g->n == 1;
    return 0;
}

struct modmap_pos modmap_now(struct modmap *mm)
{
    if (mm->ngens == 0)
        return (struct modmap_pos){0, 0}; /* nothing mapped, whatever comes later */
    struct modmap_gen *g = &mm->gens[mm->ngens - 1];
    g->held |= g->n > 0;
    return (struct modmap_pos){(uint32_t)(mm->ngens - 1), (uint32_t)g->n};
}

static int by_start(const void *a, const void *b)
{
    const struct modmap_entry *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

long modmap_find(struct modmap *mm, struct modmap_pos pos, uint64_t address)
{
    if (pos.count == 0 || pos.gen >= mm->ngens)
        return -1;
    struct modmap_gen *g = &mm->gens[pos.gen];
    if (!g->sorted) {
        qsort(g->v, g->n, sizeof(*g->v), by_start);
        g->sorted = 1;
    }
    size_t lo = 0, hi = g->n; /* first entry whose start > address */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->v[mid].start <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0 && g->v[lo - 1].order >= pos.count) /* added after that moment */
        lo--;
    if (lo == 0)
        return -1;
    return address < g->v[lo - 1].end ? g->v[lo - 1].module : -1;
}
