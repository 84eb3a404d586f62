/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running a service's ExecStart= commands as systemd sequences them for its Type=: one command for
 * every type but oneshot, which runs its commands in order and stops at the first failure that
 * has no "-" prefix. */

#include "directives.h"
#include "megafilter.h"

/* Replace ExecStart= with one command from the command line: argv[0] is looked up in $PATH now (as
 * systemd-run does on the client side) and the words are taken as they are, without $VAR
 * expansion (a shell has done that already). -ENOMEM. */
int service_set_command(Directives *d, char * const *argv);

/* Check that d has commands its Type= can run: prints why not, returns -EINVAL. */
int service_check(const Directives *d, const char *unit_name);

/* Run the service's commands under sandbox s (already compiled; NULL for none) and return the
 * exit status: the failing command's, 128+N for a command killed by signal N, systemd's EXIT_*
 * codes when setting a command up failed, 0 when every command succeeded.
 *
 * When one command is all there is to run (and its failure is not to be ignored), the calling
 * process becomes it: no process stays behind, so stdio, signals, the process id and
 * $NOTIFY_SOCKET pass through unchanged. Otherwise each command runs in a child, and SIGTERM,
 * SIGINT and SIGHUP are forwarded to it; after a forwarded signal no further command starts. */
int service_run(const Directives *d, const mf_sandbox *s);
