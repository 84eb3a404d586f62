/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every subcommand prints the same way: its own errors ("megafilter: …"), the library's
 * diagnostics ("FILE:LINE: …"), the terminal's width, and suggestions for mistyped names. */

#include <stddef.h>

#include "macro.h"
#include "megafilter.h"

/* "megafilter: MESSAGE" on stderr. Returns -abs(error), or -EINVAL when error is 0. */
int cli_error(int error, const char *format, ...) _printf_(2, 3);

/* A mf_log_fn: "FILE:LINE: message" (or "FILE: " without a line, "megafilter: " without a file)
 * on stderr, for levels up to notice, or up to debug when *(int *) userdata (the -v count) > 0. */
void cli_log(int level, const char *file, unsigned line, const char *message, void *userdata);

/* The width to format for: $COLUMNS when it is a number, else the terminal's when stdout is
 * one, else 80. Never less than 40. */
unsigned cli_columns(void);

/* The candidate closest to word (edit distance at most a third of its length, at least 1), or
 * NULL. candidates is NULL-terminated. */
const char *cli_closest(const char *word, const char *const *candidates);

/* --arch=NAME as the library knows it; an unknown name is reported with the valid ones, and
 * "help" prints them, one per line, and exits. */
int cli_parse_arch(const char *name, const char **ret);

/* --layout=split|single and --mdwe=auto|prctl|seccomp into MF_LAYOUT_* / MF_MDWE_*; unknown
 * values are reported with the valid ones. */
int cli_parse_layout(const char *s, int *ret);
int cli_parse_mdwe(const char *s, int *ret);
