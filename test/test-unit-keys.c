/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The table of keys systemd 252 accepts in a service unit. */

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "unit-keys.h"

static void test_known(void **state) {
        static const char *const known[][2] = {
                { "Unit", "Description" }, { "Unit", "After" }, { "Unit", "StartLimitInterval" },
                { "Unit", "StartLimitIntervalSec" }, { "Unit", "OnFailureIsolate" }, { "Unit", "ConditionPathExists" },
                { "Service", "ExecStart" }, { "Service", "ExecStartPre" }, { "Service", "Type" },
                { "Service", "SystemCallFilter" }, { "Service", "SystemCallErrorNumber" },
                { "Service", "SystemCallArchitectures" }, { "Service", "SystemCallLog" },
                { "Service", "RestrictAddressFamilies" }, { "Service", "RestrictNamespaces" },
                { "Service", "MemoryDenyWriteExecute" }, { "Service", "LockPersonality" },
                { "Service", "ProtectHostname" }, { "Service", "PrivateDevices" }, { "Service", "Personality" },
                { "Service", "Capabilities" },          /* only warned about by systemd */
                { "Service", "MemoryMax" }, { "Service", "KillMode" }, { "Service", "LimitNOFILE" },
                { "Service", "StartLimitBurst" },       /* the old place, still accepted */
                { "Install", "WantedBy" }, { "Install", "RequiredBy" }, { "Install", "Alias" },
                { "Install", "Also" }, { "Install", "DefaultInstance" },
        };
        static const char *const unknown[][2] = {
                { "Service", "Description" }, { "Unit", "ExecStart" }, { "Service", "execstart" },
                { "Service", "ExecStart " }, { "Service", "" }, { "Install", "Description" },
                { "Socket", "ListenStream" }, { "Service", "ListenStream" }, { "Timer", "OnCalendar" },
                { "Service", "X-Foo" }, { "service", "ExecStart" }, { "Service", "OnCalendar" },
        };

        for (size_t i = 0; i < ELEMENTSOF(known); i++) {
                if (!unit_key_known(known[i][0], known[i][1]))
                        fail_msg("%s.%s should be known", known[i][0], known[i][1]);
        }
        for (size_t i = 0; i < ELEMENTSOF(unknown); i++) {
                if (unit_key_known(unknown[i][0], unknown[i][1]))
                        fail_msg("%s.%s should not be known", unknown[i][0], unknown[i][1]);
        }
        assert_false(unit_key_known(NULL, "ExecStart"));
        assert_false(unit_key_known("Service", NULL));
}

static void test_sections(void **state) {
        assert_true(unit_section_known("Unit"));
        assert_true(unit_section_known("Service"));
        assert_true(unit_section_known("Install"));
        assert_false(unit_section_known("unit"));
        assert_false(unit_section_known("Socket"));
        assert_false(unit_section_known("X-Service"));
        assert_false(unit_section_known(""));
        assert_false(unit_section_known(NULL));
}

/* The "Section.Key" entries of the generated table, read from the committed source. */
static char **generated_keys(void) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        char *path = NULL, *line = NULL, **keys = NULL;
        size_t n = 0;
        FILE *f;

        if (!root || asprintf(&path, "%s/src/shared/unit-keys.gen.c", root) < 0)
                return NULL;
        f = fopen(path, "re");
        free(path);
        if (!f)
                return NULL;
        while (getline(&line, &n, f) >= 0) {
                char section[64], key[128], *s;

                if (sscanf(line, " { \"%63[^\"]\", \"%127[^\"]\" },", section, key) != 2)
                        continue;
                if (asprintf(&s, "%s.%s", section, key) < 0 || strv_push(&keys, s) < 0)
                        abort();
        }
        free(line);
        fclose(f);
        return keys;
}

/* The installed systemd's own lookup table: libsystemd-core holds "Section.Key" strings for every
 * key it parses. The table must agree with it exactly, in both directions. */
static void test_matches_installed_systemd(void **state) {
        static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu/systemd", "/usr/lib/systemd", "/lib/systemd" };
        _cleanup_strv_free_ char **generated = generated_keys(), **found = NULL;
        _cleanup_free_ char *data = NULL;
        size_t size = 0;

        assert_non_null(generated);
        assert_true(strv_length(generated) > 300);
        STRV_FOREACH(k, generated) {
                char *dot = strchr(*k, '.');
                *dot = 0;
                assert_true(unit_key_known(*k, dot + 1));
                *dot = '.';
        }

        for (size_t i = 0; i < ELEMENTSOF(dirs) && !data; i++) {
                DIR *d = opendir(dirs[i]);
                struct dirent *de;

                if (!d)
                        continue;
                while ((de = readdir(d)))
                        if (startswith(de->d_name, "libsystemd-core-") && strstr(de->d_name, ".so")) {
                                char *path;
                                FILE *f;

                                if (asprintf(&path, "%s/%s", dirs[i], de->d_name) < 0)
                                        abort();
                                f = fopen(path, "re");
                                free(path);
                                if (!f)
                                        continue;
                                data = malloc(64 << 20);
                                assert_non_null(data);
                                size = fread(data, 1, (64 << 20) - 1, f);
                                fclose(f);
                                break;
                        }
                closedir(d);
        }
        if (!data) {
                print_message("libsystemd-core not found, skipping the comparison with the installed systemd\n");
                skip();
        }

        /* Like strings(1): every run of printable characters that is exactly "Section.Key". */
        data[size] = 0;
        for (size_t i = 0; i < size;) {
                size_t l = 0;
                const char *key;

                while (i + l < size && data[i + l] >= 0x20 && data[i + l] < 0x7f)
                        l++;
                if (l == 0) {
                        i++;
                        continue;
                }

                char *s = strndup(data + i, l);
                assert_non_null(s);
                key = startswith(s, "Unit.") ?: startswith(s, "Service.") ?: startswith(s, "Install.");
                if (key && *key && strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(key)) {
                        if (!strv_contains(generated, s))
                                fail_msg("%s is in systemd's table but not known", s);
                        if (!strv_contains(found, s) && strv_extend(&found, s) < 0)
                                abort();
                }
                free(s);
                i += l;
        }
        STRV_FOREACH(k, generated)
                if (!strv_contains(found, *k))
                        fail_msg("%s is known but not in systemd's table", *k);
        assert_int_equal(strv_length(found), strv_length(generated));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_known),
                cmocka_unit_test(test_sections),
                cmocka_unit_test(test_matches_installed_systemd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
