/*
 * Symbolizer (symbolize.h). Owns the module records of every map generation, the raw
 * stacks with their place in the map history, one libdw session (Dwfl) per distinct
 * module, the cache of symbolised addresses and all strings handed out. Modules of
 * different generations may overlap in address, so each Dwfl reports exactly one module:
 * a lookup can never land in the wrong generation's file.
 *
 *   STACK record --(map position now)--> raw stack {addresses, modmap_pos}
 *   symbolize_stack --modmap_find, per module cache--> analyze_frame[] (inline chain,
 *                                                      innermost first)
 */
#include "analyze/symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/hmap.h"
#include "analyze/modmap.h"
#include "analyze/strpool.h"
#include "analyze/symindex.h"
#include "trace/objname.h"

/* libstdc++'s demangler (we link -lstdc++ and stay C). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Basename prefix of heapwise's own shim, whose frames are hidden by default. */
#define SHIM_PREFIX "libheapwise"
/* No module covers the frame. */
#define NO_MODULE (-1)

/* One loaded object as recorded; shared by every generation that maps it identically. */
struct sym_module {
    const char *path;              /* NULL when the record had no path */
    uint64_t base, start, end;     /* load bias; mapped range [start, end) */
    const unsigned char *build_id; /* recorded GNU build-id, build_id_len bytes */
    size_t build_id_len;
    int is_shim; /* basename starts with SHIM_PREFIX */
    int state;   /* 0 not opened yet, 1 open, -1 cannot symbolise */
    Dwfl *dwfl;  /* session reporting just this module */
    Dwfl_Module *mod;
    struct symindex *symbols; /* its symbol table indexed, or NULL: ask libdw */
    struct hmap cache;        /* return address -> struct cached */
    long next_same_key;       /* next module with the same identity hash, or -1 */
};

/* Where a symbolised address's frames sit in the frame pool. */
struct cached {
    uint32_t first, count;
};

/* A STACK record as read; its frames are looked up only when it is reported. */
struct sym_stack {
    struct analyze_stack out; /* symbolised frames once done */
    int done;
    struct modmap_pos map; /* the module map when the record was read */
    uint32_t depth;
    uint64_t address[]; /* depth return addresses, innermost first */
};

struct symbolize {
    struct analyze_opts opts;
    struct strpool strings;
    struct sym_module *modules;
    size_t nmodules, modules_cap;
    struct hmap module_ids;     /* identity hash -> first module index (long) */
    struct modmap maps;         /* map generations: module indexes by address */
    struct hmap stacks;         /* stack id -> struct sym_stack * (in strings) */
    struct analyze_frame *pool; /* symbolised frames, by struct cached */
    size_t npool, pool_cap;
};

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

struct symbolize *symbolize_new(const struct analyze_opts *opts)
{
    struct symbolize *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (opts)
        s->opts = *opts;
    strpool_init(&s->strings);
    hmap_init(&s->module_ids, sizeof(long));
    hmap_init(&s->stacks, sizeof(struct sym_stack *));
    modmap_init(&s->maps);
    return s;
}

static void module_close(struct sym_module *m)
{
    symindex_free(m->symbols);
    m->symbols = NULL;
    if (m->dwfl)
        dwfl_end(m->dwfl);
    m->dwfl = NULL;
    m->mod = NULL;
    m->state = 0;
}

void symbolize_release_debuginfo(struct symbolize *s)
{
    for (size_t i = 0; i < s->nmodules; i++)
        module_close(&s->modules[i]);
}

void symbolize_free(struct symbolize *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nmodules; i++) {
        module_close(&s->modules[i]);
        hmap_fini(&s->modules[i].cache);
    }
    size_t pos = 0;
    struct sym_stack **st;
    while ((st = hmap_next(&s->stacks, &pos, NULL)))
        free((*st)->out.frames);
    hmap_fini(&s->stacks);
    hmap_fini(&s->module_ids);
    strpool_fini(&s->strings);
    free(s->modules);
    modmap_fini(&s->maps);
    free(s->pool);
    free(s);
}

/* Grow *array (of size elements) so it holds at least need; 0 or -ENOMEM. */
static int reserve(void *array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*(void **)array, n * size);
    if (!p)
        return -ENOMEM;
    *(void **)array = p;
    *cap = n;
    return 0;
}

int symbolize_modules_begin(struct symbolize *s)
{
    return modmap_begin(&s->maps);
}

/* FNV-1a of the path mixed with the base: a module's identity hash (never 0). */
static uint64_t identity(const char *path, size_t len, uint64_t base)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)path[i]) * 0x100000001b3ULL;
    return (h ^ (base * 0x9e3779b97f4a7c15ULL)) | 1;
}

static int same_module(const struct sym_module *m, uint64_t base, uint64_t start, uint64_t end,
                       const char *path, size_t path_len, const void *build_id, size_t build_id_len)
{
    size_t have = m->path ? strlen(m->path) : 0;
    return m->base == base && m->start == start && m->end == end && have == path_len &&
           (path_len == 0 || memcmp(m->path, path, path_len) == 0) &&
           m->build_id_len == build_id_len &&
           (build_id_len == 0 || memcmp(m->build_id, build_id, build_id_len) == 0);
}

static int is_shim_path(const char *path)
{
    return strncmp(objname_base(path), SHIM_PREFIX, strlen(SHIM_PREFIX)) == 0;
}

/* Append a new module record; returns its index or -ENOMEM. */
static long module_new(struct symbolize *s, uint64_t base, uint64_t start, uint64_t end,
                       const char *path, size_t path_len, const void *build_id, size_t build_id_len)
{
    if (reserve(&s->modules, &s->modules_cap, s->nmodules + 1, sizeof(*s->modules)) < 0)
        return -ENOMEM;
    struct sym_module *m = &s->modules[s->nmodules];
    memset(m, 0, sizeof(*m));
    m->base = base;
    m->start = start;
    m->end = end;
    m->next_same_key = -1;
    hmap_init(&m->cache, sizeof(struct cached));
    if (path_len && !(m->path = strpool_copy(&s->strings, path, path_len)))
        return -ENOMEM;
    if (build_id_len &&
        !(m->build_id = (const unsigned char *)strpool_copy(&s->strings, build_id, build_id_len)))
        return -ENOMEM;
    m->build_id_len = build_id_len;
    m->is_shim = m->path && is_shim_path(m->path);
    return (long)s->nmodules++;
}

int symbolize_module_add(struct symbolize *s, uint64_t base, uint64_t start, uint64_t end,
                         const char *path, size_t path_len, const void *build_id,
                         size_t build_id_len)
{
    int created;
    long *first = hmap_put(&s->module_ids, identity(path, path_len, base), &created);
    if (!first)
        return -ENOMEM;
    long i = created ? -1 : *first, last = -1;
    for (; i >= 0; last = i, i = s->modules[i].next_same_key) {
        if (same_module(&s->modules[i], base, start, end, path, path_len, build_id, build_id_len))
            break;
    }
    if (i < 0) {
        i = module_new(s, base, start, end, path, path_len, build_id, build_id_len);
        if (i < 0)
            return (int)i;
        if (created)
            *first = i;
        else
            s->modules[last].next_same_key = i;
    }
    return modmap_add(&s->maps, start, end, i);
}

/* Key of a stack id in s->stacks: ids are >= 1, the empty stack 0 sits above them all. */
static uint64_t stack_key(uint32_t id)
{
    return id ? id : UINT64_C(1) << 32;
}

int symbolize_stack_add(struct symbolize *s, uint32_t id, const uint64_t *addrs, size_t depth)
{
    int created;
    struct sym_stack **slot = hmap_put(&s->stacks, stack_key(id), &created);
    if (!slot)
        return -ENOMEM;
    if (!created)
        return 0;
    struct sym_stack *st = strpool_alloc(&s->strings, sizeof(*st) + depth * sizeof(uint64_t));
    if (!st) {
        hmap_remove(&s->stacks, stack_key(id), NULL);
        return -ENOMEM;
    }
    *st = (struct sym_stack){.out.id = id, .map = modmap_now(&s->maps), .depth = (uint32_t)depth};
    if (depth)
        memcpy(st->address, addrs, depth * sizeof(uint64_t));
    *slot = st;
    return 0;
}

/*
 * Whether path names a regular file. A trace's module paths are data: a FIFO or a device
 * named there must never be opened (opening a FIFO blocks, a device may act on open).
 */
static int is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Open the libdw session of m once; 1 when it can symbolise. */
static int module_open(struct sym_module *m)
{
    if (m->state)
        return m->state > 0;
    m->state = -1;
    if (!m->path || m->path[0] != '/') /* "[vdso]", "linux-vdso.so.1": no file */
        return 0;
    if (!is_regular_file(m->path))
        return 0;
    m->dwfl = dwfl_begin(&offline_callbacks);
    if (!m->dwfl)
        return 0;
    dwfl_report_begin(m->dwfl);
    m->mod = dwfl_report_elf(m->dwfl, m->path, m->path, -1, m->base, false);
    dwfl_report_end(m->dwfl, NULL, NULL);
    const unsigned char *bits = NULL;
    GElf_Addr vaddr;
    int len = m->mod ? dwfl_module_build_id(m->mod, &bits, &vaddr) : -1;
    /* a file rebuilt since the run would give confident wrong answers: refuse it */
    bool stale = m->build_id_len &&
                 (len != (int)m->build_id_len || memcmp(bits, m->build_id, (size_t)len) != 0);
    if (!m->mod || stale) {
        module_close(m);
        m->state = -1;
        return 0;
    }
    m->symbols = symindex_build(m->mod);
    m->state = 1;
    return 1;
}

/* The ELF symbol naming pc in m (open), as dwfl_module_addrinfo chooses it; NULL if none. */
static const char *symbol_at(const struct sym_module *m, GElf_Addr pc)
{
    const char *name;
    if (m->symbols && symindex_lookup(m->symbols, m->mod, pc, &name))
        return name;
    GElf_Off offset;
    GElf_Sym sym;
    return dwfl_module_addrinfo(m->mod, pc, &offset, &sym, NULL, NULL, NULL);
}

/*
 * A pooled copy of name without its symbol version ("__libc_start_main@@GLIBC_2.34"),
 * demangled when it is a C++ mangled name (the mangled one then in *mangled, else NULL);
 * NULL for NULL.
 */
static const char *intern_name(struct symbolize *s, const char *name, const char **mangled)
{
    *mangled = NULL;
    if (!name)
        return NULL;
    const char *at = strchr(name, '@');
    char *bare = strpool_copy(&s->strings, name, at ? (size_t)(at - name) : strlen(name));
    if (!bare || strncmp(bare, "_Z", 2) != 0)
        return bare;
    int status = -1;
    char *plain = __cxa_demangle(bare, NULL, NULL, &status);
    const char *copy = plain && status == 0 ? strpool_dup(&s->strings, plain) : NULL;
    free(plain);
    if (!copy)
        return bare;
    *mangled = bare;
    return copy;
}

/* The linkage (else plain) name of a function DIE, following abstract origins. */
static const char *die_name(Dwarf_Die *die)
{
    static const int attrs[] = {DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_name};
    Dwarf_Attribute a;
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        const char *name = dwarf_attr_integrate(die, attrs[i], &a) ? dwarf_formstring(&a) : NULL;
        if (name)
            return name;
    }
    return NULL;
}

/* Append one frame to the pool (strings already pooled); 0 or -ENOMEM. */
static int push(struct symbolize *s, const struct analyze_frame *f)
{
    if (reserve(&s->pool, &s->pool_cap, s->npool + 1, sizeof(*s->pool)) < 0)
        return -ENOMEM;
    s->pool[s->npool++] = *f;
    return 0;
}

/* Where an inlined call happened: DW_AT_call_file / DW_AT_call_line of the inlined DIE. */
static void call_site(Dwarf_Die *cu, Dwarf_Die *inlined, const char **file, int *line)
{
    Dwarf_Attribute a;
    Dwarf_Word index = 0, lineno = 0;
    Dwarf_Files *files;
    size_t nfiles;
    *file = NULL;
    *line = 0;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &a), &lineno) == 0)
        *line = (int)lineno;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &a), &index) == 0 &&
        dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && index < nfiles)
        *file = dwarf_filesrc(files, index, NULL, NULL);
}

/*
 * The scopes containing pc, innermost first, following the concrete tree of the function
 * that holds pc. dwarf_getscopes() alone continues from an inlined_subroutine into the
 * scopes of its abstract origin (class, namespace), which loses every outer inline level;
 * dwarf_getscopes_die() on the innermost scope walks the real nesting instead.
 */
static int concrete_scopes(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **scopes)
{
    Dwarf_Die *first = NULL;
    int n = dwarf_getscopes(cu, pc, &first);
    if (n <= 0)
        return n;
    Dwarf_Die innermost = first[0];
    free(first);
    return dwarf_getscopes_die(&innermost, scopes);
}

/*
 * Push the frames of pc (address - 1) in m: one per inlined_subroutine scope, innermost
 * first with the line table's file:line, each outer one at the call site of the one inside
 * it, then the real function (its symbol-table name, which C++ qualifies best).
 */
static int resolve_dwarf(struct symbolize *s, struct sym_module *m, struct analyze_frame f,
                         GElf_Addr pc, const char *symbol)
{
    Dwfl_Line *line = dwfl_module_getsrc(m->mod, pc);
    const char *file = line ? dwfl_lineinfo(line, NULL, &f.line, NULL, NULL, NULL) : NULL;
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(m->mod, pc, &bias);
    Dwarf_Die *scopes = NULL;
    int n = cu ? concrete_scopes(cu, pc - bias, &scopes) : 0;
    const char *outer = NULL;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_subprogram) {
            outer = die_name(&scopes[i]);
            break;
        }
        if (tag != DW_TAG_inlined_subroutine)
            continue;
        f.function = intern_name(s, die_name(&scopes[i]), &f.mangled);
        f.file = strpool_dup(&s->strings, file);
        f.inlined = 1;
        rc = push(s, &f);
        call_site(cu, &scopes[i], &file, &f.line);
    }
    free(scopes);
    if (rc < 0)
        return rc;
    f.function = intern_name(s, symbol ? symbol : outer, &f.mangled);
    f.file = strpool_dup(&s->strings, file);
    f.line = file ? f.line : 0;
    f.inlined = 0;
    return push(s, &f);
}

/* Symbolise a return address of module m into the pool (cached); *c says where. */
static int resolve(struct symbolize *s, struct sym_module *m, uint64_t address, struct cached *c)
{
    int created;
    struct cached *hit = hmap_put(&m->cache, address, &created);
    if (!hit)
        return -ENOMEM;
    if (!created) {
        *c = *hit;
        return 0;
    }
    size_t first = s->npool;
    struct analyze_frame f = {.address = address, .module = m->path};
    int rc;
    if (s->opts.addresses_only || !module_open(m)) {
        rc = push(s, &f);
    } else {
        GElf_Addr pc = address - 1;
        rc = resolve_dwarf(s, m, f, pc, symbol_at(m, pc));
    }
    if (rc < 0) {
        hmap_remove(&m->cache, address, NULL);
        s->npool = first;
        return rc;
    }
    c->first = (uint32_t)first;
    c->count = (uint32_t)(s->npool - first);
    *(struct cached *)hmap_get(&m->cache, address) = *c;
    return 0;
}

/* Append frames to out (growing it); 0 or -ENOMEM. */
static int append(struct analyze_stack *out, size_t *cap, const struct analyze_frame *f, size_t n)
{
    if (reserve(&out->frames, cap, out->nframes + n, sizeof(*f)) < 0)
        return -ENOMEM;
    memcpy(out->frames + out->nframes, f, n * sizeof(*f));
    out->nframes += n;
    return 0;
}

/* Drop the C runtime's frames under main() (__libc_start_main, _start), as memcheck does. */
static void cut_below_main(struct analyze_stack *st)
{
    for (size_t i = 0; i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        if (!f->inlined && f->function && strcmp(f->function, "main") == 0) {
            st->nframes = i + 1;
            return;
        }
    }
}

static int symbolize_raw(struct symbolize *s, struct sym_stack *st)
{
    size_t cap = 0;
    for (size_t i = 0; i < st->depth; i++) {
        uint64_t a = st->address[i];
        /* a return address may sit just past its caller's module: look up the call */
        long module = a ? modmap_find(&s->maps, st->map, a - 1) : NO_MODULE;
        if (module == NO_MODULE) {
            struct analyze_frame f = {.address = a};
            if (append(&st->out, &cap, &f, 1) < 0)
                return -ENOMEM;
            continue;
        }
        struct sym_module *m = &s->modules[module];
        if (m->is_shim && !s->opts.show_shim_frames)
            continue;
        struct cached c;
        if (resolve(s, m, a, &c) < 0 || append(&st->out, &cap, s->pool + c.first, c.count) < 0)
            return -ENOMEM;
    }
    if (!s->opts.show_below_main)
        cut_below_main(&st->out);
    if (s->opts.max_frames > 0 && st->out.nframes > (size_t)s->opts.max_frames)
        st->out.nframes = (size_t)s->opts.max_frames;
    return 0;
}

int symbolize_modules(const struct symbolize *s, struct analyze_module **out, size_t *n)
{
    *out = calloc(s->nmodules ? s->nmodules : 1, sizeof(**out));
    if (!*out)
        return -ENOMEM;
    for (size_t i = 0; i < s->nmodules; i++) {
        const struct sym_module *m = &s->modules[i];
        (*out)[i] = (struct analyze_module){m->path, m->base, m->start, m->end, m->build_id,
                                            m->build_id_len};
    }
    *n = s->nmodules;
    return 0;
}

const struct analyze_stack *symbolize_stack(struct symbolize *s, uint32_t id)
{
    struct sym_stack **slot = hmap_get(&s->stacks, stack_key(id));
    if (!slot) {
        /* 0 or never defined: an empty stack that keeps its id */
        if (symbolize_stack_add(s, id, NULL, 0) < 0)
            return NULL;
        slot = hmap_get(&s->stacks, stack_key(id));
    }
    struct sym_stack *st = *slot;
    if (st->done)
        return &st->out;
    if (symbolize_raw(s, st) < 0) {
        free(st->out.frames);
        st->out.frames = NULL;
        st->out.nframes = 0;
        return NULL;
    }
    st->done = 1;
    return &st->out;
}
