/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <linux/audit.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "bpf-cache.h"
#include "bpf-check.h"
#include "bpf-emu.h"
#include "bpf-insn.h"
#include "bpf-program.h"
#include "bpf-random.h"
#include "macro.h"
#include "seccomp-child.h"
#include "syscall-table.h"

#define ALLOW RET(SECCOMP_RET_ALLOW)

#define DEFAULT_SEED UINT64_C(0x63616368652d6d6f)

/* Numbers to try: the first thousand, and the edges of the ranges programs compare against. */
static const uint32_t far_numbers[] = {
        0x3fffffff, 0x40000000, 0x40000027, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};

typedef bool (*Expectation)(uint32_t arch, uint32_t nr);

static void assert_cacheable_exactly(const struct sock_filter *p, size_t n, uint32_t arch, Expectation expected) {
        assert_int_equal(bpf_check(p, n), 0);

        for (uint32_t i = 0; i < 1024 + ELEMENTSOF(far_numbers); i++) {
                uint32_t nr = i < 1024 ? i : far_numbers[i - 1024];
                bool c = bpf_cache_allows(p, n, arch, nr);

                if (c != expected(arch, nr))
                        fail_msg("arch 0x%08" PRIx32 ", nr %" PRIu32 ": cacheable %s, expected %s",
                                 arch, nr, c ? "yes" : "no", c ? "no" : "yes");
        }
}

static bool dispatch_expected(uint32_t arch, uint32_t nr) {
        return arch == AUDIT_ARCH_X86_64 && nr < 0x40000000 && nr != 39 && nr <= 400;
}

static void test_nr_only(void **state) {
        /* the shape of a megafilter: arch, the x32 bit, then ranges of numbers */
        static const struct sock_filter p[] = {
                /* 0 */ LD(SECCOMP_DATA_ARCH),
                /* 1 */ J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 6),
                /* 2 */ LD(SECCOMP_DATA_NR),
                /* 3 */ J(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 4, 0),
                /* 4 */ J(BPF_JMP | BPF_JEQ | BPF_K, 39, 2, 0),
                /* 5 */ J(BPF_JMP | BPF_JGT | BPF_K, 400, 1, 0),
                /* 6 */ ALLOW,
                /* 7 */ RET(ERRNO(1)),
                /* 8 */ RET(SECCOMP_RET_KILL_PROCESS),
        };

        assert_cacheable_exactly(p, ELEMENTSOF(p), AUDIT_ARCH_X86_64, dispatch_expected);
        assert_cacheable_exactly(p, ELEMENTSOF(p), AUDIT_ARCH_I386, dispatch_expected);
        assert_cacheable_exactly(p, ELEMENTSOF(p), AUDIT_ARCH_AARCH64, dispatch_expected);
}

static bool args_expected(uint32_t arch, uint32_t nr) {
        return nr != 41 && nr != 42 && (nr & 1) == 0;
}

static void test_args_for_some(void **state) {
        /* socket and socketpair look at an argument: never cacheable; the rest is by number */
        static const struct sock_filter p[] = {
                /* 0 */ LD(SECCOMP_DATA_NR),
                /* 1 */ J(BPF_JMP | BPF_JEQ | BPF_K, 41, 3, 0),
                /* 2 */ J(BPF_JMP | BPF_JEQ | BPF_K, 42, 2, 0),
                /* 3 */ J(BPF_JMP | BPF_JSET | BPF_K, 1, 3, 0),
                /* 4 */ ALLOW,
                /* 5 */ LD(SECCOMP_DATA_ARG_LO(0)),
                /* 6 */ J(BPF_JMP | BPF_JEQ | BPF_K, 2, 1, 0),
                /* 7 */ RET(ERRNO(97)),
                /* 8 */ ALLOW,
        };

        assert_cacheable_exactly(p, ELEMENTSOF(p), AUDIT_ARCH_X86_64, args_expected);
}

static bool alu_expected(uint32_t arch, uint32_t nr) {
        return nr <= 100 && (nr & 0xfe) != 10;
}

static void test_x_and_alu(void **state) {
        /* AND with a constant is followed, X and other arithmetic are not */
        static const struct sock_filter p[] = {
                /* 0 */ LD(SECCOMP_DATA_NR),
                /* 1 */ J(BPF_JMP | BPF_JGT | BPF_K, 100, 0, 2),
                /* 2 */ S(BPF_MISC | BPF_TAX, 0),
                /* 3 */ ALLOW,
                /* 4 */ S(BPF_ALU | BPF_AND | BPF_K, 0xfe),
                /* 5 */ J(BPF_JMP | BPF_JEQ | BPF_K, 10, 0, 1),
                /* 6 */ S(BPF_ALU | BPF_ADD | BPF_K, 0),
                /* 7 */ ALLOW,
        };

        assert_cacheable_exactly(p, ELEMENTSOF(p), AUDIT_ARCH_X86_64, alu_expected);
}

static void test_each_instruction(void **state) {
        /* one instruction, then "return ALLOW": followed or not */
        static const struct {
                struct sock_filter insn;
                bool followed;
        } cases[] = {
                { LD(SECCOMP_DATA_NR), true },
                { LD(SECCOMP_DATA_ARCH), true },
                { LD(SECCOMP_DATA_IP), false },
                { LD(SECCOMP_DATA_ARG_LO(0)), false },
                { LD(SECCOMP_DATA_ARG_HI(5)), false },
                { S(BPF_LD | BPF_W | BPF_LEN, 0), false },
                { S(BPF_LDX | BPF_W | BPF_LEN, 0), false },
                { S(BPF_LD | BPF_IMM, 0), false },
                { S(BPF_LDX | BPF_IMM, 0), false },
                { S(BPF_ST, 0), false },
                { S(BPF_STX, 0), false },
                { S(BPF_MISC | BPF_TAX, 0), false },
                { S(BPF_MISC | BPF_TXA, 0), false },
                { S(BPF_ALU | BPF_AND | BPF_K, 0xff), true },
                { S(BPF_ALU | BPF_AND | BPF_X, 0), false },
                { S(BPF_ALU | BPF_OR | BPF_K, 0), false },
                { S(BPF_ALU | BPF_ADD | BPF_K, 0), false },
                { S(BPF_ALU | BPF_RSH | BPF_K, 0), false },
                { S(BPF_ALU | BPF_NEG, 0), false },
                { S(BPF_JMP | BPF_JA, 0), true },
                { J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0), true },
                { J(BPF_JMP | BPF_JGT | BPF_K, 0, 0, 0), true },
                { J(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 0), true },
                { J(BPF_JMP | BPF_JSET | BPF_K, 0, 0, 0), true },
                { J(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0), false },
                { J(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 0), false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct sock_filter p[] = { cases[i].insn, ALLOW };

                assert_int_equal(bpf_check(p, ELEMENTSOF(p)), 0);
                if (bpf_cache_allows(p, ELEMENTSOF(p), AUDIT_ARCH_X86_64, 0) != cases[i].followed)
                        fail_msg("case %zu, code 0x%04x: expected %s", i, cases[i].insn.code,
                                 cases[i].followed ? "cacheable" : "not cacheable");
        }

        /* only RET K with exactly SECCOMP_RET_ALLOW counts; RET A never does, whatever A holds */
        static const struct { uint32_t ret; bool cached; } returns[] = {
                { SECCOMP_RET_ALLOW, true },
                { SECCOMP_RET_ALLOW | 1, false },
                { SECCOMP_RET_LOG, false },
                { ERRNO(1), false },
                { SECCOMP_RET_TRAP, false },
                { SECCOMP_RET_KILL_PROCESS, false },
                { SECCOMP_RET_KILL_THREAD, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(returns); i++) {
                const struct sock_filter p[] = { RET(returns[i].ret) };

                assert_int_equal(bpf_cache_allows(p, 1, AUDIT_ARCH_X86_64, 0), returns[i].cached);
        }

        static const struct sock_filter ret_a[] = {
                LD(SECCOMP_DATA_NR), S(BPF_ALU | BPF_AND | BPF_K, 0), S(BPF_RET | BPF_A, 0),
        };
        struct seccomp_data sd = { .nr = 1 };
        assert_int_equal(bpf_run(ret_a, ELEMENTSOF(ret_a), &sd, NULL), 0);
        assert_false(bpf_cache_allows(ret_a, ELEMENTSOF(ret_a), AUDIT_ARCH_X86_64, 1));

        /* jumps: JA and both branches of a conditional */
        static const struct sock_filter jumps[] = {
                /* 0 */ LD(SECCOMP_DATA_NR),
                /* 1 */ J(BPF_JMP | BPF_JSET | BPF_K, 0x100, 0, 2),
                /* 2 */ S(BPF_JMP | BPF_JA, 2),
                /* 3 */ RET(SECCOMP_RET_LOG),
                /* 4 */ RET(ERRNO(1)),
                /* 5 */ ALLOW,
        };
        assert_true(bpf_cache_allows(jumps, ELEMENTSOF(jumps), AUDIT_ARCH_X86_64, 0x100));
        assert_false(bpf_cache_allows(jumps, ELEMENTSOF(jumps), AUDIT_ARCH_X86_64, 0xff));
}

static struct seccomp_data random_data(Rng *rng, uint32_t arch, uint32_t nr) {
        struct seccomp_data sd = { .nr = (int) nr, .arch = arch, .instruction_pointer = rng_next(rng) };
        uint64_t args[6];

        rng_args(rng, args);
        memcpy(sd.args, args, sizeof(sd.args));
        return sd;
}

static void test_matches_interpreter(void **state) {
        static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64 };
        struct sock_filter p[64];
        unsigned cacheable = 0, not_cacheable = 0;
        uint64_t seed;
        Rng rng = rng_from_env(DEFAULT_SEED, &seed);

        /* Programs of instructions the emulator follows: cacheable exactly when the program
         * returns ALLOW, as nothing else can influence the result. */
        for (unsigned i = 0; i < 2000; i++) {
                size_t n = rng_program(&rng, p, ELEMENTSOF(p), RANDOM_PROGRAM_CACHE_ONLY);

                assert_int_equal(bpf_check(p, n), 0);
                for (unsigned j = 0; j < 8; j++) {
                        uint32_t arch = arches[rng_below(&rng, ELEMENTSOF(arches))], nr = rng_value(&rng);
                        struct seccomp_data sd = random_data(&rng, arch, nr);
                        bool c = bpf_cache_allows(p, n, arch, nr);

                        if (c != (bpf_run(p, n, &sd, NULL) == SECCOMP_RET_ALLOW))
                                fail_msg("seed 0x%" PRIx64 ", program %u: cache and interpreter disagree", seed, i);
                        if (c)
                                cacheable++;
                        else
                                not_cacheable++;
                }
        }
        print_message("%u cacheable and %u uncacheable (program, arch, nr)\n", cacheable, not_cacheable);
        assert_true(cacheable >= 1000);
        assert_true(not_cacheable >= 1000);

        /* Any program: whatever is cacheable returns ALLOW whatever the arguments. The programs
         * are made of followed instructions with a few arbitrary ones mixed in. */
        cacheable = 0;
        for (unsigned i = 0; i < 4000; i++) {
                struct sock_filter q[ELEMENTSOF(p)];
                size_t n = rng_program(&rng, p, ELEMENTSOF(p), RANDOM_PROGRAM_CACHE_ONLY);
                size_t m = rng_program(&rng, q, ELEMENTSOF(q), 0);
                uint32_t arch = arches[rng_below(&rng, ELEMENTSOF(arches))], nr = rng_value(&rng);

                for (unsigned k = 0; k < 2; k++) {
                        size_t at = rng_below(&rng, (uint32_t) MIN(n, m));
                        p[at] = q[at];
                }
                if (bpf_check(p, n) < 0 || !bpf_cache_allows(p, n, arch, nr))
                        continue;
                cacheable++;
                for (unsigned j = 0; j < 8; j++) {
                        struct seccomp_data sd = random_data(&rng, arch, nr);

                        if (bpf_run(p, n, &sd, NULL) != SECCOMP_RET_ALLOW)
                                fail_msg("seed 0x%" PRIx64 ", program %u: cacheable but not allowed", seed, i);
                }
        }
        print_message("%u cacheable (program, arch, nr) run with random arguments\n", cacheable);
        assert_true(cacheable >= 500);
}

static void test_cache_abi(void **state) {
        static const struct { Abi native, abi; bool cached; } cases[] = {
                { ABI_X86_64, ABI_X86_64, true },
                { ABI_X86_64, ABI_X86, true },
                { ABI_X86_64, ABI_X32, false },                 /* never */
                { ABI_X86_64, ABI_AARCH64, false },
                { ABI_X86, ABI_X86, true },
                { ABI_AARCH64, ABI_AARCH64, true },
                { ABI_AARCH64, ABI_ARM, true },
                { ABI_ARM, ABI_ARM, true },
                { ABI_S390X, ABI_S390X, true },
                { ABI_S390X, ABI_S390, true },
                { ABI_PPC64, ABI_PPC, true },
                { ABI_PPC64LE, ABI_PPC64LE, true },
                { ABI_PPC64LE, ABI_PPC, false },                /* its compat ABI would be little-endian */
                { ABI_PARISC64, ABI_PARISC, true },
                { ABI_RISCV64, ABI_RISCV64, true },
                { ABI_LOONGARCH64, ABI_LOONGARCH64, true },
                { ABI_MIPS64, ABI_MIPS64, false },              /* MIPS keeps no cache */
                { ABI_MIPSEL, ABI_MIPSEL, false },
                { ABI_MIPSEL64, ABI_MIPSEL64N32, false },
                { _ABI_INVALID, ABI_X86_64, false },
                { ABI_X86_64, _ABI_INVALID, false },
                { ABI_X86_64, _ABI_MAX, false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (bpf_cache_abi(cases[i].native, cases[i].abi) != cases[i].cached)
                        fail_msg("case %zu: expected %s", i, cases[i].cached ? "cached" : "not cached");
}

static uint32_t nr_of(Abi abi, const char *name) {
        int64_t nr = syscall_nr(abi, syscall_from_name(name));

        assert_true(nr >= 0);
        return (uint32_t) nr;
}

static void test_chain_cache(void **state) {
        /* x86-64 and i386: number ranges; anything else is killed */
        static const struct sock_filter dispatch[] = {
                /* 0 */ LD(SECCOMP_DATA_ARCH),
                /* 1 */ J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                /* 2 */ J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 5),
                /* 3 */ LD(SECCOMP_DATA_NR),
                /* 4 */ J(BPF_JMP | BPF_JEQ | BPF_K, 39, 2, 0),
                /* 5 */ J(BPF_JGT | BPF_JMP | BPF_K, 400, 1, 0),
                /* 6 */ ALLOW,
                /* 7 */ RET(ERRNO(1)),
                /* 8 */ RET(SECCOMP_RET_KILL_PROCESS),
        };
        /* an argument filter for socket and socketpair, on any arch */
        static const struct sock_filter args[] = {
                /* 0 */ LD(SECCOMP_DATA_NR),
                /* 1 */ J(BPF_JMP | BPF_JEQ | BPF_K, 41, 1, 0),
                /* 2 */ J(BPF_JMP | BPF_JEQ | BPF_K, 53, 0, 3),
                /* 3 */ LD(SECCOMP_DATA_ARG_LO(0)),
                /* 4 */ J(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
                /* 5 */ RET(ERRNO(97)),
                /* 6 */ ALLOW,
        };
        static const struct sock_filter allow_all[] = { ALLOW };
        static const struct sock_filter deny_all[] = { RET(ERRNO(1)) };
        const BpfFilterRef chain[] = { { dispatch, ELEMENTSOF(dispatch) }, { args, ELEMENTSOF(args) } };
        const BpfFilterRef allow[] = { { allow_all, 1 } }, deny[] = { { deny_all, 1 } };

        if (abi_native() != ABI_X86_64)
                skip();

        /* every number of the bitmaps, and a few past them */
        for (uint32_t nr = 0; nr < 1024; nr++) {
                bool x86_64 = nr <= syscall_nr_max(ABI_X86_64), x86 = nr <= syscall_nr_max(ABI_X86);
                bool expected = nr != 39 && nr <= 400 && nr != 41 && nr != 53;

                assert_int_equal(bpf_chain_cache_allows(chain, ELEMENTSOF(chain), ABI_X86_64, nr), expected && x86_64);
                assert_int_equal(bpf_chain_cache_allows(chain, ELEMENTSOF(chain), ABI_X86, nr), expected && x86);
                /* the bitmap's end */
                assert_int_equal(bpf_chain_cache_allows(allow, 1, ABI_X86_64, nr), x86_64);
                assert_int_equal(bpf_chain_cache_allows(allow, 1, ABI_X86, nr), x86);
                assert_int_equal(bpf_chain_cache_allows(NULL, 0, ABI_X86_64, nr), x86_64);
                /* ABIs without a bitmap on this host */
                assert_false(bpf_chain_cache_allows(allow, 1, ABI_X32, nr | 0x40000000));
                assert_false(bpf_chain_cache_allows(allow, 1, ABI_AARCH64, nr));
        }
        assert_false(bpf_chain_cache_allows(allow, 1, ABI_X86_64, 0x40000000 | 39));
        assert_false(bpf_chain_cache_allows(allow, 1, ABI_X86_64, UINT32_MAX));

        /* The kernel's exception: uretprobe and uprobe on the native ABI only, whatever the filters. */
        uint32_t uretprobe = nr_of(ABI_X86_64, "uretprobe"), uprobe = nr_of(ABI_X86_64, "uprobe");
        for (uint32_t nr = 0; nr <= syscall_nr_max(ABI_X86_64); nr++)
                assert_int_equal(bpf_chain_cache_allows(deny, 1, ABI_X86_64, nr), nr == uretprobe || nr == uprobe);
        assert_false(bpf_chain_cache_allows(deny, 1, ABI_X86, uretprobe));
        assert_false(bpf_chain_cache_allows(deny, 1, ABI_X86, uprobe));
}

static bool kernel_at_least(unsigned major, unsigned minor) {
        struct utsname u;
        unsigned a, b;

        return uname(&u) == 0 && sscanf(u.release, "%u.%u", &a, &b) == 2 && (a > major || (a == major && b >= minor));
}

static void test_uprobe_exception_matches_kernel(void **state) {
        /* refuses uretprobe, uprobe and their neighbours with an errno nobody else uses */
        uint32_t uretprobe, uprobe;

        if (abi_native() != ABI_X86_64 || !kernel_at_least(6, 18)) {
                print_message("the model follows Linux 6.18's exceptions, skipping on this kernel\n");
                skip();
        }

        uretprobe = nr_of(ABI_X86_64, "uretprobe");
        uprobe = nr_of(ABI_X86_64, "uprobe");

        const struct sock_filter p[] = {
                LD(SECCOMP_DATA_NR),
                J(BPF_JMP | BPF_JGE | BPF_K, uretprobe - 2, 0, 2),
                J(BPF_JMP | BPF_JGT | BPF_K, uprobe + 1, 1, 0),
                RET(ERRNO(77)),
                ALLOW,
        };
        const BpfFilterRef f = { p, ELEMENTSOF(p) };

        for (uint32_t nr = uretprobe - 2; nr <= uprobe + 1; nr++) {
                uint64_t a[6] = {};
                struct seccomp_data sd = { .nr = (int) nr, .arch = AUDIT_ARCH_X86_64 };
                bool bypassed, modelled = bpf_chain_cache_allows(&f, 1, ABI_X86_64, nr);
                Outcome o;
                char buf[64];

                assert_int_equal(bpf_run(p, ELEMENTSOF(p), &sd, NULL), ERRNO(77));
                assert_int_equal(kernel_run(&f, 1, nr, a, &o), 0);

                /* Called from outside a probe trampoline, the real calls fail in their own way
                 * (uretprobe raises SIGILL, uprobe returns ENXIO): anything but the filter's
                 * errno says the filter was bypassed. */
                bypassed = !(o.kind == OUTCOME_RETURNED && o.ret == -77);
                print_message("nr %" PRIu32 ": %s\n", nr, outcome_to_string(&o, buf, sizeof buf));
                assert_int_equal(bypassed, modelled);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nr_only),
                cmocka_unit_test(test_args_for_some),
                cmocka_unit_test(test_x_and_alu),
                cmocka_unit_test(test_each_instruction),
                cmocka_unit_test(test_matches_interpreter),
                cmocka_unit_test(test_cache_abi),
                cmocka_unit_test(test_chain_cache),
                cmocka_unit_test(test_uprobe_exception_matches_kernel),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
