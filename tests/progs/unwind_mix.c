/*
 * unwind_mix: drive the walk of unwind_mix.h on four threads, with a signal handler that
 * allocates (raised from leaves: malloc is not async-signal-safe), a plugin loaded,
 * called, unloaded and loaded again, and walks deeper than the default depth limit.
 * argv[1]: the plugin (tests/progs/.libs/plugin.so). Prints "unwind_mix: ok".
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unwind_mix.h"

#define THREADS 3
#define WALKS 400
#define DEEP 100 /* beyond the shim's default depth of 64 */

static __thread void *volatile kept;
static void *(*volatile plugin_leak)(void); /* called by the main thread only */
static __thread int is_main;

void step_o0(int depth, unsigned seed);

step_fn *const mix_steps[] = {step_o0,     step_o2,  step_vla_o2, step_fp,
                              step_vla_fp, step_cxx, step_o0};
const int mix_nsteps = sizeof(mix_steps) / sizeof(mix_steps[0]);

unsigned mix_next(unsigned seed)
{
    return seed * 1103515245u + 12345u;
}

void mix_use(void *p, unsigned size)
{
    if (!p)
        abort();
    memset(p, 1, size < 8 ? size : 8);
    kept = p;
    free(kept);
}

void mix_leaf(unsigned seed)
{
    for (unsigned i = 0; i < 4; i++)
        mix_use(malloc(32 + i * seed % 512), 32);
    if (seed % 7 == 0)
        raise(SIGUSR1);
    if (seed % 3 == 0 && is_main && plugin_leak)
        free(plugin_leak());
}

void step_o0(int depth, unsigned seed)
{
    char buf[64 + seed % 32];
    buf[0] = (char)seed;
    mix_use(malloc(48), 48);
    if (depth <= 0) {
        mix_leaf(seed + (unsigned)buf[0]);
        return;
    }
    unsigned next = mix_next(seed);
    if (next % 11 == 0)
        step_cxx_catch(depth - 1, next);
    else
        mix_steps[next % (unsigned)mix_nsteps](depth - 1, next);
}

static void on_signal(int sig)
{
    (void)sig;
    mix_use(malloc(56), 56);
}

static void walks(unsigned seed)
{
    for (int i = 0; i < WALKS; i++) {
        seed = mix_next(seed);
        step_cxx_catch(i % 50 == 0 ? DEEP : (int)(seed % 24), seed);
    }
}

static void *thread_main(void *arg)
{
    walks((unsigned)(uintptr_t)arg);
    return NULL;
}

static void *load(const char *path)
{
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "unwind_mix: %s\n", dlerror());
        exit(3);
    }
    plugin_leak = (void *(*)(void))dlsym(h, "plugin_leak");
    return h;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    is_main = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    void *h = load(argv[1]);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)(i * 7919 + 1));
    walks(17);
    plugin_leak = NULL;
    dlclose(h);
    h = load(argv[1]);
    walks(99);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    plugin_leak = NULL;
    dlclose(h);
    printf("unwind_mix: ok\n");
    return 0;
}
