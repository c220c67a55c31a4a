/*
 * The process's memory map as /proc/self/maps states it, for the leak scan: which
 * addresses are mapped and readable (so that a root is never read where it would fault)
 * and which mapping holds a given stack pointer. Reads with open/read into mmap'd memory
 * and parses by hand: no malloc, no stdio, no locks. The parser is pure and works on any
 * buffer.
 */
#ifndef HEAPWISE_SHIM_MAPS_H
#define HEAPWISE_SHIM_MAPS_H

#include <stddef.h>
#include <stdint.h>

/* maps_range.flags */
#define MAPS_READ 0x1u  /* readable, and safe to read: [vvar] and [vsyscall] never are */
#define MAPS_WRITE 0x2u /* writable */
#define MAPS_STACK 0x4u /* named "[stack]": the main thread's stack */
#define MAPS_EXEC 0x10u /* executable */
#define MAPS_ANON 0x8u  /* private, no file and no [name] (or "[anon:...]"): the program's own */

struct maps_range {
    uint64_t start; /* first address */
    uint64_t end;   /* one past the last address */
    uint32_t flags; /* MAPS_* */
    uint32_t reserved;
};

struct maps {
    struct maps_range *r; /* count ranges in address order (mmap'd) */
    size_t count;         /* ranges parsed */
    size_t bytes;         /* size of the mapping behind r */
    char *text;           /* the file's text (mmap'd; kept so that r never names a hole) */
    size_t text_bytes;    /* size of the mapping behind text */
};

/*
 * Parse the text of a maps file (text[0..len)) into out[0..cap). Lines that do not parse
 * are skipped. Returns the number of ranges found (which may exceed cap: only cap are
 * stored).
 */
size_t maps_parse(const char *text, size_t len, struct maps_range *out, size_t cap);

/* Read and parse /proc/thread-self/maps into m (zeroed or released before). 0 or -errno. */
int maps_read(struct maps *m);

/* The range holding addr, or NULL. */
const struct maps_range *maps_find(const struct maps *m, uint64_t addr);

/*
 * Call fn(lo, hi, arg) for each readable piece of [lo, hi), in address order, adjacent
 * readable mappings merged or not (callers must not care).
 */
void maps_each_readable(const struct maps *m, uint64_t lo, uint64_t hi,
                        void (*fn)(uint64_t lo, uint64_t hi, void *arg), void *arg);

/* Unmap m's memory; m is zeroed. */
void maps_release(struct maps *m);

#endif
