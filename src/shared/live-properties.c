/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>

#include "errno-name.h"
#include "live-properties.h"
#include "namespace-flags.h"
#include "syscall-table.h"

static size_t n_bool_directives(void) {
        size_t n = 0;

        while (bool_directives[n].key)
                n++;
        return n;
}

int live_properties_new(const char *unit, LiveProperties **ret) {
        _cleanup_(live_properties_freep) LiveProperties *p = calloc(1, sizeof(LiveProperties));

        if (!p)
                return -ENOMEM;
        p->unit = strdup(unit);
        p->bools = calloc(n_bool_directives() + 1, sizeof(bool));
        if (!p->unit || !p->bools)
                return -ENOMEM;
        p->syscall_errno = ERRNO_KILL;
        p->restrict_namespaces = NAMESPACE_FLAGS_INITIAL;
        *ret = TAKE_PTR(p);
        return 0;
}

LiveProperties *live_properties_free(LiveProperties *p) {
        if (!p)
                return NULL;
        free(p->unit);
        strv_free(p->syscall_filter);
        strv_free(p->syscall_log);
        strv_free(p->syscall_archs);
        strv_free(p->address_families);
        free(p->personality);
        free(p->bools);
        free(p);
        return NULL;
}

static int push(char ***l, char *s) {
        return s ? strv_push(l, s) : -ENOMEM;
}

static char *keyval(const char *key, const char *value) {
        char *s;

        return asprintf(&s, "%s=%s", key, value) < 0 ? NULL : s;
}

static char *assignment(const char *key, const char *prefix, char **words) {
        _cleanup_free_ char *joined = strv_join(words, " ");
        char *s;

        if (!joined)
                return NULL;
        return asprintf(&s, "%s=%s%s", key, prefix, joined) < 0 ? NULL : s;
}

/* (bas) lists: an allow-list, a non-empty deny-list, or nothing (the directive is unset). An
 * empty allow-list is RestrictAddressFamilies=none; SystemCallFilter= cannot express it. */
static int list_assignment(char ***l, const char *key, bool allow, char **words, bool none) {
        if (strv_length(words) == 0) {
                if (allow && none)
                        return push(l, keyval(key, "none"));
                return 0;
        }
        return push(l, assignment(key, allow ? "" : "~", words));
}

static int namespaces_assignment(char ***l, uint64_t allowed) {
        unsigned long all = namespace_flags_all();
        _cleanup_free_ char *names = NULL;
        int r;

        if (allowed == NAMESPACE_FLAGS_INITIAL)
                return 0;               /* never set */
        if ((allowed & all) == all)
                return push(l, keyval("RestrictNamespaces", "no"));
        if ((allowed & all) == 0)
                return push(l, keyval("RestrictNamespaces", "yes"));
        r = namespace_flags_to_string((unsigned long) allowed, &names);
        if (r < 0)
                return r;
        return push(l, keyval("RestrictNamespaces", names));
}

int live_properties_to_assignments(const LiveProperties *p, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        for (size_t i = 0; bool_directives[i].key; i++) {
                r = push(&l, keyval(bool_directives[i].key, p->bools[i] ? "yes" : "no"));
                if (r < 0)
                        return r;
        }

        if (p->syscall_errno == ERRNO_KILL)
                r = push(&l, keyval("SystemCallErrorNumber", "kill"));
        else if (p->syscall_errno > 0 && p->syscall_errno <= ERRNO_MAX) {
                const char *name = errno_to_name(p->syscall_errno);
                char num[16];

                snprintf(num, sizeof(num), "%" PRIi32, p->syscall_errno);
                r = push(&l, keyval("SystemCallErrorNumber", name ?: num));
        } else
                r = 0;
        if (r < 0)
                return r;

        r = list_assignment(&l, "SystemCallFilter", p->syscall_filter_allow, p->syscall_filter, false);
        if (r < 0)
                return r;
        r = list_assignment(&l, "SystemCallLog", p->syscall_log_allow, p->syscall_log, false);
        if (r < 0)
                return r;
        if (strv_length(p->syscall_archs) > 0) {
                r = push(&l, assignment("SystemCallArchitectures", "", p->syscall_archs));
                if (r < 0)
                        return r;
        }
        r = list_assignment(&l, "RestrictAddressFamilies", p->address_families_allow, p->address_families, true);
        if (r < 0)
                return r;
        r = namespaces_assignment(&l, p->restrict_namespaces);
        if (r < 0)
                return r;
        if (!isempty(p->personality)) {
                r = push(&l, keyval("Personality", p->personality));
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(l);
        return 0;
}

/* The manager reports an allow-list with everything in it, its own @default included: the
 * implicit @default that the assignment added (ours may be a newer, larger one) must not stay. */
static int keep_only_listed(SyscallList *l, char **names) {
        _cleanup_free_ bool *listed = NULL;

        if (!l->set || !l->allow_list)
                return 0;
        listed = calloc(syscall_count() + 1, sizeof(bool));
        if (!listed)
                return -ENOMEM;
        STRV_FOREACH(n, names) {
                _cleanup_free_ char *name = strndup(*n, strcspn(*n, ":"));
                int id;

                if (!name)
                        return -ENOMEM;
                id = syscall_from_name(name);
                if (id >= 0)
                        listed[id] = true;
        }
        for (size_t id = 0; id < syscall_count(); id++)
                if (!listed[id] && l->action[id] == SYSCALL_DEFAULT)
                        l->action[id] = SYSCALL_ABSENT;
        return 0;
}

int live_properties_to_directives(const LiveProperties *p, Diag *diag, UnitFile **ret_unit, Directives **ret) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        _cleanup_strv_free_ char **l = NULL;
        unsigned line = 0;
        int r;

        r = live_properties_to_assignments(p, &l);
        if (r < 0)
                return r;
        r = unit_file_new(p->unit, &u);
        if (r < 0)
                return r;
        r = directives_new(&d);
        if (r < 0)
                return r;

        STRV_FOREACH(s, l) {
                _cleanup_free_ char *key = strndup(*s, strcspn(*s, "="));
                SourceLoc loc = { "bus", ++line };

                if (!key)
                        return -ENOMEM;
                r = unit_file_append(u, "Service", key, *s + strlen(key) + 1, loc);
                if (r < 0)
                        return r;
                r = directives_apply(d, u, &u->entries[u->n_entries - 1], diag);
                if (r < 0)
                        return r;
        }

        r = keep_only_listed(&d->syscall_filter, p->syscall_filter);
        if (r >= 0)
                r = keep_only_listed(&d->syscall_log, p->syscall_log);
        if (r < 0)
                return r;

        *ret_unit = TAKE_PTR(u);
        *ret = TAKE_PTR(d);
        return 0;
}
