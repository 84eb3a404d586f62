/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "action.h"
#include "bpf-cache.h"
#include "bpf-emu.h"
#include "syscall-table.h"
#include "verify.h"

#define VALUES_MAX 64
#define MISMATCHES_SHOWN 8

typedef struct ValueSet {
        uint64_t v[VALUES_MAX];
        size_t n;
} ValueSet;

static void value_add(ValueSet *s, uint64_t v) {
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i] == v)
                        return;
        if (s->n < VALUES_MAX)
                s->v[s->n++] = v;
}

/* Values on both sides of a datum, in the low half and with the high half set. */
static void values_around(ValueSet *s, uint64_t d, unsigned bits) {
        uint64_t lo = d & UINT32_MAX;

        value_add(s, lo);
        value_add(s, (lo + 1) & UINT32_MAX);
        value_add(s, (lo - 1) & UINT32_MAX);
        if (bits == 64) {
                value_add(s, d);
                value_add(s, d + 1);
                value_add(s, d - 1);
                value_add(s, lo | (UINT64_C(1) << 32));
                value_add(s, lo | UINT64_C(0xffffffff00000000));
        }
}

static void values_for_cmp(ValueSet *s, const ArgCmp *c, unsigned bits) {
        switch (c->op) {
        case ARG_MASKED_EQ:
        case ARG_MASKED_NE:
                values_around(s, c->datum, bits);
                value_add(s, c->datum | ~c->mask);
                value_add(s, c->mask);
                value_add(s, c->mask & (c->mask - 1));         /* one bit fewer */
                value_add(s, (c->datum ^ c->mask) & c->mask);
                break;
        default:
                values_around(s, c->datum, bits);
                break;
        }
}

int decision_foreach_boundary(const Decision *d, unsigned arg_bits,
                              int (*f)(const uint64_t args[6], void *userdata), void *userdata) {
        ValueSet sets[6] = {};
        bool used[6] = {};
        unsigned order[6], n_used = 0;
        size_t idx[6] = {};
        int r;

        for (unsigned a = 0; a < 6; a++) {
                value_add(&sets[a], 0);
                value_add(&sets[a], UINT32_MAX);
                if (arg_bits == 64)
                        value_add(&sets[a], UINT64_MAX);
        }
        for (size_t i = 0; i < d->n_rules; i++)
                for (size_t j = 0; j < d->rules[i].n_cmp; j++) {
                        const ArgCmp *c = &d->rules[i].cmp[j];
                        values_for_cmp(&sets[c->arg], c, arg_bits);
                        used[c->arg] = true;
                }
        for (unsigned a = 0; a < 6; a++)
                if (used[a])
                        order[n_used++] = a;

        /* Every combination of the values of the arguments the rules look at (at most two per
         * rule here, so this stays small); the others are 0. */
        for (;;) {
                uint64_t args[6] = {};

                for (unsigned k = 0; k < n_used; k++)
                        args[order[k]] = sets[order[k]].v[idx[k]];
                r = f(args, userdata);
                if (r != 0)
                        return r;

                unsigned k = 0;
                for (; k < n_used; k++) {
                        if (++idx[k] < sets[order[k]].n)
                                break;
                        idx[k] = 0;
                }
                if (k == n_used)
                        return 0;
        }
}

typedef struct Checker {
        const Policy *policy;
        const BpfFilterRef *filters;
        size_t n_filters;
        Diag *diag;
        VerifyStats stats;
        Abi abi;
        uint32_t arch, nr;
} Checker;

static int check_call(const uint64_t args[6], void *userdata) {
        Checker *c = userdata;
        struct seccomp_data sd = { .nr = (int) c->nr, .arch = c->arch };
        uint32_t want, got;

        memcpy(sd.args, args, sizeof(sd.args));
        want = policy_evaluate(c->policy, &sd);
        got = bpf_chain_run(c->filters, c->n_filters, &sd, NULL);
        c->stats.calls++;

        if (want != got) {
                char w[64], g[64];

                if (c->stats.mismatches + c->stats.uncached == 0) {
                        c->stats.first_arch = c->arch;
                        c->stats.first_nr = c->nr;
                }

                if (c->stats.mismatches++ < MISMATCHES_SHOWN) {
                        Abi abi = policy_abi_of(c->policy, c->arch, c->nr);
                        int id = abi >= 0 ? syscall_from_nr(abi, c->nr) : -1;

                        diag_log(c->diag, DIAG_ERROR, NULL, 0,
                                 "Verifier: %s %s (arch 0x%08x nr %u) args %#llx %#llx %#llx %#llx: policy says %s, filters return %s",
                                 abi >= 0 ? abi_to_name(abi) : "unknown ABI", id >= 0 ? syscall_name(id) : "(no system call)",
                                 c->arch, c->nr, (unsigned long long) args[0], (unsigned long long) args[1],
                                 (unsigned long long) args[2], (unsigned long long) args[3],
                                 action_to_string(want, w, sizeof w),
                                 action_to_string(got, g, sizeof g));
                }
        }
        return 0;
}

static void check_number(Checker *c, Abi abi, uint32_t nr) {
        const Decision *d = policy_decision(c->policy, abi, nr);

        c->abi = abi;
        c->arch = abi_info[abi].audit_arch;
        c->nr = nr;
        if (d->n_rules == 0) {
                const uint64_t zero[6] = {}, ones[6] = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
                check_call(zero, c);
                check_call(ones, c);
        } else
                decision_foreach_boundary(d, abi_info[abi].arg_bits, check_call, c);

        /* Constant ALLOW must come from the cache where the kernel keeps one. */
        if (d->n_rules == 0 && d->action == SECCOMP_RET_ALLOW && bpf_cache_abi(c->policy->native, abi) &&
            nr >= abi_info[abi].nr_bias && nr < bpf_cache_nr_end(abi) &&
            !bpf_chain_cache_allows_on(c->policy->native, c->filters, c->n_filters, abi, nr)) {
                if (c->stats.mismatches + c->stats.uncached == 0) {
                        c->stats.first_arch = c->arch;
                        c->stats.first_nr = nr;
                }
                if (c->stats.uncached++ < MISMATCHES_SHOWN)
                        diag_log(c->diag, DIAG_ERROR, NULL, 0,
                                 "Verifier: %s %s (nr %u) is allowed without argument checks but not cacheable",
                                 abi_to_name(abi), strna(syscall_name(syscall_from_nr(abi, nr))), nr);
        }
}

int verify_programs(const Policy *p, const BpfProgram *progs, size_t n, Diag *diag, VerifyStats *ret_stats) {
        _cleanup_free_ BpfFilterRef *filters = calloc(n ? n : 1, sizeof(BpfFilterRef));
        Checker c = { .policy = p, .diag = diag };

        if (!filters)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                filters[i] = (BpfFilterRef) { progs[i].insns, progs[i].n };
        c.filters = filters;
        c.n_filters = n;

        ABI_SET_FOREACH(abi, p->abis) {
                const AbiPolicy *a = &p->abi[abi];
                const uint32_t outside[] = {
                        0, 1, a->nr_first > 0 ? a->nr_first - 1 : 0, a->nr_first + a->n, a->nr_first + a->n + 1,
                        a->nr_first + a->n + 1000, 0x3fffffff, 0x40000000, 0x40000000 + a->n + 1,
                        0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
                };

                for (uint32_t i = 0; i < a->n; i++)
                        check_number(&c, abi, a->nr_first + i);
                for (size_t i = 0; i < ELEMENTSOF(outside); i++) {
                        Abi owner = policy_abi_of(p, abi_info[abi].audit_arch, outside[i]);
                        /* On x86-64's audit arch some of these numbers are x32's. */
                        if (owner >= 0)
                                check_number(&c, owner, outside[i]);
                }
        }

        /* An arch no host ABI has: killed, unless nothing is installed at all. */
        if (n > 0) {
                c.arch = 0x12345678;
                c.nr = 0;
                check_call((const uint64_t[6]) {}, &c);
        }

        if (ret_stats)
                *ret_stats = c.stats;
        return c.stats.mismatches > 0 || c.stats.uncached > 0 ? -EFAULT : 0;
}
