/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What each directive contributes: the filter systemd attaches for it, per ABI, described as a
 * layer. The facts (which calls, which arguments, which ABIs are skipped) follow systemd's
 * seccomp-util.c and execute.c; see megafilter.unit(5). */

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "af-name.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "policy-builder.h"
#include "syscall-set.h"
#include "syscall-table.h"

#define ERRNO_ACTION(e) (SECCOMP_RET_ERRNO | ((uint32_t) (e) & SECCOMP_RET_DATA))

/* ABIs the layers after SystemCallArchitectures= are installed on: systemd skips the ones it
 * has blocked. */
static AbiSet abis_unblocked(const Builder *b) {
        AbiSet s = 0;

        ABI_SET_FOREACH(a, b->policy->abis)
                if (b->policy->abi[a].allowed)
                        s |= ABI_BIT(a);
        return s;
}

/* An unconditional rule whose absence on the ABI is fine (systemd ignores -EDOM). */
static int tolerate_edom(int r) {
        return r == -EDOM ? 0 : r;
}

/* When a rule cannot be added on an ABI, systemd skips that ABI's filter altogether. */
static int rule_or_drop(Builder *b, Abi abi, int r, bool *dropped) {
        if (r == -EDOM) {
                layer_drop_abi(b, abi);
                *dropped = true;
                return 0;
        }
        return r;
}

typedef struct SetCtx {
        Builder *b;
        Abi abi;
        uint32_t action;
        SourceLoc loc;
} SetCtx;

static int set_member(const char *name, void *userdata) {
        SetCtx *c = userdata;

        return tolerate_edom(layer_syscall(c->b, c->abi, name, c->action, c->loc));
}

/* ProtectKernelModules=, ProtectClock=, PrivateDevices=: a whole group gets EPERM. */
static int layer_group(Builder *b, PolicyLayer layer, const BoolSetting *s, SyscallSetId set) {
        int r;

        if (!s->value)
                return 0;

        layer_begin(b, layer, b->policy->abis, SECCOMP_RET_ALLOW, s->loc);
        ABI_SET_FOREACH(abi, b->layer_abis) {
                SetCtx c = { b, abi, ERRNO_ACTION(EPERM), s->loc };

                r = syscall_set_foreach(&syscall_sets[set], set_member, &c);
                if (r < 0)
                        return r;
        }
        return layer_end(b);
}

/* ProtectKernelTunables=, ProtectKernelLogs=, ProtectHostname=: named calls get EPERM; an ABI
 * without one of them gets no filter. */
static int layer_names(Builder *b, PolicyLayer layer, const BoolSetting *s, const char *const *names) {
        int r;

        if (!s->value)
                return 0;

        layer_begin(b, layer, b->policy->abis, SECCOMP_RET_ALLOW, s->loc);
        ABI_SET_FOREACH(abi, b->layer_abis) {
                bool dropped = false;

                for (const char *const *n = names; *n && !dropped; n++) {
                        r = rule_or_drop(b, abi, layer_syscall(b, abi, *n, ERRNO_ACTION(EPERM), s->loc), &dropped);
                        if (r < 0)
                                return r;
                }
        }
        return layer_end(b);
}

/* Only ABIs without socketcall() multiplexing can have socket() filtered by family. */
static bool abi_filters_socket_family(Abi abi) {
        switch (abi) {
        case ABI_X86_64:
        case ABI_X32:
        case ABI_ARM:
        case ABI_AARCH64:
        case ABI_MIPS64:
        case ABI_MIPSEL64:
        case ABI_MIPS64N32:
        case ABI_MIPSEL64N32:
        case ABI_RISCV64:
        case ABI_LOONGARCH64:
                return true;
        default:
                return false;
        }
}

static int address_families_abi(Builder *b, Abi abi) {
        const AddressFamilies *a = &b->directives->address_families;
        const uint32_t action = ERRNO_ACTION(EAFNOSUPPORT);
        bool dropped = false;
        int first = 0, last = 0, r;

#define ADD(n, ...)                                                                               \
        do {                                                                                      \
                ArgCmp _c[] = { __VA_ARGS__ };                                                    \
                r = rule_or_drop(b, abi, layer_rule(b, abi, "socket", action, _c, n, a->where), &dropped); \
                if (r < 0 || dropped)                                                             \
                        return r;                                                                 \
        } while (0)

        if (!a->allow_list) {
                /* A deny-list: each family listed is refused. */
                for (int af = 0; af < af_max(); af++)
                        if (a->family[af])
                                ADD(1, CMP(0, ARG_EQ, af));
                return 0;
        }

        for (int af = 1; af < af_max(); af++)
                if (a->family[af]) {
                        if (first == 0)
                                first = af;
                        last = af;
                }

        if (first == 0) {
                /* Nothing allowed: socket() fails whatever the family. */
                r = rule_or_drop(b, abi, layer_syscall(b, abi, "socket", action, a->where), &dropped);
                return r;
        }

        ADD(1, CMP(0, ARG_LT, first));
        ADD(1, CMP(0, ARG_GT, last));
        for (int af = 1; af < af_max(); af++)
                if (!a->family[af])
                        ADD(1, CMP(0, ARG_EQ, af));
        return 0;
#undef ADD
}

static int layer_address_families(Builder *b) {
        int r;

        if (!b->directives->address_families_set)
                return 0;

        layer_begin(b, LAYER_ADDRESS_FAMILIES, b->policy->abis, SECCOMP_RET_ALLOW, b->directives->address_families.where);
        ABI_SET_FOREACH(abi, b->layer_abis) {
                if (!abi_filters_socket_family(abi)) {
                        layer_drop_abi(b, abi);
                        continue;
                }
                r = address_families_abi(b, abi);
                if (r < 0)
                        return r;
        }
        return layer_end(b);
}

/* Which mmap() flavour each ABI has, and whether shmat() is a call of its own there. */
static bool mdwe_calls(Abi abi, const char **filter, const char **block, bool *shmat) {
        *block = NULL;
        *shmat = false;

        switch (abi) {
        case ABI_X86:
        case ABI_S390:
                *filter = "mmap2";
                *block = "mmap";        /* the old mmap() takes its arguments in memory */
                return true;
        case ABI_PPC:
        case ABI_PPC64:
        case ABI_PPC64LE:
        case ABI_S390X:
                *filter = "mmap";
                return true;
        case ABI_ARM:
                *filter = "mmap2";
                *shmat = true;
                return true;
        case ABI_X86_64:
        case ABI_X32:
        case ABI_AARCH64:
        case ABI_RISCV64:
        case ABI_LOONGARCH64:
                *filter = "mmap";
                *shmat = true;
                return true;
        default:
                return false;           /* MIPS, PA-RISC, …: systemd leaves them alone */
        }
}

static int layer_memory_deny_write_execute(Builder *b) {
        const BoolSetting *s = &b->directives->memory_deny_write_execute;
        const uint32_t action = ERRNO_ACTION(EPERM);
        int r;

        if (!s->value || b->policy->mdwe_prctl)
                return 0;

        layer_begin(b, LAYER_MEMORY_DENY_WRITE_EXECUTE, b->policy->abis, SECCOMP_RET_ALLOW, s->loc);
        ABI_SET_FOREACH(abi, b->layer_abis) {
                const ArgCmp wx = CMP_MASKED(2, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC);
                const ArgCmp x = CMP_MASKED(2, PROT_EXEC, PROT_EXEC);
                const ArgCmp shm = CMP_MASKED(2, SHM_EXEC, SHM_EXEC);
                const char *filter, *block;
                bool shmat, dropped = false;

                if (!mdwe_calls(abi, &filter, &block, &shmat)) {
                        layer_drop_abi(b, abi);
                        continue;
                }

                r = rule_or_drop(b, abi, layer_rule(b, abi, filter, action, &wx, 1, s->loc), &dropped);
                if (r >= 0 && !dropped && block)
                        r = rule_or_drop(b, abi, layer_syscall(b, abi, block, action, s->loc), &dropped);
                if (r >= 0 && !dropped)
                        r = rule_or_drop(b, abi, layer_rule(b, abi, "mprotect", action, &x, 1, s->loc), &dropped);
                if (r >= 0 && !dropped)
                        r = rule_or_drop(b, abi, layer_rule(b, abi, "pkey_mprotect", action, &x, 1, s->loc), &dropped);
                if (r >= 0 && !dropped && shmat)
                        r = rule_or_drop(b, abi, layer_rule(b, abi, "shmat", action, &shm, 1, s->loc), &dropped);
                if (r < 0)
                        return r;
        }
        return layer_end(b);
}

static int layer_restrict_realtime(Builder *b) {
        const BoolSetting *s = &b->directives->restrict_realtime;
        /* SCHED_OTHER (0), SCHED_BATCH (3) and SCHED_IDLE (5) stay; every other policy value,
         * SCHED_DEADLINE and SCHED_RESET_ON_FORK combinations included, is refused. */
        const ArgCmp refused[] = {
                CMP(1, ARG_EQ, SCHED_FIFO),
                CMP(1, ARG_EQ, SCHED_RR),
                CMP(1, ARG_EQ, 4),      /* SCHED_ISO, never implemented */
                CMP(1, ARG_GT, SCHED_IDLE),
        };
        int r;

        if (!s->value)
                return 0;

        layer_begin(b, LAYER_RESTRICT_REALTIME, b->policy->abis, SECCOMP_RET_ALLOW, s->loc);
        ABI_SET_FOREACH(abi, b->layer_abis) {
                bool dropped = false;

                for (size_t i = 0; i < ELEMENTSOF(refused) && !dropped; i++) {
                        r = rule_or_drop(b, abi, layer_rule(b, abi, "sched_setscheduler", ERRNO_ACTION(EPERM),
                                                            &refused[i], 1, s->loc), &dropped);
                        if (r < 0)
                                return r;
                }
        }
        return layer_end(b);
}

static uint64_t abi_o_creat(Abi abi) {
        switch (abi) {
        case ABI_MIPS:
        case ABI_MIPSEL:
        case ABI_MIPS64:
        case ABI_MIPSEL64:
        case ABI_MIPS64N32:
        case ABI_MIPSEL64N32:
        case ABI_PARISC:
        case ABI_PARISC64:
                return 0x100;
        default:
                return 0100;
        }
}

static int layer_restrict_suid_sgid(Builder *b) {
        const BoolSetting *s = &b->directives->restrict_suid_sgid;
        static const struct {
                const char *name;
                unsigned mode_arg;
                int flags_arg;          /* -1: the call has no flags; else O_CREAT must be set there too */
        } calls[] = {
                { "chmod", 1, -1 },     { "fchmod", 1, -1 },    { "fchmodat", 2, -1 },
                { "fchmodat2", 2, -1 }, { "mkdir", 1, -1 },     { "mkdirat", 2, -1 },
                { "mknod", 1, -1 },     { "mknodat", 2, -1 },   { "open", 2, 1 },
                { "openat", 3, 2 },     { "creat", 1, -1 },
        };
        const mode_t modes[] = { S_ISUID, S_ISGID };
        int r;

        if (!s->value)
                return 0;

        layer_begin(b, LAYER_RESTRICT_SUID_SGID, b->policy->abis, SECCOMP_RET_ALLOW, s->loc);
        ABI_SET_FOREACH(abi, b->layer_abis) {
                for (size_t m = 0; m < ELEMENTSOF(modes); m++)
                        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                                ArgCmp c[2];
                                size_t n = 0;

                                if (calls[i].flags_arg >= 0)
                                        c[n++] = CMP_MASKED(calls[i].flags_arg, abi_o_creat(abi), abi_o_creat(abi));
                                c[n++] = CMP_MASKED(calls[i].mode_arg, modes[m], modes[m]);

                                r = tolerate_edom(layer_rule(b, abi, calls[i].name, ERRNO_ACTION(EPERM), c, n, s->loc));
                                if (r < 0)
                                        return r;
                        }

                /* openat2() keeps its flags in memory: refuse it as if the kernel had none. */
                r = tolerate_edom(layer_syscall(b, abi, "openat2", ERRNO_ACTION(ENOSYS), s->loc));
                if (r < 0)
                        return r;
        }
        return layer_end(b);
}

static int restrict_namespaces_abi(Builder *b, Abi abi, unsigned long retain) {
        const uint32_t action = ERRNO_ACTION(EPERM);
        const SourceLoc loc = b->directives->restrict_namespaces_loc;
        unsigned long all = namespace_flags_all();
        /* On s390 the first two arguments of clone() are swapped. */
        unsigned clone_arg = abi == ABI_S390 || abi == ABI_S390X ? 1 : 0;
        bool dropped = false;
        int r;

        /* clone3() keeps its flags in memory: refuse it so that libc falls back to clone(). */
        r = tolerate_edom(layer_syscall(b, abi, "clone3", ERRNO_ACTION(ENOSYS), loc));
        if (r < 0)
                return r;

        if ((retain & all) == 0)
                r = layer_syscall(b, abi, "setns", action, loc);
        else {
                ArgCmp c = CMP(1, ARG_EQ, 0);
                r = layer_rule(b, abi, "setns", action, &c, 1, loc);
        }
        r = rule_or_drop(b, abi, r, &dropped);
        if (r < 0 || dropped)
                return r;

        for (const NamespaceInfo *ns = namespace_info; ns->name; ns++) {
                unsigned long f = ns->clone_flag;
                ArgCmp c;

                if ((retain & f) == f)
                        continue;

                c = CMP_MASKED(0, f, f);
                r = rule_or_drop(b, abi, layer_rule(b, abi, "unshare", action, &c, 1, loc), &dropped);
                if (r < 0 || dropped)
                        return r;

                c = CMP_MASKED(clone_arg, f, f);
                r = rule_or_drop(b, abi, layer_rule(b, abi, "clone", action, &c, 1, loc), &dropped);
                if (r < 0 || dropped)
                        return r;

                if ((retain & all) != 0) {
                        c = CMP_MASKED(1, f, f);
                        r = rule_or_drop(b, abi, layer_rule(b, abi, "setns", action, &c, 1, loc), &dropped);
                        if (r < 0 || dropped)
                                return r;
                }
        }
        return 0;
}

static int layer_restrict_namespaces(Builder *b) {
        int r;

        if (!directives_restrict_namespaces_set(b->directives))
                return 0;

        layer_begin(b, LAYER_RESTRICT_NAMESPACES, b->policy->abis, SECCOMP_RET_ALLOW,
                    b->directives->restrict_namespaces_loc);
        ABI_SET_FOREACH(abi, b->layer_abis) {
                r = restrict_namespaces_abi(b, abi, b->directives->restrict_namespaces);
                if (r < 0)
                        return r;
        }
        return layer_end(b);
}

static int layer_lock_personality(Builder *b) {
        const Directives *d = b->directives;
        unsigned long persona = d->personality;
        int r;

        if (!d->lock_personality.value)
                return 0;

        if (persona == PERSONALITY_INVALID)
                persona = b->options && b->options->personality != PERSONALITY_INVALID ?
                        b->options->personality : PER_LINUX;

        AbiSet abis = abis_unblocked(b);

        layer_begin(b, LAYER_LOCK_PERSONALITY, abis, SECCOMP_RET_ALLOW, d->lock_personality.loc);
        ABI_SET_FOREACH(abi, abis) {
                ArgCmp c = CMP(0, ARG_NE, persona);
                bool dropped = false;

                r = rule_or_drop(b, abi, layer_rule(b, abi, "personality", ERRNO_ACTION(EPERM), &c, 1,
                                                    d->lock_personality.loc), &dropped);
                if (r < 0)
                        return r;
        }
        return layer_end(b);
}

/* The action of one entry of a SystemCallFilter= or SystemCallLog= list. */
static uint32_t list_entry_action(int32_t entry, uint32_t listed) {
        if (entry == ERRNO_KILL)
                return SECCOMP_RET_KILL_PROCESS;
        if (listed == SECCOMP_RET_LOG)
                return SECCOMP_RET_LOG;
        if (entry >= 0)
                return ERRNO_ACTION(entry);
        return listed;
}

static int layer_syscall_list(Builder *b, PolicyLayer layer, const SyscallList *l,
                              uint32_t listed, uint32_t unlisted, SourceLoc default_loc) {
        int r;

        if (!syscall_list_active(l))
                return 0;

        AbiSet abis = abis_unblocked(b);
        Abi list[_ABI_MAX];
        size_t n_abis = 0;

        /* The ABIs once, not a scan of all of them for every syscall. */
        ABI_SET_FOREACH(abi, abis)
                list[n_abis++] = abi;

        layer_begin(b, layer, abis, unlisted, default_loc);
        for (size_t id = 0, n = syscall_count(); id < n; id++) {
                if (l->action[id] == SYSCALL_ABSENT)
                        continue;
                for (size_t k = 0; k < n_abis; k++) {
                        r = tolerate_edom(layer_syscall_id(b, list[k], (int) id,
                                                           list_entry_action(l->action[id], listed), l->loc[id]));
                        if (r < 0)
                                return r;
                }
        }
        if (layer == LAYER_SYSCALL_FILTER && l->allow_list && !b->options->unknown_nr_default)
                /* Numbers nobody knows: ENOSYS, so that libc falls back as on an older kernel. */
                layer_set_other(b, ERRNO_ACTION(ENOSYS));
        return layer_end(b);
}

static int layer_syscall_log(Builder *b) {
        const SyscallList *l = &b->directives->syscall_log;

        return l->allow_list ?
                layer_syscall_list(b, LAYER_SYSCALL_LOG, l, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW, l->first) :
                layer_syscall_list(b, LAYER_SYSCALL_LOG, l, SECCOMP_RET_ALLOW, SECCOMP_RET_LOG, l->first);
}

static int layer_syscall_filter(Builder *b) {
        const Directives *d = b->directives;
        const SyscallList *l = &d->syscall_filter;
        uint32_t negative = d->syscall_errno == ERRNO_KILL ? SECCOMP_RET_KILL_PROCESS : ERRNO_ACTION(d->syscall_errno);

        if (l->allow_list)
                return layer_syscall_list(b, LAYER_SYSCALL_FILTER, l, SECCOMP_RET_ALLOW, negative,
                                          d->syscall_errno_loc.file ? d->syscall_errno_loc : l->first);
        return layer_syscall_list(b, LAYER_SYSCALL_FILTER, l, negative, SECCOMP_RET_ALLOW, l->first);
}

int policy_add_layers(Builder *b) {
        static const char *const hostname[] = { "sethostname", "setdomainname", NULL };
        static const char *const sysctl[] = { "_sysctl", NULL };
        static const char *const syslog[] = { "syslog", NULL };
        const Directives *d = b->directives;
        int r;

        r = layer_names(b, LAYER_PROTECT_HOSTNAME, &d->protect_hostname, hostname);
        if (r >= 0)
                r = layer_address_families(b);
        if (r >= 0)
                r = layer_memory_deny_write_execute(b);
        if (r >= 0)
                r = layer_restrict_realtime(b);
        if (r >= 0)
                r = layer_restrict_suid_sgid(b);
        if (r >= 0)
                r = layer_restrict_namespaces(b);
        if (r >= 0)
                r = layer_names(b, LAYER_PROTECT_KERNEL_TUNABLES, &d->protect_kernel_tunables, sysctl);
        if (r >= 0)
                r = layer_group(b, LAYER_PROTECT_KERNEL_MODULES, &d->protect_kernel_modules, SYSCALL_SET_MODULE);
        if (r >= 0)
                r = layer_names(b, LAYER_PROTECT_KERNEL_LOGS, &d->protect_kernel_logs, syslog);
        if (r >= 0)
                r = layer_group(b, LAYER_PROTECT_CLOCK, &d->protect_clock, SYSCALL_SET_CLOCK);
        if (r >= 0)
                r = layer_group(b, LAYER_PRIVATE_DEVICES, &d->private_devices, SYSCALL_SET_RAW_IO);
        if (r >= 0)
                r = layer_lock_personality(b);
        if (r >= 0)
                r = layer_syscall_log(b);
        if (r >= 0)
                r = layer_syscall_filter(b);
        return r;
}
