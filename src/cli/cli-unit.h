/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the subcommands that take a unit share: loading it through the library (mf_unit_load(),
 * mf_unit_set_property() for -p), printing diagnostics, --user and --strict, and explaining a unit
 * that cannot be found. */

#include "api-internal.h"
#include "cli-util.h"

typedef struct UnitArgs {
        bool user;                      /* --user */
        bool strict;                    /* --strict: any warning is an error */
        char **assignments;             /* -p KEY=VALUE, in order */
        int verbose;                    /* -v: show debug diagnostics */
} UnitArgs;

/* Load name_or_path (or, when it is NULL, an empty unit "megafilter-run.service") and apply the
 * assignments. Diagnostics go to stderr. Returns 0, or a negative errno after printing why: an
 * assignment that does not apply cleanly is an error. */
int cli_load_unit(const char *name_or_path, const UnitArgs *a, mf_unit **ret);

/* Handle the options every unit-taking subcommand has. Returns 1 if opt was one of them, 0 if
 * not, negative on a bad value (after printing why). */
int unit_args_parse_option(UnitArgs *a, int opt, const char *arg);
void unit_args_done(UnitArgs *a);

/* getopt_long entries and option characters for the shared options. */
#define UNIT_ARGS_OPTIONS                                               \
        { "user", no_argument, NULL, 'U' },                             \
        { "strict", no_argument, NULL, 'S' },                           \
        { "property", required_argument, NULL, 'p' },                   \
        { "verbose", no_argument, NULL, 'v' }
#define UNIT_ARGS_SHORT "p:v"

#define UNIT_ARGS_HELP                                                          \
        "  -p --property=KEY=VALUE  Apply an assignment after the unit's own\n"  \
        "     --user               Search the user unit directories\n"           \
        "     --strict             Treat every warning as an error\n"            \
        "  -v --verbose            Also show debug diagnostics\n"
