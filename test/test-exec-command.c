/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Command lines: systemd 252's config_parse_exec() and the executor's $VAR expansion. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "diag-capture.h"
#include "exec-command.h"
#include "unit-file.h"

#define LOC ((SourceLoc) { "/t/x.service", 7 })
#define AT "/t/x.service:7: "

typedef struct Cmds {
        ExecCommand *c;
        size_t n;
        Captured cap;
        int r;
} Cmds;

static Cmds parse_with(const char *value, const UnitFile *u) {
        Cmds x = {};
        Diag d = CAPTURE_DIAG(&x.cap);

        x.r = exec_command_parse(value, u, LOC, &d, &x.c, &x.n);
        return x;
}

#define parse(value) parse_with((value), NULL)

static void cmds_done(Cmds *x) {
        exec_command_free_many(x->c, x->n);
        capture_reset(&x->cap);
}

/* argv as one string, words in [brackets], for exact comparisons. */
static char *show_argv(char * const *argv) {
        char *s = strdup(""), *t;

        STRV_FOREACH(w, (char **) argv) {
                if (asprintf(&t, "%s[%s]", s, *w) < 0)
                        abort();
                free(s);
                s = t;
        }
        return s;
}

static void assert_command(const Cmds *x, size_t i, const char *path, const char *argv, ExecCommandFlags flags) {
        _cleanup_free_ char *a = NULL;

        assert_true(i < x->n);
        assert_string_equal(x->c[i].path, path);
        a = show_argv(x->c[i].argv);
        assert_string_equal(a, argv);
        assert_int_equal(x->c[i].flags, flags);
        assert_string_equal(x->c[i].loc.file, "/t/x.service");
        assert_int_equal(x->c[i].loc.line, 7);
}

static void test_simple(void **state) {
        Cmds x = parse("/bin/echo hello   world");

        assert_int_equal(x.r, 0);
        assert_messages_count(&x.cap, 0);
        assert_int_equal(x.n, 1);
        assert_command(&x, 0, "/bin/echo", "[/bin/echo][hello][world]", 0);
        cmds_done(&x);

        /* A plain name is looked up in $PATH at run time; the path is tidied, argv[0] is not. */
        x = parse("true");
        assert_int_equal(x.r, 0);
        assert_command(&x, 0, "true", "[true]", 0);
        cmds_done(&x);

        x = parse("/usr//bin/./env  -i");
        assert_int_equal(x.r, 0);
        assert_command(&x, 0, "/usr/bin/env", "[/usr//bin/./env][-i]", 0);
        cmds_done(&x);

        x = parse("");
        assert_int_equal(x.r, 0);
        assert_int_equal(x.n, 0);
        cmds_done(&x);
}

static void test_prefixes(void **state) {
        static const struct {
                const char *value, *path, *argv;
                ExecCommandFlags flags;
        } cases[] = {
                { "-/bin/true", "/bin/true", "[/bin/true]", EXEC_COMMAND_IGNORE_FAILURE },
                { "@/bin/sh sh -c x", "/bin/sh", "[sh][-c][x]", 0 },
                { ":/bin/echo $X", "/bin/echo", "[/bin/echo][$X]", EXEC_COMMAND_NO_ENV_EXPAND },
                { "+/bin/true", "/bin/true", "[/bin/true]", EXEC_COMMAND_FULLY_PRIVILEGED },
                { "!/bin/true", "/bin/true", "[/bin/true]", EXEC_COMMAND_NO_SETUID },
                { "!!/bin/true", "/bin/true", "[/bin/true]", EXEC_COMMAND_AMBIENT_MAGIC },
                { "@-:+/bin/x y z", "/bin/x", "[y][z]", EXEC_COMMAND_IGNORE_FAILURE | EXEC_COMMAND_NO_ENV_EXPAND | EXEC_COMMAND_FULLY_PRIVILEGED },
                { ":!!-@/bin/x y", "/bin/x", "[y]", EXEC_COMMAND_IGNORE_FAILURE | EXEC_COMMAND_NO_ENV_EXPAND | EXEC_COMMAND_AMBIENT_MAGIC },
                { "-!/bin/x", "/bin/x", "[/bin/x]", EXEC_COMMAND_IGNORE_FAILURE | EXEC_COMMAND_NO_SETUID },
                { "\"-/bin/quoted\"", "/bin/quoted", "[/bin/quoted]", EXEC_COMMAND_IGNORE_FAILURE },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Cmds x = parse(cases[i].value);

                assert_int_equal(x.r, 0);
                assert_messages_count(&x.cap, 0);
                assert_int_equal(x.n, 1);
                assert_command(&x, 0, cases[i].path, cases[i].argv, cases[i].flags);
                cmds_done(&x);
        }
}

static void test_bad_commands(void **state) {
        static const struct {
                const char *value, *message;
                int level, r;
        } cases[] = {
                /* A repeated or conflicting prefix is part of the path. */
                { "--/bin/true", AT "Neither a valid executable name nor an absolute path, ignoring: -/bin/true", DIAG_WARNING, 0 },
                { "+!/bin/true", AT "Neither a valid executable name nor an absolute path: !/bin/true", DIAG_ERROR, -ENOEXEC },
                { "!!!/bin/true", AT "Neither a valid executable name nor an absolute path: !/bin/true", DIAG_ERROR, -ENOEXEC },
                { "@@/bin/true x", AT "Neither a valid executable name nor an absolute path: @/bin/true", DIAG_ERROR, -ENOEXEC },
                { "foo/bar", AT "Neither a valid executable name nor an absolute path: foo/bar", DIAG_ERROR, -ENOEXEC },
                { "-foo/bar", AT "Neither a valid executable name nor an absolute path, ignoring: foo/bar", DIAG_WARNING, 0 },
                { "..", AT "Neither a valid executable name nor an absolute path: ..", DIAG_ERROR, -ENOEXEC },
                { "/bin/", AT "Executable path specifies a directory: /bin/", DIAG_ERROR, -ENOEXEC },
                { "@", AT "Empty path in command line: '@'", DIAG_ERROR, -ENOEXEC },
                { "'' a", AT "Empty path in command line: ''' a'", DIAG_ERROR, -ENOEXEC },
                { "-", AT "Empty path in command line, ignoring: '-'", DIAG_WARNING, 0 },
                { "@/bin/true", AT "Empty executable name or zeroeth argument: @/bin/true", DIAG_ERROR, -ENOEXEC },
                { "/bin/a\\x01b", AT "Executable name contains special characters: /bin/a\x01" "b", DIAG_ERROR, -ENOEXEC },
                { "\"/bin/a\\\"b\"", AT "Executable name contains special characters: /bin/a\"b", DIAG_ERROR, -ENOEXEC },
                { "/bin/echo 'abc", AT "Unbalanced quoting, ignoring: \"/bin/echo 'abc\"", DIAG_ERROR, -ENOEXEC },
                /* With "-" the quoting error is still an error, but the unit survives. */
                { "-/bin/echo \"abc", AT "Unbalanced quoting, ignoring: \"-/bin/echo \"abc\"", DIAG_ERROR, 0 },
                /* In the first word systemd only reports it. */
                { "'/bin/echo", AT "Unbalanced quoting, ignoring: \"'/bin/echo\"", DIAG_ERROR, 0 },
                { "/bin/echo x\\", AT "Ignoring unknown escape sequences: \"x\\\"", DIAG_WARNING, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Cmds x = parse(cases[i].value);

                assert_int_equal(x.r, cases[i].r);
                assert_messages_count(&x.cap, 1);
                assert_message(&x.cap, 0, cases[i].level, cases[i].message);
                cmds_done(&x);
        }
}

static void test_quoting_and_escapes(void **state) {
        Cmds x = parse("/bin/echo \"a b\" 'c d' e\"f g\"h '' \"it's\" 'say \"hi\"'");

        assert_int_equal(x.r, 0);
        assert_messages_count(&x.cap, 0);
        assert_command(&x, 0, "/bin/echo", "[/bin/echo][a b][c d][ef gh][][it's][say \"hi\"]", 0);
        cmds_done(&x);

        x = parse("/bin/printf \\t\\n \\x41\\101 \\u00e9\\U0001F600 a\\sb \\\\ \\\" \"q\\\"q\" 'x\\ty'");
        assert_int_equal(x.r, 0);
        assert_messages_count(&x.cap, 0);
        assert_command(&x, 0, "/bin/printf", "[/bin/printf][\t\n][AA][\xc3\xa9\xf0\x9f\x98\x80][a b][\\][\"][q\"q][x\ty]", 0);
        cmds_done(&x);

        /* Unknown or refused escapes (NUL) are kept as written, with a warning. */
        x = parse("/bin/echo \\q \\x00 ok");
        assert_int_equal(x.r, 0);
        assert_command(&x, 0, "/bin/echo", "[/bin/echo][\\q][\\x00][ok]", 0);
        assert_messages_count(&x.cap, 2);
        assert_message(&x.cap, 0, DIAG_WARNING, AT "Ignoring unknown escape sequences: \"\\q\"");
        assert_message(&x.cap, 1, DIAG_WARNING, AT "Ignoring unknown escape sequences: \"\\x00\"");
        cmds_done(&x);

        /* "\ " is no C escape: kept as written, and the escaped space does not end the word. */
        x = parse("/bin/echo a\\ b c");
        assert_int_equal(x.r, 0);
        assert_command(&x, 0, "/bin/echo", "[/bin/echo][a\\ b][c]", 0);
        assert_messages_count(&x.cap, 1);
        assert_message(&x.cap, 0, DIAG_WARNING, AT "Ignoring unknown escape sequences: \"a\\ b\"");
        cmds_done(&x);
}

static void test_semicolons(void **state) {
        Cmds x = parse("/bin/a x ; /bin/b y;z \\; ';' \";\" w ;  -/bin/c ; ; @/bin/d d0");

        assert_int_equal(x.r, 0);
        assert_messages_count(&x.cap, 0);
        assert_int_equal(x.n, 4);
        assert_command(&x, 0, "/bin/a", "[/bin/a][x]", 0);
        assert_command(&x, 1, "/bin/b", "[/bin/b][y;z][;][;][;][w]", 0);
        assert_command(&x, 2, "/bin/c", "[/bin/c]", EXEC_COMMAND_IGNORE_FAILURE);
        assert_command(&x, 3, "/bin/d", "[d0]", 0);
        cmds_done(&x);

        /* A lone ";" first, or last, is just a separator. */
        x = parse("; /bin/a ;");
        assert_int_equal(x.r, 0);
        assert_int_equal(x.n, 1);
        assert_command(&x, 0, "/bin/a", "[/bin/a]", 0);
        cmds_done(&x);

        /* "\;" not on its own is an unknown escape, kept. */
        x = parse("/bin/a x\\;");
        assert_int_equal(x.r, 0);
        assert_command(&x, 0, "/bin/a", "[/bin/a][x\\;]", 0);
        assert_messages_count(&x.cap, 1);
        cmds_done(&x);

        /* Commands before a bad one stay; the error is named with the rest of the value. */
        x = parse("/bin/a ; /bin/b 'x ; /bin/c");
        assert_int_equal(x.r, -ENOEXEC);
        assert_int_equal(x.n, 1);
        assert_command(&x, 0, "/bin/a", "[/bin/a]", 0);
        assert_messages_count(&x.cap, 1);
        assert_message(&x.cap, 0, DIAG_ERROR, AT "Unbalanced quoting, ignoring: \"/bin/b 'x ; /bin/c\"");
        cmds_done(&x);

        x = parse("/bin/a ; -/bin/ ; /bin/c");
        assert_int_equal(x.r, 0);
        assert_int_equal(x.n, 1);
        assert_message(&x.cap, 0, DIAG_WARNING, AT "Executable path specifies a directory, ignoring: /bin/");
        cmds_done(&x);
}

static void test_specifiers(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        Cmds x;

        assert_int_equal(unit_file_new("web-app@a\\x20b.service", &u), 0);

        /* Expanded per word after unquoting: %I may hold a space and stays one word, and a
         * backslash it brings is not taken as an escape. */
        x = parse_with("/usr/lib/%p/run \"%n\" %I %i 100%% %j", u);
        assert_int_equal(x.r, 0);
        assert_messages_count(&x.cap, 0);
        assert_command(&x, 0, "/usr/lib/web-app/run",
                       "[/usr/lib/web-app/run][web-app@a\\x20b.service][a b][a\\x20b][100%][app]", 0);
        cmds_done(&x);

        x = parse_with("/bin/echo %Z", u);
        assert_int_equal(x.r, -ENOEXEC);
        assert_int_equal(x.n, 0);
        assert_message(&x.cap, 0, DIAG_ERROR, AT "Failed to resolve unit specifiers in %Z: Invalid slot");
        cmds_done(&x);

        x = parse_with("-/bin/%Z", u);
        assert_int_equal(x.r, 0);
        assert_message(&x.cap, 0, DIAG_WARNING, AT "Failed to resolve unit specifiers in '/bin/%Z', ignoring: Invalid slot");
        cmds_done(&x);

        /* Without a unit nothing is expanded. */
        x = parse("/bin/echo %n");
        assert_int_equal(x.r, 0);
        assert_command(&x, 0, "/bin/echo", "[/bin/echo][%n]", 0);
        cmds_done(&x);
}

static void test_expand_env(void **state) {
        char *env[] = { "A=1 2", "B=x", "A=three  four", "Q='a b' \"c\"", "E=", NULL };
        char *argv[] = {
                "$A", "${B}", "a${B}b", "$$", "$$A", "$A-x", "${C}", "$C", "${A:-z}", "$", "pre$B",
                "${B", "$Q", "$E", "${}", "$${B}", "", "x$", NULL,
        };
        _cleanup_strv_free_ char **out = NULL;
        _cleanup_free_ char *s = NULL;

        assert_int_equal(exec_command_expand_env(argv, env, &out), 0);
        s = show_argv(out);
        assert_string_equal(s,
                            "[three][four]"     /* $A: the last A, split */
                            "[x][axb][$][$A]"
                                                /* $A-x: the variable "A-x", unset: gone */
                            "[]"                /* ${C}: empty */
                                                /* $C: gone */
                            "[${A:-z}][pre$B][${B]"
                                                /* "$": gone */
                            "[a b][c]"          /* $Q: quotes removed */
                                                /* $E: empty, no words */
                            "[][${B}][][x$]");
}

static void test_split_words(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *s = NULL;

        assert_int_equal(split_words("  a \"b c\"\t'd'  e\\ f g\\th ", false, &l), 0);
        s = show_argv(l);
        assert_string_equal(s, "[a][b c][d][e f][gth]");
        l = strv_free(l);
        free(s);
        s = NULL;

        assert_int_equal(split_words("g\\th \\x41 '\\n'", true, &l), 0);
        s = show_argv(l);
        assert_string_equal(s, "[g\th][A][\n]");
        l = strv_free(l);

        assert_int_equal(split_words("   ", false, &l), 0);
        assert_non_null(l);
        assert_int_equal(strv_length(l), 0);
        l = strv_free(l);

        assert_int_equal(split_words("a 'b", false, &l), -EINVAL);
        assert_int_equal(split_words("a\\", false, &l), -EINVAL);
        assert_int_equal(split_words("\\q", true, &l), -EINVAL);
        assert_null(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_simple),
                cmocka_unit_test(test_prefixes),
                cmocka_unit_test(test_bad_commands),
                cmocka_unit_test(test_quoting_and_escapes),
                cmocka_unit_test(test_semicolons),
                cmocka_unit_test(test_specifiers),
                cmocka_unit_test(test_expand_env),
                cmocka_unit_test(test_split_words),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
