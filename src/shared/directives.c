/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The directive model: dispatch of [Service] assignments to their parsers, and the booleans. */

#include <strings.h>

#include "af-name.h"
#include "directives-internal.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "syscall-table.h"
#include "unit-keys.h"

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static int syscall_list_init(SyscallList *l) {
        l->action = calloc(syscall_count(), sizeof(int32_t));
        l->loc = calloc(syscall_count(), sizeof(SourceLoc));
        if (!l->action || !l->loc)
                return -ENOMEM;
        syscall_list_reset(l);
        return 0;
}

int directives_new(Directives **ret) {
        _cleanup_(directives_freep) Directives *d = NULL;

        d = calloc(1, sizeof(Directives));
        if (!d)
                return -ENOMEM;

        if (syscall_list_init(&d->syscall_filter) < 0 || syscall_list_init(&d->syscall_log) < 0)
                return -ENOMEM;

        d->address_families.family = calloc(af_max(), sizeof(bool));
        d->address_families.loc = calloc(af_max(), sizeof(SourceLoc));
        if (!d->address_families.family || !d->address_families.loc)
                return -ENOMEM;

        d->syscall_errno = ERRNO_KILL;
        d->restrict_namespaces = NAMESPACE_FLAGS_INITIAL;
        d->personality = PERSONALITY_INVALID;
        d->type = SERVICE_SIMPLE;

        *ret = TAKE_PTR(d);
        return 0;
}

Directives *directives_free(Directives *d) {
        if (!d)
                return NULL;

        free(d->syscall_filter.action);
        free(d->syscall_filter.loc);
        free(d->syscall_log.action);
        free(d->syscall_log.loc);
        free(d->address_families.family);
        free(d->address_families.loc);
        exec_command_free_many(d->exec_start, d->n_exec_start);
        free(d->user);
        free(d->group);
        strv_free(d->environment);
        free(d->working_directory);
        free(d);
        return NULL;
}

static void *memdup_or_null(const void *p, size_t size, bool *failed) {
        void *q;

        if (!p)
                return NULL;
        q = malloc(size ? size : 1);
        if (!q)
                *failed = true;
        else
                memcpy(q, p, size);
        return q;
}

/* Every pointer of Directives, copied: keep in step with directives_free(). */
int directives_copy(const Directives *d, Directives **ret) {
        _cleanup_(directives_freep) Directives *c = NULL;
        bool failed = false;

        c = malloc(sizeof(Directives));
        if (!c)
                return -ENOMEM;
        *c = *d;
        c->syscall_filter.action = memdup_or_null(d->syscall_filter.action, syscall_count() * sizeof(int32_t), &failed);
        c->syscall_filter.loc = memdup_or_null(d->syscall_filter.loc, syscall_count() * sizeof(SourceLoc), &failed);
        c->syscall_log.action = memdup_or_null(d->syscall_log.action, syscall_count() * sizeof(int32_t), &failed);
        c->syscall_log.loc = memdup_or_null(d->syscall_log.loc, syscall_count() * sizeof(SourceLoc), &failed);
        c->address_families.family = memdup_or_null(d->address_families.family, af_max() * sizeof(bool), &failed);
        c->address_families.loc = memdup_or_null(d->address_families.loc, af_max() * sizeof(SourceLoc), &failed);
        c->exec_start = NULL;
        c->n_exec_start = 0;
        c->user = d->user ? strdup(d->user) : NULL;
        c->group = d->group ? strdup(d->group) : NULL;
        c->environment = d->environment ? strv_copy(d->environment) : NULL;
        c->working_directory = d->working_directory ? strdup(d->working_directory) : NULL;
        if (failed || (d->user && !c->user) || (d->group && !c->group) || (d->environment && !c->environment) ||
            (d->working_directory && !c->working_directory))
                return -ENOMEM;

        if (d->n_exec_start > 0) {
                c->exec_start = calloc(d->n_exec_start, sizeof(ExecCommand));
                if (!c->exec_start)
                        return -ENOMEM;
                for (size_t i = 0; i < d->n_exec_start; i++) {
                        ExecCommand *e = &c->exec_start[c->n_exec_start++];

                        *e = d->exec_start[i];
                        e->path = strdup(d->exec_start[i].path);
                        e->argv = strv_copy(d->exec_start[i].argv);
                        if (!e->path || !e->argv)
                                return -ENOMEM;
                }
        }

        *ret = TAKE_PTR(c);
        return 0;
}

static int parse_bool_setting(BoolSetting *b, const UnitEntry *e, Diag *diag) {
        int r = parse_boolean(e->value);

        if (r < 0)
                return diag_log(diag, DIAG_WARNING, &e->loc, r, "Failed to parse boolean value, ignoring: %s", e->value), 0;
        b->value = r;
        b->loc = e->loc;
        return 0;
}

#define BOOL_DIRECTIVE(name, field) { name, offsetof(Directives, field) }
const BoolDirective bool_directives[] = {
        BOOL_DIRECTIVE("PrivateDevices", private_devices),
        BOOL_DIRECTIVE("ProtectClock", protect_clock),
        BOOL_DIRECTIVE("ProtectKernelTunables", protect_kernel_tunables),
        BOOL_DIRECTIVE("ProtectKernelModules", protect_kernel_modules),
        BOOL_DIRECTIVE("ProtectKernelLogs", protect_kernel_logs),
        BOOL_DIRECTIVE("NoNewPrivileges", no_new_privileges),
        BOOL_DIRECTIVE("LockPersonality", lock_personality),
        BOOL_DIRECTIVE("MemoryDenyWriteExecute", memory_deny_write_execute),
        BOOL_DIRECTIVE("RestrictRealtime", restrict_realtime),
        BOOL_DIRECTIVE("RestrictSUIDSGID", restrict_suid_sgid),
        BOOL_DIRECTIVE("ProtectHostname", protect_hostname),
        {}
};

const BoolSetting *directives_get_bool(const Directives *d, const char *key) {
        for (const BoolDirective *b = bool_directives; b->key; b++)
                if (streq(b->key, key))
                        return (const BoolSetting *) ((const char *) d + b->offset);
        return NULL;
}

static int apply_service_key(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag) {
        const char *k = e->key;

        const BoolSetting *b = directives_get_bool(d, k);

        if (b)
                return parse_bool_setting((BoolSetting *) b, e, diag);

        if (streq(k, "SystemCallFilter"))
                return parse_syscall_filter(d, e, diag);
        if (streq(k, "SystemCallLog"))
                return parse_syscall_log(d, e, diag);
        if (streq(k, "SystemCallErrorNumber"))
                return parse_syscall_errno(d, e, diag);
        if (streq(k, "SystemCallArchitectures"))
                return parse_syscall_archs(d, e, diag);
        if (streq(k, "RestrictAddressFamilies"))
                return parse_address_families(d, e, diag);
        if (streq(k, "RestrictNamespaces"))
                return parse_restrict_namespaces(d, e, diag);
        if (streq(k, "Personality"))
                return parse_personality(d, e, diag);
        if (streq(k, "ExecStart"))
                return parse_exec_start(d, u, e, diag);
        if (streq(k, "Type"))
                return parse_service_type(d, e, diag);
        if (streq(k, "User"))
                return parse_user_or_group(&d->user, u, e, diag);
        if (streq(k, "Group"))
                return parse_user_or_group(&d->group, u, e, diag);
        if (streq(k, "Environment"))
                return parse_environment(d, u, e, diag);
        if (streq(k, "WorkingDirectory"))
                return parse_working_directory(d, u, e, diag);
        return 1;       /* not ours */
}

int directives_apply(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag) {
        int r;

        if (streq(e->section, "Service")) {
                r = apply_service_key(d, u, e, diag);
                if (r <= 0)
                        return r;
        }

        /* Everything else systemd knows is kept in the unit but means nothing to us. */
        if (startswith(e->key, "X-") || unit_key_known(e->section, e->key))
                return 0;

        return diag_log(diag, DIAG_WARNING, &e->loc, 0,
                        "Unknown key '%s' in section [%s], ignoring.", e->key, e->section), 0;
}

int directives_apply_unit(Directives *d, const UnitFile *u, Diag *diag) {
        int ret = 0;

        /* Go on after a fatal setting so that every problem is reported at once. */
        for (size_t i = 0; i < u->n_entries; i++) {
                int r = directives_apply(d, u, &u->entries[i], diag);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

bool syscall_list_active(const SyscallList *l) {
        if (l->allow_list)
                return true;
        for (size_t i = 0; i < syscall_count(); i++)
                if (l->action[i] != SYSCALL_ABSENT)
                        return true;
        return false;
}

bool directives_restrict_namespaces_set(const Directives *d) {
        unsigned long all = namespace_flags_all();

        return (d->restrict_namespaces & all) != all;
}

bool directives_use_seccomp(const Directives *d) {
        return d->lock_personality.value ||
                d->memory_deny_write_execute.value ||
                d->private_devices.value ||
                d->protect_clock.value ||
                d->protect_hostname.value ||
                d->protect_kernel_tunables.value ||
                d->protect_kernel_modules.value ||
                d->protect_kernel_logs.value ||
                d->address_families_set ||
                directives_restrict_namespaces_set(d) ||
                d->restrict_realtime.value ||
                d->restrict_suid_sgid.value ||
                d->syscall_archs != 0 || d->syscall_archs_native ||
                syscall_list_active(&d->syscall_filter) ||
                syscall_list_active(&d->syscall_log);
}
