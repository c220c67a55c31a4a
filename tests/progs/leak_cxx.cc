// Leaks one 24-byte object (new) and one 40-byte array (new[]); throws and catches an
// exception through the shim; frees everything else.
#include <cstdio>
#include <new>
#include <stdexcept>
#include <vector>

struct Widget {
    long a, b, c;
};

namespace app {
__attribute__((noinline)) Widget *make_widget()
{
    return new Widget{1, 2, 3}; // MARK:make_widget
}
__attribute__((noinline)) int *make_array()
{
    return new int[10]; // MARK:make_array
}
} // namespace app

struct alignas(64) Aligned {
    char bytes[64];
};

int main()
{
    Widget *w = app::make_widget();
    int *arr = app::make_array();
    delete new Widget{};
    delete[] new int[3];
    delete new Aligned{};
    delete[] new Aligned[2];
    int *nt = new (std::nothrow) int(5);
    delete nt;
    int caught = 0;
    try {
        std::vector<int> v(5);
        throw std::runtime_error("through the shim");
    } catch (const std::exception &) {
        caught = 1;
    }
    std::printf("leak_cxx: caught=%d %ld %d\n", caught, w->a, arr != nullptr);
    return 0;
}
