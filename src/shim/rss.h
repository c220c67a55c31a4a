/*
 * The process's resident set size, for the writer thread's SAMPLE records: read(2) of
 * /proc/self/statm through one descriptor kept open (at a high number, close-on-exec) and
 * checked before every read, since a program may close every descriptor or put another
 * file under the number: then statm is opened again and the program's number is left
 * alone. No malloc, no stdio, no lock. One caller at a time (the writer thread).
 */
#ifndef HEAPWISE_SHIM_RSS_H
#define HEAPWISE_SHIM_RSS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The resident bytes of a statm text text[0..n) ("size resident shared ..." in pages of
 * page_bytes): 0, or -1 when the text does not start with two decimal fields.
 */
int rss_parse_statm(const char *text, size_t n, uint64_t page_bytes, uint64_t *bytes);

/* The process's resident set size now, in bytes: 0, or -errno (statm cannot be read). */
int rss_read(uint64_t *bytes);

/*
 * In a forked child (async-signal-safe): the descriptor names the parent's statm; let it
 * go, so that the next rss_read opens the child's own.
 */
void rss_forget(void);

#endif
