/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Unit files as text: systemd's syntax (sections, comments, continuation lines, quoting is left
 * to the directive parsers), the search path, templates and drop-ins. The result is the ordered
 * list of assignments a unit consists of; what the keys mean is directives.c's business. */

#include <stdbool.h>

#include "diag.h"

typedef struct UnitEntry {
        char *section;                  /* "Service" */
        char *key;                      /* "ExecStart" */
        char *value;                    /* continuation lines joined, outer whitespace stripped */
        SourceLoc loc;
} UnitEntry;

struct UnitFile {
        char *name;                     /* unit name, e.g. "getty@tty1.service" (an instance, not the template) */
        char *path;                     /* the fragment that was read, NULL if the unit came from assignments only */
        char **dropins;                 /* drop-in files applied, in the order they were applied */
        char **files;                   /* owns every string SourceLoc.file points to */
        UnitEntry *entries;             /* in application order: fragment, then drop-ins */
        size_t n_entries;
        size_t allocated;
};
typedef struct UnitFile UnitFile;

typedef enum UnitLoadFlags {
        UNIT_LOAD_USER = 1 << 0,        /* search the user unit directories instead of the system ones */
} UnitLoadFlags;

/* Load a unit by path ("./foo.service", "/x/y.service") or by name ("foo.service", "foo@i.service",
 * "foo" meaning "foo.service") from the unit search path, with its drop-ins. Syntax problems are
 * reported to d as warnings and the offending line is skipped, as systemd does; -ENOENT, -EISDIR,
 * -EINVAL (not a regular file, bad name), -ELOOP, -E2BIG (line over 1 MiB), -ENOMEM are fatal. */
int unit_file_load(const char *name_or_path, UnitLoadFlags flags, Diag *d, UnitFile **ret);

/* An empty unit with this name (for `megafilter run -p …` without a unit file). */
int unit_file_new(const char *name, UnitFile **ret);

/* Parse text as if it were the contents of file path and append its assignments to u.
 * Used by unit_file_load() for each file, and by tests and fuzzers directly. */
int unit_file_parse_text(UnitFile *u, const char *path, const char *text, size_t size, Diag *d);

/* Append one assignment, e.g. from "-p Key=Value" (section "Service"). Copies its arguments;
 * loc.file is copied into u->files. */
int unit_file_append(UnitFile *u, const char *section, const char *key, const char *value, SourceLoc loc);

UnitFile *unit_file_free(UnitFile *u);
DEFINE_POINTER_CLEANUP(UnitFile, unit_file_free);

/* Expand the unit specifiers %n %N %p %P %i %I %j %J %f %% (and the host/user ones systemd
 * documents where they can be computed) in s. -EBADSLT for an unknown specifier. */
int unit_specifier_expand(const UnitFile *u, const char *s, char **ret);

/* The directories searched for units, most important first; NULL-terminated, static or owned by
 * the caller as noted in unit-file.c. */
char **unit_search_path(UnitLoadFlags flags);
