/*
 * The shared tables of a pprof profile (src/analyze/profile.proto) while report_pprof.c
 * builds it: the string table, and the functions, mappings and locations that samples
 * point to, each added once and numbered from 1 in the order first seen. Locations are
 * built from symbolised frames: a return address and the frames inlined at it become one
 * Location whose Lines run from the innermost inlined function to the function it sits
 * in. Entries are protobuf-c messages ready to pack; the pointers between them are set
 * by pprof_tables_link once nothing more is added. Never prints.
 */
#ifndef HEAPWISE_ANALYZE_PPROF_TABLES_H
#define HEAPWISE_ANALYZE_PPROF_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "analyze/hmap.h"
#include "analyze/strpool.h"
#include "src/analyze/profile.pb-c.h"

/* What makes a location one: the process, the module (0: none) and the address. */
struct pprof_location_key {
    uint64_t address;
    uint32_t process; /* index of the process in the profile */
    uint32_t module;  /* 1 + index in analyze_process.modules, 0: none */
};

struct pprof_tables {
    struct strpool pool; /* copies of every string of the table */
    char **strings;      /* nstrings entries; strings[0] is "" */
    size_t nstrings, strings_cap;
    struct hmap string_ids; /* probe key -> index in strings (size_t) */
    Perftools__Profiles__Function *functions;
    size_t nfunctions, functions_cap;
    struct hmap function_ids; /* probe key -> index in functions */
    Perftools__Profiles__Mapping *mappings;
    size_t nmappings, mappings_cap;
    struct hmap mapping_ids; /* (process + 1) << 32 | module -> index in mappings */
    Perftools__Profiles__Location *locations;
    struct pprof_location_key *location_keys; /* parallel to locations */
    size_t *first_line;                       /* parallel: the location's lines in lines */
    size_t nlocations, locations_cap;
    struct hmap location_ids; /* probe key -> index in locations */
    Perftools__Profiles__Line *lines;
    size_t nlines, lines_cap;
    /* Set by pprof_tables_link: the pointer arrays the messages refer to. */
    Perftools__Profiles__Function **function_ptrs;
    Perftools__Profiles__Mapping **mapping_ptrs;
    Perftools__Profiles__Location **location_ptrs;
    Perftools__Profiles__Line **line_ptrs;
};

/* Grow *array (of size-byte elements, *cap of them) to hold n + 1; 0 or -ENOMEM. */
int pprof_grow(void *array, size_t *cap, size_t n, size_t size);

/* Empty tables holding the string "" at index 0. 0, or -ENOMEM (then fini). */
int pprof_tables_init(struct pprof_tables *t);
void pprof_tables_fini(struct pprof_tables *t);

/* The string table index of s (NULL: ""), added when new. >= 0, or -ENOMEM. */
int64_t pprof_string(struct pprof_tables *t, const char *s);

/*
 * The id (>= 1) of the Location of frames[0..*used) of process `process` (p): the first
 * frame and the frames inlined at its address, *used set to how many that is (>= 1 for
 * n >= 1). Adds the location, its functions and its mapping when new. 0 when out of
 * memory.
 */
uint64_t pprof_location_of(struct pprof_tables *t, uint32_t process,
                           const struct analyze_process *p, const struct analyze_frame *frames,
                           size_t n, size_t *used);

/* Make the messages' pointer arrays (line of each Location). 0, or -ENOMEM. */
int pprof_tables_link(struct pprof_tables *t);

#endif
