/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A unit's sandbox, from its directives: the policy, its programs, their verification. Apart from
 * sandbox.c (freeing and installing a sandbox) so that megafilter-crun, which installs nothing
 * and compiles container profiles, does not link the unit file code. */

#include "bpf-emu.h"
#include "sandbox.h"
#include "syscall-table.h"
#include "verify.h"

/* Whether the programs can be attached in order: every one but the last is attached while the
 * earlier ones are in place, so those must let seccomp(SECCOMP_SET_MODE_FILTER, …) through. */
static bool attachable_in_order(const Sandbox *s, Abi native) {
        int id = syscall_from_name("seccomp");
        int64_t nr = id >= 0 ? syscall_nr(native, id) : -1;
        BpfFilterRef f[8];
        size_t n = MIN(s->n_progs, ELEMENTSOF(f));

        if (nr < 0)
                return true;
        for (size_t i = 0; i < n; i++)
                f[i] = (BpfFilterRef) { s->progs[i].insns, s->progs[i].n };
        for (size_t i = 1; i < n; i++)
                for (unsigned flags = 0; flags <= SECCOMP_FILTER_FLAG_TSYNC; flags++) {
                        struct seccomp_data sd = {
                                .nr = (int) nr,
                                .arch = abi_info[native].audit_arch,
                                .args = { SECCOMP_SET_MODE_FILTER, flags, UINT64_MAX },
                        };
                        if (bpf_chain_run(f, i, &sd, NULL) != SECCOMP_RET_ALLOW)
                                return false;
                }
        return true;
}

int sandbox_compile(const Directives *d, const CompileOptions *o, Diag *diag, Sandbox **ret) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_(policy_freep) Policy *policy = NULL;
        _cleanup_(arena_done) Arena scratch = {};       /* may live in policy's mapping: done with first */
        CompileOptions opts = o ? *o : COMPILE_OPTIONS_DEFAULT;
        Abi native = opts.native >= 0 ? opts.native : abi_native();
        PolicyOptions po = {
                .native = native,
                .personality = opts.personality != PERSONALITY_INVALID ? opts.personality : current_persona(),
                .unknown_nr_default = opts.unknown_nr_default,
        };
        int r;

        /* PR_SET_MDWE is a property of the running kernel: only usable for this machine. */
        po.mdwe_prctl = opts.mdwe == MDWE_PRCTL ||
                (opts.mdwe == MDWE_AUTO && native == abi_native() && mdwe_prctl_supported());

        /* One scratch arena for both stages: the generator reuses the pages the builder
         * faulted in. */
        r = policy_build_in(d, &po, diag, &scratch, &policy);
        if (r < 0)
                return r;

        /* The sandbox lives with its policy: together with the programs' arenas, compiling
         * makes no malloc() at all (in a forked child, the first one alone faults in pages of
         * the parent's heap and of libc's state). */
        s = arena_alloc(&policy->arena, sizeof(Sandbox));
        if (!s)
                return -ENOMEM;
        s->in_policy_arena = true;
        s->policy = TAKE_PTR(policy);
        s->mdwe_prctl = s->policy->mdwe_prctl;
        s->uses_seccomp = directives_use_seccomp(d);
        s->no_new_privileges = d->no_new_privileges.value;
        s->layout = opts.layout;

        arena_reset(&scratch);
        r = bpf_gen_in(s->policy, opts.layout, &scratch, &s->progs, &s->n_progs);
        if (r == -E2BIG)
                return diag_log(diag, DIAG_ERROR, NULL, r, "A generated filter exceeds the kernel's limit of %d instructions.",
                                BPF_MAXINSNS_SECCOMP);
        if (r < 0)
                return r;

        /* A policy that denies seccomp() itself (e.g. SystemCallFilter=~@sandbox) forbids attaching
         * the argument filter after the megafilter: then the argument checks go into the one filter. */
        if (s->n_progs > 1 && !attachable_in_order(s, native)) {
                diag_log(diag, DIAG_DEBUG, NULL, 0,
                         "seccomp() is denied, so no filter can follow the first: using the single layout.");
                bpf_programs_free(s->progs, s->n_progs);
                s->progs = NULL;
                s->n_progs = 0;
                s->layout = LAYOUT_SINGLE;
                r = bpf_gen(s->policy, LAYOUT_SINGLE, &s->progs, &s->n_progs);
                if (r == -E2BIG)
                        return diag_log(diag, DIAG_ERROR, NULL, r, "A generated filter exceeds the kernel's limit of %d instructions.",
                                        BPF_MAXINSNS_SECCOMP);
                if (r < 0)
                        return r;
                if (!attachable_in_order(s, native))
                        return diag_log(diag, DIAG_ERROR, NULL, EFAULT,
                                        "The filters cannot be attached in order: seccomp() is denied by the first.");
        }

        if (opts.verify) {
                VerifyStats stats = {};

                r = verify_programs(s->policy, s->progs, s->n_progs, diag, &stats);
                if (r == -ENOMEM)
                        return r;       /* not a verdict: the stats are incomplete */
                if (r < 0)
                        return diag_log(diag, DIAG_ERROR, NULL, r,
                                        "Verification failed: %zu of %zu calls differ from the policy, %zu allowed calls not cacheable.",
                                        stats.mismatches, stats.calls, stats.uncached);
        }

        /* Kept, possibly long (a service manager keeps one per unit): the arenas' untouched
         * reservations go back to the kernel. */
        arena_trim(&s->policy->arena);
        for (size_t i = 0; i < s->n_progs; i++)
                arena_trim(&s->progs[i].storage);

        *ret = TAKE_PTR(s);
        return 0;
}
