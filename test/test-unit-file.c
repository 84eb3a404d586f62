/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Unit files: the syntax, faults with their FILE:LINE diagnostics, the search path, templates,
 * aliases, masking and drop-ins, on temporary directory trees. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "unit-file.h"

typedef struct Log {
        char text[8192];
        unsigned warnings, errors;
} Log;

static void capture(void *userdata, int level, const SourceLoc *loc, const char *message) {
        Log *l = userdata;
        char prefix[512];
        size_t n = strlen(l->text);

        if (level > DIAG_WARNING)
                return;
        snprintf(l->text + n, sizeof l->text - n, "%s%s\n", source_loc_prefix(loc, prefix, sizeof prefix), message);
}

static UnitFile *parse(const char *text, size_t size, Log *log, int *ret) {
        Diag d = { .func = capture, .userdata = log };
        UnitFile *u = NULL;

        assert_int_equal(unit_file_new("x.service", &u), 0);
        *ret = unit_file_parse_text(u, "x.service", text, size, &d);
        log->warnings = d.n_warnings;
        log->errors = d.n_errors;
        return u;
}

static void assert_entry(const UnitFile *u, size_t i, const char *section, const char *key, const char *value, unsigned line) {
        assert_true(i < u->n_entries);
        assert_string_equal(u->entries[i].section, section);
        assert_string_equal(u->entries[i].key, key);
        assert_string_equal(u->entries[i].value, value);
        assert_int_equal(u->entries[i].loc.line, line);
        assert_string_equal(u->entries[i].loc.file, "x.service");
}

static void test_syntax(void **state) {
        static const char text[] =
                "# comment\n"
                "; another\n"
                "[Unit]\n"
                "Description =  spaced out  \n"
                "\n"
                "[Service]\r\n"
                "ExecStart=/bin/echo a \\\n"
                "# a comment inside a continuation is skipped\n"
                "   b\\\n"
                "c\n"
                "Environment=\n"
                "Environment=A=1\r"
                "Environment=B=2\n"
                "\xef\xbb\xbfNot=really a BOM here\n";
        Log log = {};
        int r;
        UnitFile *u = parse(text, sizeof text - 1, &log, &r);

        assert_int_equal(r, 0);
        assert_int_equal(log.warnings, 0);
        assert_int_equal(u->n_entries, 6);
        assert_entry(u, 0, "Unit", "Description", "spaced out", 4);
        assert_entry(u, 1, "Service", "ExecStart", "/bin/echo a     b c", 10);
        assert_entry(u, 2, "Service", "Environment", "", 11);
        assert_entry(u, 3, "Service", "Environment", "A=1", 12);
        assert_entry(u, 4, "Service", "Environment", "B=2", 13);
        unit_file_free(u);
}

static void test_bom_and_continuation_at_eof(void **state) {
        static const char text[] = "\xef\xbb\xbf[Service]\nA=1 \\\n  2 \\";
        Log log = {};
        int r;
        UnitFile *u = parse(text, sizeof text - 1, &log, &r);

        assert_int_equal(r, 0);
        assert_int_equal(u->n_entries, 1);
        assert_entry(u, 0, "Service", "A", "1    2", 4);
        unit_file_free(u);
}

static void test_nul_bytes_end_lines(void **state) {
        static const char text[] = "[Service]\nFoo=a\0b\nBar=c\n";
        Log log = {};
        int r;
        UnitFile *u = parse(text, sizeof text - 1, &log, &r);

        assert_int_equal(r, 0);
        assert_int_equal(u->n_entries, 2);
        assert_entry(u, 0, "Service", "Foo", "a", 2);
        assert_entry(u, 1, "Service", "Bar", "c", 4);
        assert_string_equal(log.text, "x.service:3: Missing '=', ignoring line.\n");
        unit_file_free(u);
}

static void test_line_faults(void **state) {
        static const struct {
                const char *text;
                int r;
                const char *diag;
        } cases[] = {
                { "A=1\n[Service]\n", 0, "x.service:1: Assignment outside of section. Ignoring.\n" },
                { "[Service]\nnoequals\n", 0, "x.service:2: Missing '=', ignoring line.\n" },
                { "[Service]\n=value\n", 0, "x.service:2: Missing key name before '=', ignoring line.\n" },
                { "[Foo]\nA=1\n", 0, "x.service:1: Unknown section 'Foo'. Ignoring.\n" },
                { "[X-Foo]\nA=1\n", 0, "" },
                { "[Service\nA=1\n", -EBADMSG, "x.service:1: Invalid section header '[Service'\n" },
                { "[Ser\"vice]\n", -EBADMSG, "x.service:1: Bad characters in section header '[Ser\"vice]'\n" },
                { "[Service]\nA=a\xff" "b\n", -EINVAL,
                  "x.service:2: String is not UTF-8 clean, ignoring assignment: A=a\xef\xbf\xbd" "b\n" },
                { "[Service]\nA=\xc0\x80\n", -EINVAL,      /* overlong */
                  "x.service:2: String is not UTF-8 clean, ignoring assignment: A=\xef\xbf\xbd\xef\xbf\xbd\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Log log = {};
                int r;
                UnitFile *u = parse(cases[i].text, strlen(cases[i].text), &log, &r);

                assert_int_equal(r, cases[i].r);
                assert_string_equal(log.text, cases[i].diag);
                unit_file_free(u);
        }
}

static void test_long_lines(void **state) {
        const size_t limit = 1024 * 1024;
        _cleanup_free_ char *text = malloc(limit + 64);
        Log log = {};
        UnitFile *u;
        size_t n;
        int r;

        assert_non_null(text);
        n = sprintf(text, "[Service]\nA=");
        memset(text + n, 'x', limit - 3);               /* "A=" + value: 1 MiB - 1 bytes */
        n += limit - 3;
        text[n++] = '\n';
        u = parse(text, n, &log, &r);
        assert_int_equal(r, 0);
        assert_int_equal(u->n_entries, 1);
        unit_file_free(u);

        n = sprintf(text, "[Service]\nA=");
        memset(text + n, 'x', limit);
        n += limit;
        u = parse(text, n, &log, &r);
        assert_int_equal(r, -E2BIG);
        assert_int_equal(log.errors, 1);
        assert_non_null(strstr(log.text, "x.service:2: Line too long"));
        unit_file_free(u);
}

/* ---- files and search paths ---- */

static char root[] = "/tmp/megafilter-units-XXXXXX";

static void write_file(const char *rel, const char *content) {
        _cleanup_free_ char *path = NULL;
        FILE *f;

        assert_true(asprintf(&path, "%s/%s", root, rel) > 0);
        for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = 0;
                mkdir(path, 0755);
                *p = '/';
        }
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void make_link(const char *target, const char *rel) {
        _cleanup_free_ char *path = NULL;

        assert_true(asprintf(&path, "%s/%s", root, rel) > 0);
        assert_int_equal(symlink(target, path), 0);
}

static UnitFile *load(const char *name, Log *log, int *ret) {
        Diag d = { .func = capture, .userdata = log };
        UnitFile *u = NULL;

        *ret = unit_file_load(name, 0, &d, &u);
        log->warnings = d.n_warnings;
        return u;
}

static int setup_tree(void **state) {
        _cleanup_free_ char *path = NULL;

        strcpy(root, "/tmp/megafilter-units-XXXXXX");
        assert_non_null(mkdtemp(root));
        /* Two unit directories: "etc" comes first, "lib" second. */
        assert_true(asprintf(&path, "%s/etc:%s/lib", root, root) > 0);
        setenv("MEGAFILTER_UNIT_PATH", path, 1);

        write_file("lib/app.service", "[Service]\nExecStart=/bin/true\nEnvironment=FROM=lib\n");
        write_file("lib/app.service.d/10-a.conf", "[Service]\nEnvironment=DROPIN=lib-10\n");
        write_file("lib/app.service.d/30-c.conf", "[Service]\nEnvironment=DROPIN=lib-30\n");
        write_file("etc/app.service.d/10-a.conf", "[Service]\nEnvironment=DROPIN=etc-10\n");
        write_file("etc/app.service.d/20-b.conf", "[Service]\nEnvironment=DROPIN=etc-20\n");
        write_file("lib/service.d/00-all.conf", "[Service]\nEnvironment=ALL=1\n");
        write_file("lib/my-.service.d/05-prefix.conf", "[Service]\nEnvironment=PREFIX=1\n");
        write_file("lib/my-daemon.service", "[Service]\nExecStart=/bin/true\n");
        write_file("lib/tpl@.service", "[Service]\nExecStart=/bin/echo %i %I %n %N %p\n");
        write_file("lib/tpl@.service.d/x.conf", "[Service]\nEnvironment=TEMPLATE=1\n");
        make_link("app.service", "lib/alias.service");
        make_link("/dev/null", "etc/masked.service");
        write_file("lib/masked.service", "[Service]\nExecStart=/bin/true\n");
        write_file("lib/dir.service/x", "");
        write_file("lib/loop.service", "[Service]\nExecStart=/bin/true\n");
        make_link("loop.service.d", "lib/loop.service.d");
        write_file("lib/odd.service", "[Service]\nExecStart=/bin/true\n");
        write_file("lib/odd.service.d/a.conf/placeholder", "");
        write_file("lib/bad.service", "[Service]\nExecStart=/bin/true\n");
        write_file("lib/bad.service.d/x.conf", "[Service\n");
        {
                _cleanup_free_ char *fifo = NULL;
                assert_true(asprintf(&fifo, "%s/lib/fifo.service", root) > 0);
                assert_int_equal(mkfifo(fifo, 0644), 0);
        }
        return 0;
}

static int teardown_tree(void **state) {
        _cleanup_free_ char *cmd = NULL;

        assert_true(asprintf(&cmd, "rm -rf '%s'", root) > 0);
        assert_int_equal(system(cmd), 0);
        unsetenv("MEGAFILTER_UNIT_PATH");
        return 0;
}

static const char *value_of(const UnitFile *u, const char *key, size_t nth) {
        for (size_t i = 0; i < u->n_entries; i++)
                if (streq(u->entries[i].key, key) && nth-- == 0)
                        return u->entries[i].value;
        return NULL;
}

static void test_dropins(void **state) {
        Log log = {};
        int r;
        UnitFile *u = load("app", &log, &r);

        assert_int_equal(r, 0);
        assert_string_equal(u->name, "app.service");
        assert_int_equal(log.warnings, 0);
        /* The fragment, then the drop-ins in name order: etc's 10-a masks lib's, service.d's 00 comes first. */
        assert_string_equal(value_of(u, "Environment", 0), "FROM=lib");
        assert_string_equal(value_of(u, "Environment", 1), "ALL=1");
        assert_string_equal(value_of(u, "Environment", 2), "DROPIN=etc-10");
        assert_string_equal(value_of(u, "Environment", 3), "DROPIN=etc-20");
        assert_string_equal(value_of(u, "Environment", 4), "DROPIN=lib-30");
        assert_null(value_of(u, "Environment", 5));
        assert_int_equal(strv_length(u->dropins), 4);
        unit_file_free(u);

        u = load("my-daemon.service", &log, &r);
        assert_int_equal(r, 0);
        assert_string_equal(value_of(u, "Environment", 1), "PREFIX=1");
        unit_file_free(u);
}

static void test_templates_and_specifiers(void **state) {
        _cleanup_free_ char *expanded = NULL;
        Log log = {};
        int r;
        UnitFile *u = load("tpl@a-b.service", &log, &r);

        assert_int_equal(r, 0);
        assert_string_equal(u->name, "tpl@a-b.service");
        assert_string_equal(value_of(u, "Environment", 0), "ALL=1");
        assert_string_equal(value_of(u, "Environment", 1), "TEMPLATE=1");
        assert_int_equal(unit_specifier_expand(u, "%i %I %n %N %p %f %j %%", &expanded), 0);
        assert_string_equal(expanded, "a-b a/b tpl@a-b.service tpl@a-b tpl /a/b tpl %");
        free(expanded);
        expanded = NULL;
        assert_int_equal(unit_specifier_expand(u, "%Z", &expanded), -EBADSLT);
        unit_file_free(u);
}

static void test_alias_masked_and_bad_files(void **state) {
        _cleanup_free_ char *path = NULL;
        Log log = {};
        int r;
        UnitFile *u;

        u = load("alias.service", &log, &r);
        assert_int_equal(r, 0);
        assert_string_equal(u->name, "app.service");
        unit_file_free(u);

        memset(&log, 0, sizeof log);
        u = load("masked.service", &log, &r);
        assert_int_equal(r, -ERFKILL);
        assert_string_equal(log.text, "Unit masked.service is masked.\n");

        memset(&log, 0, sizeof log);
        u = load("nosuch.service", &log, &r);
        assert_int_equal(r, -ENOENT);
        assert_string_equal(log.text, "Unit nosuch.service not found.\n");

        memset(&log, 0, sizeof log);
        assert_true(asprintf(&path, "%s/lib/dir.service", root) > 0);
        u = load(path, &log, &r);
        assert_int_equal(r, -EISDIR);
        free(path);

        memset(&log, 0, sizeof log);
        assert_true(asprintf(&path, "%s/lib/fifo.service", root) > 0);
        u = load(path, &log, &r);              /* must not block */
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(log.text, "Not a regular file, refusing."));

        memset(&log, 0, sizeof log);
        u = load("bad name", &log, &r);
        assert_int_equal(r, -EINVAL);
        assert_string_equal(log.text, "Not a valid unit name: bad name.service\n");
}

static void test_dropin_faults(void **state) {
        Log log = {};
        int r;
        UnitFile *u;

        /* A drop-in directory that is a symlink loop: a warning, the unit still loads. */
        u = load("loop.service", &log, &r);
        assert_int_equal(r, 0);
        assert_int_equal(log.warnings, 1);
        assert_non_null(strstr(log.text, "loop.service.d: Failed to canonicalize drop-in directory, ignoring"));
        unit_file_free(u);

        /* A directory called a.conf is not a drop-in. */
        memset(&log, 0, sizeof log);
        u = load("odd.service", &log, &r);
        assert_int_equal(r, 0);
        assert_int_equal(log.warnings, 0);
        unit_file_free(u);

        /* A broken drop-in breaks the unit, as in systemd. */
        memset(&log, 0, sizeof log);
        u = load("bad.service", &log, &r);
        assert_int_equal(r, -EBADMSG);
        assert_non_null(strstr(log.text, "bad.service.d/x.conf:1: Invalid section header '[Service'"));
}

static void test_real_units(void **state) {
        const char *dir = "/lib/systemd/system";
        _cleanup_free_ struct dirent **names = NULL;
        unsigned loaded = 0;
        int n;

        unsetenv("MEGAFILTER_UNIT_PATH");
        n = scandir(dir, &names, NULL, alphasort);
        if (n <= 0)
                skip();
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *name = NULL;
                const char *d = names[i]->d_name;
                Log log = {};
                UnitFile *u;
                int r;

                if (!endswith_char(d, 'e') || !strstr(d, ".service")) {
                        free(names[i]);
                        continue;
                }
                /* Templates are loaded as an instance, as systemd would run them. */
                if (strstr(d, "@.service"))
                        assert_true(asprintf(&name, "%.*s@test.service", (int) (strstr(d, "@.") - d), d) > 0);
                else
                        name = strdup(d);
                free(names[i]);

                u = load(name, &log, &r);
                if (r == -ERFKILL)
                        continue;
                if (r < 0 || log.warnings > 0)
                        fail_msg("%s: %d, %s", name, r, log.text);
                loaded++;
                unit_file_free(u);
        }
        assert_true(loaded > 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_syntax),
                cmocka_unit_test(test_bom_and_continuation_at_eof),
                cmocka_unit_test(test_nul_bytes_end_lines),
                cmocka_unit_test(test_line_faults),
                cmocka_unit_test(test_long_lines),
                cmocka_unit_test_setup_teardown(test_dropins, setup_tree, teardown_tree),
                cmocka_unit_test_setup_teardown(test_templates_and_specifiers, setup_tree, teardown_tree),
                cmocka_unit_test_setup_teardown(test_alias_masked_and_bad_files, setup_tree, teardown_tree),
                cmocka_unit_test_setup_teardown(test_dropin_faults, setup_tree, teardown_tree),
                cmocka_unit_test(test_real_units),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
