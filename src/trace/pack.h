/*
 * The packed form of records inside a frame (format version 2; man heapwise-trace.5): the
 * three hot record types as a tag byte and varints, each field a difference from the
 * record before it in the frame, the pointers by their place among the last PACK_WINDOW
 * pointers; every other record (and any hot record these fields cannot say exactly) as it
 * is. Lossless but for times, which are rounded down to a multiple of the time unit:
 * unpacking gives back the bytes that were packed. Pure functions over
 * bytes, no allocation: the writer packs inside the traced process, the reader unpacks
 * untrusted input.
 *
 * A packed record:
 *   tag (1 byte): bits 0-2 op, bits 3-5 kind (trace_rec_hdr.aux), bit 6 tid follows,
 *                 bit 7 pointer differences are in bytes (else in units of 16 bytes)
 *   op 0 (verbatim): the whole record follows, header first
 *   op 1 alloc:   [tid] dtime ptr size dstack
 *   op 2 free:    [tid] dtime ptr dstack
 *   op 3 realloc: [tid] dtime old_ptr new_ptr size dstack
 *   op 4 stack:   did depth shared, then depth - shared addresses (kind, tid bits 0)
 * tid and size are unsigned LEB128 varints; dtime and dstack zigzag varints of the
 * difference from the previous hot record's time (in time units) and stack; a pointer is
 * a varint v:
 * v < PACK_WINDOW says it equals the pointer field v places back among the last
 * PACK_WINDOW ones (0: the previous one), else v - PACK_WINDOW is the zigzag difference
 * from the previous pointer field. A stack: did is the zigzag difference of its id from
 * one past the previous stack record's (0 at the start of a frame), depth its frames,
 * shared how many of its outermost frames are those of the previous stack record, and
 * the others follow innermost first, each a zigzag difference from the address before it
 * (the first from 0).
 */
#ifndef HEAPWISE_TRACE_PACK_H
#define HEAPWISE_TRACE_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "trace/format.h"

/* Pointer fields remembered for repeats (a free of a block just allocated, an address
 * reused); a power of two. */
#define PACK_WINDOW 4096
/* Slots of the packing side's index of the window (a power of two). */
#define PACK_INDEX 4096
/* Most bytes one record may take packed: a verbatim record and its tag. */
#define PACK_RECORD_MAX (TRACE_REC_MAX + 1)

/* Ops of the tag's low 3 bits. */
enum pack_op {
    PACK_VERBATIM = 0,
    PACK_ALLOC = 1,
    PACK_FREE = 2,
    PACK_REALLOC = 3,
    PACK_STACK = 4,
};

/* What packing and unpacking remember between the records of one frame. */
struct pack_state {
    uint64_t time;                    /* of the previous hot record, in time units */
    uint64_t ptr;                     /* the previous pointer field */
    uint64_t seen;                    /* pointer fields so far */
    uint32_t time_unit;               /* ns per time unit, >= 1 */
    uint32_t tid;                     /* of the previous hot record */
    uint32_t stack;                   /* of the previous hot record */
    uint32_t stack_id;                /* of the previous stack record */
    uint32_t depth;                   /* its frames, */
    uint64_t frames[TRACE_STACK_MAX]; /* innermost first */
    uint64_t window[PACK_WINDOW];     /* the last pointer fields, circular: field number n at
                                         n % PACK_WINDOW */
    /* Packing side only: where in the window a pointer may be (a hash of it picks the
     * slot; a slot may be stale or taken by another pointer: checked in the window). */
    uint64_t index[PACK_INDEX]; /* field number + 1 of the last pointer hashed here */
};

/*
 * Forget everything: the state at the start of every frame, whose times are packed in
 * units of time_unit ns (trace_file_header.time_unit; 0 means 1).
 */
void pack_reset(struct pack_state *s, uint32_t time_unit);

/*
 * Pack the complete record rec (its header's size, at most TRACE_REC_MAX) to out, which
 * has room for PACK_RECORD_MAX bytes. Returns the bytes written.
 */
size_t pack_record(struct pack_state *s, const struct trace_rec_hdr *rec, unsigned char *out);

/*
 * Unpack one record from the avail bytes at in into rec (room for TRACE_REC_MAX bytes,
 * 8-aligned). Returns the bytes of in it took (> 0), or -EINVAL with *why set when they
 * are no packed record (the record itself is left to trace_rec_check).
 */
long pack_unpack(struct pack_state *s, const unsigned char *in, size_t avail, void *rec,
                 const char **why);

#endif
