/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* errno, address family and namespace names. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>

#include "af-name.h"
#include "errno-name.h"
#include "macro.h"
#include "namespace-flags.h"

static void test_errno_names(void **state) {
        unsigned named = 0;

        assert_string_equal(errno_to_name(EPERM), "EPERM");
        assert_string_equal(errno_to_name(-EPERM), "EPERM");
        assert_string_equal(errno_to_name(EAGAIN), "EAGAIN");          /* not EWOULDBLOCK */
        assert_string_equal(errno_to_name(EDEADLK), "EDEADLK");        /* not EDEADLOCK */
        assert_string_equal(errno_to_name(EOPNOTSUPP), "EOPNOTSUPP");  /* not ENOTSUP */
        assert_string_equal(errno_to_name(EHWPOISON), "EHWPOISON");
        assert_null(errno_to_name(0));
        assert_null(errno_to_name(41));                                 /* unassigned */
        assert_null(errno_to_name(4095));
        assert_null(errno_to_name(INT_MIN));
        assert_null(errno_to_name(INT_MAX));

        assert_int_equal(errno_from_name("EPERM"), EPERM);
        assert_int_equal(errno_from_name("EWOULDBLOCK"), EAGAIN);
        assert_int_equal(errno_from_name("EDEADLOCK"), EDEADLK);
        assert_int_equal(errno_from_name("ENOTSUP"), EOPNOTSUPP);
        assert_int_equal(errno_from_name("EAFNOSUPPORT"), EAFNOSUPPORT);
        assert_int_equal(errno_from_name("eperm"), EPERM);             /* any case, as systemd's gperf table */
        assert_int_equal(errno_from_name("Eacces"), EACCES);
        assert_int_equal(errno_from_name("ewouldBLOCK"), EAGAIN);
        assert_int_equal(errno_from_name("e2big"), E2BIG);
        assert_int_equal(errno_from_name("EPERM "), -EINVAL);
        assert_int_equal(errno_from_name("1"), -EINVAL);
        assert_int_equal(errno_from_name(""), -EINVAL);
        assert_int_equal(errno_from_name(NULL), -EINVAL);

        /* Agrees with the C library for every number both name. */
        for (int e = 1; e <= ERRNO_MAX; e++) {
                const char *ours = errno_to_name(e), *libc = strerrorname_np(e);

                if (ours) {
                        named++;
                        assert_int_equal(errno_from_name(ours), e);
                        assert_non_null(libc);
                        assert_string_equal(ours, libc);
                }
        }
        assert_true(named > 120);
}

static void test_parse_errno(void **state) {
        assert_int_equal(parse_errno("EPERM"), EPERM);
        assert_int_equal(parse_errno("EWOULDBLOCK"), EAGAIN);
        assert_int_equal(parse_errno("1"), 1);
        assert_int_equal(parse_errno("0"), 0);
        assert_int_equal(parse_errno("13"), EACCES);
        assert_int_equal(parse_errno("4095"), 4095);
        assert_int_equal(parse_errno("200"), 200);                     /* unnamed numbers are fine */

        assert_int_equal(parse_errno(""), -EINVAL);
        assert_int_equal(parse_errno(NULL), -EINVAL);
        assert_int_equal(parse_errno("-1"), -ERANGE);
        assert_int_equal(parse_errno("4096"), -ERANGE);
        assert_int_equal(parse_errno("99999999999999999999999"), -ERANGE);
        assert_int_equal(parse_errno("1x"), -EINVAL);
        assert_int_equal(parse_errno("12 "), -EINVAL);
        assert_int_equal(parse_errno("-"), -EINVAL);
        assert_int_equal(parse_errno("1.0"), -EINVAL);
        assert_int_equal(parse_errno("eperm"), EPERM);
        assert_int_equal(parse_errno("EPERM "), -EINVAL);              /* names are not trimmed */
        assert_int_equal(parse_errno("kill"), -EINVAL);

        assert_int_equal(parse_errno_or_action("kill"), ERRNO_KILL);
        assert_int_equal(parse_errno_or_action("EACCES"), EACCES);
        assert_int_equal(parse_errno_or_action("0"), 0);
        assert_int_equal(parse_errno_or_action("4095"), 4095);
        assert_int_equal(parse_errno_or_action("Kill"), -EINVAL);
        assert_int_equal(parse_errno_or_action("4096"), -ERANGE);
        assert_int_equal(parse_errno_or_action(""), -EINVAL);
        assert_int_equal(parse_errno_or_action(NULL), -EINVAL);
}

/* Numbers as systemd 252's safe_atoi() reads them; every value checked against the installed
 * systemd 252.39 (SystemCallErrorNumber=VALUE, then systemctl --user show). */
static void test_parse_int_systemd(void **state) {
        static const struct {
                const char *s;
                int r, v;
        } cases[] = {
                { "0", 0, 0 },         { "12", 0, 12 },        { "0x1", 0, 1 },        { "0X1", 0, 1 },
                { "010", 0, 8 },       { "+5", 0, 5 },         { "0b101", 0, 5 },      { "0B11", 0, 3 },
                { "0o17", 0, 15 },     { "0O7", 0, 7 },        { " 12", 0, 12 },       { "\t12", 0, 12 },
                { "\v5", 0, 5 },       { "-0", 0, 0 },         { "-1", 0, -1 },        { "0xfff", 0, 4095 },
                { "0o+7", 0, 7 },      { "0b 1", 0, 1 },       { "0b-1", 0, -1 },      { "0x1000", 0, 4096 },
                { "2147483647", 0, INT_MAX },                   { "-2147483648", 0, INT_MIN },
                { "2147483648", -ERANGE, 0 },                   { "-2147483649", -ERANGE, 0 },
                { "99999999999999999999x", -ERANGE, 0 },        /* overflow before garbage */
                { "", -EINVAL, 0 },    { " ", -EINVAL, 0 },    { "0x", -EINVAL, 0 },   { "0b", -EINVAL, 0 },
                { "0b2", -EINVAL, 0 }, { "08", -EINVAL, 0 },   { "- 1", -EINVAL, 0 },  { "+-1", -EINVAL, 0 },
                { "12 ", -EINVAL, 0 }, { "1.0", -EINVAL, 0 },  { "0xg", -EINVAL, 0 },  { "0x-1", -EINVAL, 0 },
                { "0o0x1", -EINVAL, 0 }, { "0b0b1", -EINVAL, 0 }, { "-0x1", 0, -1 },  { "-0b1", -EINVAL, 0 },
                { "\v0b1", -EINVAL, 0 },                        /* the prefixes only after " \t\n\r" */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int v = 12345, r = parse_int_systemd(cases[i].s, &v);

                if (r != cases[i].r || (r == 0 && v != cases[i].v))
                        fail_msg("\"%s\": got %d (%d), expected %d (%d)", cases[i].s, r, v, cases[i].r, cases[i].v);
                if (r < 0)
                        assert_int_equal(v, 12345);
        }
        assert_int_equal(parse_int_systemd(NULL, NULL), -EINVAL);

        /* parse_errno(): 0…4095 of those. */
        assert_int_equal(parse_errno("0x1"), 1);
        assert_int_equal(parse_errno("0X1"), 1);
        assert_int_equal(parse_errno("010"), 8);
        assert_int_equal(parse_errno("+5"), 5);
        assert_int_equal(parse_errno("0b101"), 5);
        assert_int_equal(parse_errno(" 12"), 12);
        assert_int_equal(parse_errno("-0"), 0);
        assert_int_equal(parse_errno("0xfff"), 4095);
        assert_int_equal(parse_errno("0x1000"), -ERANGE);
        assert_int_equal(parse_errno("0b-1"), -ERANGE);
        assert_int_equal(parse_errno("0x"), -EINVAL);
        assert_int_equal(parse_errno_or_action("0o17"), 15);
}

static void test_af_names(void **state) {
        int named = 0;

        assert_string_equal(af_to_name(AF_UNIX), "AF_UNIX");
        assert_string_equal(af_to_name(1), "AF_UNIX");
        assert_string_equal(af_to_name(AF_INET), "AF_INET");
        assert_string_equal(af_to_name(AF_INET6), "AF_INET6");
        assert_string_equal(af_to_name(AF_NETLINK), "AF_NETLINK");     /* not AF_ROUTE */
        assert_string_equal(af_to_name(AF_PACKET), "AF_PACKET");
        assert_null(af_to_name(AF_UNSPEC));
        assert_null(af_to_name(-1));
        assert_null(af_to_name(af_max()));

        assert_int_equal(af_from_name("AF_UNIX"), AF_UNIX);
        assert_int_equal(af_from_name("AF_LOCAL"), AF_UNIX);
        assert_int_equal(af_from_name("AF_FILE"), AF_UNIX);
        assert_int_equal(af_from_name("AF_ROUTE"), AF_NETLINK);
        assert_int_equal(af_from_name("AF_INET6"), AF_INET6);
        assert_int_equal(af_from_name("AF_DECnet"), AF_DECnet);
        assert_int_equal(af_from_name("AF_UNSPEC"), -EINVAL);
        assert_int_equal(af_from_name("AF_MAX"), -EINVAL);
        assert_int_equal(af_from_name("af_inet"), AF_INET);            /* any case, as systemd's gperf table */
        assert_int_equal(af_from_name("Af_packet"), AF_PACKET);
        assert_int_equal(af_from_name("af_decnet"), AF_DECnet);
        assert_int_equal(af_from_name("AF_INET "), -EINVAL);
        assert_int_equal(af_from_name("inet"), -EINVAL);
        assert_int_equal(af_from_name(""), -EINVAL);
        assert_int_equal(af_from_name(NULL), -EINVAL);

        /* One more than the largest family the C library names, as systemd's af_max(). */
        assert_int_equal(af_max(), AF_MAX);
        assert_non_null(af_to_name(af_max() - 1));
        for (int i = 1; i < af_max(); i++) {
                const char *n = af_to_name(i);

                if (!n)
                        continue;
                named++;
                assert_int_equal(af_from_name(n), i);
        }
        assert_true(named >= 40);
}

static void test_namespace_names(void **state) {
        unsigned long all = CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS |
                CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWUTS;
        static const char *const order[] = { "cgroup", "ipc", "net", "mnt", "pid", "user", "uts", "time" };
        unsigned long f;
        size_t n = 0;
        char *s;

        for (const NamespaceInfo *i = namespace_info; i->name; i++, n++) {
                assert_true(n < ELEMENTSOF(order));
                assert_string_equal(i->name, order[n]);
        }
        assert_int_equal(n, ELEMENTSOF(order));
        assert_int_equal(namespace_flags_all(), all);

        assert_int_equal(namespace_flags_from_string("cgroup ipc net mnt pid user uts", &f), 0);
        assert_int_equal(f, all);
        assert_int_equal(namespace_flags_from_string("  net\tuser \n mnt  ", &f), 0);
        assert_int_equal(f, CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWNS);
        assert_int_equal(namespace_flags_from_string("net net", &f), 0);
        assert_int_equal(f, CLONE_NEWNET);
        assert_int_equal(namespace_flags_from_string("time", &f), 0);
        assert_int_equal(f, CLONE_NEWTIME);
        assert_int_equal(namespace_flags_from_string("", &f), 0);
        assert_int_equal(f, 0);

        f = 12345;
        assert_int_equal(namespace_flags_from_string("bogus", &f), -EINVAL);
        assert_int_equal(namespace_flags_from_string("net bogus", &f), -EINVAL);
        assert_int_equal(namespace_flags_from_string("NET", &f), -EINVAL);
        assert_int_equal(namespace_flags_from_string("ns", &f), -EINVAL);       /* the flag is CLONE_NEWNS, the name mnt */
        assert_int_equal(namespace_flags_from_string("net,ipc", &f), -EINVAL);
        assert_int_equal(namespace_flags_from_string("~net", &f), -EINVAL);     /* inversion is the directive's business */
        assert_int_equal(f, 12345);                                             /* untouched on error */

        assert_int_equal(namespace_flags_to_string(all, &s), 0);
        assert_string_equal(s, "cgroup ipc net mnt pid user uts");
        free(s);
        assert_int_equal(namespace_flags_to_string(CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWTIME, &s), 0);
        assert_string_equal(s, "net uts time");
        free(s);
        assert_int_equal(namespace_flags_to_string(NAMESPACE_FLAGS_INITIAL, &s), 0);
        assert_string_equal(s, "cgroup ipc net mnt pid user uts time");
        free(s);
        assert_int_equal(namespace_flags_to_string(0, &s), 0);
        assert_string_equal(s, "");
        free(s);

        /* Round trip */
        assert_int_equal(namespace_flags_to_string(CLONE_NEWPID | CLONE_NEWCGROUP, &s), 0);
        assert_int_equal(namespace_flags_from_string(s, &f), 0);
        assert_int_equal(f, CLONE_NEWPID | CLONE_NEWCGROUP);
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_errno_names),
                cmocka_unit_test(test_parse_errno),
                cmocka_unit_test(test_parse_int_systemd),
                cmocka_unit_test(test_af_names),
                cmocka_unit_test(test_namespace_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
