/*
 * The JSON string writer of report_json.c, for other reports that embed JSON data
 * (report_html.c puts it inside a <script> element).
 */
#ifndef HEAPWISE_ANALYZE_REPORT_JSON_H
#define HEAPWISE_ANALYZE_REPORT_JSON_H

#include <stdio.h>

/*
 * str as a JSON string (RFC 8259; invalid UTF-8 becomes U+FFFD), or null when NULL. With
 * html_safe, '<', '>' and '&' are written as \u003c, \u003e, \u0026 too, so the text can
 * sit inside an HTML <script> element ("</script>" cannot end it).
 */
void report_json_string(FILE *out, const char *str, int html_safe);

#endif
