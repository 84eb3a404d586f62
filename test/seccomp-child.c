/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp-child.h"

/* What the child reports, through shared memory. Once its filters are in place the child makes no
 * system call but the one under test, as the filters may refuse, trap or kill anything (exiting
 * included, and the sanitizers' own calls): it stores its findings, publishes them through done,
 * and waits to be killed by the parent. */
typedef struct Report {
        int load_error;
        long ret;
        uint32_t data;
        int trap_syscall;
        uint64_t trap_ip;
        int done;               /* 1: the call returned (or loading failed), 2: the SIGSYS handler ran */
} Report;

static Report *report;

/* Not marked noreturn: the sanitizers would precede every call with a system call of their own. */
static void wait_for_the_end(void) {
        for (;;)
                __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static void publish(Report *r, int done) {
        __atomic_store_n(&r->done, done, __ATOMIC_RELEASE);
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx) {
        /* Only the call under test counts. */
        if (__atomic_load_n(&report->done, __ATOMIC_ACQUIRE) == 0) {
                report->data = (uint32_t) si->si_errno;
                report->trap_syscall = si->si_syscall;
                report->trap_ip = (uint64_t) (uintptr_t) si->si_call_addr;
                publish(report, 2);
        }
        wait_for_the_end();
}

static int child_prepare(void) {
        struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
        struct rlimit no_core = {};

        /* The test framework catches SIGSEGV and friends, and must not do so in the child. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);

        /* No core dumps from the deaths we provoke. */
        if (setrlimit(RLIMIT_CORE, &no_core) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return -errno;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (sigaction(SIGSYS, &sa, NULL) < 0)
                return -errno;
        return 0;
}

static int load(const struct sock_filter *insns, size_t n) {
        struct sock_fprog prog = { .len = (unsigned short) n, .filter = (struct sock_filter *) insns };

        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return -errno;
        return 0;
}

static int fork_child(Report **ret_report, pid_t *ret_pid) {
        Report *r;
        pid_t pid;

        r = mmap(NULL, sizeof(Report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (r == MAP_FAILED)
                return -errno;

        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                int e = -errno;
                munmap(r, sizeof(Report));
                return e;
        }
        report = r;
        *ret_report = r;
        *ret_pid = pid;
        return 0;
}

/* Wait until the child has died or reported, then make sure it is gone. Returns its wait status. */
static int wait_child(pid_t pid, Report *r) {
        struct timespec pause = { .tv_nsec = 10 * 1000 };
        int status;

        for (;;) {
                pid_t w = waitpid(pid, &status, WNOHANG);

                if (w == pid)
                        return status;
                if (w < 0 && errno != EINTR)
                        return -errno;
                if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != 0)
                        break;
                nanosleep(&pause, NULL);
                pause.tv_nsec = pause.tv_nsec < 1000 * 1000 ? pause.tv_nsec * 2 : pause.tv_nsec;
        }

        (void) kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return status;
}

int kernel_run(const BpfFilterRef *filters, size_t n, long nr, const uint64_t args[6], Outcome *ret) {
        Report *r;
        pid_t pid;
        int status, k;

        k = fork_child(&r, &pid);
        if (k < 0)
                return k;

        if (pid == 0) {
                long v;

                k = child_prepare();
                for (size_t i = 0; k >= 0 && i < n; i++)
                        k = load(filters[i].insns, filters[i].n);
                if (k < 0) {
                        r->load_error = k;
                        publish(r, 1);
                        wait_for_the_end();
                }

                v = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
                r->ret = v == -1 ? -errno : v;
                publish(r, 1);
                wait_for_the_end();
        }

        status = wait_child(pid, r);
        *ret = (Outcome) { .kind = OUTCOME_OTHER, .status = status };
        if (status < 0)
                k = status;
        else if (r->load_error < 0)
                k = r->load_error;
        else if (r->done == 1)
                *ret = (Outcome) { .kind = OUTCOME_RETURNED, .ret = r->ret };
        else if (r->done == 2 && r->trap_syscall == (int) nr)
                *ret = (Outcome) { .kind = OUTCOME_TRAPPED, .data = r->data, .ip = r->trap_ip };
        else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
                *ret = (Outcome) { .kind = OUTCOME_KILLED };

        munmap(r, sizeof(Report));
        return k;
}

int kernel_load(const struct sock_filter *insns, size_t n) {
        Report *r;
        pid_t pid;
        int status, k;

        k = fork_child(&r, &pid);
        if (k < 0)
                return k;

        if (pid == 0) {
                k = child_prepare();
                r->load_error = k < 0 ? k : load(insns, n);
                publish(r, 1);
                wait_for_the_end();
        }

        status = wait_child(pid, r);
        k = status < 0 ? status : r->done == 1 ? r->load_error : -EIO;
        munmap(r, sizeof(Report));
        return k;
}

uint64_t kernel_syscall_ip(void) {
        static const struct sock_filter trap[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP) };
        static const uint64_t args[6] = {};
        BpfFilterRef f = { trap, 1 };
        Outcome o;

        if (kernel_run(&f, 1, SYS_getppid, args, &o) < 0 || o.kind != OUTCOME_TRAPPED)
                return 0;
        return o.ip;
}

Outcome outcome_of_verdict(uint32_t verdict, long allowed_ret) {
        uint32_t data = verdict & SECCOMP_RET_DATA;

        switch (verdict & SECCOMP_RET_ACTION_FULL) {
        case SECCOMP_RET_ALLOW:
        case SECCOMP_RET_LOG:
                return (Outcome) { .kind = OUTCOME_RETURNED, .ret = allowed_ret };
        case SECCOMP_RET_ERRNO:
                /* the kernel caps the errno at MAX_ERRNO */
                return (Outcome) { .kind = OUTCOME_RETURNED, .ret = -(long) (data > 4095 ? 4095 : data) };
        case SECCOMP_RET_TRACE:         /* no tracer attached */
        case SECCOMP_RET_USER_NOTIF:    /* no listener */
                return (Outcome) { .kind = OUTCOME_RETURNED, .ret = -ENOSYS };
        case SECCOMP_RET_TRAP:
                return (Outcome) { .kind = OUTCOME_TRAPPED, .data = data };
        default:                        /* KILL_PROCESS, KILL_THREAD (a single thread), unknown */
                return (Outcome) { .kind = OUTCOME_KILLED };
        }
}

bool outcome_equal(const Outcome *a, const Outcome *b) {
        if (a->kind != b->kind)
                return false;
        switch (a->kind) {
        case OUTCOME_RETURNED:
                return a->ret == b->ret;
        case OUTCOME_TRAPPED:
                return a->data == b->data;
        case OUTCOME_KILLED:
                return true;
        default:
                return a->status == b->status;
        }
}

const char *outcome_to_string(const Outcome *o, char *buf, size_t size) {
        switch (o->kind) {
        case OUTCOME_RETURNED:
                snprintf(buf, size, "returned %ld", o->ret);
                break;
        case OUTCOME_KILLED:
                snprintf(buf, size, "killed by SIGSYS");
                break;
        case OUTCOME_TRAPPED:
                snprintf(buf, size, "trapped, data %u", o->data);
                break;
        default:
                snprintf(buf, size, "wait status 0x%x", o->status);
                break;
        }
        return buf;
}
