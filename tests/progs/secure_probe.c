/*
 * Says whether libheapwise is mapped into this process (its API symbol is found), then
 * leaks a block: where heapwise were recording, a trace would be written and the leak
 * reported. tests/integration/secure.sh runs it set-user-ID.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

void *volatile kept;

int main(void)
{
    kept = malloc(100);
    printf("heapwise %s\n", dlsym(RTLD_DEFAULT, "heapwise_checkpoint") ? "mapped" : "absent");
    kept = NULL; /* now lost */
    return 0;
}
