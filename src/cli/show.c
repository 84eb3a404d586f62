/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter show: a unit's sandbox properties in `systemctl show` form. */

#include <getopt.h>

#include "bus-unit.h"
#include "cli-unit.h"
#include "json-writer.h"
#include "live-properties.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: megafilter show [OPTIONS…] UNIT\n"
               "       megafilter show [OPTIONS…] --unit=NAME [--user]\n"
               "\n"
               "Print the sandbox properties of a unit file, with its drop-ins, as\n"
               "'systemctl show' prints them; with --unit, those of a unit loaded in the\n"
               "running service manager.\n"
               "\n"
               "Options:\n"
               "  -p --property=NAME[,NAME…]  Show only these properties (repeatable)\n"
               "     --value                 Print only the values\n"
               "     --json                  Print a JSON object: \"Id\", then each property\n"
               "                             as a string, as systemctl show prints it\n"
               "     --unit=NAME             Ask the running service manager about NAME\n"
               "     --user                  Search the user unit directories; with --unit,\n"
               "                             ask the calling user's manager\n"
               "     --strict                Treat every warning as an error\n"
               "  -v --verbose                Also show debug diagnostics\n"
               "  -h --help                   Show this help\n"
               "\n"
               "Properties, in the order they are printed:\n");
        for (const char *const *p = mf_unit_property_names(); *p; p++)
                printf("  %s\n", *p);
}

static int add_properties(char ***l, const char *arg) {
        _cleanup_free_ char *copy = strdup(arg);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!strv_contains((char **) mf_unit_property_names(), t)) {
                        const char *guess = cli_closest(t, mf_unit_property_names());

                        cli_error(0, "Unknown property %s%s%s%s, ignoring.", t,
                                  guess ? " (did you mean " : "", strempty(guess), guess ? "?)" : "");
                } else if (strv_extend(l, t) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The unit's properties as the running manager reports them, through the same directive model
 * as a file's, so that both are printed by one formatter. */
static int load_live_unit(const char *name, const UnitArgs *ua, mf_unit **ret) {
        _cleanup_(live_properties_freep) LiveProperties *lp = NULL;
        Diag diag = { .max_level = ua->verbose > 0 ? DIAG_DEBUG : DIAG_NOTICE };
        UnitFile *file = NULL;
        Directives *d = NULL;
        sd_bus *bus = NULL;
        int r;

        r = bus_connect_manager(ua->user, &bus);
        if (r < 0)
                return r;
        r = bus_unit_read(bus, name, &lp);
        sd_bus_flush_close_unref(bus);
        if (r < 0)
                return r;
        r = live_properties_to_directives(lp, &diag, &file, &d);
        if (r < 0)
                return cli_error(r, "Failed to convert the properties of %s: %m", lp->unit);
        if (ua->strict && diag.n_warnings > 0) {
                unit_file_free(file);
                directives_free(d);
                return cli_error(EINVAL, "Refusing unit %s: %u warning%s in strict mode.",
                                 lp->unit, diag.n_warnings, diag.n_warnings == 1 ? "" : "s");
        }
        return api_unit_new(file, d, ret);
}

int verb_show(int argc, char *argv[]) {
        enum { ARG_VALUE = 0x100, ARG_UNIT, ARG_JSON };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "property", required_argument, NULL, 'p' },
                { "value", no_argument, NULL, ARG_VALUE },
                { "unit", required_argument, NULL, ARG_UNIT },
                { "json", no_argument, NULL, ARG_JSON },
                { "user", no_argument, NULL, 'U' },
                { "strict", no_argument, NULL, 'S' },
                { "verbose", no_argument, NULL, 'v' },
                {}
        };
        _cleanup_strv_free_ char **props = NULL;
        _cleanup_(mf_unit_freep) mf_unit *u = NULL;
        _cleanup_(json_writer_done) JsonWriter j = { .f = stdout };
        UnitArgs ua = {};
        bool value = false, selected = false, json = false;
        const char *live = NULL;
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
                case ARG_UNIT:
                        live = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case 'U':
                case 'S':
                case 'v':
                        unit_args_parse_option(&ua, c, optarg);
                        break;
                default:
                        return 1;
                }

        if (optind != argc - (live ? 0 : 1)) {
                cli_error(EINVAL, "show: expected exactly one unit, as UNIT or --unit=NAME; see 'megafilter show --help'.");
                return 1;
        }
        if (json && value) {
                cli_error(EINVAL, "show: --json and --value exclude each other.");
                return 1;
        }

        r = live ? load_live_unit(live, &ua, &u) : cli_load_unit(argv[optind], &ua, &u);
        if (r < 0)
                return 1;

        if (json) {
                json_object_begin(&j);
                json_key_string(&j, "Id", mf_unit_name(u));
        }
        for (const char *const *p = mf_unit_property_names(); *p; p++) {
                _cleanup_free_ char *v = NULL;

                if (selected && !strv_contains(props, *p))
                        continue;
                r = mf_unit_get_property(u, *p, &v);
                if (r < 0) {
                        cli_error(r, "Failed to format %s: %m", *p);
                        return 1;
                }
                if (json)
                        json_key_string(&j, *p, v);
                else if (value)
                        printf("%s\n", v);
                else
                        printf("%s=%s\n", *p, v);
        }
        if (json) {
                json_object_end(&j);
                putchar('\n');
        }
        return 0;
}
