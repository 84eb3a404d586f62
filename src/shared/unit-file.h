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

typedef enum UnitLoadFlags {
        UNIT_LOAD_USER = 1 << 0,        /* search the user unit directories instead of the system ones */
} UnitLoadFlags;

struct UnitFile {
        char *name;                     /* the unit's id as systemd names it: the fragment's file name, with the
                                         * instance filled in ("getty@tty1.service"); for an alias symlink the
                                         * name of the unit it points to */
        char *path;                     /* the fragment that was read, NULL if the unit came from assignments only */
        char **dropins;                 /* drop-in files applied, in the order they were applied */
        char **files;                   /* owns every string SourceLoc.file points to */
        UnitEntry *entries;             /* in application order: fragment, then drop-ins */
        size_t n_entries;
        size_t allocated;
        UnitLoadFlags flags;            /* UNIT_LOAD_USER: a user manager's unit (for %u, %h, %t, …) */
};
typedef struct UnitFile UnitFile;

/* Load a unit by path ("./foo.service", "/x/y.service": anything with a '/') or by name
 * ("foo.service", "foo@i.service", "foo" meaning "foo.service") from the unit search path, with
 * its drop-ins, as systemd 252 does: an instance falls back to its template, alias symlinks
 * inside the search path are followed (u->name is the target's name), drop-ins come from
 * NAME.d/, the template's, the "-" prefixes' ("foo-.service.d/") and "service.d/" in every
 * search directory, and for a path also from beside the file. Only service units.
 * Syntax problems are reported to d as warnings and the offending line is skipped, as systemd
 * does. Fatal, as in systemd (reported to d as errors): -ENOENT (not found), -ERFKILL (masked:
 * empty, or a symlink to /dev/null), -EISDIR, -EINVAL (not a regular file, bad name, invalid
 * UTF-8 in the fragment), -EBADMSG (bad section header in the fragment), -ELOOP, -E2BIG (a
 * line of 1 MiB or more in the fragment), -ENOMEM. The same faults in a drop-in only end that
 * drop-in, as in systemd. */
int unit_file_load(const char *name_or_path, UnitLoadFlags flags, Diag *d, UnitFile **ret);

/* An empty unit with this name ("foo" meaning "foo.service"; -EINVAL if not a valid service unit
 * name), for `megafilter run -p …` without a unit file. flags starts as 0 (system manager). */
int unit_file_new(const char *name, UnitFile **ret);

/* Parse text as if it were the contents of file path and append its assignments to u.
 * Used by unit_file_load() for each file, and by tests and fuzzers directly. Returns 0, or a
 * fatal error (-EBADMSG, -EINVAL, -E2BIG, -ENOMEM; see above) after appending the assignments
 * that came before the fault. */
int unit_file_parse_text(UnitFile *u, const char *path, const char *text, size_t size, Diag *d);

/* Append one assignment, e.g. from "-p Key=Value" (section "Service"). Copies its arguments;
 * loc.file is copied into u->files. */
int unit_file_append(UnitFile *u, const char *section, const char *key, const char *value, SourceLoc loc);

UnitFile *unit_file_free(UnitFile *u);
DEFINE_POINTER_CLEANUP(UnitFile, unit_file_free);

/* Expand the unit specifiers in s as systemd 252 does: %n %N %p %P %i %I %j %J %f %y %Y %%, the
 * host ones %a %A %b %B %H %l %m %M %o %q %v %w %W, and the manager's %u %U %g %G %h %s %t %S %C
 * %L %E %d %T %V (root's and /run, /var/lib, … for the system manager; the caller's for
 * UNIT_LOAD_USER). -EBADSLT for an unknown specifier, -EOPNOTSUPP for the deprecated cgroup ones
 * (%c %r %R), -ENAMETOOLONG past 1 MiB, or the failure to compute one (e.g. -ENXIO: %t without
 * $XDG_RUNTIME_DIR). "%" before a character that is not a letter or digit stays as it is. */
int unit_specifier_expand(const UnitFile *u, const char *s, char **ret);

/* The directories searched for units, most important first, as systemd 252 orders them (system:
 * /etc/systemd/system.control … /etc/systemd/system … /run/systemd/system … /lib/systemd/system,
 * /usr/lib/systemd/system …; user: ~/.config/systemd/user … honouring $XDG_CONFIG_HOME,
 * $XDG_RUNTIME_DIR, $XDG_DATA_HOME, $XDG_CONFIG_DIRS, $XDG_DATA_DIRS). $MEGAFILTER_UNIT_PATH, a
 * colon-separated list like $SYSTEMD_UNIT_PATH, replaces it, or is put in front of it when it ends
 * with ':'. Owned by the caller (strv_free()); NULL on allocation failure. */
char **unit_search_path(UnitLoadFlags flags);
