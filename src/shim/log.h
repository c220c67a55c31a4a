/*
 * Diagnostics of the shim: one line at a time with writev(2), never stdio and never
 * malloc, so it is safe inside the allocator. Every line starts with "heapwise: ".
 * Lines go to the program's standard error as it was when recording started (a copy of
 * it kept at a high descriptor, as memcheck does): a program that closes fd 2 at exit
 * (coreutils' close_stdout) still gets its summary line, and one that closed fd 2 and
 * opened a file of its own there never gets heapwise's lines written into that file.
 */
#ifndef HEAPWISE_SHIM_LOG_H
#define HEAPWISE_SHIM_LOG_H

#include <stdint.h>

/* Longest decimal a log_num buffer holds, NUL included. */
#define LOG_NUM_MAX 24

/*
 * Keep a close-on-exec copy of fd 2 at FDHIGH_MIN or above, and remember which file it
 * is. Called once recording is allowed (never in a secure-execution process).
 */
void log_init(void);

/*
 * Where a line goes now: the copy while it is still the same file, else fd 2 while it is
 * still that file, else -1 (nowhere: the program closed both or put its own files there).
 * fd 2 itself before log_init.
 */
int log_fd(void);

/*
 * Write "heapwise: " + the NULL-terminated list of strings + "\n" as one writev.
 * At most 14 strings are used. errno is preserved.
 */
void log_line(const char *first, ...) __attribute__((sentinel));

/* Format v in decimal into buf[LOG_NUM_MAX]; returns where the digits start in buf. */
const char *log_num(uint64_t v, char *buf);

/* Format v as "0x" and its hexadecimal digits (no leading zeros) into buf[LOG_NUM_MAX];
 * returns buf. */
const char *log_hex(uint64_t v, char *buf);

#endif
