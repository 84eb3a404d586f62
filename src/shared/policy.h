/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The policy: for every ABI the host runs and every syscall number, what the kernel decides when
 * a unit's directives are applied — merged over all directives exactly as the kernel merges the
 * per-feature filters systemd attaches (every filter runs; the most restrictive action wins, on
 * ties the newest filter's).
 *
 * Each directive is a "layer" (one systemd filter per ABI). A layer decides a syscall either
 * unconditionally or with argument rules. The merged decision for one (ABI, nr) is an ordered
 * list of argument rules — the first whose comparisons all hold gives the action — and a
 * fallback action. Syscalls whose decision has no rules are "constant": the megafilter decides
 * them from (arch, nr) alone. */

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "arena.h"
#include "diag.h"
#include "directives.h"

/* systemd's attach order, oldest first. The order matters only for ties between equally
 * restrictive actions (two different errnos): the newest layer's wins. */
typedef enum PolicyLayer {
        LAYER_PROTECT_HOSTNAME,
        LAYER_ADDRESS_FAMILIES,
        LAYER_MEMORY_DENY_WRITE_EXECUTE,
        LAYER_RESTRICT_REALTIME,
        LAYER_RESTRICT_SUID_SGID,
        LAYER_RESTRICT_NAMESPACES,
        LAYER_PROTECT_KERNEL_TUNABLES,
        LAYER_PROTECT_KERNEL_MODULES,
        LAYER_PROTECT_KERNEL_LOGS,
        LAYER_PROTECT_CLOCK,
        LAYER_PRIVATE_DEVICES,
        LAYER_SYSCALL_ARCHITECTURES,
        LAYER_LOCK_PERSONALITY,
        LAYER_SYSCALL_LOG,
        LAYER_SYSCALL_FILTER,
        _LAYER_MAX,
        LAYER_NONE = _LAYER_MAX,        /* nothing restricts: the implicit ALLOW */
} PolicyLayer;

const char *policy_layer_to_directive(PolicyLayer l);  /* "SystemCallFilter=" … */

typedef enum ArgOp {
        ARG_EQ,
        ARG_NE,
        ARG_LT,
        ARG_LE,
        ARG_GT,
        ARG_GE,
        ARG_MASKED_EQ,                  /* (arg & mask) == datum */
        ARG_MASKED_NE,                  /* (arg & mask) != datum */
        _ARG_OP_MAX,
} ArgOp;

/* One comparison of a syscall argument, unsigned, on all 64 bits (ABIs with arg_bits 64) or on
 * the low 32 bits only (arg_bits 32, as libseccomp compares them there). */
typedef struct ArgCmp {
        uint8_t arg;                    /* 0…5 */
        uint8_t op;                     /* ArgOp */
        uint64_t mask;                  /* ARG_MASKED_* only */
        uint64_t datum;
} ArgCmp;

typedef struct ArgRule {
        ArgCmp *cmp;                    /* all must hold */
        size_t n_cmp;
        uint32_t action;                /* SECCOMP_RET_* value */
        PolicyLayer layer;
        SourceLoc loc;                  /* the assignment that asked for it */
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
        bool allowed;                   /* permitted by SystemCallArchitectures= */
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

/* Build the policy. Names that do not exist on an ABI are reported to diag at debug level
 * (-EDOM, as libseccomp calls them) and skipped. Returns -ENOMEM or -EINVAL on internal
 * inconsistencies, 0 otherwise. */
int policy_build(const Directives *d, const PolicyOptions *o, Diag *diag, Policy **ret);
/* The same, with the builder's scratch memory in an arena of the caller's, which may reuse it
 * (arena_reset()) once the policy is built. An empty scratch arena gets its first chunk from the
 * policy's mapping: be done with it (arena_done()) before policy_free(). On failure scratch is
 * released. */
int policy_build_in(const Directives *d, const PolicyOptions *o, Diag *diag, Arena *scratch, Policy **ret);
Policy *policy_free(Policy *p);
DEFINE_POINTER_CLEANUP(Policy, policy_free);

/* The decision for (abi, nr). abi must be present. */
const Decision *policy_decision(const Policy *p, Abi abi, uint32_t nr);

/* Whether a comparison holds for an argument value on an ABI with arg_bits bits. */
bool arg_cmp_holds(const ArgCmp *c, uint64_t value, unsigned arg_bits);

/* The action for a call: the decision's first matching rule, or its fallback. */
uint32_t decision_evaluate(const Decision *d, const uint64_t args[6], unsigned arg_bits, const ArgRule **ret_rule);

/* What the kernel returns for a call under this policy, as seccomp_data describes it (arch
 * and nr select the ABI; x32 is told apart by its number bit). Unknown arches: KILL_PROCESS. */
uint32_t policy_evaluate(const Policy *p, const struct seccomp_data *sd);

/* The ABI a seccomp_data belongs to on this policy's host, or _ABI_INVALID. */
Abi policy_abi_of(const Policy *p, uint32_t arch, uint32_t nr);

/* Whether any decision of the ABI has argument rules. */
bool abi_policy_has_rules(const AbiPolicy *a);
