/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Building a policy, layer by layer: each directive describes the filter systemd would attach for
 * it (policy-layers.c), the builder turns every layer's verdicts into candidates per (ABI, nr),
 * and merges them with the kernel's precedence (policy.c). */

#include "policy.h"

typedef struct Cand Cand;
typedef struct CandList CandList;
typedef struct LayerEntry LayerEntry;

/* A layer whose default restricts: every number it named has candidates of its own, every other
 * number gets the default (or the action for numbers of no syscall), implied here instead of a
 * candidate per number. */
typedef struct DenseLayer {
        PolicyLayer layer;
        AbiSet abis;
        uint32_t action, other;         /* for assigned numbers, for the others */
        SourceLoc loc;
        uint64_t *named[_ABI_MAX];      /* per ABI, a bit per slot: the layer decided it itself */
} DenseLayer;

typedef struct Builder {
        Policy *policy;
        const Directives *directives;
        const PolicyOptions *options;
        Diag *diag;

        Arena *arena;                   /* the policy's: decisions and rules */
        Arena *scratch;                 /* everything else, dead once the policy is built */
        CandList *cands[_ABI_MAX];      /* per ABI: one list per number in by_nr, then one for "other" */
        Cand *cand_block;               /* candidates are carved from blocks … */
        size_t cand_block_left;         /* … this many are left in the current one */
        DenseLayer *dense;              /* room for _LAYER_MAX, in the scratch arena */
        size_t n_dense;
        uint64_t *assigned[_ABI_MAX];   /* per ABI, a bit per number: a syscall has that number */
        uint32_t *slot_by_id[_ABI_MAX]; /* per ABI, per syscall id: its slot + 1, 0 if it has none */
        struct {
                const char *name;       /* compared by address: the layers name calls with literals */
                int id;
        } recent[16];                   /* names looked up lately, for the rules that repeat them */
        unsigned n_recent;

        /* The layer being described. */
        PolicyLayer layer;
        AbiSet layer_abis;              /* ABIs this layer is installed on */
        LayerEntry *entries[_ABI_MAX];  /* per ABI, per number (same indexing as cands), reused */
        uint32_t *touched[_ABI_MAX];    /* which entries the layer wrote (room for all of them) */
        size_t n_touched[_ABI_MAX];
        uint32_t layer_default;
        SourceLoc layer_default_loc;
        bool layer_other_set;
        uint32_t layer_other;           /* the action for numbers in no table, if not the default */
} Builder;

/* Start a layer installed on abis, whose filter returns default_action for calls it has no rule
 * for. */
void layer_begin(Builder *b, PolicyLayer layer, AbiSet abis, uint32_t default_action, SourceLoc loc);

/* Numbers that belong to no syscall get this action instead of the default. */
void layer_set_other(Builder *b, uint32_t action);

/* An unconditional rule for a syscall (by name: a literal or a table's, that stays as it is
 * while the policy is built) on one ABI, as seccomp_rule_add_exact() without
 * arguments; on ABIs that multiplex socket and IPC calls, also the matching socketcall()/ipc()
 * rule, as libseccomp adds it. Returns -EDOM (after a debug diagnostic) when the syscall does
 * not exist there, -ENOMEM. */
int layer_syscall(Builder *b, Abi abi, const char *name, uint32_t action, SourceLoc loc);
int layer_syscall_id(Builder *b, Abi abi, int id, uint32_t action, SourceLoc loc);

/* A rule with argument comparisons (all must hold). -EDOM, -ENOMEM as above. */
int layer_rule(Builder *b, Abi abi, const char *name, uint32_t action, const ArgCmp *cmp, size_t n_cmp, SourceLoc loc);

/* Forget what the current layer said about abi: systemd skips the whole filter for an ABI when
 * one of its rules cannot be added there. */
void layer_drop_abi(Builder *b, Abi abi);

/* Turn the layer's verdicts into candidates. -ENOMEM or -EINVAL (a verdict the merge cannot
 * express). */
int layer_end(Builder *b);

/* What every directive contributes, in systemd's attach order. */
int policy_add_layers(Builder *b);

/* Helpers to write argument comparisons. */
#define CMP(a, o, d) ((ArgCmp) { .arg = (a), .op = (o), .datum = (d) })
#define CMP_MASKED(a, m, d) ((ArgCmp) { .arg = (a), .op = ARG_MASKED_EQ, .mask = (m), .datum = (d) })
