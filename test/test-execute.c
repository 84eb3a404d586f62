/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* src/core/execute.c and service.c: the executable search, the environment and credentials
 * decided before forking, and each setup step's exit status, run in forked children. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pwd.h>
#include <sys/wait.h>

#include "execute.h"
#include "exit-status.h"
#include "service.h"
#include "unit-file.h"
#include "unit-text.h"

static Directives *directives_from(const char *text, UnitFile **ret_u) {
        return test_directives_from_text("test.service", text, ret_u);
}

static const char *env_get(char **env, const char *key) {
        size_t n = strlen(key);

        STRV_FOREACH(i, env)
                if (strneq(*i, key, n) && (*i)[n] == '=')
                        return *i + n + 1;
        return NULL;
}

static void test_find_executable(void **state) {
        _cleanup_free_ char *p = NULL, *q = NULL, *r = NULL, *s = NULL;

        assert_int_equal(exec_find_executable("sh", "/nonexistent:/bin:/usr/bin", &p), 0);
        assert_string_equal(p, "/bin/sh");
        assert_int_equal(exec_find_executable("no-such-command-here", EXEC_DEFAULT_PATH, &q), -ENOENT);
        assert_string_equal(q, "no-such-command-here");
        /* With a '/', taken as it is, found or not. */
        assert_int_equal(exec_find_executable("/nonexistent/x", EXEC_DEFAULT_PATH, &r), 0);
        assert_string_equal(r, "/nonexistent/x");
        /* Directories and empty entries do not count. */
        assert_int_equal(exec_find_executable("bin", "::/:/usr", &s), -ENOENT);
}

static void test_environment(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = directives_from(
                "User=root\nEnvironment=SHELL=/bin/other \"X=a b\"\nEnvironment=X=c", &u);
        char *base[] = { "HOME=/elsewhere", "KEEP=1", "X=base", NULL };
        ExecContext c;

        assert_int_equal(exec_context_prepare(&c, d, NULL, base), 0);
        assert_true(c.set_user && c.set_group);
        assert_int_equal(c.uid, 0);
        assert_int_equal(c.gid, 0);
        assert_false(c.init_groups);            /* gid 0 keeps our groups, as in systemd */
        assert_string_equal(env_get(c.environment, "PATH"), EXEC_DEFAULT_PATH);
        assert_string_equal(env_get(c.environment, "HOME"), getpwuid(0)->pw_dir);
        assert_string_equal(env_get(c.environment, "USER"), "root");
        assert_string_equal(env_get(c.environment, "LOGNAME"), "root");
        assert_string_equal(env_get(c.environment, "SHELL"), "/bin/other");     /* Environment= wins */
        assert_string_equal(env_get(c.environment, "KEEP"), "1");
        assert_string_equal(env_get(c.environment, "X"), "c");
        exec_context_done(&c);
}

static void test_environment_no_user(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = directives_from("Group=0", &u);
        char *base[] = { "PATH=/mine", NULL };
        ExecContext c;

        assert_int_equal(exec_context_prepare(&c, d, NULL, base), 0);
        assert_false(c.set_user);
        assert_true(c.set_group);
        assert_string_equal(env_get(c.environment, "PATH"), "/mine");
        assert_null(env_get(c.environment, "USER"));
        assert_null(env_get(c.environment, "HOME"));
        exec_context_done(&c);
}

static void test_numeric_user(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = directives_from("User=4000000\nGroup=4000001", &u);
        char *base[] = { NULL };
        ExecContext c;

        /* Not in the user database: the id itself, no $HOME or $SHELL. */
        assert_int_equal(exec_context_prepare(&c, d, NULL, base), 0);
        assert_int_equal(c.uid, 4000000);
        assert_int_equal(c.gid, 4000001);
        assert_string_equal(env_get(c.environment, "USER"), "4000000");
        assert_null(env_get(c.environment, "HOME"));
        assert_null(env_get(c.environment, "SHELL"));
        exec_context_done(&c);
}

static void test_unknown_user_group(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL, *v = NULL;
        _cleanup_(directives_freep) Directives *d = directives_from("User=no-such-user-here", &u);
        _cleanup_(directives_freep) Directives *e = directives_from("Group=no-such-group-here", &v);
        char *base[] = { NULL };
        ExecContext c;

        assert_int_equal(exec_context_prepare(&c, d, NULL, base), EXIT_USER);
        exec_context_done(&c);
        assert_int_equal(exec_context_prepare(&c, e, NULL, base), EXIT_GROUP);
        exec_context_done(&c);
}

/* Run the directives' first command with exec_command_spawn_here() in a child: its exit status,
 * or 128+N for a signal. */
static int spawn(const char *text) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = directives_from(text, &u);
        int wstatus;
        pid_t pid;

        assert_true(d->n_exec_start >= 1);
        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char *base[] = { NULL };
                ExecContext c;
                int r = exec_context_prepare(&c, d, NULL, base);

                if (r != 0)
                        _exit(r);
                /* Quiet: the failures are expected. */
                (void) freopen("/dev/null", "w", stderr);
                _exit(exec_command_spawn_here(&c, &d->exec_start[0]));
        }
        assert_int_equal(waitpid(pid, &wstatus, 0), pid);
        return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

static void test_spawn_status(void **state) {
        assert_int_equal(spawn("ExecStart=/bin/true"), 0);
        assert_int_equal(spawn("ExecStart=/bin/sh -c 'exit 9'"), 9);
        assert_int_equal(spawn("ExecStart=/nonexistent/command"), EXIT_EXEC);
        assert_int_equal(spawn("ExecStart=no-such-command-here"), EXIT_EXEC);
        assert_int_equal(spawn("WorkingDirectory=/nonexistent\nExecStart=/bin/true"), EXIT_CHDIR);
        assert_int_equal(spawn("WorkingDirectory=-/nonexistent\nExecStart=/bin/true"), 0);
        assert_int_equal(spawn("WorkingDirectory=/tmp\nExecStart=/bin/sh -c 'test \"$$PWD\" = /tmp'"), 0);
        /* Without User=, "~" is our own home. */
        {
                const char *home = getenv("HOME") ?: getpwuid(getuid())->pw_dir;
                _cleanup_free_ char *t = NULL;

                assert_true(asprintf(&t, "WorkingDirectory=~\nExecStart=/bin/sh -c 'test \"$$(pwd -P)\" = \"$$(cd %s && pwd -P)\"'",
                                     home) > 0);
                assert_int_equal(spawn(t), 0);
        }
#if defined(__x86_64__)
        assert_int_equal(spawn("Personality=x86\nExecStart=/bin/sh -c 'test $$(uname -m) = i686'"), 0);
#endif
        assert_int_equal(spawn("Environment=A=1\nExecStart=/bin/sh -c 'test \"$$A\" = 1'"), 0);
        if (geteuid() == 0) {
                assert_int_equal(spawn("User=65534\nExecStart=/bin/sh -c 'test $$(id -u) = 65534'"), 0);
                assert_int_equal(spawn("User=65534\nExecStart=+/bin/sh -c 'test $$(id -u) = 0'"), 0);
                /* The user switch comes before the working directory: it must be reachable for the
                 * user, not just for us. */
                char dir[] = "/tmp/megafilter-test-XXXXXX";
                _cleanup_free_ char *t = NULL, *t2 = NULL;

                assert_non_null(mkdtemp(dir));          /* mode 0700 */
                assert_true(asprintf(&t, "User=65534\nWorkingDirectory=%s\nExecStart=/bin/true", dir) > 0);
                assert_true(asprintf(&t2, "User=65534\nWorkingDirectory=%s\nExecStart=+/bin/true", dir) > 0);
                assert_int_equal(spawn(t), EXIT_CHDIR);
                assert_int_equal(spawn(t2), 0);
                assert_int_equal(rmdir(dir), 0);
        } else
                /* Not root: changing to another user fails. */
                assert_int_equal(spawn("User=0\nExecStart=/bin/true"), EXIT_GROUP);
}

static void test_service_check(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL, *v = NULL, *w = NULL;
        _cleanup_(directives_freep) Directives *two = directives_from("ExecStart=/bin/a\nExecStart=/bin/b", &u);
        _cleanup_(directives_freep) Directives *oneshot = directives_from("Type=oneshot\nExecStart=/bin/a\nExecStart=/bin/b", &v);
        _cleanup_(directives_freep) Directives *none = directives_from("Type=oneshot", &w);
        char *argv[] = { "sh", "-c", "$X", NULL };

        (void) freopen("/dev/null", "w", stderr);
        assert_int_equal(service_check(two, "two.service"), -EINVAL);
        assert_int_equal(service_check(oneshot, "oneshot.service"), 0);
        assert_int_equal(service_check(none, "none.service"), -EINVAL);

        /* A command line replaces ExecStart=, found in $PATH, without $VAR expansion. */
        assert_int_equal(service_set_command(two, argv), 0);
        assert_int_equal(two->n_exec_start, 1);
        assert_true(two->exec_start[0].path[0] == '/');
        assert_string_equal(two->exec_start[0].argv[2], "$X");
        assert_true(two->exec_start[0].flags & EXEC_COMMAND_NO_ENV_EXPAND);
        assert_int_equal(service_check(two, "two.service"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_find_executable),
                cmocka_unit_test(test_environment),
                cmocka_unit_test(test_environment_no_user),
                cmocka_unit_test(test_numeric_user),
                cmocka_unit_test(test_unknown_user_group),
                cmocka_unit_test(test_spawn_status),
                cmocka_unit_test(test_service_check),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
