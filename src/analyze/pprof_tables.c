/*
 * The tables of a pprof profile (pprof_tables.h). Each table is a growing array of
 * protobuf-c messages plus a hash table from a probe key to the entry's index: the key
 * is a hash of what makes the entry one, and a collision moves on to the next probe key,
 * so two different entries are never merged. Never prints.
 */
#include "analyze/pprof_tables.h"

#include "analyze/report_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pprof_grow(void *array, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*(void **)array, c * size);
    if (!p)
        return -ENOMEM;
    *(void **)array = p;
    *cap = c;
    return 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/* FNV-1a of s. */
static uint64_t hash_string(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Is entry index of its table the item looked for? */
typedef int same_fn(const struct pprof_tables *t, size_t index, const void *item);

/*
 * The slot (an index) of the entry of m that `same` says is item, trying probe keys from
 * hash h on; or a new slot at the first free key (*created = 1), which the caller fills
 * before anything else is put into m. NULL when out of memory.
 */
static size_t *probe(struct hmap *m, uint64_t h, same_fn *same, const struct pprof_tables *t,
                     const void *item, int *created)
{
    for (;;) {
        size_t *slot = hmap_put(m, h | 1, created);
        if (!slot || *created || same(t, *slot, item))
            return slot;
        h = mix(h, 1);
    }
}

static int same_string(const struct pprof_tables *t, size_t index, const void *item)
{
    return strcmp(t->strings[index], item) == 0;
}

/* U+FFFD, the replacement character, in UTF-8 (3 bytes). */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* Bytes of the UTF-8 character at u[0] (n bytes readable), or 0 when it is not one. */
static size_t char_len(const unsigned char *u, size_t n)
{
    return u[0] < 0x80 ? 1 : report_json_utf8_len(u, n);
}

/*
 * s itself when it is UTF-8 (proto3 strings must be; decoders may refuse a profile
 * otherwise), else a copy in t's pool with each invalid byte as U+FFFD, as the JSON
 * report writes it. NULL when out of memory.
 */
static const char *utf8(struct pprof_tables *t, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;
    while (i < n && (len = char_len(u + i, n - i)) > 0)
        i += len;
    if (i == n)
        return s;
    char *copy = malloc(3 * n + 1), *out = copy;
    for (i = 0; copy && i < n; i += len ? len : 1) {
        len = char_len(u + i, n - i);
        memcpy(out, len ? s + i : UTF8_REPLACEMENT, len ? len : 3);
        out += len ? len : 3;
    }
    if (copy)
        *out = '\0';
    const char *pooled = copy ? strpool_dup(&t->pool, copy) : NULL;
    free(copy);
    return pooled;
}

int64_t pprof_string(struct pprof_tables *t, const char *s)
{
    int created;
    if (!(s = utf8(t, s ? s : "")))
        return -ENOMEM;
    size_t *slot = probe(&t->string_ids, hash_string(s), same_string, t, s, &created);
    if (!slot)
        return -ENOMEM;
    if (!created)
        return (int64_t)*slot;
    *slot = t->nstrings;
    if (pprof_grow(&t->strings, &t->strings_cap, t->nstrings, sizeof(*t->strings)) < 0 ||
        !(t->strings[t->nstrings] = strpool_copy(&t->pool, s, strlen(s))))
        return -ENOMEM;
    return (int64_t)t->nstrings++;
}

int pprof_tables_init(struct pprof_tables *t)
{
    memset(t, 0, sizeof(*t));
    strpool_init(&t->pool);
    hmap_init(&t->string_ids, sizeof(size_t));
    hmap_init(&t->function_ids, sizeof(size_t));
    hmap_init(&t->mapping_ids, sizeof(size_t));
    hmap_init(&t->location_ids, sizeof(size_t));
    return pprof_string(t, "") == 0 ? 0 : -ENOMEM;
}

void pprof_tables_fini(struct pprof_tables *t)
{
    strpool_fini(&t->pool);
    hmap_fini(&t->string_ids);
    hmap_fini(&t->function_ids);
    hmap_fini(&t->mapping_ids);
    hmap_fini(&t->location_ids);
    free(t->strings);
    free(t->functions);
    free(t->mappings);
    free(t->locations);
    free(t->location_keys);
    free(t->first_line);
    free(t->lines);
    free(t->function_ptrs);
    free(t->mapping_ptrs);
    free(t->location_ptrs);
    free(t->line_ptrs);
}

static int same_function(const struct pprof_tables *t, size_t index, const void *item)
{
    const Perftools__Profiles__Function *a = &t->functions[index], *b = item;
    return a->name == b->name && a->system_name == b->system_name && a->filename == b->filename;
}

/* The id of frame f's function (f->function set); 0 when out of memory. */
static uint64_t function_of(struct pprof_tables *t, const struct analyze_frame *f)
{
    Perftools__Profiles__Function fn = PERFTOOLS__PROFILES__FUNCTION__INIT;
    fn.name = pprof_string(t, f->function);
    fn.system_name = pprof_string(t, f->mangled ? f->mangled : f->function);
    fn.filename = pprof_string(t, f->file);
    if (fn.name < 0 || fn.system_name < 0 || fn.filename < 0)
        return 0;
    uint64_t h =
        mix(mix(mix(0, (uint64_t)fn.name), (uint64_t)fn.system_name), (uint64_t)fn.filename);
    int created;
    size_t *slot = probe(&t->function_ids, h, same_function, t, &fn, &created);
    if (!slot)
        return 0;
    if (!created)
        return *slot + 1;
    *slot = t->nfunctions;
    if (pprof_grow(&t->functions, &t->functions_cap, t->nfunctions, sizeof(fn)) < 0)
        return 0;
    fn.id = t->nfunctions + 1;
    t->functions[t->nfunctions++] = fn;
    return fn.id;
}

/* The GNU build-id of m as lower-case hex, pooled; NULL when out of memory. */
static const char *build_id_hex(struct pprof_tables *t, const struct analyze_module *m)
{
    char *hex = malloc(2 * m->build_id_len + 1);
    if (!hex)
        return NULL;
    for (size_t i = 0; i < m->build_id_len; i++) {
        hex[2 * i] = "0123456789abcdef"[m->build_id[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[m->build_id[i] & 15];
    }
    hex[2 * m->build_id_len] = '\0';
    const char *copy = strpool_dup(&t->pool, hex);
    free(hex);
    return copy;
}

/* A new Mapping for module m of a process; its index, or -ENOMEM. */
static long mapping_new(struct pprof_tables *t, const struct analyze_module *m)
{
    Perftools__Profiles__Mapping map = PERFTOOLS__PROFILES__MAPPING__INIT;
    const char *build_id = build_id_hex(t, m);
    map.memory_start = m->start;
    map.memory_limit = m->end;
    map.file_offset = 0; /* memory_start is the first PT_LOAD's, which starts the file */
    map.filename = pprof_string(t, m->path);
    map.build_id = build_id ? pprof_string(t, build_id) : -ENOMEM;
    if (map.filename < 0 || map.build_id < 0 ||
        pprof_grow(&t->mappings, &t->mappings_cap, t->nmappings, sizeof(map)) < 0)
        return -ENOMEM;
    map.id = t->nmappings + 1;
    t->mappings[t->nmappings] = map;
    return (long)t->nmappings++;
}

/*
 * 1 + the index in p->modules of the module of frame f: the one of its path whose range
 * holds the return address (or ends at it: a call can be a module's last instruction);
 * the first such, when an object was mapped more than once there. 0 when there is none.
 */
static uint32_t module_of(const struct analyze_process *p, const struct analyze_frame *f)
{
    for (size_t i = 0; f->module && i < p->nmodules; i++) {
        const struct analyze_module *m = &p->modules[i];
        if (m->path && m->start <= f->address && f->address <= m->end &&
            (m->path == f->module || strcmp(m->path, f->module) == 0))
            return (uint32_t)i + 1;
    }
    return 0;
}

/*
 * The id of the mapping of module `module` (see module_of; 0: none, then 0) of process
 * `process` (p), or -ENOMEM. What frame f, of that module, shows of its symbols sets the
 * mapping's has_* flags.
 */
static long mapping_of(struct pprof_tables *t, uint32_t process, const struct analyze_process *p,
                       uint32_t module, const struct analyze_frame *f)
{
    if (module == 0)
        return 0;
    int created;
    size_t *slot = hmap_put(&t->mapping_ids, ((uint64_t)process + 1) << 32 | module, &created);
    if (!slot)
        return -ENOMEM;
    if (created) { /* mapping_new puts nothing into mapping_ids: slot stays valid */
        long i = mapping_new(t, &p->modules[module - 1]);
        if (i < 0)
            return i;
        *slot = (size_t)i;
    }
    Perftools__Profiles__Mapping *map = &t->mappings[*slot];
    map->has_functions |= f->function != NULL;
    map->has_filenames |= f->file != NULL;
    map->has_line_numbers |= f->line > 0;
    map->has_inline_frames |= f->file != NULL; /* debug info read: inline chains expanded */
    return (long)map->id;
}

static int same_location(const struct pprof_tables *t, size_t index, const void *item)
{
    const struct pprof_location_key *a = &t->location_keys[index], *b = item;
    return a->address == b->address && a->process == b->process && a->module == b->module;
}

/* Room for one more location in the three parallel arrays; 0 or -ENOMEM. */
static int grow_locations(struct pprof_tables *t)
{
    size_t cap = t->locations_cap;
    if (pprof_grow(&t->location_keys, &cap, t->nlocations, sizeof(*t->location_keys)) < 0)
        return -ENOMEM;
    cap = t->locations_cap;
    if (pprof_grow(&t->first_line, &cap, t->nlocations, sizeof(*t->first_line)) < 0)
        return -ENOMEM;
    return pprof_grow(&t->locations, &t->locations_cap, t->nlocations, sizeof(*t->locations));
}

/* A Line for each frame with a function, innermost first. 0 or -ENOMEM. */
static int add_lines(struct pprof_tables *t, const struct analyze_frame *frames, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!frames[i].function)
            continue;
        Perftools__Profiles__Line line = PERFTOOLS__PROFILES__LINE__INIT;
        line.function_id = function_of(t, &frames[i]);
        line.line = frames[i].line;
        if (line.function_id == 0 ||
            pprof_grow(&t->lines, &t->lines_cap, t->nlines, sizeof(line)) < 0)
            return -ENOMEM;
        t->lines[t->nlines++] = line;
    }
    return 0;
}

/* A new Location of the frames at key; its id, or 0 when out of memory. */
static uint64_t location_new(struct pprof_tables *t, const struct pprof_location_key *key,
                             const struct analyze_process *p, const struct analyze_frame *frames,
                             size_t n)
{
    Perftools__Profiles__Location loc = PERFTOOLS__PROFILES__LOCATION__INIT;
    long mapping = 0;
    for (size_t i = 0; i < n && mapping >= 0; i++)
        mapping = mapping_of(t, key->process, p, key->module, &frames[i]);
    size_t first = t->nlines;
    if (mapping < 0 || grow_locations(t) < 0 || add_lines(t, frames, n) < 0)
        return 0;
    loc.id = t->nlocations + 1;
    loc.mapping_id = (uint64_t)mapping;
    loc.address = key->address;
    loc.n_line = t->nlines - first;
    t->first_line[t->nlocations] = first;
    t->location_keys[t->nlocations] = *key;
    t->locations[t->nlocations++] = loc;
    return loc.id;
}

uint64_t pprof_location_of(struct pprof_tables *t, uint32_t process,
                           const struct analyze_process *p, const struct analyze_frame *frames,
                           size_t n, size_t *used)
{
    size_t k = 1; /* frames inlined at the first one's address, then the one they sit in */
    while (k < n && frames[k - 1].inlined && frames[k].address == frames[0].address)
        k++;
    *used = k;
    struct pprof_location_key key = {frames[0].address, process, module_of(p, &frames[0])};
    uint64_t h = mix(mix(mix(0, key.address), key.process), key.module);
    int created;
    size_t *slot = probe(&t->location_ids, h, same_location, t, &key, &created);
    if (!slot)
        return 0;
    if (!created)
        return *slot + 1;
    *slot = t->nlocations; /* location_new puts nothing into location_ids */
    return location_new(t, &key, p, frames, k);
}

/* An array of pointers to each of the n elements of size bytes at base; NULL: no memory. */
static void *pointers(void *base, size_t n, size_t size)
{
    void **v = malloc((n ? n : 1) * sizeof(*v));
    for (size_t i = 0; v && i < n; i++)
        v[i] = (char *)base + i * size;
    return v;
}

int pprof_tables_link(struct pprof_tables *t)
{
    t->function_ptrs = pointers(t->functions, t->nfunctions, sizeof(*t->functions));
    t->mapping_ptrs = pointers(t->mappings, t->nmappings, sizeof(*t->mappings));
    t->location_ptrs = pointers(t->locations, t->nlocations, sizeof(*t->locations));
    t->line_ptrs = pointers(t->lines, t->nlines, sizeof(*t->lines));
    if (!t->function_ptrs || !t->mapping_ptrs || !t->location_ptrs || !t->line_ptrs)
        return -ENOMEM;
    for (size_t i = 0; i < t->nlocations; i++)
        t->locations[i].line = t->locations[i].n_line ? t->line_ptrs + t->first_line[i] : NULL;
    return 0;
}
