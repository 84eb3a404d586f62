/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The benchmark of megafilter learn: how much slower a command runs while it is learned, on tar
 * over /usr/include (into /dev/shm) and a fork+exec loop, against the same command unwatched, in
 * the same run.
 * Beside the learning run as megafilter learn makes it, the alternatives: every call sent to the
 * supervisor (no @default calls answered by the filter), the check run under the learned proposal
 * (only refusals go to the supervisor), and, when installed, strace -f (ptrace) for reference.
 * Modes alternate within each round; each figure is the fastest of the rounds. Markdown on
 * stdout.
 *   megafilter-learn-bench [--rounds N] */

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "learn-propose.h"
#include "learn-record.h"
#include "service.h"
#include "unit-file.h"

typedef enum Mode {
        MODE_UNWATCHED,
        MODE_LEARN,
        MODE_LEARN_ALL,
        MODE_CHECK,
        MODE_STRACE,
        _MODE_MAX,
} Mode;

static const char *const mode_names[_MODE_MAX] = {
        [MODE_UNWATCHED] = "unwatched",
        [MODE_LEARN] = "learning run (megafilter learn)",
        [MODE_LEARN_ALL] = "learning run, every call watched",
        [MODE_CHECK] = "check run under the proposal",
        [MODE_STRACE] = "strace -f -qq -o /dev/null (ptrace)",
};

typedef struct Workload {
        const char *name;
        char **argv;
        Directives *unit;               /* an empty unit with argv as its command */
        Directives *checked;            /* … with the proposal learned from it */
        double best[_MODE_MAX];         /* wall-clock seconds */
        double best_cpu[_MODE_MAX];     /* CPU seconds of the command and of the supervisor */
        uint64_t notifications[_MODE_MAX];
} Workload;

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int devnull = -1;

/* CPU time (user and system) used so far by this process and its waited-for children: the
 * supervisor runs in this process. */
static double cpu_now(void) {
        struct rusage self, children;

        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        return self.ru_utime.tv_sec + self.ru_stime.tv_sec + children.ru_utime.tv_sec + children.ru_stime.tv_sec +
               (self.ru_utime.tv_usec + self.ru_stime.tv_usec + children.ru_utime.tv_usec + children.ru_stime.tv_usec) / 1e6;
}

static double run_plain(char **argv) {
        double t = now();
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                dup2(devnull, STDOUT_FILENO);
                dup2(devnull, STDERR_FILENO);
                execv(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -1;
        return now() - t;
}

static double run_strace(char **argv) {
        _cleanup_strv_free_ char **a = NULL;

        if (access("/usr/bin/strace", X_OK) < 0)
                return -1;
        if (strv_extend(&a, "/usr/bin/strace") < 0 || strv_extend(&a, "-f") < 0 || strv_extend(&a, "-qq") < 0 ||
            strv_extend(&a, "-o") < 0 || strv_extend(&a, "/dev/null") < 0)
                return -1;
        STRV_FOREACH(w, argv)
                if (strv_extend(&a, *w) < 0)
                        return -1;
        return run_plain(a);
}

/* One watched run; its observation in *ret when asked for. */
static double run_watched(const Directives *unit, const Directives *answer, LearnFilterKind kind, uint64_t *notifications,
                          Observation **ret) {
        _cleanup_(observation_freep) Observation *obs = NULL;
        LearnSetup u = {}, s = {};
        double t = -1;
        int r;

        r = learn_setup(unit, kind, NULL, &s);
        if (r >= 0 && answer != unit)
                r = learn_setup(unit, LEARN_FILTER_CHECK, NULL, &u);
        if (r >= 0)
                r = observation_new(abi_native(), &obs);
        if (r >= 0) {
                LearnRun run = {
                        .directives = answer,
                        .sandbox = s.sandbox,
                        .answer = s.sandbox->policy,
                        .reference = answer != unit ? u.sandbox->policy : s.sandbox->policy,
                        .filter = &s.filter[0],
                        .stop_timeout = 5,
                        .stdout_fd = devnull,
                };
                double start = now();

                if (learn_record(&run, obs) == 0 && obs->run.exit_status == 0)
                        t = now() - start;
                *notifications = obs->run.notifications;
        }
        learn_setup_done(&s);
        learn_setup_done(&u);
        if (ret)
                *ret = TAKE_PTR(obs);
        return t;
}

static int workload_init(Workload *w, const char *name, char **argv) {
        _cleanup_(observation_freep) Observation *obs = NULL;
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_free_ char *text = NULL;
        ProposeOptions po = { .unit_name = "bench.service", .command = name, .persona = current_persona() };
        uint64_t n;
        int r;

        w->name = name;
        w->argv = argv;
        if ((r = directives_new(&w->unit)) < 0 || (r = service_set_command(w->unit, argv)) < 0)
                return r;
        /* The proposal the check run runs under: learned once, here. */
        if (run_watched(w->unit, w->unit, LEARN_FILTER_RECORD, &n, &obs) < 0)
                return -ECHILD;
        if ((r = learn_propose(obs, w->unit, &po, &p)) < 0)
                return r;
        text = proposal_to_dropin(p);
        if (!text)
                return -ENOMEM;
        if ((r = unit_file_new("bench.service", &u)) < 0 ||
            (r = unit_file_parse_text(u, "learned.conf", text, strlen(text), NULL)) < 0 ||
            (r = directives_new(&w->checked)) < 0 || (r = directives_apply_unit(w->checked, u, NULL)) < 0 ||
            (r = service_set_command(w->checked, argv)) < 0)
                return r;
        for (Mode m = 0; m < _MODE_MAX; m++)
                w->best[m] = w->best_cpu[m] = -1;
        return 0;
}

static void measure(Workload *w, Mode m) {
        uint64_t n = 0;
        double t, cpu = cpu_now();

        switch (m) {
        case MODE_UNWATCHED:
                t = run_plain(w->argv);
                break;
        case MODE_LEARN:
                t = run_watched(w->unit, w->unit, LEARN_FILTER_RECORD, &n, NULL);
                break;
        case MODE_LEARN_ALL:
                t = run_watched(w->unit, w->unit, LEARN_FILTER_RECORD_ALL, &n, NULL);
                break;
        case MODE_CHECK:
                t = run_watched(w->checked, w->checked, LEARN_FILTER_CHECK, &n, NULL);
                break;
        case MODE_STRACE:
                t = run_strace(w->argv);
                break;
        default:
                return;
        }
        cpu = cpu_now() - cpu;
        if (t >= 0 && (w->best[m] < 0 || t < w->best[m]))
                w->best[m] = t;
        if (t >= 0 && (w->best_cpu[m] < 0 || cpu < w->best_cpu[m]))
                w->best_cpu[m] = cpu;
        w->notifications[m] = n;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "rounds", required_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        /* The archive goes to memory (/dev/shm), so that the disk does not time tar. */
        char dir[] = "/dev/shm/megafilter-learn-bench-XXXXXX", out[64], loop[160];
        int rounds = 5, c;
        struct utsname un;
        Workload w[2] = {};

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        rounds = atoi(optarg);
                        break;
                case 'h':
                        printf("Usage: megafilter-learn-bench [--rounds N]\n");
                        return 0;
                default:
                        return 1;
                }
        if (rounds < 1)
                return 1;
        if (!mkdtemp(dir)) {
                strcpy(dir, "/tmp/megafilter-learn-bench-XXXXXX");
                if (!mkdtemp(dir))
                        return 1;
        }
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        snprintf(out, sizeof out, "%s/include.tar", dir);
        snprintf(loop, sizeof loop, "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done");
        char *tar[] = { (char *) "/bin/tar", (char *) "-C", (char *) "/usr", (char *) "-cf", out, (char *) "include", NULL };
        char *sh[] = { (char *) "/bin/sh", (char *) "-c", loop, NULL };

        if (devnull < 0 || workload_init(&w[0], "tar -C /usr -cf FILE include", tar) < 0 ||
            workload_init(&w[1], "sh -c 'a loop of 300 /bin/true'", sh) < 0) {
                fprintf(stderr, "megafilter-learn-bench: a workload failed to run\n");
                return 1;
        }
        for (int r = 0; r < rounds; r++)
                for (size_t k = 0; k < ELEMENTSOF(w); k++)
                        for (Mode m = 0; m < _MODE_MAX; m++)
                                measure(&w[k], m);

        uname(&un);
        printf("### megafilter learn: the slowdown of a learning run\n\n");
        printf("Machine: %s %s %s, %ld CPUs; fastest of %d rounds, modes alternating; ratios against the same "
               "command unwatched in the same run. Wall-clock time, and CPU time (user and system, of the "
               "command's processes and of the supervisor), which other load on the machine disturbs less.\n\n",
               un.sysname, un.release, un.machine, sysconf(_SC_NPROCESSORS_ONLN), rounds);
        printf("| workload | mode | seconds | × unwatched | CPU seconds | × unwatched | calls the supervisor answered |\n"
               "|---|---|---|---|---|---|---|\n");
        for (size_t k = 0; k < ELEMENTSOF(w); k++)
                for (Mode m = 0; m < _MODE_MAX; m++) {
                        bool watched = m == MODE_LEARN || m == MODE_LEARN_ALL || m == MODE_CHECK;
                        char calls[32] = "";

                        if (w[k].best[m] < 0) {
                                printf("| %s | %s | n/a | | | | |\n", w[k].name, mode_names[m]);
                                continue;
                        }
                        if (watched)
                                snprintf(calls, sizeof calls, "%" PRIu64, w[k].notifications[m]);
                        printf("| %s | %s | %.3f | %.2f | %.3f | %.2f | %s |\n", w[k].name, mode_names[m], w[k].best[m],
                               w[k].best[m] / w[k].best[MODE_UNWATCHED], w[k].best_cpu[m],
                               w[k].best_cpu[m] / w[k].best_cpu[MODE_UNWATCHED], calls);
                }
        unlink(out);
        rmdir(dir);
        return 0;
}
