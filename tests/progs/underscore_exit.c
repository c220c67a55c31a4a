/* Leaks 64 bytes and leaves with _exit(5), skipping atexit handlers. */
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    volatile char *p = malloc(64);
    p[0] = 1;
    _exit(5);
}
