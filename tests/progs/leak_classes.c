/*
 * One program per leak class, with the answer valgrind memcheck gives:
 *   definitely lost: 32 bytes in 2 blocks  (a list head, one block of a lost cycle)
 *   indirectly lost: 80 bytes in 5 blocks  (3 list nodes behind the head, 2 cycle nodes)
 *     possibly lost: 336 bytes in 2 blocks (only an interior pointer in a global; the
 *                    parked thread's TLS vector, 272 bytes under memcheck)
 *   still reachable: 300 bytes in 2 blocks (a global; a pointer on another thread's stack)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct node {
    struct node *next;
    long value;
};

void *volatile global_block;  /* still reachable (volatile: the store must stay) */
char *volatile global_inside; /* points 8 bytes into a block: possibly lost */
static pthread_barrier_t parked;

__attribute__((noinline)) static struct node *make_node(struct node *next)
{
    struct node *n = malloc(sizeof(*n)); /* MARK:make_node */
    n->next = next;
    n->value = 0;
    return n;
}

__attribute__((noinline)) static void lose_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 4; i++)
        head = make_node(head);
}

__attribute__((noinline)) static void lose_cycle(void)
{
    struct node *a = make_node(NULL);
    struct node *b = make_node(a);
    struct node *c = make_node(b);
    a->next = c;
}

/* Keeps its only pointer to a block on its own stack while main exits. */
static void *hold_on_stack(void *arg)
{
    (void)arg;
    void *volatile mine = malloc(200); /* MARK:hold_on_stack */
    pthread_barrier_wait(&parked);
    for (;;)
        pause();
    return (void *)mine;
}

int main(void)
{
    global_block = malloc(100);
    global_inside = (char *)malloc(64) + 8;
    lose_list();
    lose_cycle();
    pthread_t t;
    pthread_barrier_init(&parked, NULL, 2);
    pthread_create(&t, NULL, hold_on_stack, NULL);
    pthread_barrier_wait(&parked);
    printf("leak_classes: done\n");
    return 0;
}
