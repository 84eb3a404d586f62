/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A unit's policy, from its directives: policy_layers(), then policy_merge(). Apart from policy.c
 * so that what merges layers of its own (megafilter-crun, through oci-seccomp.c) does not link
 * the unit file code. */

#include "policy-layers.h"
#include "policy.h"

int policy_build_in(const Directives *d, const PolicyOptions *o, Diag *diag, Arena *scratch, Policy **ret) {
        _cleanup_(policy_freep) Policy *p = NULL;
        Layer *layers = NULL;
        size_t n = 0;
        int r;

        r = policy_new(o ? o->native : _ABI_INVALID, scratch, &p);
        if (r < 0)
                return r;
        p->mdwe_prctl = o && o->mdwe_prctl && d->memory_deny_write_execute.value;
        p->uses_seccomp = directives_use_seccomp(d);

        r = policy_layers(d, p->native, p->mdwe_prctl, o ? o->personality : PERSONALITY_INVALID,
                          o && o->unknown_nr_default, scratch, &layers, &n);
        if (r >= 0)
                r = policy_merge(p, layers, n, diag, scratch);
        if (r < 0) {
                arena_done(scratch);    /* while p, which may hold it, is still there */
                return r;
        }

        *ret = TAKE_PTR(p);
        return 0;
}

int policy_build(const Directives *d, const PolicyOptions *o, Diag *diag, Policy **ret) {
        Arena scratch = {};
        int r;

        r = policy_build_in(d, o, diag, &scratch, ret);
        arena_done(&scratch);
        return r;
}
