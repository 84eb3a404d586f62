/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The merge: every layer's verdict for every (ABI, nr) becomes a list of candidates; the
 * kernel's precedence orders them; the first unconditional candidate ends the list. What remains
 * is the decision the megafilter and the argument filter implement.
 *
 * A layer is read in two steps. First its rules are sorted into entries, one per number it
 * names on each ABI, with libseccomp's semantics within one filter (layer.h). Then each entry
 * becomes candidates: "if these comparisons hold, this layer says this action". A candidate must
 * only match where its layer says exactly that, so a rule's candidate excludes the earlier, less
 * restrictive rules of its layer that may match the same calls, and the default's candidate
 * excludes every rule with another action. A layer whose default restricts gives every number it
 * did not name that default, implied (DenseLayer) rather than written out per number; so does a
 * bad-arch action for the ABIs a layer is not installed for. */

#include "action.h"
#include "policy.h"
#include "syscall-table.h"

/* At most this many candidates for one rule of one number, once made exact. */
#define TERMS_MAX 256

/* The ABIs of a set, lowest first: cheaper than ABI_SET_FOREACH's walk over every ABI, in the
 * loops that run per layer. No break in the body. */
#define FOREACH_ABI_IN(a, set)                                                                  \
        for (AbiSet _set = (set); _set != 0; _set &= _set - 1)                                  \
                for (Abi a = (Abi) __builtin_ctz(_set), _one = 1; _one; _one = 0)

typedef struct Cand Cand;

struct Cand {
        SourceLoc loc;
        const ArgCmp *cmp;              /* NULL: unconditional; a layer's or in the scratch arena */
        Cand *prev;                     /* the candidate of the same number that came before */
        uint32_t action;
        uint16_t n_cmp;
        uint16_t order;                 /* the layer's place in the chain */
};

/* The candidates of one number, newest first. */
typedef struct CandList {
        Cand *last;
} CandList;

typedef struct EntryRule {
        const ArgCmp *cmp;
        size_t n_cmp;
        uint32_t action;
        SourceLoc loc;
} EntryRule;

/* What the layer being merged says about one number. */
typedef struct LayerEntry {
        SourceLoc loc;
        EntryRule *rules;               /* room for n_rules rounded up to a power of two, 4 at least */
        uint32_t action;
        uint16_t n_rules;
        bool touched:1;                 /* listed in the builder's touched[] */
        bool uncond:1;                  /* an unconditional rule: it overrides every conditional one */
        bool mixed:1;                   /* the rules have different actions */
} LayerEntry;

/* A layer whose default restricts: every number it named has candidates of its own, every other
 * number gets the default (or the action for numbers of no syscall), implied here instead of a
 * candidate per number. Also a bad-arch action: named is NULL then, every number is implied. */
typedef struct DenseLayer {
        uint16_t order;
        AbiSet abis;
        uint32_t action, other;         /* for assigned numbers, for the others */
        SourceLoc loc;
        uint64_t *named[_ABI_MAX];      /* per ABI, a bit per slot: the layer decided it itself */
} DenseLayer;

typedef struct Builder {
        Policy *policy;
        Diag *diag;
        const Layer *layers;
        size_t n_layers;

        Arena *arena;                   /* the policy's: decisions and rules */
        Arena *scratch;                 /* everything else, dead once the policy is built */
        CandList *cands[_ABI_MAX];      /* per ABI: one list per number in by_nr, then one for "other" */
        Cand *cand_block;               /* candidates are carved from blocks … */
        size_t cand_block_left;         /* … this many are left in the current one */
        DenseLayer *dense;              /* room for one per layer that restricts by default, one per bad-arch action */
        size_t n_dense;
        Cand *implied;                  /* room for n_dense */
        uint64_t *assigned[_ABI_MAX];   /* per ABI, a bit per number: a syscall has that number */
        uint32_t *slot_by_id[_ABI_MAX]; /* per ABI, per syscall id: its slot + 1, 0 if it has none */
        size_t n_syscalls;
        AbiSet tables;                  /* ABIs with per-number decisions (not killed outright) */
        int socketcall_id, ipc_id;

        /* The layer being merged. */
        uint16_t order;
        const Layer *layer;
        AbiSet layer_abis;              /* ABIs it is installed on, less those it was dropped from */
        LayerEntry *entries[_ABI_MAX];  /* per ABI, per number (same indexing as cands), reused */
        uint32_t *touched[_ABI_MAX];    /* which entries the layer wrote (room for all of them) */
        size_t n_touched[_ABI_MAX];
} Builder;

static size_t abi_slots(const Policy *p, Abi abi) {
        return p->abi[abi].n + 1;       /* every number in the table's range, then "other" */
}

/* ---- candidates ---- */

/* cmp must stay as it is until the decisions are made. */
static int cand_add(Builder *b, CandList *l, uint32_t action, SourceLoc loc, const ArgCmp *cmp, size_t n_cmp) {
        Cand *c;

        if (action == SECCOMP_RET_ALLOW)
                return 0;       /* the least restrictive action never wins over anything */
        if (n_cmp > UINT16_MAX)
                return -E2BIG;
        if (b->cand_block_left == 0) {
                b->cand_block = arena_alloc_array(b->scratch, 64, sizeof(Cand));
                if (!b->cand_block)
                        return -ENOMEM;
                b->cand_block_left = 64;
        }

        c = b->cand_block++;
        b->cand_block_left--;
        *c = (Cand) { .action = action, .order = b->order, .loc = loc, .prev = l->last };
        if (n_cmp > 0) {
                c->cmp = cmp;
                c->n_cmp = (uint16_t) n_cmp;
        }
        l->last = c;
        return 0;
}

/* More restrictive first; among equals the newer layer first, as the kernel keeps the first
 * filter it ran (the newest) on a tie. */
static int cand_compare(const Cand *a, const Cand *b) {
        int r = action_compare(a->action, b->action);

        if (r != 0)
                return r;
        return (int) b->order - (int) a->order;
}

static size_t cands_count(const CandList *cl) {
        size_t n = 0;

        for (const Cand *c = cl->last; c; c = c->prev)
                n++;
        return n;
}

/* The candidates of one number, in the kernel's order. out has room for every candidate and
 * each implied one. */
static size_t cands_sorted(const CandList *cl, const Cand *implied, size_t n_implied, Cand *out) {
        size_t n = cands_count(cl), k = n;

        /* The list is newest first: fill from the back for the order they came in. */
        for (const Cand *c = cl->last; c; c = c->prev)
                out[--k] = *c;
        /* The implied ones after those of the list: no layer has both in one number, so where
         * they go changes nothing about the order below. */
        for (size_t i = 0; i < n_implied; i++)
                out[n++] = implied[i];

        /* Insertion sort, stable: a layer's own candidates keep the order its rules came in. */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && cand_compare(&out[j - 1], &out[j]) > 0; j--) {
                        Cand t = out[j];
                        out[j] = out[j - 1];
                        out[j - 1] = t;
                }
        return n;
}

/* The candidates the dense layers imply for slot i of abi. */
static size_t cands_implied(const Builder *b, Abi abi, size_t i, Cand *out) {
        const AbiPolicy *a = &b->policy->abi[abi];
        int unassigned = -1;            /* looked up when needed */
        size_t n = 0;

        for (size_t k = 0; k < b->n_dense; k++) {
                const DenseLayer *l = &b->dense[k];
                uint32_t action;

                if (!(l->abis & ABI_BIT(abi)) || (l->named[abi] && bitmap_test(l->named[abi], i)))
                        continue;
                if (unassigned < 0)
                        unassigned = i == a->n || !bitmap_test(b->assigned[abi], i);
                action = unassigned ? l->other : l->action;
                if (action == SECCOMP_RET_ALLOW)
                        continue;
                out[n++] = (Cand) { .action = action, .order = l->order, .loc = l->loc };
        }
        return n;
}

static int decision_from_cands(const Builder *b, Decision *d, Abi abi, size_t slot, const CandList *cl) {
        Cand local[16], *c = local, *implied = b->implied;
        size_t n, n_implied, n_rules = 0, n_cmp = 0;
        ArgCmp *cmp;

        /* d is zero, as the arena gave it. */
        d->action = SECCOMP_RET_ALLOW;
        d->layer = LAYER_NONE;
        n_implied = cands_implied(b, abi, slot, implied);
        if (!cl->last && n_implied == 0)
                return 0;
        n = cands_count(cl) + n_implied;
        if (n == 1 && !(cl->last ? cl->last : implied)->cmp) {
                /* Most numbers: one unconditional candidate decides. */
                const Cand *one = cl->last ? cl->last : implied;

                d->action = one->action;
                d->layer = b->layers[one->order].source;
                d->loc = one->loc;
                return 0;
        }
        if (n > ELEMENTSOF(local)) {
                c = arena_alloc_array(b->scratch, n, sizeof(Cand));
                if (!c)
                        return -ENOMEM;
        }
        n = cands_sorted(cl, implied, n_implied, c);

        /* The first unconditional candidate decides whatever no earlier rule matched. */
        for (size_t i = 0; i < n; i++) {
                if (!c[i].cmp) {
                        d->action = c[i].action;
                        d->layer = b->layers[c[i].order].source;
                        d->loc = c[i].loc;
                        break;
                }
                n_rules++;
        }

        /* Rules at the end that give the fallback's action anyway change nothing. */
        while (n_rules > 0 && c[n_rules - 1].action == d->action)
                n_rules--;
        if (n_rules == 0)
                return 0;

        /* The rules and all their comparisons in two blocks of the policy's arena. */
        for (size_t i = 0; i < n_rules; i++)
                n_cmp += c[i].n_cmp;
        d->rules = arena_alloc_array(b->arena, n_rules, sizeof(ArgRule));
        cmp = arena_alloc_array(b->arena, n_cmp, sizeof(ArgCmp));
        if (!d->rules || !cmp)
                return -ENOMEM;
        for (size_t i = 0; i < n_rules; i++) {
                memcpy(cmp, c[i].cmp, c[i].n_cmp * sizeof(ArgCmp));
                d->rules[i] = (ArgRule) { .cmp = cmp, .n_cmp = c[i].n_cmp, .action = c[i].action,
                                          .layer = b->layers[c[i].order].source, .loc = c[i].loc };
                cmp += c[i].n_cmp;
        }
        d->n_rules = n_rules;
        return 0;
}

/* ---- one layer's entries ---- */

/* Forget everything the current layer said about abi. What the entries pointed to stays in the
 * scratch arena: candidates may share it. */
static void layer_entries_clear(Builder *b, Abi abi) {
        for (size_t i = 0; i < b->n_touched[abi]; i++)
                b->entries[abi][b->touched[abi][i]] = (LayerEntry) {};
        b->n_touched[abi] = 0;
}

static LayerEntry *layer_entry(Builder *b, Abi abi, uint32_t nr) {
        uint32_t i = nr - b->policy->abi[abi].nr_first;
        LayerEntry *e = &b->entries[abi][i];

        if (!e->touched) {
                b->touched[abi][b->n_touched[abi]++] = i;       /* room for every slot */
                e->touched = true;
        }
        return e;
}

static bool is_power_of_two(size_t n) {
        return n > 0 && (n & (n - 1)) == 0;
}

static int entry_add(Builder *b, LayerEntry *e, uint32_t action, const ArgCmp *cmp, size_t n_cmp, const SourceLoc *loc) {
        /* libseccomp's database: an unconditional rule makes conditional ones redundant, whichever
         * came first; the first unconditional rule stays. */
        if (n_cmp == 0) {
                if (e->uncond)
                        return 0;
                e->n_rules = 0;
                e->uncond = true;
                e->action = action;
                e->loc = *loc;
                return 0;
        }
        if (e->uncond)
                return 0;

        if (e->n_rules == UINT16_MAX)
                return -E2BIG;
        /* Rules are only added before any unconditional one: n_rules counts them all. */
        if (e->n_rules == 0 || (e->n_rules >= 4 && is_power_of_two(e->n_rules))) {
                e->rules = arena_grow(b->scratch, e->n_rules == 0 ? NULL : e->rules, e->n_rules,
                                      MAX(e->n_rules * 2, (size_t) 4), sizeof(EntryRule));
                if (!e->rules)
                        return -ENOMEM;
        }
        if (e->n_rules > 0 && e->rules[0].action != action)
                e->mixed = true;
        e->rules[e->n_rules++] = (EntryRule) { .cmp = cmp, .n_cmp = n_cmp, .action = action, .loc = *loc };
        return 0;
}

/* The number of syscall id on abi, from the builder's map (abi must have its tables), or
 * SYSCALL_NR_NONE. */
static int64_t builder_nr(const Builder *b, Abi abi, int id) {
        uint32_t slot;

        if (id < 0 || (size_t) id >= b->n_syscalls)
                return SYSCALL_NR_NONE;
        slot = b->slot_by_id[abi][id];
        return slot == 0 ? SYSCALL_NR_NONE : (int64_t) b->policy->abi[abi].nr_first + slot - 1;
}

/* On ABIs that multiplex socket and IPC calls, the socketcall()/ipc() rule libseccomp adds for a
 * rule on the direct call. Returns 1 if there is one. */
static int layer_add_muxed(Builder *b, Abi abi, int id, uint32_t action, const ArgCmp *rule_cmp, size_t n_cmp,
                           bool rewrite, const SourceLoc *loc) {
        const AbiMultiplexed *m;
        ArgCmp *cmp;
        size_t n = 1;
        int64_t nr;
        int r;

        m = abi_multiplexed(syscall_name(id));
        if (!m)
                return 0;
        nr = builder_nr(b, abi, m->ipc ? b->ipc_id : b->socketcall_id);
        if (nr == SYSCALL_NR_NONE)
                return 0;

        /* seccomp_rule_add_exact() refuses comparisons on a multiplexed call; seccomp_rule_add()
         * puts the call number in place of argument 0's. */
        if (n_cmp > 0 && !rewrite)
                return -EINVAL;
        cmp = arena_alloc_array(b->scratch, 1 + n_cmp, sizeof(ArgCmp));
        if (!cmp)
                return -ENOMEM;
        cmp[0] = CMP(0, ARG_EQ, m->call);
        for (size_t i = 0; i < n_cmp; i++)
                if (rule_cmp[i].arg != 0)
                        cmp[n++] = rule_cmp[i];

        r = entry_add(b, layer_entry(b, abi, (uint32_t) nr), action, cmp, n, loc);
        return r < 0 ? r : 1;
}

/* Add a rule for syscall id on abi (the layer is installed there). -EDOM when the call does not
 * exist there. */
static int layer_add(Builder *b, Abi abi, int id, uint32_t action, const ArgCmp *cmp, size_t n_cmp, bool rewrite,
                     const SourceLoc *loc) {
        int64_t nr;
        int muxed = 0;

        if (abi_info[abi].socketcall) {
                muxed = layer_add_muxed(b, abi, id, action, cmp, n_cmp, rewrite, loc);
                if (muxed < 0)
                        return muxed;
        }

        nr = builder_nr(b, abi, id);
        if (nr == SYSCALL_NR_NONE) {
                if (muxed)
                        return 0;
                return diag_log(b->diag, DIAG_DEBUG, loc, EDOM, "%s: %s() does not exist on %s, skipping: %m",
                                policy_layer_to_directive(b->layer->source), syscall_name(id), abi_to_name(abi));
        }

        return entry_add(b, layer_entry(b, abi, (uint32_t) nr), action, cmp, n_cmp, loc);
}

static bool rule_valid(const Builder *b, const LayerRule *r) {
        if (r->syscall < 0 || (size_t) r->syscall >= b->n_syscalls || (r->n_cmp > 0 && !r->cmp))
                return false;
        for (size_t i = 0; i < r->n_cmp; i++)
                if (r->cmp[i].arg >= ARG_CMP_ARGS || r->cmp[i].op >= _ARG_OP_MAX)
                        return false;
        return true;
}

/* ---- one layer's candidates ---- */

/* Candidates for action under cmp[0…n_cmp) and, for each of the excluded rules, one of its
 * comparisons negated: every combination, so that together they hold exactly where cmp holds
 * and no excluded rule does. Combinations that cannot hold are left out. */
static int cands_add_excluding(Builder *b, CandList *l, uint32_t action, SourceLoc loc, const ArgCmp *cmp,
                               size_t n_cmp, const EntryRule *const *excl, size_t n_excl, unsigned bits) {
        size_t terms = 1, local[16] = {}, *pick = local;

        if (n_excl > ELEMENTSOF(local)) {
                pick = arena_alloc_array(b->scratch, n_excl, sizeof(size_t));
                if (!pick)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n_excl; i++) {
                if (excl[i]->n_cmp == 0)
                        return 0;       /* an unconditional rule comes first: nothing left */
                if (terms > TERMS_MAX / excl[i]->n_cmp)
                        return -E2BIG;
                terms *= excl[i]->n_cmp;
        }

        for (size_t t = 0; t < terms; t++) {
                ArgCmp *c = arena_alloc_array(b->scratch, n_cmp + n_excl, sizeof(ArgCmp));
                bool possible = true;
                size_t n = n_cmp;
                int r;

                if (!c)
                        return -ENOMEM;
                if (n_cmp > 0)
                        memcpy(c, cmp, n_cmp * sizeof(ArgCmp));
                for (size_t i = 0; i < n_excl; i++)
                        c[n++] = arg_cmp_negate(excl[i]->cmp[pick[i]]);
                /* With one combination only, it stays as it is (the decision keeps its shape). */
                for (size_t i = 0; terms > 1 && i < n && possible; i++)
                        for (size_t j = i + 1; j < n && possible; j++)
                                possible = !arg_cmps_disjoint(&c[i], &c[j], bits);
                if (possible) {
                        r = cand_add(b, l, action, loc, c, n);
                        if (r < 0)
                                return r;
                }

                /* The next combination. */
                for (size_t i = 0; i < n_excl; i++) {
                        if (++pick[i] < excl[i]->n_cmp)
                                break;
                        pick[i] = 0;
                }
        }
        return 0;
}

/* Whether two rules' comparisons may hold for one call. */
static bool rules_may_overlap(const EntryRule *x, const EntryRule *y, unsigned bits) {
        for (size_t i = 0; i < x->n_cmp; i++)
                for (size_t j = 0; j < y->n_cmp; j++)
                        if (arg_cmps_disjoint(&x->cmp[i], &y->cmp[j], bits))
                                return false;
        return true;
}

/* The candidates one number gets from the current layer. */
static int layer_slot_end(Builder *b, Abi abi, size_t i) {
        const AbiPolicy *a = &b->policy->abi[abi];
        const LayerEntry *e = &b->entries[abi][i];
        CandList *l = &b->cands[abi][i];
        bool unassigned = i == a->n || !bitmap_test(b->assigned[abi], i);
        uint32_t def = unassigned ? b->layer->unassigned_action : b->layer->default_action;
        unsigned bits = abi_info[abi].arg_bits;
        const EntryRule *local[16], **excl = local;
        size_t n_excl;
        int r;

        if (e->uncond)
                return cand_add(b, l, e->action, e->loc, NULL, 0);
        if (e->n_rules == 0)
                return cand_add(b, l, def, b->layer->loc, NULL, 0);

        if (!e->mixed && (def == SECCOMP_RET_ALLOW || def == e->rules[0].action)) {
                /* One action: the rules stand as they are, the default needs no exclusions. */
                for (size_t j = 0; j < e->n_rules; j++) {
                        r = cand_add(b, l, e->rules[j].action, e->rules[j].loc, e->rules[j].cmp, e->rules[j].n_cmp);
                        if (r < 0)
                                return r;
                }
                return def == SECCOMP_RET_ALLOW ? 0 : cand_add(b, l, def, b->layer->loc, NULL, 0);
        }

        if (e->n_rules > ELEMENTSOF(local)) {
                excl = arena_alloc_array(b->scratch, e->n_rules, sizeof(EntryRule *));
                if (!excl)
                        return -ENOMEM;
        }

        /* A rule decides where no earlier rule matched: the earlier ones that would give a less
         * restrictive action for the same call are excluded from its candidate. */
        for (size_t j = 0; j < e->n_rules; j++) {
                const EntryRule *rule = &e->rules[j];

                if (rule->action == SECCOMP_RET_ALLOW)
                        continue;
                n_excl = 0;
                for (size_t k = 0; e->mixed && k < j; k++)
                        if (action_compare(e->rules[k].action, rule->action) > 0 &&
                            rules_may_overlap(&e->rules[k], rule, bits))
                                excl[n_excl++] = &e->rules[k];
                r = n_excl == 0 ?
                        cand_add(b, l, rule->action, rule->loc, rule->cmp, rule->n_cmp) :
                        cands_add_excluding(b, l, rule->action, rule->loc, rule->cmp, rule->n_cmp, excl, n_excl, bits);
                if (r < 0)
                        return r;
        }

        /* The default applies when none of the rules matched. When it restricts (an allow-list's
         * socketcall(): only the allowed calls pass), it becomes a candidate under the negation
         * of the rules that say something else. */
        if (def == SECCOMP_RET_ALLOW)
                return 0;
        n_excl = 0;
        for (size_t k = 0; k < e->n_rules; k++)
                if (e->rules[k].action != def)
                        excl[n_excl++] = &e->rules[k];
        return cands_add_excluding(b, l, def, b->layer->loc, NULL, 0, excl, n_excl, bits);
}

static int layer_end(Builder *b) {
        const Layer *layer = b->layer;
        /* Most layers allow by default: only the numbers they named need looking at. */
        bool sparse = layer->default_action == SECCOMP_RET_ALLOW && layer->unassigned_action == SECCOMP_RET_ALLOW;
        DenseLayer *dense = NULL;
        int r = 0;

        /* The others: the numbers they did not name get their default, implied (DenseLayer). */
        if (!sparse && b->layer_abis != 0) {
                dense = &b->dense[b->n_dense++];
                *dense = (DenseLayer) {
                        .order = b->order,
                        .abis = b->layer_abis,
                        .action = layer->default_action,
                        .other = layer->unassigned_action,
                        .loc = layer->loc,
                };
        }

        FOREACH_ABI_IN(abi, b->layer_abis) {
                if (dense) {
                        dense->named[abi] = arena_alloc_array(b->scratch, abi_slots(b->policy, abi) / 64 + 1,
                                                              sizeof(uint64_t));
                        if (!dense->named[abi])
                                return -ENOMEM;
                }
                for (size_t i = 0; i < b->n_touched[abi] && r >= 0; i++) {
                        uint32_t slot = b->touched[abi][i];

                        r = layer_slot_end(b, abi, slot);
                        if (dense)
                                dense->named[abi][slot / 64] |= UINT64_C(1) << (slot % 64);
                }
                if (r < 0)
                        return r;
        }

        FOREACH_ABI_IN(abi, b->tables)
                layer_entries_clear(b, abi);
        return 0;
}

static int layer_merge(Builder *b, size_t order) {
        const Layer *layer = &b->layers[order];
        AbiSet abis = 0;
        int r;

        b->order = (uint16_t) order;
        b->layer = layer;

        /* ABIs whose every call some layer kills have no tables: nothing to do there. */
        abis = b->tables;
        b->layer_abis = layer->abis & abis;

        /* The table first, call by call, on every ABI (not required: nothing is dropped). */
        if (layer->actions) {
                Abi list[_ABI_MAX];
                size_t n_abis = 0;

                FOREACH_ABI_IN(abi, b->layer_abis)
                        list[n_abis++] = abi;
                for (size_t id = 0; id < b->n_syscalls; id++) {
                        uint32_t action = layer->actions[id];

                        if (action == LAYER_NO_ACTION)
                                continue;
                        for (size_t k = 0; k < n_abis; k++) {
                                r = layer_add(b, list[k], (int) id, action, NULL, 0, false, &layer->locs[id]);
                                if (r < 0 && r != -EDOM)
                                        return r;
                        }
                }
        }

        /* Then the rules, ABI by ABI: one that cannot be added where it is required drops the
         * whole ABI. */
        for (size_t i = 0; i < layer->n_rules; i++)
                if (!rule_valid(b, &layer->rules[i]))
                        return -EINVAL;
        FOREACH_ABI_IN(abi, b->layer_abis)
                for (size_t i = 0; i < layer->n_rules; i++) {
                        const LayerRule *rule = &layer->rules[i];

                        if (!(rule->abis & ABI_BIT(abi)))
                                continue;
                        r = layer_add(b, abi, rule->syscall, rule->action, rule->cmp, rule->n_cmp, rule->rewrite, &rule->loc);
                        if (r == -EDOM && rule->required) {
                                layer_entries_clear(b, abi);
                                b->layer_abis &= ~ABI_BIT(abi);
                                break;
                        }
                        if (r < 0 && r != -EDOM)
                                return r;
                }

        r = layer_end(b);
        if (r < 0)
                return r;

        /* Its bad-arch action, for every number of the other ABIs. */
        if (layer->badarch_action != SECCOMP_RET_ALLOW && (abis & ~layer->abis) != 0)
                b->dense[b->n_dense++] = (DenseLayer) {
                        .order = b->order,
                        .abis = abis & ~layer->abis,
                        .action = layer->badarch_action,
                        .other = layer->badarch_action,
                        .loc = layer->loc,
                };
        return 0;
}

/* ---- the ABIs ---- */

/* An ABI whose calls a layer's bad-arch action kills, when no other layer can do more: it is
 * decided once and for all (systemd's SystemCallArchitectures=, after which no filter is
 * installed for the ABI). Returns the layer, or -1. */
static ssize_t abi_killed_by(const Builder *b, Abi abi) {
        ssize_t by = -1;

        for (size_t i = 0; i < b->n_layers; i++) {
                const Layer *l = &b->layers[i];

                if (!(l->abis & ABI_BIT(abi)) &&
                    (by < 0 || action_compare(l->badarch_action, b->layers[by].badarch_action) <= 0))
                        by = (ssize_t) i;
        }
        if (by < 0 || action_compare(b->layers[by].badarch_action, SECCOMP_RET_KILL_THREAD) > 0)
                return -1;

        /* Nothing installed on the ABI may give a more restrictive action, or an equal one later. */
        for (size_t i = 0; i < b->n_layers; i++) {
                const Layer *l = &b->layers[i];
                uint32_t killed = b->layers[by].badarch_action;
                int later = i > (size_t) by ? 1 : 0;

                if (!(l->abis & ABI_BIT(abi)))
                        continue;
                if (action_compare(l->default_action, killed) < later ||
                    action_compare(l->unassigned_action, killed) < later)
                        return -1;
                for (size_t j = 0; j < l->n_rules; j++)
                        if ((l->rules[j].abis & ABI_BIT(abi)) && action_compare(l->rules[j].action, killed) < later)
                                return -1;
                for (size_t id = 0; l->actions && id < b->n_syscalls; id++)
                        if (l->actions[id] != LAYER_NO_ACTION && action_compare(l->actions[id], killed) < later)
                                return -1;
        }
        return by;
}

static int abi_policies_alloc(Builder *b) {
        Policy *p = b->policy;
        AbiSet killed = 0;
        size_t slots = 0;

        ABI_SET_FOREACH(abi, p->abis) {
                ssize_t by = abi_killed_by(b, abi);
                AbiPolicy *a = &p->abi[abi];

                a->present = true;
                a->nr_first = syscall_nr_min(abi);
                if (by < 0)
                        continue;
                killed |= ABI_BIT(abi);
                a->other = (Decision) {
                        .action = b->layers[by].badarch_action,
                        .layer = b->layers[by].source,
                        .loc = b->layers[by].loc,
                };
        }

        /* What the tables below take, and some room for the candidates and rules: faulted in at
         * once. */
        ABI_SET_FOREACH(abi, p->abis & ~killed)
                slots += syscall_nr_max(abi) - syscall_nr_min(abi) + 2;
        arena_prefault(b->arena, sizeof(Policy) + slots * sizeof(Decision) + 8192);
        arena_prefault(b->scratch, slots * (sizeof(CandList) + sizeof(LayerEntry) + sizeof(uint32_t) + 1) + 12288);

        b->tables = p->abis & ~killed;
        ABI_SET_FOREACH(abi, b->tables) {
                AbiPolicy *a = &p->abi[abi];

                a->allowed = true;
                a->n = syscall_nr_max(abi) - a->nr_first + 1;
                a->by_nr = arena_alloc_array(b->arena, a->n, sizeof(Decision));
                b->cands[abi] = arena_alloc_array(b->scratch, a->n + 1, sizeof(CandList));
                b->entries[abi] = arena_alloc_array(b->scratch, a->n + 1, sizeof(LayerEntry));
                b->touched[abi] = arena_alloc_array(b->scratch, a->n + 1, sizeof(uint32_t));
                b->assigned[abi] = a->assigned = arena_alloc_array(b->arena, a->n / 64 + 1, sizeof(uint64_t));
                b->slot_by_id[abi] = arena_alloc_array(b->scratch, syscall_count(), sizeof(uint32_t));
                if (!a->by_nr || !b->cands[abi] || !b->entries[abi] || !b->touched[abi] || !b->assigned[abi] ||
                    !b->slot_by_id[abi])
                        return -ENOMEM;
                syscall_nrs_mark(abi, b->assigned[abi]);
                syscall_slots_by_id(abi, b->slot_by_id[abi]);
        }
        return 0;
}

static int decisions_merge(Builder *b) {
        Policy *p = b->policy;

        b->implied = arena_alloc_array(b->scratch, MAX(b->n_dense, (size_t) 1), sizeof(Cand));
        if (!b->implied)
                return -ENOMEM;

        ABI_SET_FOREACH(abi, p->abis) {
                AbiPolicy *a = &p->abi[abi];

                if (!a->allowed)
                        continue;       /* decided once and for all by abi_policies_alloc() */

                for (uint32_t i = 0; i <= a->n; i++) {
                        int r = decision_from_cands(b, i < a->n ? &a->by_nr[i] : &a->other, abi, i, &b->cands[abi][i]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int policy_merge(Policy *p, const Layer *layers, size_t n, Diag *diag, Arena *scratch) {
        Builder b = {
                .policy = p,
                .diag = diag,
                .layers = layers,
                .n_layers = n,
                .arena = &p->arena,
                .scratch = scratch,
                .socketcall_id = syscall_from_name("socketcall"),
                .ipc_id = syscall_from_name("ipc"),
                .n_syscalls = syscall_count(),
        };
        size_t n_dense = 0;
        int r;

        if (n > UINT16_MAX || (n > 0 && !layers))
                return -EINVAL;

        r = abi_policies_alloc(&b);
        if (r < 0)
                return r;

        /* Room for each layer whose default restricts and each bad-arch action. */
        for (size_t i = 0; i < n; i++)
                n_dense += (layers[i].default_action != SECCOMP_RET_ALLOW || layers[i].unassigned_action != SECCOMP_RET_ALLOW) +
                        (layers[i].badarch_action != SECCOMP_RET_ALLOW);
        if (n_dense > 0) {
                b.dense = arena_alloc_array(scratch, n_dense, sizeof(DenseLayer));
                if (!b.dense)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                r = layer_merge(&b, i);
                if (r < 0)
                        return r;
        }
        return decisions_merge(&b);
}
