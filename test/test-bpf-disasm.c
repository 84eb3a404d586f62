/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <linux/audit.h>

#include "bpf-disasm.h"
#include "bpf-insn.h"
#include "bpf-program.h"
#include "macro.h"

static void assert_listing(const struct sock_filter *p, size_t n, Abi abi, const char *expected) {
        _cleanup_free_ char *text = bpf_disassemble(p, n, abi);

        assert_non_null(text);
        if (!streq(text, expected))
                fail_msg("got:\n%s\nexpected:\n%s", text, expected);
}

static void test_dispatch(void **state) {
        /* arch dispatch, then names by the ABI each path selected */
        static const struct sock_filter p[] = {
                /*  0 */ LD(SECCOMP_DATA_ARCH),
                /*  1 */ J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
                /*  2 */ LD(SECCOMP_DATA_NR),
                /*  3 */ J(BPF_JMP | BPF_JEQ | BPF_K, 257, 7, 0),
                /*  4 */ J(BPF_JMP | BPF_JEQ | BPF_K, 0x40000101, 6, 0),
                /*  5 */ J(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 7, 6),
                /*  6 */ J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 6),
                /*  7 */ LD(SECCOMP_DATA_NR),
                /*  8 */ J(BPF_JMP | BPF_JEQ | BPF_K, 257, 2, 0),
                /*  9 */ J(BPF_JMP | BPF_JGT | BPF_K, 5, 2, 0),
                /* 10 */ S(BPF_JMP | BPF_JA, 2),
                /* 11 */ RET(SECCOMP_RET_ERRNO | 1),
                /* 12 */ RET(SECCOMP_RET_ALLOW),
                /* 13 */ RET(SECCOMP_RET_KILL_PROCESS),
                /* 14 */ RET(SECCOMP_RET_LOG),
        };

        /* x86-64's arch value also covers x32, whose numbers have bit 30 set */
        assert_listing(p, ELEMENTSOF(p), ABI_X86_64,
                       "   0: ld [4]                             ; arch\n"
                       "   1: jeq #0xc000003e     jt 2    jf 6    ; x86-64\n"
                       "   2: ld [0]                             ; nr\n"
                       "   3: jeq #257            jt 11   jf 4    ; openat\n"
                       "   4: jeq #0x40000101     jt 11   jf 5    ; openat\n"
                       "   5: jge #0x40000000     jt 13   jf 12   ; read\n"
                       "   6: jeq #0x40000003     jt 7    jf 13   ; x86\n"
                       "   7: ld [0]                             ; nr\n"
                       "   8: jeq #257            jt 11   jf 9    ; remap_file_pages\n"
                       "   9: jgt #5              jt 12   jf 10   ; open\n"
                       "  10: ja 13\n"
                       "  11: ret #0x50001                       ; ERRNO(1)\n"
                       "  12: ret #0x7fff0000                    ; ALLOW\n"
                       "  13: ret #0x80000000                    ; KILL_PROCESS\n"
                       "  14: ret #0x7ffc0000                    ; LOG\n");
}

static void test_fallback_abi(void **state) {
        /* no arch comparison on the way: the caller's ABI, or no names at all */
        static const struct sock_filter p[] = {
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JEQ | BPF_K, 257, 0, 1),
                RET(SECCOMP_RET_TRAP),
                RET(SECCOMP_RET_ALLOW),
        };

        assert_listing(p, ELEMENTSOF(p), ABI_X86_64,
                       "   0: ld [0]                             ; nr\n"
                       "   1: jeq #257            jt 2    jf 3    ; openat\n"
                       "   2: ret #0x30000                       ; TRAP\n"
                       "   3: ret #0x7fff0000                    ; ALLOW\n");
        assert_listing(p, ELEMENTSOF(p), ABI_X86,
                       "   0: ld [0]                             ; nr\n"
                       "   1: jeq #257            jt 2    jf 3    ; remap_file_pages\n"
                       "   2: ret #0x30000                       ; TRAP\n"
                       "   3: ret #0x7fff0000                    ; ALLOW\n");
        assert_listing(p, ELEMENTSOF(p), _ABI_INVALID,
                       "   0: ld [0]                             ; nr\n"
                       "   1: jeq #257            jt 2    jf 3\n"
                       "   2: ret #0x30000                       ; TRAP\n"
                       "   3: ret #0x7fff0000                    ; ALLOW\n");
}

static void test_what_a_holds(void **state) {
        /* names only for comparisons against nr itself, on paths that agree on the ABI */
        static const struct sock_filter p[] = {
                /*  0 */ LD(SECCOMP_DATA_ARCH),
                /*  1 */ J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                /*  2 */ J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 0, 9),
                /*  3 */ LD(SECCOMP_DATA_NR),
                /*  4 */ J(BPF_JMP | BPF_JEQ | BPF_K, 41, 0, 1),
                /*  5 */ RET(SECCOMP_RET_ERRNO | 97),
                /*  6 */ S(BPF_MISC | BPF_TAX, 0),
                /*  7 */ S(BPF_MISC | BPF_TXA, 0),
                /*  8 */ J(BPF_JMP | BPF_JEQ | BPF_K, 41, 0, 1),
                /*  9 */ S(BPF_ALU | BPF_AND | BPF_K, 0xff),
                /* 10 */ J(BPF_JMP | BPF_JEQ | BPF_K, 41, 0, 1),
                /* 11 */ LD(SECCOMP_DATA_ARG_HI(5)),
                /* 12 */ RET(SECCOMP_RET_KILL_THREAD),
        };

        assert_listing(p, ELEMENTSOF(p), ABI_X86_64,
                       "   0: ld [4]                             ; arch\n"
                       "   1: jeq #0xc000003e     jt 3    jf 2    ; x86-64\n"
                       "   2: jeq #0xc00000b7     jt 3    jf 12   ; arm64\n"
                       "   3: ld [0]                             ; nr\n"
                       "   4: jeq #41             jt 5    jf 6\n"
                       "   5: ret #0x50061                       ; ERRNO(97)\n"
                       "   6: tax\n"
                       "   7: txa\n"
                       "   8: jeq #41             jt 9    jf 10\n"
                       "   9: and #255\n"
                       "  10: jeq #41             jt 11   jf 12\n"
                       "  11: ld [60]                            ; args[5] hi\n"
                       "  12: ret #0                             ; KILL_THREAD\n");
}

static void test_every_instruction(void **state) {
        static const struct sock_filter p[] = {
                /*  0 */ LD(SECCOMP_DATA_IP),
                /*  1 */ LD(SECCOMP_DATA_IP + 4),
                /*  2 */ LD(SECCOMP_DATA_ARG_LO(0)),
                /*  3 */ S(BPF_LD | BPF_W | BPF_LEN, 0),
                /*  4 */ S(BPF_LDX | BPF_W | BPF_LEN, 0),
                /*  5 */ S(BPF_LD | BPF_IMM, 7),
                /*  6 */ S(BPF_LDX | BPF_IMM, 0x12345678),
                /*  7 */ S(BPF_ST, 3),
                /*  8 */ S(BPF_STX, 15),
                /*  9 */ S(BPF_LD | BPF_MEM, 3),
                /* 10 */ S(BPF_LDX | BPF_MEM, 15),
                /* 11 */ S(BPF_ALU | BPF_ADD | BPF_K, 1),
                /* 12 */ S(BPF_ALU | BPF_SUB | BPF_X, 0),
                /* 13 */ S(BPF_ALU | BPF_MUL | BPF_K, 3),
                /* 14 */ S(BPF_ALU | BPF_DIV | BPF_X, 0),
                /* 15 */ S(BPF_ALU | BPF_OR | BPF_K, 0x10000),
                /* 16 */ S(BPF_ALU | BPF_XOR | BPF_X, 0),
                /* 17 */ S(BPF_ALU | BPF_LSH | BPF_K, 4),
                /* 18 */ S(BPF_ALU | BPF_RSH | BPF_X, 0),
                /* 19 */ S(BPF_ALU | BPF_NEG, 0),
                /* 20 */ J(BPF_JMP | BPF_JSET | BPF_K, 0x80000000, 0, 1),
                /* 21 */ J(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0),
                /* 22 */ J(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 0),
                /* 23 */ RET(SECCOMP_RET_TRACE | 5),
                /* 24 */ RET(SECCOMP_RET_USER_NOTIF),
                /* 25 */ RET(0x7ffe0000),
                /* 26 */ S(BPF_LD | BPF_H | BPF_ABS, 2),
                /* 27 */ S(BPF_ALU | BPF_MOD | BPF_K, 3),
                /* 28 */ S(0xffff, 1),
                /* 29 */ S(BPF_RET | BPF_A, 0),
        };

        assert_listing(p, ELEMENTSOF(p), ABI_X86_64,
                       "   0: ld [8]                             ; ip lo\n"
                       "   1: ld [12]                            ; ip hi\n"
                       "   2: ld [16]                            ; args[0] lo\n"
                       "   3: ld #len\n"
                       "   4: ldx #len\n"
                       "   5: ld #7\n"
                       "   6: ldx #0x12345678\n"
                       "   7: st M[3]\n"
                       "   8: stx M[15]\n"
                       "   9: ld M[3]\n"
                       "  10: ldx M[15]\n"
                       "  11: add #1\n"
                       "  12: sub x\n"
                       "  13: mul #3\n"
                       "  14: div x\n"
                       "  15: or #0x10000\n"
                       "  16: xor x\n"
                       "  17: lsh #4\n"
                       "  18: rsh x\n"
                       "  19: neg\n"
                       "  20: jset #0x80000000    jt 21   jf 22\n"
                       "  21: jeq x               jt 23   jf 22\n"
                       "  22: jge x               jt 23   jf 23\n"
                       "  23: ret #0x7ff00005                    ; TRACE(5)\n"
                       "  24: ret #0x7fc00000                    ; USER_NOTIF\n"
                       "  25: ret #0x7ffe0000                    ; UNKNOWN(0x7ffe0000)\n"
                       "  26: ldh [2]\n"
                       "  27: mod #3\n"
                       "  28: .insn 0xffff, 0, 0, 0x00000001\n"
                       "  29: ret a\n");
}

static void test_odd_programs(void **state) {
        _cleanup_free_ char *empty = NULL;

        empty = bpf_disassemble(NULL, 0, ABI_X86_64);
        assert_non_null(empty);
        assert_string_equal(empty, "");

        /* unchecked: jumps out of the program are listed, not followed */
        static const struct sock_filter p[] = {
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JEQ | BPF_K, 2, 200, 0),
                S(BPF_JMP | BPF_JA, 0xffffffff),
        };
        assert_listing(p, ELEMENTSOF(p), ABI_X86_64,
                       "   0: ld [0]                             ; nr\n"
                       "   1: jeq #2              jt 202  jf 2    ; open\n"
                       "   2: ja 4294967298\n");

        /* codes no BPF machine knows, even where the low bits name an operation */
        static const struct sock_filter q[] = {
                S(BPF_ALU | BPF_NEG | BPF_X, 0),
                S(BPF_JMP | BPF_JA | BPF_X, 1),
                J(0x0100 | BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 0),
                S(BPF_LDX | BPF_W | BPF_ABS, 4),
                RET(SECCOMP_RET_ALLOW),
        };
        assert_listing(q, ELEMENTSOF(q), ABI_X86_64,
                       "   0: .insn 0x008c, 0, 0, 0x00000000\n"
                       "   1: .insn 0x000d, 0, 0, 0x00000001\n"
                       "   2: .insn 0x0115, 0, 0, 0x00000002\n"
                       "   3: .insn 0x0021, 0, 0, 0x00000004\n"
                       "   4: ret #0x7fff0000                    ; ALLOW\n");
}

static void test_long_program(void **state) {
        _cleanup_free_ char *text = NULL;
        BpfProgram p = {};
        size_t lines = 0;

        /* the largest program seccomp takes: one line each, the last index in full */
        assert_int_equal(bpf_program_append(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SECCOMP_DATA_NR), 0);
        for (uint32_t nr = 0; p.n < BPF_MAXINSNS - 2; nr++)
                assert_int_equal(bpf_program_append(&p, BPF_JMP | BPF_JEQ | BPF_K, 0xff, 0, nr), 0);
        assert_int_equal(bpf_program_append(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW), 0);
        assert_int_equal(bpf_program_append(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 1), 0);

        text = bpf_disassemble(p.insns, p.n, ABI_X86_64);
        assert_non_null(text);
        for (const char *c = text; *c; c++)
                lines += *c == '\n';
        assert_int_equal(lines, BPF_MAXINSNS);
        assert_non_null(strstr(text, "\n   3: jeq #2              jt 259  jf 4    ; open\n"));
        assert_non_null(strstr(text, "\n4095: ret #0x50001                       ; ERRNO(1)\n"));
        bpf_program_done(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dispatch),
                cmocka_unit_test(test_fallback_abi),
                cmocka_unit_test(test_what_a_holds),
                cmocka_unit_test(test_every_instruction),
                cmocka_unit_test(test_odd_programs),
                cmocka_unit_test(test_long_program),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
