/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reading filters back from a live process: forked children install known filters (raw programs,
 * or a compiled sandbox through sandbox_install()), and the ptrace reader must return the same
 * programs, in attach order, as many as /proc/PID/status counts. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf-insn.h"
#include "filter-stats.h"
#include "process-filters.h"
#include "sandbox.h"
#include "syscall-table.h"
#include "unit-file.h"

/* Allows everything but getpid(), which fails with EPERM. */
static const struct sock_filter prog_a[] = {
        LD(SECCOMP_DATA_NR),
        J(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
        RET(ERRNO(EPERM)),
        RET(SECCOMP_RET_ALLOW),
};

/* socket(AF_PACKET, …) fails with EAFNOSUPPORT, everything else is allowed: an argument check. */
static const struct sock_filter prog_b[] = {
        LD(SECCOMP_DATA_NR),
        J(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 3),
        LD(SECCOMP_DATA_ARG_LO(0)),
        J(BPF_JMP | BPF_JEQ | BPF_K, AF_PACKET, 0, 1),
        RET(ERRNO(EAFNOSUPPORT)),
        RET(SECCOMP_RET_ALLOW),
};

typedef int (*ChildSetup)(const void *userdata);

/* Fork a child that runs setup, reports its result through a pipe, then waits to be killed. */
static pid_t spawn(ChildSetup setup, const void *userdata) {
        int fds[2], result = -1;
        pid_t pid;

        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int r;

                close(fds[0]);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);   /* no orphans when an assertion fails */
                r = setup(userdata);
                (void) !write(fds[1], &r, sizeof(r));
                for (;;)
                        pause();
        }
        close(fds[1]);
        assert_int_equal(read(fds[0], &result, sizeof(result)), sizeof(result));
        close(fds[0]);
        assert_int_equal(result, 0);
        return pid;
}

static void reap(pid_t pid) {
        int status;

        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
}

static int load(const struct sock_filter *insns, size_t n) {
        struct sock_fprog fprog = { .len = (unsigned short) n, .filter = (struct sock_filter *) insns };

        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0 ? -errno : 0;
}

static int setup_raw(const void *userdata) {
        int r;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        r = load(prog_a, ELEMENTSOF(prog_a));
        if (r < 0)
                return r;
        return load(prog_b, ELEMENTSOF(prog_b));
}

static int setup_nothing(const void *userdata) {
        return 0;
}

static int setup_sandbox(const void *userdata) {
        Diag diag = { .max_level = DIAG_ERROR };

        return sandbox_install(userdata, 0, &diag);
}

static void assert_program(const BpfProgram *p, const struct sock_filter *insns, size_t n) {
        assert_int_equal(p->n, n);
        assert_memory_equal(p->insns, insns, n * sizeof(struct sock_filter));
}

static void test_raw_filters(void **state) {
        _cleanup_(process_filters_freep) ProcessFilters *f = NULL;
        _cleanup_free_ BpfFilterRef *refs = NULL;
        SeccompStatus st;
        AbiStats s;
        pid_t pid;

        pid = spawn(setup_raw, NULL);

        assert_int_equal(process_filters_read(pid, &f), 0);
        assert_int_equal(f->n_progs, 2);
        assert_int_equal(f->status.mode, SECCOMP_MODE_FILTER);
        assert_int_equal(f->status.filters, 2);
        assert_int_equal(f->status.no_new_privs, 1);
        /* Attach order: the first loaded comes first. */
        assert_program(&f->progs[0], prog_a, ELEMENTSOF(prog_a));
        assert_program(&f->progs[1], prog_b, ELEMENTSOF(prog_b));
        assert_string_equal(f->progs[0].name, "filter-00");

        /* The process goes on after the reader detached, and can be read again. */
        assert_int_equal(process_seccomp_status(pid, &st), 0);
        assert_int_equal(st.filters, 2);
        f = process_filters_free(f);
        assert_int_equal(process_filters_read(pid, &f), 0);
        assert_int_equal(f->n_progs, 2);

        /* The figures for arbitrary programs, from the emulator alone. */
        refs = process_filters_refs(f);
        assert_non_null(refs);
        assert_int_equal(chain_instructions(refs, f->n_progs), ELEMENTSOF(prog_a) + ELEMENTSOF(prog_b) + 8);
        assert_int_equal(filter_stats_abi(refs, f->n_progs, ABI_X86_64, ABI_X86_64, NULL, &s), 0);
        for (size_t i = 0; i < s.n_costs; i++) {
                const char *name = syscall_name(s.costs[i].id);

                if (streq(name, "getpid")) {
                        assert_int_equal(s.costs[i].class, CLASS_DENIED);
                        assert_int_equal(s.costs[i].action, ERRNO(EPERM));
                        assert_int_equal(s.costs[i].steps, 3 + 3);
                } else if (streq(name, "socket")) {
                        assert_int_equal(s.costs[i].class, CLASS_ARG_CHECKED);
                        assert_int_equal(s.costs[i].steps, 3 + 5);     /* the longest path */
                } else
                        assert_int_equal(s.costs[i].class, CLASS_CACHED);
        }
        assert_int_equal(s.count[CLASS_DENIED], 1);
        assert_int_equal(s.count[CLASS_ARG_CHECKED], 1);
        assert_int_equal(s.count[CLASS_ALLOWED], 0);
        abi_stats_done(&s);

        reap(pid);
}

static void test_no_filters(void **state) {
        _cleanup_(process_filters_freep) ProcessFilters *f = NULL;
        pid_t pid = spawn(setup_nothing, NULL);

        assert_int_equal(process_filters_read(pid, &f), 0);
        assert_int_equal(f->n_progs, 0);
        assert_int_equal(f->status.mode, SECCOMP_MODE_DISABLED);
        assert_int_equal(f->status.filters, 0);
        reap(pid);
}

static void test_sandbox(void **state) {
        static const char text[] =
                "[Service]\n"
                "SystemCallFilter=@system-service\n"
                "SystemCallFilter=~@privileged @resources\n"
                "SystemCallArchitectures=native\n"
                "SystemCallErrorNumber=EPERM\n"
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"
                "RestrictNamespaces=yes\n"
                "LockPersonality=yes\n"
                "RestrictRealtime=yes\n"
                "RestrictSUIDSGID=yes\n";
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_(process_filters_freep) ProcessFilters *f = NULL;
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        Diag diag = { .max_level = DIAG_WARNING };
        pid_t pid;

        assert_int_equal(unit_file_new("read-back.service", &u), 0);
        assert_int_equal(unit_file_parse_text(u, "read-back.service", text, strlen(text), &diag), 0);
        assert_int_equal(directives_new(&d), 0);
        assert_int_equal(directives_apply_unit(d, u, &diag), 0);
        assert_int_equal(sandbox_compile(d, &o, &diag, &s), 0);
        assert_int_equal(s->n_progs, 2);

        pid = spawn(setup_sandbox, s);
        assert_int_equal(process_filters_read(pid, &f), 0);
        assert_int_equal(f->n_progs, s->n_progs);
        assert_int_equal((size_t) f->status.filters, s->n_progs);
        for (size_t i = 0; i < s->n_progs; i++)
                assert_program(&f->progs[i], s->progs[i].insns, s->progs[i].n);
        reap(pid);
}

static void test_already_traced(void **state) {
        ProcessFilters *f = NULL;
        pid_t pid = spawn(setup_raw, NULL);

        /* We trace it already: a second tracer (here, the same one again) is refused. */
        assert_int_equal(ptrace(PTRACE_SEIZE, pid, NULL, NULL), 0);
        assert_int_equal(process_filters_read(pid, &f), -EPERM);
        assert_null(f);
        assert_int_equal(ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0 ? errno : 0, ESRCH); /* never stopped */
        reap(pid);
}

static void test_reader_under_seccomp(void **state) {
        pid_t target = spawn(setup_raw, NULL), reader;
        int status;

        /* The kernel hands out filters only to a reader without filters of its own. */
        reader = fork();
        assert_true(reader >= 0);
        if (reader == 0) {
                ProcessFilters *f = NULL;
                int r = setup_raw(NULL);

                if (r < 0)
                        _exit(100);
                r = process_filters_read(target, &f);
                _exit(r == -EACCES && !f ? 0 : 101);
        }
        assert_int_equal(waitpid(reader, &status, 0), reader);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);

        /* The target was detached again and can still be read. */
        {
                _cleanup_(process_filters_freep) ProcessFilters *f = NULL;

                assert_int_equal(process_filters_read(target, &f), 0);
                assert_int_equal(f->n_progs, 2);
        }
        reap(target);
}

static void test_no_such_process(void **state) {
        ProcessFilters *f = NULL;
        SeccompStatus st;
        pid_t pid = fork();
        int status;

        assert_true(pid >= 0);
        if (pid == 0)
                _exit(0);
        assert_int_equal(waitpid(pid, &status, 0), pid);

        assert_int_equal(process_filters_read(pid, &f), -ESRCH);
        assert_null(f);
        assert_int_equal(process_seccomp_status(pid, &st), -ESRCH);
        assert_int_equal(process_filters_read(0, &f), -ESRCH);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_raw_filters),
                cmocka_unit_test(test_no_filters),
                cmocka_unit_test(test_sandbox),
                cmocka_unit_test(test_already_traced),
                cmocka_unit_test(test_reader_under_seccomp),
                cmocka_unit_test(test_no_such_process),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
