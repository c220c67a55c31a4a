/*
 * The pprof report (report_pprof_write in analyze.h): a gzipped perftools.profiles.Profile
 * (src/analyze/profile.proto) with one Sample per allocation stack of each process:
 *
 *   alloc_objects/count, alloc_space/bytes   every allocation made there over the run
 *   inuse_objects/count, inuse_space/bytes   its blocks still live at the end of the trace:
 *                                            the leaks of every class (analyze_process.leaks),
 *                                            without the C runtime's and suppressed blocks
 *
 * labelled pid=N. Every allocation is recorded, so period_type is space/bytes with period
 * 1. The tables (strings, functions, mappings, locations) are pprof_tables.c's; this file
 * gathers the samples, assembles the message and packs it through zlib's deflate into the
 * stream, without a packed copy in memory. Writes only to the stream it is given.
 */
#include "analyze/analyze.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analyze/pprof_tables.h"

/* Bytes gathered before one deflate call, and of compressed output per fwrite. */
#define GZIP_CHUNK (64 * 1024)
/* deflateInit2's windowBits for a gzip (not zlib) stream with the largest window. */
#define GZIP_WINDOW (15 + 16)

/* The sample types, in the order of every Sample's values. */
enum { ALLOC_OBJECTS, ALLOC_SPACE, INUSE_OBJECTS, INUSE_SPACE, NVALUES };
static const char *const value_types[NVALUES][2] = {
    {"alloc_objects", "count"},
    {"alloc_space", "bytes"},
    {"inuse_objects", "count"},
    {"inuse_space", "bytes"},
};

/* One allocation stack of one process, and its sample's values. */
struct site {
    const struct analyze_stack *stack;
    uint32_t process;        /* index in procs */
    int64_t values[NVALUES]; /* by the enum above */
    size_t first_id;         /* its location ids in profile.ids */
    size_t nids;
};

struct profile {
    struct pprof_tables t;
    struct site *sites;
    size_t nsites, sites_cap;
    uint64_t *ids; /* location ids of every sample, innermost first */
    size_t nids, ids_cap;
    Perftools__Profiles__Sample *samples, **sample_ptrs;
    Perftools__Profiles__Label *labels, **label_ptrs; /* one (pid) per sample */
    Perftools__Profiles__ValueType types[NVALUES], *type_ptrs[NVALUES], period_type;
    int64_t *comments;
};

/* The site of stack st in process `process` (by_stack: its stack ids so far); NULL: no memory. */
static struct site *site_of(struct profile *pf, struct hmap *by_stack, uint32_t process,
                            const struct analyze_stack *st)
{
    int created;
    size_t *slot = hmap_put(by_stack, (uint64_t)(st ? st->id : 0) + 1, &created);
    if (!slot)
        return NULL;
    if (!created)
        return &pf->sites[*slot];
    *slot = pf->nsites;
    if (pprof_grow(&pf->sites, &pf->sites_cap, pf->nsites, sizeof(*pf->sites)) < 0)
        return NULL;
    struct site *s = &pf->sites[pf->nsites++];
    memset(s, 0, sizeof(*s));
    s->stack = st;
    s->process = process;
    return s;
}

/* Add the blocks and bytes of l to the values `objects` and the next (space) of its site. */
static int count(struct profile *pf, struct hmap *by_stack, uint32_t process,
                 const struct analyze_leak *l, int objects)
{
    struct site *s = site_of(pf, by_stack, process, l->stack);
    if (!s)
        return -ENOMEM;
    s->values[objects] += (int64_t)l->blocks;
    s->values[objects + 1] += (int64_t)l->bytes;
    return 0;
}

/* The sites of process p: what was allocated at each stack, then what is live at the end. */
static int add_sites(struct profile *pf, uint32_t process, const struct analyze_process *p)
{
    struct hmap by_stack;
    int rc = 0;
    hmap_init(&by_stack, sizeof(size_t));
    for (size_t i = 0; i < p->nallocated && rc == 0; i++)
        rc = count(pf, &by_stack, process, &p->allocated[i], ALLOC_OBJECTS);
    for (size_t i = 0; i < p->nleaks && rc == 0; i++)
        rc = count(pf, &by_stack, process, &p->leaks[i], INUSE_OBJECTS);
    hmap_fini(&by_stack);
    return rc;
}

/* The location ids of site s's stack into pf->ids. 0 or -ENOMEM. */
static int add_locations(struct profile *pf, struct site *s, const struct analyze_process *p)
{
    const struct analyze_stack *st = s->stack;
    s->first_id = pf->nids;
    for (size_t f = 0, used = 0; st && f < st->nframes; f += used) {
        uint64_t id =
            pprof_location_of(&pf->t, s->process, p, &st->frames[f], st->nframes - f, &used);
        if (id == 0 || pprof_grow(&pf->ids, &pf->ids_cap, pf->nids, sizeof(*pf->ids)) < 0)
            return -ENOMEM;
        pf->ids[pf->nids++] = id;
    }
    s->nids = pf->nids - s->first_id;
    return 0;
}

/* Each site as a Sample, labelled with its process's pid. 0 or -ENOMEM. */
static int make_samples(struct profile *pf, struct analyze_process *const *procs)
{
    size_t n = pf->nsites ? pf->nsites : 1;
    int64_t pid_key = pprof_string(&pf->t, "pid");
    pf->samples = calloc(n, sizeof(*pf->samples));
    pf->sample_ptrs = calloc(n, sizeof(*pf->sample_ptrs));
    pf->labels = calloc(n, sizeof(*pf->labels));
    pf->label_ptrs = calloc(n, sizeof(*pf->label_ptrs));
    if (pid_key < 0 || !pf->samples || !pf->sample_ptrs || !pf->labels || !pf->label_ptrs)
        return -ENOMEM;
    for (size_t i = 0; i < pf->nsites; i++) {
        Perftools__Profiles__Sample *s = &pf->samples[i];
        Perftools__Profiles__Label *l = &pf->labels[i];
        perftools__profiles__label__init(l);
        l->key = pid_key;
        l->num = (int64_t)procs[pf->sites[i].process]->pid;
        pf->label_ptrs[i] = l;
        perftools__profiles__sample__init(s);
        s->n_location_id = pf->sites[i].nids;
        s->location_id = s->n_location_id ? pf->ids + pf->sites[i].first_id : NULL;
        s->n_value = NVALUES;
        s->value = pf->sites[i].values;
        s->n_label = 1;
        s->label = &pf->label_ptrs[i];
        pf->sample_ptrs[i] = s;
    }
    return 0;
}

/* A comment line "process PID: EXE" per process, after the one saying what inuse means. */
static int make_comments(struct profile *pf, struct analyze_process *const *procs, size_t n,
                         Perftools__Profiles__Profile *msg)
{
    if (!(pf->comments = calloc(n + 1, sizeof(*pf->comments))))
        return -ENOMEM;
    pf->comments[0] = pprof_string(&pf->t, "heapwise: inuse_* are the blocks still live at the "
                                           "end of the trace (leaks of every class; the C "
                                           "runtime's and suppressed blocks left out)");
    for (size_t i = 0; i < n; i++) {
        char *line = NULL;
        if (asprintf(&line, "process %" PRIu64 ": %s", procs[i]->pid,
                     procs[i]->exe ? procs[i]->exe : "(unknown program)") < 0)
            return -ENOMEM;
        pf->comments[i + 1] = pprof_string(&pf->t, line);
        free(line);
    }
    for (size_t i = 0; i <= n; i++) {
        if (pf->comments[i] < 0)
            return -ENOMEM;
    }
    msg->n_comment = n + 1;
    msg->comment = pf->comments;
    return 0;
}

/* sample_type, period_type and default_sample_type. 0 or -ENOMEM. */
static int make_types(struct profile *pf, Perftools__Profiles__Profile *msg)
{
    for (int i = 0; i < NVALUES; i++) {
        perftools__profiles__value_type__init(&pf->types[i]);
        pf->types[i].type = pprof_string(&pf->t, value_types[i][0]);
        pf->types[i].unit = pprof_string(&pf->t, value_types[i][1]);
        if (pf->types[i].type < 0 || pf->types[i].unit < 0)
            return -ENOMEM;
        pf->type_ptrs[i] = &pf->types[i];
    }
    perftools__profiles__value_type__init(&pf->period_type);
    pf->period_type.type = pprof_string(&pf->t, "space");
    pf->period_type.unit = pprof_string(&pf->t, "bytes");
    msg->n_sample_type = NVALUES;
    msg->sample_type = pf->type_ptrs;
    msg->period_type = &pf->period_type;
    msg->period = 1;
    msg->default_sample_type = pf->types[INUSE_SPACE].type;
    return pf->period_type.type < 0 || pf->period_type.unit < 0 ? -ENOMEM : 0;
}

/* time_nanos: the earliest start; duration_nanos: from there to the latest end. */
static void set_times(struct analyze_process *const *procs, size_t n,
                      Perftools__Profiles__Profile *msg)
{
    uint64_t first = 0, last = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t end = procs[i]->start_ns + procs[i]->duration_ns;
        first = i == 0 || procs[i]->start_ns < first ? procs[i]->start_ns : first;
        last = end > last ? end : last;
    }
    msg->time_nanos = (int64_t)first;
    msg->duration_nanos = (int64_t)(last - first);
}

/* Everything of the profile, tied together in msg. 0 or -ENOMEM. */
static int build(struct profile *pf, struct analyze_process *const *procs, size_t n,
                 Perftools__Profiles__Profile *msg)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = add_sites(pf, (uint32_t)i, procs[i]);
    for (size_t i = 0; i < pf->nsites && rc == 0; i++)
        rc = add_locations(pf, &pf->sites[i], procs[pf->sites[i].process]);
    if (rc == 0)
        rc = make_types(pf, msg);
    if (rc == 0)
        rc = make_comments(pf, procs, n, msg);
    if (rc == 0)
        rc = make_samples(pf, procs);
    if (rc == 0)
        rc = pprof_tables_link(&pf->t); /* last: nothing is added to the tables after it */
    if (rc < 0)
        return rc;
    set_times(procs, n, msg);
    msg->n_sample = pf->nsites;
    msg->sample = pf->sample_ptrs;
    msg->n_mapping = pf->t.nmappings;
    msg->mapping = pf->t.mapping_ptrs;
    msg->n_location = pf->t.nlocations;
    msg->location = pf->t.location_ptrs;
    msg->n_function = pf->t.nfunctions;
    msg->function = pf->t.function_ptrs;
    msg->n_string_table = pf->t.nstrings;
    msg->string_table = pf->t.strings;
    return 0;
}

static void profile_fini(struct profile *pf)
{
    pprof_tables_fini(&pf->t);
    free(pf->sites);
    free(pf->ids);
    free(pf->samples);
    free(pf->sample_ptrs);
    free(pf->labels);
    free(pf->label_ptrs);
    free(pf->comments);
}

/* A protobuf-c output buffer that deflates what it is given into a gzip stream. */
struct gzip_sink {
    ProtobufCBuffer base; /* first: append gets a pointer to it */
    z_stream z;
    FILE *out;
    int failed;
    size_t len;                   /* bytes waiting in in */
    unsigned char in[GZIP_CHUNK]; /* packed bytes not yet deflated */
    unsigned char out_buf[GZIP_CHUNK];
};

/* Deflate the waiting bytes (and with Z_FINISH end the stream) into the file. */
static void deflate_waiting(struct gzip_sink *g, int flush)
{
    int rc;
    g->z.next_in = g->in;
    g->z.avail_in = (uInt)g->len;
    do {
        g->z.next_out = g->out_buf;
        g->z.avail_out = sizeof(g->out_buf);
        rc = deflate(&g->z, flush);
        size_t have = sizeof(g->out_buf) - g->z.avail_out;
        if (rc == Z_STREAM_ERROR || (rc == Z_BUF_ERROR && have == 0 && flush == Z_FINISH) ||
            (have && fwrite(g->out_buf, 1, have, g->out) != have))
            g->failed = 1;
    } while (!g->failed && (g->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END)));
    g->len = 0;
}

static void gzip_append(ProtobufCBuffer *buffer, size_t len, const uint8_t *data)
{
    struct gzip_sink *g = (struct gzip_sink *)buffer;
    while (len > 0 && !g->failed) {
        size_t n = len < sizeof(g->in) - g->len ? len : sizeof(g->in) - g->len;
        memcpy(g->in + g->len, data, n);
        g->len += n;
        data += n;
        len -= n;
        if (g->len == sizeof(g->in))
            deflate_waiting(g, Z_NO_FLUSH);
    }
}

/* Pack msg through gzip into out. 0, -ENOMEM, or -EIO. */
static int write_gzipped(FILE *out, const Perftools__Profiles__Profile *msg)
{
    struct gzip_sink *g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    g->base.append = gzip_append;
    g->out = out;
    if (deflateInit2(&g->z, Z_BEST_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        free(g);
        return -ENOMEM;
    }
    perftools__profiles__profile__pack_to_buffer(msg, &g->base);
    if (!g->failed)
        deflate_waiting(g, Z_FINISH);
    deflateEnd(&g->z);
    int failed = g->failed;
    free(g);
    return failed || ferror(out) ? -EIO : 0;
}

int report_pprof_write(FILE *out, struct analyze_process *const *procs, size_t nprocs)
{
    struct profile pf;
    Perftools__Profiles__Profile msg = PERFTOOLS__PROFILES__PROFILE__INIT;
    memset(&pf, 0, sizeof(pf));
    int rc = pprof_tables_init(&pf.t);
    if (rc == 0)
        rc = build(&pf, procs, nprocs, &msg);
    if (rc == 0)
        rc = write_gzipped(out, &msg);
    profile_fini(&pf);
    return rc;
}
