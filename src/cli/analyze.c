/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter analyze: what a filter chain costs — its size, which syscalls the kernel's cache
 * serves on each ABI, how many instructions the others run, and the verdicts — for a unit's
 * compiled sandbox, for the filters attached to a process, or for a running unit side by side
 * with what megafilter compiles from the same properties. */

#include <getopt.h>
#include <inttypes.h>

#include "action.h"
#include "bpf-paths.h"
#include "bus-unit.h"
#include "cli-unit.h"
#include "filter-stats.h"
#include "json-writer.h"
#include "live-properties.h"
#include "process-filters.h"
#include "syscall-table.h"
#include "verbs.h"

typedef struct Analysis {
        const char *label;              /* "megafilter", "systemd", "process" */
        const BpfProgram *progs;        /* attach order */
        size_t n_progs;
        BpfFilterRef *refs;
        Abi native;
        AbiSet abis;
        const Policy *policy;           /* NULL: classes from the programs alone */
        AbiStats stats[_ABI_MAX];
        pid_t pid;                      /* > 0 for filters read from a process */
        SeccompStatus status;
} Analysis;

static void help(void) {
        printf("Usage: megafilter analyze [OPTIONS…] UNIT\n"
               "       megafilter analyze [OPTIONS…] --pid=PID\n"
               "       megafilter analyze [OPTIONS…] --unit=NAME [--user]\n"
               "\n"
               "Report what a seccomp filter chain costs: the filters and their instructions,\n"
               "per ABI how many system calls the kernel's cache serves, how many instructions\n"
               "the others run, and the verdict of every system call.\n"
               "\n"
               "UNIT is compiled as 'megafilter compile' does. --pid reads the filters attached\n"
               "to a running process (needs CAP_SYS_ADMIN). --unit asks the running service\n"
               "manager for the unit's main process and sandbox properties, analyses the\n"
               "filters systemd attached and compares them with what megafilter compiles from\n"
               "the same properties.\n"
               "\n"
               "Options:\n"
               "     --pid=PID            Analyse the filters attached to this process\n"
               "     --unit=NAME          Analyse a running unit of the service manager\n"
               "     --user               With --unit: the calling user's manager; with UNIT:\n"
               "                          search the user unit directories\n"
               "     --json               Machine-readable output\n"
               "     --layout=LAYOUT      split (default) or single, for what megafilter\n"
               "                          compiles (not with --pid)\n"
               "     --mdwe=MODE          MemoryDenyWriteExecute= with auto (default), prctl or\n"
               "                          seccomp, for what megafilter compiles (not with --pid)\n"
               "  -p --property=KEY=VALUE\n"
               "                          (UNIT) Apply an assignment after the unit's own\n"
               "     --strict             (UNIT) Treat every warning as an error\n"
               "  -v --verbose            Also show debug diagnostics\n"
               "  -h --help               Show this help\n");
}

static int analysis_compute(Analysis *a) {
        a->refs = calloc(a->n_progs + 1, sizeof(BpfFilterRef));
        if (!a->refs)
                return -ENOMEM;
        for (size_t i = 0; i < a->n_progs; i++)
                a->refs[i] = (BpfFilterRef) { a->progs[i].insns, a->progs[i].n };

        ABI_SET_FOREACH(abi, a->abis) {
                int r = filter_stats_abi(a->refs, a->n_progs, a->native, abi, a->policy, &a->stats[abi]);

                if (r < 0)
                        return r;
        }
        return 0;
}

static void analysis_done(Analysis *a) {
        for (Abi abi = 0; abi < _ABI_MAX; abi++)
                if (a->stats[abi].costs)
                        abi_stats_done(&a->stats[abi]);
        free(a->refs);
        a->refs = NULL;
}

static size_t analysis_instructions(const Analysis *a) {
        size_t n = 0;

        for (size_t i = 0; i < a->n_progs; i++)
                n += a->progs[i].n;
        return n;
}

static const char *action_string(uint32_t action, char *buf, size_t size) {
        return action_to_string(action, buf, size);
}

/* The directive behind a syscall's verdict with all arguments 0 (what c->action is), or NULL
 * without a policy or for the implicit ALLOW. */
static const char *verdict_directive(const Analysis *a, Abi abi, const SyscallCost *c) {
        static const uint64_t zero[6] = {};
        const ArgRule *rule = NULL;
        const Decision *d;

        if (!a->policy || !(a->policy->abis & ABI_BIT(abi)))
                return NULL;
        d = policy_decision(a->policy, abi, c->nr);
        (void) decision_evaluate(d, zero, abi_info[abi].arg_bits, &rule);
        if (rule)
                return policy_layer_to_directive(rule->layer);
        return d->layer == LAYER_NONE ? NULL : policy_layer_to_directive(d->layer);
}

static int outcome_add(char ***parts, uint32_t action, const char *directive) {
        char buf[64], *s;

        if (asprintf(&s, "%s%s%s%s", action_string(action, buf, sizeof(buf)),
                     directive ? " [" : "", strempty(directive), directive ? "]" : "") < 0)
                return -ENOMEM;
        if (strv_contains(*parts, s)) {
                free(s);
                return 0;
        }
        return strv_push(parts, s);
}

/* For argument-checked syscalls, every verdict other arguments than all 0 can get: "ALLOW,
 * ERRNO(97) [RestrictAddressFamilies=]" from the policy's rules and its fallback, or without a
 * policy those that path exploration reaches. Caller frees; NULL on allocation failure. */
static char *rule_summary(const Analysis *a, Abi abi, const SyscallCost *c) {
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_free_ char *zero = NULL;
        char buf[64];

        if (a->policy && (a->policy->abis & ABI_BIT(abi))) {
                const Decision *d = policy_decision(a->policy, abi, c->nr);

                /* The verdict for arguments 0 is said before: not again. */
                if (outcome_add(&parts, c->action, verdict_directive(a, abi, c)) < 0)
                        return NULL;
                zero = parts[0];
                parts[0] = NULL;
                parts = strv_free(parts);
                for (size_t i = 0; i < d->n_rules; i++)
                        if (outcome_add(&parts, d->rules[i].action, policy_layer_to_directive(d->rules[i].layer)) < 0)
                                return NULL;
                if (outcome_add(&parts, d->action, d->layer == LAYER_NONE ? NULL : policy_layer_to_directive(d->layer)) < 0)
                        return NULL;
                for (size_t i = 0; parts && parts[i]; i++)
                        if (streq(parts[i], zero)) {
                                free(parts[i]);
                                memmove(parts + i, parts + i + 1, (strv_length(parts + i + 1) + 1) * sizeof(char *));
                                break;
                        }
        } else {
                BpfPaths paths;

                bpf_chain_paths(a->refs, a->n_progs, abi_info[abi].audit_arch, c->nr, &paths);
                for (size_t i = 0; i < paths.n_actions; i++)
                        if (paths.actions[i] != c->action &&
                            strv_extend(&parts, action_string(paths.actions[i], buf, sizeof(buf))) < 0)
                                return NULL;
                if (paths.any_action && strv_extend(&parts, "any other") < 0)
                        return NULL;
        }
        return strv_join(parts, ", ");
}

/* Print words after a first part, wrapped to the terminal's width, continuation lines indented. */
static void print_words(const char *first, size_t indent, char **words) {
        size_t width = cli_columns(), col = printf("%s", first);

        STRV_FOREACH(w, words) {
                if (col + 1 + strlen(*w) > width && col > indent) {
                        col = printf("\n%*s", (int) indent, "") - 1;
                        col += printf("%s", *w);
                        continue;
                }
                col += printf(col == 0 ? "%s" : " %s", *w);
        }
        putchar('\n');
}

static void print_wrapped(const char *label, char **words) {
        _cleanup_free_ char *first = NULL;

        if (asprintf(&first, "  %s", label) < 0)
                return;
        print_words(first, 6, words);
}

/* A line of text wrapped at its spaces. */
static void print_text(const char *first, size_t indent, const char *text) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *copy = strdup(text);
        char *save = NULL;

        if (!copy)
                return;
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                if (strv_extend(&words, t) < 0)
                        return;
        print_words(first, indent, words);
}

static void print_filters(const Analysis *a) {
        size_t total = analysis_instructions(a);

        printf("Filters (attach order):\n");
        if (a->pid > 0)
                printf("  process %d: Seccomp_filters %d in /proc/%d/status, %zu read with ptrace\n",
                       (int) a->pid, a->status.filters, (int) a->pid, a->n_progs);
        for (size_t i = 0; i < a->n_progs; i++)
                printf("  %02zu  %-14s %5zu instructions\n", i, a->progs[i].name, a->progs[i].n);
        printf("  %zu filter%s, %zu instructions (%zu of the kernel's %d, with %d per filter)\n\n",
               a->n_progs, a->n_progs == 1 ? "" : "s", total,
               chain_instructions(a->refs, a->n_progs), SECCOMP_CHAIN_MAX_INSNS, SECCOMP_CHAIN_PER_FILTER_PENALTY);
}

static void print_abi_table(const Analysis *a) {
        printf("%-10s %8s %7s %9s %20s %20s\n", "ABI", "syscalls", "cached", "uncached", "argument-checked", "denied");
        printf("%-10s %8s %7s %9s %20s %20s\n", "", "", "", "allowed", "n  mean/max insns", "n  mean/max insns");
        ABI_SET_FOREACH(abi, a->abis) {
                const AbiStats *s = &a->stats[abi];
                char cached[32], arg[32], den[32];

                snprintf(arg, sizeof(arg), "%zu  %.1f/%u", s->count[CLASS_ARG_CHECKED],
                         s->steps_mean[CLASS_ARG_CHECKED], s->steps_max[CLASS_ARG_CHECKED]);
                snprintf(den, sizeof(den), "%zu  %.1f/%u", s->count[CLASS_DENIED],
                         s->steps_mean[CLASS_DENIED], s->steps_max[CLASS_DENIED]);
                if (s->cacheable)
                        snprintf(cached, sizeof(cached), "%zu", s->count[CLASS_CACHED]);
                else
                        snprintf(cached, sizeof(cached), "-");  /* the kernel keeps no cache for it */
                printf("%-10s %8zu %7s %9zu %20s %20s\n", abi_to_name(abi), s->n_syscalls,
                       cached, s->count[CLASS_ALLOWED], arg, den);
        }
        putchar('\n');
}

static void print_uncached(const Analysis *a) {
        printf("System calls that run BPF, and instructions per call (longest path):\n");
        ABI_SET_FOREACH(abi, a->abis) {
                const AbiStats *s = &a->stats[abi];

                printf("%s:\n", abi_to_name(abi));
                for (SyscallClass k = CLASS_ALLOWED; k < _CLASS_MAX; k++) {
                        _cleanup_strv_free_ char **words = NULL;
                        unsigned first = 0;
                        bool same = true;
                        char label[64];

                        if (s->count[k] == 0)
                                continue;
                        for (size_t i = 0; i < s->n_costs; i++) {
                                const SyscallCost *c = &s->costs[i];
                                char *w;

                                if (c->class != k)
                                        continue;
                                if (words == NULL && first == 0)
                                        first = c->steps;
                                same = same && c->steps == first;
                                if (asprintf(&w, "%s %u", syscall_name(c->id), c->steps) < 0 || strv_push(&words, w) < 0)
                                        return;
                        }
                        if (abi != a->native && !same) {
                                printf("  %s: %zu, %.1f instructions on average, at most %u (--json: each)\n",
                                       syscall_class_to_string(k), s->count[k], s->steps_mean[k], s->steps_max[k]);
                                continue;
                        }
                        if (same && s->count[k] > 8) {
                                printf("  %s: %zu, %u instructions each\n", syscall_class_to_string(k), s->count[k], first);
                                continue;
                        }
                        snprintf(label, sizeof(label), "%s (%zu):", syscall_class_to_string(k), s->count[k]);
                        print_wrapped(label, words);
                }
        }
        putchar('\n');
}

typedef struct VerdictGroup {
        char *key;                      /* "ALLOW (cached)", "ERRNO(1) [SystemCallFilter=]" */
        char **names;
} VerdictGroup;

static void print_verdicts(const Analysis *a, Abi abi) {
        const AbiStats *s = &a->stats[abi];
        VerdictGroup *groups = NULL;
        size_t n_groups = 0, allocated = 0;
        _cleanup_strv_free_ char **checked = NULL;

        if (!s->costs)
                return;
        printf("Verdicts on %s%s:\n", abi_to_name(abi), a->policy ? ", as the policy decides them" : " (all arguments 0)");
        for (size_t i = 0; i < s->n_costs; i++) {
                const SyscallCost *c = &s->costs[i];
                const char *dir = verdict_directive(a, abi, c);
                char buf[64], *key, *line;
                size_t g;

                action_string(c->action, buf, sizeof(buf));
                if (c->class == CLASS_ARG_CHECKED) {
                        _cleanup_free_ char *rules = rule_summary(a, abi, c);

                        if (asprintf(&line, "%s: %s%s%s%s; %s", syscall_name(c->id), buf,
                                     dir ? " [" : "", strempty(dir), dir ? "]" : "",
                                     isempty(rules) ? "others" : rules) < 0 || strv_push(&checked, line) < 0)
                                goto finish;
                        continue;
                }
                if (asprintf(&key, "%s%s%s%s%s", buf,
                             c->class == CLASS_CACHED ? " (cached)" : c->class == CLASS_ALLOWED ? " (not cached)" : "",
                             dir ? " [" : "", strempty(dir), dir ? "]" : "") < 0)
                        goto finish;
                for (g = 0; g < n_groups; g++)
                        if (streq(groups[g].key, key))
                                break;
                if (g == n_groups) {
                        if (!GREEDY_REALLOC(groups, allocated, n_groups + 1)) {
                                free(key);
                                goto finish;
                        }
                        groups[n_groups++] = (VerdictGroup) { .key = key };
                } else
                        free(key);
                if (strv_extend(&groups[g].names, syscall_name(c->id)) < 0)
                        goto finish;
        }

        for (size_t g = 0; g < n_groups; g++) {
                _cleanup_free_ char *label = NULL;

                if (asprintf(&label, "%s (%zu):", groups[g].key, strv_length(groups[g].names)) < 0)
                        goto finish;
                print_wrapped(label, groups[g].names);
        }
        if (checked) {
                printf("  argument-checked (%zu): the verdict with arguments 0; with others:\n",
                       strv_length(checked));
                STRV_FOREACH(l, checked)
                        print_text("   ", 6, *l);
        }
        putchar('\n');

finish:
        for (size_t g = 0; g < n_groups; g++) {
                free(groups[g].key);
                strv_free(groups[g].names);
        }
        free(groups);
}

static void print_analysis(const Analysis *a) {
        print_filters(a);
        print_abi_table(a);
        print_uncached(a);
        print_verdicts(a, a->native);
}

static void json_class(JsonWriter *j, const AbiStats *s, SyscallClass k) {
        json_key(j, syscall_class_to_string(k));
        json_object_begin(j);
        json_key_uint(j, "count", s->count[k]);
        json_key_uint(j, "instructions_max", s->steps_max[k]);
        json_key_double(j, "instructions_mean", s->steps_mean[k]);
        json_object_end(j);
}

static void json_analysis(JsonWriter *j, const Analysis *a) {
        json_object_begin(j);
        json_key_string(j, "source", a->label);
        if (a->pid > 0) {
                json_key_uint(j, "pid", (uint64_t) a->pid);
                json_key(j, "seccomp_filters_status");
                if (a->status.filters >= 0)
                        json_uint(j, (uint64_t) a->status.filters);
                else
                        json_string(j, NULL);
        }
        json_key_string(j, "arch", abi_to_name(a->native));
        json_key_uint(j, "filter_count", a->n_progs);
        json_key_uint(j, "instructions", analysis_instructions(a));
        json_key_uint(j, "chain_instructions", chain_instructions(a->refs, a->n_progs));
        json_key(j, "filters");
        json_array_begin(j);
        for (size_t i = 0; i < a->n_progs; i++) {
                json_object_begin(j);
                json_key_string(j, "name", a->progs[i].name);
                json_key_uint(j, "instructions", a->progs[i].n);
                json_object_end(j);
        }
        json_array_end(j);

        json_key(j, "abis");
        json_array_begin(j);
        ABI_SET_FOREACH(abi, a->abis) {
                const AbiStats *s = &a->stats[abi];

                json_object_begin(j);
                json_key_string(j, "name", abi_to_name(abi));
                json_key_uint(j, "syscalls", s->n_syscalls);
                json_key_bool(j, "kernel_cache", s->cacheable);
                for (SyscallClass k = 0; k < _CLASS_MAX; k++)
                        json_class(j, s, k);
                json_key(j, "verdicts");
                json_array_begin(j);
                for (size_t i = 0; i < s->n_costs; i++) {
                        const SyscallCost *c = &s->costs[i];
                        const char *dir = verdict_directive(a, abi, c);
                        char buf[64];

                        json_object_begin(j);
                        json_key_string(j, "syscall", syscall_name(c->id));
                        json_key_uint(j, "nr", c->nr);
                        json_key_string(j, "class", syscall_class_to_string(c->class));
                        json_key_string(j, "action", action_string(c->action, buf, sizeof(buf)));
                        json_key_uint(j, "instructions", c->steps);
                        if (dir)
                                json_key_string(j, "directive", dir);
                        if (c->class == CLASS_ARG_CHECKED) {
                                _cleanup_free_ char *rules = rule_summary(a, abi, c);

                                if (rules)
                                        json_key_string(j, "argument_rules", rules);
                        }
                        json_object_end(j);
                }
                json_array_end(j);
                json_object_end(j);
        }
        json_array_end(j);
        json_object_end(j);
}

/* Side by side: systemd's chain (a) and megafilter's (b), for the same ABIs. */
static void print_row_u(const char *label, uint64_t x, uint64_t y) {
        printf("  %-44s %12" PRIu64 " %12" PRIu64 "\n", label, x, y);
}

static void print_row_mm(const char *label, double mx, unsigned xx, double my, unsigned xy) {
        char x[32], y[32];

        snprintf(x, sizeof(x), "%.1f / %u", mx, xx);
        snprintf(y, sizeof(y), "%.1f / %u", my, xy);
        printf("  %-44s %12s %12s\n", label, x, y);
}

static void print_comparison(const Analysis *a, const Analysis *b, const LiveProperties *lp) {
        Abi native = b->native;

        printf("Unit %s, main process %" PRIu32 ": the filters systemd attached, and megafilter's\n"
               "compilation of the same properties.\n\n", lp->unit, lp->main_pid);
        printf("  %-44s %12s %12s\n", "", a->label, b->label);
        print_row_u("filters", a->n_progs, b->n_progs);
        print_row_u("instructions, all filters", analysis_instructions(a), analysis_instructions(b));
        print_row_u("instructions the kernel counts (+4 per filter)",
                    chain_instructions(a->refs, a->n_progs), chain_instructions(b->refs, b->n_progs));
        ABI_SET_FOREACH(abi, b->abis) {
                const AbiStats *x = &a->stats[abi], *y = &b->stats[abi];
                char label[64];

                printf("  %s:\n", abi_to_name(abi));
                snprintf(label, sizeof(label), "  cached syscalls%s", x->cacheable ? "" : " (ABI not cached)");
                print_row_u(label, x->count[CLASS_CACHED], y->count[CLASS_CACHED]);
                print_row_u("  allowed, not cached", x->count[CLASS_ALLOWED], y->count[CLASS_ALLOWED]);
                print_row_u("  argument-checked", x->count[CLASS_ARG_CHECKED], y->count[CLASS_ARG_CHECKED]);
                print_row_mm("    instructions run, mean / max", x->steps_mean[CLASS_ARG_CHECKED], x->steps_max[CLASS_ARG_CHECKED],
                             y->steps_mean[CLASS_ARG_CHECKED], y->steps_max[CLASS_ARG_CHECKED]);
                print_row_u("  denied", x->count[CLASS_DENIED], y->count[CLASS_DENIED]);
                print_row_mm("    instructions run, mean / max", x->steps_mean[CLASS_DENIED], x->steps_max[CLASS_DENIED],
                             y->steps_mean[CLASS_DENIED], y->steps_max[CLASS_DENIED]);
        }

        printf("\nInstructions run per call on %s, syscalls either side does not serve from the cache\n"
               "(argument-checked: worst case over the argument values that matter):\n", abi_to_name(native));
        printf("  %-21s %-17s %-17s %9s %9s\n", "syscall", "class, systemd", "class, megafilter", a->label, b->label);
        for (size_t i = 0; i < b->stats[native].n_costs && i < a->stats[native].n_costs; i++) {
                const SyscallCost *x = &a->stats[native].costs[i], *y = &b->stats[native].costs[i];

                if (x->class == CLASS_DENIED || (x->class == CLASS_CACHED && y->class == CLASS_CACHED))
                        continue;
                printf("  %-21s %-17s %-17s %9u %9u\n", syscall_name(y->id), syscall_class_to_string(x->class),
                       syscall_class_to_string(y->class), x->steps, y->steps);
        }
        printf("  (denied syscalls: see the mean / max above)\n");
}

typedef struct Options {
        bool json;
        pid_t pid;
        const char *unit;
        struct mf_compile_options compile;
        bool compile_set;               /* --layout or --mdwe given */
        UnitArgs ua;
} Options;

static int compile_unit(const mf_unit *u, const struct mf_compile_options *co, const Options *o, mf_sandbox **ret) {
        int r;

        r = mf_compile(u, co, cli_log, (void *) &o->ua.verbose, ret, NULL);
        if (r < 0)
                return cli_error(r, "Failed to compile the sandbox of %s: %m", mf_unit_name(u));
        return 0;
}

static void analysis_from_sandbox(Analysis *a, const Sandbox *s) {
        *a = (Analysis) {
                .label = "megafilter",
                .progs = s->progs,
                .n_progs = s->n_progs,
                .native = s->policy->native,
                .abis = s->policy->abis,
                .policy = s->policy,
        };
}

static int read_process(pid_t pid, ProcessFilters **ret) {
        int r = process_filters_read(pid, ret);

        switch (r) {
        case 0:
                return 0;
        case -ESRCH:
                cli_error(0, "No process %d.", (int) pid);
                break;
        case -EPERM:
                cli_error(0, "Cannot trace process %d (not permitted, or already traced).", (int) pid);
                break;
        case -EACCES:
                cli_error(0, "The kernel refused to hand out the filters of process %d: this needs "
                        "CAP_SYS_ADMIN and a caller without seccomp filters.", (int) pid);
                break;
        case -EMEDIUMTYPE:
                cli_error(0, "Process %d runs in seccomp strict mode: no filters to analyse.", (int) pid);
                break;
        case -EBADMSG:
                cli_error(0, "The filters read from process %d do not match Seccomp_filters in its status.", (int) pid);
                break;
        default:
                cli_error(0, "Failed to read the filters of process %d: %s", (int) pid, strerror(-r));
        }
        return r;
}

static void analysis_from_process(Analysis *a, const ProcessFilters *f, const char *label, const Policy *p) {
        Abi native = abi_native();

        *a = (Analysis) {
                .label = label,
                .progs = f->progs,
                .n_progs = f->n_progs,
                .native = native,
                .abis = p ? p->abis : abi_info[native].host_abis,
                .policy = p,
                .pid = f->pid,
                .status = f->status,
        };
}

static int output(const Options *o, Analysis *a) {
        int r = analysis_compute(a);

        if (r < 0) {
                cli_error(0, "Failed to analyse the filters: %s", strerror(-r));
                return r;
        }
        if (o->json) {
                _cleanup_(json_writer_done) JsonWriter j = { .f = stdout };

                json_analysis(&j, a);
                putchar('\n');
        } else
                print_analysis(a);
        return 0;
}

static int analyze_unit_file(const char *name, const Options *o) {
        _cleanup_(mf_unit_freep) mf_unit *u = NULL;
        _cleanup_(mf_sandbox_freep) mf_sandbox *s = NULL;
        Analysis a;
        int r;

        r = cli_load_unit(name, &o->ua, &u);
        if (r < 0)
                return r;
        r = compile_unit(u, &o->compile, o, &s);
        if (r < 0)
                return r;
        analysis_from_sandbox(&a, s->sandbox);
        if (!o->json) {
                _cleanup_free_ char *line = NULL;

                if (asprintf(&line, "Unit %s, compiled by megafilter (layout %s).", mf_unit_name(u),
                             layout_to_string(s->sandbox->layout)) < 0)
                        return cli_error(ENOMEM, "Out of memory.");
                print_text("", 2, line);
                putchar('\n');
        }
        r = output(o, &a);
        analysis_done(&a);
        return r;
}

static int analyze_pid(pid_t pid, const Options *o) {
        _cleanup_(process_filters_freep) ProcessFilters *f = NULL;
        Analysis a;
        int r;

        r = read_process(pid, &f);
        if (r < 0)
                return r;
        analysis_from_process(&a, f, "process", NULL);
        r = output(o, &a);
        analysis_done(&a);
        return r;
}

static int analyze_live_unit(const char *name, const Options *o) {
        _cleanup_(live_properties_freep) LiveProperties *lp = NULL;
        _cleanup_(mf_unit_freep) mf_unit *u = NULL;
        _cleanup_(mf_sandbox_freep) mf_sandbox *s = NULL, *reference = NULL;
        _cleanup_(process_filters_freep) ProcessFilters *f = NULL;
        struct mf_compile_options seccomp_mdwe = o->compile;
        UnitFile *file = NULL;
        Directives *d = NULL;
        Diag diag = { .max_level = o->ua.verbose > 0 ? DIAG_DEBUG : DIAG_NOTICE };
        Analysis sd = {}, mf = {};
        sd_bus *bus = NULL;
        int r;

        r = bus_connect_manager(o->ua.user, &bus);
        if (r < 0)
                return r;
        r = bus_unit_read(bus, name, &lp);
        sd_bus_flush_close_unref(bus);
        if (r < 0)
                return r;
        if (lp->main_pid == 0)
                return cli_error(ESRCH, "Unit %s has no main process: is it running?", lp->unit);

        r = live_properties_to_directives(lp, &diag, &file, &d);
        if (r < 0)
                return cli_error(r, "Failed to convert the properties of %s: %m", lp->unit);
        r = api_unit_new(file, d, &u);
        if (r < 0)
                return cli_error(r, "Out of memory.");
        r = compile_unit(u, &o->compile, o, &s);
        if (r < 0)
                return r;
        /* systemd 252 applies MemoryDenyWriteExecute= with seccomp rules whatever the kernel has:
         * its chain is classified with a policy that has them. */
        seccomp_mdwe.mdwe = MF_MDWE_SECCOMP;
        r = compile_unit(u, &seccomp_mdwe, o, &reference);
        if (r < 0)
                return r;
        r = read_process((pid_t) lp->main_pid, &f);
        if (r < 0)
                return r;

        /* Both chains are classified with the policy of the same properties, so that the same
         * syscalls count as argument-checked on both sides, and systemd's chain is run on every
         * argument boundary of the rules it implements. */
        analysis_from_process(&sd, f, "systemd", reference->sandbox->policy);
        analysis_from_sandbox(&mf, s->sandbox);
        r = analysis_compute(&sd);
        if (r >= 0)
                r = analysis_compute(&mf);
        if (r < 0) {
                cli_error(0, "Failed to analyse the filters: %s", strerror(-r));
                goto finish;
        }

        if (o->json) {
                _cleanup_(json_writer_done) JsonWriter j = { .f = stdout };

                json_object_begin(&j);
                json_key_string(&j, "unit", lp->unit);
                json_key_uint(&j, "main_pid", lp->main_pid);
                json_key(&j, "systemd");
                json_analysis(&j, &sd);
                json_key(&j, "megafilter");
                json_analysis(&j, &mf);
                json_object_end(&j);
                putchar('\n');
        } else
                print_comparison(&sd, &mf, lp);

finish:
        analysis_done(&sd);
        analysis_done(&mf);
        return r;
}

int verb_analyze(int argc, char *argv[]) {
        enum { ARG_PID = 0x100, ARG_UNIT, ARG_JSON, ARG_LAYOUT, ARG_MDWE };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "pid", required_argument, NULL, ARG_PID },
                { "unit", required_argument, NULL, ARG_UNIT },
                { "json", no_argument, NULL, ARG_JSON },
                { "layout", required_argument, NULL, ARG_LAYOUT },
                { "mdwe", required_argument, NULL, ARG_MDWE },
                UNIT_ARGS_OPTIONS,
                {}
        };
        Options o = { .compile = { .size = sizeof(struct mf_compile_options) } };
        int c, r, sources;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h" UNIT_ARGS_SHORT, options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        unit_args_done(&o.ua);
                        return 0;
                case ARG_PID: {
                        char *end;
                        long l;

                        errno = 0;
                        l = strtol(optarg, &end, 10);
                        if (errno != 0 || *end != 0 || l <= 0 || l > INT32_MAX) {
                                cli_error(EINVAL, "Invalid process ID: %s", optarg);
                                unit_args_done(&o.ua);
                                return 1;
                        }
                        o.pid = (pid_t) l;
                        break;
                }
                case ARG_UNIT:
                        o.unit = optarg;
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case ARG_LAYOUT:
                        o.compile_set = true;
                        if (cli_parse_layout(optarg, &o.compile.layout) < 0) {
                                unit_args_done(&o.ua);
                                return 1;
                        }
                        break;
                case ARG_MDWE:
                        o.compile_set = true;
                        if (cli_parse_mdwe(optarg, &o.compile.mdwe) < 0) {
                                unit_args_done(&o.ua);
                                return 1;
                        }
                        break;
                default:
                        r = unit_args_parse_option(&o.ua, c, optarg);
                        if (r <= 0) {
                                unit_args_done(&o.ua);
                                return 1;
                        }
                }
        }

        sources = (optind < argc) + (o.pid > 0) + (o.unit != NULL);
        if (sources != 1 || argc - optind > 1) {
                cli_error(EINVAL, "analyze: expected exactly one of UNIT, --pid=PID or --unit=NAME; "
                          "see 'megafilter analyze --help'.");
                unit_args_done(&o.ua);
                return 1;
        }
        if ((o.pid > 0 || o.unit) && (o.ua.assignments || o.ua.strict)) {
                cli_error(EINVAL, "analyze: -p and --strict apply to a unit file only.");
                unit_args_done(&o.ua);
                return 1;
        }
        if (o.pid > 0 && o.compile_set) {
                cli_error(EINVAL, "analyze: --layout and --mdwe choose how megafilter compiles a unit; "
                          "--pid reads filters that exist already.");
                unit_args_done(&o.ua);
                return 1;
        }

        if (o.pid > 0)
                r = analyze_pid(o.pid, &o);
        else if (o.unit)
                r = analyze_live_unit(o.unit, &o);
        else
                r = analyze_unit_file(argv[optind], &o);

        unit_args_done(&o.ua);
        return r < 0 ? 1 : 0;
}
