/*
 * DWARF call-frame information for the shim's own unwinder (unwind.c), x86-64 only: the
 * binary search of an object's .eh_frame_hdr, the FDE and CIE that cover an address, and
 * their CFA programs run up to that address, reduced to a compact rule when the frame has
 * the shape libunwind's fast trace handles (CFA = rsp or rbp + offset, return address at
 * CFA-8, rbp unchanged or saved at CFA+offset, rsp = CFA). Everything else is
 * CFI_UNSUPPORTED, for which the caller asks libunwind. Pure reads of memory the caller
 * vouches for (a loaded object's unwind tables): no allocation, no locks, no I/O, so it
 * may run inside malloc and in signal handlers.
 */
#ifndef HEAPWISE_SHIM_CFI_H
#define HEAPWISE_SHIM_CFI_H

#include <stdint.h>

/* DWARF register numbers of x86-64 (System V psABI, figure 3.36). */
#define CFI_REG_RBP 6
#define CFI_REG_RSP 7
#define CFI_REG_RA 16
/* CFA offsets a rule holds: |offset| below this, larger frames are CFI_UNSUPPORTED. */
#define CFI_OFFSET_LIMIT (1 << 20)

enum cfi_kind {
    CFI_EMPTY = 0,       /* no rule (never returned; free for the caller's tables) */
    CFI_CFA_RSP = 1,     /* CFA = rsp + cfa_offset */
    CFI_CFA_RBP = 2,     /* CFA = rbp + cfa_offset */
    CFI_END = 3,         /* return address (or rbp) undefined: the outermost frame */
    CFI_UNSUPPORTED = 4, /* any other shape, no FDE, a signal frame, malformed data */
};

/*
 * How to find the caller's frame. For CFI_CFA_RSP and CFI_CFA_RBP: the return address
 * is at CFA-8, the caller's rsp is the CFA, its rbp is at CFA + 8 * rbp_slot (rbp_slot
 * != 0) or unchanged (rbp_slot == 0).
 */
struct cfi_rule {
    uint8_t kind;       /* enum cfi_kind */
    int8_t rbp_slot;    /* words from the CFA to the saved rbp; 0: rbp unchanged */
    int32_t cfa_offset; /* bytes added to rsp or rbp, |cfa_offset| < CFI_OFFSET_LIMIT */
};

/*
 * The FDE whose initial location is the greatest one <= ip, by binary search of the
 * .eh_frame_hdr section at hdr (its sorted table must use datarel sdata4 entries, as
 * binutils and lld write them). 0 with *fde set, or -1 (no table, unknown encoding, ip
 * before every entry).
 */
int cfi_hdr_find(const uint8_t *hdr, uint64_t ip, const uint8_t **fde);

/*
 * The rule for the frame executing at ip (for a caller's frame: its return address
 * minus one) from the FDE at fde (in .eh_frame, with its CIE): CFI_UNSUPPORTED when the
 * FDE does not cover ip or anything in it is outside what struct cfi_rule expresses.
 */
struct cfi_rule cfi_rule_at(const uint8_t *fde, uint64_t ip);

#endif
