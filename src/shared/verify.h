/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The verifier: replays the policy against generated programs through the BPF emulator — every
 * ABI, every number in its table and numbers outside every table, and for argument-checked
 * syscalls the boundary values of every comparison, both halves — and requires identical
 * verdicts. It also checks that every syscall the policy allows without argument rules is served
 * by the kernel's cache on the ABIs the kernel caches. */

#include "bpf-program.h"
#include "policy.h"

typedef struct VerifyStats {
        size_t calls;                   /* (arch, nr, args) combinations evaluated */
        size_t mismatches;              /* verdicts that differ from the policy */
        size_t uncached;                /* constant-ALLOW syscalls the cache would not serve */
        uint32_t first_arch, first_nr;  /* the first of either (when there is one) */
} VerifyStats;

/* Check progs (attach order) against p. Mismatches are reported to diag (the first few in
 * detail). Returns 0 when everything agrees, -EFAULT otherwise, -ENOMEM. */
int verify_programs(const Policy *p, const BpfProgram *progs, size_t n, Diag *diag, VerifyStats *ret_stats);

/* The argument vectors worth trying for a decision: every boundary of every comparison. Calls f
 * for each; stops when f returns non-zero and returns that. */
int decision_foreach_boundary(const Decision *d, unsigned arg_bits,
                              int (*f)(const uint64_t args[6], void *userdata), void *userdata);
