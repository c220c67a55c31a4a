/*
 * The fatal-signal handlers (fatal.h). The handler runs shim_finish, which never mallocs
 * or takes a lock another thread could hold, then restores SIG_DFL and re-raises: the
 * signal is blocked while the handler runs, so it is delivered, with its default action,
 * as soon as the handler returns (for a fault, before the instruction runs again).
 */
#include "config.h"

#include "shim/fatal.h"

#include <signal.h>
#include <string.h>

#include "shim/ownmem.h"
#include "shim/shim.h"

/* Bytes of the alternate signal stack: the leak scan runs on it after a stack overflow. */
#define FATAL_ALTSTACK (256u * 1024)

/* The signals whose default action terminates the process (with or without a core). */
static const int fatal_signals[] = {
    SIGSEGV, SIGBUS,  SIGFPE,  SIGILL,  SIGABRT, SIGTRAP, SIGSYS,  SIGTERM, SIGINT,
    SIGHUP,  SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ,
};

static void on_fatal(int sig, siginfo_t *info, void *context)
{
    (void)info;
    (void)context;
    shim_finish(sig, TRACE_END_SIGNAL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

/* An alternate stack for this thread when it has none; registered as heapwise's own. */
static void give_altstack(void)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0 || !(cur.ss_flags & SS_DISABLE))
        return;
    void *mem = ownmem_map(FATAL_ALTSTACK);
    if (!mem)
        return;
    stack_t st = {.ss_sp = mem, .ss_size = FATAL_ALTSTACK, .ss_flags = 0};
    sigaltstack(&st, NULL);
}

void fatal_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    give_altstack();
    for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
        struct sigaction old;
        if (sigaction(fatal_signals[i], NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
            old.sa_handler == SIG_DFL)
            sigaction(fatal_signals[i], &sa, NULL);
    }
}
