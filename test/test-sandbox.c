/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Compiled sandboxes in the real kernel: each case compiles a few directives, installs the
 * result in a forked child, makes one real system call there and reports what happened. Every
 * argument rule is tried on both sides of its boundary, in both layouts. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "sandbox.h"
#include "syscall-table.h"
#include "unit-file.h"
#include "unit-text.h"

typedef enum Expect {
        EXPECT_OK,                      /* the filters let it through (whatever the call then does) */
        EXPECT_ERRNO,                   /* fails with exactly this errno */
        EXPECT_SIGSYS,                  /* the process is killed by SIGSYS */
} Expect;

typedef struct Case {
        const char *directives;
        const char *syscall;            /* name, or NULL to use nr */
        uint32_t nr;
        uint64_t args[6];
        Expect expect;
        int error;                      /* EXPECT_ERRNO: this one; EXPECT_OK: must not be this one */
        MdweMode mdwe;
} Case;

static char scratch[] = "/tmp/megafilter-test-XXXXXX";

#define FILE_ARG ((uint64_t) (uintptr_t) scratch)

static Sandbox *compile_case(const Case *c, Layout layout) {
        _cleanup_(directives_freep) Directives *d = test_directives_from_text("case.service", c->directives, NULL);
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        Diag diag = { .max_level = DIAG_WARNING };
        Sandbox *s = NULL;

        o.layout = layout;
        o.mdwe = c->mdwe;
        o.verify = true;
        if (sandbox_compile(d, &o, &diag, &s) < 0)
                fail_msg("%s (%s): failed to compile", c->directives, layout_to_string(layout));
        return s;
}

/* In the child: install, make the call, send back (ret, errno). */
static void run_child(const Sandbox *s, const Case *c, int fd) {
        long nr = c->nr, ret;
        int err;

        if (c->syscall)
                nr = (long) syscall_nr(ABI_X86_64, syscall_from_name(c->syscall));
        if (sandbox_install(s, 0, NULL) < 0)
                _exit(100);

        ret = syscall(nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4], c->args[5]);
        err = ret < 0 ? errno : 0;
        if (write(fd, &err, sizeof err) != sizeof err)
                _exit(101);
        _exit(0);
}

static void check_case(const Case *c, Layout layout) {
        _cleanup_(sandbox_freep) Sandbox *s = compile_case(c, layout);
        int pipefd[2], status, err = -1;
        pid_t pid;

        assert_int_equal(pipe(pipefd), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(pipefd[0]);
                run_child(s, c, pipefd[1]);
        }
        close(pipefd[1]);
        if (read(pipefd[0], &err, sizeof err) != sizeof err)
                err = -1;
        close(pipefd[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);

        if (c->expect == EXPECT_SIGSYS) {
                if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
                        fail_msg("%s / %s (%s): expected SIGSYS, got status 0x%x errno %d",
                                 c->directives, strna(c->syscall), layout_to_string(layout), status, err);
                return;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("%s / %s (%s): child failed, status 0x%x", c->directives, strna(c->syscall),
                         layout_to_string(layout), status);
        if (c->expect == EXPECT_ERRNO && err != c->error)
                fail_msg("%s / %s (%s): expected errno %d, got %d", c->directives, strna(c->syscall),
                         layout_to_string(layout), c->error, err);
        if (c->expect == EXPECT_OK && c->error != 0 && err == c->error)
                fail_msg("%s / %s (%s): expected the call to pass the filter, got errno %d",
                         c->directives, strna(c->syscall), layout_to_string(layout), err);
}

static const Case cases[] = {
        /* SystemCallFilter= deny-lists: kill, errno, kill per entry */
        { "SystemCallFilter=~mount", "mount", .expect = EXPECT_SIGSYS },
        { "SystemCallFilter=~mount:EPERM", "mount", .expect = EXPECT_ERRNO, .error = EPERM },
        { "SystemCallFilter=~mount:EUCLEAN\nSystemCallErrorNumber=EACCES", "mount", .expect = EXPECT_ERRNO, .error = EUCLEAN },
        { "SystemCallFilter=~@mount\nSystemCallErrorNumber=EACCES", "umount2", .expect = EXPECT_ERRNO, .error = EACCES },
        { "SystemCallFilter=~getppid:kill\nSystemCallErrorNumber=EACCES", "getppid", .expect = EXPECT_SIGSYS },
        { "SystemCallFilter=~mount:EPERM", "getppid", .expect = EXPECT_OK },
        /* allow-lists: unlisted → the configured action, unknown numbers → ENOSYS */
        { "SystemCallFilter=@system-service", "getppid", .expect = EXPECT_OK },
        { "SystemCallFilter=@system-service", "mount", .expect = EXPECT_SIGSYS },
        { "SystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM", "mount", .expect = EXPECT_ERRNO, .error = EPERM },
        { "SystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM", NULL, 1000, .expect = EXPECT_ERRNO, .error = ENOSYS },
        { "SystemCallFilter=@system-service\nSystemCallFilter=~getppid:EDOM", "getppid", .expect = EXPECT_ERRNO, .error = EDOM },
        /* SystemCallLog= lets calls through */
        { "SystemCallLog=getppid", "getppid", .expect = EXPECT_OK },
        /* SystemCallArchitectures=: x32 numbers are killed when x32 is not allowed; the kernel
         * here has no x32, so an allowed x32 call fails with ENOSYS. */
        { "SystemCallArchitectures=native", NULL, 0x40000000 | 39, .expect = EXPECT_SIGSYS },
        { "SystemCallArchitectures=native x32", NULL, 0x40000000 | 39, .expect = EXPECT_ERRNO, .error = ENOSYS },
        { "SystemCallArchitectures=native", "getppid", .expect = EXPECT_OK },
        /* RestrictAddressFamilies= */
        { "RestrictAddressFamilies=AF_UNIX AF_INET6", "socket", .args = { AF_UNIX, SOCK_STREAM }, .expect = EXPECT_OK, .error = EAFNOSUPPORT },
        { "RestrictAddressFamilies=AF_UNIX AF_INET6", "socket", .args = { AF_INET6, SOCK_STREAM }, .expect = EXPECT_OK, .error = EAFNOSUPPORT },
        { "RestrictAddressFamilies=AF_UNIX AF_INET6", "socket", .args = { AF_INET, SOCK_STREAM }, .expect = EXPECT_ERRNO, .error = EAFNOSUPPORT },
        { "RestrictAddressFamilies=AF_UNIX AF_INET6", "socket", .args = { AF_NETLINK, SOCK_RAW }, .expect = EXPECT_ERRNO, .error = EAFNOSUPPORT },
        { "RestrictAddressFamilies=AF_UNIX AF_INET6", "socket", .args = { (UINT64_C(1) << 32) | AF_UNIX, SOCK_STREAM }, .expect = EXPECT_ERRNO, .error = EAFNOSUPPORT },
        { "RestrictAddressFamilies=~AF_INET", "socket", .args = { AF_INET, SOCK_STREAM }, .expect = EXPECT_ERRNO, .error = EAFNOSUPPORT },
        { "RestrictAddressFamilies=~AF_INET", "socket", .args = { AF_UNIX, SOCK_STREAM }, .expect = EXPECT_OK, .error = EAFNOSUPPORT },
        { "RestrictAddressFamilies=none", "socket", .args = { AF_UNIX, SOCK_STREAM }, .expect = EXPECT_ERRNO, .error = EAFNOSUPPORT },
        /* RestrictNamespaces= */
        { "RestrictNamespaces=yes", "unshare", .args = { CLONE_NEWUTS }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictNamespaces=yes", "unshare", .args = { CLONE_FILES }, .expect = EXPECT_OK, .error = EPERM },
        { "RestrictNamespaces=yes", "clone3", .expect = EXPECT_ERRNO, .error = ENOSYS },
        { "RestrictNamespaces=yes", "setns", .args = { 0, 0 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictNamespaces=uts", "unshare", .args = { CLONE_NEWUTS }, .expect = EXPECT_OK, .error = EPERM },
        { "RestrictNamespaces=uts", "unshare", .args = { CLONE_NEWUTS | CLONE_NEWIPC }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictNamespaces=uts", "setns", .args = { 9999, 0 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictNamespaces=uts", "setns", .args = { 9999, CLONE_NEWUTS }, .expect = EXPECT_ERRNO, .error = EBADF },
        { "RestrictNamespaces=~uts", "setns", .args = { 9999, CLONE_NEWUTS }, .expect = EXPECT_ERRNO, .error = EPERM },
        /* LockPersonality= */
        { "LockPersonality=yes", "personality", .args = { PER_LINUX }, .expect = EXPECT_OK, .error = EPERM },
        { "LockPersonality=yes", "personality", .args = { PER_LINUX32 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "LockPersonality=yes\nPersonality=x86", "personality", .args = { PER_LINUX32 }, .expect = EXPECT_OK, .error = EPERM },
        /* RestrictRealtime= (sched_setscheduler(0, policy, NULL): EFAULT/EINVAL when allowed) */
        { "RestrictRealtime=yes", "sched_setscheduler", .args = { 0, SCHED_FIFO }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictRealtime=yes", "sched_setscheduler", .args = { 0, SCHED_RR }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictRealtime=yes", "sched_setscheduler", .args = { 0, 6 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictRealtime=yes", "sched_setscheduler", .args = { 0, SCHED_BATCH }, .expect = EXPECT_OK, .error = EPERM },
        { "RestrictRealtime=yes", "sched_setscheduler", .args = { 0, SCHED_IDLE }, .expect = EXPECT_OK, .error = EPERM },
        /* RestrictSUIDSGID= */
        { "RestrictSUIDSGID=yes", "chmod", .args = { FILE_ARG, 04755 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictSUIDSGID=yes", "chmod", .args = { FILE_ARG, 02755 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictSUIDSGID=yes", "chmod", .args = { FILE_ARG, 0755 }, .expect = EXPECT_OK, .error = EPERM },
        { "RestrictSUIDSGID=yes", "fchmodat", .args = { AT_FDCWD, FILE_ARG, 04755 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictSUIDSGID=yes", "openat", .args = { AT_FDCWD, FILE_ARG, O_CREAT | O_RDWR, 04644 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "RestrictSUIDSGID=yes", "openat", .args = { AT_FDCWD, FILE_ARG, O_RDWR, 04644 }, .expect = EXPECT_OK, .error = EPERM },
        { "RestrictSUIDSGID=yes", "openat", .args = { AT_FDCWD, FILE_ARG, O_CREAT | O_RDWR, 0644 }, .expect = EXPECT_OK, .error = EPERM },
        { "RestrictSUIDSGID=yes", "openat2", .expect = EXPECT_ERRNO, .error = ENOSYS },
        /* MemoryDenyWriteExecute=, with seccomp and with the kernel's PR_SET_MDWE */
        { "MemoryDenyWriteExecute=yes", "mmap", .args = { 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1 },
          .expect = EXPECT_ERRNO, .error = EPERM, .mdwe = MDWE_SECCOMP },
        { "MemoryDenyWriteExecute=yes", "mmap", .args = { 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1 },
          .expect = EXPECT_OK, .error = EPERM, .mdwe = MDWE_SECCOMP },
        { "MemoryDenyWriteExecute=yes", "mprotect", .args = { 0, 4096, PROT_READ | PROT_EXEC }, .expect = EXPECT_ERRNO, .error = EPERM, .mdwe = MDWE_SECCOMP },
        { "MemoryDenyWriteExecute=yes", "shmat", .args = { 0, 0, SHM_EXEC }, .expect = EXPECT_ERRNO, .error = EPERM, .mdwe = MDWE_SECCOMP },
        { "MemoryDenyWriteExecute=yes", "mmap", .args = { 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1 },
          .expect = EXPECT_ERRNO, .error = EACCES, .mdwe = MDWE_PRCTL },
        /* The arg-independent protections */
        { "ProtectHostname=yes", "sethostname", .args = { FILE_ARG, 3 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "ProtectClock=yes", "clock_settime", .args = { CLOCK_REALTIME, 0 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "ProtectKernelModules=yes", "delete_module", .args = { FILE_ARG, 0 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "ProtectKernelLogs=yes", "syslog", .args = { 10, 0, 0 }, .expect = EXPECT_ERRNO, .error = EPERM },
        { "ProtectKernelTunables=yes", "_sysctl", .expect = EXPECT_ERRNO, .error = EPERM },
        { "PrivateDevices=yes", "iopl", .args = { 0 }, .expect = EXPECT_ERRNO, .error = EPERM },
};

static void test_cases(void **state) {
        int fd = mkstemp(scratch);

        assert_true(fd >= 0);
        close(fd);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (Layout l = 0; l < _LAYOUT_MAX; l++)
                        check_case(&cases[i], l);
        unlink(scratch);
}

typedef struct ThreadCall {
        int go[2], done[2];
} ThreadCall;

/* Waits for the go, then makes the call the filters deny and reports its errno (0: allowed). */
static void *thread_call(void *userdata) {
        ThreadCall *t = userdata;
        int err;
        char c;

        if (read(t->go[0], &c, 1) != 1)
                return NULL;
        err = syscall(SYS_getppid) < 0 ? errno : 0;
        (void) !write(t->done[1], &err, sizeof err);
        return NULL;
}

/* Another thread of the process is filtered only with INSTALL_TSYNC. */
static int other_thread_errno(const Sandbox *s, InstallFlags flags) {
        int status, result = -1;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                ThreadCall t;
                pthread_t thread;
                int err = -1;

                if (pipe(t.go) < 0 || pipe(t.done) < 0 || pthread_create(&thread, NULL, thread_call, &t) != 0)
                        _exit(100);
                if (sandbox_install(s, flags, NULL) < 0)
                        _exit(101);
                if (write(t.go[1], "x", 1) != 1 || read(t.done[0], &err, sizeof err) != sizeof err)
                        _exit(102);
                _exit(err);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status))
                result = WEXITSTATUS(status);
        return result;
}

static void test_tsync(void **state) {
        Case c = { "SystemCallFilter=~getppid:EDOM" };
        _cleanup_(sandbox_freep) Sandbox *s = compile_case(&c, LAYOUT_SPLIT);

        assert_int_equal(other_thread_errno(s, INSTALL_TSYNC), EDOM);
        assert_int_equal(other_thread_errno(s, 0), 0);
}

static void test_nothing_installed_without_directives(void **state) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;

        assert_int_equal(directives_new(&d), 0);
        assert_int_equal(sandbox_compile(d, &o, NULL, &s), 0);
        assert_int_equal(s->n_progs, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_nothing_installed_without_directives),
                cmocka_unit_test(test_tsync),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
