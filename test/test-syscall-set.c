/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "syscall-set.h"
#include "syscall-table.h"

/* Group members that no ABI has as a syscall (systemd lists them as alternative names). */
static const char *const tableless[] = { "fstatat", "newfstat" };

static bool is_tableless(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(tableless); i++)
                if (streq(name, tableless[i]))
                        return true;
        return false;
}

static const SyscallSet *find(const char *name) {
        const SyscallSet *s = syscall_set_find(name);

        if (!s)
                fail_msg("set %s not found", name);
        return s;
}

typedef struct Collected {
        char **names;
        unsigned calls;
        int stop_after;                 /* return -42 on this call, if > 0 */
} Collected;

static int collect(const char *name, void *userdata) {
        Collected *c = userdata;

        c->calls++;
        assert_int_equal(strv_extend(&c->names, name), 0);
        if (c->stop_after > 0 && c->calls == (unsigned) c->stop_after)
                return -42;
        return 0;
}

static unsigned occurrences(char **l, const char *name) {
        unsigned n = 0;

        STRV_FOREACH(s, l)
                n += streq(*s, name);
        return n;
}

static void test_names_and_order(void **state) {
        static const char *const expected[_SYSCALL_SET_MAX] = {
                "@default", "@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug",
                "@file-system", "@io-event", "@ipc", "@keyring", "@memlock", "@module", "@mount",
                "@network-io", "@obsolete", "@pkey", "@privileged", "@process", "@raw-io",
                "@reboot", "@resources", "@sandbox", "@setuid", "@signal", "@swap", "@sync",
                "@system-service", "@timer", "@known",
        };

        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++) {
                const SyscallSet *s = &syscall_sets[i];

                assert_string_equal(s->name, expected[i]);
                assert_ptr_equal(syscall_set_find(s->name), s);
                assert_non_null(s->help);
                assert_true(strlen(s->help) > 10);
                assert_null(strchr(s->help, '\n'));
                assert_non_null(s->members);
                assert_non_null(s->members[0]);
                for (SyscallSetId j = 0; j < i; j++)
                        assert_string_not_equal(s->help, syscall_sets[j].help);
        }

        assert_null(syscall_set_find("default"));
        assert_null(syscall_set_find("@"));
        assert_null(syscall_set_find("@nope"));
        assert_null(syscall_set_find("@Default"));
        assert_null(syscall_set_find(""));
        assert_null(syscall_set_find(NULL));
}

static void test_members_resolve(void **state) {
        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++)
                for (const char *const *m = syscall_sets[i].members; *m; m++) {
                        if ((*m)[0] == '@')
                                assert_non_null(syscall_set_find(*m));
                        else if (syscall_from_name(*m) < 0 && !is_tableless(*m))
                                fail_msg("%s member %s is neither a syscall nor a known alias",
                                         syscall_sets[i].name, *m);
                }

        /* The documented exceptions really are listed somewhere, and really are in no table. */
        for (size_t i = 0; i < ELEMENTSOF(tableless); i++)
                assert_int_equal(syscall_from_name(tableless[i]), -ENOENT);
        assert_string_equal(find("@file-system")->members[0], "access");
}

static void test_data_file_order(void **state) {
        const SyscallSet *d = find("@default"), *p = find("@privileged");

        /* Members keep the data file's order: nested sets first there. */
        assert_string_equal(d->members[0], "@sandbox");
        assert_string_equal(d->members[1], "arch_prctl");
        assert_string_equal(p->members[0], "@chown");
        assert_string_equal(p->members[5], "@swap");
        assert_string_equal(p->members[6], "_sysctl");
        assert_string_equal(find("@basic-io")->members[0], "_llseek");
}

static void test_known(void **state) {
        const SyscallSet *k = find("@known");
        size_t n = 0;

        /* @known is exactly the syscall table, in id (strcmp) order, with no nested sets. */
        for (const char *const *m = k->members; *m; m++, n++)
                assert_string_equal(*m, syscall_name((int) n));
        assert_int_equal(n, syscall_count());

        /* Every group member that is a syscall is in @known once, obsolete ones included. */
        _cleanup_strv_free_ char **names = NULL;
        Collected c = {};

        assert_int_equal(syscall_set_foreach(k, collect, &c), 0);
        names = c.names;
        assert_int_equal(strv_length(names), syscall_count());
        for (SyscallSetId i = 0; i < SYSCALL_SET_KNOWN; i++)
                for (const char *const *m = syscall_sets[i].members; *m; m++)
                        if ((*m)[0] != '@' && !is_tableless(*m))
                                assert_int_equal(occurrences(names, *m), 1);
        assert_int_equal(occurrences(names, "tuxcall"), 1);
}

static void test_nesting(void **state) {
        _cleanup_strv_free_ char **names = NULL;
        Collected c = {};

        /* @system-service -> @default -> @sandbox */
        assert_int_equal(syscall_set_foreach(find("@system-service"), collect, &c), 0);
        names = c.names;
        assert_int_equal(occurrences(names, "seccomp"), 1);            /* via @default, @sandbox */
        assert_int_equal(occurrences(names, "landlock_create_ruleset"), 1);
        assert_int_equal(occurrences(names, "fchownat"), 1);           /* via @chown */
        assert_int_equal(occurrences(names, "read"), 1);               /* via @basic-io */
        assert_int_equal(occurrences(names, "fstatat"), 1);            /* tableless names too */
        assert_int_equal(occurrences(names, "sched_yield"), 2);        /* @default and directly */
        assert_int_equal(occurrences(names, "reboot"), 0);
        assert_int_equal(occurrences(names, "mount"), 0);
        assert_int_equal(c.calls, strv_length(names));
        STRV_FOREACH(s, names)
                assert_true((*s)[0] != '@');

        /* Depth first, in member order: @system-service starts with @aio's members. */
        assert_string_equal(names[0], find("@aio")->members[0]);

        {
                _cleanup_strv_free_ char **p = NULL;
                Collected d = {};

                assert_int_equal(syscall_set_foreach(find("@privileged"), collect, &d), 0);
                p = d.names;
                assert_int_equal(occurrences(p, "reboot"), 1);
                assert_int_equal(occurrences(p, "kexec_load"), 1);
                assert_int_equal(occurrences(p, "swapon"), 1);
                assert_int_equal(occurrences(p, "clock_settime"), 1);
                assert_int_equal(occurrences(p, "iopl"), 1);
                assert_int_equal(occurrences(p, "setuid"), 1);
                assert_int_equal(occurrences(p, "read"), 0);
        }
}

static void test_stop_and_errors(void **state) {
        _cleanup_strv_free_ char **names = NULL;
        Collected c = { .stop_after = 3 };

        assert_int_equal(syscall_set_foreach(find("@known"), collect, &c), -42);
        names = c.names;
        assert_int_equal(c.calls, 3);

        assert_int_equal(syscall_set_foreach(NULL, collect, &c), -EINVAL);
        assert_int_equal(syscall_set_foreach(find("@sync"), NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_and_order),
                cmocka_unit_test(test_members_resolve),
                cmocka_unit_test(test_data_file_order),
                cmocka_unit_test(test_known),
                cmocka_unit_test(test_nesting),
                cmocka_unit_test(test_stop_and_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
