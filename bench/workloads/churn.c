/*
 * Workloads 1 and 2 of the benchmark: small malloc/free pairs of mixed sizes made at a
 * call depth of about 12, on one thread, or on two threads that also free each other's
 * blocks (a handoff queue per direction). Prints nothing; exits 0.
 *
 *   churn PAIRS [THREADS]      PAIRS in total, split between THREADS (1 or 2)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Frames between main (or the thread start) and the allocating leaf. */
#define CHURN_DEPTH 12
/* Blocks each thread keeps in flight: a free and a malloc per pair replace one slot. */
#define CHURN_SLOTS 64
/* One pair in HANDOFF_EVERY hands the block to the other thread instead of freeing it. */
#define HANDOFF_EVERY 8
/* Capacity of each single-producer single-consumer handoff queue (power of two). */
#define QUEUE_SLOTS 1024

struct queue {
    _Atomic uint64_t head; /* next slot the producer writes */
    char pad[56];
    _Atomic uint64_t tail; /* next slot the consumer reads */
    void *slot[QUEUE_SLOTS];
};

struct worker {
    uint64_t pairs;         /* malloc/free pairs to do */
    uint64_t seed;          /* xorshift state */
    struct queue *out, *in; /* handoff queues; NULL on one thread */
    void *slot[CHURN_SLOTS];
};

static volatile uintptr_t sink;

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Mostly 16-271 bytes, one in 16 up to 4 KiB. */
static size_t pick_size(uint64_t r)
{
    return (r & 0xf000) == 0 ? 16 + (r >> 20) % 4080 : 16 + (r >> 20) % 256;
}

static int push(struct queue *q, void *p)
{
    uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
    if (h - atomic_load_explicit(&q->tail, memory_order_acquire) == QUEUE_SLOTS)
        return -1;
    q->slot[h % QUEUE_SLOTS] = p;
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
    return 0;
}

static void *pop(struct queue *q)
{
    uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    if (t == atomic_load_explicit(&q->head, memory_order_acquire))
        return NULL;
    void *p = q->slot[t % QUEUE_SLOTS];
    atomic_store_explicit(&q->tail, t + 1, memory_order_release);
    return p;
}

/* Two leaves, so the trace holds more than one allocating stack. */
static __attribute__((noinline)) void *leaf_a(size_t n)
{
    char *p = malloc(n);
    p[0] = 1;
    return p;
}

static __attribute__((noinline)) void *leaf_b(size_t n)
{
    char *p = malloc(n);
    p[n - 1] = 2;
    return p;
}

static __attribute__((noinline)) void step(struct worker *w, uint64_t i)
{
    uint64_t r = next_rand(&w->seed);
    unsigned k = (unsigned)(r % CHURN_SLOTS);
    void *old = w->slot[k];
    if (w->out && i % HANDOFF_EVERY == 0 && push(w->out, old) == 0)
        old = NULL;
    free(old);
    if (w->in)
        free(pop(w->in));
    w->slot[k] = (r & 0x100) ? leaf_a(pick_size(r)) : leaf_b(pick_size(r));
}

/* Recurses down to depth 0, then runs a batch of pairs; the add defeats tail calls. */
static __attribute__((noinline)) uint64_t descend(struct worker *w, int depth, uint64_t from,
                                                  uint64_t to)
{
    if (depth > 0)
        return descend(w, depth - 1, from, to) + (uint64_t)depth;
    for (uint64_t i = from; i < to; i++)
        step(w, i);
    return to - from;
}

/* Batches short enough that the recursion is redone often, long enough to cost little. */
#define BATCH 16

static void *run(void *arg)
{
    struct worker *w = arg;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < w->pairs; i += BATCH)
        sum += descend(w, CHURN_DEPTH - 3, i, i + BATCH < w->pairs ? i + BATCH : w->pairs);
    for (unsigned k = 0; k < CHURN_SLOTS; k++)
        free(w->slot[k]);
    sink = sum;
    return NULL;
}

int main(int argc, char **argv)
{
    uint64_t pairs = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    if (threads == 1) {
        struct worker w = {.pairs = pairs, .seed = 88172645463325252ull};
        run(&w);
        return 0;
    }
    if (threads != 2) {
        fprintf(stderr, "churn: THREADS must be 1 or 2\n");
        return 2;
    }
    static struct queue q[2];
    static struct worker w[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        w[i] = (struct worker){.pairs = pairs / 2,
                               .seed = 88172645463325252ull + (uint64_t)i,
                               .out = &q[i],
                               .in = &q[1 - i]};
        pthread_create(&t[i], NULL, run, &w[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++)
        for (void *p; (p = pop(&q[i]));)
            free(p);
    return 0;
}
