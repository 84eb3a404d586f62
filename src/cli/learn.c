/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter learn: run a unit's command watched, propose the tightest sandbox that allows what it
 * did (a drop-in, or an OCI seccomp section), and check it by a second run under the proposal.
 * The stages: learn-record.c (run and watch), learn-propose.c (observation -> proposal),
 * learn-check.c (run under the proposal). */

#include <dlfcn.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>

#include "cli-unit.h"
#include "exit-status.h"
#include "learn-check.h"
#include "learn-propose.h"
#include "service.h"
#include "syscall-table.h"
#include "verbs.h"

#define CHECK_ROUNDS 3
#define CHECK_TIME_MIN 30.0             /* seconds a check run of a command that ends by itself gets, at least */
#define STOP_TIMEOUT 5.0
#define DROPIN_NAME "learned.conf"      /* how the proposal's lines are named in a check's findings */

enum {
        LEARN_EXIT_CHECK_FAILED = 2,
        LEARN_EXIT_PARTIAL = 3,
        CHECK_FAILED = 1000,            /* check_once(): beyond every exit status */
};

typedef enum Format {
        FORMAT_DROPIN,
        FORMAT_OCI,
} Format;

typedef struct Args {
        UnitArgs ua;
        const char *unit;
        char **command;
        double duration;
        const char *output;
        const char *check;              /* --check DROPIN */
        bool no_check;
        Format format;
} Args;

static void args_done(Args *a) {
        unit_args_done(&a->ua);
}

static int log_oom_cli(void) {
        cli_error(ENOMEM, "Out of memory.");
        return EXIT_FAILURE;
}

static void help(void) {
        printf("Usage: megafilter learn [OPTIONS…] UNIT [OPTIONS…] [-- COMMAND [ARG…]]\n"
               "       megafilter learn [OPTIONS…] -p KEY=VALUE… [--] COMMAND [ARG…]\n"
               "       megafilter learn --check=DROPIN [OPTIONS…] UNIT [-- COMMAND [ARG…]]\n"
               "\n"
               "Run a unit's command as 'megafilter run' would, with the unit's own sandbox\n"
               "in force, and watch every system call of its whole process tree. Then propose\n"
               "the tightest sandbox that allows what it did: a drop-in of [Service] lines,\n"
               "each with a comment saying why, checked by a second run under it before it is\n"
               "printed.\n"
               "\n"
               "Options:\n"
               "     --duration=SECONDS   Stop the service after this long (SIGTERM, SIGKILL)\n"
               "     --output=FILE        Write the proposal to FILE (default: standard output;\n"
               "                          the command's standard output goes to standard error)\n"
               "     --format=dropin|oci  A drop-in for UNIT.d/, or an OCI linux.seccomp section\n"
               "     --no-check           Print the proposal without the second run\n"
               "     --check=DROPIN       Only run the command under UNIT plus DROPIN and report\n"
               "                          every call the drop-in refuses, with its directive\n"
               UNIT_ARGS_HELP
               "  -h --help               Show this help\n"
               "\n"
               "Exit status: 0 when the proposal was written and passed its check (with\n"
               "--check: nothing the unit allows was refused); 2 when the check found calls the\n"
               "proposal refuses; 3 when the run was interrupted (the proposal is marked\n"
               "partial); systemd's code (203 EXEC, 217 USER, …) when the command could not be\n"
               "started; 1 otherwise.\n");
}

static bool is_unit_argument(const char *s) {
        const char *dot = strrchr(s, '.');

        return dot && streq(dot, ".service") && dot != s && !endswith_char(s, '/');
}

static int parse_args(int argc, char *argv[], Args *a) {
        enum { ARG_DURATION = 0x100, ARG_OUTPUT, ARG_FORMAT, ARG_CHECK, ARG_NO_CHECK };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "check", required_argument, NULL, ARG_CHECK },
                { "no-check", no_argument, NULL, ARG_NO_CHECK },
                UNIT_ARGS_OPTIONS,
                {}
        };
        char *end;
        int c, r;

        optind = 0;
        for (;;) {
                while ((c = getopt_long(argc, argv, "+h" UNIT_ARGS_SHORT, options, NULL)) >= 0) {
                        switch (c) {
                        case 'h':
                                help();
                                return 0;
                        case ARG_DURATION:
                                errno = 0;
                                a->duration = strtod(optarg, &end);
                                if (errno != 0 || end == optarg || *end != 0 || !(a->duration > 0) || a->duration > 1e7) {
                                        cli_error(EINVAL, "learn: --duration: not a number of seconds: %s", optarg);
                                        return -EINVAL;
                                }
                                break;
                        case ARG_OUTPUT:
                                a->output = optarg;
                                break;
                        case ARG_FORMAT:
                                if (streq(optarg, "dropin"))
                                        a->format = FORMAT_DROPIN;
                                else if (streq(optarg, "oci"))
                                        a->format = FORMAT_OCI;
                                else {
                                        cli_error(EINVAL, "learn: --format: expected dropin or oci, not %s", optarg);
                                        return -EINVAL;
                                }
                                break;
                        case ARG_CHECK:
                                a->check = optarg;
                                break;
                        case ARG_NO_CHECK:
                                a->no_check = true;
                                break;
                        default:
                                r = unit_args_parse_option(&a->ua, c, optarg);
                                if (r <= 0) {
                                        if (r == 0)
                                                cli_error(EINVAL, "See 'megafilter learn --help'.");
                                        return -EINVAL;
                                }
                        }
                }
                if (optind >= argc)
                        break;
                if (!a->unit && !streq(argv[optind - 1], "--") && is_unit_argument(argv[optind])) {
                        a->unit = argv[optind++];
                        continue;
                }
                a->command = argv + optind;
                break;
        }
        if (!a->unit && !a->command) {
                cli_error(EINVAL, "learn: expected a unit or a command; see 'megafilter learn --help'.");
                return -EINVAL;
        }
        if (a->check && (a->no_check || a->output || a->format != FORMAT_DROPIN)) {
                cli_error(EINVAL, "learn: --check takes no --no-check, --output or --format.");
                return -EINVAL;
        }
        return 1;
}

/* The directives of u's entries but those that came from the file skip. Only the diagnostics of
 * the entries from the file shown go to diag (the others were shown when the unit was loaded). */
static int directives_with(const UnitFile *u, const char *skip, const char *shown, Diag *diag, Directives **ret) {
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag quiet = { .max_level = DIAG_ERROR };
        int r;

        r = directives_new(&d);
        if (r < 0)
                return r;
        for (size_t i = 0; i < u->n_entries; i++) {
                if (skip && u->entries[i].loc.file && streq(u->entries[i].loc.file, skip))
                        continue;
                const char *file = u->entries[i].loc.file;

                r = directives_apply(d, u, &u->entries[i], shown && file && streq(file, shown) ? diag : &quiet);
                if (r == -ENOMEM)
                        return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

/* The unit (with the -p assignments) in *ret, and when dropin_text is given, the unit with that
 * drop-in in *ret_checked: where the unit has the drop-in already (in its .d/ directory), the unit
 * is taken without it; otherwise the drop-in comes after the unit's own files, as systemd applies
 * UNIT.d/ files. The command line's command replaces ExecStart= in both. */
static int load(const Args *a, const char *dropin_path, const char *dropin_text, mf_unit **ret,
                Directives **ret_checked) {
        _cleanup_(mf_unit_freep) mf_unit *mu = NULL;
        _cleanup_(directives_freep) Directives *checked = NULL;
        _cleanup_free_ char *real = dropin_path ? realpath(dropin_path, NULL) : NULL;
        const char *installed = NULL;
        Diag diag = { .max_level = a->ua.verbose > 0 ? DIAG_DEBUG : DIAG_NOTICE };
        UnitFile *u;
        int r;

        r = cli_load_unit(a->unit, &a->ua, &mu);
        if (r < 0)
                return r;
        u = mu->file;
        if (dropin_text) {
                STRV_FOREACH(f, u->dropins) {
                        _cleanup_free_ char *rf = realpath(*f, NULL);

                        if (real && rf && streq(real, rf))
                                installed = *f;
                }
                if (installed) {
                        /* The unit as loaded is the checked one; the unit is it without the file. */
                        Directives *without = NULL;

                        r = directives_with(u, installed, NULL, &diag, &without);
                        if (r >= 0) {
                                checked = mu->directives;
                                mu->directives = without;
                        }
                } else {
                        size_t first = u->n_entries;

                        r = unit_file_parse_text(u, dropin_path, dropin_text, strlen(dropin_text), &diag);
                        if (r >= 0)
                                r = directives_with(u, NULL, u->n_entries > first ? u->entries[first].loc.file : NULL,
                                                    &diag, &checked);
                }
                if (r < 0 || (diag.n_warnings > 0 && a->ua.strict))
                        return cli_error(r < 0 ? r : EINVAL, "Failed to apply %s.", dropin_path);
        }
        if (a->command && (service_set_command(mu->directives, a->command) < 0 ||
                           (checked && service_set_command(checked, a->command) < 0)))
                return cli_error(ENOMEM, "Out of memory.");
        if (service_check(mu->directives, mf_unit_name(mu)) < 0)
                return -EINVAL;
        *ret = TAKE_PTR(mu);
        if (ret_checked)
                *ret_checked = TAKE_PTR(checked);
        return 0;
}

static char *read_file(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;

        if (!f)
                return NULL;
        if (getdelim(&text, &size, 0, f) < 0 && ferror(f)) {
                free(text);
                return NULL;
        }
        return text ?: strdup("");
}

/* Per syscall id: whether the installed libseccomp, the one systemd uses, can name it; NULL (all
 * of them, as far as we can tell) when there is no libseccomp.so.2 to ask. */
static bool *systemd_known_names(void) {
        void *lib = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
        int (*resolve)(const char *name) = lib ? (int (*)(const char *)) dlsym(lib, "seccomp_syscall_resolve_name") : NULL;
        size_t n = syscall_count();
        bool *known = resolve ? calloc(n, sizeof(bool)) : NULL;

        for (size_t id = 0; known && id < n; id++)
                known[id] = resolve(syscall_name((int) id)) != -1;     /* __NR_SCMP_ERROR */
        if (lib)
                dlclose(lib);
        return known;
}

static char *command_line(const Directives *d) {
        return d->n_exec_start > 0 ? strv_join(d->exec_start[0].argv, " ") : strdup("(nothing)");
}

static int run_check(const Args *a, const Directives *unit, const Directives *checked, double duration, int stdout_fd,
                     Observation **ret) {
        LearnCheckOptions o = { .duration = duration, .stop_timeout = STOP_TIMEOUT, .stdout_fd = stdout_fd };
        Diag diag = { .max_level = a->ua.verbose > 0 ? DIAG_DEBUG : DIAG_NOTICE };
        int r;

        r = learn_check(unit, checked, &o, &diag, ret);
        if (r < 0 && diag.n_errors == 0)
                cli_error(r, "The check run failed: %m");
        return r;
}

/* --check DROPIN: report what the drop-in refuses. */
static int verb_check(const Args *a) {
        _cleanup_(mf_unit_freep) mf_unit *mu = NULL;
        _cleanup_(directives_freep) Directives *dc = NULL;
        _cleanup_(observation_freep) Observation *obs = NULL;
        _cleanup_free_ char *text = read_file(a->check);
        size_t failures;
        int r;

        if (!text) {
                cli_error(errno, "Failed to read %s: %m", a->check);
                return EXIT_FAILURE;
        }
        if (load(a, a->check, text, &mu, &dc) < 0)
                return EXIT_FAILURE;
        r = run_check(a, mu->directives, dc, a->duration, STDERR_FILENO, &obs);
        if (r != 0)
                return r > 0 ? r : EXIT_FAILURE;

        failures = observation_needed_denials(obs);
        (void) learn_check_report(obs, true, failures > 0 ? "megafilter: refused: " : "megafilter: ", stdout);
        if (learn_check_killed_unseen(obs)) {
                printf("megafilter: %s with %s: the command was killed by SIGSYS, by no call the supervisor saw: "
                       "SystemCallArchitectures= kills the calls of the ABIs it blocks in the filter.\n", mf_unit_name(mu), a->check);
                return LEARN_EXIT_CHECK_FAILED;
        }
        if (failures == 0)
                printf("megafilter: %s with %s refused nothing the unit allows (command exit status %d).\n",
                       mf_unit_name(mu), a->check, obs->run.exit_status);
        else
                printf("megafilter: %s with %s refused %zu call%s the unit allows.\n", mf_unit_name(mu), a->check, failures,
                       failures == 1 ? "" : "s");
        return failures > 0 ? LEARN_EXIT_CHECK_FAILED : obs->run.partial ? LEARN_EXIT_PARTIAL : 0;
}

static int write_output(const Args *a, const Proposal *p, const Observation *obs) {
        _cleanup_free_ char *dropin = a->format == FORMAT_DROPIN ? proposal_to_dropin(p) : NULL;
        FILE *f = stdout;

        if (a->format == FORMAT_DROPIN && !dropin)
                return -ENOMEM;
        if (a->output) {
                f = fopen(a->output, "we");
                if (!f) {
                        cli_error(errno, "Failed to open %s: %m", a->output);
                        return -errno;
                }
        }
        if (dropin)
                fputs(dropin, f);
        else
                proposal_write_oci(p, obs, f);
        if (a->output ? fclose(f) != 0 : fflush(f) != 0) {
                cli_error(errno, "Failed to write %s: %m", a->output ?: "the proposal");
                return -EIO;
        }
        return 0;
}

/* Run the command again under the unit with p. Returns 0 when nothing the unit allows was
 * refused, CHECK_FAILED (with why in *ret_why) when the run failed the proposal, an EXIT_* status
 * when the command could not be started, or a negative errno. */
static int check_once(const Args *a, const Directives *unit, const Observation *learned, const Proposal *p, int stdout_fd,
                      Observation **ret, char **ret_why) {
        _cleanup_(mf_unit_freep) mf_unit *uc = NULL;
        _cleanup_(directives_freep) Directives *dc = NULL;
        _cleanup_(observation_freep) Observation *check = NULL;
        _cleanup_free_ char *text = proposal_to_dropin(p);
        size_t failures;
        int r;

        if (!text)
                return -ENOMEM;
        if (load(a, DROPIN_NAME, text, &uc, &dc) < 0) {
                fprintf(stderr, "megafilter: The proposal does not load; this is a bug:\n%s", text);
                return -EFAULT;
        }
        /* A command that ended by itself gets ten times as long (30 s at least) under the proposal:
         * one that waits forever for a call the proposal refuses must not keep us. */
        r = run_check(a, unit, dc, a->duration > 0 ? a->duration : MAX(CHECK_TIME_MIN, 10 * learned->run.seconds),
                      stdout_fd, &check);
        if (r != 0)
                return r;

        failures = observation_needed_denials(check);
        if (failures > 0)
                r = asprintf(ret_why, "was refused %zu call%s the unit allows", failures, failures == 1 ? "" : "s");
        else if (check->run.stopped && !learned->run.stopped)
                r = asprintf(ret_why, "did not end within %.0f s (the learning run took %.1f s): it may wait for "
                             "something the proposal refuses", check->run.seconds, learned->run.seconds);
        else if (learn_check_killed_unseen(check) && learned->run.exit_status != 128 + SIGSYS)
                r = asprintf(ret_why, "was killed by SIGSYS, by a call of an ABI SystemCallArchitectures= blocks");
        else
                r = 0;
        if (r < 0)
                return -ENOMEM;
        if (r > 0) {
                /* Now, while the lines it names (uc's) are there. */
                fprintf(stderr, "megafilter: The check run under the proposal %s.\n", *ret_why);
                (void) learn_check_report(check, false, "megafilter:   ", stderr);
        }
        *ret = TAKE_PTR(check);
        return r > 0 ? CHECK_FAILED : 0;
}

int verb_learn(int argc, char *argv[]) {
        _cleanup_(mf_unit_freep) mf_unit *mu = NULL;
        _cleanup_(observation_freep) Observation *obs = NULL;
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_free_ bool *known = NULL;
        _cleanup_free_ char *command = NULL;
        _cleanup_(args_done) Args a = {};
        const Directives *d;
        LearnSetup s = {};
        Diag diag = {};
        int r, stdout_fd, status = 0, rounds = 0;
        bool failed = false;
        ProposeOptions po;

        r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r == 0 ? 0 : EXIT_FAILURE;
        if (a.check)
                return verb_check(&a);

        if (load(&a, NULL, NULL, &mu, NULL) < 0)
                return EXIT_FAILURE;
        d = mu->directives;
        /* The proposal may go to standard output: keep the command's output out of it. */
        stdout_fd = a.output ? -1 : STDERR_FILENO;

        diag.max_level = a.ua.verbose > 0 ? DIAG_DEBUG : DIAG_NOTICE;
        r = learn_setup(d, LEARN_FILTER_RECORD, &diag, &s);
        if (r < 0) {
                cli_error(r, "Failed to compile the learning filter of %s: %m", mf_unit_name(mu));
                return EXIT_SECCOMP;
        }
        r = observation_new(abi_native(), &obs);
        if (r >= 0) {
                LearnRun run = {
                        .directives = d,
                        .sandbox = s.sandbox,
                        .answer = s.sandbox->policy,
                        .reference = s.sandbox->policy,
                        .filter = &s.filter[0],
                        .duration = a.duration,
                        .stop_timeout = STOP_TIMEOUT,
                        .stdout_fd = stdout_fd,
                };

                r = learn_record(&run, obs);
        }
        learn_setup_done(&s);
        if (r != 0) {
                if (r < 0)
                        cli_error(r, "Learning failed: %m");
                else
                        fprintf(stderr, "megafilter: The command could not be started (exit status %d%s%s): nothing "
                                "to learn from.\n", r, exit_status_to_string(r) ? " " : "", strempty(exit_status_to_string(r)));
                return r > 0 ? r : EXIT_FAILURE;
        }

        known = systemd_known_names();
        command = command_line(d);
        if (!command)
                return log_oom_cli();
        po = (ProposeOptions) {
                .unit_name = mf_unit_name(mu),
                .command = command,
                .persona = d->personality != PERSONALITY_INVALID ? d->personality : current_persona(),
                .systemd_knows = known,
        };
        fprintf(stderr, "megafilter: %s: %s after %.1f s, %" PRIu64 " calls watched.\n", mf_unit_name(mu),
                obs->run.partial ? "interrupted" : obs->run.stopped ? "stopped" : "ended", obs->run.seconds,
                obs->run.notifications);

        for (;;) {
                _cleanup_(observation_freep) Observation *check = NULL;
                _cleanup_free_ char *why = NULL;

                p = proposal_free(p);
                r = learn_propose(obs, d, &po, &p);
                if (r < 0)
                        return log_oom_cli();
                if (obs->run.partial || a.no_check)
                        break;

                r = check_once(&a, d, obs, p, stdout_fd, &check, &why);
                if (r < 0)
                        return r == -ENOMEM ? log_oom_cli() : EXIT_FAILURE;
                if (r > 0 && r != CHECK_FAILED)
                        return r;       /* the command could not be started */
                rounds++;
                if (r == 0) {
                        status = check->run.exit_status;
                        if (proposal_add_header(p, "Checked: a second run under this drop-in was refused nothing the "
                                                "unit allows (exit status %d%s).", check->run.exit_status,
                                                check->run.stopped ? ", stopped after --duration" : "") < 0)
                                return log_oom_cli();
                        break;
                }
                failed = true;
                /* What the second run needed and the first did not do can be learned; a run that
                 * was stopped or killed unseen teaches nothing more. */
                if (rounds >= CHECK_ROUNDS || observation_needed_denials(check) == 0) {
                        if (proposal_add_header(p, "CHECK FAILED: a run under this drop-in %s, after %d round%s of "
                                                "learning (see megafilter learn --check).", why, rounds,
                                                rounds == 1 ? "" : "s") < 0)
                                return log_oom_cli();
                        break;
                }
                r = observation_merge_needed(obs, check);
                if (r < 0)
                        return log_oom_cli();
        }

        if (obs->run.exit_status != 0 && !obs->run.stopped && !obs->run.partial)
                fprintf(stderr, "megafilter: Note: the command exited with status %d while learned; a failing run may "
                        "not show everything the service needs.\n", obs->run.exit_status);
        if (rounds > 0 && !failed && status != obs->run.exit_status && !obs->run.stopped)
                fprintf(stderr, "megafilter: Note: the command exited with status %d under the proposal, %d while "
                        "learned.\n", status, obs->run.exit_status);

        r = write_output(&a, p, obs);
        if (r < 0)
                return EXIT_FAILURE;
        if (obs->run.partial)
                return LEARN_EXIT_PARTIAL;
        return failed ? LEARN_EXIT_CHECK_FAILED : 0;
}
