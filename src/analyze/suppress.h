/*
 * Suppression rules in LeakSanitizer's format: one `KIND:PATTERN` per line, `#` comments
 * and blank lines ignored, KIND `leak` or a heap error kind as the JSON report spells it
 * (`double_free`, `invalid_free`, ...). A finding is suppressed when PATTERN matches the
 * function (demangled or mangled), the source file or the module path of any frame of its
 * stacks. Owns parsing, matching, and the rule --gen-suppressions proposes for a finding;
 * counting what each rule suppressed is the analysis's. Never prints.
 */
#ifndef HEAPWISE_ANALYZE_SUPPRESS_H
#define HEAPWISE_ANALYZE_SUPPRESS_H

#include <stddef.h>

#include "analyze/analyze.h"
#include "analyze/strpool.h"

/* The KIND of rules that suppress leaks (any leak class). */
#define SUPPRESS_LEAK "leak"

struct suppress_rule {
    const char *kind;    /* SUPPRESS_LEAK or a heap error kind ("double_free", ...) */
    const char *pattern; /* the text after the colon, blanks around it trimmed */
    const char *glob;    /* pattern as a whole-string glob: '*' only, anchors resolved */
    const char *file;    /* the file it was read from */
    int line;            /* its line in file, from 1 */
};

/* A list of rules, in the order read; the first rule that matches a finding takes it. */
struct suppress {
    struct suppress_rule *rules; /* n entries */
    size_t n, cap;
    struct strpool strings; /* every string of the rules */
};

/* Make an empty list (an all-zero struct suppress is one too). Never fails. */
void suppress_init(struct suppress *s);

/* Free the rules; s is empty and reusable afterwards. */
void suppress_fini(struct suppress *s);

/*
 * Append the rules of text (len bytes, read from file). A line that is not a rule fails
 * with -EINVAL and err->message "FILE:LINE: cause" (err->offset: the line's byte offset);
 * the rules before it are kept. -ENOMEM when out of memory.
 */
int suppress_parse(struct suppress *s, const char *file, const char *text, size_t len,
                   struct analyze_error *err);

/* suppress_parse on the contents of the file at path; -errno (message "PATH: cause") when
 * it cannot be read. */
int suppress_load(struct suppress *s, const char *path, struct analyze_error *err);

/*
 * LeakSanitizer's template match of pattern against str: a substring match, '*' matching
 * any run of characters, a leading '^' anchoring at the start and a '$' at the end (text
 * after the '$' is ignored, as LSan does). An empty str never matches. 1 or 0.
 */
int suppress_match(const char *pattern, const char *str);

/*
 * The first rule of kind that matches any frame of the n stacks (NULL entries skipped):
 * its index, or -1 when none does.
 */
long suppress_find(const struct suppress *s, const char *kind,
                   const struct analyze_stack *const *stacks, size_t n);

/*
 * The rule --gen-suppressions proposes for a finding of kind allocated or hit at st:
 * "KIND:^FUNCTION$" for the innermost frame of the program's own code (not the allocator,
 * not the C or C++ runtime), into buf. 0, or -ENOENT when no frame has a function name
 * (nothing to match), -ENAMETOOLONG when it does not fit.
 */
int suppress_rule_for(char *buf, size_t len, const char *kind, const struct analyze_stack *st);

#endif
