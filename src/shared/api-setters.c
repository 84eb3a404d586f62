/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The structured setters: directive values as a service manager holds them once parsed (systemd's
 * ExecContext), written into the directive model without a detour through text. Each checks all
 * of its input before it changes anything. Diagnostics name the unit, line 0. */

#include <sys/personality.h>

#include "af-name.h"
#include "api-internal.h"
#include "directives-internal.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "syscall-set.h"
#include "syscall-table.h"

static SourceLoc unit_loc(const mf_unit *u) {
        return (SourceLoc) { u->file->name, 0 };
}

static bool syscall_resolvable(int id) {
        for (Abi a = 0; a < _ABI_MAX; a++)
                if (syscall_nr(a, id) != SYSCALL_NR_NONE)
                        return true;
        return false;
}

/* A new list, built apart from the unit's until it is complete. */
typedef struct ListBuild {
        SyscallList list;
        const char *directive;
        SourceLoc loc;
        Diag *diag;
        int32_t action;                 /* for the entries being added */
        bool remove;                    /* remove them instead */
        bool setuid_conflict;
} ListBuild;

static void list_build_done(ListBuild *b) {
        free(b->list.action);
        free(b->list.loc);
}

static int list_build_init(ListBuild *b, const char *directive, bool allow_list, SourceLoc loc, Diag *diag) {
        *b = (ListBuild) { .directive = directive, .loc = loc, .diag = diag };
        b->list.action = calloc(syscall_count(), sizeof(int32_t));
        b->list.loc = calloc(syscall_count(), sizeof(SourceLoc));
        if (!b->list.action || !b->list.loc)
                return -ENOMEM;
        syscall_list_reset(&b->list);
        b->list.allow_list = allow_list;
        b->list.set = allow_list;
        b->list.first = loc;
        return 0;
}

/* Add (or remove) syscall id, named name, which exists on some ABI. */
static int list_build_id(ListBuild *b, int id, const char *name) {
        if (b->remove) {
                b->list.action[id] = SYSCALL_ABSENT;
                return 0;
        }
        if (b->setuid_conflict && b->list.action[id] >= 0)
                return diag_log(b->diag, DIAG_ERROR, &b->loc, EEXIST,
                                "%s: %s has its own error number and cannot also be allowed for the ambient capability hack.",
                                b->directive, name);
        b->list.action[id] = b->action;
        b->list.loc[id] = b->loc;
        b->list.set = true;
        return 0;
}

static int list_build_name(const char *name, void *userdata) {
        ListBuild *b = userdata;
        int id = syscall_from_name(name);

        if (id < 0 || !syscall_resolvable(id))
                return 0;               /* a member of a group that no table has */
        return list_build_id(b, id, name);
}

/* Each name is looked up once: an executor passes some 400 of them at every service start. */
static int list_build_add(ListBuild *b, const char *name, int32_t action) {
        b->action = action;
        if (name[0] == '@') {
                const SyscallSet *set = syscall_set_find(name);

                if (!set)
                        return diag_log(b->diag, DIAG_ERROR, &b->loc, EINVAL, "%s: unknown system call group, refusing: %s",
                                        b->directive, name);
                return syscall_set_foreach(set, list_build_name, b);
        }

        int id = syscall_from_name(name);
        if (id < 0)
                return diag_log(b->diag, DIAG_ERROR, &b->loc, EINVAL, "%s: unknown system call, refusing: %s",
                                b->directive, name);
        if (!syscall_resolvable(id))
                return diag_log(b->diag, DIAG_DEBUG, &b->loc, 0, "%s: %s() exists on no ABI, skipping.", b->directive, name), 0;
        return list_build_id(b, id, name);
}

static void list_swap(SyscallList *to, ListBuild *b) {
        int32_t *action = to->action;
        SourceLoc *loc = to->loc;

        to->action = b->list.action;
        to->loc = b->list.loc;
        b->list.action = action;        /* freed by list_build_done() */
        b->list.loc = loc;
        to->set = b->list.set;
        to->allow_list = b->list.allow_list;
        to->first = b->list.first;
}

static bool error_valid(int e) {
        return e == MF_ERRNO_DEFAULT || e == MF_ERRNO_KILL || (e >= 0 && e <= ERRNO_MAX);
}

_public_ int mf_unit_set_syscall_filter(mf_unit *u, unsigned flags, const struct mf_syscall *entries, size_t n,
                                        mf_log_fn log, void *userdata) {
        _cleanup_(list_build_done) ListBuild b = {};
        ApiLog l;
        int r;

        if (!u || (n > 0 && !entries) || (flags & ~(MF_SYSCALLS_ALLOW_LIST | MF_SYSCALLS_ADD_SETUID)))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!entries[i].name || !error_valid(entries[i].error))
                        return -EINVAL;
        api_log_init(&l, log, userdata);

        r = list_build_init(&b, "SystemCallFilter=", flags & MF_SYSCALLS_ALLOW_LIST, unit_loc(u), &l.diag);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = list_build_add(&b, entries[i].name, entries[i].error);
                if (r < 0)
                        return r;
        }

        /* systemd's apply_syscall_filter(): allowed in an allow-list, removed from a deny-list. */
        if (flags & MF_SYSCALLS_ADD_SETUID) {
                b.remove = !(flags & MF_SYSCALLS_ALLOW_LIST);
                b.setuid_conflict = true;
                r = list_build_add(&b, "@setuid", SYSCALL_DEFAULT);
                if (r < 0)
                        return r;
        }

        list_swap(&u->directives->syscall_filter, &b);
        return 0;
}

_public_ int mf_unit_set_syscall_log(mf_unit *u, unsigned flags, const char *const *names, size_t n,
                                     mf_log_fn log, void *userdata) {
        _cleanup_(list_build_done) ListBuild b = {};
        ApiLog l;
        int r;

        if (!u || (n > 0 && !names) || (flags & ~MF_SYSCALLS_ALLOW_LIST))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!names[i])
                        return -EINVAL;
        api_log_init(&l, log, userdata);

        r = list_build_init(&b, "SystemCallLog=", flags & MF_SYSCALLS_ALLOW_LIST, unit_loc(u), &l.diag);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = list_build_add(&b, names[i], SYSCALL_DEFAULT);
                if (r < 0)
                        return r;
        }
        list_swap(&u->directives->syscall_log, &b);
        return 0;
}

_public_ int mf_unit_set_syscall_error_number(mf_unit *u, int error) {
        if (!u || !(error == MF_ERRNO_KILL || (error >= 1 && error <= ERRNO_MAX)))
                return -EINVAL;
        u->directives->syscall_errno = error;
        u->directives->syscall_errno_loc = unit_loc(u);
        return 0;
}

_public_ int mf_unit_set_syscall_architectures(mf_unit *u, const char *const *names, size_t n,
                                               mf_log_fn log, void *userdata) {
        AbiSet set = 0;
        bool native = false;
        ApiLog l;

        if (!u || (n > 0 && !names))
                return -EINVAL;
        api_log_init(&l, log, userdata);

        for (size_t i = 0; i < n; i++) {
                Abi a;

                if (!names[i])
                        return -EINVAL;
                if (streq(names[i], "native")) {
                        native = true;
                        continue;
                }
                a = abi_from_name(names[i]);
                if (a < 0 || !streq(abi_to_name(a), names[i]))
                        return diag_log(&l.diag, DIAG_ERROR, &(SourceLoc) { u->file->name, 0 }, EINVAL,
                                        "SystemCallArchitectures=: unknown architecture, refusing: %s", names[i]);
                set |= ABI_BIT(a);
        }

        u->directives->syscall_archs = set;
        u->directives->syscall_archs_native = native;
        u->directives->syscall_archs_loc = n > 0 ? unit_loc(u) : SOURCE_LOC_NULL;
        return 0;
}

_public_ int mf_unit_set_address_families(mf_unit *u, unsigned flags, const int *families, size_t n) {
        AddressFamilies *a;
        bool allow_list = flags & MF_SYSCALLS_ALLOW_LIST;

        if (!u || (n > 0 && !families) || (flags & ~MF_SYSCALLS_ALLOW_LIST))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (families[i] < 0 || families[i] >= af_max() || !af_to_name(families[i]))
                        return -EINVAL;

        a = &u->directives->address_families;
        memset(a->family, 0, sizeof(bool) * af_max());
        a->n_families = 0;
        for (size_t i = 0; i < n; i++) {
                if (!a->family[families[i]])
                        a->n_families++;
                a->family[families[i]] = true;
                a->loc[families[i]] = unit_loc(u);
        }
        a->allow_list = allow_list;
        a->started = n > 0;
        a->where = unit_loc(u);
        u->directives->address_families_set = allow_list || n > 0;
        return 0;
}

_public_ int mf_unit_set_restrict_namespaces(mf_unit *u, unsigned long allowed) {
        if (!u)
                return -EINVAL;
        u->directives->restrict_namespaces = allowed;
        u->directives->restrict_namespaces_loc = allowed == MF_NAMESPACES_ALL ? SOURCE_LOC_NULL : unit_loc(u);
        return 0;
}

_public_ int mf_unit_set_personality(mf_unit *u, unsigned long persona) {
        if (!u || !(persona == PER_LINUX || persona == PER_LINUX32 || persona == MF_PERSONALITY_UNSET))
                return -EINVAL;
        u->directives->personality = persona == MF_PERSONALITY_UNSET ? PERSONALITY_INVALID : persona;
        u->directives->personality_loc = unit_loc(u);
        return 0;
}

/* The boolean directives by MF_DIRECTIVE_*, or NULL. */
static BoolSetting *bool_setting(Directives *d, int directive) {
        switch (directive) {
        case MF_DIRECTIVE_PROTECT_HOSTNAME:
                return &d->protect_hostname;
        case MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE:
                return &d->memory_deny_write_execute;
        case MF_DIRECTIVE_RESTRICT_REALTIME:
                return &d->restrict_realtime;
        case MF_DIRECTIVE_RESTRICT_SUID_SGID:
                return &d->restrict_suid_sgid;
        case MF_DIRECTIVE_PROTECT_KERNEL_TUNABLES:
                return &d->protect_kernel_tunables;
        case MF_DIRECTIVE_PROTECT_KERNEL_MODULES:
                return &d->protect_kernel_modules;
        case MF_DIRECTIVE_PROTECT_KERNEL_LOGS:
                return &d->protect_kernel_logs;
        case MF_DIRECTIVE_PROTECT_CLOCK:
                return &d->protect_clock;
        case MF_DIRECTIVE_PRIVATE_DEVICES:
                return &d->private_devices;
        case MF_DIRECTIVE_LOCK_PERSONALITY:
                return &d->lock_personality;
        case MF_DIRECTIVE_NO_NEW_PRIVILEGES:
                return &d->no_new_privileges;
        default:
                return NULL;
        }
}

_public_ int mf_unit_set_boolean(mf_unit *u, int directive, int value) {
        BoolSetting *b;

        if (!u)
                return -EINVAL;
        b = bool_setting(u->directives, directive);
        if (!b)
                return -EINVAL;
        *b = (BoolSetting) { .value = value != 0, .loc = unit_loc(u) };
        return 0;
}

void api_directive_clear(Directives *d, int directive) {
        BoolSetting *b = bool_setting(d, directive);

        if (b) {
                *b = (BoolSetting) {};
                return;
        }
        switch (directive) {
        case MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES:
                memset(d->address_families.family, 0, sizeof(bool) * af_max());
                d->address_families.n_families = 0;
                d->address_families.started = false;
                d->address_families.allow_list = false;
                d->address_families_set = false;
                break;
        case MF_DIRECTIVE_RESTRICT_NAMESPACES:
                d->restrict_namespaces = NAMESPACE_FLAGS_INITIAL;
                break;
        case MF_DIRECTIVE_SYSTEM_CALL_ARCHITECTURES:
                d->syscall_archs = 0;
                d->syscall_archs_native = false;
                break;
        case MF_DIRECTIVE_SYSTEM_CALL_LOG:
                syscall_list_reset(&d->syscall_log);
                break;
        case MF_DIRECTIVE_SYSTEM_CALL_FILTER:
                syscall_list_reset(&d->syscall_filter);
                break;
        case MF_DIRECTIVE_SYSTEM_CALL_ERROR_NUMBER:
                d->syscall_errno = ERRNO_KILL;
                break;
        case MF_DIRECTIVE_PERSONALITY:
                d->personality = PERSONALITY_INVALID;
                break;
        }
}

uint64_t api_directives_in_use(const Directives *d) {
        uint64_t m = 0;

        for (int i = 1; i < _MF_DIRECTIVE_MAX; i++) {
                const BoolSetting *b = bool_setting((Directives *) d, i);

                if (b && b->value && i != MF_DIRECTIVE_NO_NEW_PRIVILEGES)
                        m |= MF_DIRECTIVE_BIT(i);
        }
        if (d->address_families_set)
                m |= MF_DIRECTIVE_BIT(MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES);
        if (directives_restrict_namespaces_set(d))
                m |= MF_DIRECTIVE_BIT(MF_DIRECTIVE_RESTRICT_NAMESPACES);
        if (d->syscall_archs != 0 || d->syscall_archs_native)
                m |= MF_DIRECTIVE_BIT(MF_DIRECTIVE_SYSTEM_CALL_ARCHITECTURES);
        if (syscall_list_active(&d->syscall_log))
                m |= MF_DIRECTIVE_BIT(MF_DIRECTIVE_SYSTEM_CALL_LOG);
        if (syscall_list_active(&d->syscall_filter))
                m |= MF_DIRECTIVE_BIT(MF_DIRECTIVE_SYSTEM_CALL_FILTER);
        return m;
}

_public_ const char *mf_syscall_name(const char *abi, long nr) {
        Abi a = abi ? abi_from_name(abi) : abi_native();
        int id;

        if (a < 0 || nr < 0 || nr > UINT32_MAX)
                return NULL;
        id = syscall_from_nr(a, (uint32_t) nr);
        return id >= 0 ? syscall_name(id) : NULL;
}
