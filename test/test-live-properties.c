/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Properties as the manager reports them over D-Bus, turned back into assignments: the
 * assignments, and the directives they give printed as systemctl show prints them. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sched.h>

#include "errno-name.h"
#include "live-properties.h"
#include "unit-properties.h"

static char **strv_new_split(const char *s) {
        _cleanup_free_ char *copy = strdup(s);
        char **l = NULL, *save = NULL;

        assert_non_null(copy);
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                assert_int_equal(strv_extend(&l, t), 0);
        return l;
}

static void set_bool(LiveProperties *p, const char *key, bool v) {
        for (size_t i = 0; bool_directives[i].key; i++)
                if (streq(bool_directives[i].key, key)) {
                        p->bools[i] = v;
                        return;
                }
        fail_msg("no boolean directive %s", key);
}

static void assert_property(const Directives *d, const char *name, const char *expected) {
        _cleanup_free_ char *v = NULL;

        assert_int_equal(sandbox_property_format(d, name, &v), 0);
        assert_string_equal(v, expected);
}

static void test_unset(void **state) {
        _cleanup_(live_properties_freep) LiveProperties *p = NULL;
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        _cleanup_strv_free_ char **l = NULL;
        Diag diag = { .max_level = DIAG_WARNING };

        /* What the manager reports for a unit without sandboxing. */
        assert_int_equal(live_properties_new("plain.service", &p), 0);
        assert_int_equal(live_properties_to_assignments(p, &l), 0);
        assert_true(strv_contains(l, "SystemCallErrorNumber=kill"));
        assert_true(strv_contains(l, "NoNewPrivileges=no"));
        STRV_FOREACH(s, l)
                assert_null(startswith(*s, "SystemCallFilter="));

        assert_int_equal(live_properties_to_directives(p, &diag, &u, &d), 0);
        assert_int_equal(diag.n_warnings, 0);
        assert_string_equal(u->name, "plain.service");
        assert_property(d, "SystemCallFilter", "~");
        assert_property(d, "SystemCallErrorNumber", "2147483646");
        assert_property(d, "RestrictAddressFamilies", "~");
        assert_property(d, "RestrictNamespaces", "no");
        assert_property(d, "SystemCallArchitectures", "");
        assert_property(d, "Personality", "");
        assert_false(directives_use_seccomp(d));
}

static void test_deny_lists(void **state) {
        _cleanup_(live_properties_freep) LiveProperties *p = NULL;
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        _cleanup_strv_free_ char **l = NULL;
        Diag diag = { .max_level = DIAG_WARNING };

        assert_int_equal(live_properties_new("deny.service", &p), 0);
        p->syscall_filter = strv_new_split("mount:EPERM reboot:kill settimeofday");
        p->syscall_log = strv_new_split("ioperm iopl");
        p->syscall_errno = EACCES;
        p->syscall_archs = strv_new_split("native x86");
        p->address_families = strv_new_split("AF_NETLINK AF_PACKET");
        p->restrict_namespaces = CLONE_NEWCGROUP | CLONE_NEWIPC;
        p->personality = strdup("x86-64");
        set_bool(p, "LockPersonality", true);
        set_bool(p, "ProtectClock", true);

        assert_int_equal(live_properties_to_assignments(p, &l), 0);
        assert_true(strv_contains(l, "SystemCallFilter=~mount:EPERM reboot:kill settimeofday"));
        assert_true(strv_contains(l, "SystemCallLog=~ioperm iopl"));
        assert_true(strv_contains(l, "SystemCallErrorNumber=EACCES"));
        assert_true(strv_contains(l, "SystemCallArchitectures=native x86"));
        assert_true(strv_contains(l, "RestrictAddressFamilies=~AF_NETLINK AF_PACKET"));
        assert_true(strv_contains(l, "RestrictNamespaces=cgroup ipc"));
        assert_true(strv_contains(l, "Personality=x86-64"));
        assert_true(strv_contains(l, "LockPersonality=yes"));
        assert_true(strv_contains(l, "ProtectClock=yes"));

        assert_int_equal(live_properties_to_directives(p, &diag, &u, &d), 0);
        assert_int_equal(diag.n_warnings, 0);
        assert_property(d, "SystemCallFilter", "~mount:EPERM reboot:kill settimeofday");
        assert_property(d, "SystemCallLog", "~ioperm iopl");
        assert_property(d, "SystemCallErrorNumber", "13");
        assert_property(d, "SystemCallArchitectures", "native x86");
        assert_property(d, "RestrictAddressFamilies", "~AF_NETLINK AF_PACKET");
        assert_property(d, "RestrictNamespaces", "cgroup ipc");
        assert_property(d, "Personality", "x86-64");
        assert_property(d, "LockPersonality", "yes");
        assert_property(d, "ProtectClock", "yes");
        assert_property(d, "ProtectHostname", "no");
}

static void test_allow_lists(void **state) {
        _cleanup_(live_properties_freep) LiveProperties *p = NULL;
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag diag = { .max_level = DIAG_WARNING };

        /* The manager reports the complete allow-list, its @default included; nothing may be
         * added to it on the way back, whatever megafilter's @default holds. */
        assert_int_equal(live_properties_new("allow.service", &p), 0);
        p->syscall_filter_allow = true;
        p->syscall_filter = strv_new_split("exit_group read write");
        p->address_families_allow = true;
        p->restrict_namespaces = 0;

        assert_int_equal(live_properties_to_directives(p, &diag, &u, &d), 0);
        assert_int_equal(diag.n_warnings, 0);
        assert_property(d, "SystemCallFilter", "exit_group read write");
        assert_property(d, "RestrictAddressFamilies", "");      /* an empty allow-list */
        assert_true(d->address_families_set);
        assert_property(d, "RestrictNamespaces", "yes");
        assert_true(d->syscall_filter.allow_list);
        assert_true(directives_use_seccomp(d));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unset),
                cmocka_unit_test(test_deny_lists),
                cmocka_unit_test(test_allow_lists),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
