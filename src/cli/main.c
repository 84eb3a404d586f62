/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>

#include "cli-util.h"
#include "verbs.h"

/* One line per subcommand; a new one adds its line here and its src/cli/VERB.c. */
static const Verb verbs[] = {
        { "syscall-filter", verb_syscall_filter, "List syscall sets, or show a syscall's sets and numbers" },
        { "show", verb_show, "Show a unit's sandbox properties as systemctl show does" },
        { "compile", verb_compile, "Compile a unit's sandbox into its seccomp programs" },
        { "analyze", verb_analyze, "Report a filter chain's size, cache use and cost per syscall" },
        { "run", verb_run, "Run a unit's command under its coalesced sandbox" },
        { "learn", verb_learn, "Watch a unit's command, propose the tightest sandbox for it" },
        { "oci", verb_oci, "Compile a container's seccomp profile (OCI, Docker) for crun" },
        {}
};

static void help(FILE *f) {
        fprintf(f,
                "Usage: megafilter [--help] [--version] COMMAND [ARGS…]\n"
                "\n"
                "Coalesce a service unit's seccomp sandbox into one megafilter and one\n"
                "argument filter.\n"
                "\n"
                "Commands:\n");
        for (const Verb *v = verbs; v->name; v++)
                fprintf(f, "  %-16s %s\n", v->name, v->summary);
        fprintf(f,
                "\n"
                "Run 'megafilter COMMAND --help' for a command's options; see megafilter(1).\n");
}

int main(int argc, char *argv[]) {
        const char *names[ELEMENTSOF(verbs)], *guess;

        if (argc < 2) {
                help(stderr);
                return 1;
        }
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                help(stdout);
                return 0;
        }
        if (streq(argv[1], "--version")) {
                printf("%s %s\n", PROJECT_NAME, PROJECT_VERSION);
                return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                names[i] = verbs[i].name;
                if (verbs[i].name && streq(argv[1], verbs[i].name)) {
                        /* getopt_long() names argv[0] in its messages: ours, like every other. */
                        argv[1] = (char *) "megafilter";
                        return verbs[i].run(argc - 1, argv + 1);
                }
        }

        guess = cli_closest(argv[1], names);
        if (guess)
                cli_error(EINVAL, "Unknown command '%s'. Did you mean '%s'? See 'megafilter --help'.", argv[1], guess);
        else
                cli_error(EINVAL, "Unknown command '%s'; see 'megafilter --help'.", argv[1]);
        return 1;
}
