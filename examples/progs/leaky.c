/* A test that passes by itself but leaks 24 bytes: heapwise makes it fail. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static char *make_name(void)
{
    char *name = malloc(24); /* LEAK: never freed */
    if (name)
        strcpy(name, "leaky");
    return name;
}

int main(void)
{
    char *volatile name = make_name();
    name = NULL; /* the only pointer is gone */
    return 0;
}
