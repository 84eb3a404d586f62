/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Code generation: for every example unit and every hardened unit on this machine, both layouts
 * must pass the verifier, keep every argument-free allowed syscall in the kernel's cache, and
 * meet the instruction targets: at most two filters, at most 24 instructions run in total for
 * an allowed argument-checked call and at most 20 for a denied one. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/personality.h>

#include "bpf-cache.h"
#include "bpf-check.h"
#include "filter-stats.h"
#include "sandbox.h"
#include "syscall-table.h"
#include "unit-file.h"
#include "verify.h"

#define TARGET_ARG_CHECKED BPF_GEN_TARGET_ARG_CHECKED
#define TARGET_DENIED BPF_GEN_TARGET_DENIED

static size_t units_checked;

static void check_unit(const char *path) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag diag = { .max_level = DIAG_WARNING };

        if (unit_file_load(path, 0, &diag, &u) < 0)
                fail_msg("%s: failed to load", path);
        assert_int_equal(directives_new(&d), 0);
        if (directives_apply_unit(d, u, &diag) < 0)
                return;         /* a unit systemd would refuse too */

        /* MemoryDenyWriteExecute= as this kernel applies it (PR_SET_MDWE), and as argument rules
         * for kernels without it: both must verify; the instruction targets are for the former. */
        for (unsigned variant = 0; variant < 2 * _LAYOUT_MAX; variant++) {
                _cleanup_(sandbox_freep) Sandbox *s = NULL;
                CompileOptions o = COMPILE_OPTIONS_DEFAULT;
                Layout layout = variant % _LAYOUT_MAX;
                bool targets = variant < _LAYOUT_MAX;
                BpfFilterRef refs[2];
                VerifyStats vs;

                o.layout = layout;
                o.personality = PER_LINUX;
                o.mdwe = targets ? MDWE_AUTO : MDWE_SECCOMP;
                assert_int_equal(sandbox_compile(d, &o, &diag, &s), 0);

                assert_true(s->n_progs <= 2);
                for (size_t i = 0; i < s->n_progs; i++) {
                        assert_int_equal(bpf_check(s->progs[i].insns, s->progs[i].n), 0);
                        refs[i] = (BpfFilterRef) { s->progs[i].insns, s->progs[i].n };
                }
                if (verify_programs(s->policy, s->progs, s->n_progs, &diag, &vs) < 0)
                        fail_msg("%s (%s): %zu mismatches, %zu uncached of %zu calls", path,
                                 layout_to_string(layout), vs.mismatches, vs.uncached, vs.calls);

                ABI_SET_FOREACH(abi, s->policy->abis) {
                        AbiStats st;

                        if (!bpf_cache_abi(s->policy->native, abi))
                                continue;
                        assert_int_equal(filter_stats_abi(refs, s->n_progs, s->policy->native, abi, s->policy, &st), 0);
                        if (st.count[CLASS_ALLOWED] > 0)
                                fail_msg("%s (%s) %s: %zu allowed syscalls are not cached", path,
                                         layout_to_string(layout), abi_to_name(abi), st.count[CLASS_ALLOWED]);
                        if (abi == s->policy->native && targets) {
                                if (st.steps_max[CLASS_ARG_CHECKED] > TARGET_ARG_CHECKED)
                                        fail_msg("%s (%s): an argument-checked syscall runs %u instructions",
                                                 path, layout_to_string(layout), st.steps_max[CLASS_ARG_CHECKED]);
                                if (st.steps_max[CLASS_DENIED] > TARGET_DENIED)
                                        fail_msg("%s (%s): a denied syscall runs %u instructions",
                                                 path, layout_to_string(layout), st.steps_max[CLASS_DENIED]);
                        }
                        abi_stats_done(&st);
                }
        }
        units_checked++;
}

static void check_dir(const char *dir, bool hardened_only) {
        _cleanup_free_ struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, alphasort);

        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL;
                _cleanup_free_ char *text = NULL;
                size_t size = 0;
                FILE *f;

                if (!strstr(names[i]->d_name, ".service") || strchr(names[i]->d_name, '@')) {
                        free(names[i]);
                        continue;
                }
                assert_true(asprintf(&path, "%s/%s", dir, names[i]->d_name) > 0);
                free(names[i]);

                if (hardened_only) {
                        f = open_memstream(&text, &size);
                        FILE *in = fopen(path, "re");
                        int c;

                        if (!in) {
                                fclose(f);
                                continue;
                        }
                        while ((c = fgetc(in)) != EOF)
                                fputc(c, f);
                        fclose(in);
                        fclose(f);
                        if (!strstr(text, "SystemCallFilter=") && !strstr(text, "RestrictAddressFamilies="))
                                continue;
                }
                check_unit(path);
        }
}

static void test_example_units(void **state) {
        _cleanup_free_ char *dir = NULL;

        assert_true(asprintf(&dir, "%s/units", getenv("MEGAFILTER_SOURCE_ROOT") ?: ".") > 0);
        units_checked = 0;
        check_dir(dir, false);
        assert_true(units_checked > 0);
}

/* The figures of the shipped example units, exact: filters, cache coverage and the instructions
 * every argument-checked syscall runs. They change only when the code generator does. */
typedef struct Figure {
        const char *syscall;
        unsigned steps;
} Figure;

static void check_figures(const char *unit, size_t megafilter, size_t argfilter, size_t cached,
                          size_t arg_checked, size_t denied, unsigned denied_max, const Figure *figures) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_free_ char *path = NULL;
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        BpfFilterRef refs[2];
        AbiStats st;

        assert_true(asprintf(&path, "%s/units/%s", getenv("MEGAFILTER_SOURCE_ROOT") ?: ".", unit) > 0);
        assert_int_equal(unit_file_load(path, 0, NULL, &u), 0);
        assert_int_equal(directives_new(&d), 0);
        assert_int_equal(directives_apply_unit(d, u, NULL), 0);
        o.native = ABI_X86_64;
        o.mdwe = MDWE_PRCTL;
        o.personality = PER_LINUX;
        assert_int_equal(sandbox_compile(d, &o, NULL, &s), 0);

        assert_int_equal(s->n_progs, 2);
        assert_int_equal(s->progs[0].n, megafilter);
        assert_int_equal(s->progs[1].n, argfilter);
        for (size_t i = 0; i < 2; i++)
                refs[i] = (BpfFilterRef) { s->progs[i].insns, s->progs[i].n };

        assert_int_equal(filter_stats_abi(refs, 2, ABI_X86_64, ABI_X86_64, s->policy, &st), 0);
        assert_int_equal(st.count[CLASS_CACHED], cached);
        assert_int_equal(st.count[CLASS_ALLOWED], 0);
        assert_int_equal(st.count[CLASS_ARG_CHECKED], arg_checked);
        assert_int_equal(st.count[CLASS_DENIED], denied);
        assert_int_equal(st.steps_max[CLASS_DENIED], denied_max);
        for (const Figure *f = figures; f->syscall; f++) {
                bool found = false;

                for (size_t i = 0; i < st.n_costs; i++)
                        if (st.costs[i].id == syscall_from_name(f->syscall)) {
                                if (st.costs[i].steps != f->steps)
                                        fail_msg("%s: %s runs %u instructions, expected %u", unit, f->syscall,
                                                 st.costs[i].steps, f->steps);
                                found = true;
                        }
                assert_true(found);
        }
        abi_stats_done(&st);
}

static void test_shipped_unit_figures(void **state) {
        check_figures("webapp.service", 97, 51, 275, 15, 95, 19, (const Figure[]) {
                { "read", 0 }, { "openat", 18 }, { "open", 17 }, { "socket", 19 }, { "clone", 16 },
                { "unshare", 18 }, { "personality", 22 }, { "chmod", 16 }, { "fchmodat2", 21 },
                { "mkdir", 15 }, { "mount", 19 }, { "setns", 18 }, { "sched_setscheduler", 19 },
                {} });
        check_figures("fully-hardened.service", 97, 54, 275, 15, 95, 19, (const Figure[]) {
                { "read", 0 }, { "openat", 18 }, { "socket", 20 }, { "clone", 16 }, { "personality", 22 },
                { "mount", 19 }, { "settimeofday", 19 }, { "init_module", 19 },
                {} });
}

static void test_real_units(void **state) {
        units_checked = 0;
        check_dir("/lib/systemd/system", true);
        if (units_checked == 0)
                skip();
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_example_units),
                cmocka_unit_test(test_shipped_unit_figures),
                cmocka_unit_test(test_real_units),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
