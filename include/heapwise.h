/*
 * heapwise public API. The only installed header. Every function is declared weak, so a
 * program that calls them links and runs without heapwise: test the address first.
 *
 *     if (heapwise_active && heapwise_active())
 *         ...
 *
 * Safe to include from C and C++.
 */
#ifndef HEAPWISE_H
#define HEAPWISE_H

#ifdef __cplusplus
extern "C" {
#endif

#define HEAPWISE_VERSION_MAJOR 0
#define HEAPWISE_VERSION_MINOR 1

/*
 * 1 when libheapwise.so is loaded into this process and recording, 0 when it is loaded
 * but not recording (disabled, or its trace file could not be opened). The symbol itself
 * is NULL when heapwise is not loaded.
 */
int heapwise_active(void) __attribute__((weak));

#ifdef __cplusplus
}
#endif

#endif
