/* A test that passes under heapwise: everything it allocates is released. */
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *s = malloc(32);
    if (!s)
        return 1;
    strcpy(s, "clean");
    free(s);
    return 0;
}
