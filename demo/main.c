/* The demo program: `heapwise run demo/demo` shows a leak report with real stacks. */
#include <stdio.h>

#include "demo.h"

int main(void)
{
    int options = demo_load_config();
    int entries = demo_fill_cache();
    printf("demo: loaded %d options, cached %d entries\n", options, entries);
    return 0;
}
