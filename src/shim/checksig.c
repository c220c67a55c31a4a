/*
 * check_signal (see checksig.h). Owns the signal's handler, the pending request (the time
 * of its first signal and how many came) and its handling on the writer thread: the
 * CHECK record, the scan, and watching that the handler is still ours. The handler does
 * nothing but note the request; the scan never runs on a thread of the program.
 */
#include "config.h"

#include "shim/checksig.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "shim/guard.h"
#include "shim/log.h"
#include "shim/record.h"
#include "shim/scan.h"
#include "shim/shim.h"

/* How often the writer looks whether the program replaced the handler, in ns. */
#define CHECKSIG_WATCH_NS (1000ull * 1000 * 1000)

static _Atomic uint64_t requested_at; /* CLOCK_MONOTONIC of the first pending signal, 0: none */
static _Atomic uint32_t requests;     /* signals since the last CHECK record */
static int installed;                 /* our handler was installed at init */
static int replaced;                  /* the program replaced it since (said once) */

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    uint64_t none = 0;
    atomic_fetch_add(&requests, 1);
    atomic_compare_exchange_strong(&requested_at, &none, record_now());
    errno = saved;
}

/* "SIGUSR2", or the number for a signal without a name, into buf[LOG_NUM_MAX + 3]. */
static const char *signal_name(int sig, char *buf)
{
    const char *abbrev = sigabbrev_np(sig);
    if (!abbrev)
        return log_num((uint64_t)sig, buf);
    memcpy(buf, "SIG", 3);
    memcpy(buf + 3, abbrev, strnlen(abbrev, LOG_NUM_MAX - 1) + 1);
    buf[LOG_NUM_MAX + 2] = '\0';
    return buf;
}

void checksig_init(void)
{
    int sig = shim_options.check_signal;
    char name[LOG_NUM_MAX + 3];
    struct sigaction old, sa;
    if (sig == 0)
        return;
    if (sigaction(sig, NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
        old.sa_handler != SIG_DFL) {
        log_line("check_signal: ", signal_name(sig, name),
                 old.sa_handler == SIG_IGN && !(old.sa_flags & SA_SIGINFO) ? " is ignored"
                                                                           : " has a handler",
                 " already; it is left alone and asks for no leak check", NULL);
        return;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        return;
    installed = 1;
    if (!guard_enabled || !shim_options.leak_scan)
        log_line("check_signal: the leak scan is off (guard=0 or leak_scan=0); ",
                 signal_name(sig, name), " is only noted in the trace", NULL);
}

/* Once in a while: is the handler still ours? One line the first time it is not. */
static void watch(void)
{
    static uint64_t last;
    uint64_t now = record_now();
    struct sigaction cur;
    char name[LOG_NUM_MAX + 3];
    if (replaced || now - last < CHECKSIG_WATCH_NS)
        return;
    last = now;
    if (sigaction(shim_options.check_signal, NULL, &cur) != 0 ||
        (!(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == on_signal))
        return;
    replaced = 1;
    log_line("check_signal: the program set its own action for ",
             signal_name(shim_options.check_signal, name), "; it asks for no leak check any more",
             NULL);
}

/* scan_for_signal's `first`: the CHECK record of the request being taken up. */
static void push_check(void *arg)
{
    const unsigned *outcome = arg;
    struct trace_rec_check *r = record_reserve(sizeof(*r));
    uint64_t at = atomic_exchange(&requested_at, 0);
    uint32_t n = atomic_exchange(&requests, 0);
    if (!r)
        return;
    r->time_ns = at;
    r->signal = (uint32_t)shim_options.check_signal;
    r->requests = n ? n : 1;
    r->outcome = *outcome;
    r->reserved = 0;
    ring_commit(r, trace_hdr_word(sizeof(*r), TRACE_REC_CHECK, 0));
}

int checksig_poll(void)
{
    if (!installed)
        return 0;
    watch();
    if (atomic_load(&requested_at) == 0 || atomic_load(&shim_phase) != SHIM_RECORDING)
        return 0;
    unsigned outcome = TRACE_CHECK_SCANNED;
    if (!guard_enabled || !shim_options.leak_scan) {
        outcome = TRACE_CHECK_NO_SCAN;
        push_check(&outcome);
        return 1;
    }
    int rc = scan_for_signal(push_check, &outcome);
    if (rc == -ECANCELED)
        atomic_store(&requested_at, 0); /* the exit scan comes instead */
    return rc == 0;
}

void checksig_fork_child(void)
{
    atomic_store(&requested_at, 0);
    atomic_store(&requests, 0);
    replaced = 0;
}
