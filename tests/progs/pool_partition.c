/*
 * A fixed-size partition pool, as embedded systems have them: one malloc'ed area carved
 * into 32-byte blocks kept on a free list, annotated with heapwise_pool_*. The program
 * takes five blocks and gives them back; leak_two takes two more and drops them (64
 * bytes in 2 blocks of pool 'partition' never given back); give_back_twice gives a block
 * back a second time (pool_double_free); give_back_foreign gives back a buffer of its own
 * stack the pool never handed out (pool_invalid_free). The pool lives in main's frame and
 * is never destroyed, so at exit its area (512 bytes) is lost too: it is the pool's
 * superblock, set apart, not a second leak. Prints one line and exits 0, with or without
 * heapwise.
 *
 * With the argument "fork": two blocks are taken, then the process forks. The child leaks
 * two blocks of its own, gives the first back (taken before the fork: valid in its trace
 * too) and gives it back again (pool_double_free); the parent waits, gives both blocks
 * back and destroys the pool: nothing to report in the parent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heapwise.h"
#include "opaque.h"

#define BLOCK_SIZE 32
#define NBLOCKS 16

struct partition {
    unsigned char *area; /* NBLOCKS blocks of BLOCK_SIZE bytes */
    void *free_list;     /* first free block; each free block holds the next */
    unsigned taken;      /* blocks handed out over the run */
};

__attribute__((noinline)) int part_init(struct partition *p, const char *name)
{
    p->area = malloc(NBLOCKS * BLOCK_SIZE);
    if (!p->area)
        return -1;
    p->free_list = NULL;
    p->taken = 0;
    for (int i = NBLOCKS - 1; i >= 0; i--) {
        void **block = (void **)(p->area + i * BLOCK_SIZE);
        *block = p->free_list;
        p->free_list = block;
    }
    heapwise_pool_create(p, name);
    return 0;
}

__attribute__((noinline)) void *part_alloc(struct partition *p)
{
    void **block = p->free_list;
    if (!block)
        return NULL;
    p->free_list = *block;
    p->taken++;
    heapwise_pool_alloc(p, block, BLOCK_SIZE); /* MARK:part_alloc */
    return block;
}

__attribute__((noinline)) void part_free(struct partition *p, void *block)
{
    heapwise_pool_free(p, block); /* MARK:part_free */
    *(void **)block = p->free_list;
    p->free_list = block;
}

__attribute__((noinline)) void part_destroy(struct partition *p)
{
    heapwise_pool_destroy(p);
    free(p->area);
}

__attribute__((noinline)) void leak_two(struct partition *p)
{
    void *volatile kept = NULL;
    for (volatile int i = 0; i < 2; i++) /* one call site for both */
        kept = part_alloc(p);            /* MARK:leak_two */
    kept = NULL;                         /* the only copies are gone */
    (void)kept;
}

__attribute__((noinline)) void give_back_twice(struct partition *p, void *block)
{
    part_free(p, opaque(block)); /* MARK:give_back_twice */
}

__attribute__((noinline)) void give_back_foreign(struct partition *p)
{
    void *local[BLOCK_SIZE / sizeof(void *)];
    part_free(p, opaque(local)); /* MARK:give_back_foreign */
}

static int fork_mode(struct partition *part)
{
    void *first = part_alloc(part), *second = part_alloc(part);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        leak_two(part);
        part_free(part, first); /* MARK:child_free */
        give_back_twice(part, first);
        printf("pool_partition: child\n");
        exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    part_free(part, first);
    part_free(part, second);
    part_destroy(part);
    printf("pool_partition: parent, child exited %d\n", WEXITSTATUS(status));
    return 0;
}

int main(int argc, char **argv)
{
    struct partition part;
    void *kept[5];
    if (part_init(&part, "partition") < 0)
        return 1;
    if (argc > 1 && strcmp(argv[1], "fork") == 0)
        return fork_mode(&part);
    for (int i = 0; i < 5; i++)
        kept[i] = part_alloc(&part);
    for (int i = 0; i < 5; i++)
        part_free(&part, kept[i]);
    leak_two(&part);
    give_back_twice(&part, kept[0]);
    give_back_foreign(&part);
    printf("pool_partition: %u blocks taken\n", part.taken);
    return 0;
}
