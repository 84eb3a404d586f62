/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Loading units: the search path, templates, aliases, masks, unit files given by path, drop-ins;
 * and every service unit installed on this machine. The search path is replaced through
 * $MEGAFILTER_UNIT_PATH with directories in a temporary tree: "etc", "run" and "lib", most
 * important first. */

#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <grp.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "diag-capture.h"
#include "unit-file.h"
#include "unit-keys.h"

typedef struct Loaded {
        UnitFile *u;
        Captured c;
        int r;
} Loaded;

static Loaded load_flags(const char *name, UnitLoadFlags flags) {
        Loaded l = {};
        Diag d = CAPTURE_DIAG(&l.c);

        l.r = unit_file_load(name, flags, &d, &l.u);
        if (l.r < 0)
                assert_null(l.u);
        else
                assert_non_null(l.u);
        return l;
}

#define load(name) load_flags((name), 0)

static void loaded_done(Loaded *l) {
        unit_file_free(l->u);
        capture_reset(&l->c);
}

/* A tree with etc/, run/ and lib/ as the search path. Returns its real path. */
static char *search_tree(void) {
        char *t = tree_new(), *real, *path;

        real = realpath(t, NULL);
        assert_non_null(real);
        free(t);
        tree_mkdir(real, "etc");
        tree_mkdir(real, "run");
        tree_mkdir(real, "lib");
        assert_int_equal(asprintf(&path, "%s/etc:%s/run:%s/lib", real, real, real) > 0, 1);
        assert_int_equal(setenv("MEGAFILTER_UNIT_PATH", path, 1), 0);
        free(path);
        return real;
}

/* "$t/rel", for comparisons. */
#define P(rel) tree_path(t, "%s", (rel))

static void assert_path(const char *actual, const char *t, const char *rel) {
        _cleanup_free_ char *p = P(rel);
        assert_string_equal(actual, p);
}

/* The value of the last assignment of key in u, or NULL. */
static const char *value_of(const UnitFile *u, const char *key) {
        for (size_t i = u->n_entries; i > 0; i--)
                if (streq(u->entries[i - 1].key, key))
                        return u->entries[i - 1].value;
        return NULL;
}

/* ---- the search path ---- */

static char **command_lines(const char *cmd) {
        char **l = NULL, *line = NULL;
        size_t n = 0;
        FILE *f = popen(cmd, "r");

        if (!f)
                return NULL;
        while (getline(&line, &n, f) >= 0) {
                line[strcspn(line, "\n")] = 0;
                if (strv_extend(&l, line) < 0)
                        abort();
        }
        free(line);
        if (pclose(f) != 0)
                l = strv_free(l);
        return l;
}

static void assert_strv_equal(char **a, char **b) {
        _cleanup_free_ char *x = strv_join(a, "\n"), *y = strv_join(b, "\n");
        assert_string_equal(x, y);
}

static void test_search_path(void **state) {
        _cleanup_strv_free_ char **l = NULL, **defaults = NULL, **expected = NULL;
        _cleanup_free_ char *cwd = getcwd(NULL, 0), *rel = NULL;

        unsetenv("MEGAFILTER_UNIT_PATH");
        defaults = unit_search_path(0);
        assert_non_null(defaults);
        assert_string_equal(defaults[0], "/etc/systemd/system.control");
        assert_true(strv_contains(defaults, "/etc/systemd/system"));
        assert_true(strv_contains(defaults, "/lib/systemd/system"));

        /* Like $SYSTEMD_UNIT_PATH: replaces the default, or goes in front of it with a final ':'.
         * Relative entries are taken from the working directory, empty ones skipped. */
        assert_int_equal(setenv("MEGAFILTER_UNIT_PATH", "/x::rel:/y", 1), 0);
        l = unit_search_path(0);
        assert_int_equal(asprintf(&rel, "%s/rel", cwd) > 0, 1);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "/x");
        assert_string_equal(l[1], rel);
        assert_string_equal(l[2], "/y");
        l = strv_free(l);

        assert_int_equal(setenv("MEGAFILTER_UNIT_PATH", "/x:/etc/systemd/system:", 1), 0);
        l = unit_search_path(0);
        assert_int_equal(strv_extend(&expected, "/x"), 0);
        assert_int_equal(strv_extend(&expected, "/etc/systemd/system"), 0);
        STRV_FOREACH(d, defaults)
                if (!strv_contains(expected, *d))
                        assert_int_equal(strv_extend(&expected, *d), 0);
        assert_strv_equal(l, expected);
        l = strv_free(l);

        assert_int_equal(setenv("MEGAFILTER_UNIT_PATH", "", 1), 0);
        l = unit_search_path(0);
        assert_non_null(l);
        assert_int_equal(strv_length(l), 0);
        l = strv_free(l);
        unsetenv("MEGAFILTER_UNIT_PATH");
}

/* Compare with what systemd-analyze prints for the same environment. */
static void test_search_path_matches_systemd(void **state) {
        static const char *const vars[][2] = {
                { "HOME", "/home/h" }, { "XDG_CONFIG_HOME", "/xc" }, { "XDG_RUNTIME_DIR", "/xr" },
                { "XDG_DATA_HOME", "/xd" }, { "XDG_CONFIG_DIRS", "/c1:/c2" }, { "XDG_DATA_DIRS", "/d1::/d2" },
        };
        _cleanup_strv_free_ char **ours = NULL, **theirs = NULL;
        _cleanup_free_ char *saved_home = strdup(getenv("HOME") ?: "/root");
        char cmd[1024] = "env -i PATH=/usr/bin:/bin";

        if (system("systemd-analyze --version >/dev/null 2>&1") != 0) {
                print_message("systemd-analyze not available, skipping\n");
                skip();
        }
        unsetenv("MEGAFILTER_UNIT_PATH");

        theirs = command_lines("env -i PATH=/usr/bin:/bin systemd-analyze unit-paths");
        assert_non_null(theirs);
        ours = unit_search_path(0);
        assert_strv_equal(ours, theirs);
        ours = strv_free(ours);
        theirs = strv_free(theirs);

        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                assert_int_equal(setenv(vars[i][0], vars[i][1], 1), 0);
                snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s=%s", vars[i][0], vars[i][1]);
        }
        snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " systemd-analyze --user unit-paths");
        theirs = command_lines(cmd);
        assert_non_null(theirs);
        ours = unit_search_path(UNIT_LOAD_USER);
        assert_strv_equal(ours, theirs);
        ours = strv_free(ours);
        theirs = strv_free(theirs);

        /* Without any of them: below $HOME, no runtime directories. */
        for (size_t i = 1; i < ELEMENTSOF(vars); i++)
                unsetenv(vars[i][0]);
        theirs = command_lines("env -i PATH=/usr/bin:/bin HOME=/home/h systemd-analyze --user unit-paths");
        assert_non_null(theirs);
        ours = unit_search_path(UNIT_LOAD_USER);
        assert_strv_equal(ours, theirs);

        setenv("HOME", saved_home, 1);
}

/* ---- finding units ---- */

static void test_lookup(void **state) {
        _cleanup_tree_ char *t = search_tree();
        Loaded l;

        tree_write_str(t, "lib/foo.service", "[Unit]\nDescription=lib\n");
        tree_write_str(t, "etc/foo.service", "[Unit]\nDescription=etc\n");
        tree_write_str(t, "lib/bar.service", "[Unit]\nDescription=bar\n");

        /* The most important directory with the name decides; the others are not read. */
        l = load("foo");
        assert_int_equal(l.r, 0);
        assert_messages_count(&l.c, 0);
        assert_string_equal(l.u->name, "foo.service");
        assert_path(l.u->path, t, "etc/foo.service");
        assert_int_equal(l.u->n_entries, 1);
        assert_string_equal(value_of(l.u, "Description"), "etc");
        assert_path(l.u->entries[0].loc.file, t, "etc/foo.service");
        assert_int_equal(l.u->entries[0].loc.line, 2);
        assert_null(l.u->dropins);
        assert_int_equal(l.u->flags, 0);
        loaded_done(&l);

        l = load("bar.service");
        assert_int_equal(l.r, 0);
        assert_path(l.u->path, t, "lib/bar.service");
        loaded_done(&l);

        l = load("nope");
        assert_int_equal(l.r, -ENOENT);
        assert_messages_count(&l.c, 1);
        assert_message(&l.c, 0, DIAG_ERROR, "Unit nope.service not found.");
        loaded_done(&l);

        l = load("a b");
        assert_int_equal(l.r, -EINVAL);
        assert_message(&l.c, 0, DIAG_ERROR, "Invalid service unit name: a b");
        loaded_done(&l);

        l = load("foo.socket");
        assert_int_equal(l.r, -EINVAL);
        loaded_done(&l);

        /* The user flag is kept for the specifiers. */
        l = load_flags("bar", UNIT_LOAD_USER);
        assert_int_equal(l.r, 0);
        assert_int_equal(l.u->flags, UNIT_LOAD_USER);
        loaded_done(&l);
}

static void test_templates(void **state) {
        _cleanup_tree_ char *t = search_tree();
        Loaded l;

        tree_write_str(t, "lib/tpl@.service", "[Service]\nExecStart=/bin/echo %i\n");
        tree_write_str(t, "lib/tpl@special.service", "[Service]\nExecStart=/bin/special\n");

        l = load("tpl@x");
        assert_int_equal(l.r, 0);
        assert_string_equal(l.u->name, "tpl@x.service");
        assert_path(l.u->path, t, "lib/tpl@.service");
        assert_string_equal(value_of(l.u, "ExecStart"), "/bin/echo %i");
        loaded_done(&l);

        l = load("tpl@special");
        assert_int_equal(l.r, 0);
        assert_string_equal(l.u->name, "tpl@special.service");
        assert_path(l.u->path, t, "lib/tpl@special.service");
        loaded_done(&l);

        l = load("tpl@.service");
        assert_int_equal(l.r, 0);
        assert_string_equal(l.u->name, "tpl@.service");
        loaded_done(&l);

        l = load("other@x");
        assert_int_equal(l.r, -ENOENT);
        assert_message(&l.c, 0, DIAG_ERROR, "Unit other@x.service not found.");
        loaded_done(&l);
}

static void test_aliases(void **state) {
        _cleanup_tree_ char *t = search_tree();
        _cleanup_free_ char *abs = NULL, *expected = NULL;
        Loaded l;

        tree_write_str(t, "lib/real.service", "[Unit]\nDescription=real\n");
        tree_symlink(t, "lib/alias.service", "real.service");
        abs = P("lib/real.service");
        tree_symlink(t, "etc/abs-alias.service", abs);
        tree_write_str(t, "etc/alias.service.d/10-alias.conf", "[Unit]\nDescription=via alias\n");

        /* systemd names the unit after the file the alias points to. */
        l = load("alias");
        assert_int_equal(l.r, 0);
        assert_messages_count(&l.c, 0);
        assert_string_equal(l.u->name, "real.service");
        assert_path(l.u->path, t, "lib/real.service");
        loaded_done(&l);

        l = load("abs-alias");
        assert_int_equal(l.r, 0);
        assert_string_equal(l.u->name, "real.service");
        assert_path(l.u->path, t, "lib/real.service");
        loaded_done(&l);

        /* The drop-ins of every name of the unit apply, whichever name it was loaded by. */
        l = load("real");
        assert_int_equal(l.r, 0);
        assert_int_equal(strv_length(l.u->dropins), 1);
        assert_path(l.u->dropins[0], t, "etc/alias.service.d/10-alias.conf");
        assert_string_equal(value_of(l.u, "Description"), "via alias");
        loaded_done(&l);

        /* An alias of a template gives the instance of the target template. */
        tree_write_str(t, "lib/getty@.service", "[Service]\nExecStart=/sbin/agetty %I\n");
        tree_symlink(t, "lib/autovt@.service", "getty@.service");
        tree_write_str(t, "lib/autovt@.service.d/10-autovt.conf", "[Service]\nEnvironment=AUTOVT=1\n");
        l = load("autovt@tty3");
        assert_int_equal(l.r, 0);
        assert_string_equal(l.u->name, "getty@tty3.service");
        assert_path(l.u->path, t, "lib/getty@.service");
        assert_int_equal(strv_length(l.u->dropins), 1);
        loaded_done(&l);
        l = load("getty@tty3");
        assert_int_equal(l.r, 0);
        assert_int_equal(strv_length(l.u->dropins), 1);
        assert_string_equal(value_of(l.u, "Environment"), "AUTOVT=1");
        loaded_done(&l);

        /* An alias that breaks systemd's rules is ignored, so a less important directory's file of
         * that name is used. */
        tree_write_str(t, "lib/real.socket", "[Socket]\n");
        tree_symlink(t, "etc/bad.service", "../lib/real.socket");
        tree_write_str(t, "lib/bad.service", "[Unit]\nDescription=bad\n");
        l = load("bad");
        assert_int_equal(l.r, 0);
        assert_path(l.u->path, t, "lib/bad.service");
        assert_messages_count(&l.c, 1);
        assert_int_equal(asprintf(&expected, "%s/etc/bad.service: Invalid alias symlink to ../lib/real.socket, ignoring.", t) > 0, 1);
        assert_message(&l.c, 0, DIAG_NOTICE, expected);
        loaded_done(&l);

        /* Alias loops and dangling aliases. */
        tree_symlink(t, "etc/l1.service", "l2.service");
        tree_symlink(t, "etc/l2.service", "l1.service");
        l = load("l1");
        assert_int_equal(l.r, -ELOOP);
        assert_message(&l.c, 0, DIAG_ERROR, "Failed to resolve unit l1.service: Too many levels of symbolic links");
        loaded_done(&l);

        tree_symlink(t, "etc/dangling.service", "gone.service");
        l = load("dangling");
        assert_int_equal(l.r, -ENOENT);
        assert_message(&l.c, 0, DIAG_ERROR, "Unit dangling.service not found.");
        loaded_done(&l);
}

static void test_linked_and_masked(void **state) {
        _cleanup_tree_ char *t = search_tree();
        _cleanup_free_ char *outside = NULL;
        Loaded l;

        /* A symlink out of the search path links a unit file: the name is the link's. */
        tree_write_str(t, "outside/some-file.service", "[Unit]\nDescription=linked\n");
        outside = P("outside/some-file.service");
        tree_symlink(t, "etc/linked.service", outside);
        l = load("linked");
        assert_int_equal(l.r, 0);
        assert_string_equal(l.u->name, "linked.service");
        assert_path(l.u->path, t, "etc/linked.service");
        assert_string_equal(value_of(l.u, "Description"), "linked");
        loaded_done(&l);

        tree_symlink(t, "etc/masked.service", "/dev/null");
        tree_write_str(t, "lib/masked.service", "[Unit]\nDescription=hidden\n");
        l = load("masked");
        assert_int_equal(l.r, -ERFKILL);
        assert_messages_count(&l.c, 1);
        assert_message(&l.c, 0, DIAG_ERROR, "Unit masked.service is masked.");
        loaded_done(&l);

        /* An empty file masks too, as in systemd. */
        tree_write_str(t, "lib/empty.service", "");
        l = load("empty");
        assert_int_equal(l.r, -ERFKILL);
        assert_message(&l.c, 0, DIAG_ERROR, "Unit empty.service is masked.");
        loaded_done(&l);

        /* Found by name, other kinds of files are not unit files: the name is not found there. */
        tree_mkdir(t, "etc/dir.service");
        l = load("dir");
        assert_int_equal(l.r, -ENOENT);
        loaded_done(&l);
}

/* Never blocks on a FIFO: if it did, the alarm would kill the test. */
static void test_by_path(void **state) {
        _cleanup_tree_ char *t = search_tree();
        _cleanup_free_ char *expected = NULL, *path = NULL, *cwd = getcwd(NULL, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;
        Loaded l;

        alarm(60);

        tree_mkdir(t, "x/dir.service");
        path = P("x/dir.service");
        l = load(path);
        assert_int_equal(l.r, -EISDIR);
        assert_int_equal(asprintf(&expected, "%s: Unit file is a directory, refusing.", path) > 0, 1);
        assert_message(&l.c, 0, DIAG_ERROR, expected);
        loaded_done(&l);
        free(path);
        path = NULL;
        free(expected);
        expected = NULL;

        path = P("x/fifo.service");
        assert_int_equal(mkfifo(path, 0644), 0);
        l = load(path);
        assert_int_equal(l.r, -EINVAL);
        assert_int_equal(asprintf(&expected, "%s: Unit file is not a regular file, refusing.", path) > 0, 1);
        assert_message(&l.c, 0, DIAG_ERROR, expected);
        loaded_done(&l);
        free(path);
        path = NULL;
        free(expected);
        expected = NULL;

        path = P("x/sock.service");
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        l = load(path);
        assert_int_equal(l.r, -EINVAL);
        loaded_done(&l);
        close(fd);
        free(path);
        path = NULL;

        /* A block device is not a unit file; any character device is a mask, as in systemd. */
        path = P("x/block.service");
        if (mknod(path, S_IFBLK | 0600, makedev(7, 0)) >= 0) {
                l = load(path);
                assert_int_equal(l.r, -EINVAL);
                loaded_done(&l);
        } else
                print_message("mknod: %s, not testing a block device\n", strerror(errno));
        free(path);
        path = NULL;

        tree_symlink(t, "x/zero.service", "/dev/zero");
        path = P("x/zero.service");
        l = load(path);
        assert_int_equal(l.r, -ERFKILL);
        assert_message(&l.c, 0, DIAG_ERROR, "Unit zero.service is masked.");
        loaded_done(&l);
        free(path);
        path = NULL;

        tree_symlink(t, "x/null.service", "/dev/null");
        path = P("x/null.service");
        l = load(path);
        assert_int_equal(l.r, -ERFKILL);
        assert_message(&l.c, 0, DIAG_ERROR, "Unit null.service is masked.");
        loaded_done(&l);
        free(path);
        path = NULL;

        path = P("x/missing.service");
        l = load(path);
        assert_int_equal(l.r, -ENOENT);
        assert_int_equal(asprintf(&expected, "%s: Failed to open unit file: No such file or directory", path) > 0, 1);
        assert_message(&l.c, 0, DIAG_ERROR, expected);
        loaded_done(&l);
        free(path);
        path = NULL;
        free(expected);
        expected = NULL;

        tree_write_str(t, "x/foo.conf", "[Service]\n");
        path = P("x/foo.conf");
        l = load(path);
        assert_int_equal(l.r, -EINVAL);
        assert_int_equal(asprintf(&expected, "%s: Invalid service unit name: foo.conf", path) > 0, 1);
        assert_message(&l.c, 0, DIAG_ERROR, expected);
        loaded_done(&l);
        free(path);
        path = NULL;
        free(expected);
        expected = NULL;

        /* The file given wins over the search path; drop-ins beside it and in the search path apply. */
        tree_write_str(t, "x/svc.service", "[Service]\nExecStart=/bin/given\n");
        tree_write_str(t, "x/svc.service.d/10-beside.conf", "[Service]\nEnvironment=BESIDE=1\n");
        tree_write_str(t, "etc/svc.service", "[Service]\nExecStart=/bin/searched\n");
        tree_write_str(t, "etc/svc.service.d/20-etc.conf", "[Service]\nEnvironment=ETC=1\n");
        assert_int_equal(chdir(t), 0);
        l = load("./x//svc.service");
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(l.r, 0);
        assert_messages_count(&l.c, 0);
        assert_string_equal(l.u->name, "svc.service");
        assert_path(l.u->path, t, "x/svc.service");
        assert_string_equal(value_of(l.u, "ExecStart"), "/bin/given");
        assert_int_equal(strv_length(l.u->dropins), 2);
        assert_path(l.u->dropins[0], t, "x/svc.service.d/10-beside.conf");
        assert_path(l.u->dropins[1], t, "etc/svc.service.d/20-etc.conf");
        loaded_done(&l);

        /* A fatal fault in the fragment fails the load. */
        tree_write_str(t, "x/broken.service", "[Service]\nExecStart=/bin/true\n[Service\n");
        path = P("x/broken.service");
        l = load(path);
        assert_int_equal(l.r, -EBADMSG);
        assert_int_equal(asprintf(&expected, "%s:3: Invalid section header '[Service'", path) > 0, 1);
        assert_message(&l.c, 0, DIAG_ERROR, expected);
        loaded_done(&l);
        free(path);
        path = NULL;
        free(expected);
        expected = NULL;

        alarm(0);
}

/* ---- drop-ins ---- */

static void test_dropin_order(void **state) {
        _cleanup_tree_ char *t = search_tree();
        static const char *const expected[][2] = {
                { "lib/foo-.service.d/10-first.conf", "A" },
                { "run/foo-.service.d/40-prefix.conf", "P" },
                { "etc/foo-bar-baz.service.d/50-exact.conf", "X" },
                { "etc/service.d/60-type.conf", "T" },
                { "lib/foo-bar-baz.service.d/80-late.conf", "L" },
        };
        Loaded l;

        tree_write_str(t, "lib/foo-bar-baz.service", "[Service]\nExecStart=/bin/true\n");
        tree_write_str(t, "etc/foo-bar-baz.service.d/50-exact.conf", "[Service]\nX=exact-etc\n");
        tree_write_str(t, "lib/foo-bar-baz.service.d/50-exact.conf", "[Service]\nX=exact-lib\n");
        /* The same name in a more important directory wins, however specific the other is. */
        tree_write_str(t, "lib/foo-bar-.service.d/40-prefix.conf", "[Service]\nP=prefix-foo-bar\n");
        tree_write_str(t, "run/foo-.service.d/40-prefix.conf", "[Service]\nP=prefix-foo\n");
        tree_write_str(t, "lib/foo-.service.d/10-first.conf", "[Service]\nA=first\n");
        tree_write_str(t, "etc/service.d/60-type.conf", "[Service]\nT=type-etc\n");
        tree_write_str(t, "lib/service.d/60-type.conf", "[Service]\nT=type-lib\n");
        /* A /dev/null drop-in hides the same name further down and adds nothing. */
        tree_symlink(t, "run/foo-bar-baz.service.d/70-null.conf", "/dev/null");
        tree_write_str(t, "lib/foo-bar-baz.service.d/70-null.conf", "[Service]\nN=masked\n");
        tree_write_str(t, "lib/foo-bar-baz.service.d/80-late.conf", "[Service]\nL=late\n");
        tree_write_str(t, "lib/foo-bar-baz.service.d/90-not-a-dropin.txt", "[Service]\nZ=1\n");
        tree_write_str(t, "lib/foo-bar-baz.service.d/.90-hidden.conf", "[Service]\nZ=2\n");
        /* Not prefixes of foo-bar-baz: "foo-bar-baz-" or "bar-". */
        tree_write_str(t, "lib/foo-bar-baz-.service.d/95-no.conf", "[Service]\nZ=3\n");
        tree_write_str(t, "lib/bar-.service.d/95-no.conf", "[Service]\nZ=4\n");

        l = load("foo-bar-baz");
        assert_int_equal(l.r, 0);
        assert_messages_count(&l.c, 0);
        assert_int_equal(strv_length(l.u->dropins), ELEMENTSOF(expected));
        assert_int_equal(l.u->n_entries, 1 + ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                const UnitEntry *e = l.u->entries + 1 + i;

                assert_path(l.u->dropins[i], t, expected[i][0]);
                assert_path(e->loc.file, t, expected[i][0]);
                assert_int_equal(e->loc.line, 2);
                assert_string_equal(e->key, expected[i][1]);
        }
        assert_string_equal(value_of(l.u, "X"), "exact-etc");
        assert_string_equal(value_of(l.u, "P"), "prefix-foo");
        assert_string_equal(value_of(l.u, "T"), "type-etc");
        assert_null(value_of(l.u, "N"));
        assert_null(value_of(l.u, "Z"));
        loaded_done(&l);
}

static void test_dropin_instances(void **state) {
        _cleanup_tree_ char *t = search_tree();
        static const char *const expected[] = {
                "lib/foo-bar@.service.d/10-template.conf",
                "lib/foo-bar@inst.service.d/20-instance.conf",
                "lib/foo-@inst.service.d/30-prefix-instance.conf",
                "lib/foo-@.service.d/40-prefix-template.conf",
                "lib/foo-.service.d/50-prefix.conf",
        };
        Loaded l;

        tree_write_str(t, "lib/foo-bar@.service", "[Service]\nExecStart=/bin/true\n");
        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                tree_write_str(t, expected[i], "[Service]\nEnvironment=X=1\n");
        tree_write_str(t, "lib/foo-bar@other.service.d/60-other.conf", "[Service]\nEnvironment=OTHER=1\n");

        l = load("foo-bar@inst");
        assert_int_equal(l.r, 0);
        assert_messages_count(&l.c, 0);
        assert_int_equal(strv_length(l.u->dropins), ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                assert_path(l.u->dropins[i], t, expected[i]);
        loaded_done(&l);
}

static void test_dropin_faults(void **state) {
        _cleanup_tree_ char *t = search_tree();
        _cleanup_free_ char *fifo = NULL;
        _cleanup_strv_free_ char **expected = NULL;
        Loaded l;

        alarm(60);
        tree_write_str(t, "lib/p.service", "[Service]\nExecStart=/bin/true\n");
        tree_symlink(t, "etc/p.service.d", "p.service.d");                     /* a loop */
        tree_write_str(t, "run/p.service.d", "not a directory");
        tree_mkdir(t, "lib/p.service.d/10-dir.conf");
        tree_symlink(t, "lib/p.service.d/20-dangling.conf", "nowhere.conf");
        fifo = P("lib/p.service.d/30-fifo.conf");
        assert_int_equal(mkfifo(fifo, 0644), 0);
        tree_symlink(t, "lib/p.service.d/40-loop.conf", "40-loop.conf");
        tree_write_str(t, "lib/p.service.d/50-bad.conf", "[Service]\nEnvironment=A=1\n[Service\nEnvironment=B=2\n");
        tree_write_str(t, "lib/p.service.d/60-ok.conf", "[Service]\nEnvironment=C=3\n");

        l = load("p");
        alarm(0);
        assert_int_equal(l.r, 0);
        assert_int_equal(strv_length(l.u->dropins), 2);
        assert_path(l.u->dropins[0], t, "lib/p.service.d/50-bad.conf");
        assert_path(l.u->dropins[1], t, "lib/p.service.d/60-ok.conf");
        assert_int_equal(l.u->n_entries, 3);
        assert_string_equal(l.u->entries[1].value, "A=1");
        assert_string_equal(l.u->entries[2].value, "C=3");

#define EXPECT(level, format, ...) do {                                                   \
                char *_m;                                                               \
                assert_int_equal(asprintf(&_m, format, __VA_ARGS__) > 0, 1);             \
                assert_int_equal(strv_push(&expected, _m), 0);                          \
        } while (0)
        EXPECT(DIAG_WARNING, "%s/etc/p.service.d: Failed to open drop-in directory, ignoring: Too many levels of symbolic links", t);
        EXPECT(DIAG_WARNING, "%s/run/p.service.d: Failed to open drop-in directory, ignoring: Not a directory", t);
        EXPECT(DIAG_WARNING, "%s/lib/p.service.d/10-dir.conf: Drop-in file is not a regular file, ignoring.", t);
        EXPECT(DIAG_WARNING, "%s/lib/p.service.d/20-dangling.conf: Failed to open drop-in file, ignoring: No such file or directory", t);
        EXPECT(DIAG_WARNING, "%s/lib/p.service.d/30-fifo.conf: Drop-in file is not a regular file, ignoring.", t);
        EXPECT(DIAG_WARNING, "%s/lib/p.service.d/40-loop.conf: Failed to open drop-in file, ignoring: Too many levels of symbolic links", t);
        EXPECT(DIAG_ERROR, "%s/lib/p.service.d/50-bad.conf:3: Invalid section header '[Service'", t);
        EXPECT(DIAG_NOTICE, "%s/lib/p.service.d/50-bad.conf: Ignoring the rest of the drop-in file.", t);
#undef EXPECT
        assert_messages_count(&l.c, strv_length(expected));
        for (size_t i = 0; expected[i]; i++)
                assert_string_equal(l.c.messages[i], expected[i]);
        assert_int_equal(l.c.levels[0], DIAG_WARNING);
        assert_int_equal(l.c.levels[6], DIAG_ERROR);
        assert_int_equal(l.c.levels[7], DIAG_NOTICE);
        loaded_done(&l);
}

/* An unreadable drop-in directory. Root reads everything, so the load runs in a child that has
 * switched to nobody. */
static void test_dropin_unreadable(void **state) {
        _cleanup_tree_ char *t = search_tree();
        _cleanup_free_ char *dir = NULL, *expected = NULL;
        int status;
        pid_t pid;

        tree_write_str(t, "lib/q.service", "[Service]\nExecStart=/bin/true\n");
        tree_write_str(t, "lib/q.service.d/10-secret.conf", "[Service]\nEnvironment=SECRET=1\n");
        tree_write_str(t, "etc/q.service.d/20-ok.conf", "[Service]\nEnvironment=OK=1\n");
        dir = P("lib/q.service.d");
        assert_int_equal(chmod(t, 0755), 0);
        assert_int_equal(chmod(dir, 0), 0);
        assert_int_equal(asprintf(&expected, "%s: Failed to open drop-in directory, ignoring: Permission denied", dir) > 0, 1);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                Captured c = {};
                Diag d = CAPTURE_DIAG(&c);
                UnitFile *u = NULL;
                bool ok;
                int r;

                if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                                       setresuid(65534, 65534, 65534) < 0))
                        _exit(2);
                r = unit_file_load("q", 0, &d, &u);
                ok = r == 0 && c.n == 1 && streq(c.messages[0], expected) && c.levels[0] == DIAG_WARNING &&
                        strv_length(u->dropins) == 1 && u->n_entries == 2;
                if (!ok) {
                        fprintf(stderr, "r=%d\n", r);
                        dump_messages(&c);
                }
                _exit(ok ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(chmod(dir, 0755), 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- the units installed here ---- */

static void test_installed_units(void **state) {
        static const char *const dir = "/lib/systemd/system";
        _cleanup_strv_free_ char **names = NULL;
        unsigned loaded = 0, masked = 0, entries = 0;
        struct dirent *de;
        DIR *d;

        unsetenv("MEGAFILTER_UNIT_PATH");
        d = opendir(dir);
        if (!d) {
                print_message("%s is missing, skipping\n", dir);
                skip();
        }
        while ((de = readdir(d)))
                if (strstr(de->d_name, ".service") && strcmp(strstr(de->d_name, ".service"), ".service") == 0)
                        assert_int_equal(strv_extend(&names, de->d_name), 0);
        closedir(d);
        strv_sort(names);

        STRV_FOREACH(n, names) {
                _cleanup_free_ char *path = NULL;
                Loaded l;

                assert_int_equal(asprintf(&path, "%s/%s", dir, *n) > 0, 1);
                l = load(path);
                if (l.r == -ERFKILL) {
                        /* Masked on purpose (e.g. a symlink to /dev/null): only that is said. */
                        assert_messages_count(&l.c, 1);
                        masked++;
                        loaded_done(&l);
                        continue;
                }
                if (l.r != 0 || l.c.n != 0) {
                        print_message("%s: r=%d\n", path, l.r);
                        dump_messages(&l.c);
                }
                assert_int_equal(l.r, 0);
                assert_messages_count(&l.c, 0);
                for (size_t i = 0; i < l.u->n_entries; i++) {
                        const UnitEntry *e = l.u->entries + i;

                        if (!startswith(e->key, "X-") && !unit_key_known(e->section, e->key))
                                fail_msg("%s:%u: unknown key %s in [%s]", e->loc.file, e->loc.line, e->key, e->section);
                }
                entries += l.u->n_entries;
                loaded++;
                loaded_done(&l);
        }
        print_message("%u units loaded (%u assignments), %u masked\n", loaded, entries, masked);
        assert_true(loaded > 0);
}

/* Facts of this machine's units, where present. */
static void test_installed_aliases(void **state) {
        Loaded l;

        unsetenv("MEGAFILTER_UNIT_PATH");
        if (access("/lib/systemd/system/dbus-org.freedesktop.hostname1.service", F_OK) >= 0 &&
            access("/etc/systemd/system/dbus-org.freedesktop.hostname1.service", F_OK) < 0) {
                l = load("dbus-org.freedesktop.hostname1");
                assert_int_equal(l.r, 0);
                assert_string_equal(l.u->name, "systemd-hostnamed.service");
                loaded_done(&l);
        }

        if (access("/lib/systemd/system/getty@.service", F_OK) >= 0) {
                l = load("getty@tty9");
                assert_int_equal(l.r, 0);
                assert_string_equal(l.u->name, "getty@tty9.service");
                loaded_done(&l);
        }

        /* user@0.service.d/10-login-barrier.conf hides user@.service.d's file of the same name. */
        if (access("/lib/systemd/system/user@0.service.d/10-login-barrier.conf", F_OK) >= 0 &&
            access("/lib/systemd/system/user@.service.d/10-login-barrier.conf", F_OK) >= 0) {
                bool found = false;

                l = load("user@0");
                assert_int_equal(l.r, 0);
                STRV_FOREACH(p, l.u->dropins) {
                        assert_null(strstr(*p, "user@.service.d/10-login-barrier.conf"));
                        found = found || strstr(*p, "user@0.service.d/10-login-barrier.conf");
                }
                assert_true(found);
                loaded_done(&l);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_search_path),
                cmocka_unit_test(test_search_path_matches_systemd),
                cmocka_unit_test(test_lookup),
                cmocka_unit_test(test_templates),
                cmocka_unit_test(test_aliases),
                cmocka_unit_test(test_linked_and_masked),
                cmocka_unit_test(test_by_path),
                cmocka_unit_test(test_dropin_order),
                cmocka_unit_test(test_dropin_instances),
                cmocka_unit_test(test_dropin_faults),
                cmocka_unit_test(test_dropin_unreadable),
                cmocka_unit_test(test_installed_units),
                cmocka_unit_test(test_installed_aliases),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
