/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Path exploration over arbitrary programs: verdicts reached whatever the arguments, the longest
 * path, and the chain's combination of them. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/audit.h>

#include "bpf-insn.h"
#include "bpf-paths.h"
#include "bpf-program.h"

#define ARCH AUDIT_ARCH_X86_64

static bool has_action(const BpfPaths *p, uint32_t a) {
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i] == a)
                        return true;
        return false;
}

static void test_constant(void **state) {
        /* Decided by nr alone: one verdict per syscall, the path through it. */
        static const struct sock_filter prog[] = {
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
                RET(ERRNO(1)),
                RET(SECCOMP_RET_ALLOW),
        };
        BpfPaths p;

        bpf_paths(prog, ELEMENTSOF(prog), ARCH, 39, &p);
        assert_int_equal(p.n_actions, 1);
        assert_int_equal(p.actions[0], ERRNO(1));
        assert_false(p.any_action);
        assert_false(p.reads_args);
        assert_int_equal(p.steps_max, 3);

        bpf_paths(prog, ELEMENTSOF(prog), ARCH, 40, &p);
        assert_int_equal(p.n_actions, 1);
        assert_int_equal(p.actions[0], SECCOMP_RET_ALLOW);
}

static void test_arguments(void **state) {
        /* Both halves of a 64-bit comparison, through scratch memory and X. */
        static const struct sock_filter prog[] = {
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JEQ | BPF_K, 41, 0, 8),
                LD(SECCOMP_DATA_ARG_HI(0)),
                S(BPF_ST, 3),
                S(BPF_LDX | BPF_MEM, 3),
                LD(SECCOMP_DATA_ARG_LO(0)),
                J(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 3),
                S(BPF_MISC | BPF_TXA, 0),
                J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
                RET(ERRNO(97)),
                RET(SECCOMP_RET_ALLOW),
        };
        BpfPaths p;

        bpf_paths(prog, ELEMENTSOF(prog), ARCH, 41, &p);
        assert_int_equal(p.n_actions, 2);
        assert_true(has_action(&p, ERRNO(97)));
        assert_true(has_action(&p, SECCOMP_RET_ALLOW));
        assert_true(p.reads_args);
        assert_int_equal(p.steps_max, 10);

        /* Another syscall never reaches the argument loads. */
        bpf_paths(prog, ELEMENTSOF(prog), ARCH, 42, &p);
        assert_int_equal(p.n_actions, 1);
        assert_false(p.reads_args);
        assert_int_equal(p.steps_max, 3);
}

static void test_ret_a(void **state) {
        /* RET A of a known value is a verdict; of an argument, anything. */
        static const struct sock_filter prog[] = {
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2),
                S(BPF_LD | BPF_IMM, ERRNO(5)),
                S(BPF_RET | BPF_A, 0),
                LD(SECCOMP_DATA_ARG_LO(1)),
                S(BPF_RET | BPF_A, 0),
        };
        BpfPaths p;

        bpf_paths(prog, ELEMENTSOF(prog), ARCH, 1, &p);
        assert_int_equal(p.n_actions, 1);
        assert_int_equal(p.actions[0], ERRNO(5));
        assert_false(p.any_action);

        bpf_paths(prog, ELEMENTSOF(prog), ARCH, 2, &p);
        assert_true(p.any_action);
}

static void test_chain(void **state) {
        /* An argument check behind a filter that kills the syscall anyway is no argument check. */
        static const struct sock_filter check[] = {
                LD(SECCOMP_DATA_ARG_LO(0)),
                J(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
                RET(ERRNO(1)),
                RET(SECCOMP_RET_ALLOW),
        };
        static const struct sock_filter kill_all[] = {
                RET(SECCOMP_RET_KILL_PROCESS),
        };
        static const struct sock_filter allow_all[] = {
                RET(SECCOMP_RET_ALLOW),
        };
        BpfFilterRef killed[] = { { check, ELEMENTSOF(check) }, { kill_all, 1 } };
        BpfFilterRef allowed[] = { { check, ELEMENTSOF(check) }, { allow_all, 1 } };
        BpfPaths p;

        bpf_chain_paths(killed, 2, ARCH, 0, &p);
        assert_int_equal(p.n_actions, 1);
        assert_int_equal(p.actions[0], SECCOMP_RET_KILL_PROCESS);
        assert_int_equal(p.steps_max, 3 + 1);

        bpf_chain_paths(allowed, 2, ARCH, 0, &p);
        assert_int_equal(p.n_actions, 2);
        assert_true(has_action(&p, ERRNO(1)));
        assert_true(has_action(&p, SECCOMP_RET_ALLOW));
}

static void test_meeting_paths(void **state) {
        /* 1995 tests of an argument whose branches meet again: 2^1995 paths, one state each time
         * they meet, so the exploration is linear and exact. */
        static struct sock_filter prog[BPF_MAXINSNS_SECCOMP];
        size_t n = 0;
        BpfPaths p;

        prog[n++] = (struct sock_filter) LD(SECCOMP_DATA_ARG_LO(0));
        while (n < 3990) {
                prog[n] = (struct sock_filter) J(BPF_JMP | BPF_JSET | BPF_K, 1u << (n % 31), 0, 1);
                n++;
                prog[n++] = (struct sock_filter) S(BPF_ALU | BPF_ADD | BPF_K, 1);
        }
        prog[n++] = (struct sock_filter) RET(SECCOMP_RET_ALLOW);

        bpf_paths(prog, n, ARCH, 0, &p);
        assert_false(p.any_action);
        assert_true(p.reads_args);
        assert_int_equal(p.n_actions, 1);
        assert_int_equal(p.actions[0], SECCOMP_RET_ALLOW);
        assert_int_equal(p.steps_max, n);

        /* The same with the sum returned: now every count of taken branches is a verdict. */
        prog[n - 1] = (struct sock_filter) S(BPF_RET | BPF_A, 0);
        bpf_paths(prog, n, ARCH, 0, &p);
        assert_true(p.any_action);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_constant),
                cmocka_unit_test(test_arguments),
                cmocka_unit_test(test_ret_a),
                cmocka_unit_test(test_chain),
                cmocka_unit_test(test_meeting_paths),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
