/* weft-fiber-x86_64.S: fiber context switch, System V x86-64
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * void _weft_fiber_switch (void **save_sp, void *to_sp);
 *
 * Saves the callee-saved registers, MXCSR and the x87 control word on the
 * current stack, stores the stack pointer in *save_sp, loads to_sp and restores
 * the same set from there (MXCSR and the control word only if they differ).
 * No system call: the signal mask is not touched.
 */
#if defined(__x86_64__)
        .text
        .globl  _weft_fiber_switch
        .hidden _weft_fiber_switch
        .type   _weft_fiber_switch, @function
        .p2align 4
_weft_fiber_switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movl    (%rsp), %eax
        movzwl  4(%rsp), %ecx
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        /* Loading MXCSR and the x87 control word costs tens of cycles, and
         * the fibers of a program almost never differ in them: load only
         * what differs (in MXCSR, the control bits: its exception flags are
         * not preserved across calls, per the ABI). */
        xorl    (%rsp), %eax
        testl   $0xffc0, %eax
        jnz     1f
2:      cmpw    4(%rsp), %cx
        jne     3f
4:      addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
1:      ldmxcsr (%rsp)
        jmp     2b
3:      fldcw   4(%rsp)
        jmp     4b
        .cfi_endproc
        .size   _weft_fiber_switch, .-_weft_fiber_switch

/* First code run on a new fiber: %r12 holds the argument, %r13 the entry. The
 * entry never returns (it switches away for good). */
        .globl  _weft_fiber_start
        .hidden _weft_fiber_start
        .type   _weft_fiber_start, @function
        .p2align 4
_weft_fiber_start:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r12, %rdi
        callq   *%r13
        ud2
        .cfi_endproc
        .size   _weft_fiber_start, .-_weft_fiber_start
#endif
        .section .note.GNU-stack,"",@progbits
