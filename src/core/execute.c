/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "execute.h"
#include "exit-status.h"

/* Whether s is a plain decimal number: User= and Group= take numeric ids too. */
static bool parse_id(const char *s, unsigned *ret) {
        unsigned long v;
        char *end;

        if (isempty(s) || s[strspn(s, "0123456789")] != 0)
                return false;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || v >= 0xFFFFFFFFUL)
                return false;
        *ret = (unsigned) v;
        return true;
}

/* Set KEY=value in *env, replacing an earlier assignment of KEY. */
static int env_set(char ***env, const char *key, const char *value) {
        size_t klen = strlen(key);
        char *a;

        if (asprintf(&a, "%s=%s", key, value) < 0)
                return -ENOMEM;
        STRV_FOREACH(i, *env)
                if (strneq(*i, a, klen + 1)) {
                        free(*i);
                        *i = a;
                        return 0;
                }
        return strv_push(env, a);
}

static int env_put(char ***env, const char *assignment) {
        _cleanup_free_ char *key = strndup(assignment, strcspn(assignment, "="));

        if (!key)
                return -ENOMEM;
        return env_set(env, key, assignment + strlen(key) + 1);
}

static int resolve_user(ExecContext *c, const char *user) {
        struct passwd *pw;
        unsigned id;
        bool numeric = parse_id(user, &id);

        errno = 0;
        pw = numeric ? getpwuid((uid_t) id) : getpwnam(user);
        if (!pw) {
                if (numeric) {
                        /* An id the user database does not know: run as it anyway, with the group
                         * of the same number unless Group= says otherwise; no $HOME or $SHELL. */
                        c->uid = (uid_t) id;
                        c->gid = (gid_t) id;
                        c->user_name = strdup(user);
                } else if (streq(user, "root")) {
                        c->uid = 0;
                        c->gid = 0;
                        c->user_name = strdup("root");
                        c->home = strdup("/root");
                        c->shell = strdup("/bin/sh");
                        if (!c->home || !c->shell)
                                return -ENOMEM;
                } else {
                        fprintf(stderr, "megafilter: Failed to determine user credentials: User=%s: %s\n",
                                user, errno > 0 ? strerror(errno) : "no such user");
                        return EXIT_USER;
                }
        } else {
                c->uid = pw->pw_uid;
                c->gid = pw->pw_gid;
                c->user_name = strdup(pw->pw_name);
                c->home = strdup(pw->pw_dir);
                c->shell = strdup(pw->pw_shell);
                if (!c->home || !c->shell)
                        return -ENOMEM;
        }
        if (!c->user_name)
                return -ENOMEM;
        c->set_user = true;
        c->set_group = true;
        /* As systemd: the supplementary groups come from the group database (initgroups()), except
         * for gid 0, which keeps ours. */
        c->init_groups = c->gid != 0;
        return 0;
}

static int resolve_group(ExecContext *c, const char *group) {
        struct group *gr;
        unsigned id;

        if (parse_id(group, &id)) {
                c->gid = (gid_t) id;
                c->set_group = true;
                return 0;
        }
        errno = 0;
        gr = getgrnam(group);
        if (!gr) {
                fprintf(stderr, "megafilter: Failed to determine group credentials: Group=%s: %s\n",
                        group, errno > 0 ? strerror(errno) : "no such group");
                return EXIT_GROUP;
        }
        c->gid = gr->gr_gid;
        c->set_group = true;
        return 0;
}

static int build_environment(ExecContext *c, char * const *base) {
        const Directives *d = c->directives;
        int r;

        c->environment = strv_copy(base);
        if (!c->environment)
                return -ENOMEM;

        bool have_path = false;
        STRV_FOREACH(i, c->environment)
                if (startswith(*i, "PATH="))
                        have_path = true;
        if (!have_path && (r = env_set(&c->environment, "PATH", EXEC_DEFAULT_PATH)) < 0)
                return r;

        if (c->set_user) {
                if (c->home && (r = env_set(&c->environment, "HOME", c->home)) < 0)
                        return r;
                if ((r = env_set(&c->environment, "LOGNAME", c->user_name)) < 0 ||
                    (r = env_set(&c->environment, "USER", c->user_name)) < 0)
                        return r;
                if (c->shell && (r = env_set(&c->environment, "SHELL", c->shell)) < 0)
                        return r;
        }

        STRV_FOREACH(i, d->environment)
                if ((r = env_put(&c->environment, *i)) < 0)
                        return r;
        return 0;
}

int exec_context_prepare(ExecContext *c, const Directives *d, const mf_sandbox *s, char * const *base) {
        int r;

        *c = (ExecContext) { .directives = d, .sandbox = s };

        if (d->user) {
                r = resolve_user(c, d->user);
                if (r != 0)
                        return r < 0 ? EXIT_MEMORY : r;
        }
        if (d->group) {
                r = resolve_group(c, d->group);
                if (r != 0)
                        return r < 0 ? EXIT_MEMORY : r;
        }

        r = build_environment(c, base);
        if (r < 0) {
                fprintf(stderr, "megafilter: Failed to build the environment: %s\n", strerror(-r));
                return EXIT_MEMORY;
        }
        return 0;
}

void exec_context_done(ExecContext *c) {
        free(c->user_name);
        free(c->home);
        free(c->shell);
        strv_free(c->environment);
        *c = (ExecContext) {};
}

int exec_find_executable(const char *name, const char *search_path, char **ret) {
        _cleanup_free_ char *copy = strdup(name);

        if (!copy)
                return -ENOMEM;
        if (strchr(name, '/') || isempty(search_path)) {
                *ret = TAKE_PTR(copy);
                return strchr(name, '/') ? 0 : -ENOENT;
        }

        for (const char *p = search_path; *p; ) {
                size_t n = strcspn(p, ":");
                _cleanup_free_ char *candidate = NULL;
                struct stat st;

                if (n > 0 && asprintf(&candidate, "%.*s/%s", (int) n, p, name) < 0)
                        return -ENOMEM;
                if (candidate && stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) {
                        *ret = TAKE_PTR(candidate);
                        return 0;
                }
                p += n;
                if (*p == ':')
                        p++;
        }
        *ret = TAKE_PTR(copy);
        return -ENOENT;
}

static const char *working_directory(const ExecContext *c) {
        const char *wd = c->directives->working_directory;

        if (!wd || !streq(wd, "~"))
                return wd;
        if (c->home)
                return c->home;
        /* No User=: the home of whoever runs us. */
        const char *h = getenv("HOME");
        if (!isempty(h))
                return h;
        struct passwd *pw = getpwuid(getuid());
        return pw ? pw->pw_dir : NULL;
}

/* Print the sandbox installer's diagnostics as our one-line reasons. */
static void install_log(int level, const char *file, unsigned line, const char *message, void *userdata) {
        if (level <= DIAG_WARNING)
                fprintf(stderr, "megafilter: Failed to install the sandbox: %s\n", message);
}

/* ProtectHostname=, the half that is not seccomp: a UTS namespace of its own, as systemd's
 * apply_protect_hostname() sets up. Without the privilege (or the kernel support) for it, a
 * warning and the filter alone, as there. */
static int protect_hostname(void) {
        if (access("/proc/self/ns/uts", F_OK) < 0) {
                fprintf(stderr, "megafilter: ProtectHostname=yes is configured, but the kernel does not support UTS "
                        "namespaces, ignoring namespace setup.\n");
                return 0;
        }
        if (unshare(CLONE_NEWUTS) < 0) {
                if (errno != EPERM && errno != EACCES && errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL) {
                        fprintf(stderr, "megafilter: Failed to set up UTS namespacing: %m\n");
                        return EXIT_NAMESPACE;
                }
                fprintf(stderr, "megafilter: ProtectHostname=yes is configured, but UTS namespace setup is prohibited "
                        "(%m: not privileged?), ignoring namespace setup: the hostname is protected by the filter "
                        "alone.\n");
        }
        return 0;
}

int exec_command_spawn_here(const ExecContext *c, const ExecCommand *cmd) {
        const Directives *d = c->directives;
        bool privileged = cmd->flags & EXEC_COMMAND_FULLY_PRIVILEGED;
        bool switch_ids = !privileged && !(cmd->flags & EXEC_COMMAND_NO_SETUID);
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *path = NULL;
        const char *wd;
        int r;

        /* Personality= holds for "+" commands too, as in systemd. */
        if (d->personality != PERSONALITY_INVALID && personality(d->personality) < 0) {
                fprintf(stderr, "megafilter: Failed to set up execution domain (Personality=%s): %m\n",
                        strna(personality_to_string(d->personality)));
                return EXIT_PERSONALITY;
        }

        if (!privileged && d->protect_hostname.value) {
                r = protect_hostname();
                if (r != 0)
                        return r;
        }

        if (switch_ids && c->set_group) {
                if (c->set_user && c->init_groups && geteuid() == 0 && initgroups(c->user_name, c->gid) < 0) {
                        fprintf(stderr, "megafilter: Failed to set the supplementary groups of %s: %m\n", c->user_name);
                        return EXIT_GROUP;
                }
                if (setresgid(c->gid, c->gid, c->gid) < 0) {
                        fprintf(stderr, "megafilter: Failed to change group to %u: %m\n", (unsigned) c->gid);
                        return EXIT_GROUP;
                }
        }
        if (switch_ids && c->set_user && setresuid(c->uid, c->uid, c->uid) < 0) {
                fprintf(stderr, "megafilter: Failed to change user to %s (%u): %m\n", c->user_name, (unsigned) c->uid);
                return EXIT_USER;
        }

        /* After the user switch, as systemd: the directory may only be reachable for that user. */
        wd = working_directory(c);
        if (d->working_directory && !wd && !d->working_directory_missing_ok) {
                fprintf(stderr, "megafilter: Failed to determine the home directory for WorkingDirectory=~\n");
                return EXIT_CHDIR;
        }
        if (wd && chdir(wd) < 0 && !d->working_directory_missing_ok) {
                fprintf(stderr, "megafilter: Changing to the requested working directory %s failed: %m\n", wd);
                return EXIT_CHDIR;
        }

        if (cmd->flags & EXEC_COMMAND_NO_ENV_EXPAND)
                argv = strv_copy(cmd->argv);
        else if (exec_command_expand_env(cmd->argv, c->environment, &argv) < 0)
                argv = NULL;
        if (!argv) {
                fprintf(stderr, "megafilter: Out of memory.\n");
                return EXIT_MEMORY;
        }
        r = exec_find_executable(cmd->path, EXEC_DEFAULT_PATH, &path);
        if (r == -ENOMEM) {
                fprintf(stderr, "megafilter: Out of memory.\n");
                return EXIT_MEMORY;
        }
        if (r < 0) {
                /* Not in the search path: never execve() a bare name, it would be taken relative
                 * to the working directory. */
                fprintf(stderr, "megafilter: Failed to execute %s: %s\n", cmd->path, strerror(-r));
                return EXIT_EXEC;
        }

        /* The last step before execve(), so that as little as possible runs under the filters. */
        if (!privileged && c->sandbox) {
                struct mf_error error = { .size = sizeof error };

                r = mf_sandbox_install(c->sandbox, 0, install_log, NULL, &error);
                if (r < 0) {
                        if (r == -ENOMEM)
                                fprintf(stderr, "megafilter: Failed to install the sandbox: %s\n", strerror(-r));
                        /* systemd's exit status for the directive whose filter it would have failed on. */
                        return error.directive == MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES ? EXIT_ADDRESS_FAMILIES : EXIT_SECCOMP;
                }
        }

        fflush(NULL);
        execve(path, argv, c->environment);
        fprintf(stderr, "megafilter: Failed to execute %s: %m\n", path);
        return EXIT_EXEC;
}
