/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bpf-cache.h"
#include "bpf-emu.h"
#include "bpf-paths.h"
#include "bpf-program.h"
#include "filter-stats.h"
#include "syscall-table.h"
#include "verify.h"

static const char *const class_names[_CLASS_MAX] = {
        [CLASS_CACHED] = "cached",
        [CLASS_ALLOWED] = "allowed-uncached",
        [CLASS_ARG_CHECKED] = "argument-checked",
        [CLASS_DENIED] = "denied",
};

const char *syscall_class_to_string(SyscallClass c) {
        return c >= 0 && c < _CLASS_MAX ? class_names[c] : NULL;
}

size_t chain_instructions(const BpfFilterRef *filters, size_t n) {
        size_t total = 0;

        for (size_t i = 0; i < n; i++)
                total += filters[i].n + SECCOMP_CHAIN_PER_FILTER_PENALTY;
        return total;
}

typedef struct Worst {
        const BpfFilterRef *filters;
        size_t n;
        struct seccomp_data sd;
        unsigned steps;
} Worst;

static int worst_steps(const uint64_t args[6], void *userdata) {
        Worst *w = userdata;
        unsigned steps;

        memcpy(w->sd.args, args, sizeof(w->sd.args));
        bpf_chain_run(w->filters, w->n, &w->sd, &steps);
        w->steps = MAX(w->steps, steps);
        return 0;
}

/* Without a policy: whether some argument values change the chain's verdict, as far as path
 * exploration can tell; ret_steps is then the longest path. */
static bool chain_depends_on_args(const BpfFilterRef *filters, size_t n, const struct seccomp_data *sd, unsigned *ret_steps) {
        BpfPaths paths;

        bpf_chain_paths(filters, n, sd->arch, (uint32_t) sd->nr, &paths);
        *ret_steps = paths.steps_max;
        return paths.any_action || paths.n_actions > 1;
}

int filter_stats_abi(const BpfFilterRef *filters, size_t n, Abi native, Abi abi, const Policy *p, AbiStats *ret) {
        AbiStats s = { .abi = abi, .cacheable = bpf_cache_abi(native, abi) };
        unsigned long long sum[_CLASS_MAX] = {};

        s.costs = calloc(syscall_count(), sizeof(SyscallCost));
        if (!s.costs)
                return -ENOMEM;

        for (size_t id = 0; id < syscall_count(); id++) {
                int64_t nr = syscall_nr(abi, (int) id);
                struct seccomp_data sd = { .arch = abi_info[abi].audit_arch };
                const Decision *d = NULL;
                SyscallCost *c;
                unsigned steps;

                if (nr == SYSCALL_NR_NONE)
                        continue;
                sd.nr = (int) nr;
                c = &s.costs[s.n_costs++];
                *c = (SyscallCost) { .id = (int) id, .nr = (uint32_t) nr };
                c->action = bpf_chain_run(filters, n, &sd, &steps);
                c->steps = steps;

                if (p && (p->abis & ABI_BIT(abi)))
                        d = policy_decision(p, abi, (uint32_t) nr);

                if (d && d->n_rules > 0) {
                        Worst w = { .filters = filters, .n = n, .sd = sd };

                        decision_foreach_boundary(d, abi_info[abi].arg_bits, worst_steps, &w);
                        c->class = CLASS_ARG_CHECKED;
                        c->steps = MAX(c->steps, w.steps);
                } else if (!p && chain_depends_on_args(filters, n, &sd, &steps)) {
                        c->class = CLASS_ARG_CHECKED;
                        c->steps = MAX(c->steps, steps);
                } else if (c->action != SECCOMP_RET_ALLOW)
                        c->class = CLASS_DENIED;
                else if (s.cacheable && bpf_chain_cache_allows_on(native, filters, n, abi, (uint32_t) nr)) {
                        c->class = CLASS_CACHED;
                        c->steps = 0;
                } else
                        c->class = CLASS_ALLOWED;

                s.count[c->class]++;
                sum[c->class] += c->steps;
                s.steps_max[c->class] = MAX(s.steps_max[c->class], c->steps);
        }

        s.n_syscalls = s.n_costs;
        for (SyscallClass k = 0; k < _CLASS_MAX; k++)
                s.steps_mean[k] = s.count[k] > 0 ? (double) sum[k] / s.count[k] : 0;
        *ret = s;
        return 0;
}

void abi_stats_done(AbiStats *s) {
        free(s->costs);
        *s = (AbiStats) {};
}
