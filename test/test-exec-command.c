/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Command lines: prefixes, quoting, escapes, ";" and "\;", specifiers per word, faults, and the
 * expansion of $VAR, ${VAR} and $$ at run time. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exec-command.h"
#include "unit-file.h"

typedef struct Parsed {
        ExecCommand *c;
        size_t n;
        int r;
        unsigned warnings, errors;
        char last[512];
} Parsed;

static void capture(void *userdata, int level, const SourceLoc *loc, const char *message) {
        Parsed *p = userdata;
        snprintf(p->last, sizeof p->last, "%s", message);
}

static Parsed parse(const char *value, const char *unit) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        Parsed p = {};
        Diag d = { .func = capture, .userdata = &p };

        assert_int_equal(unit_file_new(unit ?: "x.service", &u), 0);
        p.r = exec_command_parse(value, u, (SourceLoc) { "x.service", 7 }, &d, &p.c, &p.n);
        p.warnings = d.n_warnings;
        p.errors = d.n_errors;
        return p;
}

static void parsed_done(Parsed *p) {
        exec_command_free_many(p->c, p->n);
}

static void assert_argv(const ExecCommand *c, const char *const *expected) {
        size_t i = 0;

        for (; expected[i]; i++) {
                assert_non_null(c->argv[i]);
                assert_string_equal(c->argv[i], expected[i]);
        }
        assert_null(c->argv[i]);
}

static void test_prefixes(void **state) {
        Parsed p = parse("-@:/bin/sh argv0 -c 'echo \"hi there\"'", NULL);

        assert_int_equal(p.r, 0);
        assert_int_equal(p.n, 1);
        assert_string_equal(p.c[0].path, "/bin/sh");
        assert_true(p.c[0].flags & EXEC_COMMAND_IGNORE_FAILURE);
        assert_true(p.c[0].flags & EXEC_COMMAND_NO_ENV_EXPAND);
        assert_argv(&p.c[0], (const char *const[]) { "argv0", "-c", "echo \"hi there\"", NULL });
        parsed_done(&p);

        p = parse("+/bin/true", NULL);
        assert_true(p.c[0].flags & EXEC_COMMAND_FULLY_PRIVILEGED);
        parsed_done(&p);
        p = parse("!/bin/true", NULL);
        assert_true(p.c[0].flags & EXEC_COMMAND_NO_SETUID);
        parsed_done(&p);
        p = parse("!!/bin/true", NULL);
        assert_true(p.c[0].flags & EXEC_COMMAND_AMBIENT_MAGIC);
        assert_false(p.c[0].flags & EXEC_COMMAND_NO_SETUID);
        parsed_done(&p);
}

static void test_escapes_and_separators(void **state) {
        Parsed p = parse("/bin/echo a\\tb \\x41 \\u00e9 \"x y\"z ; /bin/echo \\; ';' \\\\; ls", NULL);

        assert_int_equal(p.r, 0);
        assert_int_equal(p.n, 2);
        assert_argv(&p.c[0], (const char *const[]) { "/bin/echo", "a\tb", "A", "\xc3\xa9", "x yz", NULL });
        assert_string_equal(p.c[1].path, "/bin/echo");
        assert_argv(&p.c[1], (const char *const[]) { "/bin/echo", ";", ";", "\\;", "ls", NULL });
        parsed_done(&p);
}

static void test_specifiers(void **state) {
        Parsed p = parse("/bin/echo %n \"%i with space\" %%", "web@blue.service");

        assert_int_equal(p.r, 0);
        assert_argv(&p.c[0], (const char *const[]) { "/bin/echo", "web@blue.service", "blue with space", "%", NULL });
        parsed_done(&p);
}

static void test_faults(void **state) {
        static const struct {
                const char *value;
                int r;
                unsigned warnings, errors;
                const char *message;
        } cases[] = {
                { "relative/path x", -ENOEXEC, 0, 1, "Neither a valid executable name nor an absolute path: relative/path" },
                { "-relative/path x", 0, 1, 0, "Neither a valid executable name nor an absolute path, ignoring: relative/path" },
                { "/bin/ x", -ENOEXEC, 0, 1, "Executable path specifies a directory: /bin/" },
                { "@", -ENOEXEC, 0, 1, "Empty path in command line: '@'" },
                { "/bin/echo \"unbalanced", -ENOEXEC, 0, 1, "Unbalanced quoting or bad escape: \"/bin/echo \"unbalanced\"" },
                { "-/bin/echo \"unbalanced", 0, 1, 0, "Unbalanced quoting or bad escape, ignoring: \"-/bin/echo \"unbalanced\"" },
                { "/bin/echo \\q", -ENOEXEC, 0, 1, "Unbalanced quoting or bad escape: \"/bin/echo \\q\"" },
                { "/bin/echo %Z", -ENOEXEC, 0, 1, "Failed to resolve unit specifiers in %Z: Invalid slot" },
                { "@/bin/echo", -ENOEXEC, 0, 1, "Empty executable name or zeroeth argument: @/bin/echo" },
                { "echo hello", 0, 0, 0, "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Parsed p = parse(cases[i].value, NULL);

                if (p.r != cases[i].r || p.warnings != cases[i].warnings || p.errors != cases[i].errors ||
                    !streq(p.last, cases[i].message))
                        fail_msg("%s: r=%d w=%u e=%u \"%s\"", cases[i].value, p.r, p.warnings, p.errors, p.last);
                parsed_done(&p);
        }
}

static void test_expand_env(void **state) {
        char *env[] = { "A=one two  three", "B=b", "E=", NULL };
        char *argv[] = { "cmd", "$A", "${A}", "x${B}y", "$$B", "$B.x", "${NOPE}", "$NOPE", "$E", "a$B", NULL };
        _cleanup_strv_free_ char **r = NULL;

        assert_int_equal(exec_command_expand_env(argv, env, &r), 0);
        assert_argv(&(ExecCommand) { .argv = r },
                    (const char *const[]) { "cmd", "one", "two", "three", "one two  three", "xby", "$B", "", "a$B", NULL });
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prefixes),
                cmocka_unit_test(test_escapes_and_separators),
                cmocka_unit_test(test_specifiers),
                cmocka_unit_test(test_faults),
                cmocka_unit_test(test_expand_env),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
