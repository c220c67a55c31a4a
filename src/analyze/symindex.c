/*
 * Symbol index (symindex.h). Owns sorted copies of a module's eligible symbols (named,
 * defined, not section/file/TLS symbols: the ones addrinfo considers); the names stay in
 * libdw's mapped string tables.
 *
 * What dwfl_module_addrinfo(addr) returns, reduced to closed form. It scans the symbols
 * with value <= addr in table order: the global ones first, then, unless that found a
 * sized symbol containing addr or a global sizeless one sitting exactly at addr, the
 * local ones.
 *   - Among the sized symbols containing addr (of the first pass that has any) it keeps
 *     the one that starts later or binds more strongly, in table order (better()).
 *   - Without one, a sizeless symbol ("assembly label") in addr's section is taken when
 *     no symbol below addr reaches past it. Every symbol raises a running mark to its end
 *     and a label is recorded only at or above the mark, so the label that survives is
 *     the last one in scan order whose value is M, the highest end of all eligible symbols
 *     below addr -- or the last global label at addr itself when the local pass was
 *     skipped.
 *
 *   sized:  [value, end) by value, reach[i] = max end of sized[0..i]  -> who contains addr
 *   labels: value by value                                            -> who sits at M
 */
#include "analyze/symindex.h"

#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>

struct entry {
    GElf_Addr value;      /* the address addrinfo compares (absolute) */
    GElf_Addr end;        /* value + st_size */
    const char *name;     /* in libdw's string table */
    int ndx;              /* index in the module's symbol table: the scan order */
    GElf_Word shndx;      /* section index (special ones: SHN_ABS, ...) */
    unsigned char bind;   /* binding preference: global 3, weak 2, local 1, other 0 */
    unsigned char global; /* scanned in the first pass */
};

struct symindex {
    struct entry *sized; /* st_size > 0, by value then ndx */
    GElf_Addr *reach;    /* reach[i]: the largest end among sized[0..i] */
    size_t nsized;
    struct entry *labels; /* st_size == 0, by value then ndx */
    size_t nlabels;
};

void symindex_free(struct symindex *ix)
{
    if (!ix)
        return;
    free(ix->sized);
    free(ix->reach);
    free(ix->labels);
    free(ix);
}

static int eligible(const char *name, const GElf_Sym *sym)
{
    int type = GELF_ST_TYPE(sym->st_info);
    return name && name[0] && sym->st_shndx != SHN_UNDEF && type != STT_SECTION &&
           type != STT_FILE && type != STT_TLS;
}

static unsigned char bind_rank(const GElf_Sym *sym)
{
    switch (GELF_ST_BIND(sym->st_info)) {
    case STB_GLOBAL:
        return 3;
    case STB_WEAK:
        return 2;
    case STB_LOCAL:
        return 1;
    default:
        return 0;
    }
}

static int by_value(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return a->ndx < b->ndx ? -1 : a->ndx > b->ndx;
}

/*
 * Copy symbol i when eligible. -1 when the index would not be exact: a resolved function
 * descriptor (addrinfo also tries the descriptor's own address) or an end that wraps.
 */
static int take(struct symindex *ix, Dwfl_Module *mod, int i, int first_global)
{
    GElf_Sym sym, plain;
    GElf_Addr value;
    GElf_Word shndx, plain_shndx;
    const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, &shndx, NULL, NULL);
    if (!eligible(name, &sym))
        return 0;
    if (!dwfl_module_getsym(mod, i, &plain, &plain_shndx) || plain.st_value != value ||
        value + sym.st_size < value)
        return -1;
    struct entry e = {.value = value,
                      .end = value + sym.st_size,
                      .name = name,
                      .ndx = i,
                      .shndx = shndx,
                      .bind = bind_rank(&sym),
                      .global = i >= (first_global == 0 ? 1 : first_global)};
    if (sym.st_size)
        ix->sized[ix->nsized++] = e;
    else
        ix->labels[ix->nlabels++] = e;
    return 0;
}

struct symindex *symindex_build(Dwfl_Module *mod)
{
    struct symindex *ix = calloc(1, sizeof(*ix));
    int n = dwfl_module_getsymtab(mod);
    int first_global = n < 0 ? -1 : dwfl_module_getsymtab_first_global(mod);
    if (!ix || n <= 1 || first_global < 0) /* addrinfo finds nothing: neither will we */
        return ix;
    size_t cap = (size_t)n - 1;
    ix->sized = malloc(cap * sizeof(*ix->sized));
    ix->labels = malloc(cap * sizeof(*ix->labels));
    ix->reach = malloc(cap * sizeof(*ix->reach));
    if (!ix->sized || !ix->labels || !ix->reach)
        goto refuse;
    for (int i = 1; i < n; i++) {
        if (take(ix, mod, i, first_global) < 0)
            goto refuse;
    }
    qsort(ix->sized, ix->nsized, sizeof(*ix->sized), by_value);
    qsort(ix->labels, ix->nlabels, sizeof(*ix->labels), by_value);
    for (size_t i = 0; i < ix->nsized; i++) {
        GElf_Addr before = i ? ix->reach[i - 1] : 0;
        ix->reach[i] = ix->sized[i].end > before ? ix->sized[i].end : before;
    }
    return ix;
refuse:
    symindex_free(ix);
    return NULL;
}

/* The first of the n entries (by value) whose value is above addr. */
static size_t above(const struct entry *v, size_t n, GElf_Addr addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].value <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * addrinfo's choice between its candidate best and e, both sized and containing addr,
 * e later in table order: e starts later or binds more strongly; at the same start and
 * binding, the smaller one.
 */
static const struct entry *better(const struct entry *best, const struct entry *e)
{
    if (!best || best->value < e->value || best->bind < e->bind)
        return e;
    if (best->value == e->value && best->bind == e->bind &&
        best->end - best->value > e->end - e->value)
        return e;
    return best;
}

/*
 * The sized symbols containing addr (those among the first `below` by value) into out in
 * table order; their count, or -1 when there are more than SYMINDEX_NESTED.
 */
static int containing(const struct symindex *ix, size_t below, GElf_Addr addr,
                      const struct entry **out)
{
    int n = 0;
    for (size_t i = below; i-- > 0 && ix->reach[i] > addr;) {
        if (ix->sized[i].end <= addr)
            continue;
        if (n == SYMINDEX_NESTED)
            return -1;
        int j = n++;
        for (; j > 0 && out[j - 1]->ndx > ix->sized[i].ndx; j--)
            out[j] = out[j - 1];
        out[j] = &ix->sized[i];
    }
    return n;
}

/* The best of the n candidates that were scanned in the pass `global`, or NULL. */
static const struct entry *best_of(const struct entry *const *c, int n, int global)
{
    const struct entry *best = NULL;
    for (int i = 0; i < n; i++) {
        if (c[i]->global == global)
            best = better(best, c[i]);
    }
    return best;
}

/* addrinfo's section index of addr: 1 and *ndx, or 0 when libdw cannot tell us. */
static int section_of(Dwfl_Module *mod, GElf_Addr addr, size_t *ndx)
{
    Dwarf_Addr at = addr, bias;
    Elf_Scn *scn = dwfl_module_address_section(mod, &at, &bias);
    if (!scn)
        return 0;
    *ndx = elf_ndxscn(scn);
    return 1;
}

/*
 * Among the labels [from, to) (one value), the last in scan order -- the locals' pass
 * comes second -- in addr's section: 1 and *found (NULL if none), or 0 when a section
 * is unknown.
 */
static int last_label(const struct symindex *ix, Dwfl_Module *mod, size_t from, size_t to,
                      GElf_Addr addr, const struct entry **found)
{
    size_t at_addr = 0, at_label = 0;
    int known = 0;
    *found = NULL;
    for (int global = 0; global <= 1; global++) {
        for (size_t i = to; i-- > from;) {
            const struct entry *e = &ix->labels[i];
            if (e->global != global)
                continue;
            if (e->shndx >= SHN_LORESERVE) { /* absolute and the like: only exactly */
                if (e->value != addr)
                    continue;
            } else {
                if (!known && !section_of(mod, addr, &at_addr))
                    return 0;
                known = 1;
                if (!section_of(mod, e->value, &at_label))
                    return 0;
                if (at_label != at_addr)
                    continue;
            }
            *found = e;
            return 1;
        }
    }
    return 1;
}

/* No sized symbol contains addr: the label at the highest end below it, if any. */
static int label_for(const struct symindex *ix, Dwfl_Module *mod, size_t sized_below,
                     GElf_Addr addr, const char **name)
{
    size_t to = above(ix->labels, ix->nlabels, addr);
    GElf_Addr mark = sized_below ? ix->reach[sized_below - 1] : 0;
    if (to && ix->labels[to - 1].value > mark)
        mark = ix->labels[to - 1].value;
    size_t from = to;
    while (from > 0 && ix->labels[from - 1].value == mark)
        from--;
    const struct entry *e;
    if (!last_label(ix, mod, from, to, addr, &e))
        return 0;
    *name = e ? e->name : NULL;
    return 1;
}

int symindex_lookup(const struct symindex *ix, Dwfl_Module *mod, GElf_Addr addr, const char **name)
{
    const struct entry *c[SYMINDEX_NESTED];
    size_t below = above(ix->sized, ix->nsized, addr);
    int n = containing(ix, below, addr, c);
    if (n < 0)
        return 0;
    const struct entry *best = best_of(c, n, 1);
    size_t to = above(ix->labels, ix->nlabels, addr), from = to;
    /* the local pass is skipped when a global label sits exactly at addr */
    while (!best && from > 0 && ix->labels[from - 1].value == addr) {
        if (ix->labels[--from].global)
            best = &ix->labels[from];
    }
    if (!best)
        best = best_of(c, n, 0);
    if (best) {
        *name = best->name;
        return 1;
    }
    return label_for(ix, mod, below, addr, name);
}
