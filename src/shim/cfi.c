/*
 * DWARF CFI decoding for the shim's unwinder (see cfi.h): .eh_frame_hdr search, CIE and
 * FDE parsing, and the CFA program interpreter, which tracks only what a compact rule
 * needs (the CFA, rbp, rsp and the return address) and parses past everything else.
 * Every read is bounded by the entry's own length; it must not allocate or lock.
 */
#include "config.h"

#include "shim/cfi.h"

#include <string.h>

/* Pointer encodings (LSB 4.1, "DWARF Exception Header Encoding"). */
#define PE_ABSPTR 0x00
#define PE_ULEB128 0x01
#define PE_UDATA2 0x02
#define PE_UDATA4 0x03
#define PE_UDATA8 0x04
#define PE_SLEB128 0x09
#define PE_SDATA2 0x0a
#define PE_SDATA4 0x0b
#define PE_SDATA8 0x0c
#define PE_FORMAT 0x0f
#define PE_PCREL 0x10
#define PE_DATAREL 0x30
#define PE_APPLICATION 0x70
#define PE_INDIRECT 0x80
#define PE_OMIT 0xff
/* The only .eh_frame_hdr table encoding searched: datarel sdata4. */
#define HDR_TABLE_ENC (PE_DATAREL | PE_SDATA4)
#define HDR_VERSION 1
/* A 32-bit length field with this value announces the 64-bit DWARF format. */
#define LENGTH_64BIT 0xffffffffu
/* Saved states of DW_CFA_remember_state kept at most. */
#define CFI_STATES 8

/* Call frame instructions (DWARF 5, 6.4.2; GNU extensions from binutils' dwarf2.def). */
enum {
    CFA_ADVANCE_LOC = 0x40, /* high two bits, delta in the low six */
    CFA_OFFSET = 0x80,      /* high two bits, register in the low six */
    CFA_RESTORE = 0xc0,     /* high two bits, register in the low six */
    CFA_NOP = 0x00,
    CFA_SET_LOC = 0x01,
    CFA_ADVANCE_LOC1 = 0x02,
    CFA_ADVANCE_LOC2 = 0x03,
    CFA_ADVANCE_LOC4 = 0x04,
    CFA_OFFSET_EXTENDED = 0x05,
    CFA_RESTORE_EXTENDED = 0x06,
    CFA_UNDEFINED = 0x07,
    CFA_SAME_VALUE = 0x08,
    CFA_REGISTER = 0x09,
    CFA_REMEMBER_STATE = 0x0a,
    CFA_RESTORE_STATE = 0x0b,
    CFA_DEF_CFA = 0x0c,
    CFA_DEF_CFA_REGISTER = 0x0d,
    CFA_DEF_CFA_OFFSET = 0x0e,
    CFA_DEF_CFA_EXPRESSION = 0x0f,
    CFA_EXPRESSION = 0x10,
    CFA_OFFSET_EXTENDED_SF = 0x11,
    CFA_DEF_CFA_SF = 0x12,
    CFA_DEF_CFA_OFFSET_SF = 0x13,
    CFA_VAL_OFFSET = 0x14,
    CFA_VAL_OFFSET_SF = 0x15,
    CFA_VAL_EXPRESSION = 0x16,
    CFA_GNU_ARGS_SIZE = 0x2e,
    CFA_GNU_NEGATIVE_OFFSET_EXTENDED = 0x2f,
};

/* A bounded reader; `bad` is set by any read past `end`. */
struct cur {
    const uint8_t *p, *end;
    int bad;
};

/* How a tracked register is recovered. */
enum how { HOW_SAME, HOW_OFFSET, HOW_UNDEF, HOW_OTHER };

struct reg_rule {
    enum how how;
    int64_t offset; /* HOW_OFFSET: saved at CFA + offset */
};

struct state {
    uint64_t cfa_reg;
    int64_t cfa_offset;
    int cfa_expr; /* the CFA is a DWARF expression */
    struct reg_rule rbp, rsp, ra;
};

/* The CIE fields an FDE and its program need. */
struct cie {
    uint64_t code_align;
    int64_t data_align;
    uint8_t fde_enc;
    int has_z, signal;
    const uint8_t *instr, *instr_end;
};

static uint64_t fixed(struct cur *c, size_t n)
{
    uint64_t v = 0;
    if ((size_t)(c->end - c->p) < n) {
        c->bad = 1;
        c->p = c->end;
        return 0;
    }
    memcpy(&v, c->p, n); /* little-endian */
    c->p += n;
    return v;
}

static uint64_t uleb(struct cur *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0; c->p < c->end; shift += 7) {
        uint8_t b = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    c->bad = 1;
    return 0;
}

static int64_t sleb(struct cur *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (c->p < c->end) {
        uint8_t b = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (shift < 64 && (b & 0x40))
                v |= ~0ull << shift;
            return (int64_t)v;
        }
    }
    c->bad = 1;
    return 0;
}

/* A value in the format of `enc` (its low four bits), no application. */
static uint64_t value(struct cur *c, uint8_t enc)
{
    switch (enc & PE_FORMAT) {
    case PE_ABSPTR:
    case PE_UDATA8:
    case PE_SDATA8:
        return fixed(c, 8);
    case PE_ULEB128:
        return uleb(c);
    case PE_SLEB128:
        return (uint64_t)sleb(c);
    case PE_UDATA2:
        return fixed(c, 2);
    case PE_SDATA2:
        return (uint64_t)(int64_t)(int16_t)fixed(c, 2);
    case PE_UDATA4:
        return fixed(c, 4);
    case PE_SDATA4:
        return (uint64_t)(int64_t)(int32_t)fixed(c, 4);
    }
    c->bad = 1;
    return 0;
}

/* A pointer encoded as `enc`: absolute, pc-relative or relative to `data`. */
static uint64_t pointer(struct cur *c, uint8_t enc, const uint8_t *data)
{
    uintptr_t at = (uintptr_t)c->p;
    uint64_t v = value(c, enc);
    if (enc & PE_INDIRECT)
        c->bad = 1;
    switch (enc & PE_APPLICATION) {
    case 0:
        return v;
    case PE_PCREL:
        return v + at;
    case PE_DATAREL:
        return v + (uintptr_t)data;
    }
    c->bad = 1;
    return 0;
}

int cfi_hdr_find(const uint8_t *hdr, uint64_t ip, const uint8_t **fde)
{
    if (!hdr)
        return -1;
    /* the table's size is not known before it is read: bounded by the count below */
    struct cur c = {hdr, hdr + 4 + 2 * sizeof(uint64_t), 0};
    if (fixed(&c, 1) != HDR_VERSION)
        return -1;
    uint8_t frame_enc = (uint8_t)fixed(&c, 1), count_enc = (uint8_t)fixed(&c, 1);
    uint8_t table_enc = (uint8_t)fixed(&c, 1);
    if (frame_enc == PE_OMIT || count_enc == PE_OMIT || table_enc != HDR_TABLE_ENC)
        return -1;
    pointer(&c, frame_enc, hdr);
    uint64_t count = pointer(&c, count_enc, hdr);
    if (c.bad || count == 0 || count > (1u << 30))
        return -1;
    const uint8_t *table = c.p;
    uint64_t lo = 0, hi = count; /* the answer is in [lo, hi) */
    int32_t e[2];
    memcpy(e, table, sizeof(e));
    if (ip < (uint64_t)((intptr_t)hdr + e[0]))
        return -1;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        memcpy(e, table + mid * sizeof(e), sizeof(e));
        if ((uint64_t)((intptr_t)hdr + e[0]) <= ip)
            lo = mid;
        else
            hi = mid;
    }
    memcpy(e, table + lo * sizeof(e), sizeof(e));
    *fde = hdr + e[1];
    return 0;
}

/* An entry's length field: its end into *end, the reader past the field; -1 if 64-bit/0. */
static int entry(struct cur *c, const uint8_t *at, const uint8_t **end)
{
    c->p = at;
    c->end = at + 4;
    c->bad = 0;
    uint32_t len = (uint32_t)fixed(c, 4);
    if (len == 0 || len == LENGTH_64BIT)
        return -1;
    *end = c->end = at + 4 + len;
    return 0;
}

/* The augmentation string's letters after 'z' (LSB 4.1, 10.6.1.1). 0, or -1 on unknowns. */
static int augmentation(struct cur *c, const char *aug, struct cie *cie)
{
    for (const char *a = aug + 1; *a; a++) {
        uint8_t enc;
        switch (*a) {
        case 'L':
            fixed(c, 1);
            break;
        case 'R':
            cie->fde_enc = (uint8_t)fixed(c, 1);
            break;
        case 'S':
            cie->signal = 1;
            break;
        case 'P':
            enc = (uint8_t)fixed(c, 1);
            if ((enc & PE_APPLICATION) > PE_DATAREL)
                return -1; /* aligned or function-relative: not in .eh_frame on x86-64 */
            value(c, enc);
            break;
        default:
            return -1;
        }
    }
    return 0;
}

static int parse_cie(const uint8_t *at, struct cie *cie)
{
    struct cur c;
    const uint8_t *end;
    if (entry(&c, at, &end) < 0 || fixed(&c, 4) != 0)
        return -1;
    uint8_t version = (uint8_t)fixed(&c, 1);
    const char *aug = (const char *)c.p;
    const uint8_t *nul = c.p < c.end ? memchr(c.p, 0, (size_t)(c.end - c.p)) : NULL;
    if ((version != 1 && version != 3) || !nul || (aug[0] && aug[0] != 'z'))
        return -1;
    c.p = nul + 1;
    cie->code_align = uleb(&c);
    cie->data_align = sleb(&c);
    uint64_t ra = version == 1 ? fixed(&c, 1) : uleb(&c);
    cie->fde_enc = PE_ABSPTR;
    cie->has_z = aug[0] == 'z';
    cie->signal = 0;
    if (cie->has_z) {
        uint64_t n = uleb(&c);
        if (c.bad || n > (uint64_t)(c.end - c.p))
            return -1;
        struct cur a = {c.p, c.p + n, 0};
        if (augmentation(&a, aug, cie) < 0 || a.bad)
            return -1;
        c.p += n;
    }
    cie->instr = c.p;
    cie->instr_end = end;
    return c.bad || ra != CFI_REG_RA ? -1 : 0;
}

/* The rule of a tracked register, NULL for the others. */
static struct reg_rule *tracked(struct state *s, uint64_t reg)
{
    switch (reg) {
    case CFI_REG_RBP:
        return &s->rbp;
    case CFI_REG_RSP:
        return &s->rsp;
    case CFI_REG_RA:
        return &s->ra;
    }
    return NULL;
}

static void set(struct state *s, uint64_t reg, enum how how, int64_t offset)
{
    struct reg_rule *r = tracked(s, reg);
    if (r) {
        r->how = how;
        r->offset = offset;
    }
}

/* The CFA program's context: where it stops, what restore goes back to. */
struct run {
    const struct cie *cie;
    const struct state *initial; /* after the CIE's instructions; NULL while running them */
    uint64_t loc, target;
    struct state saved[CFI_STATES];
    int nsaved;
};

/* Advance the location; 1 when it passed the target (the program stops there). */
static int advance(struct run *r, uint64_t delta)
{
    r->loc += delta * r->cie->code_align;
    return r->loc > r->target;
}

static void restore(struct run *r, struct state *s, uint64_t reg)
{
    struct reg_rule *to = tracked(s, reg);
    struct state initial = {0};
    if (r->initial)
        initial = *r->initial;
    if (to)
        *to = *tracked(&initial, reg); /* HOW_SAME inside the CIE's own program */
}

static void def_cfa(struct state *s, uint64_t reg, int64_t offset)
{
    s->cfa_reg = reg;
    s->cfa_offset = offset;
    s->cfa_expr = 0;
}

/* Skip a DWARF expression: its uleb128 length, then that many bytes. */
static void skip_block(struct cur *c)
{
    uint64_t n = uleb(c);
    if (n > (uint64_t)(c->end - c->p)) {
        c->bad = 1;
        c->p = c->end;
        return;
    }
    c->p += n;
}

/* The operations of opcodes 0x00..0x3f that name no location. 0, or -1: unsupported. */
static int register_op(struct run *r, struct state *s, struct cur *c, uint8_t op)
{
    int64_t da = r->cie->data_align;
    uint64_t reg;
    switch (op) {
    case CFA_NOP:
        return 0;
    case CFA_OFFSET_EXTENDED:
        reg = uleb(c);
        set(s, reg, HOW_OFFSET, (int64_t)uleb(c) * da);
        return 0;
    case CFA_OFFSET_EXTENDED_SF:
        reg = uleb(c);
        set(s, reg, HOW_OFFSET, sleb(c) * da);
        return 0;
    case CFA_GNU_NEGATIVE_OFFSET_EXTENDED:
        reg = uleb(c);
        set(s, reg, HOW_OFFSET, -(int64_t)uleb(c) * da);
        return 0;
    case CFA_RESTORE_EXTENDED:
        restore(r, s, uleb(c));
        return 0;
    case CFA_UNDEFINED:
        set(s, uleb(c), HOW_UNDEF, 0);
        return 0;
    case CFA_SAME_VALUE:
        set(s, uleb(c), HOW_SAME, 0);
        return 0;
    case CFA_REGISTER:
    case CFA_VAL_OFFSET:
    case CFA_VAL_OFFSET_SF:
        reg = uleb(c);
        uleb(c); /* a register or an offset: a LEB128 skipped alike, signed or not */
        set(s, reg, HOW_OTHER, 0);
        return 0;
    case CFA_EXPRESSION:
    case CFA_VAL_EXPRESSION:
        reg = uleb(c);
        set(s, reg, HOW_OTHER, 0);
        skip_block(c);
        return 0;
    case CFA_DEF_CFA_EXPRESSION:
        s->cfa_expr = 1;
        skip_block(c);
        return 0;
    case CFA_DEF_CFA:
        reg = uleb(c);
        def_cfa(s, reg, (int64_t)uleb(c));
        return 0;
    case CFA_DEF_CFA_SF:
        reg = uleb(c);
        def_cfa(s, reg, sleb(c) * da);
        return 0;
    case CFA_DEF_CFA_REGISTER:
        s->cfa_reg = uleb(c);
        return 0;
    case CFA_DEF_CFA_OFFSET:
        s->cfa_offset = (int64_t)uleb(c);
        return 0;
    case CFA_DEF_CFA_OFFSET_SF:
        s->cfa_offset = sleb(c) * da;
        return 0;
    case CFA_GNU_ARGS_SIZE:
        uleb(c);
        return 0;
    }
    return -1;
}

/*
 * Run the instructions in c up to the target location (those at locations <= target).
 * 0, or -1 on an unsupported or malformed instruction.
 */
static int run_program(struct run *r, struct state *s, struct cur *c)
{
    while (c->p < c->end && !c->bad) {
        uint8_t op = *c->p++;
        uint64_t at;
        int stop = 0;
        switch (op & 0xc0) {
        case CFA_ADVANCE_LOC:
            stop = advance(r, op & 0x3f);
            break;
        case CFA_OFFSET:
            set(s, op & 0x3f, HOW_OFFSET, (int64_t)uleb(c) * r->cie->data_align);
            break;
        case CFA_RESTORE:
            restore(r, s, op & 0x3f);
            break;
        default:
            switch (op) {
            case CFA_ADVANCE_LOC1:
                stop = advance(r, fixed(c, 1));
                break;
            case CFA_ADVANCE_LOC2:
                stop = advance(r, fixed(c, 2));
                break;
            case CFA_ADVANCE_LOC4:
                stop = advance(r, fixed(c, 4));
                break;
            case CFA_SET_LOC:
                at = pointer(c, r->cie->fde_enc, NULL);
                if (at < r->loc)
                    return -1;
                r->loc = at;
                stop = at > r->target;
                break;
            case CFA_REMEMBER_STATE:
                if (r->nsaved == CFI_STATES)
                    return -1;
                r->saved[r->nsaved++] = *s;
                break;
            case CFA_RESTORE_STATE:
                if (r->nsaved == 0)
                    return -1;
                *s = r->saved[--r->nsaved];
                break;
            default:
                if (register_op(r, s, c, op) < 0)
                    return -1;
            }
        }
        if (stop)
            break;
    }
    return c->bad ? -1 : 0;
}

/* The compact rule of a final state (see struct cfi_rule for the shapes accepted). */
static struct cfi_rule rule_of(const struct state *s)
{
    struct cfi_rule unsupported = {CFI_UNSUPPORTED, 0, 0}, r = {CFI_END, 0, 0};
    if (s->ra.how == HOW_UNDEF || s->rbp.how == HOW_UNDEF)
        return r; /* libunwind's unw_step ends the chain on either */
    if (s->cfa_expr || (s->cfa_reg != CFI_REG_RSP && s->cfa_reg != CFI_REG_RBP) ||
        s->cfa_offset <= -CFI_OFFSET_LIMIT || s->cfa_offset >= CFI_OFFSET_LIMIT)
        return unsupported;
    if (s->ra.how != HOW_OFFSET || s->ra.offset != -8 || s->rsp.how != HOW_SAME)
        return unsupported;
    if (s->rbp.how == HOW_OFFSET) {
        if (s->rbp.offset % 8 || s->rbp.offset == 0 || s->rbp.offset < INT8_MIN * 8 ||
            s->rbp.offset > INT8_MAX * 8)
            return unsupported;
        r.rbp_slot = (int8_t)(s->rbp.offset / 8);
    } else if (s->rbp.how != HOW_SAME) {
        return unsupported;
    }
    r.kind = s->cfa_reg == CFI_REG_RSP ? CFI_CFA_RSP : CFI_CFA_RBP;
    r.cfa_offset = (int32_t)s->cfa_offset;
    return r;
}

struct cfi_rule cfi_rule_at(const uint8_t *fde, uint64_t ip)
{
    struct cfi_rule unsupported = {CFI_UNSUPPORTED, 0, 0};
    struct cur c;
    const uint8_t *end;
    struct cie cie;
    if (entry(&c, fde, &end) < 0)
        return unsupported;
    const uint8_t *field = c.p;
    uint32_t cie_pointer = (uint32_t)fixed(&c, 4);
    if (cie_pointer == 0 || parse_cie(field - cie_pointer, &cie) < 0 || cie.signal)
        return unsupported;
    uint64_t begin = pointer(&c, cie.fde_enc, NULL);
    uint64_t range = value(&c, cie.fde_enc);
    if (cie.has_z) {
        uint64_t n = uleb(&c);
        if (n > (uint64_t)(c.end - c.p))
            return unsupported;
        c.p += n;
    }
    if (c.bad || ip < begin || ip - begin >= range)
        return unsupported;
    struct run r = {.cie = &cie, .initial = NULL, .loc = begin, .target = ip, .nsaved = 0};
    struct state s = {.cfa_reg = UINT64_MAX, .cfa_offset = 0, .cfa_expr = 0};
    struct cur ci = {cie.instr, cie.instr_end, 0};
    if (run_program(&r, &s, &ci) < 0)
        return unsupported;
    struct state initial = s;
    r.initial = &initial;
    r.loc = begin;
    r.nsaved = 0;
    if (run_program(&r, &s, &c) < 0)
        return unsupported;
    return rule_of(&s);
}
