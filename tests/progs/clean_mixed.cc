// 100 000 allocation/release pairs of every kind and several alignments, all correct:
// heapwise must report no error and no leak.
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <new>

struct alignas(64) Wide {
    char bytes[64];
};

static void one_round(int i)
{
    void *p = nullptr;
    switch (i % 8) {
    case 0: std::free(std::malloc(1 + i % 300)); break;
    case 1: std::free(std::calloc(3, 1 + i % 50)); break;
    case 2: std::free(std::realloc(std::malloc(10), 20 + i % 1000)); break;
    case 3: if (posix_memalign(&p, i % 16 ? 64 : 4096, 1 + i % 200) == 0) std::free(p); break;
    case 4: std::free(aligned_alloc(32, 64)); break;
    case 5: delete new int(i); break;
    case 6: delete[] new char[1 + i % 100]; break;
    default: delete new Wide; break;
    }
}

int main()
{
    for (int i = 0; i < 100000; i++)
        one_round(i);
    void *m = std::malloc(5);
    if (malloc_usable_size(m) < 5)
        return 1;
    std::free(m);
    std::printf("clean_mixed: done\n");
    return 0;
}
