/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "abi.h"
#include "macro.h"
#include "syscall-table.h"

static int id(const char *name) {
        int i = syscall_from_name(name);

        if (i < 0)
                fail_msg("%s is not in the syscall table", name);
        return i;
}

static void test_names_sorted_and_unique(void **state) {
        size_t n = syscall_count();

        assert_true(n > 500);
        for (size_t i = 0; i < n; i++) {
                const char *s = syscall_name((int) i);

                assert_non_null(s);
                assert_int_equal(syscall_from_name(s), (int) i);
                if (i > 0)
                        assert_true(strcmp(syscall_name((int) i - 1), s) < 0);
        }
        assert_null(syscall_name(-1));
        assert_null(syscall_name((int) n));
        assert_int_equal(syscall_from_name("no_such_call"), -ENOENT);
        assert_int_equal(syscall_from_name(""), -ENOENT);
        assert_int_equal(syscall_from_name("OPENAT"), -ENOENT);
        assert_int_equal(syscall_from_name(NULL), -ENOENT);

        /* Both sources are in: a CSV-only name, a known-syscalls.txt-only name, one in both. */
        assert_true(syscall_from_name("tuxcall") >= 0);
        assert_true(syscall_from_name("osf_syscall") >= 0);
        assert_true(syscall_from_name("read") >= 0);
        /* Names that only groups list are not syscalls. */
        assert_int_equal(syscall_from_name("fstatat"), -ENOENT);
}

/* Facts straight from syscalls.csv plus each ABI's bias. */
static void test_csv_facts(void **state) {
        int openat = id("openat");

        assert_int_equal(syscall_nr(ABI_X86_64, openat), 257);
        assert_int_equal(syscall_nr(ABI_X86, openat), 295);
        assert_int_equal(syscall_nr(ABI_X32, openat), 0x40000000 + 257);
        assert_int_equal(syscall_nr(ABI_ARM, openat), 322);
        assert_int_equal(syscall_nr(ABI_AARCH64, openat), 56);
        assert_int_equal(syscall_nr(ABI_LOONGARCH64, openat), 56);
        assert_int_equal(syscall_nr(ABI_M68K, openat), 288);
        assert_int_equal(syscall_nr(ABI_MIPS, openat), 4288);
        assert_int_equal(syscall_nr(ABI_MIPSEL, openat), 4288);
        assert_int_equal(syscall_nr(ABI_MIPS64, openat), 5247);
        assert_int_equal(syscall_nr(ABI_MIPSEL64, openat), 5247);
        assert_int_equal(syscall_nr(ABI_MIPS64N32, openat), 6251);
        assert_int_equal(syscall_nr(ABI_MIPSEL64N32, openat), 6251);
        assert_int_equal(syscall_nr(ABI_PARISC, openat), 275);
        assert_int_equal(syscall_nr(ABI_PPC64, openat), 286);
        assert_int_equal(syscall_nr(ABI_PPC64LE, openat), 286);
        assert_int_equal(syscall_nr(ABI_RISCV64, openat), 56);
        assert_int_equal(syscall_nr(ABI_S390X, openat), 288);
        assert_int_equal(syscall_nr(ABI_SH, openat), 295);
        assert_int_equal(syscall_nr(ABI_SHEB, openat), 295);

        /* "PNR": absent */
        assert_int_equal(syscall_nr(ABI_X86, id("accept")), SYSCALL_NR_NONE);
        assert_int_equal(syscall_nr(ABI_AARCH64, id("access")), SYSCALL_NR_NONE);
        assert_int_equal(syscall_nr(ABI_X86_64, id("socketcall")), SYSCALL_NR_NONE);
        assert_int_equal(syscall_nr(ABI_X86, id("socketcall")), 102);
        /* ARM's private calls live at 0xf0000 and up. */
        assert_int_equal(syscall_nr(ABI_ARM, id("breakpoint")), 0xf0001);
        assert_int_equal(syscall_nr(ABI_ARM, id("cacheflush")), 0xf0002);
        /* A name only known-syscalls.txt has exists on no ABI. */
        for (Abi a = 0; a < _ABI_MAX; a++)
                assert_int_equal(syscall_nr(a, id("osf_syscall")), SYSCALL_NR_NONE);

        assert_int_equal(syscall_nr(_ABI_MAX, openat), SYSCALL_NR_NONE);
        assert_int_equal(syscall_nr(ABI_X86_64, -1), SYSCALL_NR_NONE);
        assert_int_equal(syscall_nr(ABI_X86_64, (int) syscall_count()), SYSCALL_NR_NONE);
}

static void test_number_lookup(void **state) {
        for (Abi a = 0; a < _ABI_MAX; a++) {
                uint32_t lo = syscall_nr_min(a), hi = syscall_nr_max(a);
                bool saw_lo = false, saw_hi = false;
                unsigned count = 0;

                for (int i = 0; i < (int) syscall_count(); i++) {
                        int64_t nr = syscall_nr(a, i);

                        if (nr == SYSCALL_NR_NONE)
                                continue;
                        count++;
                        assert_true(nr >= lo && nr <= hi);
                        saw_lo = saw_lo || nr == lo;
                        saw_hi = saw_hi || nr == hi;
                        assert_int_equal(syscall_from_nr(a, (uint32_t) nr), i);
                }
                assert_true(saw_lo && saw_hi);
                assert_true(count > 300);
                assert_true(lo >= abi_info[a].nr_bias);
        }

        assert_int_equal(syscall_from_nr(ABI_X86_64, 257), id("openat"));
        assert_int_equal(syscall_from_nr(ABI_X32, 0x40000000 + 257), id("openat"));
        assert_int_equal(syscall_from_nr(ABI_X32, 257), -ENOENT);       /* no bias */
        assert_int_equal(syscall_from_nr(ABI_MIPS64, 247), -ENOENT);
        assert_int_equal(syscall_from_nr(ABI_MIPS64, 5247), id("openat"));
        assert_int_equal(syscall_from_nr(ABI_X86_64, 100000), -ENOENT);
        assert_int_equal(syscall_from_nr(_ABI_MAX, 0), -ENOENT);
        assert_int_equal(syscall_nr_min(ABI_X32), 0x40000000);
        assert_int_equal(syscall_nr_min(ABI_MIPS), 4000);
        assert_int_equal(syscall_nr_min(ABI_X86_64), 0);
        assert_int_equal(syscall_nr_max(ABI_ARM), 0xf0006);
}

/* Where libseccomp 2.5 and our tables both have a number, they agree (biases included). */
static void test_matches_libseccomp(void **state) {
        unsigned compared = 0;

        for (Abi a = 0; a < _ABI_MAX; a++) {
                uint32_t token = seccomp_arch_resolve_name(abi_info[a].libseccomp_name);

                if (token == 0)
                        continue;
                for (int i = 0; i < (int) syscall_count(); i++) {
                        int theirs = seccomp_syscall_resolve_name_arch(token, syscall_name(i));
                        int64_t ours = syscall_nr(a, i);

                        /* negative: unknown there, or a socketcall/ipc pseudo number */
                        if (theirs < 0 || ours == SYSCALL_NR_NONE)
                                continue;
                        if (ours != theirs)
                                fail_msg("%s on %s: ours %" PRIi64 ", libseccomp %d",
                                         syscall_name(i), abi_info[a].name, ours, theirs);
                        compared++;
                }
        }
        assert_true(compared > 5000);
}

static void test_matches_glibc_header(void **state) {
        /* Compiled in from <sys/syscall.h>, so this holds on whatever this is built for. */
        static const struct {
                const char *name;
                long nr;
        } calls[] = {
                { "read", SYS_read },
                { "write", SYS_write },
                { "openat", SYS_openat },
                { "close", SYS_close },
                { "mmap", SYS_mmap },
                { "mprotect", SYS_mprotect },
                { "clone", SYS_clone },
                { "clone3", SYS_clone3 },
                { "execve", SYS_execve },
                { "exit_group", SYS_exit_group },
                { "getpid", SYS_getpid },
                { "personality", SYS_personality },
                { "sched_setscheduler", SYS_sched_setscheduler },
                { "setns", SYS_setns },
                { "unshare", SYS_unshare },
                { "socket", SYS_socket },
                { "seccomp", SYS_seccomp },
                { "pidfd_open", SYS_pidfd_open },
                { "close_range", SYS_close_range },
                { "fchmodat", SYS_fchmodat },
        };

        for (size_t i = 0; i < ELEMENTSOF(calls); i++)
                assert_int_equal(syscall_nr(abi_native(), id(calls[i].name)), calls[i].nr);
        assert_int_equal(syscall_nr(abi_native(), id("openat")), __NR_openat);
}

/* Compare every "#define __NR_name value" in a cc -E -dM dump of a header; with_sys, also check
 * that every SYS_name glibc defines is __NR_name. Returns the number of names compared. */
static unsigned compare_defines(const char *file, Abi abi, bool with_sys) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        unsigned n = 0, n_sys = 0;
        char path[4096];

        snprintf(path, sizeof path, "%s/test/%s", getenv("MEGAFILTER_BUILD_ROOT") ?: ".", file);
        f = fopen(path, "re");
        if (!f)
                fail_msg("cannot open %s: %m", path);

        while (getline(&line, &size, f) >= 0) {
                char name[128], value[128];
                long nr;

                if (sscanf(line, "#define SYS_%127s __NR_%127s", name, value) == 2) {
                        assert_string_equal(name, value);
                        n_sys++;
                        continue;
                }
                if (sscanf(line, "#define __NR_%127s %127[^\n]", name, value) != 2)
                        continue;
                if (sscanf(value, "(__X32_SYSCALL_BIT + %ld)", &nr) == 1)
                        nr += 0x40000000;
                else if (sscanf(value, "%ld", &nr) != 1)
                        fail_msg("%s: cannot read %s", path, line);

                int i = syscall_from_name(name);
                if (i < 0)
                        fail_msg("%s: __NR_%s is not in the syscall table", file, name);
                if (syscall_nr(abi, i) != nr)
                        fail_msg("%s: %s on %s is %ld in the header, %" PRIi64 " in the table",
                                 file, name, abi_info[abi].name, nr, syscall_nr(abi, i));
                n++;
        }
        if (with_sys)
                assert_true(n_sys > 300);
        return n;
}

static void test_matches_kernel_headers(void **state) {
#if defined(__x86_64__) && !defined(__ILP32__)
        assert_true(compare_defines("syscall-defines-64.txt", ABI_X86_64, true) > 300);
        assert_true(compare_defines("syscall-defines-32.txt", ABI_X86, false) > 400);
        assert_true(compare_defines("syscall-defines-x32.txt", ABI_X32, false) > 300);
#else
        skip();
#endif
}

/* Run fn in a child under a seccomp filter; returns the child's exit status, or 128+signal. */
static int run_filtered(const struct sock_filter *insns, size_t n, int (*fn)(void)) {
        struct sock_fprog prog = { .len = (unsigned short) n, .filter = (struct sock_filter *) insns };
        int status;
        pid_t pid;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                        _exit(100);
                _exit(fn());
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define ARCH_OFFSET offsetof(struct seccomp_data, arch)
#define NR_OFFSET offsetof(struct seccomp_data, nr)

/* Return ERRNO(42) for one (arch, nr), allow everything else. */
#define ERRNO_FOR(arch, nr)                                                             \
        {                                                                               \
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFFSET),                        \
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (arch), 0, 3),                      \
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFFSET),                          \
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                        \
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 42),                      \
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                           \
        }

static int call_getppid_native(void) {
        long r = syscall(syscall_nr(abi_native(), id("getppid")));
        return r < 0 && errno == 42 ? 0 : 1;
}

#if defined(__x86_64__) && !defined(__ILP32__)
static int call_getppid_x32(void) {
        /* The filter sees the x32 number whether or not the kernel runs x32 code. */
        long r = syscall(syscall_nr(ABI_X32, id("getppid")));
        return r < 0 && errno == 42 ? 0 : 1;
}

static long int80(long nr) {
        long r;
        __asm__ volatile ("int $0x80" : "=a" (r) : "a" (nr) : "memory", "r8", "r9", "r10", "r11");
        return r;
}

static int call_getppid_i386(void) {
        return int80(syscall_nr(ABI_X86, id("getppid"))) == -42 ? 0 : 1;
}

static int call_getppid_i386_unfiltered(void) {
        return int80(syscall_nr(ABI_X86, id("getppid"))) == getppid() ? 0 : 1;
}
#endif

/* The running kernel reports our audit arch and numbers: a filter keyed on them catches the call. */
static void test_kernel_sees_our_numbers(void **state) {
        Abi n = abi_native();
        const struct sock_filter native[] = ERRNO_FOR(abi_info[n].audit_arch, (uint32_t) syscall_nr(n, id("getppid")));

        assert_int_equal(run_filtered(native, ELEMENTSOF(native), call_getppid_native), 0);

        /* Unfiltered, the number really is that call. */
        assert_int_equal(syscall(syscall_nr(n, id("getpid"))), getpid());
        assert_int_equal(syscall(syscall_nr(n, id("getppid"))), getppid());
        assert_int_equal(syscall(syscall_nr(n, id("gettid"))), gettid());

#if defined(__x86_64__) && !defined(__ILP32__)
        const struct sock_filter x32[] = ERRNO_FOR(abi_info[ABI_X32].audit_arch,
                                                   (uint32_t) syscall_nr(ABI_X32, id("getppid")));
        assert_int_equal(run_filtered(x32, ELEMENTSOF(x32), call_getppid_x32), 0);
        assert_int_equal(abi_from_audit_arch_nr(abi_info[ABI_X32].audit_arch,
                                                (uint32_t) syscall_nr(ABI_X32, id("getppid"))), ABI_X32);

        /* i386 via int 0x80, when the kernel runs 32-bit code at all (without IA32 emulation,
         * int 0x80 faults). An allow-all filter probes that in a child. */
        const struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
        if (run_filtered(allow, ELEMENTSOF(allow), call_getppid_i386_unfiltered) == 0) {
                const struct sock_filter x86[] = ERRNO_FOR(abi_info[ABI_X86].audit_arch,
                                                           (uint32_t) syscall_nr(ABI_X86, id("getppid")));
                assert_int_equal(run_filtered(x86, ELEMENTSOF(x86), call_getppid_i386), 0);
        } else
                print_message("i386 emulation unavailable, int 0x80 check skipped\n");
#endif
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_sorted_and_unique),
                cmocka_unit_test(test_csv_facts),
                cmocka_unit_test(test_number_lookup),
                cmocka_unit_test(test_matches_libseccomp),
                cmocka_unit_test(test_matches_glibc_header),
                cmocka_unit_test(test_matches_kernel_headers),
                cmocka_unit_test(test_kernel_sees_our_numbers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
