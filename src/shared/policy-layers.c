/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What each directive contributes: the filter systemd attaches for it, per ABI, described as a
 * layer. The facts (which calls, which arguments, which ABIs are skipped) follow systemd's
 * seccomp-util.c and execute.c, the per-ABI ones are in the ABI table (abi.h); see
 * megafilter.unit(5). Pure: nothing here looks at the merge, the kernel or the host. */

#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "action.h"
#include "af-name.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "policy-layers.h"
#include "syscall-set.h"
#include "syscall-table.h"

/* The namespaces of namespace_info, about: room for their rules. */
#define NAMESPACES_MAX 8

typedef struct Writer {
        const Directives *d;
        Abi native;
        AbiSet host;                    /* the ABIs the host runs */
        AbiSet unblocked;               /* … less those SystemCallArchitectures= blocks, once its layer is in */
        bool mdwe_prctl;
        unsigned long personality;
        bool unknown_nr_default;        /* allow-lists leave numbers of no syscall their default action */
        Arena *arena;

        Layer *layers;                  /* room for _LAYER_MAX */
        size_t n_layers;
        LayerRule *rules;               /* of the layer being written */
        size_t n_rules, allocated;
        ArgCmp *cmps;                   /* room for its comparisons … */
        size_t cmps_left;               /* … this many more */

        struct {
                const char *name;       /* compared by address: the layers below name calls with literals */
                int id;
        } recent[16];                   /* names looked up lately, for the rules that repeat them */
        unsigned n_recent;
} Writer;

/* A layer with room for about max_rules rules and max_cmps comparisons (more grow the arrays:
 * the bounds only spare copies and slack, at every service start). NULL when out of memory. */
static Layer *layer_begin(Writer *w, PolicyLayer source, AbiSet abis, uint32_t action, SourceLoc loc,
                          size_t max_rules, size_t max_cmps) {
        Layer *l = &w->layers[w->n_layers++];

        assert(w->n_layers <= _LAYER_MAX);
        *l = LAYER_INIT(source, abis, action, loc);
        w->rules = NULL;
        w->n_rules = w->allocated = 0;
        w->cmps = NULL;
        w->cmps_left = 0;
        /* The rules last: a group's grow in place. */
        if (max_cmps > 0) {
                w->cmps = arena_alloc_array(w->arena, max_cmps, sizeof(ArgCmp));
                if (!w->cmps)
                        return NULL;
                w->cmps_left = max_cmps;
        }
        if (max_rules > 0) {
                w->rules = arena_alloc_array(w->arena, max_rules, sizeof(LayerRule));
                if (!w->rules)
                        return NULL;
                w->allocated = max_rules;
        }
        return l;
}

static void layer_end(Writer *w) {
        Layer *l = &w->layers[w->n_layers - 1];

        l->rules = w->rules;
        l->n_rules = w->n_rules;
}

static int rule_id(Writer *w, int id, AbiSet abis, uint32_t action, bool required,
                   const ArgCmp *cmp, size_t n_cmp, SourceLoc loc) {
        ArgCmp *copy = NULL;

        if (n_cmp > 0) {
                if (w->cmps_left >= n_cmp) {
                        copy = w->cmps;
                        w->cmps += n_cmp;
                        w->cmps_left -= n_cmp;
                } else {
                        copy = arena_alloc_array(w->arena, n_cmp, sizeof(ArgCmp));
                        if (!copy)
                                return -ENOMEM;
                }
                for (size_t i = 0; i < n_cmp; i++)
                        copy[i] = cmp[i];
        }
        if (w->n_rules == w->allocated && !ARENA_GREEDY(w->arena, w->rules, w->allocated, w->n_rules + 1))
                return -ENOMEM;
        w->rules[w->n_rules++] = (LayerRule) {
                .syscall = id,
                .abis = abis,
                .action = action,
                .required = required,
                .n_cmp = (uint16_t) n_cmp,
                .cmp = copy,
                .loc = loc,
        };
        return 0;
}

static int name_to_id(Writer *w, const char *name) {
        unsigned k;
        int id;

        /* A layer names the same call in rule after rule (clone() once per namespace): the same
         * literal, so its address is enough to find it again. */
        for (unsigned i = 0; i < MIN(w->n_recent, (unsigned) ELEMENTSOF(w->recent)); i++)
                if (w->recent[i].name == name)
                        return w->recent[i].id;

        id = syscall_from_name(name);
        /* The layers below only name syscalls of our own tables. */
        if (id < 0)
                return -EINVAL;
        k = w->n_recent++ % ELEMENTSOF(w->recent);
        w->recent[k].name = name;
        w->recent[k].id = id;
        return id;
}

/* A rule for a call named by the layers below. */
static int rule(Writer *w, const char *name, AbiSet abis, uint32_t action, bool required,
                const ArgCmp *cmp, size_t n_cmp, SourceLoc loc) {
        int id = name_to_id(w, name);

        return id < 0 ? id : rule_id(w, id, abis, action, required, cmp, n_cmp, loc);
}

/* The ABIs of set whose fact is that of the first of them: rules that differ between ABIs by
 * one fact are written once per value, so that every ABI sees them in the order written. */
static AbiSet same_o_creat(AbiSet set) {
        uint32_t v = abi_info[__builtin_ctz(set)].o_creat;
        AbiSet s = 0;

        ABI_SET_FOREACH(a, set)
                if (abi_info[a].o_creat == v)
                        s |= ABI_BIT(a);
        return s;
}

static AbiSet same_clone_arg(AbiSet set) {
        unsigned v = abi_info[__builtin_ctz(set)].clone_flags_arg;
        AbiSet s = 0;

        ABI_SET_FOREACH(a, set)
                if (abi_info[a].clone_flags_arg == v)
                        s |= ABI_BIT(a);
        return s;
}

typedef struct SetCtx {
        Writer *w;
        SourceLoc loc;
} SetCtx;

static int set_member(const char *name, void *userdata) {
        SetCtx *c = userdata;
        int id = syscall_from_name(name);   /* every member once: no use remembering it */

        /* Not there on an ABI: fine, as systemd ignores -EDOM for groups. */
        return id < 0 ? -EINVAL : rule_id(c->w, id, c->w->host, ACTION_ERRNO(EPERM), false, NULL, 0, c->loc);
}

/* ProtectKernelModules=, ProtectClock=, PrivateDevices=: a whole group gets EPERM. */
static int layer_group(Writer *w, PolicyLayer source, const BoolSetting *s, SyscallSetId set) {
        int r;

        if (!s->value)
                return 0;

        if (!layer_begin(w, source, w->host, SECCOMP_RET_ALLOW, s->loc, 16, 0))
                return -ENOMEM;
        r = syscall_set_foreach(&syscall_sets[set], set_member, &(SetCtx) { w, s->loc });
        if (r < 0)
                return r;
        layer_end(w);
        return 0;
}

/* ProtectKernelTunables=, ProtectKernelLogs=, ProtectHostname=: named calls get EPERM; an ABI
 * without one of them gets no filter. */
static int layer_names(Writer *w, PolicyLayer source, const BoolSetting *s, const char *const *names) {
        int r;

        if (!s->value)
                return 0;

        if (!layer_begin(w, source, w->host, SECCOMP_RET_ALLOW, s->loc, 2, 0))
                return -ENOMEM;
        for (const char *const *n = names; *n; n++) {
                r = rule(w, *n, w->host, ACTION_ERRNO(EPERM), true, NULL, 0, s->loc);
                if (r < 0)
                        return r;
        }
        layer_end(w);
        return 0;
}

static int layer_address_families(Writer *w) {
        const AddressFamilies *a = &w->d->address_families;
        const uint32_t action = ACTION_ERRNO(EAFNOSUPPORT);
        AbiSet abis = 0;
        int first = 0, last = 0, socket = name_to_id(w, "socket"), r = 0;

        if (!w->d->address_families_set)
                return 0;
        if (socket < 0)
                return socket;

        /* Only ABIs without socketcall() multiplexing can have socket() filtered by family. */
        ABI_SET_FOREACH(abi, w->host)
                if (abi_info[abi].socket_by_family)
                        abis |= ABI_BIT(abi);
        if (!layer_begin(w, LAYER_ADDRESS_FAMILIES, abis, SECCOMP_RET_ALLOW, a->where, af_max() + 2, af_max() + 2))
                return -ENOMEM;

#define ADD(n, ...)                                                                               \
        do {                                                                                      \
                ArgCmp _c[] = { __VA_ARGS__ };                                                    \
                r = rule_id(w, socket, abis, action, true, _c, n, a->where);                      \
                if (r < 0)                                                                        \
                        return r;                                                                 \
        } while (0)

        if (!a->allow_list) {
                /* A deny-list: each family listed is refused. */
                for (int af = 0; af < af_max(); af++)
                        if (a->family[af])
                                ADD(1, CMP(0, ARG_EQ, af));
                layer_end(w);
                return 0;
        }

        for (int af = 1; af < af_max(); af++)
                if (a->family[af]) {
                        if (first == 0)
                                first = af;
                        last = af;
                }

        if (first == 0)
                /* Nothing allowed: socket() fails whatever the family. */
                r = rule_id(w, socket, abis, action, true, NULL, 0, a->where);
        else {
                ADD(1, CMP(0, ARG_LT, first));
                ADD(1, CMP(0, ARG_GT, last));
                for (int af = 1; af < af_max(); af++)
                        if (!a->family[af])
                                ADD(1, CMP(0, ARG_EQ, af));
        }
        if (r < 0)
                return r;
        layer_end(w);
        return 0;
#undef ADD
}

static int layer_memory_deny_write_execute(Writer *w) {
        const BoolSetting *s = &w->d->memory_deny_write_execute;
        const uint32_t action = ACTION_ERRNO(EPERM);
        const ArgCmp wx = CMP_MASKED(2, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC);
        const ArgCmp x = CMP_MASKED(2, PROT_EXEC, PROT_EXEC);
        const ArgCmp shm = CMP_MASKED(2, SHM_EXEC, SHM_EXEC);
        AbiSet abis = 0;
        int r;

        if (!s->value || w->mdwe_prctl)
                return 0;

        /* MIPS, PA-RISC, …: systemd leaves them alone. */
        ABI_SET_FOREACH(abi, w->host)
                if (abi_info[abi].mmap_prot)
                        abis |= ABI_BIT(abi);

        if (!layer_begin(w, LAYER_MEMORY_DENY_WRITE_EXECUTE, abis, SECCOMP_RET_ALLOW, s->loc,
                         5 * (size_t) __builtin_popcount(abis), 4 * (size_t) __builtin_popcount(abis)))
                return -ENOMEM;
        ABI_SET_FOREACH(abi, abis) {
                const AbiInfo *i = &abi_info[abi];

                r = rule(w, i->mmap_prot, ABI_BIT(abi), action, true, &wx, 1, s->loc);
                if (r >= 0 && i->mmap_old)
                        r = rule(w, i->mmap_old, ABI_BIT(abi), action, true, NULL, 0, s->loc);
                if (r >= 0)
                        r = rule(w, "mprotect", ABI_BIT(abi), action, true, &x, 1, s->loc);
                if (r >= 0)
                        r = rule(w, "pkey_mprotect", ABI_BIT(abi), action, true, &x, 1, s->loc);
                if (r >= 0 && i->shmat_call)
                        r = rule(w, "shmat", ABI_BIT(abi), action, true, &shm, 1, s->loc);
                if (r < 0)
                        return r;
        }
        layer_end(w);
        return 0;
}

static int layer_restrict_realtime(Writer *w) {
        const BoolSetting *s = &w->d->restrict_realtime;
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

        if (!layer_begin(w, LAYER_RESTRICT_REALTIME, w->host, SECCOMP_RET_ALLOW, s->loc, ELEMENTSOF(refused), ELEMENTSOF(refused)))
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                r = rule(w, "sched_setscheduler", w->host, ACTION_ERRNO(EPERM), true, &refused[i], 1, s->loc);
                if (r < 0)
                        return r;
        }
        layer_end(w);
        return 0;
}

static int layer_restrict_suid_sgid(Writer *w) {
        const BoolSetting *s = &w->d->restrict_suid_sgid;
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

        /* Every rule may be missing on an ABI (systemd goes on with the next one). */
        if (!layer_begin(w, LAYER_RESTRICT_SUID_SGID, w->host, SECCOMP_RET_ALLOW, s->loc,
                         ELEMENTSOF(modes) * ELEMENTSOF(calls) + 1, ELEMENTSOF(modes) * (ELEMENTSOF(calls) + 2)))
                return -ENOMEM;
        for (size_t m = 0; m < ELEMENTSOF(modes); m++)
                for (size_t i = 0; i < ELEMENTSOF(calls); i++)
                        for (AbiSet left = w->host, set; left != 0; left &= ~set) {
                                uint32_t o_creat = abi_info[__builtin_ctz(left)].o_creat;
                                ArgCmp c[2];
                                size_t n = 0;

                                set = calls[i].flags_arg >= 0 ? same_o_creat(left) : left;
                                if (calls[i].flags_arg >= 0)
                                        c[n++] = CMP_MASKED(calls[i].flags_arg, o_creat, o_creat);
                                c[n++] = CMP_MASKED(calls[i].mode_arg, modes[m], modes[m]);

                                r = rule(w, calls[i].name, set, ACTION_ERRNO(EPERM), false, c, n, s->loc);
                                if (r < 0)
                                        return r;
                        }

        /* openat2() keeps its flags in memory: refuse it as if the kernel had none. */
        r = rule(w, "openat2", w->host, ACTION_ERRNO(ENOSYS), false, NULL, 0, s->loc);
        if (r < 0)
                return r;
        layer_end(w);
        return 0;
}

static int layer_restrict_namespaces(Writer *w) {
        const uint32_t action = ACTION_ERRNO(EPERM);
        const SourceLoc loc = w->d->restrict_namespaces_loc;
        unsigned long retain = w->d->restrict_namespaces, all = namespace_flags_all();
        int r;

        if (!directives_restrict_namespaces_set(w->d))
                return 0;

        if (!layer_begin(w, LAYER_RESTRICT_NAMESPACES, w->host, SECCOMP_RET_ALLOW, loc, 2 + 3 * NAMESPACES_MAX, 1 + 3 * NAMESPACES_MAX))
                return -ENOMEM;

        /* clone3() keeps its flags in memory: refuse it so that libc falls back to clone(). */
        r = rule(w, "clone3", w->host, ACTION_ERRNO(ENOSYS), false, NULL, 0, loc);
        if (r < 0)
                return r;

        if ((retain & all) == 0)
                r = rule(w, "setns", w->host, action, true, NULL, 0, loc);
        else
                r = rule(w, "setns", w->host, action, true, &CMP(1, ARG_EQ, 0), 1, loc);
        if (r < 0)
                return r;

        for (const NamespaceInfo *ns = namespace_info; ns->name; ns++) {
                unsigned long f = ns->clone_flag;

                if ((retain & f) == f)
                        continue;

                r = rule(w, "unshare", w->host, action, true, &CMP_MASKED(0, f, f), 1, loc);
                if (r < 0)
                        return r;

                /* On s390 the first two arguments of clone() are swapped. */
                for (AbiSet left = w->host, set; left != 0; left &= ~set) {
                        set = same_clone_arg(left);
                        r = rule(w, "clone", set, action, true,
                                 &CMP_MASKED(abi_info[__builtin_ctz(left)].clone_flags_arg, f, f), 1, loc);
                        if (r < 0)
                                return r;
                }

                if ((retain & all) != 0) {
                        r = rule(w, "setns", w->host, action, true, &CMP_MASKED(1, f, f), 1, loc);
                        if (r < 0)
                                return r;
                }
        }
        layer_end(w);
        return 0;
}

/* SystemCallArchitectures=: one filter without rules, whose bad-arch action (libseccomp's
 * default, KILL_THREAD) kills every ABI it does not list. systemd never blocks the native ABI
 * (it still has to execve()), keeps what a listed ABI's vDSO needs (x32: x86-64), and installs
 * no later filter for an ABI it blocked. */
static void layer_syscall_architectures(Writer *w) {
        const Directives *d = w->d;
        AbiSet listed = d->syscall_archs | (d->syscall_archs_native ? ABI_BIT(w->native) : 0);
        AbiSet permitted = listed | ABI_BIT(w->native);
        Layer *l;

        if (d->syscall_archs == 0 && !d->syscall_archs_native)
                return;
        ABI_SET_FOREACH(a, listed)
                permitted |= abi_info[a].keeps;
        if ((w->host & ~permitted) == 0)
                return;                 /* nothing to block: systemd loads no filter */

        l = layer_begin(w, LAYER_SYSCALL_ARCHITECTURES, w->host & permitted, SECCOMP_RET_ALLOW, d->syscall_archs_loc, 0, 0);
        l->badarch_action = SECCOMP_RET_KILL_THREAD;
        layer_end(w);
        w->unblocked = w->host & permitted;
}

static int layer_lock_personality(Writer *w) {
        const Directives *d = w->d;
        unsigned long persona = d->personality;
        int r;

        if (!d->lock_personality.value)
                return 0;

        if (persona == PERSONALITY_INVALID)
                persona = w->personality != PERSONALITY_INVALID ? w->personality : PER_LINUX;

        if (!layer_begin(w, LAYER_LOCK_PERSONALITY, w->unblocked, SECCOMP_RET_ALLOW, d->lock_personality.loc, 1, 1))
                return -ENOMEM;
        r = rule(w, "personality", w->unblocked, ACTION_ERRNO(EPERM), true, &CMP(0, ARG_NE, persona), 1,
                 d->lock_personality.loc);
        if (r < 0)
                return r;
        layer_end(w);
        return 0;
}

/* The action of one entry of a SystemCallFilter= or SystemCallLog= list. */
static uint32_t list_entry_action(int32_t entry, uint32_t listed) {
        if (entry == ERRNO_KILL)
                return SECCOMP_RET_KILL_PROCESS;
        if (listed == SECCOMP_RET_LOG)
                return SECCOMP_RET_LOG;
        if (entry >= 0)
                return ACTION_ERRNO(entry);
        return listed;
}

static int layer_syscall_list(Writer *w, PolicyLayer source, const SyscallList *l,
                              uint32_t listed, uint32_t unlisted, SourceLoc default_loc, Layer **ret) {
        size_t n = syscall_count(), count = 0;
        uint32_t *actions = NULL;
        Layer *layer;

        /* A long list as a table, a short one as rules: whichever takes less memory, at every
         * service start. SystemCallFilter= is long (a deny-list of a few groups already is). Not
         * there on an ABI: fine (not required). */
        for (size_t id = 0; id < n && source != LAYER_SYSCALL_FILTER; id++)
                count += l->action[id] != SYSCALL_ABSENT;
        if (source == LAYER_SYSCALL_FILTER || count * sizeof(LayerRule) > n * sizeof(uint32_t)) {
                actions = arena_alloc_array(w->arena, n, sizeof(uint32_t));
                if (!actions)
                        return -ENOMEM;
                for (size_t id = 0; id < n; id++)
                        actions[id] = l->action[id] == SYSCALL_ABSENT ? LAYER_NO_ACTION :
                                list_entry_action(l->action[id], listed);
        }

        layer = layer_begin(w, source, w->unblocked, unlisted, default_loc, actions ? 0 : count, 0);
        if (!layer)
                return -ENOMEM;
        if (actions) {
                layer->actions = actions;
                layer->locs = l->loc;
        } else
                for (size_t id = 0; id < n; id++) {
                        int r;

                        if (l->action[id] == SYSCALL_ABSENT)
                                continue;
                        r = rule_id(w, (int) id, w->unblocked, list_entry_action(l->action[id], listed), false,
                                    NULL, 0, l->loc[id]);
                        if (r < 0)
                                return r;
                }
        layer_end(w);
        if (ret)
                *ret = layer;
        return 0;
}

static int layer_syscall_log(Writer *w) {
        const SyscallList *l = &w->d->syscall_log;

        if (!syscall_list_active(l))
                return 0;
        /* An allow-list logs only what it lists; a deny-list logs everything else. */
        return l->allow_list ?
                layer_syscall_list(w, LAYER_SYSCALL_LOG, l, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW, l->first, NULL) :
                layer_syscall_list(w, LAYER_SYSCALL_LOG, l, SECCOMP_RET_ALLOW, SECCOMP_RET_LOG, l->first, NULL);
}

static int layer_syscall_filter(Writer *w) {
        const Directives *d = w->d;
        const SyscallList *l = &d->syscall_filter;
        uint32_t negative = d->syscall_errno == ERRNO_KILL ? SECCOMP_RET_KILL_PROCESS : ACTION_ERRNO(d->syscall_errno);
        Layer *layer;
        int r;

        if (!syscall_list_active(l))
                return 0;
        if (!l->allow_list)
                return layer_syscall_list(w, LAYER_SYSCALL_FILTER, l, negative, SECCOMP_RET_ALLOW, l->first, NULL);

        r = layer_syscall_list(w, LAYER_SYSCALL_FILTER, l, SECCOMP_RET_ALLOW, negative,
                               d->syscall_errno_loc.file ? d->syscall_errno_loc : l->first, &layer);
        if (r < 0)
                return r;
        /* Numbers nobody knows: ENOSYS, so that libc falls back as on an older kernel (systemd 255
         * and later; 252 gives them the default action). */
        if (!w->unknown_nr_default)
                layer->unassigned_action = ACTION_ERRNO(ENOSYS);
        return 0;
}

int policy_layers(const Directives *d, Abi native, bool mdwe_prctl, unsigned long personality,
                  bool unknown_nr_default, Arena *a, Layer **ret, size_t *ret_n) {
        static const char *const hostname[] = { "sethostname", "setdomainname", NULL };
        static const char *const sysctl[] = { "_sysctl", NULL };
        static const char *const syslog[] = { "syslog", NULL };
        Writer w = {
                .d = d,
                .native = native,
                .host = abi_info[native].host_abis,
                .unblocked = abi_info[native].host_abis,
                .mdwe_prctl = mdwe_prctl,
                .personality = personality,
                .unknown_nr_default = unknown_nr_default,
                .arena = a,
        };
        int r;

        w.layers = arena_alloc_array(a, _LAYER_MAX, sizeof(Layer));
        if (!w.layers)
                return -ENOMEM;

        r = layer_names(&w, LAYER_PROTECT_HOSTNAME, &d->protect_hostname, hostname);
        if (r >= 0)
                r = layer_address_families(&w);
        if (r >= 0)
                r = layer_memory_deny_write_execute(&w);
        if (r >= 0)
                r = layer_restrict_realtime(&w);
        if (r >= 0)
                r = layer_restrict_suid_sgid(&w);
        if (r >= 0)
                r = layer_restrict_namespaces(&w);
        if (r >= 0)
                r = layer_names(&w, LAYER_PROTECT_KERNEL_TUNABLES, &d->protect_kernel_tunables, sysctl);
        if (r >= 0)
                r = layer_group(&w, LAYER_PROTECT_KERNEL_MODULES, &d->protect_kernel_modules, SYSCALL_SET_MODULE);
        if (r >= 0)
                r = layer_names(&w, LAYER_PROTECT_KERNEL_LOGS, &d->protect_kernel_logs, syslog);
        if (r >= 0)
                r = layer_group(&w, LAYER_PROTECT_CLOCK, &d->protect_clock, SYSCALL_SET_CLOCK);
        if (r >= 0)
                r = layer_group(&w, LAYER_PRIVATE_DEVICES, &d->private_devices, SYSCALL_SET_RAW_IO);
        if (r >= 0)
                layer_syscall_architectures(&w);
        if (r >= 0)
                r = layer_lock_personality(&w);
        if (r >= 0)
                r = layer_syscall_log(&w);
        if (r >= 0)
                r = layer_syscall_filter(&w);
        if (r < 0)
                return r;

        *ret = w.n_layers > 0 ? w.layers : NULL;
        *ret_n = w.n_layers;
        return 0;
}
