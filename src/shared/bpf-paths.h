/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What an arbitrary seccomp program can do with one syscall whatever its arguments: every path
 * from the start is followed with only nr and arch known (arguments and the instruction pointer
 * are unknown, both sides of a test on them are taken), collecting the verdicts reached and the
 * longest path. Used to tell argument-checked syscalls from the rest in filters read from a
 * process, where no policy says which arguments matter. Paths are not checked for feasibility
 * (two tests of one argument are taken as independent), so the figures are upper bounds. */

#include "bpf-program.h"

#define BPF_PATHS_MAX_ACTIONS 8
#define BPF_PATHS_BUDGET (1u << 18)     /* instructions visited per program before giving up */

typedef struct BpfPaths {
        uint32_t actions[BPF_PATHS_MAX_ACTIONS];  /* distinct verdicts reached, in the order found */
        size_t n_actions;
        bool any_action;                /* some verdict is unknown (RET A of an unknown A), there were
                                         * more than fit, or the budget ran out: anything is possible */
        bool reads_args;                /* some path loads an argument or the instruction pointer */
        unsigned steps_max;             /* instructions run on the longest path */
} BpfPaths;

void bpf_paths(const struct sock_filter *insns, size_t n, uint32_t arch, uint32_t nr, BpfPaths *ret);

/* The same for a chain (attach order): the verdicts the kernel can reach combining the filters'
 * verdicts (the most restrictive wins, ties to the newest), steps summed over all filters. */
void bpf_chain_paths(const BpfFilterRef *filters, size_t n, uint32_t arch, uint32_t nr, BpfPaths *ret);
