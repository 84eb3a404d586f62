/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter-compile-cold: how long sandbox_compile()'s stages take in a freshly forked child,
 * as a service start runs them, and how many page faults they cost there; the same stages
 * repeated in one process ("warm") for comparison. Medians over many children.
 *
 *   megafilter-compile-cold [-n CHILDREN] [--install] [--thrash MIB] UNIT…
 *
 * --thrash writes that much memory in the parent before each child, so that the child starts
 * with cold caches, as after a service manager's other work (the benchmark's situation). */

#include <getopt.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "sandbox.h"
#include "unit-file.h"

enum {
        STAGE_POLICY,
        STAGE_GEN,
        STAGE_COMPILE,                  /* sandbox_compile() as a whole */
        STAGE_INSTALL,
        STAGE_FAULTS_POLICY,
        STAGE_FAULTS_GEN,
        _STAGE_MAX,
};

static const char *const stage_names[_STAGE_MAX] = {
        "policy_build µs", "bpf_gen µs", "sandbox_compile µs", "install µs",
        "faults policy_build", "faults bpf_gen",
};

static double now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long minflt(void) {
        struct rusage ru;

        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_minflt;
}

static int double_compare(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
        qsort(v, n, sizeof(double), double_compare);
        return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The stages of sandbox_compile(), timed one by one. */
static int stages(const Directives *d, double out[_STAGE_MAX]) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(arena_done) Arena scratch = {};
        PolicyOptions po = { .native = abi_native(), .personality = PER_LINUX, .mdwe_prctl = mdwe_prctl_supported() };
        BpfProgram *progs = NULL;
        size_t n = 0;
        double t0, t1, t2;
        long f0, f1, f2;
        int r;

        f0 = minflt();
        t0 = now_us();
        r = policy_build_in(d, &po, NULL, &scratch, &p);     /* as sandbox_compile() does */
        t1 = now_us();
        f1 = minflt();
        if (r >= 0) {
                arena_reset(&scratch);
                r = bpf_gen_in(p, LAYOUT_SPLIT, &scratch, &progs, &n);
        }
        t2 = now_us();
        f2 = minflt();
        bpf_programs_free(progs, n);

        out[STAGE_POLICY] = t1 - t0;
        out[STAGE_GEN] = t2 - t1;
        out[STAGE_FAULTS_POLICY] = (double) (f1 - f0);
        out[STAGE_FAULTS_GEN] = (double) (f2 - f1);
        return r;
}

static int compile_install(const Directives *d, bool install, double out[_STAGE_MAX]) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        double t0, t1, t2;
        int r;

        t0 = now_us();
        r = sandbox_compile(d, NULL, NULL, &s);
        t1 = now_us();
        if (r >= 0 && install)
                r = sandbox_install(s, 0, NULL);
        t2 = now_us();
        out[STAGE_COMPILE] = t1 - t0;
        out[STAGE_INSTALL] = install ? t2 - t1 : 0;
        return r;
}

static size_t arg_thrash;

static void thrash(void) {
        static unsigned char *junk;
        static unsigned round;

        if (arg_thrash == 0)
                return;
        if (!junk)
                junk = malloc(arg_thrash);
        if (junk)
                memset(junk, (int) ++round, arg_thrash);
}

/* One fresh child per sample: the stages in one, compile (and install) in another. */
static int cold_sample(const Directives *d, bool install, double out[_STAGE_MAX]) {
        for (int which = 0; which < 2; which++) {
                double v[_STAGE_MAX] = {};
                int fds[2], status;
                pid_t pid;

                thrash();
                if (pipe(fds) < 0)
                        return -errno;
                pid = fork();
                if (pid < 0)
                        return -errno;
                if (pid == 0) {
                        int r = which == 0 ? stages(d, v) : compile_install(d, install, v);
                        _exit(r >= 0 && write(fds[1], v, sizeof v) == sizeof v ? 0 : 1);
                }
                close(fds[1]);
                if (read(fds[0], v, sizeof v) != sizeof v)
                        v[0] = -1;
                close(fds[0]);
                if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || v[0] < 0)
                        return -EIO;
                if (which == 0) {
                        out[STAGE_POLICY] = v[STAGE_POLICY];
                        out[STAGE_GEN] = v[STAGE_GEN];
                        out[STAGE_FAULTS_POLICY] = v[STAGE_FAULTS_POLICY];
                        out[STAGE_FAULTS_GEN] = v[STAGE_FAULTS_GEN];
                } else {
                        out[STAGE_COMPILE] = v[STAGE_COMPILE];
                        out[STAGE_INSTALL] = v[STAGE_INSTALL];
                }
        }
        return 0;
}

static int run_unit(const char *path, unsigned n, bool install) {
        _cleanup_(unit_file_freep) UnitFile *f = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag diag = { .max_level = DIAG_ERROR };
        _cleanup_free_ double *cold = calloc((size_t) n * _STAGE_MAX, sizeof(double));
        _cleanup_free_ double *col = calloc(n, sizeof(double));
        double warm[_STAGE_MAX] = {};
        int r;

        if (!cold || !col)
                return -ENOMEM;
        r = unit_file_load(path, 0, &diag, &f);
        if (r >= 0)
                r = directives_new(&d);
        if (r >= 0)
                r = directives_apply_unit(d, f, &diag);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return r;
        }

        for (unsigned i = 0; i < n; i++) {
                r = cold_sample(d, install, cold + (size_t) i * _STAGE_MAX);
                if (r < 0) {
                        fprintf(stderr, "%s: a child failed: %s\n", path, strerror(-r));
                        return r;
                }
        }

        /* Warm: the same process, after a few rounds to settle the heap. */
        for (int s = 0; s < _STAGE_MAX; s++)
                warm[s] = 1e30;
        for (unsigned i = 0; i < 50 + n; i++) {
                double v[_STAGE_MAX] = {};

                if (stages(d, v) < 0 || compile_install(d, false, v) < 0)
                        return -EIO;
                if (i < 50)
                        continue;
                for (int s = 0; s < _STAGE_MAX; s++)
                        warm[s] = MIN(warm[s], v[s]);
        }

        printf("%s (%u children)\n", path, n);
        printf("  %-22s %10s %10s %10s\n", "", "cold med", "cold min", "warm min");
        for (int s = 0; s < _STAGE_MAX; s++) {
                double mn = 1e30;

                if (s == STAGE_INSTALL && !install)
                        continue;
                for (unsigned i = 0; i < n; i++) {
                        col[i] = cold[(size_t) i * _STAGE_MAX + s];
                        mn = MIN(mn, col[i]);
                }
                printf("  %-22s %10.1f %10.1f %10.1f\n", stage_names[s], median(col, n), mn,
                       s == STAGE_INSTALL ? 0 : warm[s]);
        }
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "children", required_argument, NULL, 'n' },
                { "install", no_argument, NULL, 'i' },
                { "thrash", required_argument, NULL, 't' },
                {}
        };
        unsigned n = 500;
        bool install = false;
        int c;

        while ((c = getopt_long(argc, argv, "n:it:", options, NULL)) >= 0)
                switch (c) {
                case 'n':
                        n = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'i':
                        install = true;
                        break;
                case 't':
                        arg_thrash = (size_t) strtoul(optarg, NULL, 10) << 20;
                        break;
                default:
                        return 2;
                }
        if (optind >= argc || n == 0) {
                fprintf(stderr, "Usage: %s [-n CHILDREN] [--install] [--thrash MIB] UNIT…\n", argv[0]);
                return 2;
        }
        for (int i = optind; i < argc; i++)
                if (run_unit(argv[i], n, install) < 0)
                        return 1;
        return 0;
}
