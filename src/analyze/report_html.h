/*
 * Pieces of the HTML report (report_html_write in analyze.h) that are tested on their own.
 */
#ifndef HEAPWISE_ANALYZE_REPORT_HTML_H
#define HEAPWISE_ANALYZE_REPORT_HTML_H

#include <stdio.h>

/* Most rows of each table (allocation sites, leaks, heap errors). */
#define REPORT_HTML_TOP 50
/* Most frames of a stack written out (deeper stacks end with "... N more"). */
#define REPORT_HTML_FRAMES 32
/* Most distinct stacks of a flame graph; the smaller rest is one "[other stacks]" entry. */
#define REPORT_HTML_FLAME_STACKS 1000

/* text (NULL: nothing) as HTML text or attribute value: & < > " ' become entities. */
void report_html_text(FILE *out, const char *text);

#endif
