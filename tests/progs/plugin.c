/* A plugin for dlclose_leak: its allocation site must still symbolise after dlclose. */
#include <stdlib.h>

__attribute__((noinline)) void *plugin_leak(void)
{
    return malloc(77); /* MARK:plugin_leak */
}
