/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* linux.seccomp and profiles as crun + libseccomp 2.5.4 read them: the diagnostics (file, line,
 * column, JSON path), the semantics (through the policy, and for the ones that matter most
 * through the real kernel in forked children), and Docker/Podman profile resolution. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf-paths.h"
#include "diag-capture.h"
#include "oci-seccomp.h"
#include "syscall-table.h"
#include "test-util.h"

static char tmpdir[] = "/tmp/test-oci-seccomp-XXXXXX";

static const char *write_file(const char *name, const char *text) {
        static char path[4096];
        _cleanup_close_ int fd = -EBADF;

        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        return path;
}

/* Load text (as input) and compile it for x86-64, or return the error; messages into c. */
static int compile_text(const char *text, const OciLoadOptions *o, Captured *c, OciSeccomp **ret_oci, Sandbox **ret) {
        _cleanup_(oci_seccomp_freep) OciSeccomp *oci = NULL;
        OciLoadOptions opts = o ? *o : (OciLoadOptions) { .input = OCI_INPUT_SECCOMP };
        Diag diag = CAPTURE_DIAG(c);
        int r;

        opts.native = ABI_X86_64;
        r = oci_seccomp_load(write_file("s.json", text), &opts, &diag, &oci);
        if (r < 0)
                return r;
        r = oci_seccomp_compile(oci, ABI_X86_64, true, &diag, ret);
        if (r < 0)
                return r;
        if (ret_oci)
                *ret_oci = TAKE_PTR(oci);
        return 0;
}

static Sandbox *compile_ok(const char *text) {
        Captured c = {};
        Sandbox *s = NULL;

        if (compile_text(text, NULL, &c, NULL, &s) < 0)
                dump_messages(&c);
        assert_non_null(s);
        capture_reset(&c);
        return s;
}

static uint32_t verdict(const Sandbox *s, Abi abi, const char *name, uint64_t a0, uint64_t a1) {
        struct seccomp_data sd = {
                .nr = (int) syscall_nr(abi, syscall_from_name(name)),
                .arch = abi_info[abi].audit_arch,
                .args = { a0, a1 },
        };

        assert_true(sd.nr >= 0);
        return policy_evaluate(s->policy, &sd);
}

/* The first error message for text, which must be refused. */
static void assert_refused(const char *text, const char *want) {
        Captured c = {};
        Sandbox *s = NULL;
        char expect[1024];

        assert_true(compile_text(text, NULL, &c, NULL, &s) < 0);
        assert_null(s);
        snprintf(expect, sizeof expect, "%s/s.json:%s", tmpdir, want);
        for (size_t i = 0; i < c.n; i++)
                if (c.levels[i] <= DIAG_ERROR) {
                        if (!streq(c.messages[i], expect))
                                dump_messages(&c);
                        assert_string_equal(c.messages[i], expect);
                        capture_reset(&c);
                        return;
                }
        dump_messages(&c);
        fail_msg("no error for %s", text);
}

static void test_refusals(void **state) {
        assert_refused("{}", "1:1: (top level): \"defaultAction\" is missing.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_DENY\"}",
                       "1:19: defaultAction: unknown action \"SCMP_ACT_DENY\" (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, "
                       "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG).");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}",
                       "1:19: defaultAction: an errno value is given for action SCMP_ACT_ALLOW (only SCMP_ACT_ERRNO and "
                       "SCMP_ACT_TRACE take one).");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4095}",
                       "1:56: defaultAction: errno 4095 is out of range: cut to 16 bits it is 4095, and libseccomp takes "
                       "only 0…4094.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
                       "1:19: defaultAction: SCMP_ACT_NOTIFY needs a seccomp listener (listenerPath), which a precompiled "
                       "filter cannot provide: refusing.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/x.sock\"}",
                       "1:53: listenerPath: a seccomp listener cannot be served by a precompiled filter: refusing.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_SPARC\"]}",
                       "1:75: architectures[1]: unknown architecture \"SCMP_ARCH_SPARC\" (libseccomp 2.5 does not know it).");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_LOONGARCH64\"]}",
                       "1:55: architectures[0]: unknown architecture \"SCMP_ARCH_LOONGARCH64\" (libseccomp 2.5 does not know it).");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW\"]}",
                       "1:47: flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW\" (crun knows SECCOMP_FILTER_FLAG_TSYNC, "
                       "_SPEC_ALLOW, _LOG, _WAIT_KILLABLE_RECV).");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": 3}",
                       "1:49: syscalls: expected an array, got number.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_KILL\"}]}",
                       "1:50: syscalls[0]: \"names\" is missing.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [{\"names\": [\"read\", 7], \"action\": \"SCMP_ACT_KILL\"}]}",
                       "2:34: syscalls[0].names[1]: expected a string, got number.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
                       "  {\"names\": [\"write\"], \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 5}]}",
                       "3:34: syscalls[1].action: an errno value is given for action SCMP_ACT_KILL (only SCMP_ACT_ERRNO and "
                       "SCMP_ACT_TRACE take one).");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
                       "  \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                       "2:69: syscalls[0].args[1].index: argument index 6 is out of range 0…5.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
                       "  \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_MASKED_NE\"}]}]}",
                       "2:43: syscalls[0].args[0].op: unknown operator \"SCMP_CMP_MASKED_NE\" (SCMP_CMP_NE, _LT, _LE, _EQ, _GE, "
                       "_GT, _MASKED_EQ).");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
                       "  \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                       "2:34: syscalls[0].args[0].value: expected an integer in 0…18446744073709551615, got -1.");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
                       "  \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                       "2:12: syscalls[0].args[0]: \"value\" is missing.");
        /* The same conditions with another action: libseccomp says EEXIST. */
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
                       "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                       "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                       "3:14: syscalls[1].names[0]: personality: on x86-64, its conditions are those of the rule at line 2 "
                       "(or their start), with another action (LOG, there ALLOW): libseccomp refuses that.");
        /* … on x86 only: the low halves are alike. */
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"], \"syscalls\": [\n"
                       "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                       "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 1, \"value\": 4294967305, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                       "3:14: syscalls[1].names[0]: kill: on x86, its conditions are those of the rule at line 2 "
                       "(or their start), with another action (LOG, there ALLOW): libseccomp refuses that.");
        /* … through socketcall(): an unconditional socket rule is socketcall(SYS_SOCKET, …) there. */
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"], \"syscalls\": [\n"
                       "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                       "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_KILL\"}]}",
                       "3:14: syscalls[1].names[0]: socket: on x86, through socketcall(), its conditions are those of the "
                       "rule at line 2 (or their start), with another action (KILL_THREAD, there ALLOW): libseccomp refuses that.");
        /* Invalid JSON. */
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\",}", "1:36: Unexpected '}' in an object, expected a key (a string).");
}

static void test_unknown_names_unchecked(void **state) {
        /* A rule of names libseccomp does not know is never checked, by crun or libseccomp. */
        _cleanup_(sandbox_freep) Sandbox *s = compile_ok(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
                " {\"names\": [\"mseal\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5000, \"args\": [{\"index\": 9, \"value\": 1, \"op\": \"SCMP_CMP_X\"}]}]}");

        assert_int_equal(s->n_progs, 1);
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
                       " {\"names\": [\"mseal\", \"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5000}]}",
                       "2:71: syscalls[0].action: errno 5000 is out of range: cut to 16 bits it is 5000, and libseccomp "
                       "takes only 0…4094.");
}

static void test_warnings_and_strict(void **state) {
        const char *text = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultAktion\": 1,\n"
                           " \"syscalls\": [{\"names\": [\"read\", \"no_such_call\", \"mseal\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
        OciLoadOptions strict = { .input = OCI_INPUT_SECCOMP, .strict = true };
        OciLoadOptions strict_names = { .input = OCI_INPUT_SECCOMP, .flags = OCI_STRICT_NAMES };
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        Captured c = {};
        char want[3][512];

        assert_int_equal(compile_text(text, NULL, &c, NULL, &s), 0);
        snprintf(want[0], sizeof want[0], "%s/s.json:1:37: (top level): unknown member \"defaultAktion\", ignoring.", tmpdir);
        snprintf(want[1], sizeof want[1], "%s/s.json:2:34: syscalls[0].names[1]: unknown system call \"no_such_call\" (crun skips it), ignoring.", tmpdir);
        snprintf(want[2], sizeof want[2], "%s/s.json:2:50: syscalls[0].names[2]: libseccomp 2.5.4 does not know the system call \"mseal\" (crun skips it), ignoring.", tmpdir);
        for (size_t i = 0; i < 3; i++)
                assert_message(&c, i, DIAG_WARNING, want[i]);
        /* Skipped: mseal stays denied as crun leaves it; read is allowed. */
        assert_int_equal(verdict(s, ABI_X86_64, "mseal", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(s, ABI_X86_64, "read", 0, 0), SECCOMP_RET_ALLOW);
        s = sandbox_free(s);
        capture_reset(&c);

        assert_int_equal(compile_text(text, &strict, &c, NULL, &s), -EINVAL);
        snprintf(want[0], sizeof want[0], "%s/s.json: Refusing the input: 3 warnings in strict mode.", tmpdir);
        assert_message(&c, c.n - 1, DIAG_ERROR, want[0]);
        capture_reset(&c);

        assert_int_equal(compile_text(text, &strict_names, &c, NULL, &s), -EINVAL);
        snprintf(want[0], sizeof want[0], "%s/s.json:2:34: syscalls[0].names[1]: unknown system call \"no_such_call\".", tmpdir);
        assert_message(&c, 1, DIAG_ERROR, want[0]);
        capture_reset(&c);
}

static void test_semantics(void **state) {
        _cleanup_(sandbox_freep) Sandbox *s = compile_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
                " \"architectures\": [\"SCMP_ARCH_X86_64\", \"x86\"], \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],\n"
                " \"syscalls\": [\n"
                /* no errnoRet: EPERM, whatever defaultErrnoRet says */
                "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"},\n"
                /* cut to 16 bits: 65536 + 13 is EACCES */
                "  {\"names\": [\"rmdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 65549},\n"
                /* the default action's rule: dropped, even with conditions */
                "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
                "  {\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},\n"
                /* MASKED_EQ: (arg & value) == (valueTwo & value) */
                "  {\"names\": [\"unshare\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 4026531840, \"valueTwo\": 4026531840, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
                "  {\"names\": [\"setns\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 255, \"valueTwo\": 4352, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
                /* different indexes: ANDed */
                "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_NE\"}]},\n"
                /* the same index twice: each its own rule, ORed */
                "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                /* 64-bit comparisons; on x86 only the low half */
                "  {\"names\": [\"lseek\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 4294967296, \"op\": \"SCMP_CMP_GE\"}]},\n"
                "  {\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 10, \"op\": \"SCMP_CMP_LT\"}]},\n"
                /* unconditional beats conditional, whichever comes first */
                "  {\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                "  {\"names\": [\"dup\"], \"action\": \"SCMP_ACT_LOG\"},\n"
                "  {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_TRACE\"},\n"
                "  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL\"},\n"
                "  {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},\n"
                "  {\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_TRAP\"}\n"
                " ]}");

        assert_int_equal(verdict(s, ABI_X86_64, "open", 0, 0), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86_64, "mkdir", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(s, ABI_X86_64, "rmdir", 0, 0), SECCOMP_RET_ERRNO | EACCES);
        assert_int_equal(verdict(s, ABI_X86_64, "read", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "write", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "unshare", 0xf0000000, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "unshare", 0x70000000, 0), SECCOMP_RET_ERRNO | 38);
        /* valueTwo 0x1100 & 0xff is 0: any value with a zero low byte */
        assert_int_equal(verdict(s, ABI_X86_64, "setns", 0, 0x4200), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "setns", 0, 0x4201), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86_64, "kill", 1, 15), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "kill", 1, 9), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86_64, "kill", 2, 15), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86_64, "personality", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "personality", 8, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "personality", 9, 0), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86_64, "lseek", 0, UINT64_C(1) << 32), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "lseek", 0, 5), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86, "_llseek", 0, 0), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86, "lseek", 0, 5), SECCOMP_RET_ALLOW);  /* 5 >= low half 0 */
        assert_int_equal(verdict(s, ABI_X86_64, "close", 9, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "close", UINT64_C(1) << 32 | 9, 0), SECCOMP_RET_ERRNO | 38);
        assert_int_equal(verdict(s, ABI_X86, "close", UINT64_C(1) << 32 | 9, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "dup", 3, 0), SECCOMP_RET_LOG);
        assert_int_equal(verdict(s, ABI_X86_64, "dup", 4, 0), SECCOMP_RET_LOG);
        assert_int_equal(verdict(s, ABI_X86_64, "ptrace", 0, 0), SECCOMP_RET_TRACE | EPERM);
        assert_int_equal(verdict(s, ABI_X86_64, "getpid", 0, 0), SECCOMP_RET_KILL_THREAD);
        assert_int_equal(verdict(s, ABI_X86_64, "getppid", 0, 0), SECCOMP_RET_KILL_PROCESS);
        assert_int_equal(verdict(s, ABI_X86_64, "gettid", 0, 0), SECCOMP_RET_TRAP);
        assert_int_equal(verdict(s, ABI_X86, "mkdir", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        /* x32 is not listed: its calls are a foreign ABI's, killed */
        assert_int_equal(verdict(s, ABI_X32, "read", 0, 0), SECCOMP_RET_KILL_THREAD);
        assert_int_equal(s->n_progs, 1);
}

static void test_native_always(void **state) {
        /* Only x86 listed: x86-64 is in the filter all the same, x32 is not. */
        _cleanup_(sandbox_freep) Sandbox *s = compile_ok(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\"],\n"
                " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}");
        _cleanup_(sandbox_freep) Sandbox *none = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");

        assert_int_equal(verdict(s, ABI_X86_64, "mkdir", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(s, ABI_X86, "mkdir", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(s, ABI_X86, "read", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X32, "read", 0, 0), SECCOMP_RET_KILL_THREAD);
        _cleanup_(sandbox_freep) Sandbox *x32 = compile_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\"],\n"
                " \"syscalls\": [{\"names\": [\"map_shadow_stack\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");

        /* libseccomp 2.5.5's table has no x32 map_shadow_stack: crun's rule skips x32. */
        assert_int_equal(verdict(x32, ABI_X86_64, "map_shadow_stack", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(x32, ABI_X32, "map_shadow_stack", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(x32, ABI_X32, "read", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(none, ABI_X86_64, "mkdir", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(none, ABI_X86, "mkdir", 0, 0), SECCOMP_RET_KILL_THREAD);
}

/* ---- the real kernel ---- */

#if defined(__x86_64__) && !defined(__ILP32__)
static long int80(long nr, long a0) {
        long r;

        __asm__ volatile ("int $0x80" : "=a" (r) : "a" (nr), "b" (a0) : "memory", "r8", "r9", "r10", "r11");
        return r;
}
#endif

/* Fork, load the sandbox's program, run f; the wait status. */
static int run_under(const Sandbox *s, int (*f)(void)) {
        pid_t pid = fork();
        int status;

        assert_true(pid >= 0);
        if (pid == 0) {
                struct sock_fprog prog = { .len = (unsigned short) s->progs[0].n, .filter = s->progs[0].insns };

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                        _exit(100);
                _exit(f());
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static int do_mkdir(void) {
        return mkdir("/nonexistent-dir/x", 0755) < 0 && errno == ENOTSUP ? 0 : 1;
}

static int do_socket(void) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), fd6;

        if (fd < 0)
                return 1;
        close(fd);
        /* AF_INET6: the rule does not hold, the default action's errno */
        fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        return fd6 < 0 && errno == EAFNOSUPPORT ? 0 : 2;
}

static int do_clone_flags(void) {
        /* unshare(CLONE_NEWUSER): the MASKED_EQ rule refuses the namespace flags with EPERM */
        return unshare(CLONE_NEWUSER) < 0 && errno == EPERM ? 0 : 1;
}

#if defined(__x86_64__) && !defined(__ILP32__)
static int do_i386_getpid(void) {
        (void) int80(20, 0);            /* getpid on i386 */
        return 3;
}
#endif

static int do_getppid(void) {
        return getppid() > 0 ? 0 : 1;
}

static void test_kernel(void **state) {
        _cleanup_(sandbox_freep) Sandbox *s = compile_ok(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"],\n"
                " \"syscalls\": [\n"
                "  {\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 95},\n"
                "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 97, \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_NE\"}]},\n"
                "  {\"names\": [\"unshare\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 268435456, \"valueTwo\": 268435456, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}\n"
                " ]}");
        int status;

        status = run_under(s, do_mkdir);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        status = run_under(s, do_socket);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        status = run_under(s, do_clone_flags);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        status = run_under(s, do_getppid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#if defined(__x86_64__) && !defined(__ILP32__)
        /* i386 is not listed: its calls are killed (KILL_THREAD of the only thread: SIGSYS). */
        status = run_under(s, do_i386_getpid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
                fail_msg("an i386 call went through");
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
                print_message("i386 emulation unavailable, int 0x80 check skipped\n");
        else
                assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
#endif
}

/* ---- profiles ---- */

static Sandbox *compile_profile(const char *path, const char *const *caps, unsigned kmajor, unsigned kminor) {
        _cleanup_(oci_seccomp_freep) OciSeccomp *oci = NULL;
        OciLoadOptions o = {
                .input = OCI_INPUT_AUTO, .native = ABI_X86_64, .caps = (char **) caps,
                .kernel_major = kmajor, .kernel_minor = kminor,
        };
        Captured c = {};
        Diag diag = CAPTURE_DIAG(&c);
        Sandbox *s = NULL;

        assert_int_equal(oci_seccomp_load(path, &o, &diag, &oci), 0);
        assert_int_equal(oci->input, OCI_INPUT_PROFILE);
        assert_int_equal(oci_seccomp_compile(oci, ABI_X86_64, true, &diag, &s), 0);
        for (size_t i = 0; i < c.n; i++)
                assert_true(c.levels[i] >= DIAG_WARNING);
        capture_reset(&c);
        return s;
}

static void test_docker_profile(void **state) {
        char path[4096];
        const char *src = getenv("MEGAFILTER_SOURCE_ROOT"), *data = getenv("MEGAFILTER_DATA_DIR");
        const char *const no_caps[] = { NULL };
        const char *const admin[] = { "CAP_SYS_ADMIN", NULL };
        Sandbox *s;

        /* The reference profiles: test/data of the source tree (or $MEGAFILTER_DATA_DIR). */
        if (data)
                snprintf(path, sizeof path, "%s/oci/docker-default.json", data);
        else
                snprintf(path, sizeof path, "%s/test/data/oci/docker-default.json", src ?: ".");
        if (access(path, R_OK) < 0)
                skip();

        s = compile_profile(path, NULL, 6, 1);
        /* Docker's defaults have CAP_SYS_CHROOT (chroot allowed) but not CAP_SYS_ADMIN (mount denied). */
        assert_int_equal(verdict(s, ABI_X86_64, "chroot", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "mount", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(s, ABI_X86_64, "arch_prctl", 0, 0), SECCOMP_RET_ALLOW);    /* includes arches amd64 */
        assert_int_equal(verdict(s, ABI_X86_64, "ptrace", 0, 0), SECCOMP_RET_ALLOW);        /* minKernel 4.8 */
        assert_int_equal(verdict(s, ABI_X86_64, "getpid", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86, "getpid", 0, 0), SECCOMP_RET_ALLOW);           /* archMap's sub-architectures */
        assert_int_equal(verdict(s, ABI_X32, "getpid", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "socket", AF_INET, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "socket", AF_NETLINK, 3), SECCOMP_RET_ALLOW);
        /* clone with CLONE_NEWUSER: not without CAP_SYS_ADMIN */
        assert_int_equal(verdict(s, ABI_X86_64, "clone", 0x10000000, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(s, ABI_X86_64, "clone", 0x11200011, 0) == SECCOMP_RET_ALLOW, false);
        assert_int_equal(verdict(s, ABI_X86_64, "clone", 0x01200011, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "clone3", 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
        s = sandbox_free(s);

        s = compile_profile(path, no_caps, 6, 1);
        assert_int_equal(verdict(s, ABI_X86_64, "chroot", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        s = sandbox_free(s);

        /* Before 4.8, ptrace is only for CAP_SYS_PTRACE. */
        s = compile_profile(path, NULL, 4, 7);
        assert_int_equal(verdict(s, ABI_X86_64, "ptrace", 0, 0), SECCOMP_RET_ERRNO | EPERM);
        s = sandbox_free(s);

        s = compile_profile(path, admin, 6, 1);
        assert_int_equal(verdict(s, ABI_X86_64, "mount", 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(s, ABI_X86_64, "clone", 0x10000000, 0), SECCOMP_RET_ALLOW);
        s = sandbox_free(s);
}

/* The targets for the reference profiles, on an x86-64 host: one program, at most 16
 * instructions for a denied call and 20 for an argument-checked one, on every ABI; the
 * instruction counts are exact (doc/bench/oci.md explains why they cannot reach 150). */
static void test_reference_figures(void **state) {
        static const struct {
                const char *name;
                size_t instructions;
        } profiles[] = {
                { "docker-default", 276 },
                { "podman-default", 276 },
        };
        const char *src = getenv("MEGAFILTER_SOURCE_ROOT");

        for (size_t i = 0; i < ELEMENTSOF(profiles); i++) {
                char path[4096];
                Sandbox *s;
                const BpfProgram *prog;

                snprintf(path, sizeof path, "%s/test/data/oci/%s.json", src ?: ".", profiles[i].name);
                if (access(path, R_OK) < 0)
                        skip();
                s = compile_profile(path, NULL, 6, 1);
                assert_int_equal(s->n_progs, 1);
                prog = &s->progs[0];
                print_message("%s: %zu instructions\n", profiles[i].name, prog->n);
                assert_int_equal(prog->n, profiles[i].instructions);

                ABI_SET_FOREACH(abi, s->policy->abis) {
                        const AbiPolicy *a = &s->policy->abi[abi];
                        unsigned denied_max = 0, arg_max = 0;

                        for (size_t k = 0; k < a->n; k++) {
                                const Decision *d = &a->by_nr[k];
                                BpfPaths bp;

                                if (!bitmap_test(a->assigned, k))
                                        continue;
                                bpf_paths(prog->insns, prog->n, abi_info[abi].audit_arch,
                                          a->nr_first + (uint32_t) k, &bp);
                                if (d->n_rules > 0)
                                        arg_max = MAX(arg_max, bp.steps_max);
                                else if (d->action != SECCOMP_RET_ALLOW)
                                        denied_max = MAX(denied_max, bp.steps_max);
                        }
                        print_message("  %s: denied %u, argument-checked %u instructions at most\n",
                                      abi_to_name(abi), denied_max, arg_max);
                        assert_true(denied_max <= 16);
                        assert_true(arg_max <= 20);
                }
                sandbox_free(s);
        }
}

static void test_profile_shape(void **state) {
        Captured c = {};
        Sandbox *s = NULL;
        OciLoadOptions o = { .input = OCI_INPUT_PROFILE, .kernel_major = 6, .kernel_minor = 1 };
        char want[512];

        assert_true(compile_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"],\n"
                                 " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}", &o, &c, NULL, &s) < 0);
        snprintf(want, sizeof want, "%s/s.json:2:13: (top level).archMap: both \"architectures\" and \"archMap\" given: use one of them.", tmpdir);
        assert_message(&c, 0, DIAG_ERROR, want);
        capture_reset(&c);

        assert_true(compile_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
                                 " {\"name\": \"read\", \"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", &o, &c, NULL, &s) < 0);
        snprintf(want, sizeof want, "%s/s.json:2:11: syscalls[0].name: both \"name\" and \"names\" given: use one of them.", tmpdir);
        assert_message(&c, 0, DIAG_ERROR, want);
        capture_reset(&c);

        assert_true(compile_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
                                 " {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4\"}}]}", &o, &c, NULL, &s) < 0);
        snprintf(want, sizeof want, "%s/s.json:2:76: syscalls[0].includes.minKernel: expected a kernel version \"MAJOR.MINOR\".", tmpdir);
        assert_message(&c, 0, DIAG_ERROR, want);
        capture_reset(&c);

        /* No default action and no syscalls: seccomp disabled, no program. */
        assert_int_equal(compile_text("{\"archMap\": []}", &o, &c, NULL, &s), 0);
        assert_int_equal(s->n_progs, 0);
        s = sandbox_free(s);
        capture_reset(&c);
}

static void test_config(void **state) {
        _cleanup_(oci_seccomp_freep) OciSeccomp *oci = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        OciLoadOptions o = { .native = ABI_X86_64 };
        Captured c = {};
        Diag diag = CAPTURE_DIAG(&c);
        char want[512];

        write_file("config.json", "{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                   " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4096}]}}}");
        /* A bundle directory: its config.json, paths under linux.seccomp. */
        assert_int_equal(oci_seccomp_load(tmpdir, &o, &diag, &oci), -EINVAL);
        snprintf(want, sizeof want, "%s/config.json:2:76: linux.seccomp.syscalls[0].action: errno 4096 is out of range: "
                 "cut to 16 bits it is 4096, and libseccomp takes only 0…4094.", tmpdir);
        assert_message(&c, 0, DIAG_ERROR, want);
        capture_reset(&c);

        write_file("config.json", "{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                   " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 65537}]}}}");
        assert_int_equal(oci_seccomp_load(tmpdir, &o, &diag, &oci), 0);
        assert_int_equal(oci->input, OCI_INPUT_CONFIG);
        assert_int_equal(oci_seccomp_compile(oci, ABI_X86_64, true, &diag, &s), 0);
        assert_int_equal(verdict(s, ABI_X86_64, "mkdir", 0, 0), SECCOMP_RET_ERRNO | 1);
        s = sandbox_free(s);
        oci = oci_seccomp_free(oci);

        /* No linux.seccomp: no filter. */
        write_file("config.json", "{\"ociVersion\": \"1.0.2\", \"linux\": {}}");
        assert_int_equal(oci_seccomp_load(tmpdir, &o, &diag, &oci), 0);
        assert_true(oci->disabled);
        assert_int_equal(oci_seccomp_compile(oci, ABI_X86_64, true, &diag, &s), 0);
        assert_int_equal(s->n_progs, 0);
        capture_reset(&c);
}

static int setup(void **state) {
        return tmpdir_make(tmpdir);
}

static int teardown(void **state) {
        return tmpdir_remove(tmpdir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_unknown_names_unchecked),
                cmocka_unit_test(test_warnings_and_strict),
                cmocka_unit_test(test_semantics),
                cmocka_unit_test(test_native_always),
                cmocka_unit_test(test_kernel),
                cmocka_unit_test(test_docker_profile),
                cmocka_unit_test(test_reference_figures),
                cmocka_unit_test(test_profile_shape),
                cmocka_unit_test(test_config),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
