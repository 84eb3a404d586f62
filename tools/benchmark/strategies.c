/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "sandbox.h"
#include "baseline.h"
#include "strategies.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif

int install_programs(const BpfProgram *progs, size_t n, bool mdwe_prctl) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (mdwe_prctl && prctl(PR_SET_MDWE, 1, 0, 0, 0) < 0)
                return -errno;
        for (size_t i = 0; i < n; i++) {
                struct sock_fprog prog = { .len = (unsigned short) progs[i].n, .filter = progs[i].insns };

                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                        return -errno;
        }
        return 0;
}

static int none_build(const Directives *d, const Policy *p, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl) {
        *ret = NULL;
        *ret_n = 0;
        *ret_mdwe_prctl = false;
        return 0;
}

static int none_build_install(const Directives *d) {
        return 0;
}

static BaselineOptions baseline_options(void) {
        return (BaselineOptions) { .native = ABI_X86_64, .mdwe = MDWE_SECCOMP, .personality = PER_LINUX };
}

static int per_feature_build(const Directives *d, const Policy *p, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl) {
        BaselineOptions o = baseline_options();

        *ret_mdwe_prctl = false;
        return baseline_build(d, &o, NULL, ret, ret_n, NULL);
}

static int per_feature_build_install(const Directives *d) {
        BaselineOptions o = baseline_options();

        return baseline_install(d, &o);
}

static int megafilter_build(const Directives *d, Layout layout, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        int r;

        o.layout = layout;
        o.personality = PER_LINUX;
        r = sandbox_compile(d, &o, NULL, &s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s->progs);
        *ret_n = s->n_progs;
        s->n_progs = 0;
        *ret_mdwe_prctl = s->mdwe_prctl;
        return 0;
}

static int megafilter_build_install(const Directives *d, Layout layout) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        int r;

        o.layout = layout;
        r = sandbox_compile(d, &o, NULL, &s);
        if (r < 0)
                return r;
        return sandbox_install(s, 0, NULL);
}

static int split_build(const Directives *d, const Policy *p, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl) {
        return megafilter_build(d, LAYOUT_SPLIT, ret, ret_n, ret_mdwe_prctl);
}

static int split_build_install(const Directives *d) {
        return megafilter_build_install(d, LAYOUT_SPLIT);
}

static int single_build(const Directives *d, const Policy *p, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl) {
        return megafilter_build(d, LAYOUT_SINGLE, ret, ret_n, ret_mdwe_prctl);
}

static int single_build_install(const Directives *d) {
        return megafilter_build_install(d, LAYOUT_SINGLE);
}

const Strategy strategies[] = {
        { "none", "no filter: the baseline", none_build, none_build_install },
        { "per-feature", "systemd 252: one libseccomp filter per directive and ABI", per_feature_build, per_feature_build_install },
        { "libseccomp-merged", "the same rules, one libseccomp filter (seccomp_merge, binary tree)", merged_build, merged_build_install },
        { "megafilter-split", "megafilter + argument filter (default)", split_build, split_build_install },
        { "megafilter-single", "megafilter with the argument checks inside", single_build, single_build_install },
        {}
};
