/*
 * Env-only mode's summary line and verdict (see summary.h). Knows the leak class names and
 * the order they are listed in; knows nothing of how the numbers were found.
 */
#include "config.h"

#include "shim/summary.h"

#include <string.h>

#include "shim/log.h"
#include "shim/options.h"
#include "trace/format.h"

/* The classes in report order, with their OPTIONS_LEAK_* bit and words. */
static const struct {
    unsigned leak_class; /* enum trace_leak_class */
    unsigned bit;
    const char *words;
} classes[] = {
    {LEAK_DEFINITE, OPTIONS_LEAK_DEFINITE, " definitely lost in "},
    {LEAK_INDIRECT, OPTIONS_LEAK_INDIRECT, " indirectly lost in "},
    {LEAK_POSSIBLE, OPTIONS_LEAK_POSSIBLE, " possibly lost in "},
    {LEAK_REACHABLE, OPTIONS_LEAK_REACHABLE, " still reachable in "},
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

int summary_found(const struct summary *s)
{
    if (s->errors)
        return 1;
    for (size_t i = 0; s->totals && i < NCLASSES; i++)
        if ((s->leak_kinds & classes[i].bit) && s->totals->blocks[classes[i].leak_class])
            return 1;
    return 0;
}

/* Append the NUL-terminated w to buf (length *len), as much as fits. */
static void add(char *buf, size_t *len, const char *w)
{
    size_t n = strlen(w);
    if (n > SUMMARY_LINE_MAX - 1 - *len)
        n = SUMMARY_LINE_MAX - 1 - *len;
    memcpy(buf + *len, w, n);
    *len += n;
    buf[*len] = '\0';
}

/* Append "N word" or "N words". */
static void add_count(char *buf, size_t *len, uint64_t n, const char *word)
{
    char num[LOG_NUM_MAX];
    add(buf, len, log_num(n, num));
    add(buf, len, " ");
    add(buf, len, word);
    if (n != 1)
        add(buf, len, "s");
}

void summary_format(const struct summary *s, char *buf)
{
    size_t len = 0;
    char num[LOG_NUM_MAX];
    buf[0] = '\0';
    for (size_t i = 0; s->totals && i < NCLASSES; i++) {
        unsigned c = classes[i].leak_class;
        if (!(s->leak_kinds & classes[i].bit) || s->totals->blocks[c] == 0)
            continue;
        add(buf, &len, len ? ", " : "");
        add(buf, &len, log_num(s->totals->bytes[c], num));
        add(buf, &len, s->totals->bytes[c] == 1 ? " byte" : " bytes");
        add(buf, &len, classes[i].words);
        add_count(buf, &len, s->totals->blocks[c], "block");
    }
    add(buf, &len, len ? ", " : s->totals ? "no leaks, " : "no leak check, ");
    if (s->errors)
        add_count(buf, &len, s->errors, "heap error");
    else
        add(buf, &len, "no heap errors");
    add(buf, &len, "; trace: ");
    add(buf, &len, s->trace);
    if (summary_found(s)) {
        add(buf, &len, "; run 'heapwise report ");
        add(buf, &len, s->trace);
        add(buf, &len, "'");
    }
    if (s->exit_code) {
        add(buf, &len, "; exit status ");
        add(buf, &len, log_num((uint64_t)s->exit_code, num));
    }
}
