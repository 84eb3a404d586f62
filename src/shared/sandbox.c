/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sandbox.h"

/* Linux 6.3; not in every libc's headers yet. */
#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
#endif

static const char *const mdwe_mode_names[_MDWE_MODE_MAX] = {
        [MDWE_AUTO] = "auto",
        [MDWE_PRCTL] = "prctl",
        [MDWE_SECCOMP] = "seccomp",
};

const char *mdwe_mode_to_string(MdweMode m) {
        return m >= 0 && m < _MDWE_MODE_MAX ? mdwe_mode_names[m] : NULL;
}

MdweMode mdwe_mode_from_string(const char *s) {
        for (MdweMode m = 0; m < _MDWE_MODE_MAX; m++)
                if (streq(s, mdwe_mode_names[m]))
                        return m;
        return _MDWE_MODE_INVALID;
}

bool mdwe_prctl_supported(void) {
        return prctl(PR_GET_MDWE, 0, 0, 0, 0) >= 0;
}

unsigned long current_persona(void) {
        int p = personality(0xffffffff);

        return p >= 0 && ((unsigned long) p & 0xff) == PER_LINUX32 ? PER_LINUX32 : PER_LINUX;
}

Sandbox *sandbox_free(Sandbox *s) {
        bool in_policy;

        if (!s)
                return NULL;
        in_policy = s->in_policy_arena;
        bpf_programs_free(s->progs, s->n_progs);
        policy_free(s->policy);         /* s too, when it lives in the policy's arena */
        if (!in_policy)
                free(s);
        return NULL;
}

static bool have_cap_sys_admin(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

        if (syscall(SYS_capget, &h, data) < 0)
                return false;
        return data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN);
}

static int filter_attach(const BpfProgram *p, unsigned flags) {
        struct sock_fprog prog = { .len = (unsigned short) p->n, .filter = p->insns };
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);

        if (r < 0)
                return negative_errno();
        if (r > 0)
                return -ESRCH;          /* TSYNC: the id of a thread that could not be synchronised */
        return 0;
}

typedef struct Trial {
        const Sandbox *sandbox;
        unsigned flags;
        bool set_nnp;
        int error;                      /* written by the child: the first failure */
        size_t failed;                  /* … and which filter */
} Trial;

/* Runs in a child that shares our memory but nothing of our seccomp state: attach everything
 * there first. No allocations, no locks: only system calls and stores into the Trial. */
static int trial_child(void *userdata) {
        Trial *t = userdata;

        if (t->set_nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                t->error = negative_errno();
                t->failed = SIZE_MAX;
                _exit(1);
        }
        for (size_t i = 0; i < t->sandbox->n_progs; i++) {
                int r = filter_attach(&t->sandbox->progs[i], t->flags & ~SECCOMP_FILTER_FLAG_TSYNC);
                if (r < 0) {
                        t->error = r;
                        t->failed = i;
                        _exit(1);
                }
        }
        t->error = 0;
        _exit(0);
}

static int trial_attach(const Sandbox *s, unsigned flags, bool set_nnp, Trial *t) {
        const size_t stack_size = 64 * 1024;
        _cleanup_free_ void *stack = malloc(stack_size);
        int status;
        pid_t pid;

        if (!stack)
                return -ENOMEM;

        *t = (Trial) { .sandbox = s, .flags = flags, .set_nnp = set_nnp, .error = -EIO };
        pid = clone(trial_child, (char *) stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, t);
        if (pid < 0)
                return negative_errno();
        if (waitpid(pid, &status, 0) < 0)
                return negative_errno();

        if (WIFSIGNALED(status)) {
                t->error = -EINTR;      /* killed, e.g. by a filter already in place that kills seccomp() */
                t->failed = 0;
        }
        return t->error < 0 ? -ECANCELED : 0;
}

static bool chain_needs_trial(const Sandbox *s) {
        size_t total = 0;

        if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)
                return true;            /* filters in place (or seccomp mode strict, or unknown) */
        for (size_t i = 0; i < s->n_progs; i++)
                /* The kernel counts its eBPF translation, where a RET or a JEQ with two targets
                 * takes two instructions (measured: three RET-only filters of 4096 and a fourth
                 * of 4096 are refused), plus a prologue: count the worst case. */
                total += 2 * s->progs[i].n + 8 + SECCOMP_CHAIN_PER_FILTER_PENALTY;
        return total > SECCOMP_CHAIN_MAX_INSNS;
}

static int install_failed(const Sandbox *s, size_t i, int error, InstallFlags flags, Diag *diag, int *ret_failed) {
        const char *why = "";

        *ret_failed = i == SIZE_MAX ? INSTALL_FAILED_NO_NEW_PRIVS : (int) i;

        if (error == -ENOMEM)
                why = " (the filter chain would exceed the kernel's limit of 32768 instructions, counted after its translation to eBPF)";
        else if (error == -EINTR)
                why = " (the trial attach was killed: a filter already in place forbids seccomp())";
        else if (error == -EACCES)
                why = " (no_new_privs is not set and CAP_SYS_ADMIN is missing)";

        if (i == SIZE_MAX)
                diag_log(diag, DIAG_ERROR, NULL, error, "Failed to set no_new_privs: %m");
        else
                diag_log(diag, DIAG_ERROR, NULL, error, "The kernel refused filter %zu (%s, %zu instructions): %m%s",
                         i, s->progs[i].name, s->progs[i].n, why);

        if (error == -ESRCH)
                return -ESRCH;
        return flags & INSTALL_RAW_ERRNO ? error : -ECANCELED;
}

/* Seccomp_filters of /proc/thread-self/status (Linux 5.9): how many filters the calling thread has;
 * -1 if unknown. */
static int thread_filter_count(void) {
        _cleanup_fclose_ FILE *f = fopen("/proc/thread-self/status", "re");
        char line[256];
        int n;

        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
                        return n;
        return -1;
}

int sandbox_install(const Sandbox *s, InstallFlags flags, Diag *diag) {
        int failed;

        return sandbox_install_step(s, flags, diag, &failed);
}

int sandbox_install_step(const Sandbox *s, InstallFlags flags, Diag *diag, int *ret_failed) {
        unsigned sflags = flags & INSTALL_TSYNC ? SECCOMP_FILTER_FLAG_TSYNC : 0;
        /* As systemd: NoNewPrivileges=yes, or seccomp in use without CAP_SYS_ADMIN. */
        bool set_nnp = s->no_new_privileges || (s->uses_seccomp && !have_cap_sys_admin());
        /* A filter already in place can make seccomp(2) return 0 without attaching anything
         * (SECCOMP_RET_ERRNO with errno 0): count the filters then, so that this cannot pass for
         * success. Without filters in place, nothing can fake the call. */
        int count = s->n_progs > 0 && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0 ? thread_filter_count() : -1;
        int r;

        *ret_failed = INSTALL_FAILED_OTHER;

        /* Try everything in a child first, so that a refusal leaves nothing behind here. A
         * process without filters has nothing that could refuse the second filter after the
         * first: the only limit left is the chain's length, checked here. */
        if (s->n_progs > 1 && !(flags & INSTALL_NO_DRY_RUN) && chain_needs_trial(s)) {
                Trial t;

                r = trial_attach(s, sflags, set_nnp, &t);
                if (r == -ECANCELED)
                        return install_failed(s, t.failed, t.error, flags, diag, ret_failed);
                if (r < 0) {
                        *ret_failed = INSTALL_FAILED_OTHER;
                        return diag_log(diag, DIAG_ERROR, NULL, r, "Failed to try the filters in a child: %m");
                }
        }

        if (set_nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return install_failed(s, SIZE_MAX, negative_errno(), flags, diag, ret_failed);

        if (s->mdwe_prctl && prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) < 0) {
                *ret_failed = INSTALL_FAILED_MDWE;
                r = diag_log(diag, DIAG_ERROR, NULL, errno,
                             "Failed to enable MemoryDenyWriteExecute= with prctl(PR_SET_MDWE): %m");
                return flags & INSTALL_RAW_ERRNO ? r : -ECANCELED;
        }

        for (size_t i = 0; i < s->n_progs; i++) {
                r = filter_attach(&s->progs[i], sflags);
                if (r < 0)
                        return install_failed(s, i, r, flags, diag, ret_failed);
        }

        if (count >= 0 && thread_filter_count() != count + (int) s->n_progs) {
                *ret_failed = 0;
                diag_log(diag, DIAG_ERROR, NULL, 0,
                         "seccomp() reported success but the filters are not attached: a filter already in place fakes it.");
                return flags & INSTALL_RAW_ERRNO ? -EPERM : -ECANCELED;
        }
        return 0;
}
