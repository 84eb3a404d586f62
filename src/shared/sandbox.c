/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf-emu.h"
#include "sandbox.h"
#include "syscall-table.h"
#include "verify.h"

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

/* Whether the programs can be attached in order: every one but the last is attached while the
 * earlier ones are in place, so those must let seccomp(SECCOMP_SET_MODE_FILTER, …) through. */
static bool attachable_in_order(const Sandbox *s, Abi native) {
        int id = syscall_from_name("seccomp");
        int64_t nr = id >= 0 ? syscall_nr(native, id) : -1;
        BpfFilterRef f[8];
        size_t n = MIN(s->n_progs, ELEMENTSOF(f));

        if (nr < 0)
                return true;
        for (size_t i = 0; i < n; i++)
                f[i] = (BpfFilterRef) { s->progs[i].insns, s->progs[i].n };
        for (size_t i = 1; i < n; i++)
                for (unsigned flags = 0; flags <= SECCOMP_FILTER_FLAG_TSYNC; flags++) {
                        struct seccomp_data sd = {
                                .nr = (int) nr,
                                .arch = abi_info[native].audit_arch,
                                .args = { SECCOMP_SET_MODE_FILTER, flags, UINT64_MAX },
                        };
                        if (bpf_chain_run(f, i, &sd, NULL) != SECCOMP_RET_ALLOW)
                                return false;
                }
        return true;
}

int sandbox_compile(const Directives *d, const CompileOptions *o, Diag *diag, Sandbox **ret) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_(policy_freep) Policy *policy = NULL;
        _cleanup_(arena_done) Arena scratch = {};       /* may live in policy's mapping: done with first */
        CompileOptions opts = o ? *o : COMPILE_OPTIONS_DEFAULT;
        Abi native = opts.native >= 0 ? opts.native : abi_native();
        PolicyOptions po = {
                .native = native,
                .personality = opts.personality != PERSONALITY_INVALID ? opts.personality : current_persona(),
                .unknown_nr_default = opts.unknown_nr_default,
        };
        int r;

        /* PR_SET_MDWE is a property of the running kernel: only usable for this machine. */
        po.mdwe_prctl = opts.mdwe == MDWE_PRCTL ||
                (opts.mdwe == MDWE_AUTO && native == abi_native() && mdwe_prctl_supported());

        /* One scratch arena for both stages: the generator reuses the pages the builder
         * faulted in. */
        r = policy_build_in(d, &po, diag, &scratch, &policy);
        if (r < 0)
                return r;

        /* The sandbox lives with its policy: together with the programs' arenas, compiling
         * makes no malloc() at all (in a forked child, the first one alone faults in pages of
         * the parent's heap and of libc's state). */
        s = arena_alloc(&policy->arena, sizeof(Sandbox));
        if (!s)
                return -ENOMEM;
        s->in_policy_arena = true;
        s->policy = TAKE_PTR(policy);
        s->mdwe_prctl = s->policy->mdwe_prctl;
        s->uses_seccomp = directives_use_seccomp(d);
        s->no_new_privileges = d->no_new_privileges.value;
        s->layout = opts.layout;

        arena_reset(&scratch);
        r = bpf_gen_in(s->policy, opts.layout, &scratch, &s->progs, &s->n_progs);
        if (r == -E2BIG)
                return diag_log(diag, DIAG_ERROR, NULL, r, "A generated filter exceeds the kernel's limit of %d instructions.",
                                BPF_MAXINSNS_SECCOMP);
        if (r < 0)
                return r;

        /* A policy that denies seccomp() itself (e.g. SystemCallFilter=~@sandbox) forbids attaching
         * the argument filter after the megafilter: then the argument checks go into the one filter. */
        if (s->n_progs > 1 && !attachable_in_order(s, native)) {
                diag_log(diag, DIAG_DEBUG, NULL, 0,
                         "seccomp() is denied, so no filter can follow the first: using the single layout.");
                bpf_programs_free(s->progs, s->n_progs);
                s->progs = NULL;
                s->n_progs = 0;
                s->layout = LAYOUT_SINGLE;
                r = bpf_gen(s->policy, LAYOUT_SINGLE, &s->progs, &s->n_progs);
                if (r == -E2BIG)
                        return diag_log(diag, DIAG_ERROR, NULL, r, "A generated filter exceeds the kernel's limit of %d instructions.",
                                        BPF_MAXINSNS_SECCOMP);
                if (r < 0)
                        return r;
                if (!attachable_in_order(s, native))
                        return diag_log(diag, DIAG_ERROR, NULL, EFAULT,
                                        "The filters cannot be attached in order: seccomp() is denied by the first.");
        }

        if (opts.verify) {
                VerifyStats stats = {};

                r = verify_programs(s->policy, s->progs, s->n_progs, diag, &stats);
                if (r == -ENOMEM)
                        return r;       /* not a verdict: the stats are incomplete */
                if (r < 0)
                        return diag_log(diag, DIAG_ERROR, NULL, r,
                                        "Verification failed: %zu of %zu calls differ from the policy, %zu allowed calls not cacheable.",
                                        stats.mismatches, stats.calls, stats.uncached);
        }

        *ret = TAKE_PTR(s);
        return 0;
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
