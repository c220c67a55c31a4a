/*
 * The demo program's C half: a tiny "configuration loader" with two real leaks, one
 * block that is correctly freed, and one realloc'd buffer that is leaked. `heapwise run
 * demo/demo` reports each leak at its allocation site.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

struct setting {
    char *key;
    char *value;
    struct setting *next;
};

/* Leak 1: every node of the list is forgotten when the loader returns. */
static struct setting *add_setting(struct setting *head, const char *key, const char *value)
{
    struct setting *s = malloc(sizeof(*s));
    s->key = strdup(key);
    s->value = strdup(value);
    s->next = head;
    return s;
}

/* Leak 2: a log buffer grown with realloc and never released. */
static char *grow_log(char *log, size_t *len, const char *line)
{
    size_t add = strlen(line);
    log = realloc(log, *len + add + 1);
    memcpy(log + *len, line, add + 1);
    *len += add;
    return log;
}

int demo_load_config(void)
{
    struct setting *head = NULL;
    char *log = NULL;
    size_t log_len = 0;
    char *scratch = malloc(4096); /* freed below: not a leak */
    for (int i = 0; i < 4; i++) {
        snprintf(scratch, 4096, "option%d", i);
        head = add_setting(head, scratch, "on");
        log = grow_log(log, &log_len, "loaded one option\n");
    }
    free(scratch);
    int count = 0;
    for (struct setting *s = head; s; s = s->next)
        count++;
    return log_len > 0 ? count : -1;
}
