/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter-bench: megafilter against the filters service managers build today, side by side.
 *
 * For every unit and strategy: the static figures of the programs (filters, instructions, what
 * the kernel's cache serves, instructions run per syscall, from the emulator), the time each
 * operation takes in a process running under them, and the cost of building and installing
 * them. Every timed run happens in a forked child; strategies alternate within each round and
 * the minimum over the rounds is kept; "none" is measured in the same rounds and subtracted. */

#include <fcntl.h>
#include <math.h>
#include <getopt.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "filter-stats.h"
#include "strategies.h"
#include "syscall-table.h"
#include "unit-file.h"

typedef enum Op {
        OP_GETPPID,
        OP_OPENAT,
        OP_MMAP,
        OP_SOCKET,
        OP_FORK,
        OP_DENIED,
        _OP_MAX,
} Op;

static const struct {
        const char *name;
        unsigned iterations;
} ops[_OP_MAX] = {
        [OP_GETPPID] = { "getppid", 40000 },
        [OP_OPENAT] = { "openat+close", 10000 },
        [OP_MMAP] = { "mmap+munmap", 10000 },
        [OP_SOCKET] = { "socket+close", 10000 },
        [OP_FORK] = { "fork+wait", 200 },
        [OP_DENIED] = { "denied call", 40000 },
};

#define STRATEGIES_MAX 8
#define BATCHES 10
#define NS_UNSET 1e30

typedef struct Figures {
        bool available;
        size_t filters, instructions, cached;
        double arg_mean, denied_mean;
        unsigned arg_worst, denied_worst;
        double ns[_OP_MAX];             /* per operation, minimum over rounds */
        double build_install_us;
} Figures;

typedef struct UnitRun {
        const char *path;
        char *name;
        Directives *d;
        Policy *policy;                 /* megafilter's, for classifying calls */
        long denied_nr;                 /* a syscall this unit denies with an errno, or -1 */
        Figures f[STRATEGIES_MAX];
        BpfProgram *progs[STRATEGIES_MAX];
        size_t n_progs[STRATEGIES_MAX];
        bool mdwe_prctl[STRATEGIES_MAX];
} UnitRun;

static unsigned arg_rounds = 15;

static double now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void run_op(Op op, long denied_nr) {
        switch (op) {
        case OP_GETPPID:
                syscall(SYS_getppid);
                break;
        case OP_OPENAT: {
                int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
                if (fd >= 0)
                        close(fd);
                break;
        }
        case OP_MMAP: {
                void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p != MAP_FAILED)
                        munmap(p, 4096);
                break;
        }
        case OP_SOCKET: {
                int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd >= 0)
                        close(fd);
                break;
        }
        case OP_FORK: {
                pid_t pid = fork();
                if (pid == 0)
                        _exit(0);
                if (pid > 0)
                        waitpid(pid, NULL, 0);
                break;
        }
        case OP_DENIED:
                syscall(denied_nr, 0, 0, 0, 0, 0, 0);
                break;
        default:
                break;
        }
}

/* In a child: install, then time every operation; send back ns per operation. */
static int measure_child(const UnitRun *u, size_t s, double ns[_OP_MAX]) {
        int fds[2], status;
        pid_t pid;

        if (pipe(fds) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                double out[_OP_MAX];

                close(fds[0]);
                if (install_programs(u->progs[s], u->n_progs[s], u->mdwe_prctl[s]) < 0)
                        _exit(1);
                for (Op op = 0; op < _OP_MAX; op++) {
                        double t0;

                        if (op == OP_DENIED && u->denied_nr < 0) {
                                out[op] = NS_UNSET;
                                continue;
                        }
                        for (unsigned i = 0; i < ops[op].iterations / 10; i++)
                                run_op(op, u->denied_nr);
                        /* The fastest of BATCHES batches: an interrupt or a migration spoils
                         * one batch, not the figure. */
                        out[op] = NS_UNSET;
                        for (unsigned b = 0; b < BATCHES; b++) {
                                unsigned n = ops[op].iterations / BATCHES;

                                t0 = now_ns();
                                for (unsigned i = 0; i < n; i++)
                                        run_op(op, u->denied_nr);
                                out[op] = MIN(out[op], (now_ns() - t0) / n);
                        }
                }
                _exit(write(fds[1], out, sizeof out) == sizeof out ? 0 : 1);
        }
        close(fds[1]);
        if (read(fds[0], ns, sizeof(double) * _OP_MAX) != (ssize_t) (sizeof(double) * _OP_MAX))
                ns[0] = -1;
        close(fds[0]);
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || ns[0] < 0)
                return -EIO;
        return 0;
}

/* In a child: the time to build and install, as a service start pays it. */
static int build_install_child(const UnitRun *u, size_t s, double *ret_us) {
        int fds[2], status;
        double us = -1;
        pid_t pid;

        if (pipe(fds) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                double t0 = now_ns(), t;

                close(fds[0]);
                if (strategies[s].build_install(u->d) < 0)
                        _exit(1);
                t = (now_ns() - t0) / 1000;
                _exit(write(fds[1], &t, sizeof t) == sizeof t ? 0 : 1);
        }
        close(fds[1]);
        if (read(fds[0], &us, sizeof us) != sizeof us)
                us = -1;
        close(fds[0]);
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || us < 0)
                return -EIO;
        *ret_us = us;
        return 0;
}

/* A syscall this unit denies with an errno, for the "denied call" timing. Unimplemented ones
 * first (sys_ni_syscall: without a filter the kernel just returns ENOSYS), so the baseline is
 * the bare syscall path and not whatever the call would do. */
static long pick_denied(const Policy *p) {
        static const char *const unimplemented[] = {
                "afs_syscall", "tuxcall", "security", "vserver", "putpmsg", "getpmsg",
                "create_module", "get_kernel_syms", "query_module", "nfsservctl", "uselib",
        };
        const AbiPolicy *a = &p->abi[ABI_X86_64];
        long fallback = -1;

        for (size_t k = 0; k < ELEMENTSOF(unimplemented); k++) {
                int id = syscall_from_name(unimplemented[k]);
                long nr = id >= 0 ? syscall_nr(ABI_X86_64, id) : -1;

                if (nr >= a->nr_first && nr < a->nr_first + (long) a->n) {
                        const Decision *d = &a->by_nr[nr - a->nr_first];

                        if (d->n_rules == 0 && (d->action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
                                return nr;
                }
        }
        for (uint32_t i = 0; i < a->n && fallback < 0; i++) {
                const Decision *d = &a->by_nr[i];

                if (d->n_rules == 0 && (d->action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO &&
                    syscall_from_nr(ABI_X86_64, a->nr_first + i) >= 0)
                        fallback = a->nr_first + i;
        }
        return fallback;
}

static void static_figures(UnitRun *u, size_t s) {
        BpfFilterRef refs[64];
        Figures *f = &u->f[s];
        AbiStats st;

        f->filters = u->n_progs[s];
        for (size_t i = 0; i < u->n_progs[s] && i < ELEMENTSOF(refs); i++) {
                refs[i] = (BpfFilterRef) { u->progs[s][i].insns, u->progs[s][i].n };
                f->instructions += u->progs[s][i].n;
        }
        if (filter_stats_abi(refs, u->n_progs[s], ABI_X86_64, ABI_X86_64, u->policy, &st) < 0)
                return;
        f->cached = st.count[CLASS_CACHED];
        f->arg_mean = st.steps_mean[CLASS_ARG_CHECKED];
        f->arg_worst = st.steps_max[CLASS_ARG_CHECKED];
        f->denied_mean = st.steps_mean[CLASS_DENIED];
        f->denied_worst = st.steps_max[CLASS_DENIED];
        abi_stats_done(&st);
}

static int prepare_unit(UnitRun *u, const char *path) {
        _cleanup_(unit_file_freep) UnitFile *file = NULL;
        PolicyOptions po = { .native = ABI_X86_64, .personality = PER_LINUX, .mdwe_prctl = true };
        Diag diag = { .max_level = DIAG_ERROR };
        int r;

        u->path = path;
        r = unit_file_load(path, 0, &diag, &file);
        if (r < 0)
                return r;
        u->name = strdup(file->name);
        r = directives_new(&u->d);
        if (r < 0)
                return r;
        r = directives_apply_unit(u->d, file, &diag);
        if (r < 0)
                return r;
        r = policy_build(u->d, &po, NULL, &u->policy);
        if (r < 0)
                return r;
        u->denied_nr = pick_denied(u->policy);

        for (size_t s = 0; strategies[s].name; s++) {
                u->f[s].available = strategies[s].build(u->d, u->policy, &u->progs[s], &u->n_progs[s], &u->mdwe_prctl[s]) >= 0;
                if (!u->f[s].available)
                        continue;
                static_figures(u, s);
                for (Op op = 0; op < _OP_MAX; op++)
                        u->f[s].ns[op] = NS_UNSET;
                u->f[s].build_install_us = NS_UNSET;
        }
        return 0;
}

static void unit_run_done(UnitRun *u) {
        for (size_t s = 0; s < STRATEGIES_MAX; s++)
                bpf_programs_free(u->progs[s], u->n_progs[s]);
        policy_free(u->policy);
        directives_free(u->d);
        free(u->name);
}

static void measure_unit(UnitRun *u, size_t n_strategies) {
        for (unsigned round = 0; round < arg_rounds; round++)
                for (size_t k = 0; k < n_strategies; k++) {
                        size_t s = (k + round) % n_strategies;    /* rotate who goes first */
                        double ns[_OP_MAX] = {}, us = 0;

                        if (!u->f[s].available)
                                continue;
                        if (measure_child(u, s, ns) >= 0)
                                for (Op op = 0; op < _OP_MAX; op++)
                                        u->f[s].ns[op] = MIN(u->f[s].ns[op], ns[op]);
                        if (build_install_child(u, s, &us) >= 0)
                                u->f[s].build_install_us = MIN(u->f[s].build_install_us, us);
                }
}

/* ---- output ---- */

static double added(const UnitRun *u, size_t s, Op op) {
        if (u->f[s].ns[op] >= NS_UNSET || u->f[0].ns[op] >= NS_UNSET)
                return NAN;
        return MAX(u->f[s].ns[op] - u->f[0].ns[op], 0.0);
}

static void print_markdown(FILE *out, UnitRun *units, size_t n_units, size_t n_strategies) {
        const size_t per_feature = 1;

        for (size_t i = 0; i < n_units; i++) {
                UnitRun *u = &units[i];

                fprintf(out, "\n#### %s\n\n", u->name);
                fprintf(out, "| strategy | filters | instructions | cached syscalls | insns arg-checked (mean/worst) | insns denied (mean/worst) |");
                for (Op op = 0; op < _OP_MAX; op++)
                        fprintf(out, " %s +ns (×per-feature) |", ops[op].name);
                fprintf(out, " build+install µs (×per-feature) |\n|---|---|---|---|---|---|");
                for (Op op = 0; op <= _OP_MAX; op++)
                        fprintf(out, "---|");
                fputc('\n', out);

                for (size_t s = 0; s < n_strategies; s++) {
                        const Figures *f = &u->f[s];

                        if (!f->available) {
                                fprintf(out, "| %s | n/a (not expressible) |\n", strategies[s].name);
                                continue;
                        }
                        fprintf(out, "| %s | %zu | %zu | %zu | %.1f / %u | %.1f / %u |", strategies[s].name, f->filters,
                                f->instructions, f->cached, f->arg_mean, f->arg_worst, f->denied_mean, f->denied_worst);
                        for (Op op = 0; op < _OP_MAX; op++) {
                                double a = added(u, s, op), base = added(u, per_feature, op);

                                if (isnan(a))
                                        fprintf(out, " n/a |");
                                else if (s == 0 || isnan(base) || base <= 0)
                                        fprintf(out, " %.0f |", a);
                                else
                                        fprintf(out, " %.0f (%.2f) |", a, a / base);
                        }
                        if (s == 0)
                                fprintf(out, " 0 |\n");
                        else if (f->build_install_us >= NS_UNSET)
                                fprintf(out, " n/a |\n");
                        else if (u->f[per_feature].available && u->f[per_feature].build_install_us < NS_UNSET && f->build_install_us > 0)
                                fprintf(out, " %.1f (%.3f) |\n", f->build_install_us,
                                        f->build_install_us / u->f[per_feature].build_install_us);
                        else
                                fprintf(out, " %.1f |\n", f->build_install_us);
                }
        }
}

static void write_csv(FILE *out, UnitRun *units, size_t n_units, size_t n_strategies) {
        fprintf(out, "unit,strategy,metric,value\n");
        for (size_t i = 0; i < n_units; i++)
                for (size_t s = 0; s < n_strategies; s++) {
                        const Figures *f = &units[i].f[s];

                        if (!f->available)
                                continue;
                        fprintf(out, "%s,%s,filters,%zu\n", units[i].name, strategies[s].name, f->filters);
                        fprintf(out, "%s,%s,instructions,%zu\n", units[i].name, strategies[s].name, f->instructions);
                        fprintf(out, "%s,%s,cached,%zu\n", units[i].name, strategies[s].name, f->cached);
                        fprintf(out, "%s,%s,insns_arg_checked_mean,%.2f\n", units[i].name, strategies[s].name, f->arg_mean);
                        fprintf(out, "%s,%s,insns_arg_checked_worst,%u\n", units[i].name, strategies[s].name, f->arg_worst);
                        fprintf(out, "%s,%s,insns_denied_mean,%.2f\n", units[i].name, strategies[s].name, f->denied_mean);
                        fprintf(out, "%s,%s,insns_denied_worst,%u\n", units[i].name, strategies[s].name, f->denied_worst);
                        for (Op op = 0; op < _OP_MAX; op++)
                                if (f->ns[op] < NS_UNSET)
                                        fprintf(out, "%s,%s,ns_%s,%.1f\n", units[i].name, strategies[s].name, ops[op].name, f->ns[op]);
                        if (f->build_install_us < NS_UNSET)
                                fprintf(out, "%s,%s,build_install_us,%.1f\n", units[i].name, strategies[s].name, f->build_install_us);
                }
}

/* A grouped bar chart of the added latency per operation, one bar per strategy, for one unit. */
static void write_svg(FILE *out, const UnitRun *u, size_t n_strategies) {
        static const char *const colours[] = { "#999999", "#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd" };
        const int width = 900, height = 420, left = 60, bottom = 60, top = 40;
        double max = 1;
        int group;

        for (Op op = 0; op < _OP_MAX; op++)
                for (size_t s = 1; s < n_strategies; s++)
                        if (u->f[s].available && !isnan(added(u, s, op)))
                                max = MAX(max, added(u, s, op));

        group = (width - left - 20) / _OP_MAX;
        fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
                width, height);
        fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
        fprintf(out, "<text x=\"%d\" y=\"22\" font-size=\"15\">Added latency per operation, ns (%s)</text>\n", left, u->name);
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left, top, left, height - bottom);
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left, height - bottom, width - 20,
                height - bottom);
        for (int k = 0; k <= 4; k++) {
                int y = height - bottom - k * (height - bottom - top) / 4;
                fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n", left - 5, y + 4, max * k / 4);
        }
        for (Op op = 0; op < _OP_MAX; op++) {
                int x0 = left + op * group, bar = (group - 20) / (int) MAX(n_strategies - 1, (size_t) 1);

                for (size_t s = 1; s < n_strategies; s++) {
                        double a = u->f[s].available ? added(u, s, op) : NAN;
                        int h = isnan(a) ? 0 : (int) (a / max * (height - bottom - top));

                        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", x0 + 10 + (int) (s - 1) * bar,
                                height - bottom - h, bar - 2, h, colours[s % ELEMENTSOF(colours)]);
                }
                fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x0 + group / 2, height - bottom + 18,
                        ops[op].name);
        }
        for (size_t s = 1; s < n_strategies; s++)
                fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                        left + (int) (s - 1) * 200, height - 22, colours[s % ELEMENTSOF(colours)], left + (int) (s - 1) * 200 + 16,
                        height - 12, strategies[s].name);
        fprintf(out, "</svg>\n");
}

static void help(void) {
        printf("Usage: megafilter-bench [--rounds N] [--csv FILE] [--svg FILE] UNIT...\n\n"
               "Compares, on the same units and in the same run: no filter, systemd's per-feature\n"
               "filters (libseccomp), the same rules merged into one libseccomp filter, and\n"
               "megafilter's split and single layouts. Prints a markdown table on stdout.\n\n"
               "  --rounds N   rounds per strategy; the minimum is kept (default 15);\n"
               "               0: the static figures only, no timing\n"
               "  --csv FILE   also write every figure as CSV\n"
               "  --svg FILE   also draw the added latency of the first unit\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "rounds", required_argument, NULL, 'r' },
                { "csv", required_argument, NULL, 'c' },
                { "svg", required_argument, NULL, 's' },
                {}
        };
        const char *csv = NULL, *svg = NULL;
        size_t n_strategies = 0, n_units;
        UnitRun *units;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'r':
                        arg_rounds = (unsigned) MAX(atoi(optarg), 0);
                        break;
                case 'c':
                        csv = optarg;
                        break;
                case 's':
                        svg = optarg;
                        break;
                default:
                        return 1;
                }
        if (optind >= argc) {
                help();
                return 1;
        }

        while (strategies[n_strategies].name)
                n_strategies++;
        n_units = argc - optind;
        units = calloc(n_units, sizeof(UnitRun));
        if (!units)
                return 1;

        for (size_t i = 0; i < n_units; i++) {
                if (prepare_unit(&units[i], argv[optind + i]) < 0) {
                        fprintf(stderr, "%s: failed to load\n", argv[optind + i]);
                        return 1;
                }
                fprintf(stderr, "[%zu/%zu] %s\n", i + 1, n_units, units[i].name);
                measure_unit(&units[i], n_strategies);
        }

        print_markdown(stdout, units, n_units, n_strategies);
        if (csv) {
                FILE *f = fopen(csv, "we");
                if (!f)
                        r = 1;
                else
                        write_csv(f, units, n_units, n_strategies);
                if (f && fclose(f) != 0)
                        r = 1;
        }
        if (svg) {
                FILE *f = fopen(svg, "we");
                if (!f)
                        r = 1;
                else
                        write_svg(f, &units[0], n_strategies);
                if (f && fclose(f) != 0)
                        r = 1;
        }
        for (size_t i = 0; i < n_units; i++)
                unit_run_done(&units[i]);
        free(units);
        return r;
}
