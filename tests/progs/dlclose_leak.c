/* Calls into a plugin that leaks 77 bytes, then dlcloses the plugin before exit. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 3;
    }
    void *(*leak)(void) = (void *(*)(void))dlsym(h, "plugin_leak");
    leak();
    dlclose(h);
    printf("dlclose_leak: done\n");
    return 0;
}
