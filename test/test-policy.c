/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The policy: what the kernel decides under systemd's per-feature filters, merged. Asserted as
 * verdicts for concrete calls on each ABI. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "policy.h"
#include "syscall-table.h"
#include "unit-file.h"

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define KILL SECCOMP_RET_KILL_PROCESS
#define KILL_THREAD SECCOMP_RET_KILL_THREAD
#define ALLOW SECCOMP_RET_ALLOW
#define LOG SECCOMP_RET_LOG

static Policy *build_with(const char *text, const PolicyOptions *o) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag diag = { .max_level = DIAG_WARNING };
        Policy *p = NULL;

        assert_int_equal(unit_file_new("test.service", &u), 0);
        assert_int_equal(unit_file_parse_text(u, "/test/test.service", text, strlen(text), &diag), 0);
        assert_int_equal(directives_new(&d), 0);
        assert_int_equal(directives_apply_unit(d, u, &diag), 0);
        assert_int_equal(diag.n_warnings, 0);
        assert_int_equal(policy_build(d, o, &diag, &p), 0);
        return p;
}

static Policy *build_on(Abi native, const char *text, bool mdwe_prctl) {
        return build_with(text, &(PolicyOptions) { .native = native, .mdwe_prctl = mdwe_prctl, .personality = PER_LINUX });
}

static Policy *build(const char *text, bool mdwe_prctl) {
        return build_on(ABI_X86_64, text, mdwe_prctl);
}

static uint32_t call_nr(const Policy *p, Abi abi, uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
        struct seccomp_data sd = {
                .nr = (int) nr,
                .arch = abi_info[abi].audit_arch,
                .args = { a0, a1, a2, a3 },
        };
        return policy_evaluate(p, &sd);
}

static uint32_t call(const Policy *p, Abi abi, const char *name, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
        int id = syscall_from_name(name);
        int64_t nr;

        assert_true(id >= 0);
        nr = syscall_nr(abi, id);
        assert_true(nr != SYSCALL_NR_NONE);
        return call_nr(p, abi, (uint32_t) nr, a0, a1, a2, a3);
}

static void test_deny_list(void **state) {
        Policy *p = build("[Service]\nSystemCallFilter=~mount swapon:EPERM reboot:kill\n", false);

        for (Abi a = ABI_X86_64; a <= ABI_X32; a++) {
                assert_int_equal(call(p, a, "mount", 0, 0, 0, 0), KILL);
                assert_int_equal(call(p, a, "swapon", 0, 0, 0, 0), ERRNO(EPERM));
                assert_int_equal(call(p, a, "reboot", 0, 0, 0, 0), KILL);
                assert_int_equal(call(p, a, "openat", 0, 0, 0, 0), ALLOW);
        }
        /* Numbers nobody knows are allowed in a deny-list. */
        assert_int_equal(call_nr(p, ABI_X86_64, 5000, 0, 0, 0, 0), ALLOW);
        assert_int_equal(call_nr(p, ABI_X86_64, UINT32_MAX, 0, 0, 0, 0), ALLOW);
        /* An arch the host cannot have: killed. */
        assert_int_equal(policy_evaluate(p, &(struct seccomp_data) { .arch = 0x1234 }), KILL);
        policy_free(p);
}

static void test_allow_list(void **state) {
        Policy *p = build("[Service]\nSystemCallFilter=@basic-io\nSystemCallErrorNumber=EPERM\n", false);

        assert_int_equal(call(p, ABI_X86_64, "read", 0, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "getpid", 0, 0, 0, 0), ALLOW);     /* @default */
        assert_int_equal(call(p, ABI_X86_64, "openat", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86, "_llseek", 0, 0, 0, 0), ALLOW);
        /* Numbers in no table: ENOSYS, so libc falls back. */
        assert_int_equal(call_nr(p, ABI_X86_64, 5000, 0, 0, 0, 0), ERRNO(ENOSYS));
        assert_int_equal(call_nr(p, ABI_X86_64, 0x3fffffff, 0, 0, 0, 0), ERRNO(ENOSYS));
        assert_int_equal(call_nr(p, ABI_X86_64, UINT32_MAX, 0, 0, 0, 0), ERRNO(ENOSYS));
        assert_int_equal(call_nr(p, ABI_X86, 9999, 0, 0, 0, 0), ERRNO(ENOSYS));
        policy_free(p);

        p = build("[Service]\nSystemCallFilter=@basic-io\n", false);
        assert_int_equal(call(p, ABI_X86_64, "openat", 0, 0, 0, 0), KILL);
        policy_free(p);
}

/* systemd 252's allow-lists (PolicyOptions.unknown_nr_default): numbers in no table get the
 * list's default action like any other unlisted call. */
static void test_allow_list_unknown_default(void **state) {
        PolicyOptions o = { .native = ABI_X86_64, .personality = PER_LINUX, .unknown_nr_default = true };
        Policy *p = build_with("[Service]\nSystemCallFilter=@basic-io\nSystemCallErrorNumber=EPERM\n", &o);

        assert_int_equal(call(p, ABI_X86_64, "read", 0, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "openat", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call_nr(p, ABI_X86_64, 340, 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call_nr(p, ABI_X86_64, 5000, 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call_nr(p, ABI_X86_64, UINT32_MAX, 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call_nr(p, ABI_X86, 9999, 0, 0, 0, 0), ERRNO(EPERM));
        policy_free(p);

        p = build_with("[Service]\nSystemCallFilter=@basic-io\n", &o);
        assert_int_equal(call_nr(p, ABI_X86_64, 5000, 0, 0, 0, 0), KILL);
        policy_free(p);

        /* Deny-lists are not concerned. */
        p = build_with("[Service]\nSystemCallFilter=~@mount\n", &o);
        assert_int_equal(call_nr(p, ABI_X86_64, 5000, 0, 0, 0, 0), ALLOW);
        policy_free(p);
}

static void test_architectures(void **state) {
        Policy *p = build("[Service]\nSystemCallArchitectures=native\nSystemCallFilter=~mount:EPERM\n", false);

        assert_int_equal(call(p, ABI_X86_64, "mount", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "read", 0, 0, 0, 0), ALLOW);
        /* Blocked ABIs die with libseccomp's default bad-arch action, whatever later filters say. */
        assert_int_equal(call(p, ABI_X86, "read", 0, 0, 0, 0), KILL_THREAD);
        assert_int_equal(call(p, ABI_X86, "mount", 0, 0, 0, 0), KILL_THREAD);
        assert_int_equal(call(p, ABI_X32, "read", 0, 0, 0, 0), KILL_THREAD);
        /* -1 stays x86-64's. */
        assert_int_equal(call_nr(p, ABI_X86_64, UINT32_MAX, 0, 0, 0, 0), ALLOW);
        policy_free(p);
}

static void test_architectures_x32(void **state) {
        /* On an x32 host, x86-64 stays with x32, whose vDSO makes x86-64 calls (systemd 252). */
        Policy *p = build_on(ABI_X32, "[Service]\nSystemCallArchitectures=native\n", false);

        assert_int_equal(call(p, ABI_X32, "read", 0, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "read", 0, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86, "read", 0, 0, 0, 0), KILL_THREAD);
        policy_free(p);

        /* Unless x32 is not listed (it is not blocked either: it is native). */
        p = build_on(ABI_X32, "[Service]\nSystemCallArchitectures=x86\n", false);
        assert_int_equal(call(p, ABI_X32, "read", 0, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86, "read", 0, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "read", 0, 0, 0, 0), KILL_THREAD);
        policy_free(p);
}

static void test_address_families(void **state) {
        Policy *p = build("[Service]\nRestrictAddressFamilies=AF_UNIX AF_INET6\n", false);

        assert_int_equal(call(p, ABI_X86_64, "socket", AF_UNIX, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_INET6, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_INET, 0, 0, 0), ERRNO(EAFNOSUPPORT));
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_PACKET, 0, 0, 0), ERRNO(EAFNOSUPPORT));
        assert_int_equal(call(p, ABI_X86_64, "socket", 0, 0, 0, 0), ERRNO(EAFNOSUPPORT));
        /* Full 64-bit comparison on x86-64 (as libseccomp does). */
        assert_int_equal(call(p, ABI_X86_64, "socket", (UINT64_C(1) << 32) | AF_UNIX, 0, 0, 0), ERRNO(EAFNOSUPPORT));
        /* x32 compares the low half only; i386 multiplexes socket calls and is left alone. */
        assert_int_equal(call(p, ABI_X32, "socket", (UINT64_C(1) << 32) | AF_UNIX, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86, "socket", AF_INET, 0, 0, 0), ALLOW);
        policy_free(p);

        p = build("[Service]\nRestrictAddressFamilies=none\n", false);
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_UNIX, 0, 0, 0), ERRNO(EAFNOSUPPORT));
        policy_free(p);

        p = build("[Service]\nRestrictAddressFamilies=~AF_PACKET\n", false);
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_PACKET, 0, 0, 0), ERRNO(EAFNOSUPPORT));
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_INET, 0, 0, 0), ALLOW);
        policy_free(p);
}

static void test_namespaces(void **state) {
        Policy *p = build("[Service]\nRestrictNamespaces=yes\n", false);

        assert_int_equal(call(p, ABI_X86_64, "clone3", 0, 0, 0, 0), ERRNO(ENOSYS));
        assert_int_equal(call(p, ABI_X86_64, "setns", 3, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "unshare", CLONE_NEWNET, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "unshare", CLONE_FILES, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "clone", CLONE_NEWUSER | SIGCHLD, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "clone", SIGCHLD, 0, 0, 0), ALLOW);
        policy_free(p);

        p = build("[Service]\nRestrictNamespaces=net\n", false);
        assert_int_equal(call(p, ABI_X86_64, "unshare", CLONE_NEWNET, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "unshare", CLONE_NEWNET | CLONE_NEWNS, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "setns", 3, 0, 0, 0), ERRNO(EPERM));         /* nstype 0 */
        assert_int_equal(call(p, ABI_X86_64, "setns", 3, CLONE_NEWNET, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "setns", 3, CLONE_NEWUTS, 0, 0), ERRNO(EPERM));
        policy_free(p);
}

static void test_precedence(void **state) {
        /* Two errnos: the newer filter (SystemCallFilter=) wins the tie. */
        Policy *p = build("[Service]\nRestrictAddressFamilies=AF_INET\nSystemCallFilter=~socket:EACCES\n", false);

        assert_int_equal(call(p, ABI_X86_64, "socket", AF_PACKET, 0, 0, 0), ERRNO(EACCES));
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_INET, 0, 0, 0), ERRNO(EACCES));
        policy_free(p);

        /* An errno beats a log; the log still applies where the errno does not. */
        p = build("[Service]\nSystemCallLog=~@basic-io\nRestrictSUIDSGID=yes\n", false);
        assert_int_equal(call(p, ABI_X86_64, "openat", 0, 0, O_CREAT, S_ISUID | 0755), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "openat", 0, 0, O_CREAT, 0755), LOG);
        assert_int_equal(call(p, ABI_X86_64, "openat", 0, 0, 0, S_ISUID), LOG);
        assert_int_equal(call(p, ABI_X86_64, "read", 0, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "openat2", 0, 0, 0, 0), ERRNO(ENOSYS));
        policy_free(p);

        /* Kill beats everything. */
        p = build("[Service]\nRestrictRealtime=yes\nSystemCallFilter=~sched_setscheduler\n", false);
        assert_int_equal(call(p, ABI_X86_64, "sched_setscheduler", 0, SCHED_FIFO, 0, 0), KILL);
        policy_free(p);
}

static void test_socketcall_multiplexing(void **state) {
        /* libseccomp adds socketcall(SYS_SOCKET) next to socket() on i386. */
        Policy *p = build("[Service]\nSystemCallFilter=~socket:EACCES\n", false);

        assert_int_equal(call(p, ABI_X86, "socket", 0, 0, 0, 0), ERRNO(EACCES));
        assert_int_equal(call(p, ABI_X86, "socketcall", 1, 0, 0, 0), ERRNO(EACCES));
        assert_int_equal(call(p, ABI_X86, "socketcall", 2, 0, 0, 0), ALLOW);
        policy_free(p);

        /* An allow-list with socket but not socketcall: only SYS_SOCKET passes socketcall(). */
        p = build("[Service]\nSystemCallFilter=socket\n", false);
        assert_int_equal(call(p, ABI_X86, "socketcall", 1, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86, "socketcall", 3, 0, 0, 0), KILL);
        assert_int_equal(call(p, ABI_X86_64, "socket", 0, 0, 0, 0), ALLOW);
        policy_free(p);
}

static void test_memory_deny_write_execute(void **state) {
        Policy *p = build("[Service]\nMemoryDenyWriteExecute=yes\n", false);

        assert_int_equal(call(p, ABI_X86_64, "mmap", 0, 4096, PROT_READ | PROT_WRITE, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "mmap", 0, 4096, PROT_WRITE | PROT_EXEC, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "mmap", 0, 4096, PROT_EXEC, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "mprotect", 0, 4096, PROT_EXEC, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "shmat", 0, 0, SHM_EXEC, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86, "mmap", 0, 0, 0, 0), ERRNO(EPERM));          /* old mmap */
        assert_int_equal(call(p, ABI_X86, "mmap2", 0, 4096, PROT_WRITE | PROT_EXEC, 0), ERRNO(EPERM));
        policy_free(p);

        /* With prctl(PR_SET_MDWE) the kernel does it: no seccomp rules. */
        p = build("[Service]\nMemoryDenyWriteExecute=yes\n", true);
        assert_true(p->mdwe_prctl);
        assert_int_equal(call(p, ABI_X86_64, "mmap", 0, 4096, PROT_WRITE | PROT_EXEC, 0), ALLOW);
        policy_free(p);
}

static void test_lock_personality_and_realtime(void **state) {
        Policy *p = build("[Service]\nLockPersonality=yes\nRestrictRealtime=yes\n", false);

        assert_int_equal(call(p, ABI_X86_64, "personality", PER_LINUX, 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "personality", PER_LINUX32, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "personality", 0xffffffff, 0, 0, 0), ERRNO(EPERM));
        for (uint64_t policy = 0; policy < 10; policy++)
                assert_int_equal(call(p, ABI_X86_64, "sched_setscheduler", 0, policy, 0, 0),
                                 policy == 0 || policy == 3 || policy == 5 ? ALLOW : ERRNO(EPERM));
        policy_free(p);
}

static void test_protect_groups(void **state) {
        Policy *p = build("[Service]\nProtectKernelModules=yes\nProtectClock=yes\nPrivateDevices=yes\n"
                          "ProtectKernelLogs=yes\nProtectKernelTunables=yes\nProtectHostname=yes\n", false);

        assert_int_equal(call(p, ABI_X86_64, "init_module", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "settimeofday", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "iopl", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "syslog", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "_sysctl", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "sethostname", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86, "setdomainname", 0, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(call(p, ABI_X86_64, "read", 0, 0, 0, 0), ALLOW);
        /* All of these are constant: the megafilter decides them alone. */
        assert_false(abi_policy_has_rules(&p->abi[ABI_X86_64]));
        policy_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_deny_list),
                cmocka_unit_test(test_allow_list),
                cmocka_unit_test(test_allow_list_unknown_default),
                cmocka_unit_test(test_architectures),
                cmocka_unit_test(test_architectures_x32),
                cmocka_unit_test(test_address_families),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_precedence),
                cmocka_unit_test(test_socketcall_multiplexing),
                cmocka_unit_test(test_memory_deny_write_execute),
                cmocka_unit_test(test_lock_personality_and_realtime),
                cmocka_unit_test(test_protect_groups),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
