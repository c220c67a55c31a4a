/* Leaks 128 bytes, prints, then dies of SIGTERM sent to itself. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    volatile char *p = malloc(128);
    p[0] = 1;
    printf("die_signal: about to die\n");
    fflush(stdout);
    raise(SIGTERM);
    return 0;
}
