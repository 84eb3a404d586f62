/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The observation of a learning run, and how each call's arguments become facts. Which argument
 * of which call matters follows the rules the directives install (policy-layers.c). */

#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "af-name.h"
#include "learn-observation.h"
#include "namespace-flags.h"
#include "syscall-set.h"
#include "syscall-set-systemd252.h"
#include "syscall-table.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM 8
#endif
#ifndef CLOCK_BOOTTIME_ALARM
#define CLOCK_BOOTTIME_ALARM 9
#endif

typedef enum LearnKind {
        KIND_NONE,
        KIND_SOCKET,            /* family a0 */
        KIND_SOCKETCALL,        /* call a0, arguments at a1 */
        KIND_FORK,
        KIND_CLONE,             /* flags a0 (a1 on s390) */
        KIND_CLONE3,            /* flags in memory at a0 */
        KIND_UNSHARE,           /* flags a0 */
        KIND_SETNS,             /* nstype a1 */
        KIND_MMAP,              /* prot a2 */
        KIND_OLD_MMAP,          /* arguments in memory */
        KIND_MPROTECT,          /* prot a2 */
        KIND_SHMAT,             /* shmflg a2 */
        KIND_PERSONALITY,       /* persona a0 */
        KIND_SCHED,             /* policy a1 */
        KIND_MODE,              /* mode at arg a */
        KIND_CREAT,             /* path a0, mode a1 */
        KIND_MKNOD,             /* mode at arg a */
        KIND_OPEN,              /* path a0, flags a1, mode a2 */
        KIND_OPENAT,            /* dirfd a0, path a1, flags a2, mode a3 */
        KIND_OPENAT2,           /* dirfd a0, path a1, struct open_how at a2 */
        KIND_EXECVE,            /* path a0 */
        KIND_EXECVEAT,          /* dirfd a0, path a1 */
        KIND_TIMER,             /* clockid a0 */
        _KIND_MAX,
} LearnKind;

typedef struct KindEntry {
        const char *name;
        uint8_t kind;
        int8_t arg;             /* KIND_MODE, KIND_MKNOD: the mode's argument */
} KindEntry;

/* By name, sorted. */
static const KindEntry kinds[] = {
        { "chmod", KIND_MODE, 1 },
        { "clone", KIND_CLONE, 0 },
        { "clone3", KIND_CLONE3, 0 },
        { "creat", KIND_CREAT, 1 },
        { "execve", KIND_EXECVE, 0 },
        { "execveat", KIND_EXECVEAT, 0 },
        { "fchmod", KIND_MODE, 1 },
        { "fchmodat", KIND_MODE, 2 },
        { "fchmodat2", KIND_MODE, 2 },
        { "fork", KIND_FORK, 0 },
        { "mkdir", KIND_MODE, 1 },
        { "mkdirat", KIND_MODE, 2 },
        { "mknod", KIND_MKNOD, 1 },
        { "mknodat", KIND_MKNOD, 2 },
        { "mmap", KIND_MMAP, 0 },
        { "mmap2", KIND_MMAP, 0 },
        { "mprotect", KIND_MPROTECT, 0 },
        { "open", KIND_OPEN, 0 },
        { "openat", KIND_OPENAT, 0 },
        { "openat2", KIND_OPENAT2, 0 },
        { "personality", KIND_PERSONALITY, 0 },
        { "pkey_mprotect", KIND_MPROTECT, 0 },
        { "sched_setscheduler", KIND_SCHED, 0 },
        { "setns", KIND_SETNS, 0 },
        { "shmat", KIND_SHMAT, 0 },
        { "socket", KIND_SOCKET, 0 },
        { "socketcall", KIND_SOCKETCALL, 0 },
        { "timer_create", KIND_TIMER, 0 },
        { "timerfd_create", KIND_TIMER, 0 },
        { "unshare", KIND_UNSHARE, 0 },
        { "vfork", KIND_FORK, 0 },
};

static int kind_compare(const void *key, const void *element) {
        return strcmp(key, ((const KindEntry *) element)->name);
}

static const KindEntry *kind_entry(Abi abi, int id, KindEntry *buf) {
        const char *name = syscall_name(id);
        const KindEntry *e;

        if (!name)
                return NULL;
        e = bsearch(name, kinds, ELEMENTSOF(kinds), sizeof(kinds[0]), kind_compare);
        if (!e)
                return NULL;
        *buf = *e;
        /* The old mmap() (x86, s390) takes its arguments in memory; MemoryDenyWriteExecute=
         * refuses it outright (mmap2() is the one whose prot it checks). */
        if (buf->kind == KIND_MMAP && abi_info[abi].mmap_old && streq(name, abi_info[abi].mmap_old))
                buf->kind = KIND_OLD_MMAP;
        return buf;
}

static LearnKind kind_of(Abi abi, uint32_t nr, int *ret_arg) {
        KindEntry buf;
        const KindEntry *e;
        int id = syscall_from_nr(abi, nr);

        *ret_arg = 0;
        if (id < 0 || !(e = kind_entry(abi, id, &buf)))
                return KIND_NONE;
        *ret_arg = e->arg;
        return e->kind;
}

LearnNeeds learn_call_needs(Abi abi, uint32_t nr) {
        KindEntry buf;
        const KindEntry *e;
        int id = syscall_from_nr(abi, nr);

        if (id < 0 || !(e = kind_entry(abi, id, &buf)))
                return (LearnNeeds) { 0, -1, -1 };
        switch (e->kind) {
        case KIND_CLONE3:
                return (LearnNeeds) { LEARN_NEED_CLONE3, -1, -1 };
        case KIND_SOCKETCALL:
                return (LearnNeeds) { LEARN_NEED_SOCKETCALL, -1, -1 };
        case KIND_OPEN:
        case KIND_CREAT:
        case KIND_EXECVE:
                return (LearnNeeds) { LEARN_NEED_PATH, 0, -1 };
        case KIND_OPENAT:
        case KIND_EXECVEAT:
                return (LearnNeeds) { LEARN_NEED_PATH, 1, 0 };
        case KIND_OPENAT2:
                return (LearnNeeds) { LEARN_NEED_PATH | LEARN_NEED_OPEN_HOW, 1, 0 };
        default:
                return (LearnNeeds) { 0, -1, -1 };
        }
}

/* @default as both systemd 252 and megafilter's groups have it: what every allow-list allows. */
static int mark_name(const char *name, void *userdata) {
        int id = syscall_from_name(name);

        if (id >= 0)
                ((uint8_t *) userdata)[id] |= 1;
        return 0;
}

static int mark_name_252(const char *name, void *userdata) {
        int id = syscall_from_name(name);

        if (id >= 0)
                ((uint8_t *) userdata)[id] |= 2;
        return 0;
}

bool learn_call_preseen(Abi abi, int id) {
        static uint8_t *in_default;     /* bit 0: megafilter's @default, bit 1: systemd 252's */
        KindEntry buf;

        if (id < 0 || (size_t) id >= syscall_count())
                return false;
        if (!in_default) {
                uint8_t *m = calloc(syscall_count(), 1);

                if (!m)
                        return false;   /* watched: slower, never wrong */
                (void) syscall_set_foreach(&syscall_sets[SYSCALL_SET_DEFAULT], mark_name, m);
                (void) syscall_set_foreach_systemd252(SYSCALL_SET_DEFAULT, mark_name_252, m);
                in_default = m;
        }
        if (in_default[id] != 3)
                return false;
        /* execve() is watched to name the programs; mmap() and mprotect() have arguments that
         * matter (the learning filter watches those with PROT_EXEC only). */
        return !kind_entry(abi, id, &buf);
}

int observation_new(Abi native, Observation **ret) {
        _cleanup_(observation_freep) Observation *o = calloc(1, sizeof(Observation));

        if (!o)
                return -ENOMEM;
        o->native = native;
        o->abis = abi_info[native].host_abis;
        o->facts.suid_sgid = -1;
        o->run.exit_status = -1;
        ABI_SET_FOREACH(abi, o->abis) {
                o->nr_first[abi] = syscall_nr_min(abi);
                o->n[abi] = syscall_nr_max(abi) - o->nr_first[abi] + 1;
                o->calls[abi] = calloc(o->n[abi], sizeof(ObservedNr));
                if (!o->calls[abi])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

Observation *observation_free(Observation *o) {
        if (!o)
                return NULL;
        for (Abi a = 0; a < _ABI_MAX; a++)
                free(o->calls[a]);
        free(o->unnamed);
        free(o->denials);
        strv_free(o->facts.programs);
        for (size_t i = 0; i < o->facts.n_paths; i++)
                free(o->facts.paths[i].path);
        free(o->facts.paths);
        free(o);
        return NULL;
}

static ObservedNr *nr_slot(Observation *o, Abi abi, uint32_t nr) {
        if (abi < 0 || abi >= _ABI_MAX || !o->calls[abi] || nr < o->nr_first[abi] || nr - o->nr_first[abi] >= o->n[abi])
                return NULL;
        if (syscall_from_nr(abi, nr) < 0)
                return NULL;
        return &o->calls[abi][nr - o->nr_first[abi]];
}

const ObservedNr *observation_get(const Observation *o, Abi abi, uint32_t nr) {
        return nr_slot((Observation *) o, abi, nr);
}

bool observation_used_abi(const Observation *o, Abi abi) {
        if (abi < 0 || abi >= _ABI_MAX || !o->calls[abi])
                return false;
        for (uint32_t i = 0; i < o->n[abi]; i++)
                if (o->calls[abi][i].needed > 0)
                        return true;
        for (size_t i = 0; i < o->n_unnamed; i++)
                if (o->unnamed[i].abi == abi)
                        return true;
        return false;
}

static int add_unnamed(Observation *o, Abi abi, uint32_t nr, uint64_t count) {
        ObservedUnnamed *u;

        for (size_t i = 0; i < o->n_unnamed; i++)
                if (o->unnamed[i].abi == abi && o->unnamed[i].nr == nr) {
                        o->unnamed[i].count += count;
                        return 0;
                }
        u = reallocarray(o->unnamed, o->n_unnamed + 1, sizeof(ObservedUnnamed));
        if (!u)
                return -ENOMEM;
        o->unnamed = u;
        o->unnamed[o->n_unnamed++] = (ObservedUnnamed) { abi, nr, count };
        return 0;
}

static int add_denial(Observation *o, const ObservedDenial *d) {
        ObservedDenial *n;

        for (size_t i = 0; i < o->n_denials; i++) {
                ObservedDenial *e = &o->denials[i];

                if (e->abi == d->abi && e->nr == d->nr && e->action == d->action && e->layer == d->layer &&
                    e->loc.line == d->loc.line && e->needed == d->needed && e->reference_action == d->reference_action &&
                    streq(e->detail, d->detail)) {
                        e->count += d->count;
                        return 0;
                }
        }
        n = reallocarray(o->denials, o->n_denials + 1, sizeof(ObservedDenial));
        if (!n)
                return -ENOMEM;
        o->denials = n;
        o->denials[o->n_denials++] = *d;
        return 0;
}

static uint64_t o_creat(Abi abi) {
        return abi_info[abi].o_creat;
}

/* The paths a directive's mounts change: what PrivateDevices=, ProtectClock= and ProtectKernelLogs=
 * do to /dev, ProtectKernelTunables= and ProtectKernelLogs= to /proc and /sys, ProtectKernelModules=
 * to the module directories (systemd 252's namespace.c). */
static bool path_matters(const char *p) {
        static const char *const proc[] = {
                "acpi", "apm", "asound", "bus", "fs", "irq", "kallsyms", "kcore", "kmsg", "latency_stats",
                "mtrr", "scsi", "sys", "sysrq-trigger", "timer_stats", NULL,
        };
        const char *rest;

        if (!p || p[0] != '/')
                return false;
        if (startswith(p, "/dev/") || startswith(p, "/sys/") || streq(p, "/sys"))
                return true;
        if (startswith(p, "/lib/modules") || startswith(p, "/usr/lib/modules"))
                return true;
        if ((rest = startswith(p, "/proc/")))
                for (const char *const *n = proc; *n; n++) {
                        const char *after = startswith(rest, *n);

                        if (after && (*after == 0 || *after == '/'))
                                return true;
                }
        return false;
}

static int add_path(ObservedFacts *f, const char *path, PathUse use) {
        ObservedPath *n;
        char *copy;

        if (!path_matters(path))
                return 0;
        for (size_t i = 0; i < f->n_paths; i++)
                if (streq(f->paths[i].path, path)) {
                        f->paths[i].use |= use;
                        return 0;
                }
        if (f->n_paths >= LEARN_MAX_PATHS) {
                f->paths_overflow = true;
                return 0;
        }
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        n = reallocarray(f->paths, f->n_paths + 1, sizeof(ObservedPath));
        if (!n) {
                free(copy);
                return -ENOMEM;
        }
        f->paths = n;
        f->paths[f->n_paths++] = (ObservedPath) { copy, use };
        return 0;
}

static int add_program(ObservedFacts *f, const char *path) {
        if (!path || strv_contains(f->programs, path) || strv_length(f->programs) >= 64)
                return 0;
        return strv_extend(&f->programs, path);
}

static void add_personality(ObservedFacts *f, unsigned long p) {
        for (size_t i = 0; i < f->n_personalities; i++)
                if (f->personalities[i] == p)
                        return;
        if (f->n_personalities < LEARN_MAX_PERSONALITIES)
                f->personalities[f->n_personalities++] = p;
        else
                f->personalities_overflow = true;
}

static PathUse open_use(uint64_t flags, Abi abi) {
        PathUse u = (flags & O_ACCMODE) == O_RDONLY ? PATH_USE_READ : PATH_USE_WRITE;

        if (flags & (o_creat(abi) | O_TRUNC))
                u |= PATH_USE_WRITE;
        return u;
}

static void describe_namespaces(unsigned long flags, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = 0;
        for (const NamespaceInfo *ns = namespace_info; ns->name; ns++)
                if (flags & ns->clone_flag)
                        n += snprintf(buf + n, n < size ? size - n : 0, "%s%s", n > 0 ? " " : "", ns->name);
}

/* The facts of one call, into f when the call is needed; a short description of what matters
 * about it into detail. */
static int call_facts(const LearnCall *c, ObservedFacts *f, char *detail, size_t size) {
        const uint64_t *a = c->args;
        unsigned long all_ns = namespace_flags_all() | CLONE_NEWTIME;
        int arg, r;
        LearnKind k = kind_of(c->abi, c->nr, &arg);
        uint64_t mode;

        detail[0] = 0;
        switch (k) {
        case KIND_SOCKET:
        case KIND_SOCKETCALL: {
                int64_t af;

                if (k == KIND_SOCKETCALL) {
                        if ((a[0] & UINT32_MAX) != 1)           /* SYS_SOCKET */
                                return 0;
                        af = c->mem_family;
                } else
                        af = (int64_t) (a[0] & UINT32_MAX);
                if (af >= 0 && af < 64) {
                        snprintf(detail, size, "%s", af_to_name((int) af) ?: "");
                        if (!detail[0])
                                snprintf(detail, size, "family %" PRIi64, af);
                        f->families |= UINT64_C(1) << af;
                } else {
                        snprintf(detail, size, af < 0 ? "family unknown" : "family %" PRIi64, af);
                        f->family_unknown = true;
                }
                return 0;
        }
        case KIND_FORK:
                f->forks++;
                return 0;
        case KIND_CLONE:
        case KIND_CLONE3: {
                uint64_t flags;

                if (k == KIND_CLONE3) {
                        f->clone3 = true;
                        if (!c->have_flags) {
                                f->clone3_unread = true;
                                return 0;
                        }
                        flags = c->mem_flags;
                } else
                        flags = a[abi_info[c->abi].clone_flags_arg];
                if (flags & CLONE_THREAD)
                        f->threads++;
                else
                        f->forks++;
                describe_namespaces(flags & all_ns, detail, size);
                f->namespaces |= flags & all_ns;
                return 0;
        }
        case KIND_UNSHARE:
                describe_namespaces(a[0] & all_ns, detail, size);
                f->namespaces |= a[0] & all_ns;
                return 0;
        case KIND_SETNS:
                if ((a[1] & UINT32_MAX) == 0) {
                        snprintf(detail, size, "any type");
                        f->setns_any = true;
                } else {
                        describe_namespaces(a[1] & all_ns, detail, size);
                        f->namespaces |= a[1] & all_ns;
                }
                return 0;
        case KIND_MMAP:
                if ((a[2] & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) {
                        snprintf(detail, size, "PROT_WRITE|PROT_EXEC");
                        f->wx_mmap = true;
                }
                return 0;
        case KIND_OLD_MMAP:
                snprintf(detail, size, "arguments in memory");
                f->old_mmap = true;
                return 0;
        case KIND_MPROTECT:
                if (a[2] & PROT_EXEC) {
                        snprintf(detail, size, "PROT_EXEC");
                        f->exec_mprotect = true;
                }
                return 0;
        case KIND_SHMAT:
                if (a[2] & SHM_EXEC) {
                        snprintf(detail, size, "SHM_EXEC");
                        f->exec_shmat = true;
                }
                return 0;
        case KIND_PERSONALITY:
                snprintf(detail, size, "%#" PRIx64, a[0] & UINT32_MAX);
                add_personality(f, (unsigned long) (a[0] & UINT32_MAX));
                return 0;
        case KIND_SCHED: {
                uint64_t p = a[1] & UINT32_MAX;

                snprintf(detail, size, "policy %" PRIu64, p);
                f->sched_policies |= UINT64_C(1) << MIN(p, 63);
                return 0;
        }
        case KIND_MODE:
        case KIND_MKNOD:
        case KIND_CREAT:
                mode = a[arg];
                if (k == KIND_CREAT && (r = add_path(f, c->path, PATH_USE_WRITE)) < 0)
                        return r;
                if (k == KIND_MKNOD && (S_ISCHR(mode) || S_ISBLK(mode))) {
                        snprintf(detail, size, "device");
                        f->mknod_device = true;
                }
                break;
        case KIND_OPEN:
        case KIND_OPENAT:
        case KIND_OPENAT2: {
                uint64_t flags;

                if (k == KIND_OPENAT2) {
                        f->openat2 = true;
                        if (!c->have_flags)
                                return add_path(f, c->path, PATH_USE_READ | PATH_USE_WRITE);
                        flags = c->mem_flags;
                        mode = c->mem_mode;
                } else {
                        flags = a[k == KIND_OPEN ? 1 : 2];
                        mode = a[k == KIND_OPEN ? 2 : 3];
                }
                r = add_path(f, c->path, open_use(flags, c->abi));
                if (r < 0)
                        return r;
                if (!(flags & o_creat(c->abi)))
                        return 0;
                break;
        }
        case KIND_EXECVE:
        case KIND_EXECVEAT:
                f->execs++;
                r = add_path(f, c->path, PATH_USE_EXEC);
                if (r >= 0)
                        r = add_program(f, c->path);
                return r;
        case KIND_TIMER:
                if ((a[0] & UINT32_MAX) == CLOCK_REALTIME_ALARM || (a[0] & UINT32_MAX) == CLOCK_BOOTTIME_ALARM) {
                        snprintf(detail, size, "alarm clock");
                        f->alarm_clock = true;
                }
                return 0;
        default:
                return 0;
        }

        /* A mode, for RestrictSUIDSGID=. */
        if (mode & (S_ISUID | S_ISGID)) {
                snprintf(detail, size, "mode %04" PRIo64, mode & 07777);
                if (f->suid_sgid < 0)
                        f->suid_sgid = syscall_from_nr(c->abi, c->nr);
        }
        return 0;
}

static bool action_allows(uint32_t action) {
        uint32_t a = action & SECCOMP_RET_ACTION_FULL;

        return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG || a == SECCOMP_RET_TRACE;
}

int observation_add(Observation *o, const LearnCall *c) {
        ObservedFacts scratch = { .suid_sgid = -1 };
        ObservedNr *slot = nr_slot(o, c->abi, c->nr);
        bool denied = !action_allows(c->action);
        char detail[64];
        int r;

        if (slot) {
                if (c->needed)
                        slot->needed++;
                if (denied)
                        slot->denied++;
        } else {
                r = add_unnamed(o, c->abi, c->nr, 1);
                if (r < 0)
                        return r;
        }

        /* The facts of needed calls count; those of the others are only described. */
        r = call_facts(c, c->needed ? &o->facts : &scratch, detail, sizeof detail);
        strv_free(scratch.programs);
        for (size_t i = 0; i < scratch.n_paths; i++)
                free(scratch.paths[i].path);
        free(scratch.paths);
        if (r < 0)
                return r;

        if (denied) {
                ObservedDenial d = {
                        .abi = c->abi,
                        .nr = c->nr,
                        .action = c->action,
                        .layer = c->layer,
                        .loc = c->loc,
                        .needed = c->needed,
                        .reference_action = c->reference_action,
                        .fallback = c->fallback,
                        .count = 1,
                };

                snprintf(d.detail, sizeof d.detail, "%s", detail);
                return add_denial(o, &d);
        }
        return 0;
}

static int merge_facts(ObservedFacts *f, const ObservedFacts *g) {
        int r;

        f->families |= g->families;
        f->family_unknown |= g->family_unknown;
        f->namespaces |= g->namespaces;
        f->setns_any |= g->setns_any;
        f->clone3 |= g->clone3;
        f->clone3_unread |= g->clone3_unread;
        f->openat2 |= g->openat2;
        f->wx_mmap |= g->wx_mmap;
        f->exec_mprotect |= g->exec_mprotect;
        f->exec_shmat |= g->exec_shmat;
        f->old_mmap |= g->old_mmap;
        for (size_t i = 0; i < g->n_personalities; i++)
                add_personality(f, g->personalities[i]);
        f->personalities_overflow |= g->personalities_overflow;
        f->sched_policies |= g->sched_policies;
        if (f->suid_sgid < 0)
                f->suid_sgid = g->suid_sgid;
        f->mknod_device |= g->mknod_device;
        f->alarm_clock |= g->alarm_clock;
        for (size_t i = 0; i < g->n_paths; i++)
                if ((r = add_path(f, g->paths[i].path, g->paths[i].use)) < 0)
                        return r;
        STRV_FOREACH(p, g->programs)
                if ((r = add_program(f, *p)) < 0)
                        return r;
        return 0;
}

int observation_merge_needed(Observation *o, const Observation *check) {
        int r;

        ABI_SET_FOREACH(abi, o->abis & check->abis) {
                if (!o->calls[abi] || !check->calls[abi] || o->nr_first[abi] != check->nr_first[abi])
                        continue;
                for (uint32_t i = 0; i < MIN(o->n[abi], check->n[abi]); i++)
                        o->calls[abi][i].needed += check->calls[abi][i].needed;
        }
        for (size_t i = 0; i < check->n_unnamed; i++)
                if ((r = add_unnamed(o, check->unnamed[i].abi, check->unnamed[i].nr, check->unnamed[i].count)) < 0)
                        return r;
        return merge_facts(&o->facts, &check->facts);
}

bool observed_denial_fails(const ObservedDenial *d) {
        /* A kill that became an errno is no failure: the service lives on. */
        if (d->fallback)
                return false;
        return d->needed || ((d->reference_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO &&
                             (d->action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO &&
                             d->reference_action != d->action);
}

size_t observation_needed_denials(const Observation *o) {
        size_t n = 0;

        for (size_t i = 0; i < o->n_denials; i++)
                if (observed_denial_fails(&o->denials[i]))
                        n++;
        return n;
}
