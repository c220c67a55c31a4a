/*
 * Untrusted text on a terminal. Program paths, arguments and module paths come from the
 * trace, function and file names from the debug information of files the trace names:
 * none of them may move the cursor, recolour the screen or forge a report line.
 */
#ifndef HEAPWISE_ANALYZE_ESCAPE_H
#define HEAPWISE_ANALYZE_ESCAPE_H

#include <stdio.h>

/*
 * Write the len bytes at s to out, each byte that is a control character (C0, DEL, an
 * encoded C1), not part of valid UTF-8, or a backslash written as "\xNN". Valid UTF-8
 * text passes unchanged.
 */
void escape_putn(FILE *out, const char *s, size_t len);

/* escape_putn of the NUL-terminated s. */
void escape_put(FILE *out, const char *s);

#endif
