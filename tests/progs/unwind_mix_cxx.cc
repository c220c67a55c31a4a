// C++ steps of unwind_mix: objects whose destructors allocate while an exception unwinds
// through their frames, a throw from the leaf side, the catch higher up.
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "unwind_mix.h"

namespace
{
struct Noisy {
    unsigned size;
    explicit Noisy(unsigned s) : size(s)
    {
        mix_use(std::malloc(size), size);
    }
    ~Noisy()
    {
        mix_use(std::malloc(size + 3), size + 3);
    }
};
} // namespace

extern "C" void step_cxx(int depth, unsigned seed)
{
    Noisy guard(24 + seed % 100);
    std::unique_ptr<std::string> s(new std::string(40 + seed % 60, 'x'));
    if (depth <= 0) {
        s.reset();
        if (seed % 5 == 0)
            throw std::runtime_error("unwind_mix: thrown from a leaf of the walk");
        mix_leaf(seed);
        return;
    }
    unsigned next = mix_next(seed);
    mix_steps[next % static_cast<unsigned>(mix_nsteps)](depth - 1, next);
}

extern "C" void step_cxx_catch(int depth, unsigned seed)
{
    try {
        step_cxx(depth, seed);
    } catch (const std::exception &e) {
        std::string *copy = new std::string(e.what());
        delete copy;
    }
}
