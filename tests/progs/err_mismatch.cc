// Five mismatched deallocations, each in its own function; the program keeps running.
#include <cstdio>
#include <cstdlib>
#include <new>

template <typename T> static T *opaque(T *p)
{
    T *volatile v = p;
    return v;
}

struct alignas(64) Wide {
    char bytes[64];
};

__attribute__((noinline)) void malloc_then_delete()
{
    int *p = static_cast<int *>(std::malloc(sizeof(int)));
    delete opaque(p); // MARK:malloc_then_delete
}

__attribute__((noinline)) void new_then_free()
{
    int *p = new int(1);
    std::free(opaque(p)); // MARK:new_then_free
}

__attribute__((noinline)) void new_array_then_delete()
{
    int *p = new int[4];
    delete opaque(p); // MARK:new_array_then_delete
}

__attribute__((noinline)) void new_then_delete_array()
{
    int *p = new int(2);
    delete[] opaque(p); // MARK:new_then_delete_array
}

__attribute__((noinline)) void aligned_new_then_plain_delete()
{
    Wide *p = new Wide;
    ::operator delete(opaque(static_cast<void *>(p))); // MARK:aligned_new_then_plain_delete
}

int main()
{
    malloc_then_delete();
    new_then_free();
    new_array_then_delete();
    new_then_delete_array();
    aligned_new_then_plain_delete();
    std::printf("err_mismatch: still running\n");
    return 0;
}
