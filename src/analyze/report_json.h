/*
 * The JSON string writer of report_json.c, for other reports that embed JSON data
 * (report_html.c puts it inside a <script> element), and its UTF-8 check (report_pprof.c's
 * strings must be UTF-8 too).
 */
#ifndef HEAPWISE_ANALYZE_REPORT_JSON_H
#define HEAPWISE_ANALYZE_REPORT_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * Length (2 to 4) of the valid UTF-8 sequence that starts at s[0] (a byte >= 0x80), within
 * n bytes; 0 when it is not one (overlong, surrogate, past U+10FFFF, cut short).
 */
size_t report_json_utf8_len(const unsigned char *s, size_t n);

/*
 * str as a JSON string (RFC 8259; invalid UTF-8 becomes U+FFFD), or null when NULL. With
 * html_safe, '<', '>' and '&' are written as \u003c, \u003e, \u0026 too, so the text can
 * sit inside an HTML <script> element ("</script>" cannot end it).
 */
void report_json_string(FILE *out, const char *str, int html_safe);

#endif
