/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The policy: what it decides for a call, and an empty one to merge layers into (a unit's are
 * built in policy-build.c, a container profile's in oci-seccomp.c). */

#include "policy.h"

uint32_t decision_evaluate(const Decision *d, const uint64_t args[6], unsigned arg_bits, const ArgRule **ret_rule) {
        for (size_t i = 0; i < d->n_rules; i++) {
                const ArgRule *r = &d->rules[i];
                bool all = true;

                for (size_t j = 0; j < r->n_cmp && all; j++)
                        all = arg_cmp_holds(&r->cmp[j], args[r->cmp[j].arg], arg_bits);
                if (all) {
                        if (ret_rule)
                                *ret_rule = r;
                        return r->action;
                }
        }
        if (ret_rule)
                *ret_rule = NULL;
        return d->action;
}

Abi policy_abi_of(const Policy *p, uint32_t arch, uint32_t nr) {
        ABI_SET_FOREACH(a, p->abis) {
                if (abi_info[a].audit_arch != arch)
                        continue;
                /* x86-64 and x32 share an audit arch. Like libseccomp, every number from the
                 * x32 bit up is x32's, except -1, which a tracer uses to skip a call and which
                 * libseccomp keeps on x86-64. */
                if (a == ABI_X86_64 && nr >= abi_info[ABI_X32].nr_bias && nr != UINT32_MAX &&
                    (p->abis & ABI_BIT(ABI_X32)))
                        continue;
                if (a == ABI_X32 && (nr < abi_info[ABI_X32].nr_bias || nr == UINT32_MAX))
                        continue;
                return a;
        }
        return _ABI_INVALID;
}

const Decision *policy_decision(const Policy *p, Abi abi, uint32_t nr) {
        const AbiPolicy *a = &p->abi[abi];

        if (nr >= a->nr_first && nr - a->nr_first < a->n)
                return &a->by_nr[nr - a->nr_first];
        return &a->other;
}

uint32_t policy_evaluate(const Policy *p, const struct seccomp_data *sd) {
        Abi abi = policy_abi_of(p, sd->arch, sd->nr);

        if (abi < 0)
                return SECCOMP_RET_KILL_PROCESS;
        return decision_evaluate(policy_decision(p, abi, sd->nr), (const uint64_t *) sd->args,
                                 abi_info[abi].arg_bits, NULL);
}

bool abi_policy_has_rules(const AbiPolicy *a) {
        if (!a->present)
                return false;
        for (uint32_t i = 0; i < a->n; i++)
                if (a->by_nr[i].n_rules > 0)
                        return true;
        return a->other.n_rules > 0;
}

Policy *policy_free(Policy *p) {
        Arena a;

        if (!p)
                return NULL;
        a = p->arena;           /* p itself is in it */
        arena_done(&a);
        return NULL;
}

int policy_new(Abi native, Arena *scratch, Policy **ret) {
        Arena arena = {};
        Policy *p;

        if (native < 0)
                native = abi_native();
        if (native >= _ABI_MAX)
                return -EINVAL;

        /* The policy lives in its own arena: freed in one go. */
        p = arena_alloc(&arena, sizeof(Policy));
        if (!p) {
                arena_done(&arena);
                return -ENOMEM;
        }
        p->arena = arena;
        p->native = native;
        p->abis = abi_info[native].host_abis;

        /* The scratch shares the policy's mapping when it can: nothing to map now or unmap
         * when the caller is done with it (the pages go with the policy). */
        if (scratch)
                (void) arena_lend(&p->arena, 512 * 1024, scratch);

        *ret = p;
        return 0;
}
