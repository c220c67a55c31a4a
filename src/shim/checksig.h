/*
 * Leak checks asked for by a signal (the check_signal option), for programs that never
 * exit and cannot call heapwise_leak_check, such as servers. The handler only notes the
 * request (async-signal-safe: two atomic operations and clock_gettime); the writer
 * thread, which calls checksig_poll on every pass, takes it up: it pushes a CHECK record
 * and runs the leak scan of the whole program (scan_for_signal), whose LEAKSCAN records it
 * drains to the file on its next pass. The program keeps the last word on the signal: a
 * handler it installs later replaces heapwise's, and from then on the signal is only its.
 */
#ifndef HEAPWISE_SHIM_CHECKSIG_H
#define HEAPWISE_SHIM_CHECKSIG_H

/*
 * Once at init, recording, before fatal_init (which then leaves the signal alone): take
 * the check_signal signal over when its action is the default one; otherwise (ignored,
 * or another handler) leave it as it is, with one line on stderr. Nothing without
 * check_signal.
 */
void checksig_init(void);

/*
 * The writer thread's turn (recursion guard held): a request noted since the last call is
 * taken up, unless another thread's scan is running (then at a later call). Also notices,
 * once a second or so, that the program replaced the handler (one line on stderr).
 * Returns 1 when it pushed records (to be drained now), else 0.
 */
int checksig_poll(void);

/* In a forked child (async-signal-safe): requests noted before the fork were the parent's. */
void checksig_fork_child(void);

#endif
