/*
 * Unit tests of src/analyze/symindex.c: the index names every address as
 * dwfl_module_addrinfo does, on this program (locals, labels, aliases: every address of
 * it) and on libc (every symbol's edges).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* dl_iterate_phdr */
#endif
#include "check_run.h"
#include <check.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/symindex.h"

/*
 * Code the compiler gives no size: a global and a local assembly label outside any
 * function, a global and a local one at one address (at it the global one wins, past it
 * the local one), and a global one inside a function (covered by the function's size).
 */
__asm__(".text\n"
        ".globl symindex_bare_global\n"
        "symindex_bare_global:\n"
        "  nop\n  nop\n  ret\n"
        "symindex_bare_local:\n"
        "  nop\n  ret\n"
        ".globl symindex_twin_global\n"
        "symindex_twin_local:\n"
        "symindex_twin_global:\n"
        "  nop\n  nop\n  ret\n");

__attribute__((noinline)) int symindex_with_label(int x)
{
    __asm__ volatile(".globl symindex_inner_label\nsymindex_inner_label:\n" ::: "memory");
    return x + 1;
}

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

struct found {
    const char *want; /* basename prefix, or "" for the main program */
    char path[PATH_MAX];
    uint64_t base;
};

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct found *f = arg;
    const char *slash = strrchr(info->dlpi_name, '/');
    const char *name = slash ? slash + 1 : info->dlpi_name;
    if (f->want[0] ? strncmp(name, f->want, strlen(f->want)) != 0 : info->dlpi_name[0] != '\0')
        return 0;
    ck_assert_ptr_nonnull(realpath(f->want[0] ? info->dlpi_name : "/proc/self/exe", f->path));
    f->base = info->dlpi_addr;
    return 1;
}

/* A libdw session reporting the loaded object named by want, as the symbolizer opens it. */
static Dwfl_Module *open_module(const char *want, Dwfl **dwfl)
{
    struct found f = {.want = want};
    ck_assert_int_eq(dl_iterate_phdr(visit, &f), 1);
    *dwfl = dwfl_begin(&callbacks);
    ck_assert_ptr_nonnull(*dwfl);
    dwfl_report_begin(*dwfl);
    Dwfl_Module *mod = dwfl_report_elf(*dwfl, f.path, f.path, -1, f.base, false);
    dwfl_report_end(*dwfl, NULL, NULL);
    ck_assert_ptr_nonnull(mod);
    return mod;
}

/* 1 when libdw places addr in a section of mod. */
static int in_section(Dwfl_Module *mod, GElf_Addr addr)
{
    Dwarf_Addr at = addr, bias;
    return dwfl_module_address_section(mod, &at, &bias) != NULL;
}

/*
 * The index agrees with addrinfo at addr, or defers to it only where the section of addr
 * is unknown (which the label rule needs). Returns 1 when the index decided. (Check is
 * called only on a mismatch: each assertion is a write to its pipe.)
 */
static int agree(const struct symindex *ix, Dwfl_Module *mod, GElf_Addr addr)
{
    const char *fast = NULL;
    if (!symindex_lookup(ix, mod, addr, &fast)) {
        if (in_section(mod, addr))
            ck_abort_msg("0x%lx: no answer", (unsigned long)addr);
        return 0;
    }
    GElf_Off off;
    GElf_Sym sym;
    const char *slow = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
    if (!slow || !fast ? slow != fast : strcmp(slow, fast) != 0)
        ck_abort_msg("0x%lx: index %s, libdw %s", (unsigned long)addr, fast ? fast : "(none)",
                     slow ? slow : "(none)");
    return 1;
}

START_TEST(test_every_address_of_self)
{
    Dwfl *dwfl;
    Dwfl_Module *mod = open_module("", &dwfl);
    struct symindex *ix = symindex_build(mod);
    ck_assert_ptr_nonnull(ix);
    Dwarf_Addr low, high;
    ck_assert_ptr_nonnull(dwfl_module_info(mod, NULL, &low, &high, NULL, NULL, NULL, NULL));
    size_t decided = 0;
    for (GElf_Addr a = low ? low - 1 : 0; a <= high; a++)
        decided += (size_t)agree(ix, mod, a);
    ck_assert_uint_gt(decided, (high - low) / 2);
    /* the labels really are what some addresses resolve to */
    extern char symindex_bare_global[], symindex_inner_label[];
    const char *name;
    ck_assert_int_eq(
        symindex_lookup(ix, mod, (GElf_Addr)(uintptr_t)symindex_bare_global + 1, &name), 1);
    ck_assert_str_eq(name, "symindex_bare_global");
    extern char symindex_twin_global[];
    GElf_Addr twin = (GElf_Addr)(uintptr_t)symindex_twin_global;
    ck_assert_int_eq(symindex_lookup(ix, mod, twin, &name), 1);
    ck_assert_str_eq(name, "symindex_twin_global");
    ck_assert_int_eq(symindex_lookup(ix, mod, twin + 1, &name), 1);
    ck_assert_str_eq(name, "symindex_twin_local");
    ck_assert_int_eq(symindex_lookup(ix, mod, (GElf_Addr)(uintptr_t)symindex_inner_label, &name),
                     1);
    ck_assert_str_eq(name, "symindex_with_label");
    ck_assert_int_eq(symindex_with_label(1), 2);
    symindex_free(ix);
    dwfl_end(dwfl);
}
END_TEST

/* Every how many libc symbols one is checked: each check costs libdw a scan of them all. */
#define LIBC_STRIDE 5

START_TEST(test_symbol_edges_of_libc)
{
    Dwfl *dwfl;
    Dwfl_Module *mod = open_module("libc.so", &dwfl);
    struct symindex *ix = symindex_build(mod);
    ck_assert_ptr_nonnull(ix);
    int n = dwfl_module_getsymtab(mod);
    ck_assert_int_gt(n, 100);
    size_t decided = 0, asked = 0;
    for (int i = 1; i < n; i += LIBC_STRIDE) {
        GElf_Sym sym;
        GElf_Addr value;
        if (!dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL))
            continue;
        GElf_Addr edges[] = {value - 1,           value,
                             value + 1,           value + sym.st_size - 1,
                             value + sym.st_size, value + sym.st_size + 1};
        for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++, asked++)
            decided += (size_t)agree(ix, mod, edges[e]);
    }
    ck_assert_uint_gt(decided, asked / 2);
    symindex_free(ix);
    dwfl_end(dwfl);
}
END_TEST

static Suite *symindex_suite(void)
{
    Suite *s = suite_create("symindex");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_address_of_self);
    tcase_add_test(tc, test_symbol_edges_of_libc);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(symindex_suite());
}
