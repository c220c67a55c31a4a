// Every error kind through the C++ operators: double delete, delete of a stack object,
// a write before and one past a new[] array, and a write into a deleted object.
#include <cstdio>

template <typename T> static T *opaque(T *p)
{
    T *volatile v = p;
    return v;
}

struct Node {
    long value;
    Node *next;
};

__attribute__((noinline)) void delete_twice()
{
    Node *n = new Node{1, nullptr}; // MARK:new_twice
    Node *alias = opaque(n);
    delete n;
    delete alias; // MARK:delete_twice
}

__attribute__((noinline)) void delete_stack_object()
{
    Node local{2, nullptr};
    delete opaque(&local); // MARK:delete_stack_object
}

__attribute__((noinline)) void write_before_array()
{
    char *a = new char[16]; // MARK:new_before
    opaque(a)[-2] = 'U';
    delete[] a; // MARK:delete_before
}

__attribute__((noinline)) void write_past_array()
{
    char *a = new char[16]; // MARK:new_past
    opaque(a)[16] = 'O';
    delete[] a; // MARK:delete_past
}

__attribute__((noinline)) void write_after_delete()
{
    Node *n = new Node{3, nullptr}; // MARK:new_after
    Node *alias = opaque(n);
    delete n; // MARK:delete_after
    alias->value = 0x4242;
}

int main()
{
    delete_twice();
    delete_stack_object();
    write_before_array();
    write_past_array();
    write_after_delete();
    std::printf("err_cxx_kinds: still running\n");
    return 0;
}
