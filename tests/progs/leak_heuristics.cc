/*
 * memcheck's leak heuristics (its default --leak-check-heuristics=all), with its answer:
 *   still reachable: 161 bytes in 4 blocks (newarray 28, multipleinheritance 40, length64 48,
 *                    stdstring 45: a copy-on-write string's text, as std::logic_error keeps)
 *     possibly lost: 64 bytes in 1 blocks  (a plain interior pointer)
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
struct Obj { int v; ~Obj() { v = 0; } };
struct A { virtual ~A() {} long a = 1; };
struct B { virtual ~B() {} long b = 2; };
struct C : A, B { long c = 3; };
Obj *arr;          // new[] with a cookie: interior pointer 8 bytes in
B *secondary;      // a C seen through its second base
char *len_prefixed; // 64-bit length then data, pointer past the length
char *inside;      // plain interior pointer: possibly lost
char *cow_text;    // length, capacity, refcount, then capacity + 1 bytes: points at the text
int main() {
    arr = new Obj[5];
    secondary = new C;
    size_t n = 40;
    char *p = (char *)malloc(8 + n); memcpy(p, &n, 8); len_prefixed = p + 8;
    char *q = (char *)calloc(1, 64); inside = q + 24;
    size_t cow[3] = {5, 20, 0}; /* length 5, capacity 20: 24 + 20 + 1 = 45 bytes */
    char *r = (char *)malloc(sizeof(cow) + 21); memcpy(r, cow, sizeof(cow));
    strcpy(r + sizeof(cow), "hello"); cow_text = r + sizeof(cow);
    printf("leak_heuristics: done\n");
    return 0;
}
