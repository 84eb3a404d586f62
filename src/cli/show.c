/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter show: a unit's sandbox properties in `systemctl show` form. */

#include <getopt.h>

#include "cli-unit.h"
#include "unit-properties.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: megafilter show [OPTIONS…] UNIT\n"
               "\n"
               "Print the sandbox properties of a unit file, with its drop-ins, as\n"
               "'systemctl show' prints them.\n"
               "\n"
               "Options:\n"
               "  -p --property=NAME[,NAME…]  Show only these properties (repeatable)\n"
               "     --value                 Print only the values\n"
               "     --user                  Search the user unit directories\n"
               "     --strict                Treat every warning as an error\n"
               "  -v --verbose                Also show debug diagnostics\n"
               "  -h --help                   Show this help\n"
               "\n"
               "Properties, in the order they are printed:\n");
        for (const char *const *p = sandbox_property_names; *p; p++)
                printf("  %s\n", *p);
}

static int add_properties(char ***l, const char *arg) {
        _cleanup_free_ char *copy = strdup(arg);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!sandbox_property_known(t))
                        fprintf(stderr, "Unknown property %s, ignoring.\n", t);
                else if (strv_extend(l, t) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int verb_show(int argc, char *argv[]) {
        enum { ARG_VALUE = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "property", required_argument, NULL, 'p' },
                { "value", no_argument, NULL, ARG_VALUE },
                { "user", no_argument, NULL, 'U' },
                { "strict", no_argument, NULL, 'S' },
                { "verbose", no_argument, NULL, 'v' },
                {}
        };
        _cleanup_strv_free_ char **props = NULL;
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        UnitArgs ua = {};
        bool value = false, selected = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "hp:v", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'p':
                        selected = true;
                        if (add_properties(&props, optarg) < 0)
                                return 1;
                        break;
                case ARG_VALUE:
                        value = true;
                        break;
                case 'U':
                case 'S':
                case 'v':
                        unit_args_parse_option(&ua, c, optarg);
                        break;
                default:
                        return 1;
                }

        if (optind != argc - 1) {
                fprintf(stderr, "megafilter show: expected exactly one unit; see --help.\n");
                return 1;
        }

        r = cli_load_unit(argv[optind], &ua, &u, &d);
        if (r < 0)
                return 1;

        for (const char *const *p = sandbox_property_names; *p; p++) {
                _cleanup_free_ char *v = NULL;

                if (selected && !strv_contains(props, *p))
                        continue;
                r = sandbox_property_format(d, *p, &v);
                if (r < 0) {
                        fprintf(stderr, "Failed to format %s: %s\n", *p, strerror(-r));
                        return 1;
                }
                if (value)
                        printf("%s\n", v);
                else
                        printf("%s=%s\n", *p, v);
        }
        return 0;
}
