/*
 * The data the HTML report's script draws from: one JSON document in a
 * <script type="application/json" id="heapwise-data"> element,
 *
 *   {"processes": [{"timeline": [[time_ns, bytes, blocks], ...],
 *                   "rss": [[time_ns, resident bytes], ...],
 *                   "flame": {"leaked": FLAME, "allocated": FLAME}}, ...]}
 *   FLAME = {"names": [frame name, ...], "stacks": [[bytes, name index, ...], ...]}
 *
 * timeline and rss share their clock (time since the trace's first event or sample);
 * stacks outermost frame first; at most REPORT_HTML_FLAME_STACKS of them, the largest,
 * and the rest summed as one "[other stacks]" stack.
 */
#ifndef HEAPWISE_ANALYZE_REPORT_HTML_DATA_H
#define HEAPWISE_ANALYZE_REPORT_HTML_DATA_H

#include <stdio.h>

#include "analyze/analyze.h"

/* Write the element. 0, or -ENOMEM. */
int report_html_data(FILE *out, struct analyze_process *const *procs, size_t nprocs);

#endif
