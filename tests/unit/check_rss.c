/*
 * Unit tests of src/shim/rss.c: the statm parser on exact texts, and rss_read on this
 * process: it follows memory being touched, and survives the program closing its
 * descriptor or putting another file under the number.
 */
#include "check_run.h"
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim/rss.h"

#define MIB (1u << 20)

START_TEST(test_parse)
{
    uint64_t b = 7;
    const char *ok = "2523 391 331 5 0 143 0\n";
    ck_assert_int_eq(rss_parse_statm(ok, strlen(ok), 4096, &b), 0);
    ck_assert_uint_eq(b, 391 * 4096);
    ck_assert_int_eq(rss_parse_statm("10 0", 4, 4096, &b), 0);
    ck_assert_uint_eq(b, 0);
    ck_assert_int_eq(rss_parse_statm("1 2", 3, 65536, &b), 0); /* no newline, 64 KiB pages */
    ck_assert_uint_eq(b, 2 * 65536);
    const char *bad[] = {"", "12", "12 ", "x 1", "1 x", "1 2x 3", "1 -2", "1 99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        b = 7;
        ck_assert_msg(rss_parse_statm(bad[i], strlen(bad[i]), 4096, &b) == -1, "took '%s'", bad[i]);
        ck_assert_uint_eq(b, 7);
    }
    ck_assert_int_eq(rss_parse_statm("1 4503599627370496", 18, 4096, &b), -1); /* overflow */
    ck_assert_int_eq(rss_parse_statm("1 22 3", 3, 4096, &b), 0); /* only n bytes count */
    ck_assert_uint_eq(b, 2 * 4096);
}
END_TEST

/* The descriptor rss_read keeps on /proc/self/statm, or -1. */
static int statm_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int found = -1;
    while (d && (e = readdir(d))) {
        char link[300], target[256];
        snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = '\0';
        if (strstr(target, "/statm"))
            found = atoi(e->d_name);
    }
    if (d)
        closedir(d);
    return found;
}

START_TEST(test_read_follows_memory)
{
    uint64_t before, after, freed;
    ck_assert_int_eq(rss_read(&before), 0);
    ck_assert_uint_gt(before, 0);
    ck_assert_int_ge(statm_fd(), 700); /* kept, out of the program's way */
    size_t n = 32 * MIB;
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(p, MAP_FAILED);
    memset(p, 1, n);
    ck_assert_int_eq(rss_read(&after), 0);
    ck_assert_uint_ge(after, before + n);
    munmap(p, n);
    ck_assert_int_eq(rss_read(&freed), 0);
    ck_assert_uint_lt(freed, after - n / 2);
}
END_TEST

START_TEST(test_descriptor_taken_away)
{
    uint64_t b;
    ck_assert_int_eq(rss_read(&b), 0);
    int fd = statm_fd();
    ck_assert_int_ge(fd, 0);
    close(fd); /* a daemon closing every descriptor */
    ck_assert_int_eq(rss_read(&b), 0);
    ck_assert_uint_gt(b, 0);
    fd = statm_fd();
    int null = open("/dev/null", O_RDONLY);
    ck_assert_int_eq(dup2(null, fd), fd); /* another file under the number */
    ck_assert_int_eq(rss_read(&b), 0);
    ck_assert_uint_gt(b, 0);
    char c;
    ck_assert_int_eq(read(fd, &c, 1), 0); /* still the program's /dev/null */
    ck_assert_int_ne(statm_fd(), fd);
    rss_forget();
    ck_assert_int_eq(rss_read(&b), 0);
    close(null);
}
END_TEST

static Suite *rss_suite(void)
{
    Suite *s = suite_create("rss");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_read_follows_memory);
    tcase_add_test(tc, test_descriptor_taken_away);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(rss_suite());
}
