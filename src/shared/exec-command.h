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

/* Parse one ExecStart= value into commands, appending to (*cmds, *n). Like systemd: words split
 * with quotes and C escapes, then unit specifiers expanded in each (u may be NULL: none), a lone
 * ";" separates commands, "\;" is a literal ";", prefixes "-@:+!" (and "!!") before the path.
 * A bad command is an error that makes the unit unusable (-ENOEXEC, after an error diagnostic),
 * unless it has the "-" prefix: then a warning and it is left out. -ENOMEM. */
int exec_command_parse(const char *value, const UnitFile *u, SourceLoc loc, Diag *d, ExecCommand **cmds, size_t *n);

void exec_command_done(ExecCommand *c);
void exec_command_free_many(ExecCommand *c, size_t n);

/* Expand $VAR, ${VAR} and $$ in argv against env (a NULL-terminated KEY=VALUE list) as systemd's
 * executor does: a word that is exactly "$VAR" splits into the variable's whitespace-separated
 * words, "${VAR}" is replaced as one word, unset variables expand to nothing. */
int exec_command_expand_env(char * const *argv, char * const *env, char ***ret);

/* Split a string into words the way systemd reads lists in unit files: whitespace-separated,
 * with "…" and '…' quoting and, when cunescape is set, C escapes. Returns -EINVAL on bad quoting. */
int split_words(const char *s, bool cunescape, char ***ret);
