/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter run: a unit's command (or one given here) under the unit's coalesced sandbox, set up
 * as systemd's executor would. */

#include <getopt.h>

#include "cli-unit.h"
#include "exit-status.h"
#include "service.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: megafilter run [OPTIONS…] UNIT [OPTIONS…] [-- COMMAND [ARG…]]\n"
               "       megafilter run [OPTIONS…] [--] COMMAND [ARG…]\n"
               "\n"
               "Run a unit's ExecStart= command(s) the way systemd's executor would:\n"
               "Environment=, Personality=, ProtectHostname='s UTS namespace, Group=, User=,\n"
               "WorkingDirectory=, then the coalesced seccomp sandbox, then execve(). A first\n"
               "argument ending in .service is the unit (a path, or a name looked up as\n"
               "systemctl does); a COMMAND replaces its ExecStart=. Without a unit, an empty\n"
               "one is used and -p supplies the settings.\n"
               "\n"
               "Options:\n"
               UNIT_ARGS_HELP
               "  -h --help               Show this help\n"
               "\n"
               "Exit status: the command's, 128+N when it was killed by signal N, or\n"
               "systemd's code for the step that failed: 200 CHDIR, 203 EXEC, 216 GROUP,\n"
               "217 USER, 226 NAMESPACE, 228 SECCOMP, 230 PERSONALITY, 232 ADDRESS_FAMILIES;\n"
               "1 when the unit or the options are wrong.\n");
}

static bool is_unit_argument(const char *s) {
        const char *dot = strrchr(s, '.');

        return dot && streq(dot, ".service") && dot != s && !endswith_char(s, '/');
}

int verb_run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                UNIT_ARGS_OPTIONS,
                {}
        };
        _cleanup_(mf_unit_freep) mf_unit *u = NULL;
        _cleanup_(mf_sandbox_freep) mf_sandbox *s = NULL;
        _cleanup_(unit_args_done) UnitArgs ua = {};
        struct mf_error error = { .size = sizeof error };
        const char *unit = NULL;
        char **command = NULL;
        int c, r;

        optind = 0;
        for (;;) {
                /* "+": stop at the first word that is not an option, so that the command's own
                 * options are left alone. */
                while ((c = getopt_long(argc, argv, "+h" UNIT_ARGS_SHORT, options, NULL)) >= 0) {
                        switch (c) {
                        case 'h':
                                help();
                                return 0;
                        default:
                                r = unit_args_parse_option(&ua, c, optarg);
                                if (r <= 0) {
                                        if (r == 0)
                                                cli_error(EINVAL, "See 'megafilter run --help'.");
                                        return 1;
                                }
                        }
                }
                if (optind >= argc)
                        break;
                /* A unit, unless "--" came first: options may follow it. */
                if (!unit && !streq(argv[optind - 1], "--") && is_unit_argument(argv[optind])) {
                        unit = argv[optind++];
                        continue;
                }
                command = argv + optind;
                break;
        }

        if (!unit && !command && strv_length(ua.assignments) == 0) {
                cli_error(EINVAL, "run: expected a unit or a command; see 'megafilter run --help'.");
                return 1;
        }

        r = cli_load_unit(unit, &ua, &u);
        if (r < 0)
                return 1;

        if (command && service_set_command(u->directives, command) < 0) {
                cli_error(ENOMEM, "Out of memory.");
                return 1;
        }
        if (service_check(u->directives, mf_unit_name(u)) < 0)
                return 1;

        /* Compile before anything changes, so that a bad sandbox stops us here. */
        r = mf_compile(u, NULL, cli_log, &ua.verbose, &s, &error);
        if (r < 0) {
                cli_error(r, "Failed to compile the sandbox of %s: %m", mf_unit_name(u));
                return EXIT_SECCOMP;
        }

        return service_run(u->directives, s);
}
