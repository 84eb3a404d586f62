/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsers of individual directives, shared between the directives-*.c files. Each takes one
 * assignment, reports bad values to diag at the entry's location and ignores them, and returns
 * only -ENOMEM, or -ENOEXEC for the few settings systemd treats as fatal for the unit. */

#include "directives.h"

#define WHITESPACE " \t\n\r"

int parse_syscall_filter(Directives *d, const UnitEntry *e, Diag *diag);
int parse_syscall_log(Directives *d, const UnitEntry *e, Diag *diag);
int parse_syscall_errno(Directives *d, const UnitEntry *e, Diag *diag);
int parse_syscall_archs(Directives *d, const UnitEntry *e, Diag *diag);

int parse_address_families(Directives *d, const UnitEntry *e, Diag *diag);
int parse_restrict_namespaces(Directives *d, const UnitEntry *e, Diag *diag);

int parse_exec_start(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag);
int parse_service_type(Directives *d, const UnitEntry *e, Diag *diag);
int parse_user_or_group(char **field, const UnitFile *u, const UnitEntry *e, Diag *diag);
int parse_environment(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag);
int parse_working_directory(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag);
int parse_personality(Directives *d, const UnitEntry *e, Diag *diag);

void syscall_list_reset(SyscallList *l);

/* systemd's parse_boolean(): 1, 0, or -EINVAL. */
int parse_boolean(const char *v);
