/*
 * unwind_mix: stacks of every shape the shim's unwinder meets, for the differential test
 * (tests/integration/unwind.sh). A "step" allocates and calls the next step, picked by a
 * pseudo-random walk over steps compiled in different ways: this file's own at -O0,
 * unwind_mix_steps.c at -O2 with and without frame pointers, unwind_mix_cxx.cc (C++,
 * throwing through its frames).
 */
#ifndef UNWIND_MIX_H
#define UNWIND_MIX_H

#ifdef __cplusplus
extern "C" {
#endif

typedef void step_fn(int depth, unsigned seed);

/* Every step, in all objects, and how many. */
extern step_fn *const mix_steps[];
extern const int mix_nsteps;

/* The next seed of the walk. */
unsigned mix_next(unsigned seed);
/* What the deepest step does: allocations, sometimes a signal, a plugin call, a throw. */
void mix_leaf(unsigned seed);
/* Keep an allocation alive past the optimiser, then free it. */
void mix_use(void *p, unsigned size);

void step_o2(int depth, unsigned seed);
void step_vla_o2(int depth, unsigned seed);
void step_fp(int depth, unsigned seed);
void step_vla_fp(int depth, unsigned seed);
void step_cxx(int depth, unsigned seed);
void step_cxx_catch(int depth, unsigned seed);

#ifdef __cplusplus
}
#endif

#endif
