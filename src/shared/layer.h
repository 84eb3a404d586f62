/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A layer: what one seccomp filter contributes to the policy, as plain data. The merge
 * (policy_merge(), policy.h) takes an array of layers in attach order and decides every call
 * as the kernel decides it under that chain of filters: every filter runs, the most restrictive
 * action wins, on ties the newest filter's (the later layer's).
 *
 * A unit's directives give one layer each (policy-layers.c: systemd attaches one filter per
 * directive and ABI; a layer stands for all of a directive's per-ABI filters). Another input
 * gives its own: one libseccomp filter — say an OCI profile's linux.seccomp — is one layer.
 *
 * The contract
 *
 * - abis are the ABIs the filter is installed for. Calls of every other ABI of the host get
 *   badarch_action from this filter (SECCOMP_RET_ALLOW for systemd's per-ABI filters, whose
 *   bad-arch action is ALLOW; libseccomp's default is SECCOMP_RET_KILL_THREAD). ABIs the host
 *   does not run are ignored.
 * - On those ABIs, a call no rule decides gets default_action, a number no syscall has (on
 *   that ABI, in the syscall tables) gets unassigned_action (usually the same).
 * - Every action is complete: zero is SECCOMP_RET_KILL_THREAD, not "unset". LAYER_INIT() sets
 *   the usual values.
 * - actions, when not NULL, holds unconditional rules by syscall id, as a table: for every id
 *   below syscall_count(), actions[id] (LAYER_NO_ACTION: none) at locs[id], on all of the layer's
 *   ABIs, not required; they are added first. A long list (SystemCallFilter=) is cheaper so than
 *   as rules.
 * - rules are added in order, each on the ABIs in rule->abis that the layer is installed on,
 *   with libseccomp's semantics within one filter:
 *   - Per (ABI, syscall): an unconditional rule decides the call whatever the conditional ones
 *     say, whichever came first; of several unconditional rules, the first stays.
 *   - Otherwise the first conditional rule whose comparisons all hold decides (rules of one
 *     action that overlap, as libseccomp merges them, give the same result in any order; when
 *     actions differ, put first the rule that is to win), and default_action when none holds.
 *   - On an ABI that multiplexes socket and IPC calls (AbiInfo.socketcall), a rule for a call
 *     socketcall()/ipc() multiplexes also decides the multiplexer when its argument 0 is the
 *     call's number (abi_multiplexed()), as libseccomp adds it. For a conditional rule,
 *     libseccomp's seccomp_rule_add_exact() refuses that (-EINVAL here too) and
 *     seccomp_rule_add() keeps the rule's comparisons of arguments 1…5 for the multiplexer:
 *     rule->rewrite asks for the latter.
 *   - A call the ABI does not have: the rule is skipped there (-EDOM, reported at debug
 *     level), or, when rule->required, the layer contributes nothing on that ABI at all
 *     (systemd skips an ABI's filter when one of its rules cannot be added).
 * - Layers, rules and comparisons are only read, and must stay as they are until
 *   policy_merge() returns; the policy keeps copies of what it needs.
 *
 * What the merge cannot express: a rule whose candidate condition, made exact against the
 * earlier rules of its layer, would need more than a few hundred comparisons for one call
 * (-E2BIG). Anything outside the contract (an unknown syscall id, an argument above 5, an
 * unknown ArgOp) is -EINVAL. */

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "arg-cmp.h"
#include "diag.h"

/* Who asks: a directive (systemd's attach order, oldest first), or another input. It names the
 * layer in diagnostics and in the policy's decisions; the merge orders layers by their place in
 * the array it is given, not by this value. */
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

/* "SystemCallFilter=" … */
const char *policy_layer_to_directive(PolicyLayer l);

typedef struct LayerRule {
        int syscall;                    /* syscall id (syscall-table.h) */
        AbiSet abis;                    /* where to add it: on these of the layer's ABIs */
        uint32_t action;                /* SECCOMP_RET_* value */
        bool required;                  /* no such call on an ABI: the layer skips that ABI */
        bool rewrite;                   /* seccomp_rule_add() rather than _exact() on multiplexed calls */
        uint16_t n_cmp;                 /* 0: unconditional */
        const ArgCmp *cmp;              /* all must hold */
        SourceLoc loc;                  /* the input that asked for it */
} LayerRule;

typedef struct Layer {
        PolicyLayer source;
        AbiSet abis;                    /* the ABIs the filter is installed for */
        uint32_t default_action;        /* their calls no rule decides */
        uint32_t unassigned_action;     /* their numbers of no syscall */
        uint32_t badarch_action;        /* calls of every other ABI */
        SourceLoc loc;                  /* where the actions above come from */
        const uint32_t *actions;        /* per syscall id, or NULL */
        const SourceLoc *locs;          /* per syscall id, with actions */
        const LayerRule *rules;
        size_t n_rules;
} Layer;

/* No rule for this id in Layer.actions (not an action anyone asks for: the kernel kills for it). */
#define LAYER_NO_ACTION UINT32_MAX

/* A filter installed for abis whose calls get action unless a rule says otherwise, and which
 * lets the calls of other ABIs through. */
#define LAYER_INIT(src, abis_, action, loc_) ((Layer) {                 \
                        .source = (src),                                \
                        .abis = (abis_),                                \
                        .default_action = (action),                     \
                        .unassigned_action = (action),                  \
                        .badarch_action = SECCOMP_RET_ALLOW,            \
                        .loc = (loc_),                                  \
                })
