/*
 * Unit tests of src/analyze/symbolize.c against this very program: functions and lines of
 * symtarget.c, an inlined frame, map generations, shim frame hiding, build-id mismatch,
 * and a demangled name from libstdc++.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* dl_iterate_phdr, RTLD_NOLOAD */
#endif
#include "check_run.h"
#include <check.h>
#include <dlfcn.h>
#include <elf.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/symbolize.h"
#include "symtarget.h"

/* A loaded object as a MODULE record would describe it. */
struct module {
    char path[PATH_MAX];
    uint64_t base, start, end;
    unsigned char build_id[64];
    size_t build_id_len;
};

struct search {
    uint64_t address;
    struct module *m;
    int found;
};

static void read_build_id(struct dl_phdr_info *info, struct module *m)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const char *desc = p + sizeof(*n) + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && n->n_descsz <= sizeof(m->build_id)) {
                memcpy(m->build_id, desc, n->n_descsz);
                m->build_id_len = n->n_descsz;
                return;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
}

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct search *s = arg;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t a = info->dlpi_addr + ph->p_vaddr;
        lo = a < lo ? a : lo;
        hi = a + ph->p_memsz > hi ? a + ph->p_memsz : hi;
    }
    if (s->address < lo || s->address >= hi)
        return 0;
    s->m->base = info->dlpi_addr;
    s->m->start = lo;
    s->m->end = hi;
    if (info->dlpi_name[0] == '\0')
        ck_assert_ptr_nonnull(realpath("/proc/self/exe", s->m->path));
    else
        ck_assert_ptr_nonnull(realpath(info->dlpi_name, s->m->path));
    read_build_id(info, s->m);
    s->found = 1;
    return 1;
}

static void module_of(uint64_t address, struct module *m)
{
    struct search s = {.address = address, .m = m};
    memset(m, 0, sizeof(*m));
    dl_iterate_phdr(visit, &s);
    ck_assert_int_eq(s.found, 1);
}

static void add_module(struct symbolize *s, const struct module *m)
{
    ck_assert_int_eq(symbolize_module_add(s, m->base, m->start, m->end, m->path, strlen(m->path),
                                          m->build_id, m->build_id_len),
                     0);
}

/* A symbolizer knowing this program's module, with stack 1 = addrs. */
static struct symbolize *with_stack(const struct analyze_opts *opts, const uint64_t *addrs,
                                    size_t n)
{
    struct symbolize *s = symbolize_new(opts);
    ck_assert_ptr_nonnull(s);
    struct module self;
    module_of((uint64_t)(uintptr_t)symtarget_plain, &self);
    symbolize_modules_begin(s);
    add_module(s, &self);
    ck_assert_int_eq(symbolize_stack_add(s, 1, addrs, n), 0);
    return s;
}

static void assert_frame(const struct analyze_frame *f, const char *function, int line, int inlined)
{
    ck_assert_ptr_nonnull(f->function);
    ck_assert_str_eq(f->function, function);
    ck_assert_ptr_nonnull(f->file);
    const char *slash = strrchr(f->file, '/');
    ck_assert_str_eq(slash ? slash + 1 : f->file, "symtarget.c");
    ck_assert_int_eq(f->line, line);
    ck_assert_int_eq(f->inlined, inlined);
    ck_assert_ptr_nonnull(f->module);
}

START_TEST(test_function_and_line)
{
    symtarget_plain(1);
    uint64_t addrs[] = {symtarget_plain_ret, 0x10};
    struct symbolize *s = with_stack(NULL, addrs, 2);
    const struct analyze_stack *st = symbolize_stack(s, 1);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->id, 1);
    ck_assert_uint_eq(st->nframes, 2);
    assert_frame(&st->frames[0], "symtarget_plain", symtarget_plain_line, 0);
    ck_assert_uint_eq(st->frames[0].address, symtarget_plain_ret);
    ck_assert_uint_eq(st->frames[1].address, 0x10);
    ck_assert_ptr_null(st->frames[1].module);
    ck_assert_ptr_null(st->frames[1].function);
    ck_assert_ptr_eq(symbolize_stack(s, 1), st); /* cached */
    symbolize_free(s);
}
END_TEST

START_TEST(test_inlined_frame)
{
    symtarget_outer(1);
    uint64_t addrs[] = {symtarget_inner_ret};
    struct symbolize *s = with_stack(NULL, addrs, 1);
    const struct analyze_stack *st = symbolize_stack(s, 1);
    ck_assert_uint_eq(st->nframes, 2);
    assert_frame(&st->frames[0], "symtarget_inner", symtarget_inner_line, 1);
    assert_frame(&st->frames[1], "symtarget_outer", symtarget_outer_line, 0);
    ck_assert_uint_eq(st->frames[1].address, symtarget_inner_ret);
    symbolize_free(s);
}
END_TEST

/* Stack 1 from the first map keeps its module after the same range is remapped. */
START_TEST(test_generations)
{
    symtarget_plain(1);
    uint64_t addrs[] = {symtarget_plain_ret};
    struct symbolize *s = with_stack(NULL, addrs, 1);
    struct module self;
    module_of(symtarget_plain_ret, &self);
    symbolize_modules_begin(s);
    const char *gone = "/nonexistent/libgone.so";
    ck_assert_int_eq(
        symbolize_module_add(s, self.base, self.start, self.end, gone, strlen(gone), NULL, 0), 0);
    ck_assert_int_eq(symbolize_stack_add(s, 2, addrs, 1), 0);
    const struct analyze_stack *old = symbolize_stack(s, 1), *new = symbolize_stack(s, 2);
    assert_frame(&old->frames[0], "symtarget_plain", symtarget_plain_line, 0);
    ck_assert_uint_eq(new->nframes, 1);
    ck_assert_str_eq(new->frames[0].module, gone);
    ck_assert_ptr_null(new->frames[0].function);
    ck_assert_ptr_null(new->frames[0].file);
    symbolize_free(s);
}
END_TEST

static const struct analyze_stack *shim_stack(struct symbolize *s)
{
    symtarget_plain(1);
    const char *shim = "/opt/heapwise/lib/libheapwise.so";
    symbolize_modules_begin(s);
    ck_assert_int_eq(
        symbolize_module_add(s, 0x10000, 0x10000, 0x20000, shim, strlen(shim), NULL, 0), 0);
    struct module self;
    module_of(symtarget_plain_ret, &self);
    add_module(s, &self);
    uint64_t addrs[] = {0x10010, 0x10020, symtarget_plain_ret};
    ck_assert_int_eq(symbolize_stack_add(s, 3, addrs, 3), 0);
    return symbolize_stack(s, 3);
}

START_TEST(test_shim_frames_hidden)
{
    struct symbolize *s = symbolize_new(NULL);
    const struct analyze_stack *st = shim_stack(s);
    ck_assert_uint_eq(st->nframes, 1);
    ck_assert_str_eq(st->frames[0].function, "symtarget_plain");
    symbolize_free(s);
    struct analyze_opts show = {.show_shim_frames = 1};
    s = symbolize_new(&show);
    st = shim_stack(s);
    ck_assert_uint_eq(st->nframes, 3);
    ck_assert_str_eq(st->frames[0].module, "/opt/heapwise/lib/libheapwise.so");
    ck_assert_ptr_null(st->frames[0].function);
    symbolize_free(s);
    struct analyze_opts one = {.show_shim_frames = 1, .max_frames = 1};
    s = symbolize_new(&one);
    ck_assert_uint_eq(shim_stack(s)->nframes, 1);
    symbolize_free(s);
}
END_TEST

/* A module whose file on disk has another build-id is not trusted for symbols. */
START_TEST(test_build_id_mismatch)
{
    symtarget_plain(1);
    struct module self;
    module_of(symtarget_plain_ret, &self);
    if (self.build_id_len == 0)
        return; /* linked without --build-id: nothing to compare */
    self.build_id[0] ^= 0xff;
    struct symbolize *s = symbolize_new(NULL);
    add_module(s, &self);
    uint64_t addrs[] = {symtarget_plain_ret};
    ck_assert_int_eq(symbolize_stack_add(s, 1, addrs, 1), 0);
    const struct analyze_stack *st = symbolize_stack(s, 1);
    ck_assert_uint_eq(st->nframes, 1);
    ck_assert_str_eq(st->frames[0].module, self.path);
    ck_assert_ptr_null(st->frames[0].function);
    symbolize_free(s);
}
END_TEST

/* addresses_only: the module is named but never opened. */
START_TEST(test_addresses_only)
{
    symtarget_plain(1);
    uint64_t addrs[] = {symtarget_plain_ret};
    const struct analyze_opts opts = {.addresses_only = 1};
    struct symbolize *s = with_stack(&opts, addrs, 1);
    const struct analyze_stack *st = symbolize_stack(s, 1);
    ck_assert_uint_eq(st->nframes, 1);
    ck_assert_ptr_nonnull(st->frames[0].module);
    ck_assert_ptr_null(st->frames[0].function);
    ck_assert_ptr_null(st->frames[0].file);
    symbolize_free(s);
}
END_TEST

/* A module path naming a FIFO (a trace is data) is not opened: that would block forever. */
START_TEST(test_fifo_module_not_opened)
{
    char dir[] = "/tmp/hw-sym.XXXXXX", fifo[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(fifo, sizeof(fifo), "%s/lib.so", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    struct symbolize *s = symbolize_new(NULL);
    ck_assert_int_eq(symbolize_module_add(s, 0x10000, 0x10000, 0x20000, fifo, strlen(fifo), NULL,
                                          0),
                     0);
    uint64_t addrs[] = {0x10100};
    ck_assert_int_eq(symbolize_stack_add(s, 1, addrs, 1), 0);
    const struct analyze_stack *st = symbolize_stack(s, 1);
    ck_assert_uint_eq(st->nframes, 1);
    ck_assert_str_eq(st->frames[0].module, fifo);
    ck_assert_ptr_null(st->frames[0].function);
    symbolize_free(s);
    unlink(fifo);
    rmdir(dir);
}
END_TEST

START_TEST(test_undefined_stack)
{
    struct symbolize *s = symbolize_new(NULL);
    const struct analyze_stack *st = symbolize_stack(s, 77);
    ck_assert_uint_eq(st->id, 77);
    ck_assert_uint_eq(st->nframes, 0);
    st = symbolize_stack(s, 0);
    ck_assert_uint_eq(st->id, 0);
    ck_assert_uint_eq(st->nframes, 0);
    symbolize_free(s);
}
END_TEST

/* std::terminate() in libstdc++ comes back demangled (symbol table only, no DWARF). */
START_TEST(test_demangled)
{
    void *lib = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (!lib)
        lib = dlopen("libstdc++.so.6", RTLD_NOW);
    ck_assert_ptr_nonnull(lib);
    void *fn = dlsym(lib, "_ZSt9terminatev");
    ck_assert_ptr_nonnull(fn);
    struct module m;
    module_of((uint64_t)(uintptr_t)fn, &m);
    struct symbolize *s = symbolize_new(NULL);
    add_module(s, &m);
    uint64_t addrs[] = {(uint64_t)(uintptr_t)fn + 1}; /* a return address just past it */
    ck_assert_int_eq(symbolize_stack_add(s, 1, addrs, 1), 0);
    const struct analyze_stack *st = symbolize_stack(s, 1);
    ck_assert_uint_ge(st->nframes, 1);
    const struct analyze_frame *f = &st->frames[st->nframes - 1];
    ck_assert_ptr_nonnull(f->function);
    ck_assert_msg(strstr(f->function, "std::terminate") != NULL, "got %s", f->function);
    symbolize_free(s);
    dlclose(lib);
}
END_TEST

static Suite *symbolize_suite(void)
{
    Suite *s = suite_create("symbolize");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_function_and_line);
    tcase_add_test(tc, test_inlined_frame);
    tcase_add_test(tc, test_generations);
    tcase_add_test(tc, test_shim_frames_hidden);
    tcase_add_test(tc, test_build_id_mismatch);
    tcase_add_test(tc, test_addresses_only);
    tcase_add_test(tc, test_fifo_module_not_opened);
    tcase_add_test(tc, test_undefined_stack);
    tcase_add_test(tc, test_demangled);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(symbolize_suite());
}
