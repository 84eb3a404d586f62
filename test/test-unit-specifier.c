/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Unit specifiers. The values were compared once with what systemd 252's user manager puts in
 * Description= for the same unit name; here they are checked against the same sources. */

#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/utsname.h>
#include <cmocka.h>

#include "diag-capture.h"
#include "unit-file.h"

static UnitFile *unit(const char *name, UnitLoadFlags flags) {
        UnitFile *u = NULL;

        assert_int_equal(unit_file_new(name, &u), 0);
        u->flags = flags;
        return u;
}

static void assert_expands(const UnitFile *u, const char *s, const char *expected) {
        _cleanup_free_ char *r = NULL;

        assert_int_equal(unit_specifier_expand(u, s, &r), 0);
        assert_string_equal(r, expected);
}

static void assert_expand_fails(const UnitFile *u, const char *s, int error) {
        char *r = NULL;

        assert_int_equal(unit_specifier_expand(u, s, &r), error);
        assert_null(r);
}

static void test_names(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = unit("mfu-p3-a-b@x\\x20y-z.service", 0);
        _cleanup_(unit_file_freep) UnitFile *plain = unit("dev-disk-by\\x2dlabel.service", 0);
        _cleanup_(unit_file_freep) UnitFile *template = unit("getty@.service", 0);

        assert_expands(u, "%n|%N|%p|%P|%i|%I|%j|%J|%f",
                       "mfu-p3-a-b@x\\x20y-z.service|mfu-p3-a-b@x\\x20y-z|mfu-p3-a-b|mfu/p3/a/b|x\\x20y-z|x y/z|b|b|/x y/z");
        assert_expands(plain, "%n|%N|%p|%P|[%i]|[%I]|%j|%J|%f",
                       "dev-disk-by\\x2dlabel.service|dev-disk-by\\x2dlabel|dev-disk-by\\x2dlabel|dev/disk/by-label|[]|[]|by\\x2dlabel|by-label|/dev/disk/by-label");
        assert_expands(template, "%n|%p|[%i]|%f", "getty@.service|getty|[]|/getty");

        /* "%%" is "%", a "%" before anything but a letter or digit stays, and so does a final one. */
        assert_expands(u, "100%% %! %- %/ x%", "100% %! %- %/ x%");
        assert_expands(u, "", "");
        assert_expands(u, "no specifiers", "no specifiers");

        assert_expand_fails(u, "%Z", -EBADSLT);
        assert_expand_fails(u, "ok %9", -EBADSLT);
        assert_expand_fails(u, "%c", -EOPNOTSUPP);
        assert_expand_fails(u, "%r", -EOPNOTSUPP);
        assert_expand_fails(u, "%R", -EOPNOTSUPP);

        /* %y and %Y need the fragment. */
        assert_expand_fails(u, "%y", -ENOENT);
}

static void test_fragment(void **state) {
        _cleanup_tree_ char *t = tree_new();
        _cleanup_(unit_file_freep) UnitFile *u = unit("foo.service", 0);
        _cleanup_free_ char *real = NULL, *expected = NULL;

        tree_write_str(t, "real/foo.service", "[Service]\n");
        tree_symlink(t, "link/foo.service", "../real/foo.service");
        u->path = tree_path(t, "link/foo.service");

        real = realpath(t, NULL);
        assert_non_null(real);
        assert_int_equal(asprintf(&expected, "%s/real/foo.service|%s/real", real, real) > 0, 1);
        assert_expands(u, "%y|%Y", expected);
}

static void test_system_manager(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = unit("foo.service", 0);
        const char *shell = access("/bin/bash", F_OK) >= 0 ? "/bin/bash" : "/bin/sh";
        _cleanup_free_ char *expected = NULL;

        /* The system manager is root with none of the caller's environment. */
        assert_int_equal(setenv("HOME", "/somewhere", 1), 0);
        assert_int_equal(setenv("TMPDIR", "/", 1), 0);
        assert_int_equal(setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1), 0);
        assert_int_equal(asprintf(&expected, "root|0|root|0|/root|%s|/run|/var/lib|/var/cache|/var/log|/etc|/run/credentials/foo.service|/tmp|/var/tmp", shell) > 0, 1);
        assert_expands(u, "%u|%U|%g|%G|%h|%s|%t|%S|%C|%L|%E|%d|%T|%V", expected);
        unsetenv("TMPDIR");
        unsetenv("XDG_RUNTIME_DIR");
}

static void test_user_manager(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = unit("foo.service", UNIT_LOAD_USER);
        _cleanup_tree_ char *t = tree_new();
        _cleanup_free_ char *expected = NULL, *user = NULL;
        struct passwd *pw = getpwuid(getuid());

        user = strdup(getuid() == 0 ? "root" : pw ? pw->pw_name : "");
        assert_non_null(user);

        assert_int_equal(setenv("HOME", "/home/someone", 1), 0);
        assert_int_equal(setenv("SHELL", "/bin/zsh", 1), 0);
        assert_int_equal(setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1), 0);
        assert_int_equal(setenv("XDG_CONFIG_HOME", "/cfg", 1), 0);
        assert_int_equal(setenv("XDG_CACHE_HOME", "/cache", 1), 0);
        assert_int_equal(setenv("TMPDIR", t, 1), 0);

        assert_int_equal(asprintf(&expected, "%s|%u|%u|/home/someone|/bin/zsh|/run/user/4242|/cfg|/cache|/cfg/log|/cfg|/run/user/4242/credentials/foo.service|%s|%s",
                                  user, (unsigned) getuid(), (unsigned) getgid(), t, t) > 0, 1);
        assert_expands(u, "%u|%U|%G|%h|%s|%t|%S|%C|%L|%E|%d|%T|%V", expected);

        /* Without the XDG variables: below $HOME. A $TMPDIR that is not a directory is skipped. */
        unsetenv("XDG_CONFIG_HOME");
        unsetenv("XDG_CACHE_HOME");
        assert_int_equal(setenv("TMPDIR", "/nonexistent-megafilter", 1), 0);
        unsetenv("TEMP");
        unsetenv("TMP");
        assert_expands(u, "%S|%C|%L|%T|%V", "/home/someone/.config|/home/someone/.cache|/home/someone/.config/log|/tmp|/var/tmp");

        /* No runtime directory, no %t. */
        unsetenv("XDG_RUNTIME_DIR");
        assert_expand_fails(u, "%t", -ENXIO);
        assert_expand_fails(u, "%d", -ENXIO);

        unsetenv("TMPDIR");
        unsetenv("SHELL");
}

/* A line of a file, without the newline; NULL if unreadable. */
static char *first_line(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t n = 0;

        if (!f || getline(&line, &n, f) < 0) {
                free(line);
                return NULL;
        }
        line[strcspn(line, "\n")] = 0;
        return line;
}

/* The value of an os-release field as the shell reads it. */
static char *shell_os_release(const char *field) {
        char cmd[256], buf[256];
        FILE *f;
        size_t n;

        snprintf(cmd, sizeof cmd, "sh -c '. /etc/os-release 2>/dev/null || . /usr/lib/os-release; printf %%s \"$%s\"'", field);
        f = popen(cmd, "r");
        assert_non_null(f);
        n = fread(buf, 1, sizeof buf - 1, f);
        pclose(f);
        buf[n] = 0;
        return strdup(buf);
}

static void test_host(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = unit("foo.service", 0);
        _cleanup_free_ char *expected = NULL, *machine_id = NULL, *boot_id = NULL, *id = NULL, *version = NULL;
        struct utsname uts;
        char shorthost[sizeof uts.nodename];

        assert_int_equal(uname(&uts), 0);
        snprintf(shorthost, sizeof shorthost, "%.*s", (int) strcspn(uts.nodename, "."), uts.nodename);
        assert_int_equal(asprintf(&expected, "%s|%s|%s", uts.nodename, shorthost, uts.release) > 0, 1);
        assert_expands(u, "%H|%l|%v", expected);
        if (streq(uts.machine, "x86_64"))
                assert_expands(u, "%a", "x86-64");

        machine_id = first_line("/etc/machine-id");
        if (machine_id && strlen(machine_id) == 32)
                assert_expands(u, "%m", machine_id);

        boot_id = first_line("/proc/sys/kernel/random/boot_id");
        assert_non_null(boot_id);
        {
                char *w = boot_id;
                for (const char *r = boot_id; *r; r++)
                        if (*r != '-')
                                *w++ = *r;
                *w = 0;
        }
        assert_int_equal(strlen(boot_id), 32);
        assert_expands(u, "%b", boot_id);

        if (access("/etc/os-release", R_OK) < 0 && access("/usr/lib/os-release", R_OK) < 0) {
                assert_expand_fails(u, "%o", -EUNATCH);
                return;
        }
        id = shell_os_release("ID");
        version = shell_os_release("VERSION_ID");
        free(expected);
        assert_int_equal(asprintf(&expected, "%s|%s", id, version) > 0, 1);
        assert_expands(u, "%o|%w", expected);
        if (access("/etc/machine-info", F_OK) < 0)
                assert_expands(u, "%q", shorthost);
}

static void test_too_long(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = unit("a.service", 0);
        size_t n = 1024 * 1024 / 9 + 1;
        char *s = malloc(2 * n + 1);
        char *r = NULL;

        /* Each "%n" is 9 characters: past 1 MiB in total. */
        assert_non_null(s);
        for (size_t i = 0; i < n; i++)
                memcpy(s + 2 * i, "%n", 2);
        s[2 * n] = 0;
        assert_int_equal(unit_specifier_expand(u, s, &r), -ENAMETOOLONG);
        assert_null(r);
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_fragment),
                cmocka_unit_test(test_system_manager),
                cmocka_unit_test(test_user_manager),
                cmocka_unit_test(test_host),
                cmocka_unit_test(test_too_long),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
