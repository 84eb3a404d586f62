/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The ways to sandbox a unit that the benchmark compares. Each builds the programs it would
 * attach (for the static figures), and builds + installs them in the calling process (for the
 * cost of a service start). */

#include "bpf-program.h"
#include "directives.h"
#include "policy.h"

typedef struct Strategy {
        const char *name;
        const char *description;
        /* The programs in attach order, and whether MemoryDenyWriteExecute= goes through
         * prctl(PR_SET_MDWE) instead. -EOPNOTSUPP when the strategy cannot express the unit. */
        int (*build)(const Directives *d, const Policy *p, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl);
        /* Build and install in this process, as a service start does. */
        int (*build_install)(const Directives *d);
} Strategy;

extern const Strategy strategies[];     /* terminated by { NULL } */

/* Attach programs (and PR_SET_MDWE) in this process with no_new_privs: for timing. */
int install_programs(const BpfProgram *progs, size_t n, bool mdwe_prctl);

/* libseccomp merged: one context per ABI from the merged policy, seccomp_merge()d into one
 * filter, binary-tree optimisation on. */
int merged_build(const Directives *d, const Policy *p, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl);
int merged_build_install(const Directives *d);
