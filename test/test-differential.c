/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter against systemd 252: for every example unit, every unit of this machine's
 * /lib/systemd/system that uses a seccomp directive, and a set of synthetic directive sets, the
 * megafilter (both layouts) and the per-feature libseccomp baseline (src/baseline/baseline.c) are run
 * through the emulator with the kernel's precedence, on every ABI the host runs, for every number
 * in the tables and numbers outside them, and for argument-checked calls with the boundary values
 * of every comparison (both halves). Verdicts must be identical, action and errno, except for the
 * differences megafilter makes on purpose, each spelled out in documented_difference().
 *
 * Then the kernel: the baseline loaded into forked children (exported programs and
 * baseline_install()), real calls, the same results as the megafilter's verdicts say and
 * as megafilter's programs give. And systemd 252 itself: services of a private user manager,
 * their filters read back with ptrace and compared with the baseline's, byte for byte.
 *
 * The differences megafilter makes on purpose (documented_difference(), and in compare()):
 * ENOSYS for numbers in no table under an allow-list; calls libseccomp 2.5 cannot name, which
 * systemd drops from its lists; allow-list entries whose errno is the default action, which make
 * systemd 252 refuse the unit. A blocked ABI is killed with KILL_THREAD on both sides. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <limits.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action.h"
#include "bpf-check.h"
#include "bpf-disasm.h"
#include "bpf-emu.h"
#include "errno-name.h"
#include "sandbox.h"
#include "baseline.h"
#include "seccomp-child.h"
#include "syscall-set.h"
#include "syscall-table.h"
#include "unit-file.h"
#include "unit-text.h"
#include "verify.h"

#define ERRNO_ACTION(e) (SECCOMP_RET_ERRNO | ((uint32_t) (e) & SECCOMP_RET_DATA))
#define MISMATCHES_SHOWN 12

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static void quiet(void *userdata, int level, const SourceLoc *loc, const char *message) {
}

/* ---- directives ---- */

/* How many listed names libseccomp 2.5 does not know. systemd 252 parses SystemCallFilter= and
 * SystemCallLog= with libseccomp and silently drops those names (baseline.c does too);
 * megafilter's tables are newer and keep them: see documented_difference(). */
static size_t names_libseccomp_lacks(const SyscallList *l) {
        size_t n = 0;

        if (!l->action)
                return 0;
        for (size_t id = 0; id < syscall_count(); id++)
                if (l->action[id] != SYSCALL_ABSENT && seccomp_syscall_resolve_name(syscall_name((int) id)) == __NR_SCMP_ERROR)
                        n++;
        return n;
}

/* Without the names libseccomp lacks: what systemd 252's parser keeps. */
static void drop_names_libseccomp_lacks(SyscallList *l) {
        for (size_t id = 0; id < syscall_count(); id++)
                if (l->action[id] != SYSCALL_ABSENT && seccomp_syscall_resolve_name(syscall_name((int) id)) == __NR_SCMP_ERROR)
                        l->action[id] = SYSCALL_ABSENT;
}

static Directives *directives_from_text(const char *text) {
        return test_directives_from_text("synthetic.service", text, NULL);
}

static Directives *directives_from_file(const char *path) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        Diag diag = { .func = quiet, .max_level = DIAG_ERROR };
        Directives *d = NULL;

        if (unit_file_load(path, 0, &diag, &u) < 0)
                return NULL;
        assert_int_equal(directives_new(&d), 0);
        if (directives_apply_unit(d, u, &diag) < 0)
                return directives_free(d);
        return d;
}

/* ---- one comparison ---- */

typedef struct Side {
        const char *name;
        BpfFilterRef *filters;
        size_t n;
} Side;

typedef struct Compare {
        const char *label;
        const Directives *d;
        const Policy *policy;           /* the megafilter's, for the argument boundaries */
        Side base, mf[2];
        size_t calls, mismatches, documented[4];
} Compare;

enum {
        DOC_ENOSYS_UNKNOWN_NR,
        DOC_LIBSECCOMP_LACKS,
        DOC_KILL_UNLISTED_ABI,
};

static uint32_t negative_action(const Directives *d) {
        return d->syscall_errno == ERRNO_KILL ? SECCOMP_RET_KILL_PROCESS : ERRNO_ACTION(d->syscall_errno);
}

/* Whether libseccomp 2.5 has this number on this ABI under the name our table gives it. */
static bool libseccomp_knows(Abi abi, uint32_t nr) {
        int id = syscall_from_nr(abi, nr);
        uint32_t arch = seccomp_arch_resolve_name(abi_info[abi].libseccomp_name);
        int n;

        if (id < 0)
                return true;            /* in no table: nothing to know */
        n = seccomp_syscall_resolve_name_arch(arch, syscall_name(id));
        return n != __NR_SCMP_ERROR && (uint32_t) n == nr;
}

/* The differences megafilter makes on purpose. Each returns its DOC_* class, or -1. */
static int documented_difference(const Compare *c, Abi abi, uint32_t nr, uint32_t base, uint32_t mf) {
        const Directives *d = c->d;

        /* 1. An allow-list gives numbers that are in no syscall table of the ABI ENOSYS, so that
         *    libc falls back as on an older kernel (systemd does this since v255, 252 does not: its
         *    filter returns SystemCallErrorNumber=, or kills). */
        if (d->syscall_filter.allow_list && syscall_list_active(&d->syscall_filter) &&
            syscall_from_nr(abi, nr) < 0 && mf == ERRNO_ACTION(ENOSYS) && base == negative_action(d))
                return DOC_ENOSYS_UNKNOWN_NR;

        /* 2. Calls libseccomp 2.5 does not know on this ABI (newer than its tables, e.g. fchmodat2,
         *    cachestat, or calls added to i386/x32 later): systemd cannot name them in a filter for
         *    that ABI and lets them through (or, in an allow-list, refuses them with the default
         *    action); megafilter's tables know them and apply the directive as documented. Only
         *    for calls the lists name: elsewhere (the groups of ProtectClock= …, the calls the
         *    directives name themselves) the installed libseccomp knows them all. */
        int id = syscall_from_nr(abi, nr);
        if (id >= 0 && !libseccomp_knows(abi, nr) &&
            ((d->syscall_filter.action && d->syscall_filter.action[id] != SYSCALL_ABSENT) ||
             (d->syscall_log.action && d->syscall_log.action[id] != SYSCALL_ABSENT)))
                return DOC_LIBSECCOMP_LACKS;

        return -1;
}

static void describe_args(char *buf, size_t size, const uint64_t args[6]) {
        snprintf(buf, size, "0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64,
                 args[0], args[1], args[2], args[3], args[4], args[5]);
}

typedef struct CallCtx {
        Compare *c;
        Abi abi;
        uint32_t nr;
} CallCtx;

static int check_call(const uint64_t args[6], void *userdata) {
        CallCtx *x = userdata;
        Compare *c = x->c;
        struct seccomp_data sd = { .nr = (int) x->nr, .arch = abi_info[x->abi].audit_arch };
        uint32_t base;

        memcpy(sd.args, args, sizeof(sd.args));
        base = bpf_chain_run(c->base.filters, c->base.n, &sd, NULL);
        for (size_t i = 0; i < ELEMENTSOF(c->mf); i++) {
                uint32_t mf = bpf_chain_run(c->mf[i].filters, c->mf[i].n, &sd, NULL);
                int doc;

                c->calls++;
                if (mf == base)
                        continue;
                doc = documented_difference(c, x->abi, x->nr, base, mf);
                if (doc >= 0) {
                        c->documented[doc]++;
                        continue;
                }
                if (c->mismatches++ < MISMATCHES_SHOWN) {
                        char a[256], b1[64], b2[64];
                        int id = syscall_from_nr(x->abi, x->nr);

                        describe_args(a, sizeof a, args);
                        print_message("%s: %s(%s) nr %u on %s: systemd 252 %s, %s %s\n",
                                      c->label, id >= 0 ? syscall_name(id) : "?", a, x->nr, abi_to_name(x->abi),
                                      action_to_string(base, b1, sizeof b1), c->mf[i].name,
                                      action_to_string(mf, b2, sizeof b2));
                }
        }
        return 0;
}

/* Values of the flags, modes, families and policies the directives check, and both halves. */
static const uint64_t probe_values[] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 16, 17, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0xc00, 0x1000, 0x8000,
        0x20000, 0x8000000, 0x10000000, 0x20000000, 0x40000000, 0x80000000, 0xfffffffe, 0xffffffff,
        0x100000000, 0x100000002, 0x7fffffff00000000, 0xffffffff00000000, 0xffffffff00000002, UINT64_MAX,
};

/* Whether the baseline's verdict for (abi, nr) depends on an argument: the megafilter's policy
 * might not know of a check the baseline makes. */
static bool baseline_checks_args(const Compare *c, Abi abi, uint32_t nr) {
        struct seccomp_data sd = { .nr = (int) nr, .arch = abi_info[abi].audit_arch };
        uint32_t v0 = bpf_chain_run(c->base.filters, c->base.n, &sd, NULL);

        for (size_t arg = 0; arg < 6; arg++)
                for (size_t i = 0; i < ELEMENTSOF(probe_values); i++) {
                        struct seccomp_data t = sd;

                        t.args[arg] = probe_values[i];
                        if (bpf_chain_run(c->base.filters, c->base.n, &t, NULL) != v0)
                                return true;
                }
        return false;
}

static void check_number(Compare *c, Abi abi, uint32_t nr) {
        static const uint64_t zero[6] = {};
        CallCtx x = { c, abi, nr };
        const AbiPolicy *a = &c->policy->abi[abi];
        const Decision *d = a->allowed ? policy_decision(c->policy, abi, nr) : NULL;

        check_call(zero, &x);
        if (d)
                (void) decision_foreach_boundary(d, abi_info[abi].arg_bits, check_call, &x);
        if ((d && d->n_rules > 0) || baseline_checks_args(c, abi, nr))
                for (size_t arg = 0; arg < 6; arg++)
                        for (size_t i = 0; i < ELEMENTSOF(probe_values); i++) {
                                uint64_t args[6] = {};

                                args[arg] = probe_values[i];
                                check_call(args, &x);
                        }
}

static BpfFilterRef *refs(const BpfProgram *p, size_t n) {
        BpfFilterRef *f = calloc(n ? n : 1, sizeof(BpfFilterRef));

        assert_non_null(f);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(bpf_check(p[i].insns, p[i].n), 0);
                f[i] = (BpfFilterRef) { p[i].insns, p[i].n };
        }
        return f;
}

static const BaselineOptions baseline_options = {
        .native = ABI_X86_64, .mdwe = MDWE_SECCOMP, .personality = PER_LINUX,
};

/* Compare both sides for d; returns the number of undocumented mismatches. */
static size_t compare(const char *label, Directives *d, bool verbose) {
        _cleanup_(sandbox_freep) Sandbox *split = NULL, *single = NULL;
        BpfProgram *base = NULL;
        size_t n_base = 0;
        BaselineInfo info;
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        Compare c = { .label = label, .d = d };
        Diag diag = { .func = quiet };
        int r, refused;

        size_t dropped = names_libseccomp_lacks(&d->syscall_filter) + names_libseccomp_lacks(&d->syscall_log);

        r = baseline_build(d, &baseline_options, &diag, &base, &n_base, &info);
        refused = directives_check_libseccomp(d, &diag);
        if (refused < 0 && r >= 0 && dropped > 0) {
                /* megafilter refuses for an entry of a name libseccomp 2.5 lacks, which systemd 252
                 * drops (documented with those names): not if the entry were gone. */
                _cleanup_(directives_freep) Directives *kept = NULL;

                assert_int_equal(directives_copy(d, &kept), 0);
                drop_names_libseccomp_lacks(&kept->syscall_filter);
                if (directives_check_libseccomp(kept, &diag) == 0) {
                        print_message("%s: refused for a name libseccomp 2.5 lacks, which systemd 252 drops\n", label);
                        bpf_programs_free(base, n_base);
                        return 0;
                }
        }
        if (refused < 0 || r == -EACCES || r == -EINVAL || r == -ENOMEM) {
                /* What libseccomp refuses when systemd builds SystemCallFilter='s filter (errno
                 * 4095; an allow-list entry with the default action, -EACCES): systemd 252 fails
                 * the service with status 228, and mf_compile() refuses (megafilter run: 228).
                 * Both sides refuse, or it is a mismatch. */
                if (refused >= 0 || r >= 0)
                        fail_msg("%s: megafilter %s, the baseline %s", label,
                                 refused < 0 ? "refuses" : "accepts", r < 0 ? strerror(-r) : "accepts");
                print_message("%s: refused by both (systemd 252: status 228)\n", label);
                return 0;
        }
        if (r < 0)
                fail_msg("%s: baseline: %s", label, strerror(-r));

        o.native = ABI_X86_64;
        o.mdwe = MDWE_SECCOMP;          /* both sides express MemoryDenyWriteExecute= in seccomp */
        o.personality = PER_LINUX;
        o.layout = LAYOUT_SPLIT;
        assert_int_equal(sandbox_compile(d, &o, NULL, &split), 0);
        o.layout = LAYOUT_SINGLE;
        assert_int_equal(sandbox_compile(d, &o, NULL, &single), 0);

        c.policy = split->policy;
        c.base = (Side) { "systemd 252", refs(base, n_base), n_base };
        c.mf[0] = (Side) { "megafilter split", refs(split->progs, split->n_progs), split->n_progs };
        c.mf[1] = (Side) { "megafilter single", refs(single->progs, single->n_progs), single->n_progs };

        ABI_SET_FOREACH(abi, abi_info[ABI_X86_64].host_abis) {
                uint32_t lo = syscall_nr_min(abi), hi = syscall_nr_max(abi);
                /* Numbers outside every table: just past the end, far beyond it, the last before
                 * x32's bit, and the top of the range. */
                const uint32_t outside[] = { hi + 1, hi + 2, hi + 100, hi + 1000, lo + 0x3fffffffu - (lo & 0x3fffffffu),
                                             0x3fffffffu, 0x7fffffffu, 0x80000000u, 0xbfffffffu, 0xffffffffu };

                for (uint32_t nr = lo; nr <= hi; nr++)
                        check_number(&c, abi, nr);
                for (size_t i = 0; i < ELEMENTSOF(outside); i++) {
                        /* Only numbers the kernel would attribute to this ABI: x32 is x86-64's arch
                         * with bit 30 set. */
                        if (abi == ABI_X86_64 && (outside[i] & 0x40000000u))
                                continue;
                        if (abi == ABI_X32 && !(outside[i] & 0x40000000u))
                                continue;
                        check_number(&c, abi, outside[i]);
                }
        }

        if (verbose || c.mismatches > 0)
                print_message("%-40s %2zu filters %4zu insns | split %zu, single %zu | %zu calls, %zu mismatches; "
                              "documented: %zu ENOSYS-unknown, %zu libseccomp-lacks, %zu names dropped\n",
                              label, n_base, ({ size_t s = 0; for (size_t i = 0; i < n_base; i++) s += base[i].n; s; }),
                              split->n_progs, single->n_progs, c.calls, c.mismatches,
                              c.documented[DOC_ENOSYS_UNKNOWN_NR], c.documented[DOC_LIBSECCOMP_LACKS], dropped);

        free(c.base.filters);
        free(c.mf[0].filters);
        free(c.mf[1].filters);
        bpf_programs_free(base, n_base);
        return c.mismatches;
}

/* ---- the cases ---- */

static const char *const synthetic[] = {
        /* deny-lists, with errnos */
        "SystemCallFilter=~@mount @swap reboot",
        "SystemCallFilter=~@privileged\nSystemCallErrorNumber=EPERM",
        "SystemCallFilter=~@obsolete:ENOSYS @debug:EACCES @cpu-emulation\nSystemCallErrorNumber=EIO",
        "SystemCallFilter=~uname:EILSEQ sethostname:kill personality",
        "SystemCallFilter=~@clock\nSystemCallFilter=clock_settime",
        /* allow-lists */
        "SystemCallFilter=@system-service",
        "SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\nSystemCallErrorNumber=EPERM",
        "SystemCallFilter=@basic-io @file-system @process @signal\nSystemCallErrorNumber=EACCES",
        "SystemCallFilter=@default write\nSystemCallFilter=~write:EBADF",
        "SystemCallFilter=@system-service\nSystemCallErrorNumber=kill",
        /* what libseccomp refuses (systemd 252: 228): both sides must refuse */
        "SystemCallFilter=~@swap:4095",
        "SystemCallFilter=~@swap\nSystemCallErrorNumber=4095",
        "SystemCallFilter=@system-service\nSystemCallErrorNumber=4095",
        "SystemCallFilter=@system-service\nSystemCallFilter=~@swap:kill",
        "SystemCallFilter=@system-service\nSystemCallFilter=~@mount:EPERM\nSystemCallErrorNumber=EPERM",
        "SystemCallFilter=~@swap:4094\nSystemCallErrorNumber=4095",
        "SystemCallFilter=@system-service\nSystemCallFilter=~@swap:kill\nSystemCallErrorNumber=EPERM",
        /* SystemCallLog= */
        "SystemCallLog=~@basic-io",
        "SystemCallLog=@privileged\nSystemCallFilter=~@mount",
        /* address families */
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "RestrictAddressFamilies=AF_NETLINK",
        "RestrictAddressFamilies=~AF_PACKET AF_INET6",
        "RestrictAddressFamilies=none",
        /* namespaces */
        "RestrictNamespaces=yes",
        "RestrictNamespaces=net uts",
        "RestrictNamespaces=~user mnt",
        "RestrictNamespaces=cgroup ipc net mnt pid user uts",
        /* MDWE, personality, realtime, SUID/SGID */
        "MemoryDenyWriteExecute=yes",
        "LockPersonality=yes",
        "LockPersonality=yes\nPersonality=x86",
        "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes",
        /* the syscall-group directives */
        "ProtectKernelModules=yes\nProtectKernelLogs=yes\nProtectKernelTunables=yes",
        "ProtectClock=yes\nProtectHostname=yes\nPrivateDevices=yes",
        /* architectures */
        "SystemCallArchitectures=native",
        "SystemCallArchitectures=x86",
        "SystemCallArchitectures=x86-64",
        "SystemCallArchitectures=x86 x32",
        "SystemCallArchitectures=native\nSystemCallFilter=~@mount",
        "SystemCallArchitectures=x86\nMemoryDenyWriteExecute=yes\nLockPersonality=yes\nSystemCallFilter=@system-service",
        /* everything */
        "SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\nSystemCallArchitectures=native\n"
        "SystemCallErrorNumber=EPERM\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nRestrictNamespaces=yes\n"
        "MemoryDenyWriteExecute=yes\nLockPersonality=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes\n"
        "ProtectKernelModules=yes\nProtectClock=yes\nProtectHostname=yes\nPrivateDevices=yes\n"
        "ProtectKernelLogs=yes\nProtectKernelTunables=yes\nSystemCallLog=~@basic-io",
};

static void test_synthetic(void **state) {
        size_t bad = 0;

        for (size_t i = 0; i < ELEMENTSOF(synthetic); i++) {
                _cleanup_(directives_freep) Directives *d = directives_from_text(synthetic[i]);
                _cleanup_free_ char *label = strdup(synthetic[i]);

                assert_non_null(label);
                for (char *p = label; *p; p++)
                        if (*p == '\n')
                                *p = ' ';
                bad += compare(label, d, true);
        }
        assert_int_equal(bad, 0);
}

static size_t compare_dir(const char *dir, bool seccomp_only, size_t *ret_n) {
        _cleanup_(closedirp) DIR *dp = opendir(dir);
        struct dirent *de;
        size_t bad = 0;

        *ret_n = 0;
        if (!dp)
                return 0;
        while ((de = readdir(dp))) {
                _cleanup_(directives_freep) Directives *d = NULL;
                _cleanup_free_ char *path = NULL;
                size_t len = strlen(de->d_name);

                if (len < 9 || strcmp(de->d_name + len - 8, ".service") != 0 || strchr(de->d_name, '@'))
                        continue;
                assert_true(asprintf(&path, "%s/%s", dir, de->d_name) > 0);
                d = directives_from_file(path);
                if (!d || (seccomp_only && !directives_use_seccomp(d)))
                        continue;
                bad += compare(path, d, true);
                (*ret_n)++;
        }
        return bad;
}

static void test_example_units(void **state) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        _cleanup_free_ char *dir = NULL;
        size_t n;

        assert_non_null(root);
        assert_true(asprintf(&dir, "%s/units", root) > 0);
        assert_int_equal(compare_dir(dir, false, &n), 0);
        assert_true(n >= 4);
}

static void test_system_units(void **state) {
        size_t n;

        assert_int_equal(compare_dir("/lib/systemd/system", true, &n), 0);
        print_message("%zu units of /lib/systemd/system use seccomp directives\n", n);
        if (n == 0)
                skip();
}

/* The filter counts of DESIGN.md §1, measured with systemd 252. */
static void test_filter_counts(void **state) {
        static const struct {
                const char *extra;
                size_t n;
        } cases[] = {
                { "", 17 },
                { "ProtectKernelModules=yes\nProtectClock=yes\nProtectHostname=yes\nPrivateDevices=yes", 29 },
        };
        const char *typical =
                "SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\nSystemCallArchitectures=native\n"
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nRestrictNamespaces=yes\nMemoryDenyWriteExecute=yes\n"
                "LockPersonality=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes\nSystemCallErrorNumber=EPERM\n";

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                _cleanup_(directives_freep) Directives *d = NULL;
                BpfProgram *p = NULL;
                size_t n = 0;
                BaselineInfo info;

                assert_true(asprintf(&text, "%s%s", typical, cases[i].extra) > 0);
                d = directives_from_text(text);
                assert_int_equal(baseline_build(d, &baseline_options, NULL, &p, &n, &info), 0);
                assert_int_equal(n, cases[i].n);
                assert_int_equal(info.n, n);
                /* Attach order: SystemCallFilter= last, on the native ABI only. */
                assert_int_equal(info.filter[n - 1].layer, LAYER_SYSCALL_FILTER);
                assert_int_equal(info.filter[n - 1].abi, ABI_X86_64);
                assert_int_equal(info.filter[n - 2].layer, LAYER_LOCK_PERSONALITY);
                assert_int_equal(info.filter[n - 3].layer, LAYER_SYSCALL_ARCHITECTURES);
                for (size_t k = 0; k < n; k++)
                        assert_string_equal(strchr(p[k].name, '/') + 1, abi_to_name(info.filter[k].abi));
                if (n == 29) {
                        /* DESIGN.md §1: three (x86, x32, x86-64) for each of ProtectHostname=,
                         * MemoryDenyWriteExecute=, RestrictRealtime=, RestrictSUIDSGID=,
                         * RestrictNamespaces=, ProtectKernelModules=, ProtectClock=, PrivateDevices=;
                         * two for RestrictAddressFamilies= (no i386: socketcall()); one each for the
                         * rest, the ABIs SystemCallArchitectures= blocked being skipped after it. */
                        size_t per_layer[_LAYER_MAX] = {};

                        for (size_t k = 0; k < n; k++) {
                                per_layer[info.filter[k].layer]++;
                                if (k > 0)      /* attach order follows the layer order */
                                        assert_true(info.filter[k - 1].layer <= info.filter[k].layer);
                        }
                        assert_int_equal(per_layer[LAYER_PROTECT_HOSTNAME], 3);
                        assert_int_equal(per_layer[LAYER_ADDRESS_FAMILIES], 2);
                        assert_int_equal(per_layer[LAYER_MEMORY_DENY_WRITE_EXECUTE], 3);
                        assert_int_equal(per_layer[LAYER_RESTRICT_REALTIME], 3);
                        assert_int_equal(per_layer[LAYER_RESTRICT_SUID_SGID], 3);
                        assert_int_equal(per_layer[LAYER_RESTRICT_NAMESPACES], 3);
                        assert_int_equal(per_layer[LAYER_PROTECT_KERNEL_MODULES], 3);
                        assert_int_equal(per_layer[LAYER_PROTECT_CLOCK], 3);
                        assert_int_equal(per_layer[LAYER_PRIVATE_DEVICES], 3);
                        assert_int_equal(per_layer[LAYER_SYSCALL_ARCHITECTURES], 1);
                        assert_int_equal(per_layer[LAYER_LOCK_PERSONALITY], 1);
                        assert_int_equal(per_layer[LAYER_SYSCALL_FILTER], 1);
                }
                bpf_programs_free(p, n);
        }
}

/* ---- the kernel ---- */

typedef struct KernelCall {
        const char *name;
        uint64_t args[6];
} KernelCall;

/* In a child: install the baseline with baseline_install(), make the call; the parent gets
 * the outcome. */
static Outcome baseline_in_child(const Directives *d, long nr, const uint64_t args[6]) {
        Outcome o = {};
        int fds[2], status;
        pid_t pid;

        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                long res[2];

                close(fds[0]);
                if (baseline_install(d, &baseline_options) < 0)
                        _exit(100);
                res[0] = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
                res[1] = res[0] < 0 ? errno : 0;
                if (write(fds[1], res, sizeof res) != sizeof res)
                        _exit(101);
                _exit(0);
        }
        close(fds[1]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
                o.kind = OUTCOME_KILLED;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                long res[2];

                assert_int_equal(read(fds[0], res, sizeof res), sizeof res);
                o.kind = OUTCOME_RETURNED;
                o.ret = res[0] < 0 ? -res[1] : res[0];
        } else {
                o.kind = OUTCOME_OTHER;
                o.status = status;
        }
        close(fds[0]);
        return o;
}

static const KernelCall kernel_calls_typical[] = {
                { "getpid", {} },
                { "swapoff", { 0 } },                                   /* @privileged: EPERM */
                { "socket", { AF_PACKET, SOCK_RAW, 0 } },               /* EAFNOSUPPORT */
                { "socket", { AF_UNIX | (1ULL << 32), SOCK_STREAM, 0 } }, /* high half set: not AF_UNIX */
                { "socket", { AF_UNIX, SOCK_STREAM, 0 } },              /* allowed */
                { "unshare", { CLONE_NEWUSER } },                        /* EPERM */
                { "personality", { PER_LINUX32 } },                     /* EPERM */
                { "personality", { 0xffffffff } },                      /* a query, but not the persona: EPERM too */
                { "mmap", { 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 } },
                { "sched_setscheduler", { 0, SCHED_FIFO, 0 } },          /* EPERM */
                { "clone3", { 0, 0 } },                                 /* ENOSYS */
                { "chmod", { 0, S_ISUID | 0755 } },                     /* EPERM */
                { "sethostname", { 0, 0 } },                            /* EPERM */
                { "init_module", { 0, 0, 0 } },                         /* EPERM */
};

static const KernelCall kernel_calls_kill[] = {
        { "getpid", {} },
        { "uname", { 0 } },                                             /* killed: uname:kill */
        { "umount2", { 0, 0 } },                                        /* killed: the default action */
        { "setns", { 0, 0 } },                                          /* EPERM (setns with 0) */
        { "unshare", { CLONE_NEWNET } },                                /* allowed: "net" is kept */
        { "unshare", { CLONE_NEWUSER } },                               /* EPERM */
};

static void kernel_case(const char *directives, const KernelCall *calls, size_t n_calls) {
        _cleanup_(directives_freep) Directives *d = directives_from_text(directives);
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_free_ BpfFilterRef *base_refs = NULL, *mf_refs = NULL;
        CompileOptions co = COMPILE_OPTIONS_DEFAULT;
        BpfProgram *base = NULL;
        size_t n_base = 0;

        assert_int_equal(baseline_build(d, &baseline_options, NULL, &base, &n_base, NULL), 0);
        co.mdwe = MDWE_SECCOMP;
        co.personality = PER_LINUX;
        assert_int_equal(sandbox_compile(d, &co, NULL, &s), 0);
        base_refs = refs(base, n_base);
        mf_refs = refs(s->progs, s->n_progs);

        for (size_t i = 0; i < n_calls; i++) {
                long nr = (long) syscall_nr(ABI_X86_64, syscall_from_name(calls[i].name));
                struct seccomp_data sd = { .nr = (int) nr, .arch = AUDIT_ARCH_X86_64 };
                Outcome exported, installed, expected, mf_kernel;
                char b1[64], b2[64], b3[64], b4[64];
                uint32_t mf;

                memcpy(sd.args, calls[i].args, sizeof(sd.args));
                mf = bpf_chain_run(mf_refs, s->n_progs, &sd, NULL);

                /* The exported programs, attached with seccomp(2) … */
                assert_int_equal(kernel_run(base_refs, n_base, nr, calls[i].args, &exported), 0);
                /* … and baseline_install(), loading with seccomp_load(). */
                installed = baseline_in_child(d, nr, calls[i].args);
                /* And megafilter's programs, for comparison. */
                assert_int_equal(kernel_run(mf_refs, s->n_progs, nr, calls[i].args, &mf_kernel), 0);

                print_message("%-20s megafilter %-16s (kernel: %-16s) baseline: exported %-16s installed %s\n", calls[i].name,
                              action_to_string(mf, b1, sizeof b1), outcome_to_string(&mf_kernel, b4, sizeof b4),
                              outcome_to_string(&exported, b2, sizeof b2), outcome_to_string(&installed, b3, sizeof b3));
                assert_true(outcome_equal(&mf_kernel, &exported) ||
                            ((mf & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW && mf_kernel.kind == OUTCOME_RETURNED &&
                             exported.kind == OUTCOME_RETURNED));
                assert_true(outcome_equal(&exported, &installed) ||
                            (exported.kind == OUTCOME_RETURNED && installed.kind == OUTCOME_RETURNED &&
                             (mf & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW));
                if ((mf & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW) {
                        expected = outcome_of_verdict(mf, 0);
                        assert_true(outcome_equal(&exported, &expected));
                        assert_true(outcome_equal(&installed, &expected));
                } else
                        /* Allowed: whatever the call does, it was not refused by a filter. */
                        assert_true(exported.kind == OUTCOME_RETURNED && installed.kind == OUTCOME_RETURNED);
        }
        bpf_programs_free(base, n_base);
}

static void test_kernel(void **state) {
        if (personality(0xffffffff) != PER_LINUX)
                skip();

        kernel_case("SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\nSystemCallArchitectures=native\n"
                    "SystemCallErrorNumber=EPERM\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nRestrictNamespaces=yes\n"
                    "MemoryDenyWriteExecute=yes\nLockPersonality=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes\n"
                    "ProtectKernelModules=yes\nProtectHostname=yes",
                    kernel_calls_typical, ELEMENTSOF(kernel_calls_typical));
        kernel_case("SystemCallFilter=~@mount uname:kill\nRestrictNamespaces=net\nSystemCallArchitectures=native",
                    kernel_calls_kill, ELEMENTSOF(kernel_calls_kill));
}

/* ---- systemd 252 itself ---- */

/* A user manager of our own, in a private runtime directory: the reference. */
typedef struct Manager {
        char dir[64];
        pid_t pid;
        int nodes;                      /* test/systemd-runtime-nodes.sh acquire's exit status */
} Manager;

/* test/systemd-runtime-nodes.sh VERB getpid(): what a systemd PID 1 would have created in
 * /run/systemd and a user manager's services need (ProtectKernelLogs=, ProtectKernelTunables=, …
 * bind-mount /run/systemd/inaccessible's nodes; without them they fail with 226/NAMESPACE).
 * Returns its exit status: 0, or 77 when they cannot be created (it says why on stderr). */
static int runtime_nodes(const char *verb) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        _cleanup_free_ char *script = NULL;
        char holder[16];
        int status;
        pid_t pid;

        if (!root || asprintf(&script, "%s/test/systemd-runtime-nodes.sh", root) < 0)
                return 77;
        snprintf(holder, sizeof holder, "%d", (int) getpid());
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execl(script, script, verb, holder, NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) != pid)
                return -ECHILD;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static int run_wait(char **argv, const char *runtime_dir, char *out, size_t out_size) {
        int fds[2], status;
        pid_t pid;
        size_t n = 0;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);

                setenv("XDG_RUNTIME_DIR", runtime_dir, 1);
                dup2(null, STDIN_FILENO);
                dup2(fds[1], STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                execvp(argv[0], argv);
                _exit(127);
        }
        close(fds[1]);
        for (;;) {
                ssize_t k = read(fds[0], out ? out + n : (char[64]) {}, out ? out_size - 1 - n : 64);
                if (k <= 0)
                        break;
                if (out)
                        n += (size_t) k;
        }
        if (out)
                out[n] = 0;
        close(fds[0]);
        if (waitpid(pid, &status, 0) != pid)
                return -ECHILD;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static bool manager_start(Manager *m) {
        _cleanup_free_ char *sock = NULL;

        strcpy(m->dir, "/tmp/megafilter-sd-XXXXXX");
        if (!mkdtemp(m->dir))
                return false;
        m->pid = fork();
        if (m->pid < 0)
                return false;
        if (m->pid == 0) {
                int null = open("/dev/null", O_RDWR);

                setsid();
                setenv("XDG_RUNTIME_DIR", m->dir, 1);
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                execlp("systemd", "systemd", "--user", NULL);
                execl("/lib/systemd/systemd", "systemd", "--user", NULL);
                _exit(127);
        }
        assert_true(asprintf(&sock, "%s/systemd/private", m->dir) > 0);
        for (int i = 0; i < 100; i++) {
                if (access(sock, F_OK) == 0)
                        return true;
                if (waitpid(m->pid, NULL, WNOHANG) == m->pid) {
                        m->pid = 0;
                        return false;
                }
                usleep(50 * 1000);
        }
        return false;
}

static void manager_stop(Manager *m) {
        char cmd[128];

        if (m->pid > 0) {
                kill(m->pid, SIGTERM);
                for (int i = 0; i < 100 && waitpid(m->pid, NULL, WNOHANG) != m->pid; i++)
                        usleep(50 * 1000);
                if (kill(m->pid, 0) == 0) {
                        kill(m->pid, SIGKILL);
                        waitpid(m->pid, NULL, 0);
                }
        }
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", m->dir);
        (void) !system(cmd);
}

static long filters_attached_to(pid_t pid) {
        _cleanup_free_ char *path = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        char line[256];
        long n = -1;

        assert_true(asprintf(&path, "/proc/%d/status", (int) pid) > 0);
        f = fopen(path, "re");
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "Seccomp_filters: %ld", &n) == 1)
                        break;
        return n;
}

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

/* The filters attached to pid, oldest first (ptrace(PTRACE_SECCOMP_GET_FILTER): needs
 * CAP_SYS_ADMIN). */
static int filters_of(pid_t pid, size_t skip_oldest, BpfProgram **ret, size_t *ret_n) {
        long total = filters_attached_to(pid);
        BpfProgram *p;
        int status;

        if (total < 0 || (size_t) total < skip_oldest)
                return -ENOENT;
        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
                return -errno;
        if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0 || waitpid(pid, &status, __WALL) != pid) {
                int r = -errno;
                (void) ptrace(PTRACE_DETACH, pid, NULL, NULL);
                return r;
        }
        *ret_n = (size_t) total - skip_oldest;
        p = calloc(*ret_n ? *ret_n : 1, sizeof(BpfProgram));
        assert_non_null(p);
        for (size_t i = 0; i < *ret_n; i++) {
                /* Index 0 is the oldest: the inherited ones come first. */
                BpfProgram *q = &p[i];
                unsigned long index = skip_oldest + i;
                long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *) index, NULL);

                if (n <= 0) {
                        int r = n < 0 ? -errno : -EIO;
                        (void) ptrace(PTRACE_DETACH, pid, NULL, NULL);
                        bpf_programs_free(p, *ret_n);
                        return r;
                }
                q->n = q->allocated = (size_t) n;
                q->insns = calloc(q->n, sizeof(struct sock_filter));
                assert_non_null(q->insns);
                assert_int_equal(ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *) index, q->insns), n);
        }
        (void) ptrace(PTRACE_DETACH, pid, NULL, NULL);
        *ret = p;
        return 0;
}

/* Same verdicts, filter by filter, for every (ABI, number) and the argument values of the
 * megafilter policy's boundaries. */
static size_t filter_verdicts_differ(const BpfProgram *a, const BpfProgram *b, const Policy *p) {
        size_t bad = 0;

        ABI_SET_FOREACH(abi, abi_info[ABI_X86_64].host_abis)
                for (uint32_t nr = syscall_nr_min(abi); nr <= syscall_nr_max(abi) + 16; nr++) {
                        static const uint64_t values[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0x7, 0x10, 0x40, 0x80, 0x800, 0xc00,
                                                           0x1000, 0x8000, 0x10000000, 0x20000000, 0x40000000,
                                                           0x80000000, 0xffffffff, 0x100000000, 0xffffffff00000000 };
                        for (size_t arg = 0; arg < 4; arg++)
                                for (size_t v = 0; v < ELEMENTSOF(values); v++) {
                                        struct seccomp_data sd = { .nr = (int) nr, .arch = abi_info[abi].audit_arch };

                                        sd.args[arg] = values[v];
                                        uint32_t va = bpf_run(a->insns, a->n, &sd, NULL), vb = bpf_run(b->insns, b->n, &sd, NULL);

                                        if (va != vb && bad++ < MISMATCHES_SHOWN) {
                                                char b1[64], b2[64];
                                                int id = syscall_from_nr(abi, nr);

                                                print_message("  %s nr %u (%s) arg%zu=0x%" PRIx64 ": systemd %s, baseline %s\n",
                                                              abi_to_name(abi), nr, id >= 0 ? syscall_name(id) : "?", arg, values[v],
                                                              action_to_string(va, b1, sizeof b1),
                                                              action_to_string(vb, b2, sizeof b2));
                                        }
                                }
                }
        return bad;
}

/* Append to *out the names systemd 252 puts in group (with suffix after each), nested groups
 * expanded, as its own `systemd-analyze syscall-filter` lists them. */
static int expand_group_252(const char *group, const char *suffix, const char *runtime_dir, char **out, size_t *size) {
        char *argv[] = { (char *) "systemd-analyze", (char *) "syscall-filter", (char *) "--no-pager", (char *) group, NULL };
        _cleanup_free_ char *text = malloc(1 << 16);
        char *saveptr = NULL;
        int r;

        assert_non_null(text);
        r = run_wait(argv, runtime_dir, text, 1 << 16);
        if (r != 0)
                return -ENOENT;
        for (char *line = strtok_r(text, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr)) {
                char *w = line + strspn(line, " \t");

                if (line == w || *w == '#' || *w == 0)
                        continue;       /* the group's own name, its description */
                if (*w == '@')
                        r = expand_group_252(w, suffix, runtime_dir, out, size);
                else {
                        size_t k = strlen(*out);

                        *out = realloc(*out, k + strlen(w) + strlen(suffix) + 2);
                        assert_non_null(*out);
                        sprintf(*out + k, " %s%s", w, suffix);
                        r = 0;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The directives with every group of SystemCallFilter= and SystemCallLog= replaced by systemd
 * 252's own membership: megafilter's groups are upstream's (newer: @sandbox, seccomp in
 * @system-service, …), and this test is about how the filters are built, not about that data. */
static char *with_groups_of_252(const char *directives, const char *runtime_dir) {
        _cleanup_free_ char *copy = strdup(directives);
        char *out = strdup(""), *saveptr = NULL;

        assert_non_null(copy);
        assert_non_null(out);
        for (char *line = strtok_r(copy, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr)) {
                bool list = strncmp(line, "SystemCallFilter=", 17) == 0 || strncmp(line, "SystemCallLog=", 14) == 0;
                char *value = strchr(line, '=') + 1, *wsave = NULL;
                size_t k = strlen(out);

                out = realloc(out, k + (size_t) (value - line) + 2);
                assert_non_null(out);
                memcpy(out + k, line, (size_t) (value - line));
                out[k + (size_t) (value - line)] = 0;
                if (list && *value == '~') {
                        strcat(out, "~");
                        value++;
                }
                for (char *w = strtok_r(value, " ", &wsave); w; w = strtok_r(NULL, " ", &wsave)) {
                        if (list && *w == '@') {
                                char *colon = strchr(w, ':');
                                _cleanup_free_ char *suffix = strdup(colon ? colon : "");

                                if (colon)
                                        *colon = 0;
                                assert_int_equal(expand_group_252(w, suffix, runtime_dir, &out, &k), 0);
                        } else {
                                k = strlen(out);
                                out = realloc(out, k + strlen(w) + 2);
                                assert_non_null(out);
                                sprintf(out + k, " %s", w);
                        }
                }
                k = strlen(out);
                out = realloc(out, k + 2);
                assert_non_null(out);
                strcpy(out + k, "\n");
        }
        return out;
}

static bool has_word(const char *text, const char *word) {
        size_t n = strlen(word);

        for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
                if ((p == text || strchr(" ~\n=", p[-1])) && strchr(" \n:", p[n] ? p[n] : ' '))
                        return true;
        return false;
}

typedef struct DefaultCtx {
        Directives *d;
        const char *text, *default_252;
} DefaultCtx;

static int drop_newer_default(const char *name, void *userdata) {
        DefaultCtx *c = userdata;
        int id = syscall_from_name(name);

        if (id >= 0 && c->d->syscall_filter.action[id] == SYSCALL_DEFAULT &&
            !has_word(c->default_252, name) && !has_word(c->text, name))
                c->d->syscall_filter.action[id] = SYSCALL_ABSENT;
        return 0;
}

static void live_case(Manager *m, const char *name, const char *directives) {
        _cleanup_free_ char *expanded = with_groups_of_252(directives, m->dir);
        _cleanup_(directives_freep) Directives *d = directives_from_text(expanded);
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_free_ char *copy = strdup(directives);
        CompileOptions co = COMPILE_OPTIONS_DEFAULT;
        char *argv[64], out[64], *saveptr = NULL;
        size_t argc = 0, n_base = 0, n_live = 0, identical = 0;
        BpfProgram *base = NULL, *live = NULL;
        BaselineInfo info;
        long pid;
        int r;

        assert_non_null(copy);
        if (d->syscall_filter.allow_list) {
                /* An allow-list implies @default: systemd 252's, not upstream's. */
                _cleanup_free_ char *default_252 = strdup("");

                assert_int_equal(expand_group_252("@default", "", m->dir, &default_252, &(size_t) {0}), 0);
                syscall_set_foreach(syscall_set_find("@default"), drop_newer_default,
                                    &(DefaultCtx) { d, expanded, default_252 });
        }
        argv[argc++] = (char *) "systemd-run";
        argv[argc++] = (char *) "--user";
        argv[argc++] = (char *) "-q";
        argv[argc++] = (char *) "--unit";
        argv[argc++] = (char *) name;
        for (char *line = strtok_r(copy, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr)) {
                argv[argc++] = (char *) "-p";
                argv[argc++] = line;
        }
        argv[argc++] = (char *) "sleep";
        argv[argc++] = (char *) "60";
        argv[argc] = NULL;
        assert_int_equal(run_wait(argv, m->dir, NULL, 0), 0);

        {
                char *show[] = { (char *) "systemctl", (char *) "--user", (char *) "show", (char *) "-P", (char *) "MainPID",
                                 (char *) name, NULL };
                assert_int_equal(run_wait(show, m->dir, out, sizeof out), 0);
                pid = strtol(out, NULL, 10);
        }
        if (pid <= 0) {
                /* It did not start: a namespace the host cannot give (226) is the host's matter,
                 * anything else the test's. */
                char *show[] = { (char *) "systemctl", (char *) "--user", (char *) "show", (char *) "-P", (char *) "ExecMainStatus",
                                 (char *) name, NULL };
                long status;

                assert_int_equal(run_wait(show, m->dir, out, sizeof out), 0);
                status = strtol(out, NULL, 10);
                if (status == 226) {
                        print_message("%s: systemd cannot set up its mount namespace here (226/NAMESPACE), skipping\n", name);
                        skip();
                }
                fail_msg("%s: the service did not start (ExecMainStatus=%ld)", name, status);
        }
        /* Wait until the service runs sleep: its filters are in place by then. */
        for (int i = 0; i < 100; i++) {
                _cleanup_free_ char *exe = NULL;
                char target[PATH_MAX] = "";

                assert_true(asprintf(&exe, "/proc/%ld/exe", pid) > 0);
                if (readlink(exe, target, sizeof target - 1) > 0 && strstr(target, "sleep"))
                        break;
                usleep(20 * 1000);
        }

        r = filters_of((pid_t) pid, (size_t) filters_attached_to(m->pid), &live, &n_live);
        {
                char *stop[] = { (char *) "systemctl", (char *) "--user", (char *) "stop", (char *) name, NULL };
                (void) run_wait(stop, m->dir, NULL, 0);
        }
        if (r == -EPERM || r == -EACCES || r == -EINVAL) {
                print_message("%s: cannot read the service's filters (%s), counting only\n", name, strerror(-r));
                live = NULL;
        } else
                assert_int_equal(r, 0);

        assert_int_equal(baseline_build(d, &baseline_options, NULL, &base, &n_base, &info), 0);
        co.mdwe = MDWE_SECCOMP;
        co.personality = PER_LINUX;
        assert_int_equal(sandbox_compile(d, &co, NULL, &s), 0);

        if (live) {
                size_t insns = 0;

                for (size_t i = 0; i < n_live; i++)
                        insns += live[i].n;
                print_message("%s: %zu instructions in systemd 252's filters\n", name, insns);
                assert_int_equal(n_live, n_base);
                for (size_t i = 0; i < n_base; i++) {
                        if (live[i].n == base[i].n && memcmp(live[i].insns, base[i].insns, base[i].n * sizeof(struct sock_filter)) == 0) {
                                identical++;
                                continue;
                        }
                        /* Not byte-identical (libseccomp's output depends on the order rules were
                         * added, and systemd adds them in hash table order): same verdicts. */
                        if (filter_verdicts_differ(&live[i], &base[i], s->policy) > 0) {
                                _cleanup_free_ char *l1 = bpf_disassemble(live[i].insns, live[i].n, info.filter[i].abi);
                                _cleanup_free_ char *l2 = bpf_disassemble(base[i].insns, base[i].n, info.filter[i].abi);

                                print_message("systemd's:\n%s\nthe baseline's:\n%s\n", l1, l2);
                                fail_msg("%s: filter %zu (%s) decides differently from systemd's", name, i, base[i].name);
                        }
                }
                print_message("%s: systemd 252 attached %zu filters, the baseline builds %zu; %zu byte-identical%s\n",
                              name, n_live, n_base, identical, identical < n_base ? ", the others decide alike" : "");
        }
        bpf_programs_free(live, n_live);
        bpf_programs_free(base, n_base);
}

static int live_setup(void **state) {
        Manager *m = calloc(1, sizeof(Manager));

        if (!m)
                return -1;
        m->nodes = geteuid() == 0 ? runtime_nodes("acquire") : 77;
        if (m->nodes == 0 && !manager_start(m)) {
                manager_stop(m);
                m->pid = 0;
        }
        *state = m;
        return 0;
}

static int live_teardown(void **state) {
        Manager *m = *state;

        if (m->pid > 0)
                manager_stop(m);
        if (m->nodes == 0)
                (void) runtime_nodes("release");
        free(m);
        return 0;
}

static void test_live_systemd(void **state) {
        Manager *m = *state;

        if (geteuid() != 0) {
                print_message("not root: cannot read a service's filters, skipping\n");
                skip();
        }
        if (m->nodes != 0) {
                print_message("could not create /run/systemd/inaccessible (systemd-runtime-nodes.sh: %d), skipping\n", m->nodes);
                skip();
        }
        if (m->pid <= 0) {
                print_message("could not start systemd --user, skipping\n");
                skip();
        }
        live_case(m, "megafilter-diff-typical.service",
                  "SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\nSystemCallArchitectures=native\n"
                  "SystemCallErrorNumber=EPERM\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nRestrictNamespaces=yes\n"
                  "MemoryDenyWriteExecute=yes\nLockPersonality=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes");
        live_case(m, "megafilter-diff-more.service",
                  "SystemCallFilter=~@mount:EACCES @swap reboot:kill\nSystemCallLog=@clock\nRestrictNamespaces=~user net\n"
                  "RestrictAddressFamilies=~AF_PACKET\nProtectKernelModules=yes\nProtectClock=yes\nPrivateDevices=yes\n"
                  "ProtectHostname=yes\nProtectKernelLogs=yes\nProtectKernelTunables=yes");
        live_case(m, "megafilter-diff-allow.service",
                  "SystemCallFilter=@basic-io @file-system @process @signal uname\nSystemCallFilter=~@mount:EPERM\n"
                  "SystemCallErrorNumber=EACCES\nSystemCallArchitectures=x86\nLockPersonality=yes\nMemoryDenyWriteExecute=yes\n"
                  "RestrictAddressFamilies=AF_NETLINK\nRestrictRealtime=yes\nRestrictSUIDSGID=yes");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_filter_counts),
                cmocka_unit_test(test_synthetic),
                cmocka_unit_test(test_example_units),
                cmocka_unit_test(test_system_units),
                cmocka_unit_test(test_kernel),
                cmocka_unit_test_setup_teardown(test_live_systemd, live_setup, live_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
