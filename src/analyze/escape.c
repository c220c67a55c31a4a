/* Untrusted text on a terminal (escape.h). */
#include "analyze/escape.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most avail bytes) that is not a C1 control,
 * or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    size_t n;
    unsigned min;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, min = 0xa0; /* U+0080..U+009F are the C1 controls */
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, min = 0x800;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (n > avail)
        return 0;
    unsigned cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void escape_putn(FILE *out, const char *s, size_t len)
{
    const unsigned char *c = (const unsigned char *)s, *end = c + len;
    while (c < end) {
        size_t n = *c >= 0x80 ? utf8_len(c, (size_t)(end - c)) : 1;
        if (n > 1 || (n == 1 && *c >= 0x20 && *c != 0x7f && *c != '\\')) {
            fwrite(c, 1, n, out);
            c += n;
        } else {
            fprintf(out, "\\x%02x", *c++);
        }
    }
}

void escape_put(FILE *out, const char *s)
{
    escape_putn(out, s, strlen(s));
}
