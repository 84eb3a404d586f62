/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running one command of a unit the way systemd's executor does (exec_child() in systemd 252):
 * personality, supplementary groups and group, user, working directory, then the sandbox as the
 * last step before execve(). Everything that can be decided before forking (the user and group,
 * the environment) is decided once, by exec_context_prepare(), so that errors show early and every
 * command of a oneshot service sees the same values. */

#include <sys/types.h>

#include "directives.h"
#include "megafilter.h"

/* The search path for ExecStart= commands given as a plain file name (systemd's default). */
#define EXEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct ExecContext {
        const Directives *directives;
        const mf_sandbox *sandbox;      /* NULL: install nothing */

        bool set_user;                  /* User= given: switch to uid */
        uid_t uid;
        bool set_group;                 /* User= or Group= given: switch to gid */
        gid_t gid;
        char *user_name;                /* for $USER, $LOGNAME and initgroups() */
        char *home;                     /* the user's home: $HOME, WorkingDirectory=~ */
        char *shell;
        bool init_groups;               /* initgroups() (when root): the primary group is not 0 */

        char **environment;             /* what the command gets, before $VAR expansion */
} ExecContext;

/* Resolve User= and Group= and build the environment: base (the caller's, usually environ), then
 * $HOME, $USER, $LOGNAME and $SHELL for User=, then Environment=; $PATH defaults to systemd's when
 * base lacks it. On failure prints why and returns the exit status systemd would use (EXIT_USER,
 * EXIT_GROUP, EXIT_MEMORY); 0 on success. d and s must outlive c. */
int exec_context_prepare(ExecContext *c, const Directives *d, const mf_sandbox *s, char * const *base);
void exec_context_done(ExecContext *c);

/* Set up the calling process and execve() cmd: never returns on success. On failure prints one
 * line naming the cause on stderr and returns the exit status (EXIT_PERSONALITY, EXIT_GROUP,
 * EXIT_USER, EXIT_CHDIR, EXIT_NO_NEW_PRIVILEGES, EXIT_SECCOMP, EXIT_EXEC). The process is changed
 * (identity, filters) by then: the caller must only report and exit. */
int exec_command_spawn_here(const ExecContext *c, const ExecCommand *cmd);

/* The absolute path of an executable name in search_path (a ':'-separated list), or a copy of name
 * when it contains a '/'. -ENOENT when not found (ret is then a copy of name), -ENOMEM. */
int exec_find_executable(const char *name, const char *search_path, char **ret);
