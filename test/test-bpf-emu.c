/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "action.h"
#include "bpf-check.h"
#include "bpf-emu.h"
#include "bpf-insn.h"
#include "bpf-program.h"
#include "bpf-random.h"
#include "macro.h"
#include "seccomp-child.h"

/* An array literal and its length, for tables of programs. */
#define PROG(...)                                                               \
        .insns = (const struct sock_filter[]) { __VA_ARGS__ },                  \
        .n = sizeof((const struct sock_filter[]) { __VA_ARGS__ }) / sizeof(struct sock_filter)

#define DEFAULT_SEED UINT64_C(0x6d65676166696c74)

static const struct seccomp_data sample = {
        .nr = 257,
        .arch = AUDIT_ARCH_X86_64,
        .instruction_pointer = UINT64_C(0x1122334455667788),
        .args = {
                UINT64_C(0x000000000000000a), UINT64_C(0xffffffff00000001), UINT64_C(0x0000000100000000),
                UINT64_C(0x8000000000000003), UINT64_C(0xdeadbeefcafef00d), UINT64_C(0x0000000600000005),
        },
};

static uint32_t run_checked(const struct sock_filter *p, size_t n, const struct seccomp_data *sd, unsigned *steps) {
        assert_int_equal(bpf_check(p, n), 0);
        return bpf_run(p, n, sd, steps);
}
#define RUN(prog, sd, steps) run_checked(prog, ELEMENTSOF(prog), sd, steps)

static void dump_program(const struct sock_filter *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                print_message("  %4zu: { 0x%04x, %3u, %3u, 0x%08x }\n", i, p[i].code, p[i].jt, p[i].jf, p[i].k);
}

static void test_loads(void **state) {
        static const struct { uint32_t offset, expected; } words[] = {
                { SECCOMP_DATA_NR, 257 },
                { SECCOMP_DATA_ARCH, AUDIT_ARCH_X86_64 },
                { SECCOMP_DATA_IP, 0x55667788 },
                { SECCOMP_DATA_IP + 4, 0x11223344 },
                { SECCOMP_DATA_ARG_LO(0), 0xa },
                { SECCOMP_DATA_ARG_HI(0), 0 },
                { SECCOMP_DATA_ARG_LO(1), 1 },
                { SECCOMP_DATA_ARG_HI(1), 0xffffffff },
                { SECCOMP_DATA_ARG_HI(2), 1 },
                { SECCOMP_DATA_ARG_HI(3), 0x80000000 },
                { SECCOMP_DATA_ARG_LO(4), 0xcafef00d },
                { SECCOMP_DATA_ARG_HI(4), 0xdeadbeef },
                { SECCOMP_DATA_ARG_LO(5), 5 },
                { SECCOMP_DATA_ARG_HI(5), 6 },
        };
        unsigned steps;

        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                const struct sock_filter p[] = { S(BPF_LD | BPF_W | BPF_ABS, words[i].offset), S(BPF_RET | BPF_A, 0) };

                assert_int_equal(RUN(p, &sample, &steps), words[i].expected);
                assert_int_equal(steps, 2);
        }

        /* LEN loads the size of struct seccomp_data, into A or X */
        static const struct sock_filter len_a[] = { S(BPF_LD | BPF_W | BPF_LEN, 0), S(BPF_RET | BPF_A, 0) };
        static const struct sock_filter len_x[] = {
                S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0),
        };
        assert_int_equal(RUN(len_a, &sample, &steps), 64);
        assert_int_equal(steps, 2);
        assert_int_equal(RUN(len_x, &sample, &steps), 64);
        assert_int_equal(steps, 3);

        /* immediates, TAX/TXA */
        static const struct sock_filter imm[] = {
                S(BPF_LD | BPF_IMM, 0x12345678), S(BPF_MISC | BPF_TAX, 0), S(BPF_LD | BPF_IMM, 0),
                S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0),
        };
        static const struct sock_filter ldx_imm[] = {
                S(BPF_LDX | BPF_IMM, 0xfeedface), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0),
        };
        assert_int_equal(RUN(imm, &sample, &steps), 0x12345678);
        assert_int_equal(steps, 5);
        assert_int_equal(RUN(ldx_imm, &sample, &steps), 0xfeedface);
        assert_int_equal(steps, 3);

        /* scratch memory: ST/STX, LD/LDX MEM, the highest cell, cells independent */
        static const struct sock_filter mem[] = {
                S(BPF_LD | BPF_IMM, 7), S(BPF_ST, 15),
                S(BPF_LDX | BPF_IMM, 9), S(BPF_STX, 0),
                S(BPF_LD | BPF_IMM, 0), S(BPF_LDX | BPF_IMM, 0),
                S(BPF_LDX | BPF_MEM, 15), S(BPF_LD | BPF_MEM, 0),
                S(BPF_ALU | BPF_MUL | BPF_X, 0), S(BPF_RET | BPF_A, 0),
        };
        assert_int_equal(RUN(mem, &sample, &steps), 63);
        assert_int_equal(steps, 10);
}

static void test_alu(void **state) {
        static const struct {
                uint16_t op;
                uint32_t a, b, expected;
        } cases[] = {
                { BPF_ADD, 0xffffffff, 2, 1 },
                { BPF_ADD, 40, 2, 42 },
                { BPF_SUB, 1, 2, 0xffffffff },
                { BPF_SUB, 0x80000000, 1, 0x7fffffff },
                { BPF_MUL, 0x10000, 0x10000, 0 },
                { BPF_MUL, 0xffffffff, 3, 0xfffffffd },
                { BPF_DIV, 7, 2, 3 },
                { BPF_DIV, 0xffffffff, 0x10, 0x0fffffff },      /* unsigned */
                { BPF_DIV, 3, 0xffffffff, 0 },
                { BPF_AND, 0xf0f0, 0xff, 0xf0 },
                { BPF_OR, 0xf000, 0x0f, 0xf00f },
                { BPF_XOR, 0xff00ff00, 0xffffffff, 0x00ff00ff },
                { BPF_LSH, 1, 31, 0x80000000 },
                { BPF_LSH, 0x80000001, 1, 2 },
                { BPF_RSH, 0x80000000, 31, 1 },                 /* logical, not arithmetic */
                { BPF_RSH, 0xffffffff, 4, 0x0fffffff },
        };
        unsigned steps;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct sock_filter with_k[] = {
                        S(BPF_LD | BPF_IMM, cases[i].a), S(BPF_ALU | cases[i].op | BPF_K, cases[i].b), S(BPF_RET | BPF_A, 0),
                };
                const struct sock_filter with_x[] = {
                        S(BPF_LD | BPF_IMM, cases[i].a), S(BPF_LDX | BPF_IMM, cases[i].b),
                        S(BPF_ALU | cases[i].op | BPF_X, 0), S(BPF_RET | BPF_A, 0),
                };

                assert_int_equal(RUN(with_k, &sample, &steps), cases[i].expected);
                assert_int_equal(steps, 3);
                assert_int_equal(RUN(with_x, &sample, &steps), cases[i].expected);
                assert_int_equal(steps, 4);
        }

        static const struct sock_filter neg[] = { S(BPF_LD | BPF_IMM, 1), S(BPF_ALU | BPF_NEG, 0), S(BPF_RET | BPF_A, 0) };
        static const struct sock_filter neg0[] = { S(BPF_ALU | BPF_NEG, 0), S(BPF_RET | BPF_A, 0) };
        assert_int_equal(RUN(neg, &sample, NULL), 0xffffffff);
        assert_int_equal(RUN(neg0, &sample, NULL), 0);

        /* shift counts in X are taken modulo 32 */
        static const struct sock_filter lsh33[] = {
                S(BPF_LD | BPF_IMM, 1), S(BPF_LDX | BPF_IMM, 33), S(BPF_ALU | BPF_LSH | BPF_X, 0), S(BPF_RET | BPF_A, 0),
        };
        static const struct sock_filter rsh32[] = {
                S(BPF_LD | BPF_IMM, 0x80), S(BPF_LDX | BPF_IMM, 32), S(BPF_ALU | BPF_RSH | BPF_X, 0), S(BPF_RET | BPF_A, 0),
        };
        assert_int_equal(RUN(lsh33, &sample, NULL), 2);
        assert_int_equal(RUN(rsh32, &sample, NULL), 0x80);

        /* division by X == 0 ends the program with 0, i.e. SECCOMP_RET_KILL_THREAD */
        static const struct sock_filter div0[] = {
                S(BPF_LD | BPF_IMM, 5), S(BPF_LDX | BPF_IMM, 0), S(BPF_ALU | BPF_DIV | BPF_X, 0), RET(SECCOMP_RET_ALLOW),
        };
        assert_int_equal(RUN(div0, &sample, &steps), SECCOMP_RET_KILL_THREAD);
        assert_int_equal(steps, 3);
}

static void test_jumps(void **state) {
        static const struct {
                uint16_t op;
                uint32_t a, b;
                bool taken;
        } cases[] = {
                { BPF_JEQ, 5, 5, true },
                { BPF_JEQ, 5, 6, false },
                { BPF_JGT, 6, 5, true },
                { BPF_JGT, 5, 5, false },
                { BPF_JGT, 0x80000000, 1, true },               /* unsigned */
                { BPF_JGE, 5, 5, true },
                { BPF_JGE, 4, 5, false },
                { BPF_JGE, 0xffffffff, 0x80000000, true },
                { BPF_JSET, 0x10, 0x30, true },
                { BPF_JSET, 0x10, 0x20, false },
        };
        unsigned steps;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                /* true: 2 instructions ahead, false: 3 */
                const struct sock_filter with_k[] = {
                        S(BPF_LD | BPF_IMM, cases[i].a),
                        J(BPF_JMP | cases[i].op | BPF_K, cases[i].b, 2, 3),
                        RET(1), RET(2), RET(3), RET(4),
                };
                const struct sock_filter with_x[] = {
                        S(BPF_LD | BPF_IMM, cases[i].a), S(BPF_LDX | BPF_IMM, cases[i].b),
                        J(BPF_JMP | cases[i].op | BPF_X, 0, 2, 3),
                        RET(1), RET(2), RET(3), RET(4),
                };

                assert_int_equal(RUN(with_k, &sample, &steps), cases[i].taken ? 3 : 4);
                assert_int_equal(steps, 3);
                assert_int_equal(RUN(with_x, &sample, &steps), cases[i].taken ? 3 : 4);
                assert_int_equal(steps, 4);
        }

        /* JA is relative to the next instruction, and a zero offset falls through */
        static const struct sock_filter ja[] = {
                S(BPF_JMP | BPF_JA, 0), S(BPF_JMP | BPF_JA, 2), RET(1), RET(2),
                S(BPF_LD | BPF_IMM, 9), S(BPF_RET | BPF_A, 0),
        };
        assert_int_equal(RUN(ja, &sample, &steps), 9);
        assert_int_equal(steps, 4);

        /* a typical dispatch: arch, then nr */
        static const struct sock_filter dispatch[] = {
                S(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARCH),
                J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                RET(SECCOMP_RET_KILL_PROCESS),
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JEQ | BPF_K, 257, 0, 1),
                RET(ERRNO(1)),
                RET(SECCOMP_RET_ALLOW),
        };
        struct seccomp_data sd = sample;
        assert_int_equal(RUN(dispatch, &sd, &steps), ERRNO(1));
        assert_int_equal(steps, 5);
        sd.nr = 0;
        assert_int_equal(RUN(dispatch, &sd, &steps), SECCOMP_RET_ALLOW);
        assert_int_equal(steps, 5);
        sd.arch = AUDIT_ARCH_I386;
        assert_int_equal(RUN(dispatch, &sd, &steps), SECCOMP_RET_KILL_PROCESS);
        assert_int_equal(steps, 3);
}

static void test_returns(void **state) {
        static const struct sock_filter ret_k[] = { RET(0x12345678) };
        static const struct sock_filter ret_a[] = { LD(SECCOMP_DATA_NR), S(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO), S(BPF_RET | BPF_A, 0) };
        unsigned steps = 99;

        /* returned verbatim, whatever the action */
        assert_int_equal(RUN(ret_k, &sample, &steps), 0x12345678);
        assert_int_equal(steps, 1);
        assert_int_equal(RUN(ret_a, &sample, &steps), ERRNO(257));
        assert_int_equal(steps, 3);
        /* steps are optional */
        assert_int_equal(RUN(ret_a, &sample, NULL), ERRNO(257));
}

static void test_action_order(void **state) {
        /* most restrictive first */
        static const uint32_t order[] = {
                SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
                SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
        };

        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                for (size_t j = 0; j < ELEMENTSOF(order); j++) {
                        int expected = (i > j) - (i < j);

                        assert_int_equal(action_compare(order[i], order[j]), expected);
                        /* data does not count */
                        assert_int_equal(action_compare(order[i] | 0x1234, order[j] | 7), expected);
                }
}

static void test_action_to_string(void **state) {
        static const struct { uint32_t action; const char *name; } cases[] = {
                { SECCOMP_RET_KILL_PROCESS, "KILL_PROCESS" },
                { SECCOMP_RET_KILL_THREAD, "KILL_THREAD" },
                { SECCOMP_RET_TRAP, "TRAP" },
                { TRAP(3), "TRAP(3)" },
                { ERRNO(1), "ERRNO(1)" },
                { ERRNO(0), "ERRNO(0)" },
                { ERRNO(0xffff), "ERRNO(65535)" },
                { SECCOMP_RET_USER_NOTIF, "USER_NOTIF" },
                { SECCOMP_RET_TRACE, "TRACE" },
                { SECCOMP_RET_TRACE | 12, "TRACE(12)" },
                { SECCOMP_RET_LOG, "LOG" },
                { SECCOMP_RET_ALLOW, "ALLOW" },
                { 0x7ffe0000, "UNKNOWN(0x7ffe0000)" },
        };
        char buf[64];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                assert_string_equal(action_to_string(cases[i].action, buf, sizeof buf), cases[i].name);
}

static void test_chain(void **state) {
        static const struct sock_filter errno1[] = { RET(ERRNO(1)) }, errno2[] = { RET(ERRNO(2)) };
        static const struct sock_filter kill_process[] = { RET(SECCOMP_RET_KILL_PROCESS) };
        static const struct sock_filter kill_thread[] = { RET(SECCOMP_RET_KILL_THREAD) };
        static const struct sock_filter allow_data[] = { RET(SECCOMP_RET_ALLOW | 5) };
        static const struct sock_filter trap[] = { LD(SECCOMP_DATA_NR), RET(TRAP(3)) };
        static const struct sock_filter log[] = { RET(SECCOMP_RET_LOG) };
        static const struct sock_filter unknown[] = { RET(0x7ffe0000) };
        static const struct sock_filter allow[] = { LD(SECCOMP_DATA_NR), S(BPF_MISC | BPF_TAX, 0), RET(SECCOMP_RET_ALLOW) };
#define F(p) { p, ELEMENTSOF(p) }
        static const struct {
                BpfFilterRef filters[3];
                size_t n;
                uint32_t expected;
                unsigned steps;
        } cases[] = {
                { { F(errno1), F(errno2) }, 2, ERRNO(2), 2 },           /* a tie goes to the newest */
                { { F(errno2), F(errno1) }, 2, ERRNO(1), 2 },
                { { F(kill_process), F(allow) }, 2, SECCOMP_RET_KILL_PROCESS, 4 },
                { { F(kill_thread), F(kill_process) }, 2, SECCOMP_RET_KILL_PROCESS, 2 },
                { { F(errno1), F(trap), F(allow) }, 3, TRAP(3), 6 },
                { { F(allow), F(log) }, 2, SECCOMP_RET_LOG, 4 },
                { { F(allow_data) }, 1, SECCOMP_RET_ALLOW, 1 },         /* data of ALLOW is dropped */
                { { F(allow), F(unknown) }, 2, 0x7ffe0000, 4 },
                { {}, 0, SECCOMP_RET_ALLOW, 0 },
        };
#undef F
        unsigned steps;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(bpf_chain_run(cases[i].filters, cases[i].n, &sample, &steps), cases[i].expected);
                assert_int_equal(steps, cases[i].steps);
        }
}

/* Programs the kernel accepts or refuses, one for each rule. */
static const struct {
        const char *name;
        const struct sock_filter *insns;
        size_t n;
        int expected;
} corpus[] = {
        { "one return", PROG(RET(SECCOMP_RET_ALLOW)), 0 },
        { "return A", PROG(S(BPF_RET | BPF_A, 0)), 0 },
        { "last word of seccomp_data", PROG(S(BPF_LD | BPF_W | BPF_ABS, 60), RET(0)), 0 },
        { "load past seccomp_data", PROG(S(BPF_LD | BPF_W | BPF_ABS, 64), RET(0)), -EINVAL },
        { "load far past seccomp_data", PROG(S(BPF_LD | BPF_W | BPF_ABS, 0x1000), RET(0)), -EINVAL },
        { "ancillary load", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL), RET(0)), -EINVAL },
        { "misaligned load", PROG(S(BPF_LD | BPF_W | BPF_ABS, 2), RET(0)), -EINVAL },
        { "halfword load", PROG(S(BPF_LD | BPF_H | BPF_ABS, 0), RET(0)), -EINVAL },
        { "byte load", PROG(S(BPF_LD | BPF_B | BPF_ABS, 0), RET(0)), -EINVAL },
        { "indirect load", PROG(S(BPF_LD | BPF_W | BPF_IND, 0), RET(0)), -EINVAL },
        { "msh load", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 0), RET(0)), -EINVAL },
        { "ja to the last", PROG(S(BPF_JMP | BPF_JA, 1), RET(1), RET(2)), 0 },
        { "ja past the end", PROG(S(BPF_JMP | BPF_JA, 2), RET(1), RET(2)), -EINVAL },
        { "ja far past the end", PROG(S(BPF_JMP | BPF_JA, 0xffffffff), RET(1)), -EINVAL },
        { "jt to the last", PROG(J(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET(1), RET(2)), 0 },
        { "jt past the end", PROG(J(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0), RET(1), RET(2)), -EINVAL },
        { "jf past the end", PROG(J(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 2), RET(1), RET(2)), -EINVAL },
        { "conditional jump last", PROG(RET(1), J(BPF_JMP | BPF_JSET | BPF_K, 0, 0, 0)), -EINVAL },
        { "no final return", PROG(RET(1), LD(SECCOMP_DATA_NR)), -EINVAL },
        { "return X", PROG(S(BPF_RET | BPF_X, 0)), -EINVAL },
        { "division by zero", PROG(S(BPF_ALU | BPF_DIV | BPF_K, 0), RET(0)), -EINVAL },
        { "division by X", PROG(S(BPF_ALU | BPF_DIV | BPF_X, 0), RET(0)), 0 },
        { "modulo", PROG(S(BPF_ALU | BPF_MOD | BPF_K, 3), RET(0)), -EINVAL },
        { "modulo X", PROG(S(BPF_ALU | BPF_MOD | BPF_X, 0), RET(0)), -EINVAL },
        { "shift by 31", PROG(S(BPF_ALU | BPF_LSH | BPF_K, 31), S(BPF_ALU | BPF_RSH | BPF_K, 31), RET(0)), 0 },
        { "left shift by 32", PROG(S(BPF_ALU | BPF_LSH | BPF_K, 32), RET(0)), -EINVAL },
        { "right shift by 32", PROG(S(BPF_ALU | BPF_RSH | BPF_K, 32), RET(0)), -EINVAL },
        { "neg", PROG(S(BPF_ALU | BPF_NEG, 0), RET(0)), 0 },
        { "neg with X bit", PROG(S(BPF_ALU | BPF_NEG | BPF_X, 0), RET(0)), -EINVAL },
        { "scratch written then read", PROG(S(BPF_ST, 3), S(BPF_LDX | BPF_MEM, 3), RET(0)), 0 },
        { "scratch read unwritten", PROG(S(BPF_LD | BPF_MEM, 3), RET(0)), -EINVAL },
        { "scratch read other cell", PROG(S(BPF_STX, 2), S(BPF_LD | BPF_MEM, 3), RET(0)), -EINVAL },
        { "scratch cell 16", PROG(S(BPF_ST, 16), RET(0)), -EINVAL },
        { "scratch written on one path",
          PROG(J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), S(BPF_ST, 0), S(BPF_LD | BPF_MEM, 0), RET(0)), -EINVAL },
        { "scratch written on both paths",
          PROG(J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2), S(BPF_ST, 0), S(BPF_JMP | BPF_JA, 1), S(BPF_STX, 0),
               S(BPF_LD | BPF_MEM, 0), RET(0)), 0 },
        { "scratch skipped by ja",
          PROG(S(BPF_JMP | BPF_JA, 1), S(BPF_ST, 0), S(BPF_LD | BPF_MEM, 0), RET(0)), -EINVAL },
        /* the kernel's check lets what was written before a RET count after it */
        { "scratch read after return", PROG(S(BPF_ST, 0), RET(0), S(BPF_LD | BPF_MEM, 0), RET(0)), 0 },
        { "unknown opcode", PROG(S(0xffff, 0), RET(0)), -EINVAL },
        { "undefined jump", PROG(J(BPF_JMP | 0x50, 0, 0, 0), RET(0)), -EINVAL },
        { "empty", .insns = (const struct sock_filter[]) { RET(0) }, .n = 0, -EINVAL },
};

static void test_check(void **state) {
        struct sock_filter big[BPF_MAXINSNS + 1];

        for (size_t i = 0; i < ELEMENTSOF(corpus); i++) {
                int r = bpf_check(corpus[i].insns, corpus[i].n);

                if (r != corpus[i].expected)
                        fail_msg("%s: bpf_check() = %d, expected %d", corpus[i].name, r, corpus[i].expected);
        }

        assert_int_equal(bpf_check(NULL, 1), -EINVAL);

        /* length: 4096 instructions are fine, 4097 are not */
        for (size_t i = 0; i < ELEMENTSOF(big); i++)
                big[i] = (struct sock_filter) RET(SECCOMP_RET_ALLOW);
        assert_int_equal(bpf_check(big, BPF_MAXINSNS), 0);
        assert_int_equal(bpf_check(big, BPF_MAXINSNS + 1), -EINVAL);
        /* the longest jump */
        big[0] = (struct sock_filter) S(BPF_JMP | BPF_JA, BPF_MAXINSNS - 2);
        assert_int_equal(bpf_check(big, BPF_MAXINSNS), 0);
        big[0].k++;
        assert_int_equal(bpf_check(big, BPF_MAXINSNS), -EINVAL);

        /* every code seccomp permits, alone before a return, and nothing else */
        for (unsigned code = 0; code <= UINT16_MAX; code++) {
                const struct sock_filter p[] = { S(code, 4), RET(0) };
                bool permitted = false;

                switch (code) {
                case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_W | BPF_LEN: case BPF_LDX | BPF_W | BPF_LEN:
                case BPF_LD | BPF_IMM: case BPF_LDX | BPF_IMM: case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
                case BPF_ST: case BPF_STX: case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
                case BPF_RET | BPF_K: case BPF_RET | BPF_A: case BPF_ALU | BPF_NEG:
                case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
                case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
                case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
                case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
                case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
                case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
                case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
                case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
                case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
                case BPF_JMP | BPF_JA:
                case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
                case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
                case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
                case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
                        permitted = true;
                }
                /* with k = 4, a jump leaves the program and a load reads an unwritten cell */
                if (code == (BPF_JMP | BPF_JA) || code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM))
                        permitted = false;

                if ((bpf_check(p, ELEMENTSOF(p)) == 0) != permitted)
                        fail_msg("code 0x%04x: expected %s", code, permitted ? "accepted" : "refused");
        }
}

static void test_check_matches_kernel(void **state) {
        struct sock_filter big[BPF_MAXINSNS + 1], p[64];
        unsigned accepted = 0, refused = 0;
        uint64_t seed;
        Rng rng = rng_from_env(DEFAULT_SEED, &seed);
        int r;

        for (size_t i = 0; i < ELEMENTSOF(corpus); i++) {
                r = kernel_load(corpus[i].insns, corpus[i].n);
                if (r != corpus[i].expected)
                        fail_msg("%s: the kernel says %d, expected %d", corpus[i].name, r, corpus[i].expected);
        }

        for (size_t i = 0; i < ELEMENTSOF(big); i++)
                big[i] = (struct sock_filter) RET(SECCOMP_RET_ALLOW);
        assert_int_equal(kernel_load(big, BPF_MAXINSNS), 0);
        assert_int_equal(kernel_load(big, BPF_MAXINSNS + 1), -EINVAL);

        /* random programs, most of them broken in one place */
        for (unsigned i = 0; i < 1500; i++) {
                size_t n = rng_program(&rng, p, ELEMENTSOF(p), 0);
                int expected;

                if (i % 2 != 0)
                        rng_mutate(&rng, p, n);

                expected = bpf_check(p, n);
                r = kernel_load(p, n);
                if (r != expected) {
                        dump_program(p, n);
                        fail_msg("seed 0x%" PRIx64 ", program %u: the kernel says %d, bpf_check() %d", seed, i, r, expected);
                }
                if (r == 0)
                        accepted++;
                else
                        refused++;
        }

        /* both kinds in numbers, or the comparison says little */
        print_message("kernel and bpf_check() agree on %u accepted and %u refused programs\n", accepted, refused);
        assert_true(accepted >= 100);
        assert_true(refused >= 100);
}

/* Harmless calls, and what each returns when the filters allow it. */
typedef struct Call {
        long nr;
        long allowed_ret;
} Call;

static size_t harmless_calls(Call calls[static 6]) {
        calls[0] = (Call) { SYS_getppid, getpid() };
        calls[1] = (Call) { SYS_getuid, (long) getuid() };
        calls[2] = (Call) { SYS_getgid, (long) getgid() };
        calls[3] = (Call) { SYS_sched_yield, 0 };
        calls[4] = (Call) { 1000, -ENOSYS };                    /* no such syscall */
        calls[5] = (Call) { 0x40000000 | SYS_getpid, -ENOSYS }; /* x32, not enabled on this kernel */
        return 6;
}

static uint64_t syscall_ip;

static struct seccomp_data data_for(long nr, const uint64_t args[6]) {
        struct seccomp_data sd = { .nr = (int) nr, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = syscall_ip };

        memcpy(sd.args, args, sizeof(sd.args));
        return sd;
}

static void assert_same_outcome(const Outcome *kernel, const Outcome *predicted, uint32_t verdict,
                                long nr, uint64_t seed, unsigned i) {
        char a[64], b[64], v[64];

        if (outcome_equal(kernel, predicted))
                return;
        fail_msg("seed 0x%" PRIx64 ", case %u, nr 0x%lx: the kernel %s, bpf_run() says %s (%s)", seed, i, nr,
                 outcome_to_string(kernel, a, sizeof a), action_to_string(verdict, v, sizeof v),
                 outcome_to_string(predicted, b, sizeof b));
}

static void test_run_matches_kernel(void **state) {
        struct sock_filter p[48];
        Call calls[6];
        size_t n_calls = harmless_calls(calls);
        unsigned programs = 0, outcomes[4] = {};
        uint64_t seed;
        Rng rng = rng_from_env(DEFAULT_SEED + 1, &seed);

        /* random programs load the instruction pointer too */
        syscall_ip = kernel_syscall_ip();
        assert_true(syscall_ip != 0);

        while (programs < 400) {
                size_t n = rng_program(&rng, p, ELEMENTSOF(p), 0);
                BpfFilterRef f = { p, n };

                if (bpf_check(p, n) < 0)
                        continue;
                programs++;

                for (unsigned j = 0; j < 3; j++) {
                        const Call *c = calls + rng_below(&rng, (uint32_t) n_calls);
                        uint64_t args[6];
                        struct seccomp_data sd;
                        Outcome kernel, predicted;
                        uint32_t verdict;

                        rng_args(&rng, args);
                        sd = data_for(c->nr, args);
                        verdict = bpf_run(p, n, &sd, NULL);
                        predicted = outcome_of_verdict(verdict, c->allowed_ret);

                        assert_int_equal(kernel_run(&f, 1, c->nr, args, &kernel), 0);
                        if (!outcome_equal(&kernel, &predicted))
                                dump_program(p, n);
                        assert_same_outcome(&kernel, &predicted, verdict, c->nr, seed, programs);
                        outcomes[kernel.kind]++;
                }
        }

        print_message("%u programs: %u returned, %u killed, %u trapped\n", programs,
                      outcomes[OUTCOME_RETURNED], outcomes[OUTCOME_KILLED], outcomes[OUTCOME_TRAPPED]);
        assert_true(outcomes[OUTCOME_RETURNED] >= 100);
        assert_true(outcomes[OUTCOME_KILLED] >= 50);
        assert_true(outcomes[OUTCOME_TRAPPED] >= 20);
}

/* Make a filter that lets seccomp(2) itself through and otherwise behaves as body does: so that
 * later filters of a chain can still be loaded. A is reset, so body starts as it would alone. */
static size_t wrap_for_chain(const struct sock_filter *body, size_t n, struct sock_filter *out) {
        const struct sock_filter prefix[] = {
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
                RET(SECCOMP_RET_ALLOW),
                S(BPF_LD | BPF_IMM, 0),
        };

        memcpy(out, prefix, sizeof(prefix));
        memcpy(out + ELEMENTSOF(prefix), body, n * sizeof(*body));
        return ELEMENTSOF(prefix) + n;
}

static void test_chain_matches_kernel(void **state) {
        /* conflicting actions for getppid, in attach order */
        static const struct {
                size_t n;
                uint32_t actions[3];
        } conflicts[] = {
                { 2, { ERRNO(5), SECCOMP_RET_KILL_PROCESS } },
                { 2, { SECCOMP_RET_KILL_PROCESS, ERRNO(5) } },
                { 2, { ERRNO(5), ERRNO(7) } },                  /* the newest filter's errno */
                { 2, { ERRNO(7), ERRNO(5) } },
                { 3, { ERRNO(7), ERRNO(5), ERRNO(9) } },
                { 2, { TRAP(9), ERRNO(1) } },
                { 3, { ERRNO(1), TRAP(9), SECCOMP_RET_LOG } },
                { 2, { SECCOMP_RET_LOG, SECCOMP_RET_ALLOW } },
                { 2, { SECCOMP_RET_TRACE, ERRNO(3) } },
                { 2, { SECCOMP_RET_ALLOW, ERRNO(0x7ff0) } },    /* capped at 4095 */
                { 3, { SECCOMP_RET_USER_NOTIF, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_THREAD } },
        };
        struct sock_filter programs[4][64 + 4];
        BpfFilterRef chain[4], bodies[4];
        Call calls[6];
        size_t n_calls = harmless_calls(calls);
        uint64_t seed, args[6] = {};
        Rng rng = rng_from_env(DEFAULT_SEED + 2, &seed);
        Outcome kernel, predicted;
        uint32_t verdict;

        syscall_ip = kernel_syscall_ip();
        assert_true(syscall_ip != 0);

        for (size_t i = 0; i < ELEMENTSOF(conflicts); i++) {
                struct seccomp_data sd = data_for(SYS_getppid, args);

                for (size_t j = 0; j < conflicts[i].n; j++) {
                        const struct sock_filter p[] = {
                                LD(SECCOMP_DATA_NR),
                                J(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
                                RET(conflicts[i].actions[j]),
                                RET(SECCOMP_RET_ALLOW),
                        };

                        memcpy(programs[j], p, sizeof(p));
                        chain[j] = (BpfFilterRef) { programs[j], ELEMENTSOF(p) };
                }

                verdict = bpf_chain_run(chain, conflicts[i].n, &sd, NULL);
                predicted = outcome_of_verdict(verdict, getpid());
                assert_int_equal(kernel_run(chain, conflicts[i].n, SYS_getppid, args, &kernel), 0);
                assert_same_outcome(&kernel, &predicted, verdict, SYS_getppid, seed, (unsigned) i);
        }

        /* random chains */
        for (unsigned i = 0; i < 150; i++) {
                size_t n = 2 + rng_below(&rng, 3);
                const Call *c = calls + rng_below(&rng, (uint32_t) n_calls);

                for (size_t j = 0; j < n; j++) {
                        struct sock_filter body[64];
                        size_t m;

                        do
                                m = rng_program(&rng, body, ELEMENTSOF(body), 0);
                        while (bpf_check(body, m) < 0);

                        /* every filter but the newest is active while a later one is loaded */
                        if (j + 1 < n)
                                chain[j] = (BpfFilterRef) { programs[j], wrap_for_chain(body, m, programs[j]) };
                        else {
                                memcpy(programs[j], body, m * sizeof(body[0]));
                                chain[j] = (BpfFilterRef) { programs[j], m };
                        }
                        bodies[j] = (BpfFilterRef) { chain[j].insns + (chain[j].n - m), m };
                        assert_int_equal(bpf_check(chain[j].insns, chain[j].n), 0);
                }

                rng_args(&rng, args);
                struct seccomp_data sd = data_for(c->nr, args);
                verdict = bpf_chain_run(bodies, n, &sd, NULL);
                assert_int_equal(bpf_chain_run(chain, n, &sd, NULL), verdict);
                predicted = outcome_of_verdict(verdict, c->allowed_ret);
                assert_int_equal(kernel_run(chain, n, c->nr, args, &kernel), 0);
                assert_same_outcome(&kernel, &predicted, verdict, c->nr, seed, i);
        }
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ struct sock_filter *p = NULL;
        off_t size;
        int r;

        fd = memfd_create("libseccomp-filter", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        size = lseek(fd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0)
                return -EBADMSG;
        p = malloc(size);
        if (!p)
                return -ENOMEM;
        if (pread(fd, p, size, 0) != size)
                return -EIO;

        *ret_n = size / sizeof(struct sock_filter);
        *ret = TAKE_PTR(p);
        return 0;
}

static void test_libseccomp_filter(void **state) {
        scmp_filter_ctx ctx;
        _cleanup_free_ struct sock_filter *p = NULL;
        uint32_t badarch;
        size_t n = 0;
        int x86_getppid, x86_dup;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        assert_non_null(ctx);
        assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X86), 0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(5), SCMP_SYS(getppid), 0), 0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(ptrace), 0), 0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(9), SCMP_SYS(dup), 1, SCMP_A0(SCMP_CMP_EQ, 1000)), 0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GT, 10)), 0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_LOG, SCMP_SYS(getuid), 0), 0);
        assert_int_equal(seccomp_attr_get(ctx, SCMP_FLTATR_ACT_BADARCH, &badarch), 0);
        assert_int_equal(export_bpf(ctx, &p, &n), 0);
        seccomp_release(ctx);

        assert_int_equal(bpf_check(p, n), 0);

        x86_getppid = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "getppid");
        x86_dup = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "dup");
        assert_true(x86_getppid > 0 && x86_dup > 0);

        const struct {
                uint32_t arch;
                int nr;
                uint64_t a0;
                uint32_t expected;
        } cases[] = {
                { AUDIT_ARCH_X86_64, SYS_getppid, 0, ERRNO(5) },
                { AUDIT_ARCH_X86_64, SYS_ptrace, 0, SECCOMP_RET_KILL_PROCESS },
                { AUDIT_ARCH_X86_64, SYS_dup, 1000, ERRNO(9) },
                { AUDIT_ARCH_X86_64, SYS_dup, UINT64_C(0x1000003e8), SECCOMP_RET_ALLOW },   /* upper half differs */
                { AUDIT_ARCH_X86_64, SYS_dup, 999, SECCOMP_RET_ALLOW },
                { AUDIT_ARCH_X86_64, SYS_socket, 11, SECCOMP_RET_TRAP },
                { AUDIT_ARCH_X86_64, SYS_socket, 10, SECCOMP_RET_ALLOW },
                { AUDIT_ARCH_X86_64, SYS_socket, UINT64_C(0x100000000), SECCOMP_RET_TRAP },
                { AUDIT_ARCH_X86_64, SYS_getuid, 0, SECCOMP_RET_LOG },
                { AUDIT_ARCH_X86_64, SYS_getpid, 0, SECCOMP_RET_ALLOW },
                { AUDIT_ARCH_I386, x86_getppid, 0, ERRNO(5) },
                { AUDIT_ARCH_I386, x86_dup, 1000, ERRNO(9) },
                { AUDIT_ARCH_I386, x86_dup, 1001, SECCOMP_RET_ALLOW },
                { AUDIT_ARCH_I386, SYS_getppid, 0, SECCOMP_RET_ALLOW },         /* 110 is iopl there */
                { AUDIT_ARCH_AARCH64, SYS_getppid, 0, badarch },
                { AUDIT_ARCH_X86_64, 0x40000000 | SYS_getppid, 0, badarch },  /* x32 */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct seccomp_data sd = { .nr = cases[i].nr, .arch = cases[i].arch, .args = { cases[i].a0 } };
                uint32_t v = bpf_run(p, n, &sd, NULL);

                if (v != cases[i].expected)
                        fail_msg("case %zu: bpf_run() = 0x%08x, expected 0x%08x", i, v, cases[i].expected);
        }

        /* and the kernel agrees with the emulator on the same program */
        const struct { long nr; uint64_t a0; long allowed_ret; } calls[] = {
                { SYS_getppid, 0, getpid() },
                { SYS_dup, 1000, -EBADF },
                { SYS_dup, UINT64_C(0x1000003e8), -EBADF },
                { SYS_socket, 11, 0 },
                { SYS_getuid, 0, (long) getuid() },
        };
        BpfFilterRef f = { p, n };
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                uint64_t args[6] = { calls[i].a0 };
                struct seccomp_data sd = data_for(calls[i].nr, args);
                uint32_t v = bpf_run(p, n, &sd, NULL);
                Outcome kernel, predicted = outcome_of_verdict(v, calls[i].allowed_ret);

                assert_int_equal(kernel_run(&f, 1, calls[i].nr, args, &kernel), 0);
                assert_same_outcome(&kernel, &predicted, v, calls[i].nr, 0, (unsigned) i);
        }
}

static void test_program_append(void **state) {
        BpfProgram p = {};

        for (unsigned i = 0; i < 1000; i++)
                assert_int_equal(bpf_program_append(&p, BPF_LD | BPF_IMM, 0, 0, i), 0);
        assert_int_equal(bpf_program_append(&p, BPF_RET | BPF_A, 0, 0, 0), 0);
        assert_int_equal(p.n, 1001);
        assert_true(p.allocated >= p.n);
        assert_int_equal(p.insns[999].k, 999);
        assert_int_equal(bpf_check(p.insns, p.n), 0);
        assert_int_equal(bpf_run(p.insns, p.n, &sample, NULL), 999);

        p.name = strdup("test");
        bpf_program_done(&p);
        assert_null(p.insns);
        assert_null(p.name);
        assert_int_equal(p.n, 0);

        BpfProgram *v = calloc(2, sizeof(BpfProgram));
        assert_non_null(v);
        assert_int_equal(bpf_program_append(v + 1, BPF_RET | BPF_K, 0, 0, 0), 0);
        bpf_programs_free(v, 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_loads),
                cmocka_unit_test(test_alu),
                cmocka_unit_test(test_jumps),
                cmocka_unit_test(test_returns),
                cmocka_unit_test(test_action_order),
                cmocka_unit_test(test_action_to_string),
                cmocka_unit_test(test_chain),
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_check_matches_kernel),
                cmocka_unit_test(test_run_matches_kernel),
                cmocka_unit_test(test_chain_matches_kernel),
                cmocka_unit_test(test_libseccomp_filter),
                cmocka_unit_test(test_program_append),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
