/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Figures about a filter chain, per ABI: how many syscalls the kernel's cache serves, which
 * still run BPF and how many instructions each runs. Computed with the emulator from the
 * programs alone (for filters read from a process), or with the policy at hand (for compiled
 * sandboxes: argument-checked syscalls are then run on every boundary of their rules and the
 * worst case is kept). */

#include "bpf-program.h"
#include "policy.h"

typedef enum SyscallClass {
        CLASS_CACHED,                   /* allowed, served by the cache: no instruction runs */
        CLASS_ALLOWED,                  /* allowed with plain arguments, but every call runs the filters */
        CLASS_ARG_CHECKED,              /* the verdict depends on arguments */
        CLASS_DENIED,                   /* errno, kill, trap, log, … whatever the arguments */
        _CLASS_MAX,
} SyscallClass;

typedef struct SyscallCost {
        int id;                         /* syscall id, or -1 */
        uint32_t nr;
        SyscallClass class;
        uint32_t action;                /* the verdict with all arguments 0 */
        unsigned steps;                 /* instructions run, all filters (worst over boundaries when arg-checked) */
} SyscallCost;

typedef struct AbiStats {
        Abi abi;
        bool cacheable;                 /* the kernel keeps a cache for this ABI */
        size_t n_syscalls;              /* syscalls in the ABI's table */
        size_t count[_CLASS_MAX];
        unsigned steps_max[_CLASS_MAX];
        double steps_mean[_CLASS_MAX];
        SyscallCost *costs;             /* one per syscall in the table, by number */
        size_t n_costs;
} AbiStats;

/* p may be NULL: argument-checked syscalls are then those whose verdict some argument values
 * change as path exploration finds (bpf-paths.h), with the longest path's instructions. */
int filter_stats_abi(const BpfFilterRef *filters, size_t n, Abi native, Abi abi, const Policy *p, AbiStats *ret);
void abi_stats_done(AbiStats *s);

const char *syscall_class_to_string(SyscallClass c);

/* Total instructions of a chain as the kernel counts them against its 32768 limit. */
size_t chain_instructions(const BpfFilterRef *filters, size_t n);
