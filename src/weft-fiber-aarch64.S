/* weft-fiber-aarch64.S: fiber context switch, AAPCS64
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * void _weft_fiber_switch (void **save_sp, void *to_sp);
 *
 * Saves x19-x30, d8-d15 and FPCR in a 176-byte frame on the current stack.
 */
#if defined(__aarch64__)
        .text
        .globl  _weft_fiber_switch
        .hidden _weft_fiber_switch
        .type   _weft_fiber_switch, %function
        .p2align 4
_weft_fiber_switch:
        sub     sp, sp, #176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8,  d9,  [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mrs     x9, fpcr
        str     x9, [sp, #160]
        mov     x9, sp
        str     x9, [x0]
        mov     sp, x1
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8,  d9,  [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        ldr     x9, [sp, #160]
        msr     fpcr, x9
        add     sp, sp, #176
        ret
        .size   _weft_fiber_switch, .-_weft_fiber_switch

/* First code run on a new fiber: x19 holds the argument, x20 the entry. */
        .globl  _weft_fiber_start
        .hidden _weft_fiber_start
        .type   _weft_fiber_start, %function
        .p2align 4
_weft_fiber_start:
        mov     x29, #0
        mov     x0, x19
        blr     x20
        brk     #0
        .size   _weft_fiber_start, .-_weft_fiber_start
#endif
        .section .note.GNU-stack,"",%progbits
