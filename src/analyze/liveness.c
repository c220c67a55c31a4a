/*
 * Liveness of a traced process (liveness.h): /proc/PID/stat read and parsed, its start
 * converted from ticks since boot into the header's two clocks. Owns nothing; never
 * prints.
 */
#include "analyze/liveness.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Bytes of /proc/PID/stat read: its fields up to the start time fit with a long name. */
#define LIVENESS_STAT_MAX 4096
/* The start time's field in /proc/PID/stat (1-based), and the state's. */
#define LIVENESS_START_FIELD 22
#define LIVENESS_STATE_FIELD 3

int liveness_parse_stat(const char *text, char *state, uint64_t *start_ticks)
{
    const char *p = strrchr(text, ')');
    if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
        return -EINVAL;
    *state = p[2];
    p += 3;
    for (int field = LIVENESS_STATE_FIELD + 1; field < LIVENESS_START_FIELD; field++) {
        p = strchr(p + 1, ' ');
        if (!p)
            return -EINVAL;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p + 1, &end, 10);
    if (errno || end == p + 1 || (*end != ' ' && *end != '\n' && *end != '\0'))
        return -EINVAL;
    *start_ticks = v;
    return 0;
}

int liveness_started_before(uint64_t start_ticks, const struct liveness_clocks *now,
                            const struct trace_file_header *h)
{
    if (now->ticks_per_s == 0 || start_ticks > UINT64_MAX / 1000000000u ||
        h->start_realtime_ns > UINT64_MAX / 2)
        return 0;
    if (h->start_monotonic_ns > now->monotonic_ns)
        return 0; /* ahead of this boot's monotonic clock: a trace of an earlier boot */
    uint64_t start_boot = start_ticks * 1000000000u / now->ticks_per_s;
    /* boottime = monotonic + time suspended (the clocks were read one after the other) */
    uint64_t suspended = now->boot_ns > now->monotonic_ns ? now->boot_ns - now->monotonic_ns : 0;
    /* start in monotonic time <= trace start + slack, without going below zero */
    if (start_boot > h->start_monotonic_ns + suspended + LIVENESS_SLACK_NS)
        return 0;
    /* and in real time: start_boot + (realtime - boottime) <= trace start + slack */
    return start_boot + now->realtime_ns <= h->start_realtime_ns + now->boot_ns + LIVENESS_SLACK_NS;
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int liveness_running(const struct trace_file_header *h)
{
    char path[64], text[LIVENESS_STAT_MAX];
    if (h->pid == 0 || h->pid > INT32_MAX)
        return 0;
    snprintf(path, sizeof(path), "/proc/%" PRIu64 "/stat", h->pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    char state;
    uint64_t start;
    if (n <= 0)
        return 0;
    text[n] = '\0';
    if (liveness_parse_stat(text, &state, &start) < 0 || state == 'Z' || state == 'X' ||
        state == 'x')
        return 0;
    long tck = sysconf(_SC_CLK_TCK);
    struct liveness_clocks now = {.ticks_per_s = tck > 0 ? (uint64_t)tck : 0};
    now.monotonic_ns = clock_ns(CLOCK_MONOTONIC);
    now.boot_ns = clock_ns(CLOCK_BOOTTIME);
    now.realtime_ns = clock_ns(CLOCK_REALTIME);
    return liveness_started_before(start, &now, h);
}
