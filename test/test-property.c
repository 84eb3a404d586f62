/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Property tests over random policies: directives drawn from fixed seeds (allow and deny lists over
 * random syscall sets and groups, random errnos and kill, RestrictAddressFamilies=,
 * RestrictNamespaces=, MemoryDenyWriteExecute= on seccomp, SystemCallArchitectures=, the boolean
 * directives), each compiled with the verifier on, for the host and for other ABIs. On x86-64 a
 * share of them is installed in a forked child, which then makes a sample of system calls with
 * harmless (invalid) arguments: a call the policy denies with an errno must fail with exactly that
 * errno, a call it kills must die of SIGSYS, a call it allows must do what it does unfiltered. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf-emu.h"
#include "random-unit.h"
#include "sandbox.h"
#include "syscall-table.h"
#include "unit-file.h"

#define N_COMPILE 2000          /* random policies compiled and verified */
#define N_LOAD 200              /* of which installed and probed (x86-64 only) */

typedef struct Rng {
        uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r) {
        /* splitmix64: deterministic for a seed, good enough for choices. */
        uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

static unsigned rng_pick(void *userdata, unsigned n) {
        return (unsigned) (rng_next(userdata) % n);
}

static void quiet(void *userdata, int level, const SourceLoc *loc, const char *message) {
}

static int compile_text(const char *text, const CompileOptions *o, Sandbox **ret) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag diag = { .func = quiet };
        int r;

        assert_int_equal(unit_file_new("property.service", &u), 0);
        assert_int_equal(unit_file_parse_text(u, "/property/property.service", text, strlen(text), &diag), 0);
        assert_int_equal(directives_new(&d), 0);
        assert_int_equal(directives_apply_unit(d, u, &diag), 0);
        r = sandbox_compile(d, o, &diag, ret);
        if (r < 0) {
                /* Show why. */
                Diag loud = { .max_level = DIAG_DEBUG };
                Sandbox *s = NULL;
                (void) sandbox_compile(d, o, &loud, &s);
                sandbox_free(s);
        }
        return r;
}

/* ---- Probing in the real kernel. */

typedef struct Probe {
        long nr;
        uint64_t args[6];
        uint32_t action;        /* what the policy says */
        long ret;               /* what happened: the return value … */
        int error;              /* … and errno */
        long ref_ret;           /* the same call without filters */
        int ref_error;
} Probe;

#define MAX_PROBES 512

typedef struct Shared {
        size_t n;
        Probe p[MAX_PROBES];
        int done;               /* the child got through all of them */
        size_t at;              /* the probe being made */
        int status;             /* the child's wait status */
        int install;            /* sandbox_install()'s result */
} Shared;

static const uint64_t M1 = UINT64_MAX;

/* Calls that are harmless when they do run, with these arguments: invalid descriptors or
 * addresses, or pure getters. The argument-checked ones get their interesting argument. */
static bool harmless(long nr) {
        static const long ok[] = {
                SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
                SYS_close, SYS_read, SYS_write, SYS_dup, SYS_fstat, SYS_lseek, SYS_uname, SYS_getcwd,
                SYS_sched_yield, SYS_getpgrp, SYS_socket, SYS_sched_setscheduler, SYS_chmod, SYS_fchmod,
                SYS_mkdir, SYS_mprotect, SYS_mmap, SYS_umask,
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (ok[i] == nr)
                        return true;
        return false;
}

static void probe_args(Rng *rng, long nr, uint64_t args[6]) {
        for (size_t i = 0; i < 6; i++)
                args[i] = M1;
        switch (nr) {
        case SYS_socket:
                args[0] = rng_next(rng) % 48;                           /* a family */
                break;
        case SYS_unshare:
        case SYS_clone:
                args[0] = (rng_next(rng) & 0x7e020000) | 0x11;          /* some CLONE_NEW* flags */
                break;
        case SYS_setns:
                args[0] = M1;
                args[1] = rng_next(rng) % 2 ? 0 : 0x40000000;           /* 0 or CLONE_NEWNET */
                break;
        case SYS_sched_setscheduler:
                args[1] = rng_next(rng) % 8;                            /* a policy */
                break;
        case SYS_chmod:
        case SYS_fchmod:
        case SYS_mkdir:
                args[1] = rng_next(rng) % 2 ? 04755 : 0755;
                break;
        case SYS_mprotect:
                args[2] = rng_next(rng) % 8;                            /* PROT_* */
                break;
        case SYS_mmap:
                args[2] = rng_next(rng) % 8;
                break;
        case SYS_personality:
                args[0] = rng_next(rng) % 2 ? 0xffffffff : 0x0008;      /* query, or PER_LINUX32 */
                break;
        case SYS_umask:
                args[0] = 022;
                break;
        }
}

static uint32_t emulate(const Sandbox *s, const Probe *p) {
        BpfFilterRef f[8];
        struct seccomp_data sd = { .nr = (int) p->nr, .arch = AUDIT_ARCH_X86_64 };

        memcpy(sd.args, p->args, sizeof sd.args);
        for (size_t i = 0; i < s->n_progs && i < 8; i++)
                f[i] = (BpfFilterRef) { s->progs[i].insns, s->progs[i].n };
        return bpf_chain_run(f, s->n_progs, &sd, NULL);
}

static bool uprobe_exception(uint32_t nr) {
        const char *name = syscall_name(syscall_from_nr(ABI_X86_64, nr));

        return name && (streq(name, "uretprobe") || streq(name, "uprobe"));
}

/* In a child: cmocka's handlers would catch a crash and go on running the tests there. */
static void default_signals(void) {
        static const int sigs[] = { SIGSEGV, SIGSYS, SIGILL, SIGBUS, SIGFPE };
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                signal(sigs[i], SIG_DFL);
}

/* Reap a child that may be unable to exit: once it says it is done (or after 30 s), kill it. Under
 * AddressSanitizer a filtered child must not even try _exit(): the runtime's no-return hook calls
 * sigaltstack(), fails when that is denied, and loops forever reporting the failure. */
static int wait_or_kill(pid_t pid, const volatile int *done) {
        int status = 0;

        for (unsigned i = 0; i < 30000; i++) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        return status;
                assert_true(r == 0);
                if (done && *done)
                        break;
                usleep(1000);
        }
        (void) kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static _Noreturn void child_exit(int code) {
        (void) syscall(SYS_exit_group, code);   /* not _exit(): see above */
        for (;;)
                ;
}

static long call(const Probe *p) {
        return syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4], p->args[5]);
}

static uint32_t policy_says(const Sandbox *s, long nr, const uint64_t args[6]) {
        struct seccomp_data sd = { .nr = (int) nr, .arch = AUDIT_ARCH_X86_64 };

        memcpy(sd.args, args, sizeof sd.args);
        return policy_evaluate(s->policy, &sd);
}

static bool is_kill(uint32_t action) {
        action &= SECCOMP_RET_ACTION_FULL;
        return action == SECCOMP_RET_KILL_PROCESS || action == SECCOMP_RET_KILL_THREAD || action == SECCOMP_RET_TRAP;
}

static bool is_errno(uint32_t action) {
        return (action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO;
}

/* Run the probes in a child, with the sandbox installed (s) or not (NULL: the reference). */
static void run_probes(const Sandbox *s, Shared *sh, bool reference) {
        int status;
        pid_t pid;

        sh->at = SIZE_MAX;
        sh->install = 1;
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                default_signals();
                sh->install = s ? sandbox_install(s, 0, NULL) : 0;
                if (sh->install < 0)
                        child_exit(1);
                for (size_t i = 0; i < sh->n; i++) {
                        Probe *p = &sh->p[i];
                        long r;

                        if (reference && !harmless(p->nr))
                                continue;       /* only ever made with a filter that denies it */
                        sh->at = i;
                        errno = 0;
                        r = call(p);
                        if (reference) {
                                p->ref_ret = r;
                                p->ref_error = r < 0 ? errno : 0;
                        } else {
                                p->ret = r;
                                p->error = r < 0 ? errno : 0;
                        }
                }
                sh->done = 1;
                child_exit(0);  /* exit_group may be denied: the parent kills us then */
        }
        status = wait_or_kill(pid, &sh->done);
        sh->status = status;
}

/* A call the policy kills: the child must die of SIGSYS making it. */
static void check_kill(const Sandbox *s, const Probe *p, const char *text) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                default_signals();
                if (sandbox_install(s, 0, NULL) < 0)
                        child_exit(1);
                (void) call(p);
                child_exit(2);
        }
        status = wait_or_kill(pid, NULL);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
                fail_msg("syscall %ld (%s) should be killed, status %#x:\n%s", p->nr,
                         strna(syscall_name(syscall_from_nr(ABI_X86_64, (uint32_t) p->nr))), (unsigned) status, text);
}

static void probe_sandbox(const Sandbox *s, Rng *rng, const char *text, unsigned *n_errno, unsigned *n_allowed,
                          unsigned *n_killed) {
        Shared *sh = mmap(NULL, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        const Probe *kill = NULL;
        Probe kill_copy;
        uint32_t nr_max = syscall_nr_max(ABI_X86_64);

        assert_true(sh != MAP_FAILED);
        sh->n = 0;

        /* Every number of the table plus a few beyond, and x32's numbers: denied ones with their
         * errno, allowed ones only if harmless. */
        for (uint32_t nr = 0; nr <= nr_max + 3 && sh->n < MAX_PROBES; nr++) {
                Probe *p = &sh->p[sh->n];

                /* The kernel runs no filter for these two (Linux 6.14, 6.18), and kills a caller
                 * that is not its probe trampoline with SIGSEGV. */
                if (uprobe_exception(nr))
                        continue;
                *p = (Probe) { .nr = nr };
                probe_args(rng, nr, p->args);
                p->action = policy_says(s, nr, p->args);
                if (is_kill(p->action)) {
                        if (!kill || rng_next(rng) % 8 == 0) {
                                kill_copy = *p;
                                kill = &kill_copy;
                        }
                        continue;
                }
                if (is_errno(p->action) || harmless(nr))
                        sh->n++;
        }
        for (uint32_t nr = 0x40000000; nr < 0x40000000 + 600 && sh->n < MAX_PROBES; nr += 37) {
                Probe *p = &sh->p[sh->n];

                *p = (Probe) { .nr = nr };
                probe_args(rng, nr, p->args);
                p->action = policy_says(s, nr, p->args);
                if (is_errno(p->action))        /* an allowed x32 call would run */
                        sh->n++;
        }

        sh->done = 0;
        run_probes(NULL, sh, true);
        assert_int_equal(sh->done, 1);
        sh->done = 0;
        run_probes(s, sh, false);
        if (sh->install < 0)
                fail_msg("sandbox_install() failed: %d\n%s", sh->install, text);
        if (!sh->done && sh->at == SIZE_MAX)
                fail_msg("the child died (status %#x) before its first call, install returned %d:\n%s", (unsigned) sh->status, sh->install, text);
        if (!sh->done && getenv("PROPERTY_DEBUG"))
                for (size_t i = sh->at > 3 ? sh->at - 3 : 0; i <= sh->at; i++)
                        print_message("probe %zu: nr %ld args %#llx %#llx %#llx action %#x (emulated %#x) -> %ld/%d\n", i, sh->p[i].nr,
                                      (unsigned long long) sh->p[i].args[0], (unsigned long long) sh->p[i].args[1], (unsigned long long) sh->p[i].args[2],
                                      sh->p[i].action, emulate(s, &sh->p[i]), sh->p[i].ret, sh->p[i].error);
        if (!sh->done)
                fail_msg("the child died (status %#x) at syscall %ld, policy action %#x:\n%s", (unsigned) sh->status,
                         sh->p[sh->at].nr, sh->p[sh->at].action, text);

        for (size_t i = 0; i < sh->n; i++) {
                const Probe *p = &sh->p[i];
                const char *name = strna(syscall_name(syscall_from_nr(p->nr >= 0x40000000 ? ABI_X32 : ABI_X86_64, (uint32_t) p->nr)));

                if (is_errno(p->action)) {
                        int want = (int) (p->action & SECCOMP_RET_DATA);
                        if (p->ret != -1 || p->error != want)
                                fail_msg("syscall %#lx (%s) args %#llx %#llx %#llx: want errno %d, got %ld/%d\n%s",
                                         p->nr, name, (unsigned long long) p->args[0], (unsigned long long) p->args[1],
                                         (unsigned long long) p->args[2], want, p->ret, p->error, text);
                        (*n_errno)++;
                } else {
                        if (p->ret != p->ref_ret || p->error != p->ref_error)
                                fail_msg("syscall %ld (%s) args %#llx %#llx %#llx: allowed, so %ld/%d as without filters, got %ld/%d\n%s",
                                         p->nr, name, (unsigned long long) p->args[0], (unsigned long long) p->args[1],
                                         (unsigned long long) p->args[2], p->ref_ret, p->ref_error, p->ret, p->error, text);
                        (*n_allowed)++;
                }
        }
        if (kill) {
                check_kill(s, kill, text);
                (*n_killed)++;
        }
        munmap(sh, sizeof(Shared));
}

/* ---- The properties. */

static void test_random_policies(void **state) {
        unsigned n_ok = 0, n_big = 0, n_loaded = 0, n_errno = 0, n_allowed = 0, n_killed = 0;
        bool x86_64 = abi_native() == ABI_X86_64;

        for (uint64_t seed = 1; seed <= N_COMPILE; seed++) {
                Rng rng = { seed };
                _cleanup_free_ char *text = random_unit_text(rng_pick, &rng, &(RandomUnitLimits) { .max_assignments = 10, .max_items = 20 });
                _cleanup_(sandbox_freep) Sandbox *s = NULL;
                CompileOptions o = COMPILE_OPTIONS_DEFAULT;
                bool load = x86_64 && seed % (N_COMPILE / N_LOAD) == 0;
                int r;

                assert_non_null(text);
                o.verify = true;
                o.layout = (Layout) (seed % _LAYOUT_MAX);
                o.mdwe = MDWE_SECCOMP;
                /* Every fourth for another host (not ARM and arm64: slow to verify, see below). */
                if (!load && seed % 4 == 1) {
                        o.native = (Abi) rng_pick(&rng, _ABI_MAX);
                        if (o.native == ABI_ARM || o.native == ABI_AARCH64)
                                o.native = ABI_X86;
                }

                r = compile_text(text, &o, &s);
                if (r == -E2BIG) {
                        n_big++;
                        continue;
                }
                if (r < 0)
                        fail_msg("seed %llu (%s): compile failed: %d\n%s", (unsigned long long) seed,
                                 strna(abi_to_name(o.native)), r, text);
                n_ok++;

                if (load) {
                        probe_sandbox(s, &rng, text, &n_errno, &n_allowed, &n_killed);
                        n_loaded++;
                }
        }
        print_message("%u random policies compiled and verified (%u over the size limit), %u installed: "
                      "%u denied calls checked for their errno, %u allowed calls against an unfiltered run, %u killed calls\n",
                      n_ok, n_big, n_loaded, n_errno, n_allowed, n_killed);
        assert_true(n_ok >= N_COMPILE * 9 / 10);
}

/* The shipped units compile and verify for every host ABI (the verifier used to reject every
 * foreign one: the cache model took this machine's native ABI). */
static void test_every_native_abi(void **state) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        static const char *const units[] = { "webapp.service", "fully-hardened.service", "deny-list.service" };

        assert_non_null(root);
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                size_t size = 0;
                FILE *f;

                assert_true(asprintf(&path, "%s/units/%s", root, units[i]) > 0);
                f = fopen(path, "re");
                assert_non_null(f);
                assert_true(getdelim(&text, &size, 0, f) > 0);
                fclose(f);

                for (Abi a = 0; a < _ABI_MAX; a++) {
                        _cleanup_(sandbox_freep) Sandbox *s = NULL;
                        CompileOptions o = COMPILE_OPTIONS_DEFAULT;

                        /* ARM's numbers reach 0xf0005 and the verifier walks each: once is enough. */
                        if ((a == ABI_ARM || a == ABI_AARCH64) && i > 0)
                                continue;
                        o.native = a;
                        o.verify = true;
                        o.mdwe = MDWE_SECCOMP;
                        if (compile_text(text, &o, &s) < 0)
                                fail_msg("%s for %s: compile failed", units[i], abi_to_name(a));
                        assert_true(s->n_progs > 0);
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_native_abi),
                cmocka_unit_test(test_random_policies),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
