/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Every way sandbox_install() can fail, provoked in the real kernel in a forked child: a filter
 * already in place that refuses seccomp(2), prctl(PR_SET_NO_NEW_PRIVS) or prctl(PR_SET_MDWE), a
 * chain that would pass the kernel's 32768-instruction limit, a thread TSYNC cannot synchronise.
 * Each must return an error (never 0: nothing falls open), and where the trial attach runs, leave
 * no filter of ours behind (Seccomp_filters in /proc/self/status, before and after). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf-insn.h"
#include "sandbox.h"
#include "unit-file.h"
#include "unit-text.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif

#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARG0_OFF offsetof(struct seccomp_data, args[0])

typedef struct Result {
        int r;                  /* sandbox_install()'s result */
        int before, after;      /* Seccomp_filters around it */
        int signal;             /* the child died of this signal instead */
} Result;

static Sandbox *compile_text(const char *directives, MdweMode mdwe) {
        _cleanup_(directives_freep) Directives *d = test_directives_from_text("install.service", directives, NULL);
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        Diag diag = { .max_level = DIAG_WARNING };
        Sandbox *s = NULL;

        o.mdwe = mdwe;
        o.verify = true;
        assert_int_equal(sandbox_compile(d, &o, &diag, &s), 0);
        return s;
}

/* Two programs (megafilter and argument filter), one, or one with PR_SET_MDWE. */
#define TWO_PROGRAMS "SystemCallFilter=@system-service\nRestrictAddressFamilies=AF_UNIX AF_INET\nSystemCallErrorNumber=EPERM"
#define ONE_PROGRAM "SystemCallFilter=~@mount @reboot\nSystemCallErrorNumber=EPERM"

static int process_filters_count(void) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        int n = -1;

        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
                        break;
        return n;
}

static int load_raw(const struct sock_filter *insns, size_t n) {
        struct sock_fprog prog = { .len = (unsigned short) n, .filter = (struct sock_filter *) insns };

        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

/* A filter in place before ours: action for syscall nr (with a0 == arg0 if arg0 >= 0), else allow. */
static int refuse(long nr, long arg0, uint32_t action) {
        const struct sock_filter f[] = {
                LD(NR_OFF),
                J(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) nr, 0, 3),
                LD(ARG0_OFF),
                J(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) arg0, 0, 1),
                RET(action),
                RET(SECCOMP_RET_ALLOW),
        };
        const struct sock_filter any[] = {
                LD(NR_OFF),
                J(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) nr, 0, 1),
                RET(action),
                RET(SECCOMP_RET_ALLOW),
        };

        return arg0 >= 0 ? load_raw(f, ELEMENTSOF(f)) : load_raw(any, ELEMENTSOF(any));
}

static struct sock_filter allow_all[4096];

static int load_filler(size_t n) {
        for (size_t i = 0; i < n; i++)
                allow_all[i] = (struct sock_filter) RET(SECCOMP_RET_ALLOW);
        return load_raw(allow_all, n);
}

/* In a grandchild: load a filler of n instructions, then progs[0 … until] in order. Returns how many
 * of ours attached, -1 if the filler did not. */
static int probe(const Sandbox *s, size_t filler, size_t until) {
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -2;
        if (pid == 0) {
                size_t i = 0;

                if (filler > 0 && load_filler(filler) < 0)
                        _exit(255);
                while (i < until && load_raw(s->progs[i].insns, s->progs[i].n) == 0)
                        i++;
                _exit((int) i);
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -2;
        return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

/* Fill the chain with allow-all filters until exactly `want` of our programs would still attach.
 * The kernel's limit is 32768 instructions after conversion to eBPF (a RET is two of those), plus
 * 4 per filter, so the kernel itself is asked: fillers shrink from 4096 to 1 instruction. */
static int fill_chain(const Sandbox *s, size_t want) {
        for (size_t f = 4096; f >= 1; ) {
                int n = probe(s, f, s->n_progs);

                if (n == -2)
                        return -EIO;
                if (n >= (int) want) {
                        if (load_filler(f) < 0)
                                return -errno;
                        if (n == (int) want)
                                return 0;
                } else
                        f /= 2;
        }
        return probe(s, 0, s->n_progs) == (int) want ? 0 : -ERANGE;
}

typedef int (*Setup)(const Sandbox *s);

static void quiet(void *userdata, int level, const SourceLoc *loc, const char *message) {
}

static Result run_install(const Sandbox *s, Setup setup, InstallFlags flags) {
        Result res = { .r = 1 };
        int fds[2], status;
        pid_t pid;

        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(fds[0]);
                if (setup && setup(s) < 0)
                        _exit(2);
                res.before = process_filters_count();
                res.r = sandbox_install(s, flags, &(Diag) { .func = quiet });
                res.after = process_filters_count();
                if (write(fds[1], &res, sizeof res) != sizeof res)
                        _exit(3);
                _exit(0);
        }
        close(fds[1]);
        if (read(fds[0], &res, sizeof res) != sizeof res)
                res.r = 1;
        close(fds[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status))
                res.signal = WTERMSIG(status);
        else
                assert_int_equal(WEXITSTATUS(status), 0);
        return res;
}

static void assert_refused_cleanly(Result res, int error) {
        assert_int_equal(res.signal, 0);
        assert_int_equal(res.r, error);
        assert_true(res.before >= 0);
        assert_int_equal(res.after, res.before);
}

static int deny_seccomp_eperm(const Sandbox *s) {
        return refuse(SYS_seccomp, -1, SECCOMP_RET_ERRNO | EPERM);
}

static int kill_seccomp(const Sandbox *s) {
        return refuse(SYS_seccomp, -1, SECCOMP_RET_KILL_PROCESS);
}

static int fake_seccomp_success(const Sandbox *s) {
        return refuse(SYS_seccomp, -1, SECCOMP_RET_ERRNO | 0);
}

static int deny_clone(const Sandbox *s) {
        return refuse(SYS_clone, -1, SECCOMP_RET_ERRNO | EAGAIN);
}

static int deny_nnp(const Sandbox *s) {
        return refuse(SYS_prctl, PR_SET_NO_NEW_PRIVS, SECCOMP_RET_ERRNO | EPERM);
}

static int deny_mdwe(const Sandbox *s) {
        return refuse(SYS_prctl, PR_SET_MDWE, SECCOMP_RET_ERRNO | EINVAL);
}

/* Room for our first filter but not for the second. */
static int chain_room_for_first(const Sandbox *s) {
        return fill_chain(s, 1);
}

static int chain_full(const Sandbox *s) {
        return fill_chain(s, 0);
}

static void test_seccomp_refused(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS, MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *one = compile_text(ONE_PROGRAM, MDWE_SECCOMP);

        assert_int_equal(two->n_progs, 2);
        assert_int_equal(one->n_progs, 1);

        /* The trial attach finds out; nothing is attached here. */
        assert_refused_cleanly(run_install(two, deny_seccomp_eperm, 0), -ECANCELED);
        assert_refused_cleanly(run_install(two, deny_seccomp_eperm, INSTALL_RAW_ERRNO), -EPERM);
        /* One filter: the attach itself fails. */
        assert_refused_cleanly(run_install(one, deny_seccomp_eperm, 0), -ECANCELED);
        assert_refused_cleanly(run_install(one, deny_seccomp_eperm, INSTALL_RAW_ERRNO), -EPERM);
        /* Without the trial: the first attach fails, nothing attached. */
        assert_refused_cleanly(run_install(two, deny_seccomp_eperm, INSTALL_NO_DRY_RUN), -ECANCELED);
        assert_refused_cleanly(run_install(two, deny_seccomp_eperm, INSTALL_TSYNC), -ECANCELED);
}

static void test_seccomp_killed(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS, MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *one = compile_text(ONE_PROGRAM, MDWE_SECCOMP);
        Result res;

        /* The trial child is killed, we are not. */
        assert_refused_cleanly(run_install(two, kill_seccomp, 0), -ECANCELED);
        /* With one filter there is no trial: the caller dies of SIGSYS, it does not run unfiltered. */
        res = run_install(one, kill_seccomp, 0);
        assert_int_equal(res.signal, SIGSYS);
}

/* A filter in place that makes seccomp(2) return 0 without doing anything: the install must not
 * report success with nothing attached. */
static void test_seccomp_faked(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS, MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *one = compile_text(ONE_PROGRAM, MDWE_SECCOMP);

        assert_refused_cleanly(run_install(two, fake_seccomp_success, 0), -ECANCELED);
        assert_refused_cleanly(run_install(one, fake_seccomp_success, 0), -ECANCELED);
        assert_refused_cleanly(run_install(two, fake_seccomp_success, INSTALL_NO_DRY_RUN), -ECANCELED);
}

static void test_chain_limit(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS, MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *one = compile_text(ONE_PROGRAM, MDWE_SECCOMP);
        Result res;

        /* The first fits, the second would pass the limit: the trial catches it. */
        assert_refused_cleanly(run_install(two, chain_room_for_first, 0), -ECANCELED);
        assert_refused_cleanly(run_install(two, chain_room_for_first, INSTALL_RAW_ERRNO), -ENOMEM);
        assert_refused_cleanly(run_install(one, chain_full, 0), -ECANCELED);
        assert_refused_cleanly(run_install(two, chain_full, 0), -ECANCELED);

        /* Without the trial the first stays attached (stricter, not weaker) and the error is
         * still reported: the caller must not go on. */
        res = run_install(two, chain_room_for_first, INSTALL_NO_DRY_RUN);
        assert_int_equal(res.signal, 0);
        assert_int_equal(res.r, -ECANCELED);
        assert_int_equal(res.after, res.before + 1);
}

/* The trial attach cannot even start: its clone() is refused. */
static void test_trial_refused(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS, MDWE_SECCOMP);

        assert_refused_cleanly(run_install(two, deny_clone, 0), -EAGAIN);
}

static void test_nnp_refused(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS "\nNoNewPrivileges=yes", MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *one = compile_text(ONE_PROGRAM "\nNoNewPrivileges=yes", MDWE_SECCOMP);

        assert_true(two->no_new_privileges);
        assert_refused_cleanly(run_install(two, deny_nnp, 0), -ECANCELED);
        assert_refused_cleanly(run_install(two, deny_nnp, INSTALL_RAW_ERRNO), -EPERM);
        assert_refused_cleanly(run_install(two, deny_nnp, INSTALL_NO_DRY_RUN), -ECANCELED);
        assert_refused_cleanly(run_install(one, deny_nnp, 0), -ECANCELED);
}

static void test_mdwe_refused(void **state) {
        _cleanup_(sandbox_freep) Sandbox *s = compile_text("MemoryDenyWriteExecute=yes\nSystemCallFilter=~@mount", MDWE_PRCTL);
        _cleanup_(sandbox_freep) Sandbox *only = compile_text("MemoryDenyWriteExecute=yes", MDWE_PRCTL);

        assert_true(s->mdwe_prctl);
        assert_refused_cleanly(run_install(s, deny_mdwe, 0), -ECANCELED);
        assert_refused_cleanly(run_install(s, deny_mdwe, INSTALL_RAW_ERRNO), -EINVAL);
        /* No seccomp filter at all, only the prctl: still refused. */
        assert_int_equal(only->n_progs, 0);
        assert_refused_cleanly(run_install(only, deny_mdwe, 0), -ECANCELED);
}

typedef struct Blocker {
        int ready[2], stop[2];
} Blocker;

static void *blocker_thread(void *userdata) {
        Blocker *b = userdata;
        const struct sock_filter allow[] = { RET(SECCOMP_RET_ALLOW) };
        char c;

        /* A filter of its own: its ancestry differs from the main thread's, so TSYNC fails. */
        c = load_raw(allow, 1) < 0 ? 'e' : 'x';
        if (write(b->ready[1], &c, 1) != 1)
                return NULL;
        (void) read(b->stop[0], &c, 1);
        return NULL;
}

static Blocker blocker;

static int diverging_thread(const Sandbox *s) {
        pthread_t t;
        char c;

        if (pipe(blocker.ready) < 0 || pipe(blocker.stop) < 0)
                return -errno;
        if (pthread_create(&t, NULL, blocker_thread, &blocker) != 0)
                return -EAGAIN;
        if (read(blocker.ready[0], &c, 1) != 1 || c != 'x')
                return -EIO;
        return 0;
}

static void test_tsync_refused(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS, MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *one = compile_text(ONE_PROGRAM, MDWE_SECCOMP);

        /* -ESRCH whatever INSTALL_RAW_ERRNO says; the main thread gets nothing either. */
        assert_refused_cleanly(run_install(two, diverging_thread, INSTALL_TSYNC), -ESRCH);
        assert_refused_cleanly(run_install(one, diverging_thread, INSTALL_TSYNC), -ESRCH);
        assert_refused_cleanly(run_install(one, diverging_thread, INSTALL_TSYNC | INSTALL_RAW_ERRNO), -ESRCH);
}

/* A policy that denies seccomp() itself cannot have a filter attached after its first one: it is
 * compiled into one filter then, which installs and enforces both parts. */
static void test_policy_denies_seccomp(void **state) {
        _cleanup_(sandbox_freep) Sandbox *s = compile_text("SystemCallFilter=~seccomp:EPERM\nRestrictAddressFamilies=AF_UNIX", MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *k = compile_text("SystemCallFilter=~@sandbox\nRestrictAddressFamilies=AF_UNIX", MDWE_SECCOMP);
        Result res;
        int status;
        pid_t pid;

        assert_int_equal(s->n_progs, 1);
        assert_int_equal(k->n_progs, 1);
        res = run_install(s, NULL, 0);
        assert_int_equal(res.signal, 0);
        assert_int_equal(res.r, 0);
        assert_int_equal(res.after, res.before + 1);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                const struct sock_filter allow[] = { RET(SECCOMP_RET_ALLOW) };
                if (sandbox_install(s, 0, NULL) < 0)
                        _exit(10);
                if (syscall(SYS_socket, AF_INET, SOCK_STREAM, 0) >= 0 || errno != EAFNOSUPPORT)
                        _exit(11);
                if (load_raw(allow, 1) != -EPERM)
                        _exit(12);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);

        res = run_install(k, NULL, 0);
        assert_int_equal(res.signal, 0);
        assert_int_equal(res.r, 0);
}

/* From a thread other than the main one, with a filter already in place (so the filters are
 * counted): the count is the calling thread's, not the main thread's. */
typedef struct InstallArgs {
        const Sandbox *s;
        int r, before, after;
} InstallArgs;

static int thread_filters(void) {
        _cleanup_fclose_ FILE *f = fopen("/proc/thread-self/status", "re");
        char line[256];
        int n = -1;

        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
                        break;
        return n;
}

static void *install_thread(void *userdata) {
        InstallArgs *a = userdata;

        a->before = thread_filters();
        a->r = sandbox_install(a->s, 0, &(Diag) { .func = quiet });
        a->after = thread_filters();
        return NULL;
}

static void test_install_from_thread(void **state) {
        _cleanup_(sandbox_freep) Sandbox *one = compile_text(ONE_PROGRAM, MDWE_SECCOMP);
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS, MDWE_SECCOMP);
        const Sandbox *which[] = { one, two };

        for (size_t i = 0; i < ELEMENTSOF(which); i++) {
                int status;
                pid_t pid = fork();

                assert_true(pid >= 0);
                if (pid == 0) {
                        const struct sock_filter allow[] = { RET(SECCOMP_RET_ALLOW) };
                        InstallArgs a = { .s = which[i] };
                        pthread_t t;

                        if (load_raw(allow, 1) < 0)
                                _exit(10);
                        if (pthread_create(&t, NULL, install_thread, &a) != 0 || pthread_join(t, NULL) != 0)
                                _exit(11);
                        if (a.r != 0)
                                _exit(12);
                        if (a.after != a.before + (int) which[i]->n_progs)
                                _exit(13);
                        _exit(0);
                }
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
}

/* And the same children succeed when nothing stands in the way. */
static void test_success(void **state) {
        _cleanup_(sandbox_freep) Sandbox *two = compile_text(TWO_PROGRAMS "\nNoNewPrivileges=yes", MDWE_PRCTL);
        Result res = run_install(two, NULL, INSTALL_TSYNC);

        assert_int_equal(res.r, 0);
        assert_int_equal(res.after, res.before + 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_success),
                cmocka_unit_test(test_policy_denies_seccomp),
                cmocka_unit_test(test_install_from_thread),
                cmocka_unit_test(test_seccomp_refused),
                cmocka_unit_test(test_seccomp_killed),
                cmocka_unit_test(test_seccomp_faked),
                cmocka_unit_test(test_chain_limit),
                cmocka_unit_test(test_trial_refused),
                cmocka_unit_test(test_nnp_refused),
                cmocka_unit_test(test_mdwe_refused),
                cmocka_unit_test(test_tsync_refused),
        };

        if (process_filters_count() < 0) {
                print_message("No Seccomp_filters in /proc/self/status (Linux < 5.9?), skipping.\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
