/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/audit.h>
#include <seccomp.h>

#include "abi.h"
#include "macro.h"
#include "syscall-table.h"

#ifndef AUDIT_ARCH_LOONGARCH64
#define AUDIT_ARCH_LOONGARCH64 (258 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE)
#endif

static void test_audit_arch_matches_kernel_header(void **state) {
        static const uint32_t expected[_ABI_MAX] = {
                [ABI_X86_64] = AUDIT_ARCH_X86_64,
                [ABI_X86] = AUDIT_ARCH_I386,
                [ABI_X32] = AUDIT_ARCH_X86_64,
                [ABI_ARM] = AUDIT_ARCH_ARM,
                [ABI_AARCH64] = AUDIT_ARCH_AARCH64,
                [ABI_LOONGARCH64] = AUDIT_ARCH_LOONGARCH64,
                [ABI_M68K] = AUDIT_ARCH_M68K,
                [ABI_MIPS] = AUDIT_ARCH_MIPS,
                [ABI_MIPSEL] = AUDIT_ARCH_MIPSEL,
                [ABI_MIPS64] = AUDIT_ARCH_MIPS64,
                [ABI_MIPSEL64] = AUDIT_ARCH_MIPSEL64,
                [ABI_MIPS64N32] = AUDIT_ARCH_MIPS64N32,
                [ABI_MIPSEL64N32] = AUDIT_ARCH_MIPSEL64N32,
                [ABI_PARISC] = AUDIT_ARCH_PARISC,
                [ABI_PARISC64] = AUDIT_ARCH_PARISC64,
                [ABI_PPC] = AUDIT_ARCH_PPC,
                [ABI_PPC64] = AUDIT_ARCH_PPC64,
                [ABI_PPC64LE] = AUDIT_ARCH_PPC64LE,
                [ABI_RISCV64] = AUDIT_ARCH_RISCV64,
                [ABI_S390] = AUDIT_ARCH_S390,
                [ABI_S390X] = AUDIT_ARCH_S390X,
                [ABI_SH] = AUDIT_ARCH_SHEL,
                [ABI_SHEB] = AUDIT_ARCH_SH,
        };

        for (Abi a = 0; a < _ABI_MAX; a++)
                assert_int_equal(abi_info[a].audit_arch, expected[a]);

        /* The figures the project documents. */
        assert_int_equal(abi_info[ABI_X86_64].audit_arch, 0xC000003E);
        assert_int_equal(abi_info[ABI_X86].audit_arch, 0x40000003);
        assert_int_equal(abi_info[ABI_AARCH64].audit_arch, 0xC00000B7);
        assert_int_equal(abi_info[ABI_ARM].audit_arch, 0x40000028);
}

static void test_matches_libseccomp(void **state) {
        unsigned known = 0;

        /* libseccomp's arch tokens are the audit arch values, except x32's. ABIs the installed
         * libseccomp does not know resolve to 0. */
        for (Abi a = 0; a < _ABI_MAX; a++) {
                uint32_t token = seccomp_arch_resolve_name(abi_info[a].libseccomp_name);

                if (token == 0)
                        continue;
                known++;
                if (a == ABI_X32)
                        assert_int_equal(token, SCMP_ARCH_X32);
                else
                        assert_int_equal(token, abi_info[a].audit_arch);
        }
        assert_true(known >= 19);       /* libseccomp 2.5 knows all but loongarch64, m68k, sh, sheb */
}

static void test_names(void **state) {
        for (Abi a = 0; a < _ABI_MAX; a++) {
                assert_non_null(abi_info[a].name);
                assert_int_equal(abi_from_name(abi_info[a].name), a);
                assert_int_equal(abi_from_name(abi_info[a].libseccomp_name), a);
                assert_string_equal(abi_to_name(a), abi_info[a].name);
                for (Abi b = 0; b < a; b++) {
                        assert_string_not_equal(abi_info[a].name, abi_info[b].name);
                        assert_string_not_equal(abi_info[a].libseccomp_name, abi_info[b].libseccomp_name);
                }
        }

        /* systemd's names */
        assert_int_equal(abi_from_name("x86-64"), ABI_X86_64);
        assert_int_equal(abi_from_name("x86"), ABI_X86);
        assert_int_equal(abi_from_name("x32"), ABI_X32);
        assert_int_equal(abi_from_name("arm64"), ABI_AARCH64);
        assert_int_equal(abi_from_name("mips-le"), ABI_MIPSEL);
        assert_int_equal(abi_from_name("mips64-n32"), ABI_MIPS64N32);
        assert_int_equal(abi_from_name("mips64-le-n32"), ABI_MIPSEL64N32);
        assert_int_equal(abi_from_name("ppc64-le"), ABI_PPC64LE);
        assert_int_equal(abi_from_name("s390x"), ABI_S390X);
        assert_int_equal(abi_from_name("loongarch64"), ABI_LOONGARCH64);
        assert_int_equal(abi_from_name("parisc64"), ABI_PARISC64);
        /* libseccomp's names */
        assert_int_equal(abi_from_name("x86_64"), ABI_X86_64);
        assert_int_equal(abi_from_name("aarch64"), ABI_AARCH64);
        assert_int_equal(abi_from_name("mipsel"), ABI_MIPSEL);
        assert_int_equal(abi_from_name("mipsel64n32"), ABI_MIPSEL64N32);
        assert_int_equal(abi_from_name("ppc64le"), ABI_PPC64LE);
        assert_int_equal(abi_from_name("sheb"), ABI_SHEB);
        assert_string_equal(abi_to_name(ABI_SHEB), "sh-be");
        assert_string_equal(abi_to_name(ABI_M68K), "m68k");

        assert_int_equal(abi_from_name("native"), _ABI_INVALID);
        assert_int_equal(abi_from_name("X86-64"), _ABI_INVALID);
        assert_int_equal(abi_from_name("x86-64 "), _ABI_INVALID);
        assert_int_equal(abi_from_name(""), _ABI_INVALID);
        assert_int_equal(abi_from_name(NULL), _ABI_INVALID);
        assert_null(abi_to_name(_ABI_MAX));
        assert_null(abi_to_name(_ABI_INVALID));
}

static void test_audit_arch_lookup(void **state) {
        for (Abi a = 0; a < _ABI_MAX; a++) {
                Abi expected = a == ABI_X32 ? ABI_X86_64 : a;

                assert_int_equal(abi_from_audit_arch(abi_info[a].audit_arch), expected);
                assert_int_equal(abi_from_audit_arch_nr(abi_info[a].audit_arch, abi_info[a].nr_bias + 1), a);
        }
        assert_int_equal(abi_from_audit_arch_nr(AUDIT_ARCH_X86_64, 0x40000000 | 39), ABI_X32);
        assert_int_equal(abi_from_audit_arch_nr(AUDIT_ARCH_X86_64, 39), ABI_X86_64);
        assert_int_equal(abi_from_audit_arch(0), _ABI_INVALID);
        assert_int_equal(abi_from_audit_arch(AUDIT_ARCH_SPARC64), _ABI_INVALID);
}

static void test_bias_width_socketcall(void **state) {
        AbiSet wide = 0, socketcall = 0;

        assert_int_equal(abi_info[ABI_X32].nr_bias, 0x40000000);
        assert_int_equal(abi_info[ABI_MIPS].nr_bias, 4000);
        assert_int_equal(abi_info[ABI_MIPSEL].nr_bias, 4000);
        assert_int_equal(abi_info[ABI_MIPS64].nr_bias, 5000);
        assert_int_equal(abi_info[ABI_MIPSEL64].nr_bias, 5000);
        assert_int_equal(abi_info[ABI_MIPS64N32].nr_bias, 6000);
        assert_int_equal(abi_info[ABI_MIPSEL64N32].nr_bias, 6000);
        assert_int_equal(abi_info[ABI_X86_64].nr_bias, 0);
        assert_int_equal(abi_info[ABI_ARM].nr_bias, 0);

        for (Abi a = 0; a < _ABI_MAX; a++) {
                assert_true(abi_info[a].arg_bits == 32 || abi_info[a].arg_bits == 64);
                if (abi_info[a].arg_bits == 64)
                        wide |= ABI_BIT(a);
                if (abi_info[a].socketcall)
                        socketcall |= ABI_BIT(a);
        }
        /* libseccomp's ARCH_SIZE_64 arches; x32 and n32 compare 32 bits there. */
        assert_int_equal(wide, ABI_BIT(ABI_X86_64) | ABI_BIT(ABI_AARCH64) | ABI_BIT(ABI_LOONGARCH64) |
                         ABI_BIT(ABI_MIPS64) | ABI_BIT(ABI_MIPSEL64) | ABI_BIT(ABI_PARISC64) |
                         ABI_BIT(ABI_PPC64) | ABI_BIT(ABI_PPC64LE) | ABI_BIT(ABI_RISCV64) |
                         ABI_BIT(ABI_S390X));
        assert_int_equal(socketcall, ABI_BIT(ABI_X86) | ABI_BIT(ABI_M68K) | ABI_BIT(ABI_MIPS) |
                         ABI_BIT(ABI_MIPSEL) | ABI_BIT(ABI_PPC) | ABI_BIT(ABI_PPC64) |
                         ABI_BIT(ABI_PPC64LE) | ABI_BIT(ABI_S390) | ABI_BIT(ABI_S390X) |
                         ABI_BIT(ABI_SH) | ABI_BIT(ABI_SHEB));
}

static void test_host_abis(void **state) {
        AbiSet mips_all = ABI_BIT(ABI_MIPS) | ABI_BIT(ABI_MIPSEL) | ABI_BIT(ABI_MIPS64) |
                ABI_BIT(ABI_MIPSEL64) | ABI_BIT(ABI_MIPS64N32) | ABI_BIT(ABI_MIPSEL64N32);

        for (Abi a = 0; a < _ABI_MAX; a++) {
                assert_true(abi_info[a].host_abis & ABI_BIT(a));
                assert_int_equal(abi_info[a].host_abis & ~((UINT32_C(1) << _ABI_MAX) - 1), 0);
        }

        assert_int_equal(abi_info[ABI_X86_64].host_abis, ABI_BIT(ABI_X86_64) | ABI_BIT(ABI_X86) | ABI_BIT(ABI_X32));
        assert_int_equal(abi_info[ABI_X32].host_abis, ABI_BIT(ABI_X86_64) | ABI_BIT(ABI_X86) | ABI_BIT(ABI_X32));
        assert_int_equal(abi_info[ABI_X86].host_abis, ABI_BIT(ABI_X86));
        assert_int_equal(abi_info[ABI_AARCH64].host_abis, ABI_BIT(ABI_AARCH64) | ABI_BIT(ABI_ARM));
        assert_int_equal(abi_info[ABI_ARM].host_abis, ABI_BIT(ABI_ARM));
        assert_int_equal(abi_info[ABI_MIPS].host_abis, ABI_BIT(ABI_MIPS) | ABI_BIT(ABI_MIPSEL));
        assert_int_equal(abi_info[ABI_MIPS64N32].host_abis, mips_all);
        assert_int_equal(abi_info[ABI_MIPSEL64].host_abis, mips_all);
        assert_int_equal(abi_info[ABI_PPC64LE].host_abis, ABI_BIT(ABI_PPC64LE) | ABI_BIT(ABI_PPC64) | ABI_BIT(ABI_PPC));
        assert_int_equal(abi_info[ABI_S390X].host_abis, ABI_BIT(ABI_S390X) | ABI_BIT(ABI_S390));
        assert_int_equal(abi_info[ABI_PARISC64].host_abis, ABI_BIT(ABI_PARISC64) | ABI_BIT(ABI_PARISC));
        assert_int_equal(abi_info[ABI_RISCV64].host_abis, ABI_BIT(ABI_RISCV64));
        assert_int_equal(abi_info[ABI_LOONGARCH64].host_abis, ABI_BIT(ABI_LOONGARCH64));
        assert_int_equal(abi_info[ABI_SH].host_abis, ABI_BIT(ABI_SH));
}

static void test_multiplexed_matches_libseccomp(void **state) {
        /* libseccomp's pseudo numbers encode the multiplexer's call number: -100 - call for
         * socketcall(), -200 - call for ipc(). */
#define P(name) { #name, __PNR_##name }
        static const struct {
                const char *name;
                int pnr;
        } pseudo[] = {
                P(socket), P(bind), P(connect), P(listen), P(accept), P(getsockname), P(getpeername),
                P(socketpair), P(send), P(recv), P(sendto), P(recvfrom), P(shutdown), P(setsockopt),
                P(getsockopt), P(sendmsg), P(recvmsg), P(accept4), P(recvmmsg), P(sendmmsg),
                P(semop), P(semget), P(semctl), P(semtimedop), P(msgsnd), P(msgrcv), P(msgget),
                P(msgctl), P(shmat), P(shmdt), P(shmget), P(shmctl),
        };
#undef P
        size_t found = 0;

        for (size_t i = 0; i < ELEMENTSOF(pseudo); i++) {
                const AbiMultiplexed *m = abi_multiplexed(pseudo[i].name);

                assert_non_null(m);
                assert_string_equal(m->name, pseudo[i].name);
                assert_int_equal(m->ipc, pseudo[i].pnr <= -200);
                assert_int_equal(m->call, (uint32_t) (-pseudo[i].pnr) % (m->ipc ? 200 : 100));
        }
        /* Nothing else is multiplexed. */
        for (size_t id = 0; id < syscall_count(); id++)
                if (abi_multiplexed(syscall_name((int) id)))
                        found++;
        assert_int_equal(found, ELEMENTSOF(pseudo));
        assert_null(abi_multiplexed("socketcall"));
        assert_null(abi_multiplexed("mmap"));
}

static void test_call_facts(void **state) {
        AbiSet by_family = 0, mdwe = 0, unknown = 0;

        for (Abi a = 0; a < _ABI_MAX; a++) {
                if (abi_info[a].socket_by_family) {
                        by_family |= ABI_BIT(a);
                        assert_false(abi_info[a].socketcall);
                }
                if (abi_info[a].mmap_prot)
                        mdwe |= ABI_BIT(a);
                else
                        assert_null(abi_info[a].mmap_old);
                if (!abi_info[a].systemd_252)
                        unknown |= ABI_BIT(a);
                assert_int_equal(abi_info[a].clone_flags_arg, a == ABI_S390 || a == ABI_S390X);
        }
        /* systemd 252's lists, and loongarch64, which megafilter adds. */
        assert_int_equal(by_family, ABI_BIT(ABI_X86_64) | ABI_BIT(ABI_X32) | ABI_BIT(ABI_ARM) |
                         ABI_BIT(ABI_AARCH64) | ABI_BIT(ABI_MIPS64) | ABI_BIT(ABI_MIPSEL64) |
                         ABI_BIT(ABI_MIPS64N32) | ABI_BIT(ABI_MIPSEL64N32) | ABI_BIT(ABI_RISCV64) |
                         ABI_BIT(ABI_LOONGARCH64));
        assert_int_equal(mdwe, ABI_BIT(ABI_X86) | ABI_BIT(ABI_S390) | ABI_BIT(ABI_PPC) | ABI_BIT(ABI_PPC64) |
                         ABI_BIT(ABI_PPC64LE) | ABI_BIT(ABI_S390X) | ABI_BIT(ABI_ARM) | ABI_BIT(ABI_X86_64) |
                         ABI_BIT(ABI_X32) | ABI_BIT(ABI_AARCH64) | ABI_BIT(ABI_RISCV64) |
                         ABI_BIT(ABI_LOONGARCH64));
        assert_int_equal(unknown, ABI_BIT(ABI_LOONGARCH64) | ABI_BIT(ABI_M68K) | ABI_BIT(ABI_SH) | ABI_BIT(ABI_SHEB));
        assert_string_equal(abi_info[ABI_X86].mmap_prot, "mmap2");
        assert_string_equal(abi_info[ABI_X86].mmap_old, "mmap");
        assert_false(abi_info[ABI_X86].shmat_call);
        assert_string_equal(abi_info[ABI_ARM].mmap_prot, "mmap2");
        assert_true(abi_info[ABI_ARM].shmat_call);
        assert_string_equal(abi_info[ABI_S390X].mmap_prot, "mmap");
        assert_int_equal(abi_info[ABI_X32].keeps, ABI_BIT(ABI_X86_64));
        /* This host's O_CREAT, on its ABIs. */
        ABI_SET_FOREACH(a, abi_info[abi_native()].host_abis)
                assert_int_equal(abi_info[a].o_creat, O_CREAT);
        assert_int_equal(abi_info[ABI_MIPSEL64].o_creat, 0x100);
}

static void test_native(void **state) {
        Abi n = abi_native();

        assert_true(n >= 0 && n < _ABI_MAX);
        /* libseccomp reports the native arch by its token, which is the audit arch (x32 aside). */
        if (n == ABI_X32)
                assert_int_equal(seccomp_arch_native(), SCMP_ARCH_X32);
        else
                assert_int_equal(seccomp_arch_native(), abi_info[n].audit_arch);
#if defined(__x86_64__) && !defined(__ILP32__)
        assert_int_equal(n, ABI_X86_64);
#endif
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_audit_arch_matches_kernel_header),
                cmocka_unit_test(test_matches_libseccomp),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_audit_arch_lookup),
                cmocka_unit_test(test_bias_width_socketcall),
                cmocka_unit_test(test_host_abis),
                cmocka_unit_test(test_multiplexed_matches_libseccomp),
                cmocka_unit_test(test_call_facts),
                cmocka_unit_test(test_native),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
