// 8 threads x N allocator calls (argv[1], default 1000000), every entry point: malloc,
// calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc, free and
// the C++ new/delete variants (plain, array, nothrow, aligned, sized). Each thread keeps a
// few blocks of its own and swaps blocks with the others through a shared exchange array,
// so many blocks are released by a thread that did not allocate them. Everything is
// released at the end. Prints what it did ("stress: allocations A frees F"), counted as the
// trace counts it: a resizing realloc is a release and an allocation.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <new>
#include <pthread.h>

#define THREADS 8
#define LOCAL 32      // blocks a thread holds at most
#define EXCHANGE 64   // slots of the shared exchange array
#define ALIGN 64      // alignment of the aligned new variants
#define KIND_MASK 15u // a block's kind in the low bits of an exchange slot

enum kind { K_NONE, K_MALLOC, K_NEW, K_NEW_ARRAY, K_NEW_ALIGNED, K_NEW_ARRAY_ALIGNED };

struct block {
    void *p;
    unsigned kind;
};

struct worker {
    pthread_t thread;
    long ops; // allocator calls to make
    uint64_t rng;
    uint64_t allocations, frees;
    struct block local[LOCAL];
};

static std::atomic<uintptr_t> exchange[EXCHANGE];
static std::atomic<int> ready;

static unsigned next(struct worker *w)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return (unsigned)(w->rng >> 11);
}

// Every block holds its size in its first word (the sized deletes need it).
static void *stamp(void *p, size_t size)
{
    if (p)
        *(size_t *)p = size;
    return p;
}

static struct block allocate(struct worker *w, unsigned op)
{
    size_t size = 16 + next(w) % 512;
    void *p = nullptr;
    unsigned k = K_MALLOC;
    switch (op % 13) {
    case 0:
        p = malloc(size);
        break;
    case 1:
        p = calloc(1 + size / 16, 16), size = (1 + size / 16) * 16;
        break;
    case 2:
        p = realloc(nullptr, size);
        break;
    case 3:
        p = reallocarray(nullptr, 2, size), size *= 2;
        break;
    case 4:
        if (posix_memalign(&p, 32 << (op % 4), size))
            p = nullptr;
        break;
    case 5:
        p = aligned_alloc(ALIGN, size);
        break;
    case 6:
        p = memalign(128, size);
        break;
    case 7:
        p = valloc(size);
        break;
    case 8:
        p = ::operator new(size), k = K_NEW;
        break;
    case 9:
        p = ::operator new[](size), k = K_NEW_ARRAY;
        break;
    case 10:
        p = ::operator new(size, std::nothrow), k = K_NEW;
        break;
    case 11:
        p = ::operator new(size, std::align_val_t(ALIGN)), k = K_NEW_ALIGNED;
        break;
    default:
        p = ::operator new[](size, std::align_val_t(ALIGN)), k = K_NEW_ARRAY_ALIGNED;
        break;
    }
    if (!p)
        abort();
    w->allocations++;
    return {stamp(p, size), k};
}

static void release(struct worker *w, struct block b, unsigned op)
{
    size_t size = *(size_t *)b.p;
    std::align_val_t al = std::align_val_t(ALIGN);
    w->frees++;
    switch (b.kind) {
    case K_MALLOC:
        free(b.p);
        break;
    case K_NEW:
        if (op % 3 == 0)
            ::operator delete(b.p);
        else if (op % 3 == 1)
            ::operator delete(b.p, size);
        else
            ::operator delete(b.p, std::nothrow);
        break;
    case K_NEW_ARRAY:
        if (op % 2)
            ::operator delete[](b.p);
        else
            ::operator delete[](b.p, size);
        break;
    case K_NEW_ALIGNED:
        if (op % 2)
            ::operator delete(b.p, al);
        else
            ::operator delete(b.p, size, al);
        break;
    default:
        if (op % 2)
            ::operator delete[](b.p, al);
        else
            ::operator delete[](b.p, size, al);
        break;
    }
}

// Resize a malloc-family block: realloc or reallocarray, growing, shrinking or to zero.
static void resize(struct worker *w, struct block *b, unsigned op)
{
    size_t size = 16 + next(w) % 2048;
    w->frees++;
    if (op % 8 == 0) { // realloc(p, 0) releases the block (glibc) and returns NULL
        if (realloc(b->p, 0))
            abort();
        b->kind = K_NONE;
        return;
    }
    void *q = op % 2 ? realloc(b->p, size) : reallocarray(b->p, size / 16, 16);
    if (!q)
        abort();
    w->allocations++;
    b->p = stamp(q, op % 2 ? size : size / 16 * 16);
}

// Give b to the exchange array and take what was there (maybe nothing).
static struct block swap(struct worker *w, struct block b)
{
    uintptr_t mine = b.kind == K_NONE ? 0 : (uintptr_t)b.p | b.kind;
    uintptr_t theirs = exchange[next(w) % EXCHANGE].exchange(mine);
    return {(void *)(theirs & ~(uintptr_t)KIND_MASK), (unsigned)(theirs & KIND_MASK)};
}

static void *work(void *arg)
{
    struct worker *w = (struct worker *)arg;
    ready.fetch_add(1);
    while (ready.load() < THREADS)
        ;
    while ((long)(w->allocations + w->frees) < w->ops) {
        unsigned op = next(w);
        struct block *b = &w->local[op % LOCAL];
        op /= LOCAL;
        if (b->kind == K_NONE)
            *b = allocate(w, op);
        else if (op % 4 == 0)
            *b = swap(w, *b);
        else if (op % 4 == 1 && b->kind == K_MALLOC)
            resize(w, b, op / 4);
        else
            release(w, *b, op / 4), b->kind = K_NONE;
    }
    for (int i = 0; i < LOCAL; i++)
        if (w->local[i].kind != K_NONE)
            release(w, w->local[i], (unsigned)i);
    return nullptr;
}

int main(int argc, char **argv)
{
    static struct worker w[THREADS];
    long ops = argc > 1 ? atol(argv[1]) : 1000000;
    uint64_t allocations = 0, frees = 0;
    for (int i = 0; i < THREADS; i++) {
        w[i].ops = ops;
        w[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
        if (pthread_create(&w[i].thread, nullptr, work, &w[i]))
            abort();
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(w[i].thread, nullptr);
        allocations += w[i].allocations;
        frees += w[i].frees;
    }
    struct worker last = {};
    for (int i = 0; i < EXCHANGE; i++) {
        struct block b = {(void *)(exchange[i] & ~(uintptr_t)KIND_MASK),
                          (unsigned)(exchange[i] & KIND_MASK)};
        if (b.kind != K_NONE)
            release(&last, b, (unsigned)i);
    }
    printf("stress: allocations %llu frees %llu\n", (unsigned long long)allocations,
           (unsigned long long)(frees + last.frees));
    return 0;
}
