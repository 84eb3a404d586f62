/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The policy: for every ABI the host runs and every syscall number, what the kernel decides under
 * a chain of filters — merged exactly as the kernel merges them (every filter runs; the most
 * restrictive action wins, on ties the newest filter's).
 *
 *   Directives ──policy_layers() (policy-layers.c)──▶ Layer[] ──policy_merge() (policy-merge.c)──▶ Policy
 *
 * Each filter is a layer (layer.h): plain data, one per directive for a unit, or one for another
 * input such as an OCI profile. The merged decision for one (ABI, nr) is an ordered list of
 * argument rules — the first whose comparisons all hold gives the action — and a fallback
 * action. Syscalls whose decision has no rules are "constant": the megafilter decides them from
 * (arch, nr) alone. */

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "arena.h"
#include "diag.h"
#include "directives.h"
#include "layer.h"

typedef struct ArgRule {
        ArgCmp *cmp;                    /* all must hold */
        size_t n_cmp;
        uint32_t action;                /* SECCOMP_RET_* value */
        PolicyLayer layer;
        SourceLoc loc;                  /* the rule that asked for it */
} ArgRule;

typedef struct Decision {
        ArgRule *rules;                 /* first match wins */
        size_t n_rules;
        uint32_t action;                /* when no rule matches */
        PolicyLayer layer;              /* who decided action; LAYER_NONE for the implicit ALLOW */
        SourceLoc loc;
} Decision;

typedef struct AbiPolicy {
        bool present;                   /* the host runs this ABI */
        bool allowed;                   /* false: a layer's bad-arch action kills every call and no
                                         * other layer can change that (SystemCallArchitectures=);
                                         * other holds it, there are no per-number decisions */
        uint32_t nr_first;              /* by_nr[i] decides number nr_first + i */
        uint32_t n;
        Decision *by_nr;
        uint64_t *assigned;             /* bit i: a syscall has number nr_first + i (NULL when n is 0) */
        Decision other;                 /* every number outside [nr_first, nr_first + n) */
} AbiPolicy;

typedef struct PolicyOptions {
        Abi native;                     /* the host's native ABI; _ABI_INVALID: this machine's */
        bool mdwe_prctl;                /* MemoryDenyWriteExecute= through prctl(PR_SET_MDWE): no seccomp rules */
        unsigned long personality;      /* LockPersonality= persona when Personality= is unset */
        bool unknown_nr_default;        /* an allow-list gives numbers in no table its default action, as
                                         * systemd 252 does, instead of ENOSYS (systemd 255 and later) */
} PolicyOptions;

typedef struct Policy {
        Abi native;
        AbiSet abis;                    /* ABIs the host runs */
        AbiPolicy abi[_ABI_MAX];
        bool mdwe_prctl;                /* MemoryDenyWriteExecute= is applied with prctl(PR_SET_MDWE) */
        bool uses_seccomp;              /* any layer restricts anything */
        Arena arena;                    /* holds the policy itself, its decisions and rules: freed at
                                         * once by policy_free() */
} Policy;

/* Build a unit's policy: policy_new(), policy_layers(), policy_merge(). Names that do not exist
 * on an ABI are reported to diag at debug level (-EDOM, as libseccomp calls them) and skipped.
 * Returns -ENOMEM or -EINVAL on internal inconsistencies, 0 otherwise. */
int policy_build(const Directives *d, const PolicyOptions *o, Diag *diag, Policy **ret);
/* The same, with the builder's scratch memory in an arena of the caller's, which may reuse it
 * (arena_reset()) once the policy is built. An empty scratch arena gets its first chunk from the
 * policy's mapping: be done with it (arena_done()) before policy_free(). On failure scratch is
 * released. */
int policy_build_in(const Directives *d, const PolicyOptions *o, Diag *diag, Arena *scratch, Policy **ret);
Policy *policy_free(Policy *p);
DEFINE_POINTER_CLEANUP(Policy, policy_free);

/* An empty policy for a host of native ABI (_ABI_INVALID: this machine's), in an arena of its
 * own. An empty scratch arena gets its first chunk from the policy's mapping (see
 * policy_build_in()). */
int policy_new(Abi native, Arena *scratch, Policy **ret);

/* Decide every call of the policy's ABIs under layers[0…n) (attach order), with the merge's
 * scratch memory in scratch. Once only, on a policy from policy_new(). -ENOMEM, -EINVAL (a layer
 * outside layer.h's contract), -E2BIG (a layer the merge cannot express); on failure the policy
 * is unusable: free it. */
int policy_merge(Policy *p, const Layer *layers, size_t n, Diag *diag, Arena *scratch);

/* The decision for (abi, nr). abi must be present. */
const Decision *policy_decision(const Policy *p, Abi abi, uint32_t nr);

/* The action for a call: the decision's first matching rule, or its fallback. */
uint32_t decision_evaluate(const Decision *d, const uint64_t args[6], unsigned arg_bits, const ArgRule **ret_rule);

/* What the kernel returns for a call under this policy, as seccomp_data describes it (arch
 * and nr select the ABI; x32 is told apart by its number bit). Unknown arches: KILL_PROCESS. */
uint32_t policy_evaluate(const Policy *p, const struct seccomp_data *sd);

/* The ABI a seccomp_data belongs to on this policy's host, or _ABI_INVALID. */
Abi policy_abi_of(const Policy *p, uint32_t arch, uint32_t nr);

/* Whether any decision of the ABI has argument rules. */
bool abi_policy_has_rules(const AbiPolicy *a);
