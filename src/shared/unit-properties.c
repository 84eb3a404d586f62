/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "af-name.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "syscall-table.h"
#include "unit-properties.h"

const char *const sandbox_property_names[] = {
        "PrivateDevices",
        "ProtectClock",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectKernelLogs",
        "NoNewPrivileges",
        "SystemCallFilter",
        "SystemCallArchitectures",
        "SystemCallErrorNumber",
        "SystemCallLog",
        "Personality",
        "LockPersonality",
        "RestrictAddressFamilies",
        "MemoryDenyWriteExecute",
        "RestrictRealtime",
        "RestrictSUIDSGID",
        "RestrictNamespaces",
        "ProtectHostname",
        NULL,
};

bool sandbox_property_known(const char *name) {
        for (const char *const *p = sandbox_property_names; *p; p++)
                if (streq(*p, name))
                        return true;
        return false;
}

char *format_allow_deny_list(bool allow_list, char **l) {
        _cleanup_free_ char *joined = NULL;
        char *r;

        strv_sort(l);
        joined = strv_join(l, " ");
        if (!joined)
                return NULL;
        if (asprintf(&r, "%s%s", allow_list ? "" : "~", joined) < 0)
                return NULL;
        return r;
}

/* systemd lists the syscalls it keeps by name; "name:EPERM" when the entry has its own errno.
 * In an allow-list, entries with an errno are denials and are not listed. */
static int format_syscall_list(const SyscallList *l, char **ret) {
        _cleanup_strv_free_ char **names = NULL;

        for (size_t id = 0; id < syscall_count(); id++) {
                int32_t a = l->action[id];
                char *s;

                if (a == SYSCALL_ABSENT || (l->allow_list && a >= 0))
                        continue;

                if (a == SYSCALL_DEFAULT)
                        s = strdup(syscall_name(id));
                else if (a == ERRNO_KILL)
                        s = asprintf(&s, "%s:kill", syscall_name(id)) < 0 ? NULL : s;
                else if (errno_to_name(a))
                        s = asprintf(&s, "%s:%s", syscall_name(id), errno_to_name(a)) < 0 ? NULL : s;
                else
                        s = asprintf(&s, "%s:%d", syscall_name(id), a) < 0 ? NULL : s;
                if (!s || strv_push(&names, s) < 0)
                        return -ENOMEM;
        }

        *ret = format_allow_deny_list(l->allow_list, names);
        return *ret ? 0 : -ENOMEM;
}

static int format_archs(const Directives *d, char **ret) {
        _cleanup_strv_free_ char **names = NULL;

        if (d->syscall_archs_native && strv_extend(&names, "native") < 0)
                return -ENOMEM;
        ABI_SET_FOREACH(a, d->syscall_archs)
                if (strv_extend(&names, abi_to_name(a)) < 0)
                        return -ENOMEM;

        *ret = format_allow_deny_list(true, names);
        return *ret ? 0 : -ENOMEM;
}

static int format_address_families(const Directives *d, char **ret) {
        const AddressFamilies *a = &d->address_families;
        _cleanup_strv_free_ char **names = NULL;

        for (int af = 0; af < af_max(); af++)
                if (a->family[af] && af_to_name(af) && strv_extend(&names, af_to_name(af)) < 0)
                        return -ENOMEM;

        *ret = format_allow_deny_list(a->allow_list, names);
        return *ret ? 0 : -ENOMEM;
}

static int format_namespaces(const Directives *d, char **ret) {
        unsigned long all = namespace_flags_all(), f = d->restrict_namespaces;

        if ((f & all) == 0)
                *ret = strdup("yes");
        else if ((f & all) == all)
                *ret = strdup("no");
        else
                return namespace_flags_to_string(f, ret);
        return *ret ? 0 : -ENOMEM;
}

int sandbox_property_format(const Directives *d, const char *name, char **ret) {
        const BoolSetting *b = directives_get_bool(d, name);

        if (b)
                *ret = strdup(b->value ? "yes" : "no");
        else if (streq(name, "SystemCallFilter"))
                return format_syscall_list(&d->syscall_filter, ret);
        else if (streq(name, "SystemCallLog"))
                return format_syscall_list(&d->syscall_log, ret);
        else if (streq(name, "SystemCallArchitectures"))
                return format_archs(d, ret);
        else if (streq(name, "SystemCallErrorNumber"))
                return asprintf(ret, "%d", d->syscall_errno) < 0 ? -ENOMEM : 0;
        else if (streq(name, "Personality"))
                *ret = strdup(strempty(personality_to_string(d->personality)));
        else if (streq(name, "RestrictAddressFamilies"))
                return format_address_families(d, ret);
        else if (streq(name, "RestrictNamespaces"))
                return format_namespaces(d, ret);
        else
                return -ENOENT;

        return *ret ? 0 : -ENOMEM;
}
