/*
 * Death by a signal (memcheck's habit): for each signal whose default action ends the
 * process and that the program left at that default, heapwise's handler does the exit
 * work first (guard check, leak scan, END record naming the signal), then puts the default
 * back and raises the signal again, so that the process dies of it as it would have. A
 * handler the program installs later simply replaces ours. The check_signal signal
 * (checksig.h) is not fatal: its handler is installed first, so it is not at its default.
 */
#ifndef HEAPWISE_SHIM_FATAL_H
#define HEAPWISE_SHIM_FATAL_H

/*
 * Once at init, recording: install the handlers where the action is SIG_DFL, and give the
 * main thread an alternate signal stack when it has none, so that a stack overflow is
 * reported too. Failures leave the signal as it was.
 */
void fatal_init(void);

#endif
