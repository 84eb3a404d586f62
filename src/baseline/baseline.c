/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* systemd 252's filters, built with libseccomp as systemd builds them: see baseline.h.
 * The facts (which rules, which ABIs are skipped, which failures are tolerated) follow systemd
 * 252's src/core/execute.c and src/shared/seccomp-util.c (Debian's 252.39, which also filters
 * fchmodat2). */

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "af-name.h"
#include "baseline.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "syscall-set.h"
#include "syscall-table.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif

typedef struct Baseline {
        const Directives *d;
        Diag *diag;
        Abi native;
        bool mdwe_prctl;
        unsigned long persona;
        bool load;                      /* seccomp_load() each context instead of exporting it */

        Abi order[_ABI_MAX];            /* the ABIs the host runs, in systemd's order: native last */
        size_t n_order;
        AbiSet blocked;                 /* by SystemCallArchitectures=, once its filter is in */

        BpfProgram *progs;
        size_t n_progs, allocated;
        BaselineInfo *info;
} Baseline;

static void scmp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}
#define _cleanup_scmp_ _cleanup_(scmp_releasep)

static uint32_t scmp_arch(Abi abi) {
        return seccomp_arch_resolve_name(abi_info[abi].libseccomp_name);
}

static uint32_t scmp_errno(int e) {
        return SCMP_ACT_ERRNO((uint32_t) e);
}

/* libseccomp's number for a syscall name, as systemd resolves names: in the native ABI's number
 * space (libseccomp translates it for other ABIs), __NR_SCMP_ERROR if libseccomp does not know
 * the name. */
static int scmp_nr(const char *name) {
        return seccomp_syscall_resolve_name(name);
}

/* For the few calls systemd names with SCMP_SYS() at compile time: when libseccomp has no name
 * for them, systemd's own syscall headers still give the native number. */
static int scmp_nr_compiled(const Baseline *b, const char *name) {
        int nr = scmp_nr(name);
        int id;

        if (nr != __NR_SCMP_ERROR || scmp_arch(b->native) != seccomp_arch_native())
                return nr;
        id = syscall_from_name(name);
        if (id < 0 || syscall_nr(b->native, id) == SYSCALL_NR_NONE)
                return __NR_SCMP_ERROR;
        return (int) syscall_nr(b->native, id);
}

/* seccomp_init_for_arch(): a context for one ABI, bad-arch action ALLOW, no no_new_privs. */
static int context_new(const Baseline *b, Abi abi, uint32_t default_action, scmp_filter_ctx *ret) {
        _cleanup_scmp_ scmp_filter_ctx ctx = NULL;
        uint32_t arch = scmp_arch(abi);
        int r;

        if (arch == 0)
                return -EOPNOTSUPP;
        ctx = seccomp_init(default_action);
        if (!ctx)
                return -ENOMEM;
        if (arch != seccomp_arch_native()) {
                r = seccomp_arch_remove(ctx, seccomp_arch_native());
                if (r < 0)
                        return r;
                r = seccomp_arch_add(ctx, arch);
                if (r < 0)
                        return r;
        }
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
        if (r < 0)
                return r;
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ctx);
        return 0;
}

static int export_context(scmp_filter_ctx ctx, BpfProgram *p) {
        _cleanup_close_ int fd = -1;
        off_t size;
        int r;

        fd = memfd_create("libseccomp-baseline", MFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        size = lseek(fd, 0, SEEK_END);
        if (size < 0)
                return negative_errno();
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return -EFAULT;
        p->insns = malloc(size);
        if (!p->insns)
                return -ENOMEM;
        if (pread(fd, p->insns, size, 0) != size)
                return -EIO;
        p->n = p->allocated = (size_t) size / sizeof(struct sock_filter);
        return 0;
}

/* The context for (layer, abi) is complete: load it, or export it as the next program. */
static int context_done(Baseline *b, PolicyLayer layer, Abi abi, scmp_filter_ctx ctx) {
        BpfProgram p = {};
        int r;

        if (b->info) {
                if (b->info->n >= BASELINE_FILTERS_MAX)
                        return -E2BIG;
                b->info->filter[b->info->n++] = (BaselineFilter) { layer, abi };
        }

        if (b->load) {
                r = seccomp_load(ctx);
                if (r < 0)
                        return diag_log(b->diag, DIAG_ERROR, NULL, r, "%s: failed to load the filter for %s: %m",
                                        policy_layer_to_directive(layer), abi_to_name(abi));
                return 0;
        }

        if (!GREEDY_REALLOC(b->progs, b->allocated, b->n_progs + 1))
                return -ENOMEM;
        r = export_context(ctx, &p);
        if (r >= 0 && asprintf(&p.name, "%s/%s", policy_layer_to_directive(layer), abi_to_name(abi)) < 0) {
                p.name = NULL;
                r = -ENOMEM;
        }
        if (r < 0) {
                bpf_program_done(&p);
                return r;
        }
        b->progs[b->n_progs++] = p;
        return 0;
}

static int skip_abi(Baseline *b, PolicyLayer layer, Abi abi, const char *call, int r) {
        diag_log(b->diag, DIAG_DEBUG, NULL, r, "%s: cannot add the %s() rule for %s, skipping the ABI: %m",
                 policy_layer_to_directive(layer), call, abi_to_name(abi));
        return 0;
}

#define FOREACH_ABI(b, abi)                                                    \
        for (size_t _i = 0; _i < (b)->n_order; _i++)                           \
                for (Abi abi = (b)->order[_i]; abi != _ABI_INVALID; abi = _ABI_INVALID) \
                        if (!((b)->blocked & ABI_BIT(abi)))

/* ---- ProtectHostname=, ProtectKernelTunables=, ProtectKernelLogs=: named calls get EPERM ---- */

static int names_filter(Baseline *b, PolicyLayer layer, const char *const *names, AbiSet skip) {
        int r;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;
                bool skipped = false;

                if (skip & ABI_BIT(abi))
                        continue;
                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;
                for (const char *const *n = names; *n && !skipped; n++) {
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr_compiled(b, *n), 0);
                        if (r < 0)
                                skipped = !skip_abi(b, layer, abi, *n, r);
                }
                if (skipped)
                        continue;
                r = context_done(b, layer, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- ProtectKernelModules=, ProtectClock=, PrivateDevices=: a group gets EPERM ---- */

typedef struct GroupCtx {
        Baseline *b;
        scmp_filter_ctx ctx;
        uint32_t action;
} GroupCtx;

static int set_member_rule(const char *name, void *userdata) {
        GroupCtx *g = userdata;
        int nr = scmp_nr(name), r;

        if (nr == __NR_SCMP_ERROR)
                return 0;               /* systemd: "not known, ignoring" */
        r = seccomp_rule_add_exact(g->ctx, g->action, nr, 0);
        return r == -EDOM ? 0 : r;      /* not on this ABI: fine */
}

static int group_filter(Baseline *b, PolicyLayer layer, SyscallSetId set) {
        int r;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;

                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;
                r = syscall_set_foreach(&syscall_sets[set], set_member_rule,
                                        &(GroupCtx) { b, ctx, scmp_errno(EPERM) });
                if (r < 0)
                        return diag_log(b->diag, DIAG_ERROR, NULL, r, "%s: cannot add the %s rules for %s: %m",
                                        policy_layer_to_directive(layer), syscall_sets[set].name, abi_to_name(abi));
                r = context_done(b, layer, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- RestrictAddressFamilies= ---- */

/* The ABIs without socketcall() multiplexing that systemd 252 lists. */
static bool abi_filters_socket(Abi abi) {
        return abi_info[abi].systemd_252 && abi_info[abi].socket_by_family;
}

static int socket_rule(scmp_filter_ctx ctx, unsigned n, enum scmp_compare op, int af) {
        if (n == 0)
                return seccomp_rule_add_exact(ctx, scmp_errno(EAFNOSUPPORT), scmp_nr("socket"), 0);
        return seccomp_rule_add_exact(ctx, scmp_errno(EAFNOSUPPORT), scmp_nr("socket"), 1,
                                      SCMP_A0(op, (scmp_datum_t) af));
}

static int address_families_rules(const AddressFamilies *a, scmp_filter_ctx ctx) {
        int first = 0, last = 0, r;

        if (!a->allow_list) {
                for (int af = 0; af < af_max(); af++)
                        if (a->family[af]) {
                                r = socket_rule(ctx, 1, SCMP_CMP_EQ, af);
                                if (r < 0)
                                        return r;
                        }
                return 0;
        }

        for (int af = 1; af < af_max(); af++)
                if (a->family[af]) {
                        if (first == 0)
                                first = af;
                        last = af;
                }
        if (first == 0)
                return socket_rule(ctx, 0, 0, 0);

        r = socket_rule(ctx, 1, SCMP_CMP_LT, first);
        if (r >= 0)
                r = socket_rule(ctx, 1, SCMP_CMP_GT, last);
        for (int af = 1; r >= 0 && af < af_max(); af++)
                if (!a->family[af])
                        r = socket_rule(ctx, 1, SCMP_CMP_EQ, af);
        return r;
}

static int address_families_filters(Baseline *b) {
        int r;

        if (!b->d->address_families_set)
                return 0;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;

                if (!abi_filters_socket(abi))
                        continue;
                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;
                r = address_families_rules(&b->d->address_families, ctx);
                if (r < 0) {
                        skip_abi(b, LAYER_ADDRESS_FAMILIES, abi, "socket", r);
                        continue;
                }
                r = context_done(b, LAYER_ADDRESS_FAMILIES, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- MemoryDenyWriteExecute= ---- */

/* Which mmap() flavour each ABI has, and whether shmat() is a call of its own there; systemd 252
 * leaves MIPS, PA-RISC and the ABIs it does not know alone. */
static bool mdwe_calls(Abi abi, const char **filter, const char **block, bool *shmat) {
        const AbiInfo *i = &abi_info[abi];

        *filter = i->mmap_prot;
        *block = i->mmap_old;
        *shmat = i->shmat_call;
        return i->systemd_252 && i->mmap_prot;
}

static int mdwe_filters(Baseline *b) {
        int r;

        if (!b->d->memory_deny_write_execute.value || b->mdwe_prctl)
                return 0;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;
                const char *filter, *block, *failed = NULL;
                bool shmat;

                if (!mdwe_calls(abi, &filter, &block, &shmat))
                        continue;
                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;

                r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr(filter), 1,
                                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC | PROT_WRITE, PROT_EXEC | PROT_WRITE));
                if (r < 0)
                        failed = filter;
                if (!failed && block) {
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr(block), 0);
                        if (r < 0)
                                failed = block;
                }
                if (!failed) {
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("mprotect"), 1,
                                                   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
                        if (r < 0)
                                failed = "mprotect";
                }
                if (!failed) {
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("pkey_mprotect"), 1,
                                                   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
                        if (r < 0)
                                failed = "pkey_mprotect";
                }
                if (!failed && shmat) {
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("shmat"), 1,
                                                   SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC));
                        if (r < 0)
                                failed = "shmat";
                }
                if (failed) {
                        skip_abi(b, LAYER_MEMORY_DENY_WRITE_EXECUTE, abi, failed, r);
                        continue;
                }
                r = context_done(b, LAYER_MEMORY_DENY_WRITE_EXECUTE, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- RestrictRealtime= ---- */

static int realtime_filters(Baseline *b) {
        /* Allowed: SCHED_OTHER, SCHED_BATCH, SCHED_IDLE. Below the largest of them, the others are
         * refused one by one; above it, everything. */
        static const int refused[] = { SCHED_FIFO, SCHED_RR, 4 /* SCHED_ISO */ };
        int r;

        if (!b->d->restrict_realtime.value)
                return 0;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;

                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("sched_setscheduler"), 1,
                                                   SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t) refused[i]));
                        if (r < 0)      /* systemd logs and goes on with the next policy */
                                diag_log(b->diag, DIAG_DEBUG, NULL, r, "RestrictRealtime=: cannot add a rule for %s: %m",
                                         abi_to_name(abi));
                }
                r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("sched_setscheduler"), 1,
                                           SCMP_A1(SCMP_CMP_GT, SCHED_IDLE));
                if (r < 0) {
                        skip_abi(b, LAYER_RESTRICT_REALTIME, abi, "sched_setscheduler", r);
                        continue;
                }
                r = context_done(b, LAYER_RESTRICT_REALTIME, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- RestrictSUIDSGID= ---- */

static bool sxid_rules(Baseline *b, scmp_filter_ctx ctx, Abi abi, mode_t m) {
        static const struct {
                const char *name;
                unsigned mode_arg;
                int flags_arg;          /* -1: no flags; else O_CREAT must be set there */
        } calls[] = {
                { "chmod", 1, -1 },     { "fchmod", 1, -1 },    { "fchmodat", 2, -1 },
                { "fchmodat2", 2, -1 }, { "mkdir", 1, -1 },     { "mkdirat", 2, -1 },
                { "mknod", 1, -1 },     { "mknodat", 2, -1 },   { "open", 2, 1 },
                { "openat", 3, 2 },     { "creat", 1, -1 },
        };
        bool any = false;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                int nr = scmp_nr_compiled(b, calls[i].name);

                if (calls[i].flags_arg >= 0)
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), nr, 2,
                                                   SCMP_CMP((unsigned) calls[i].flags_arg, SCMP_CMP_MASKED_EQ,
                                                            abi_info[abi].o_creat, abi_info[abi].o_creat),
                                                   SCMP_CMP(calls[i].mode_arg, SCMP_CMP_MASKED_EQ, m, m));
                else
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), nr, 1,
                                                   SCMP_CMP(calls[i].mode_arg, SCMP_CMP_MASKED_EQ, m, m));
                if (r < 0)
                        diag_log(b->diag, DIAG_DEBUG, NULL, r, "RestrictSUIDSGID=: no %s() rule for %s: %m",
                                 calls[i].name, abi_to_name(abi));
                else
                        any = true;
        }

        /* openat2() keeps its flags in memory: ENOSYS, so that callers fall back to openat(). */
        r = seccomp_rule_add_exact(ctx, scmp_errno(ENOSYS), scmp_nr_compiled(b, "openat2"), 0);
        if (r < 0)
                diag_log(b->diag, DIAG_DEBUG, NULL, r, "RestrictSUIDSGID=: no openat2() rule for %s: %m", abi_to_name(abi));
        else
                any = true;
        return any;
}

static int suid_sgid_filters(Baseline *b) {
        int r;

        if (!b->d->restrict_suid_sgid.value)
                return 0;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;
                bool suid, sgid;

                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;
                suid = sxid_rules(b, ctx, abi, S_ISUID);
                sgid = sxid_rules(b, ctx, abi, S_ISGID);
                if (!suid && !sgid)
                        continue;
                r = context_done(b, LAYER_RESTRICT_SUID_SGID, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- RestrictNamespaces= ---- */

static int namespaces_rules(Baseline *b, scmp_filter_ctx ctx, Abi abi, unsigned long retain, const char **ret_failed) {
        const unsigned long all = namespace_flags_all();
        const unsigned clone_arg = abi_info[abi].clone_flags_arg;     /* s390 swaps the first two */
        int r;

        /* clone3() keeps its flags in memory: ENOSYS, so that libc falls back to clone(). */
        r = seccomp_rule_add_exact(ctx, scmp_errno(ENOSYS), scmp_nr_compiled(b, "clone3"), 0);
        if (r < 0)
                diag_log(b->diag, DIAG_DEBUG, NULL, r, "RestrictNamespaces=: no clone3() rule for %s: %m", abi_to_name(abi));

        *ret_failed = "setns";
        if ((retain & all) == 0)
                r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("setns"), 0);
        else
                r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("setns"), 1, SCMP_A1(SCMP_CMP_EQ, 0));
        if (r < 0)
                return r;

        for (const NamespaceInfo *ns = namespace_info; ns->name; ns++) {
                const scmp_datum_t f = ns->clone_flag;

                if ((retain & f) == f)
                        continue;

                *ret_failed = "unshare";
                r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("unshare"), 1,
                                           SCMP_A0(SCMP_CMP_MASKED_EQ, f, f));
                if (r < 0)
                        return r;
                *ret_failed = "clone";
                r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("clone"), 1,
                                           SCMP_CMP(clone_arg, SCMP_CMP_MASKED_EQ, f, f));
                if (r < 0)
                        return r;
                if ((retain & all) != 0) {
                        *ret_failed = "setns";
                        r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("setns"), 1,
                                                   SCMP_A1(SCMP_CMP_MASKED_EQ, f, f));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int namespaces_filters(Baseline *b) {
        unsigned long retain = b->d->restrict_namespaces;
        int r;

        if (!directives_restrict_namespaces_set(b->d) ||
            (retain & namespace_flags_all()) == namespace_flags_all())
                return 0;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;
                const char *failed = NULL;

                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;
                r = namespaces_rules(b, ctx, abi, retain, &failed);
                if (r < 0) {
                        skip_abi(b, LAYER_RESTRICT_NAMESPACES, abi, failed, r);
                        continue;
                }
                r = context_done(b, LAYER_RESTRICT_NAMESPACES, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- SystemCallArchitectures= ---- */

static int archs_filter(Baseline *b) {
        const Directives *d = b->d;
        _cleanup_scmp_ scmp_filter_ctx ctx = NULL;
        AbiSet blocked = 0, listed = d->syscall_archs | (d->syscall_archs_native ? ABI_BIT(b->native) : 0), kept = 0;
        int r;

        if (d->syscall_archs == 0 && !d->syscall_archs_native)
                return 0;
        ABI_SET_FOREACH(a, listed)
                kept |= abi_info[a].keeps;

        /* One context without rules whose bad-arch action, libseccomp's default KILL_THREAD, kills
         * every ABI it does not list. The native ABI is always listed: systemd never blocks it. */
        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        if (scmp_arch(b->native) != seccomp_arch_native()) {
                r = seccomp_arch_remove(ctx, seccomp_arch_native());
                if (r >= 0)
                        r = seccomp_arch_add(ctx, scmp_arch(b->native));
                if (r < 0)
                        return r;
        }
        FOREACH_ABI(b, abi) {
                bool block;

                if (abi == b->native)
                        continue;
                /* On an x32 host, x86-64 calls stay allowed with x32: its vDSO needs them. */
                block = !(d->syscall_archs & ABI_BIT(abi)) && !(kept & ABI_BIT(abi));
                if (block)
                        blocked |= ABI_BIT(abi);
                else {
                        r = seccomp_arch_add(ctx, scmp_arch(abi));
                        if (r < 0 && r != -EEXIST)
                                return r;
                }
        }
        if (blocked == 0)
                return 0;               /* nothing new to block: systemd loads no filter */

        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return r;
        r = context_done(b, LAYER_SYSCALL_ARCHITECTURES, b->native, ctx);
        if (r < 0)
                return r;
        b->blocked |= blocked;
        return 0;
}

/* ---- LockPersonality= ---- */

static int personality_filters(Baseline *b) {
        int r;

        if (!b->d->lock_personality.value)
                return 0;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;

                r = context_new(b, abi, SCMP_ACT_ALLOW, &ctx);
                if (r < 0)
                        return r;
                r = seccomp_rule_add_exact(ctx, scmp_errno(EPERM), scmp_nr("personality"), 1,
                                           SCMP_A0(SCMP_CMP_NE, (scmp_datum_t) b->persona));
                if (r < 0) {
                        skip_abi(b, LAYER_LOCK_PERSONALITY, abi, "personality", r);
                        continue;
                }
                r = context_done(b, LAYER_LOCK_PERSONALITY, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- SystemCallLog=, SystemCallFilter=: seccomp_load_syscall_filter_set_raw() ---- */

static uint32_t list_entry_action(int32_t entry, uint32_t action) {
        if (entry == ERRNO_KILL)
                return SCMP_ACT_KILL_PROCESS;
        if (action == SCMP_ACT_LOG)
                return SCMP_ACT_LOG;
        if (entry >= 0)
                return scmp_errno(entry);
        return action;
}

static int list_filters(Baseline *b, PolicyLayer layer, const SyscallList *l, uint32_t default_action, uint32_t action) {
        bool any = false;
        int r;

        if (!syscall_list_active(l))
                return 0;

        /* systemd's parser keeps only names libseccomp resolves. */
        for (size_t id = 0; id < syscall_count(); id++) {
                if (l->action[id] == SYSCALL_ABSENT)
                        continue;
                if (scmp_nr(syscall_name((int) id)) == __NR_SCMP_ERROR) {
                        diag_log(b->diag, DIAG_DEBUG, &l->loc[id], 0, "%s: libseccomp does not know %s(), ignoring.",
                                 policy_layer_to_directive(layer), syscall_name((int) id));
                        if (b->info)
                                b->info->n_dropped++;
                } else
                        any = true;
        }
        if (!any && default_action == SCMP_ACT_ALLOW)
                return 0;

        FOREACH_ABI(b, abi) {
                _cleanup_scmp_ scmp_filter_ctx ctx = NULL;

                r = context_new(b, abi, default_action, &ctx);
                if (r < 0)
                        return r;
                for (size_t id = 0; id < syscall_count(); id++) {
                        int nr;

                        if (l->action[id] == SYSCALL_ABSENT)
                                continue;
                        nr = scmp_nr(syscall_name((int) id));
                        if (nr == __NR_SCMP_ERROR)
                                continue;
                        r = seccomp_rule_add_exact(ctx, list_entry_action(l->action[id], action), nr, 0);
                        if (r == -EDOM)
                                continue;       /* not on this ABI: fine */
                        if (r < 0)
                                return diag_log(b->diag, DIAG_ERROR, &l->loc[id], r,
                                                "%s: cannot add the %s() rule for %s: %m",
                                                policy_layer_to_directive(layer), syscall_name((int) id), abi_to_name(abi));
                }
                r = context_done(b, layer, abi, ctx);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int syscall_log_filters(Baseline *b) {
        const SyscallList *l = &b->d->syscall_log;

        /* An allow-list logs only what it lists; a deny-list logs everything else. */
        return l->allow_list ?
                list_filters(b, LAYER_SYSCALL_LOG, l, SCMP_ACT_ALLOW, SCMP_ACT_LOG) :
                list_filters(b, LAYER_SYSCALL_LOG, l, SCMP_ACT_LOG, SCMP_ACT_ALLOW);
}

static int syscall_filter_filters(Baseline *b) {
        const Directives *d = b->d;
        uint32_t negative = d->syscall_errno == ERRNO_KILL ? SCMP_ACT_KILL_PROCESS : scmp_errno(d->syscall_errno);

        return d->syscall_filter.allow_list ?
                list_filters(b, LAYER_SYSCALL_FILTER, &d->syscall_filter, negative, SCMP_ACT_ALLOW) :
                list_filters(b, LAYER_SYSCALL_FILTER, &d->syscall_filter, SCMP_ACT_ALLOW, negative);
}

/* ---- driver ---- */

static int baseline_init(Baseline *b, const Directives *d, const BaselineOptions *o, Diag *diag) {
        *b = (Baseline) { .d = d, .diag = diag };

        b->native = o && o->native != _ABI_INVALID ? o->native : abi_native();
        if (b->native < 0 || b->native >= _ABI_MAX || scmp_arch(b->native) == 0)
                return -EINVAL;

        switch (o ? o->mdwe : MDWE_SECCOMP) {
        case MDWE_SECCOMP:
                break;
        case MDWE_PRCTL:
                b->mdwe_prctl = true;
                break;
        case MDWE_AUTO:
                b->mdwe_prctl = b->native == abi_native() && mdwe_prctl_supported();
                break;
        default:
                return -EINVAL;
        }

        b->persona = d->personality != PERSONALITY_INVALID ? d->personality :
                o && o->personality != PERSONALITY_INVALID ? o->personality : current_persona();

        /* systemd's seccomp_local_archs: the other ABIs first, the native one last. */
        ABI_SET_FOREACH(a, abi_info[b->native].host_abis)
                if (a != b->native)
                        b->order[b->n_order++] = a;
        b->order[b->n_order++] = b->native;
        return 0;
}

static int baseline_run(Baseline *b) {
        static const char *const hostname[] = { "sethostname", "setdomainname", NULL };
        static const char *const sysctl[] = { "_sysctl", NULL };
        static const char *const syslog[] = { "syslog", NULL };
        const Directives *d = b->d;
        int r = 0;

        /* systemd 252's exec_child() order; ProtectHostname= comes with the namespace setup, before
         * the others. */
        if (d->protect_hostname.value)
                r = names_filter(b, LAYER_PROTECT_HOSTNAME, hostname, 0);
        if (r >= 0)
                r = address_families_filters(b);
        if (r >= 0)
                r = mdwe_filters(b);
        if (r >= 0)
                r = realtime_filters(b);
        if (r >= 0)
                r = suid_sgid_filters(b);
        if (r >= 0)
                r = namespaces_filters(b);
        if (r >= 0 && d->protect_kernel_tunables.value)
                /* No _sysctl() there. */
                r = names_filter(b, LAYER_PROTECT_KERNEL_TUNABLES, sysctl,
                                 ABI_BIT(ABI_AARCH64) | ABI_BIT(ABI_RISCV64) | ABI_BIT(ABI_X32));
        if (r >= 0 && d->protect_kernel_modules.value)
                r = group_filter(b, LAYER_PROTECT_KERNEL_MODULES, SYSCALL_SET_MODULE);
        if (r >= 0 && d->protect_kernel_logs.value)
                r = names_filter(b, LAYER_PROTECT_KERNEL_LOGS, syslog, 0);
        if (r >= 0 && d->protect_clock.value)
                r = group_filter(b, LAYER_PROTECT_CLOCK, SYSCALL_SET_CLOCK);
        if (r >= 0 && d->private_devices.value)
                r = group_filter(b, LAYER_PRIVATE_DEVICES, SYSCALL_SET_RAW_IO);
        if (r >= 0)
                r = archs_filter(b);
        if (r >= 0)
                r = personality_filters(b);
        if (r >= 0)
                r = syscall_log_filters(b);
        if (r >= 0)
                /* Last: as close to execve() as possible. */
                r = syscall_filter_filters(b);
        return r;
}

int baseline_build(const Directives *d, const BaselineOptions *o, Diag *diag,
                           BpfProgram **ret_progs, size_t *ret_n, BaselineInfo *ret_info) {
        Baseline b;
        int r;

        if (!d || !ret_progs || !ret_n)
                return -EINVAL;
        r = baseline_init(&b, d, o, diag);
        if (r < 0)
                return r;
        if (ret_info) {
                *ret_info = (BaselineInfo) { .mdwe_prctl = b.mdwe_prctl && d->memory_deny_write_execute.value };
                b.info = ret_info;
        }

        r = baseline_run(&b);
        if (r < 0) {
                bpf_programs_free(b.progs, b.n_progs);
                if (ret_info)
                        ret_info->n = 0;
                return r;
        }
        *ret_progs = b.progs;
        *ret_n = b.n_progs;
        return 0;
}

static bool have_cap_sys_admin(void) {
        /* The effective set from /proc/self/status: good enough here, and no libcap. */
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        unsigned long long eff;

        if (!f)
                return false;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "CapEff: %llx", &eff) == 1)
                        return eff & (1ULL << 21 /* CAP_SYS_ADMIN */);
        return false;
}

int baseline_install(const Directives *d, const BaselineOptions *o) {
        Baseline b;
        int r;

        if (!d)
                return -EINVAL;
        r = baseline_init(&b, d, o, NULL);
        if (r < 0)
                return r;
        if (b.native != abi_native())
                return -EOPNOTSUPP;
        b.load = true;

        if ((d->no_new_privileges.value || (directives_use_seccomp(d) && !have_cap_sys_admin())) &&
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -EACCES;
        if (b.mdwe_prctl && d->memory_deny_write_execute.value && prctl(PR_SET_MDWE, 1, 0, 0, 0) < 0)
                return negative_errno();

        return baseline_run(&b);
}

const char *baseline_filter_directive(const BaselineFilter *f) {
        return f ? policy_layer_to_directive(f->layer) : NULL;
}
