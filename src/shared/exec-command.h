/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Command lines of ExecStart= and friends: systemd's prefixes, quoting and escapes, and the
 * expansion of $VAR / ${VAR} / $$ at run time. */

#include "diag.h"

typedef enum ExecCommandFlags {
        EXEC_COMMAND_IGNORE_FAILURE   = 1 << 0,         /* "-": a failure does not fail the unit */
        EXEC_COMMAND_FULLY_PRIVILEGED = 1 << 1,         /* "+": no sandbox, no user switch */
        EXEC_COMMAND_NO_SETUID        = 1 << 2,         /* "!": sandbox, but no user switch */
        EXEC_COMMAND_AMBIENT_MAGIC    = 1 << 3,         /* "!!" */
        EXEC_COMMAND_NO_ENV_EXPAND    = 1 << 4,         /* ":": no $VAR expansion */
} ExecCommandFlags;

typedef struct ExecCommand {
        char *path;                     /* the executable as written (absolute, or a name to look up in PATH) */
        char **argv;                    /* argv[0] is the second word when "@" was given, else the first */
        ExecCommandFlags flags;
        SourceLoc loc;
} ExecCommand;

typedef struct UnitFile UnitFile;

/* Parse one non-empty ExecStart= value into commands, appending to (*cmds, *n), as systemd 252's
 * config_parse_exec(): words split with "…"/'…' quoting and C escapes, then the unit specifiers of
 * u expanded in each word (u may be NULL: no expansion); a lone ";" separates commands and "\;" is
 * a literal ";"; prefixes "-@:+!" (and "!!") before the path; the path absolute or a plain file
 * name. Unknown escapes are kept with a warning. A bad command is reported to d at loc as an error
 * and returns -ENOEXEC, as it makes systemd refuse the unit, unless it has the "-" prefix: then a
 * warning, the value's remaining commands are dropped and 0 is returned (bad quoting in a command's
 * first word is reported as an error but also returns 0, as in systemd). Commands before the bad
 * one stay appended either way. -ENOMEM. An empty value (a reset) is the caller's business. */
int exec_command_parse(const char *value, const UnitFile *u, SourceLoc loc, Diag *d, ExecCommand **cmds, size_t *n);

void exec_command_done(ExecCommand *c);
void exec_command_free_many(ExecCommand *c, size_t n);

/* Expand $VAR, ${VAR} and $$ in argv against env (a NULL-terminated KEY=VALUE list, the last
 * assignment of a name wins) as systemd's executor does: a word that is exactly "$VAR" splits into
 * the variable's whitespace-separated words (quotes in the value are removed) and disappears when
 * VAR is unset; "${VAR}" anywhere in a word is replaced as it is, by nothing when unset; "$$" is
 * "$"; anything else ("$VAR" inside a word, "${VAR:-x}") stays as written. The caller skips this for
 * EXEC_COMMAND_NO_ENV_EXPAND. */
int exec_command_expand_env(char * const *argv, char * const *env, char ***ret);

/* Split a string into words the way systemd reads lists in unit files: whitespace-separated,
 * with "…" and '…' quoting and, when cunescape is set, C escapes; without it a backslash takes the
 * next character literally. Returns a list (empty, not NULL, for blank input), -EINVAL on bad
 * quoting or escapes, -ENOMEM. */
int split_words(const char *s, bool cunescape, char ***ret);
