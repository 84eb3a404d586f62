/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <sys/wait.h>

#include "execute.h"
#include "exit-status.h"
#include "service.h"

extern char **environ;

int service_set_command(Directives *d, char * const *argv) {
        ExecCommand c = { .flags = EXEC_COMMAND_NO_ENV_EXPAND, .loc = { "command line", 0 } };
        int r;

        r = exec_find_executable(argv[0], getenv("PATH") ?: EXEC_DEFAULT_PATH, &c.path);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && c.path[0] != '/') {
                /* "./server": relative to where we were started, not to WorkingDirectory=. */
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                char *abs;

                if (cwd && asprintf(&abs, "%s/%s", cwd, c.path) >= 0) {
                        free(c.path);
                        c.path = abs;
                }
        }
        c.argv = strv_copy(argv);
        if (!c.argv) {
                free(c.path);
                return -ENOMEM;
        }

        ExecCommand *n = malloc(sizeof(ExecCommand));
        if (!n) {
                exec_command_done(&c);
                return -ENOMEM;
        }
        *n = c;
        exec_command_free_many(d->exec_start, d->n_exec_start);
        d->exec_start = n;
        d->n_exec_start = 1;
        return 0;
}

int service_check(const Directives *d, const char *unit_name) {
        if (d->n_exec_start == 0) {
                fprintf(stderr, "megafilter: %s has no ExecStart= setting and no command was given. Refusing.\n", unit_name);
                return -EINVAL;
        }
        if (d->n_exec_start > 1 && d->type != SERVICE_ONESHOT) {
                fprintf(stderr, "megafilter: %s has more than one ExecStart= setting, which is only allowed for "
                        "Type=oneshot services. Refusing.\n", unit_name);
                return -EINVAL;
        }
        return 0;
}

/* The child that runs now, for the signal handler; 0 when none. */
static volatile sig_atomic_t running_child = 0;
static volatile sig_atomic_t got_signal = 0;

static void forward_signal(int sig) {
        int saved = errno;

        got_signal = sig;
        if (running_child > 0)
                (void) kill((pid_t) running_child, sig);
        errno = saved;
}

static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP };

static int status_of(int wstatus) {
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus))
                return 128 + WTERMSIG(wstatus);
        return EXIT_FAILURE;
}

static int run_in_child(const ExecContext *c, const ExecCommand *cmd, const sigset_t *oldmask) {
        int wstatus;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                fprintf(stderr, "megafilter: Failed to fork: %m\n");
                return EXIT_FAILURE;
        }
        if (pid == 0) {
                struct sigaction dfl = { .sa_handler = SIG_DFL };

                for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                        (void) sigaction(forwarded_signals[i], &dfl, NULL);
                (void) sigprocmask(SIG_SETMASK, oldmask, NULL);
                _exit(exec_command_spawn_here(c, cmd));
        }

        running_child = pid;
        /* The handler may run from here on and forward to the child. */
        (void) sigprocmask(SIG_SETMASK, oldmask, NULL);
        while (waitpid(pid, &wstatus, 0) < 0)
                if (errno != EINTR) {
                        fprintf(stderr, "megafilter: Failed to wait for %s: %m\n", cmd->path);
                        wstatus = EXIT_FAILURE << 8;
                        break;
                }
        running_child = 0;
        return status_of(wstatus);
}

int service_run(const Directives *d, const mf_sandbox *s) {
        ExecContext c;
        sigset_t block, oldmask;
        int r, status = 0;

        if (service_check(d, "the unit") < 0)
                return EXIT_FAILURE;

        r = exec_context_prepare(&c, d, s, environ);
        if (r != 0)
                return r;

        /* One command whose failure counts: become it. */
        if (d->n_exec_start == 1 && !(d->exec_start[0].flags & EXEC_COMMAND_IGNORE_FAILURE)) {
                status = exec_command_spawn_here(&c, &d->exec_start[0]);
                exec_context_done(&c);
                return status;
        }

        sigemptyset(&block);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++) {
                struct sigaction sa = { .sa_handler = forward_signal };

                sigemptyset(&sa.sa_mask);
                (void) sigaction(forwarded_signals[i], &sa, NULL);
                sigaddset(&block, forwarded_signals[i]);
        }

        for (size_t i = 0; i < d->n_exec_start; i++) {
                const ExecCommand *cmd = &d->exec_start[i];

                /* Blocked across fork() so that no signal is lost between fork() and recording the
                 * child's pid; the child restores the mask before it runs anything. */
                (void) sigprocmask(SIG_BLOCK, &block, &oldmask);
                if (got_signal) {
                        (void) sigprocmask(SIG_SETMASK, &oldmask, NULL);
                        break;
                }
                r = run_in_child(&c, cmd, &oldmask);
                if (got_signal) {
                        status = r != 0 ? r : 128 + got_signal;
                        break;
                }
                if (r != 0 && !(cmd->flags & EXEC_COMMAND_IGNORE_FAILURE)) {
                        status = r;
                        break;
                }
        }

        exec_context_done(&c);
        return status;
}
