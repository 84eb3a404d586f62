/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* `megafilter syscall-filter`, run as a user would: the built binary ($MEGAFILTER_BINARY), its
 * stdout, stderr and exit status. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "macro.h"
#include "syscall-set.h"
#include "syscall-table.h"

typedef struct Result {
        char *out, *err;
        int status;
} Result;

static void result_done(Result *r) {
        free(r->out);
        free(r->err);
}

static char *read_all(int fd) {
        _cleanup_free_ char *buf = NULL;
        size_t allocated = 0, n = 0;
        ssize_t k;

        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        for (;;) {
                assert_true(GREEDY_REALLOC(buf, allocated, n + 4096 + 1));
                k = read(fd, buf + n, 4096);
                assert_true(k >= 0);
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        return TAKE_PTR(buf);
}

/* Runs megafilter with args (NULL-terminated, after the binary name). tracing_dir, if non-NULL,
 * is put in MEGAFILTER_TRACING_DIR. */
static Result run(const char *tracing_dir, const char *const *args) {
        const char *binary = getenv("MEGAFILTER_BINARY");
        _cleanup_close_ int out = -1, err = -1;
        const char *argv[32] = { binary };
        Result r = {};
        pid_t pid;
        size_t n = 1;

        assert_non_null(binary);
        for (; args[n - 1]; n++) {
                assert_true(n < ELEMENTSOF(argv) - 1);
                argv[n] = args[n - 1];
        }
        argv[n] = NULL;

        out = memfd_create("stdout", MFD_CLOEXEC);
        err = memfd_create("stderr", MFD_CLOEXEC);
        assert_true(out >= 0 && err >= 0);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
                        _exit(126);
                if (tracing_dir)
                        setenv("MEGAFILTER_TRACING_DIR", tracing_dir, 1);
                else
                        unsetenv("MEGAFILTER_TRACING_DIR");
                execv(binary, (char **) argv);
                _exit(127);
        }
        assert_int_equal(waitpid(pid, &r.status, 0), pid);
        assert_true(WIFEXITED(r.status));
        r.status = WEXITSTATUS(r.status);
        r.out = read_all(out);
        r.err = read_all(err);
        return r;
}

#define RUN(dir, ...) run((dir), (const char *const[]) { "syscall-filter", __VA_ARGS__, NULL })

static const char sync_listing[] =
        "@sync\n"
        "    # Flushing file contents and mapped memory to storage\n"
        "    fdatasync\n"
        "    fsync\n"
        "    msync\n"
        "    sync\n"
        "    sync_file_range\n"
        "    sync_file_range2\n"
        "    syncfs\n";

static void test_sets(void **state) {
        Result r = RUN(NULL, "@sync");

        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, sync_listing);
        assert_string_equal(r.err, "");
        result_done(&r);

        r = RUN(NULL, "@privileged", "@swap", "@reboot");
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out,
                            "@privileged\n"
                            "    # Calls that require privileges (capabilities) to succeed\n"
                            "    @chown\n"
                            "    @clock\n"
                            "    @module\n"
                            "    @raw-io\n"
                            "    @reboot\n"
                            "    @swap\n"
                            "    _sysctl\n"
                            "    acct\n"
                            "    bpf\n"
                            "    capset\n"
                            "    chroot\n"
                            "    fanotify_init\n"
                            "    fanotify_mark\n"
                            "    nfsservctl\n"
                            "    open_by_handle_at\n"
                            "    pivot_root\n"
                            "    quotactl\n"
                            "    quotactl_fd\n"
                            "    setdomainname\n"
                            "    setfsuid\n"
                            "    setfsuid32\n"
                            "    setgroups\n"
                            "    setgroups32\n"
                            "    sethostname\n"
                            "    setresuid\n"
                            "    setresuid32\n"
                            "    setreuid\n"
                            "    setreuid32\n"
                            "    setuid\n"
                            "    setuid32\n"
                            "    vhangup\n"
                            "\n"
                            "@swap\n"
                            "    # Turning swap areas on and off\n"
                            "    swapoff\n"
                            "    swapon\n"
                            "\n"
                            "@reboot\n"
                            "    # Rebooting, and loading a new kernel to boot into\n"
                            "    kexec_file_load\n"
                            "    kexec_load\n"
                            "    reboot\n");
        assert_string_equal(r.err, "");
        result_done(&r);
}

static void test_syscall_name(void **state) {
        Result r = RUN(NULL, "openat", "fstatat", "osf_syscall");

        assert_int_equal(r.status, 0);
#if defined(__x86_64__) && !defined(__ILP32__)
        assert_string_equal(r.out,
                            "openat\n"
                            "    # System call, in: @file-system @system-service @known\n"
                            "    x86-64 257\n"
                            "    x86 295\n"
                            "    x32 1073742081\n"
                            "    arm 322\n"
                            "    arm64 56\n"
                            "    loongarch64 56\n"
                            "    m68k 288\n"
                            "    mips 4288\n"
                            "    mips-le 4288\n"
                            "    mips64 5247\n"
                            "    mips64-le 5247\n"
                            "    mips64-n32 6251\n"
                            "    mips64-le-n32 6251\n"
                            "    parisc 275\n"
                            "    parisc64 275\n"
                            "    ppc 286\n"
                            "    ppc64 286\n"
                            "    ppc64-le 286\n"
                            "    riscv64 56\n"
                            "    s390 288\n"
                            "    s390x 288\n"
                            "    sh 295\n"
                            "    sh-be 295\n"
                            "\n"
                            "fstatat\n"
                            "    # System call, in: @file-system @system-service\n"
                            "\n"
                            "osf_syscall\n"
                            "    # System call, in: @known\n");
#else
        assert_non_null(strstr(r.out, "openat\n    # System call, in: @file-system @system-service @known\n"));
#endif
        assert_string_equal(r.err, "");
        result_done(&r);

        /* Nesting: seccomp is in @sandbox, which @default nests, which @system-service nests. */
        r = RUN(NULL, "seccomp");
        assert_int_equal(r.status, 0);
        assert_true(startswith(r.out, "seccomp\n    # System call, in: @default @sandbox @system-service @known\n"));
        result_done(&r);

        /* On aarch64 only the generic numbers exist; arm has none for this old call. */
        r = RUN(NULL, "access");
        assert_int_equal(r.status, 0);
        assert_null(strstr(r.out, "arm64"));
        assert_non_null(strstr(r.out, "    arm 33\n"));
        result_done(&r);
}

static void test_unknown(void **state) {
        Result r = RUN(NULL, "@sync", "@nope", "@swap");

        assert_int_equal(r.status, 1);
        /* What came before is printed, including the separator, then the error. */
        assert_true(startswith(r.out, sync_listing));
        assert_string_equal(r.out + strlen(sync_listing), "\n");
        assert_string_equal(r.err, "megafilter: Filter set \"@nope\" not found.\n");
        result_done(&r);

        r = RUN(NULL, "nope");
        assert_int_equal(r.status, 1);
        assert_string_equal(r.out, "");
        assert_string_equal(r.err, "megafilter: Unknown system call or filter set: nope\n");
        result_done(&r);

        /* Set names need their '@'. */
        r = RUN(NULL, "sync", "default");
        assert_int_equal(r.status, 1);
        assert_string_equal(r.err, "megafilter: Unknown system call or filter set: default\n");
        result_done(&r);

        r = RUN(NULL, "--bogus");
        assert_int_equal(r.status, 1);
        assert_string_equal(r.out, "");
        assert_non_null(strstr(r.err, "bogus"));
        result_done(&r);
}

static void test_help(void **state) {
        Result r = RUN(NULL, "--help");

        assert_int_equal(r.status, 0);
        assert_true(startswith(r.out, "Usage: megafilter syscall-filter "));
        assert_non_null(strstr(r.out, "@SET"));
        assert_non_null(strstr(r.out, "NAME"));
        assert_non_null(strstr(r.out, "--quiet"));
        assert_non_null(strstr(r.out, "# Ungrouped System Calls"));
        assert_non_null(strstr(r.out, "# Unlisted System Calls"));
        assert_non_null(strstr(r.out, "MEGAFILTER_TRACING_DIR"));
        assert_string_equal(r.err, "");
        result_done(&r);
}

/* Checks the sets part of a full listing and returns where it ends. */
static const char *check_sets(const char *out) {
        const char *p = out;

        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++) {
                const SyscallSet *s = &syscall_sets[i];
                const char *q;

                if (i > 0) {
                        assert_int_equal(*p, '\n');
                        p++;
                }
                q = startswith(p, s->name);
                assert_non_null(q);
                assert_true(startswith(q, "\n    # "));
                p = strchr(q + 1, '\n') + 1;
                for (const char *const *m = s->members; *m; m++) {
                        assert_true(startswith(p, "    "));
                        q = startswith(p + 4, *m);
                        if (!q || *q != '\n')
                                fail_msg("in %s expected member %s at: %.40s", s->name, *m, p);
                        p = q + 1;
                }
        }
        return p;
}

static bool directly_in_a_group(const char *name) {
        for (SyscallSetId i = 0; i < SYSCALL_SET_KNOWN; i++)
                for (const char *const *m = syscall_sets[i].members; *m; m++)
                        if (streq(*m, name))
                                return true;
        return false;
}

static const char ungrouped_header[] =
        "\n# Ungrouped System Calls (known but not included in any of the groups except @known):\n";
static const char unlisted_header[] =
        "\n# Unlisted System Calls (supported by the local kernel, but not included in any of the groups listed above):\n";

/* Checks the ungrouped section: every name of @known in no other group, sorted. */
static const char *check_ungrouped(const char *p) {
        const char *prev = "";
        unsigned n = 0, expected = 0;

        p = startswith(p, ungrouped_header);
        assert_non_null(p);
        while (startswith(p, "#   ")) {
                const char *e = strchr(p, '\n');
                _cleanup_free_ char *name = strndup(p + 4, (size_t) (e - p - 4));

                assert_true(syscall_from_name(name) >= 0);
                assert_false(directly_in_a_group(name));
                assert_true(strcmp(prev, name) < 0);
                prev = syscall_name(syscall_from_name(name));
                n++;
                p = e + 1;
        }
        for (size_t i = 0; i < syscall_count(); i++)
                expected += !directly_in_a_group(syscall_name((int) i));
        assert_int_equal(n, expected);
        assert_true(n > 10);
        return p;
}

static void test_full_listing(void **state) {
        char dir[] = "/tmp/megafilter-test-XXXXXX", path[64];
        _cleanup_fclose_ FILE *f = NULL;
        const char *p;
        Result r;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/available_events", dir);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs("sched:sched_switch\n"
              "syscalls:sys_enter_read\n"
              "syscalls:sys_exit_read\n"
              "syscalls:sys_enter_zz_frobnicate\n"
              "syscalls:sys_enter_newuname\n"              /* internal names are hidden */
              "syscalls:sys_enter_newfstat\n"
              "syscalls:sys_enter_sysctl\n"
              "syscalls:sys_enter_arc_gettls\n"            /* ungrouped, but in @known */
              "syscalls:sys_enter_fstatat\n"               /* listed by a group, though in no table */
              "syscalls:sys_exit_not_an_enter\n"
              "syscalls:sys_enter_aa_frobnicate\n"
              "syscalls:sys_enter_zz_frobnicate\n", f);
        assert_int_equal(fclose(TAKE_PTR(f)), 0);

        r = RUN(dir, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        p = check_sets(r.out);
        p = check_ungrouped(p);
        assert_string_equal(p, "\n"
                            "# Unlisted System Calls (supported by the local kernel, but not included in any of the groups listed above):\n"
                            "#   aa_frobnicate\n"
                            "#   zz_frobnicate\n");
        result_done(&r);

        /* Nothing unlisted: no section at all. */
        f = fopen(path, "we");
        assert_non_null(f);
        fputs("syscalls:sys_enter_read\nsyscalls:sys_enter_newstat\n", f);
        assert_int_equal(fclose(TAKE_PTR(f)), 0);
        r = RUN(dir, NULL);
        assert_int_equal(r.status, 0);
        p = check_ungrouped(check_sets(r.out));
        assert_string_equal(p, "");
        assert_null(strstr(r.out, unlisted_header));
        result_done(&r);

        /* The kernel's list is unreadable: a notice instead of the section. */
        assert_int_equal(unlink(path), 0);
        r = RUN(dir, NULL);
        assert_int_equal(r.status, 0);
        p = check_ungrouped(check_sets(r.out));
        assert_string_equal(p, "\n");
        assert_non_null(startswith(r.err, "# Unlisted system calls not shown"));
        assert_non_null(strstr(r.err, path));
        assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);      /* one line */
        result_done(&r);

        /* --quiet: the sets only, no kernel access needed. */
        r = RUN(dir, "--quiet");
        assert_int_equal(r.status, 0);
        assert_string_equal(check_sets(r.out), "");
        assert_string_equal(r.err, "");
        result_done(&r);

        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sets),
                cmocka_unit_test(test_syscall_name),
                cmocka_unit_test(test_unknown),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_full_listing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
