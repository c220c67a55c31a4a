/*
 * Reading the resident set size (see rss.h). Owns the statm descriptor and its identity
 * (device and inode: statm of another process, or any other file, never passes for it).
 * Runs on the writer thread only; must not allocate or use stdio.
 */
#include "config.h"

#include "shim/rss.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim/fdhigh.h"

/* Bytes of statm read: its seven fields in pages fit easily. */
#define RSS_TEXT_MAX 128

static int fd = -1; /* /proc/self/statm of this process, or -1 */
static dev_t dev;   /* its identity while fd is open */
static ino_t ino;
static uint64_t page_bytes;

/* Parse one decimal field at text[*at..n) after any spaces; advances *at. 0 or -1. */
static int field(const char *text, size_t n, size_t *at, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = *at;
    while (i < n && text[i] == ' ')
        i++;
    size_t first = i;
    for (; i < n && text[i] >= '0' && text[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (i == first || (i < n && text[i] != ' ' && text[i] != '\n'))
        return -1;
    *at = i;
    *out = v;
    return 0;
}

int rss_parse_statm(const char *text, size_t n, uint64_t page, uint64_t *bytes)
{
    size_t at = 0;
    uint64_t size, resident;
    if (field(text, n, &at, &size) < 0 || field(text, n, &at, &resident) < 0)
        return -1;
    if (page && resident > UINT64_MAX / page)
        return -1;
    *bytes = resident * page;
    return 0;
}

/* 1 when fd is still open on the statm opened. */
static int still_ours(void)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/* Open statm (again) at a high number; 0 or -errno. */
static int reopen(void)
{
    struct stat st;
    fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    fd = fdhigh_move(fd);
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        fd = -1;
        return -e;
    }
    dev = st.st_dev;
    ino = st.st_ino;
    if (page_bytes == 0)
        page_bytes = (uint64_t)sysconf(_SC_PAGESIZE);
    return 0;
}

int rss_read(uint64_t *bytes)
{
    char text[RSS_TEXT_MAX];
    int rc = still_ours() ? 0 : reopen();
    if (rc < 0)
        return rc;
    ssize_t n;
    while ((n = pread(fd, text, sizeof(text), 0)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        return -errno;
    return rss_parse_statm(text, (size_t)n, page_bytes, bytes) < 0 ? -EINVAL : 0;
}

void rss_forget(void)
{
    if (still_ours())
        close(fd);
    fd = -1;
}
