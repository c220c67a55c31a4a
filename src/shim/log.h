/*
 * Diagnostics of the shim: one line at a time on fd 2 with writev(2), never stdio and
 * never malloc, so it is safe inside the allocator. Every line starts with "heapwise: ".
 */
#ifndef HEAPWISE_SHIM_LOG_H
#define HEAPWISE_SHIM_LOG_H

#include <stdint.h>

/* Longest decimal a log_num buffer holds, NUL included. */
#define LOG_NUM_MAX 24

/*
 * Write "heapwise: " + the NULL-terminated list of strings + "\n" as one writev.
 * At most 14 strings are used. errno is preserved.
 */
void log_line(const char *first, ...) __attribute__((sentinel));

/* Format v in decimal into buf[LOG_NUM_MAX]; returns where the digits start in buf. */
const char *log_num(uint64_t v, char *buf);

#endif
