/*
 * Error contexts (errors.h). Owns the folding key and the enrichment rules; reads the
 * replay, never changes it.
 */
#include "analyze/errors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/blockhdr.h"

void errors_init(struct errors *e)
{
    memset(e, 0, sizeof(*e));
    hmap_init(&e->index, sizeof(size_t));
}

void errors_fini(struct errors *e)
{
    hmap_fini(&e->index);
    free(e->v);
}

/* A non-zero key for the context of an error (kind, where, its three stacks, its pool). */
static uint64_t context_key(const struct error_entry *en)
{
    const struct trace_rec_error *rec = &en->rec;
    uint64_t k = (uint64_t)rec->h.aux * 0x9e3779b97f4a7c15ull ^ rec->where;
    k = (k ^ rec->stack) * 0xbf58476d1ce4e5b9ull;
    k = (k ^ rec->alloc_stack) * 0x94d049bb133111ebull;
    k = (k ^ rec->free_stack) * 0x9e3779b97f4a7c15ull;
    k = (k ^ en->pool) * 0xbf58476d1ce4e5b9ull;
    return k ? k : 1;
}

/* Fill what the error record lacks from a block the replay knows. */
static void take_block(struct trace_rec_error *rec, const struct replay_block *b)
{
    if (rec->size == UINT64_MAX)
        rec->size = b->size;
    if (rec->alloc_kind == TRACE_KIND_NONE)
        rec->alloc_kind = (uint8_t)b->kind;
    if (rec->alloc_stack == TRACE_STACK_NONE)
        rec->alloc_stack = b->stack;
}

/*
 * An invalid free the trace can explain better: an address released before and not
 * reused is a double free (the shim no longer knew it once the quarantine let it go);
 * an address inside a live block is an interior pointer.
 */
static void explain_invalid(struct error_entry *en, const struct replay *r)
{
    struct trace_rec_error *rec = &en->rec;
    struct replay_block freed;
    if (replay_freed(r, rec->ptr, &freed)) {
        rec->h.aux = ERR_DOUBLE_FREE;
        take_block(rec, &freed);
        rec->free_stack = freed.free_stack;
        return;
    }
    uint64_t start;
    const struct replay_block *b = replay_containing(r, rec->ptr, &start);
    if (b) {
        en->inside = 1;
        en->block = start;
        en->block_size = b->size;
        en->block_stack = b->stack;
    }
}

/*
 * A damaged header of a live block: rebuild the header it should hold from the block's
 * allocation record, and keep the bytes from the first damaged one on. The checkpoint
 * epoch (and an aligned block's base offset) are not in the trace: the found ones are
 * taken, so damage there shows up in the check word.
 */
static void explain_header(struct trace_rec_error *rec, const struct replay *r, uint64_t secret)
{
    const struct replay_block *b = replay_live(r, rec->ptr);
    if (!b || rec->nexpected || rec->nbytes != BLOCKHDR_SIZE || rec->offset != -BLOCKHDR_SIZE)
        return;
    rec->size = b->size;
    rec->alloc_kind = (uint8_t)b->kind;
    rec->alloc_stack = b->stack;
    struct blockhdr found, want;
    memcpy(&found, rec->found, sizeof(found));
    int aligned = b->kind == KIND_ALIGNED || b->kind == KIND_NEW_ALIGNED ||
                  b->kind == KIND_NEW_ARRAY_ALIGNED;
    blockhdr_encode(&want, rec->ptr, b->size, b->kind, BLOCK_LIVE,
                    aligned ? found.base_off : BLOCKHDR_SIZE, b->stack, found.free_stack, secret);
    size_t first = 0;
    while (first < BLOCKHDR_SIZE && rec->found[first] == ((uint8_t *)&want)[first])
        first++;
    if (first == BLOCKHDR_SIZE)
        return; /* it matches what we can rebuild: keep the record as it is */
    size_t n = BLOCKHDR_SIZE - first;
    memmove(rec->found, rec->found + first, n);
    memcpy(rec->expected, (uint8_t *)&want + first, n);
    rec->nbytes = rec->nexpected = (uint8_t)n;
    rec->offset = -(int64_t)n;
}

static struct error_entry *new_entry(struct errors *e)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        struct error_entry *v = realloc(e->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        e->v = v;
        e->cap = cap;
    }
    struct error_entry *en = &e->v[e->n];
    memset(en, 0, sizeof(*en));
    return en;
}

/* Count the entry new_entry gave and the caller filled: a new context, or one more. */
static int fold(struct errors *e, struct error_entry *en)
{
    en->count = 1;
    e->total++;
    int created;
    size_t *slot = hmap_put(&e->index, context_key(en), &created);
    if (!slot)
        return -ENOMEM;
    if (!created) {
        e->v[*slot].count++;
        return 0;
    }
    *slot = e->n++;
    return 0;
}

int errors_add(struct errors *e, const struct replay *r, const struct trace_rec_error *rec,
               uint64_t secret)
{
    struct error_entry *en = new_entry(e);
    if (!en)
        return -ENOMEM;
    en->rec = *rec;
    if (rec->h.aux == ERR_INVALID_FREE)
        explain_invalid(en, r);
    else if (rec->h.aux == ERR_HEADER_CORRUPTION && rec->where != WHERE_QUARANTINE)
        explain_header(&en->rec, r, secret);
    else if (replay_live(r, rec->ptr))
        take_block(&en->rec, replay_live(r, rec->ptr));
    return fold(e, en);
}

int errors_add_found(struct errors *e, const struct error_entry *found)
{
    struct error_entry *en = new_entry(e);
    if (!en)
        return -ENOMEM;
    *en = *found;
    return fold(e, en);
}

int errors_is_pool(unsigned kind)
{
    return kind >= ERR_POOL_DOUBLE_FREE && kind < ERR_POOL_LIMIT;
}

const char *errors_kind_name(unsigned kind)
{
    static const char *const pool_names[] = {
        "pool_double_free", "pool_invalid_free", "pool_double_alloc", "pool_invalid_pool",
    };
    _Static_assert(sizeof(pool_names) / sizeof(pool_names[0]) ==
                       ERR_POOL_LIMIT - ERR_POOL_DOUBLE_FREE, "a name for every pool kind");
    return errors_is_pool(kind) ? pool_names[kind - ERR_POOL_DOUBLE_FREE] : trace_error_name(kind);
}

unsigned errors_kind_next(unsigned kind)
{
    if (kind + 1 < ERR_KIND_LIMIT)
        return kind + 1;
    if (kind < ERR_POOL_DOUBLE_FREE)
        return ERR_POOL_DOUBLE_FREE;
    return kind + 1 < ERR_POOL_LIMIT ? kind + 1 : 0;
}

const char *errors_alloc_kind(unsigned kind)
{
    switch (kind) {
    case KIND_MALLOC:
    case KIND_ALIGNED:
        return "malloc";
    case KIND_NEW:
        return "new";
    case KIND_NEW_ARRAY:
        return "new[]";
    case KIND_NEW_ALIGNED:
    case KIND_NEW_ARRAY_ALIGNED:
        return "aligned_new";
    default:
        return NULL;
    }
}

const char *errors_free_kind(unsigned kind, unsigned where)
{
    if (where == WHERE_REALLOC)
        return "realloc";
    switch (kind) {
    case KIND_MALLOC:
    case KIND_ALIGNED:
        return "free";
    case KIND_NEW:
    case KIND_NEW_ALIGNED:
        return "delete";
    case KIND_NEW_ARRAY:
    case KIND_NEW_ARRAY_ALIGNED:
        return "delete[]";
    default:
        return NULL;
    }
}

const char *errors_where(unsigned where)
{
    static const char *const pool_places[] = {
        [WHERE_POOL_CREATE - WHERE_POOL_CREATE] = "pool_create",
        [WHERE_POOL_ALLOC - WHERE_POOL_CREATE] = "pool_alloc",
        [WHERE_POOL_FREE - WHERE_POOL_CREATE] = "pool_free",
        [WHERE_POOL_DESTROY - WHERE_POOL_CREATE] = "pool_destroy",
    };
    if (where >= WHERE_POOL_CREATE && where <= WHERE_POOL_DESTROY)
        return pool_places[where - WHERE_POOL_CREATE];
    static const char *const names[] = {
        [WHERE_FREE] = "free",         [WHERE_REALLOC] = "realloc",
        [WHERE_EXIT] = "exit",         [WHERE_QUARANTINE] = "quarantine",
        [WHERE_USABLE_SIZE] = "malloc_usable_size",
    };
    return where < sizeof(names) / sizeof(names[0]) && names[where] ? names[where] : "unknown";
}

/* When an error was found, for messages: "at free", "when it left the quarantine". */
static const char *found_when(unsigned where)
{
    switch (where) {
    case WHERE_QUARANTINE: return "when it left the quarantine";
    case WHERE_EXIT: return "at exit";
    case WHERE_REALLOC: return "at realloc";
    case WHERE_USABLE_SIZE: return "at malloc_usable_size";
    default: return "at free";
    }
}

/* The C++ spelling of a kind, for messages: "malloc()", "operator new[]". */
static const char *spell_alloc(unsigned kind)
{
    static const char *const s[KIND_LIMIT] = {
        [KIND_MALLOC] = "malloc()",          [KIND_ALIGNED] = "an aligned allocation",
        [KIND_NEW] = "operator new",         [KIND_NEW_ARRAY] = "operator new[]",
        [KIND_NEW_ALIGNED] = "aligned operator new",
        [KIND_NEW_ARRAY_ALIGNED] = "aligned operator new[]",
    };
    return kind < KIND_LIMIT ? s[kind] : "an unknown allocator";
}

static const char *spell_free(unsigned kind, unsigned where)
{
    static const char *const s[KIND_LIMIT] = {
        [KIND_MALLOC] = "free()",            [KIND_ALIGNED] = "free()",
        [KIND_NEW] = "operator delete",      [KIND_NEW_ARRAY] = "operator delete[]",
        [KIND_NEW_ALIGNED] = "aligned operator delete",
        [KIND_NEW_ARRAY_ALIGNED] = "aligned operator delete[]",
    };
    if (where == WHERE_REALLOC)
        return "realloc()";
    return kind < KIND_LIMIT ? s[kind] : "an unknown deallocator";
}

static void describe_invalid(const struct error_entry *en, char *buf, size_t len)
{
    const struct trace_rec_error *r = &en->rec;
    if (en->inside)
        snprintf(buf, len, "invalid %s: 0x%llx is %llu bytes inside a block of %llu bytes",
                 spell_free(r->free_kind, r->where), (unsigned long long)r->ptr,
                 (unsigned long long)(r->ptr - en->block), (unsigned long long)en->block_size);
    else
        snprintf(buf, len, "invalid %s: 0x%llx is not a block heapwise allocated",
                 spell_free(r->free_kind, r->where), (unsigned long long)r->ptr);
}

/* "pool 'name'", or "pool 0x1234" for an unnamed one, into buf. */
static const char *pool_words(char *buf, size_t len, const char *name, uint64_t pool)
{
    if (name)
        snprintf(buf, len, "pool '%s'", name);
    else
        snprintf(buf, len, "pool 0x%llx", (unsigned long long)pool);
    return buf;
}

/* What a call naming no live pool found there: "never created", "destroyed", ... */
static void describe_invalid_pool(const struct error_entry *en, char *buf, size_t len)
{
    const struct trace_rec_error *r = &en->rec;
    char pool[320];
    const char *call = errors_where(r->where);
    if (en->pool_state == POOL_EXISTS)
        snprintf(buf, len, "invalid pool: heapwise_%s of %s, which already exists", call,
                 pool_words(pool, sizeof(pool), en->pool_name, en->pool));
    else if (en->pool_state == POOL_DESTROYED)
        snprintf(buf, len, "invalid pool: heapwise_%s names %s, which was destroyed", call,
                 pool_words(pool, sizeof(pool), en->pool_name, en->pool));
    else
        snprintf(buf, len, "invalid pool: heapwise_%s names 0x%llx, which is not a pool", call,
                 (unsigned long long)en->pool);
}

static void describe_pool_free(const struct error_entry *en, char *buf, size_t len)
{
    const struct trace_rec_error *r = &en->rec;
    char pool[320], other[320];
    unsigned long long at = r->ptr;
    pool_words(pool, sizeof(pool), en->pool_name, en->pool);
    if (en->inside)
        snprintf(buf, len, "invalid free into %s: 0x%llx is %llu bytes inside its block of %llu "
                 "bytes", pool, at, at - (unsigned long long)en->block,
                 (unsigned long long)en->block_size);
    else if (en->other_pool)
        snprintf(buf, len, "invalid free into %s: 0x%llx is a block of %s", pool, at,
                 pool_words(other, sizeof(other), en->other_name, en->other_pool));
    else
        snprintf(buf, len, "invalid free into %s: 0x%llx is not one of its blocks", pool, at);
}

static void describe_pool(const struct error_entry *en, char *buf, size_t len)
{
    const struct trace_rec_error *r = &en->rec;
    char pool[320];
    unsigned long long at = r->ptr;
    pool_words(pool, sizeof(pool), en->pool_name, en->pool);
    switch (r->h.aux) {
    case ERR_POOL_DOUBLE_FREE:
        if (r->size == UINT64_MAX) /* handed out before the fork of an inherited pool */
            snprintf(buf, len, "double free into %s: the block at 0x%llx was already given "
                     "back", pool, at);
        else
            snprintf(buf, len, "double free into %s: the block of %llu bytes at 0x%llx was "
                     "already given back", pool, (unsigned long long)r->size, at);
        break;
    case ERR_POOL_INVALID_FREE:
        describe_pool_free(en, buf, len);
        break;
    case ERR_POOL_DOUBLE_ALLOC:
        snprintf(buf, len, "double allocation in %s: 0x%llx handed out again (%llu bytes) while "
                 "its block of %llu bytes is still allocated", pool, at,
                 (unsigned long long)r->size, (unsigned long long)en->block_size);
        break;
    default:
        describe_invalid_pool(en, buf, len);
    }
}

void errors_describe(const struct error_entry *en, char *buf, size_t len)
{
    const struct trace_rec_error *r = &en->rec;
    if (errors_is_pool(r->h.aux)) {
        describe_pool(en, buf, len);
        return;
    }
    unsigned long long size = r->size, at = r->ptr;
    long long off = r->offset;
    switch (r->h.aux) {
    case ERR_DOUBLE_FREE:
        snprintf(buf, len, "double free: %s of the block of %llu bytes at 0x%llx, already freed",
                 spell_free(r->free_kind, r->where), size, at);
        break;
    case ERR_INVALID_FREE:
        describe_invalid(en, buf, len);
        break;
    case ERR_MISMATCHED_FREE:
        snprintf(buf, len, "mismatched free: block of %llu bytes at 0x%llx allocated with %s, "
                 "released with %s", size, at, spell_alloc(r->alloc_kind),
                 spell_free(r->free_kind, r->where));
        break;
    case ERR_HEADER_CORRUPTION:
        if (r->nexpected == 0 || r->size == UINT64_MAX) {
            snprintf(buf, len, "header corruption: the header before the block at 0x%llx was "
                     "overwritten (found %s)", at, found_when(r->where));
            break;
        }
        /* unsigned: a trace's offset may be INT64_MIN, whose negation overflows */
        snprintf(buf, len, "header corruption: %llu bytes before the block of %llu bytes at "
                 "0x%llx were overwritten (found %s)", 0ull - (unsigned long long)off, size, at,
                 found_when(r->where));
        break;
    case ERR_OVERFLOW:
        snprintf(buf, len, "overflow: write past the end of the block of %llu bytes at 0x%llx, "
                 "at offset %lld (found %s)", size, at, off, found_when(r->where));
        break;
    case ERR_WRITE_AFTER_FREE:
        snprintf(buf, len, "write after free: the freed block of %llu bytes at 0x%llx was "
                 "written at offset %lld (found %s)", size, at, off, found_when(r->where));
        break;
    default:
        snprintf(buf, len, "unknown error %u at 0x%llx", r->h.aux, at);
    }
}
