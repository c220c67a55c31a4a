/*
 * Unit tests of src/shim/cfi.c on hand-built .eh_frame and .eh_frame_hdr bytes: the
 * CFA program's rules at each address (advance, offsets, restore, remember/restore
 * state, GNU_args_size, expressions on registers that matter and on those that do not,
 * the end marker), the shapes refused (signal frames, a CFA on another register or given
 * by an expression, an address outside the FDE), and the header's binary search.
 */
#include "check_run.h"
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "shim/cfi.h"

/* The fake functions' code addresses: near the buffer, so pc-relative sdata4 reaches. */
#define FUNC_OFFSET 0x1000
#define FDE_PLAIN 0
#define FDE_SIGNAL 1
#define FDE_CFA_EXPR 2
#define FDE_CFA_RAX 3
#define FDES 4

static _Alignas(8) uint8_t mem[4096];

struct builder {
    size_t at;
};

static uint8_t *here(struct builder *b)
{
    return mem + b->at;
}

static void bytes(struct builder *b, const void *p, size_t n)
{
    memcpy(mem + b->at, p, n);
    b->at += n;
}

static void u8(struct builder *b, uint8_t v)
{
    bytes(b, &v, 1);
}

static void s32(struct builder *b, int32_t v)
{
    bytes(b, &v, 4);
}

static uint64_t func(int i)
{
    static const uint64_t starts[FDES] = {0, 64, 80, 96};
    return (uintptr_t)mem + FUNC_OFFSET + starts[i];
}

/* Patch the length field at entry now that the entry ends here. */
static void close_entry(struct builder *b, uint8_t *entry)
{
    int32_t len = (int32_t)(here(b) - entry - 4);
    memcpy(entry, &len, 4);
}

/* A CIE "zR" (pc-relative sdata4 pointers) or "zRS": CFA = rsp+8, RA at CFA-8. */
static uint8_t *cie(struct builder *b, int signal)
{
    static const uint8_t initial[] = {0x0c, 7, 8, 0x90, 1}; /* def_cfa rsp 8; offset r16 1 */
    uint8_t *at = here(b);
    s32(b, 0);
    s32(b, 0); /* CIE id */
    u8(b, 1);  /* version */
    bytes(b, signal ? "zRS" : "zR", signal ? 4 : 3);
    u8(b, 1);    /* code alignment */
    u8(b, 0x78); /* data alignment -8 */
    u8(b, 16);   /* return address column */
    u8(b, 1);    /* augmentation data length */
    u8(b, 0x1b); /* pcrel sdata4 */
    bytes(b, initial, sizeof(initial));
    close_entry(b, at);
    return at;
}

static uint8_t *fde(struct builder *b, uint8_t *of_cie, uint64_t start, int32_t range,
                    const uint8_t *program, size_t n)
{
    uint8_t *at = here(b);
    s32(b, 0);
    s32(b, (int32_t)(here(b) - of_cie));
    s32(b, (int32_t)(start - (uintptr_t)here(b)));
    s32(b, range);
    u8(b, 0); /* no augmentation data */
    bytes(b, program, n);
    close_entry(b, at);
    return at;
}

/* clang-format off */
static const uint8_t plain[] = {
    0x41, 0x0e, 16, 0x86, 2,       /* +1: def_cfa_offset 16; offset rbp at CFA-16 */
    0x43, 0x0d, 6,                 /* +4: def_cfa_register rbp */
    0x04, 16, 0, 0, 0,             /* +20 (advance_loc4 16): */
    0x0a, 0x0c, 7, 8, 0xc6,        /*   remember_state; def_cfa rsp 8; restore rbp */
    0x02, 1, 0x0b,                 /* +21 (advance_loc1): restore_state */
    0x42, 0x2e, 16,                /* +23: GNU_args_size 16; */
    0x10, 3, 2, 0x77, 0,           /*   expression rbx {breg7 0}: not tracked */
    0x41, 0x10, 6, 2, 0x77, 0,     /* +24: expression rbp: unsupported */
    0x42, 0x11, 6, 2,              /* +26: offset_extended_sf rbp 2 (CFA-16) */
    0x42, 0x07, 16,                /* +28: undefined RA: the end */
};
/* clang-format on */
static const uint8_t cfa_expr[] = {
    0x0f, 2,    0x77, 8,  /* def_cfa_expression {breg7 8} */
    0x44, 0x0c, 7,    16, /* +4: def_cfa rsp 16 */
};
static const uint8_t cfa_rax[] = {0x0c, 0, 8}; /* def_cfa rax 8 */

static uint8_t *fdes[FDES];
static uint8_t *hdr;

/* .eh_frame with the four FDEs, then .eh_frame_hdr indexing them. */
static void build(void)
{
    struct builder b = {0};
    uint8_t *c = cie(&b, 0), *sc = cie(&b, 1);
    fdes[FDE_PLAIN] = fde(&b, c, func(FDE_PLAIN), 64, plain, sizeof(plain));
    fdes[FDE_SIGNAL] = fde(&b, sc, func(FDE_SIGNAL), 16, (const uint8_t[]){0}, 1);
    fdes[FDE_CFA_EXPR] = fde(&b, c, func(FDE_CFA_EXPR), 16, cfa_expr, sizeof(cfa_expr));
    fdes[FDE_CFA_RAX] = fde(&b, c, func(FDE_CFA_RAX), 8, cfa_rax, sizeof(cfa_rax));
    s32(&b, 0); /* terminator */
    hdr = here(&b);
    static const uint8_t head[] = {1, 0x1b, 0x03, 0x3b};
    bytes(&b, head, sizeof(head));
    s32(&b, (int32_t)(mem - here(&b)));
    s32(&b, FDES);
    for (int i = 0; i < FDES; i++) {
        s32(&b, (int32_t)(func(i) - (uintptr_t)hdr));
        s32(&b, (int32_t)(fdes[i] - hdr));
    }
    ck_assert_uint_lt(b.at, FUNC_OFFSET);
}

static void expect(uint64_t ip, int kind, int32_t cfa_offset, int rbp_slot)
{
    struct cfi_rule r = cfi_rule_at(fdes[FDE_PLAIN], ip);
    ck_assert_int_eq(r.kind, kind);
    if (kind == CFI_CFA_RSP || kind == CFI_CFA_RBP) {
        ck_assert_int_eq(r.cfa_offset, cfa_offset);
        ck_assert_int_eq(r.rbp_slot, rbp_slot);
    }
}

START_TEST(test_program_rules)
{
    build();
    uint64_t f = func(FDE_PLAIN);
    expect(f, CFI_CFA_RSP, 8, 0);
    expect(f + 1, CFI_CFA_RSP, 16, -2);
    expect(f + 3, CFI_CFA_RSP, 16, -2);
    for (uint64_t i = 4; i < 20; i++)
        expect(f + i, CFI_CFA_RBP, 16, -2);
    expect(f + 20, CFI_CFA_RSP, 8, 0);
    expect(f + 21, CFI_CFA_RBP, 16, -2);
    expect(f + 22, CFI_CFA_RBP, 16, -2);
    expect(f + 23, CFI_CFA_RBP, 16, -2);
    expect(f + 24, CFI_UNSUPPORTED, 0, 0);
    expect(f + 25, CFI_UNSUPPORTED, 0, 0);
    expect(f + 26, CFI_CFA_RBP, 16, -2);
    expect(f + 27, CFI_CFA_RBP, 16, -2);
    expect(f + 28, CFI_END, 0, 0);
    expect(f + 63, CFI_END, 0, 0);
}
END_TEST

START_TEST(test_outside_the_fde)
{
    build();
    expect(func(FDE_PLAIN) - 1, CFI_UNSUPPORTED, 0, 0);
    expect(func(FDE_PLAIN) + 64, CFI_UNSUPPORTED, 0, 0);
}
END_TEST

START_TEST(test_refused_shapes)
{
    build();
    ck_assert_int_eq(cfi_rule_at(fdes[FDE_SIGNAL], func(FDE_SIGNAL)).kind, CFI_UNSUPPORTED);
    ck_assert_int_eq(cfi_rule_at(fdes[FDE_CFA_EXPR], func(FDE_CFA_EXPR) + 3).kind, CFI_UNSUPPORTED);
    struct cfi_rule r = cfi_rule_at(fdes[FDE_CFA_EXPR], func(FDE_CFA_EXPR) + 4);
    ck_assert_int_eq(r.kind, CFI_CFA_RSP); /* def_cfa replaces the expression */
    ck_assert_int_eq(r.cfa_offset, 16);
    ck_assert_int_eq(cfi_rule_at(fdes[FDE_CFA_RAX], func(FDE_CFA_RAX)).kind, CFI_UNSUPPORTED);
}
END_TEST

START_TEST(test_header_search)
{
    const uint8_t *found = NULL;
    build();
    for (int i = 0; i < FDES; i++) {
        ck_assert_int_eq(cfi_hdr_find(hdr, func(i), &found), 0);
        ck_assert_ptr_eq(found, fdes[i]);
        ck_assert_int_eq(cfi_hdr_find(hdr, func(i) + 5, &found), 0);
        ck_assert_ptr_eq(found, fdes[i]);
    }
    ck_assert_int_eq(cfi_hdr_find(hdr, func(FDE_CFA_RAX) + 4096, &found), 0);
    ck_assert_ptr_eq(found, fdes[FDE_CFA_RAX]);
    ck_assert_int_eq(cfi_hdr_find(hdr, func(FDE_PLAIN) - 1, &found), -1);
    hdr[3] = 0x1b; /* a table encoding other than datarel sdata4 */
    ck_assert_int_eq(cfi_hdr_find(hdr, func(FDE_PLAIN), &found), -1);
    ck_assert_int_eq(cfi_hdr_find(NULL, func(FDE_PLAIN), &found), -1);
}
END_TEST

static Suite *cfi_suite(void)
{
    Suite *s = suite_create("cfi");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_program_rules);
    tcase_add_test(tc, test_outside_the_fde);
    tcase_add_test(tc, test_refused_shapes);
    tcase_add_test(tc, test_header_search);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(cfi_suite());
}
