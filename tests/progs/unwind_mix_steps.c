/* Steps of unwind_mix built twice at -O2: STEP(name) is name_o2 without frame pointers,
 * name_fp with them (see tests/integration/local.mk). */
#include <alloca.h>
#include <stdlib.h>

#include "unwind_mix.h"

#define CAT(a, b) a##b
#define NAME(a, b) CAT(a, b)
#define STEP(name) NAME(name, STEP_SUFFIX)

void STEP(step_)(int depth, unsigned seed)
{
    unsigned size = 16 + seed % 200;
    void *p = malloc(size);
    mix_use(p, size);
    if (depth <= 0) {
        mix_leaf(seed);
        return;
    }
    unsigned next = mix_next(seed);
    mix_steps[next % (unsigned)mix_nsteps](depth - 1, next);
    p = malloc(size + 1); /* after the call: the frame stays, no tail call */
    mix_use(p, size + 1);
}

void STEP(step_vla_)(int depth, unsigned seed)
{
    unsigned n = 8 + seed % 64;
    char vla[n];
    char *a = alloca(n + (seed % 3) * 16);
    vla[0] = a[0] = (char)seed;
    void *p = malloc(n);
    mix_use(p, n);
    if (depth > 0) {
        unsigned next = mix_next(seed);
        mix_steps[next % (unsigned)mix_nsteps](depth - 1, next);
    } else {
        mix_leaf(seed);
    }
    p = malloc((unsigned)(vla[0] & 0x3f) + (unsigned)(a[0] & 1) + 1);
    mix_use(p, 1);
}
