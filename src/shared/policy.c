/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The policy builder and the merge: every layer's verdict for every (ABI, nr) becomes a list of
 * candidates; the kernel's precedence orders them; the first unconditional candidate ends the
 * list. What remains is the decision the megafilter and the argument filter implement. */

#include "action.h"
#include "policy-builder.h"
#include "syscall-table.h"

struct Cand {
        SourceLoc loc;
        ArgCmp *cmp;                    /* NULL: unconditional; in the scratch arena, shared */
        Cand *prev;                     /* the candidate of the same number that came before */
        uint32_t action;
        uint16_t n_cmp;
        uint8_t layer;                  /* PolicyLayer */
};

/* The candidates of one number, newest first. */
struct CandList {
        Cand *last;
};

typedef struct LayerRule {
        ArgCmp *cmp;
        size_t n_cmp;
        uint32_t action;
        SourceLoc loc;
} LayerRule;

struct LayerEntry {
        SourceLoc loc;
        LayerRule *rules;               /* room for n_rules rounded up to a power of two, 4 at least */
        uint32_t action;
        uint16_t n_rules;
        bool touched;                   /* listed in the builder's touched[] */
        bool uncond;                    /* an unconditional rule: it overrides every conditional one */
};

static const char *const layer_directives[_LAYER_MAX] = {
        [LAYER_PROTECT_HOSTNAME] = "ProtectHostname=",
        [LAYER_ADDRESS_FAMILIES] = "RestrictAddressFamilies=",
        [LAYER_MEMORY_DENY_WRITE_EXECUTE] = "MemoryDenyWriteExecute=",
        [LAYER_RESTRICT_REALTIME] = "RestrictRealtime=",
        [LAYER_RESTRICT_SUID_SGID] = "RestrictSUIDSGID=",
        [LAYER_RESTRICT_NAMESPACES] = "RestrictNamespaces=",
        [LAYER_PROTECT_KERNEL_TUNABLES] = "ProtectKernelTunables=",
        [LAYER_PROTECT_KERNEL_MODULES] = "ProtectKernelModules=",
        [LAYER_PROTECT_KERNEL_LOGS] = "ProtectKernelLogs=",
        [LAYER_PROTECT_CLOCK] = "ProtectClock=",
        [LAYER_PRIVATE_DEVICES] = "PrivateDevices=",
        [LAYER_SYSCALL_ARCHITECTURES] = "SystemCallArchitectures=",
        [LAYER_LOCK_PERSONALITY] = "LockPersonality=",
        [LAYER_SYSCALL_LOG] = "SystemCallLog=",
        [LAYER_SYSCALL_FILTER] = "SystemCallFilter=",
};

const char *policy_layer_to_directive(PolicyLayer l) {
        return l >= 0 && l < _LAYER_MAX ? layer_directives[l] : NULL;
}

/* ---- comparisons and evaluation ---- */

bool arg_cmp_holds(const ArgCmp *c, uint64_t value, unsigned arg_bits) {
        uint64_t v = value, d = c->datum, m = c->mask;

        if (arg_bits == 32) {
                v &= UINT32_MAX;
                d &= UINT32_MAX;
                m &= UINT32_MAX;
        }

        switch (c->op) {
        case ARG_EQ:
                return v == d;
        case ARG_NE:
                return v != d;
        case ARG_LT:
                return v < d;
        case ARG_LE:
                return v <= d;
        case ARG_GT:
                return v > d;
        case ARG_GE:
                return v >= d;
        case ARG_MASKED_EQ:
                return (v & m) == d;
        case ARG_MASKED_NE:
                return (v & m) != d;
        default:
                return false;
        }
}

uint32_t decision_evaluate(const Decision *d, const uint64_t args[6], unsigned arg_bits, const ArgRule **ret_rule) {
        for (size_t i = 0; i < d->n_rules; i++) {
                const ArgRule *r = &d->rules[i];
                bool all = true;

                for (size_t j = 0; j < r->n_cmp && all; j++)
                        all = arg_cmp_holds(&r->cmp[j], args[r->cmp[j].arg], arg_bits);
                if (all) {
                        if (ret_rule)
                                *ret_rule = r;
                        return r->action;
                }
        }
        if (ret_rule)
                *ret_rule = NULL;
        return d->action;
}

Abi policy_abi_of(const Policy *p, uint32_t arch, uint32_t nr) {
        ABI_SET_FOREACH(a, p->abis) {
                if (abi_info[a].audit_arch != arch)
                        continue;
                /* x86-64 and x32 share an audit arch. Like libseccomp, every number from the
                 * x32 bit up is x32's, except -1, which a tracer uses to skip a call and which
                 * libseccomp keeps on x86-64. */
                if (a == ABI_X86_64 && nr >= abi_info[ABI_X32].nr_bias && nr != UINT32_MAX &&
                    (p->abis & ABI_BIT(ABI_X32)))
                        continue;
                if (a == ABI_X32 && (nr < abi_info[ABI_X32].nr_bias || nr == UINT32_MAX))
                        continue;
                return a;
        }
        return _ABI_INVALID;
}

const Decision *policy_decision(const Policy *p, Abi abi, uint32_t nr) {
        const AbiPolicy *a = &p->abi[abi];

        if (nr >= a->nr_first && nr - a->nr_first < a->n)
                return &a->by_nr[nr - a->nr_first];
        return &a->other;
}

uint32_t policy_evaluate(const Policy *p, const struct seccomp_data *sd) {
        Abi abi = policy_abi_of(p, sd->arch, sd->nr);

        if (abi < 0)
                return SECCOMP_RET_KILL_PROCESS;
        return decision_evaluate(policy_decision(p, abi, sd->nr), (const uint64_t *) sd->args,
                                 abi_info[abi].arg_bits, NULL);
}

bool abi_policy_has_rules(const AbiPolicy *a) {
        if (!a->present)
                return false;
        for (uint32_t i = 0; i < a->n; i++)
                if (a->by_nr[i].n_rules > 0)
                        return true;
        return a->other.n_rules > 0;
}

/* ---- candidates ---- */

/* cmp must stay as it is until the decisions are made (it is in the scratch arena). */
static int cand_add(Builder *b, CandList *l, uint32_t action, SourceLoc loc, ArgCmp *cmp, size_t n_cmp) {
        Cand *c;

        if (action == SECCOMP_RET_ALLOW)
                return 0;       /* the least restrictive action never wins over anything */
        if (n_cmp > UINT16_MAX)
                return -EINVAL;
        if (b->cand_block_left == 0) {
                b->cand_block = arena_alloc_array(b->scratch, 64, sizeof(Cand));
                if (!b->cand_block)
                        return -ENOMEM;
                b->cand_block_left = 64;
        }

        c = b->cand_block++;
        b->cand_block_left--;
        *c = (Cand) { .action = action, .layer = (uint8_t) b->layer, .loc = loc, .prev = l->last };
        if (n_cmp > 0) {
                c->cmp = cmp;
                c->n_cmp = (uint16_t) n_cmp;
        }
        l->last = c;
        return 0;
}

/* More restrictive first; among equals the newer layer first, as the kernel keeps the first
 * filter it ran (the newest) on a tie. */
static int cand_compare(const void *x, const void *y) {
        const Cand *a = x, *b = y;
        int r = action_compare(a->action, b->action);

        if (r != 0)
                return r;
        return (int) b->layer - (int) a->layer;
}

/* The candidates of one number, in the kernel's order. */
static size_t cands_count(const CandList *cl) {
        size_t n = 0;

        for (const Cand *c = cl->last; c; c = c->prev)
                n++;
        return n;
}

/* out has room for every candidate and each implied one. */
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
static size_t cands_implied(const Builder *b, Abi abi, size_t i, Cand out[static _LAYER_MAX]) {
        const AbiPolicy *a = &b->policy->abi[abi];
        bool unassigned = i == a->n || !bitmap_test(b->assigned[abi], i);
        size_t n = 0;

        for (size_t k = 0; k < b->n_dense; k++) {
                const DenseLayer *l = &b->dense[k];
                uint32_t action = unassigned ? l->other : l->action;

                if (!(l->abis & ABI_BIT(abi)) || bitmap_test(l->named[abi], i) || action == SECCOMP_RET_ALLOW)
                        continue;
                out[n++] = (Cand) { .action = action, .layer = (uint8_t) l->layer, .loc = l->loc };
        }
        return n;
}

static int decision_from_cands(const Builder *b, Decision *d, Abi abi, size_t slot, const CandList *cl) {
        Cand local[16], *c = local, implied[_LAYER_MAX];
        size_t n, n_implied, n_rules = 0, n_cmp = 0;
        ArgCmp *cmp;

        *d = (Decision) { .action = SECCOMP_RET_ALLOW, .layer = LAYER_NONE };
        n_implied = cands_implied(b, abi, slot, implied);
        if (!cl->last && n_implied == 0)
                return 0;
        n = cands_count(cl) + n_implied;
        if (n == 1 && !(cl->last ? cl->last : implied)->cmp) {
                /* Most numbers: one unconditional candidate decides. */
                const Cand *one = cl->last ? cl->last : implied;

                d->action = one->action;
                d->layer = (PolicyLayer) one->layer;
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
                        d->layer = (PolicyLayer) c[i].layer;
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
                                          .layer = (PolicyLayer) c[i].layer, .loc = c[i].loc };
                cmp += c[i].n_cmp;
        }
        d->n_rules = n_rules;
        return 0;
}

/* ---- layers ---- */

static size_t abi_slots(const Policy *p, Abi abi) {
        return p->abi[abi].n + 1;       /* every number in the table's range, then "other" */
}

static void entry_clear(LayerEntry *e) {
        *e = (LayerEntry) {};   /* what it pointed to stays in the scratch arena: candidates may share it */
}

/* Forget everything the current layer said about abi. */
static void layer_entries_clear(Builder *b, Abi abi) {
        for (size_t i = 0; i < b->n_touched[abi]; i++)
                entry_clear(&b->entries[abi][b->touched[abi][i]]);
        b->n_touched[abi] = 0;
}

void layer_begin(Builder *b, PolicyLayer layer, AbiSet abis, uint32_t default_action, SourceLoc loc) {
        AbiSet allowed = 0;

        ABI_SET_FOREACH(a, b->policy->abis)
                if (b->policy->abi[a].allowed)
                        allowed |= ABI_BIT(a);

        b->layer = layer;
        b->layer_abis = abis & allowed;
        b->layer_default = default_action;
        b->layer_default_loc = loc;
        b->layer_other_set = false;
}

void layer_set_other(Builder *b, uint32_t action) {
        b->layer_other_set = true;
        b->layer_other = action;
}

void layer_drop_abi(Builder *b, Abi abi) {
        layer_entries_clear(b, abi);
        b->layer_abis &= ~ABI_BIT(abi);
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

static int entry_add(Builder *b, LayerEntry *e, uint32_t action, const ArgCmp *cmp, size_t n_cmp, SourceLoc loc) {
        LayerRule *r;

        /* libseccomp's database: an unconditional rule makes conditional ones redundant, whichever
         * came first; the first unconditional rule stays. */
        if (n_cmp == 0) {
                if (e->uncond)
                        return 0;
                e->n_rules = 0;
                e->uncond = true;
                e->action = action;
                e->loc = loc;
                return 0;
        }
        if (e->uncond)
                return 0;

        if (e->n_rules == UINT16_MAX)
                return -ENOMEM;
        /* Rules are only added before any unconditional one: n_rules counts them all. */
        if (e->n_rules == 0 || (e->n_rules >= 4 && is_power_of_two(e->n_rules))) {
                e->rules = arena_grow(b->scratch, e->n_rules == 0 ? NULL : e->rules, e->n_rules,
                                      MAX(e->n_rules * 2, (size_t) 4), sizeof(LayerRule));
                if (!e->rules)
                        return -ENOMEM;
        }
        r = &e->rules[e->n_rules];
        *r = (LayerRule) { .n_cmp = n_cmp, .action = action, .loc = loc };
        r->cmp = arena_alloc_array(b->scratch, n_cmp, sizeof(ArgCmp));
        if (!r->cmp)
                return -ENOMEM;
        memcpy(r->cmp, cmp, n_cmp * sizeof(ArgCmp));
        e->n_rules++;
        return 0;
}

/* The call numbers socketcall() and ipc() take for the calls they multiplex (linux/net.h,
 * linux/ipc.h); libseccomp adds a rule for them whenever a rule names the direct call. */
typedef struct Multiplexed {
        const char *name;
        bool ipc;
        uint32_t call;
} Multiplexed;

/* Sorted by name. */
static const Multiplexed multiplexed[] = {
        { "accept", false, 5 },         { "accept4", false, 18 },       { "bind", false, 2 },
        { "connect", false, 3 },        { "getpeername", false, 7 },    { "getsockname", false, 6 },
        { "getsockopt", false, 15 },    { "listen", false, 4 },         { "msgctl", true, 14 },
        { "msgget", true, 13 },         { "msgrcv", true, 12 },         { "msgsnd", true, 11 },
        { "recv", false, 10 },          { "recvfrom", false, 12 },      { "recvmmsg", false, 19 },
        { "recvmsg", false, 17 },       { "semctl", true, 3 },          { "semget", true, 2 },
        { "semop", true, 1 },           { "semtimedop", true, 4 },      { "send", false, 9 },
        { "sendmmsg", false, 20 },      { "sendmsg", false, 16 },       { "sendto", false, 11 },
        { "setsockopt", false, 14 },    { "shmat", true, 21 },          { "shmctl", true, 24 },
        { "shmdt", true, 22 },          { "shmget", true, 23 },         { "shutdown", false, 13 },
        { "socket", false, 1 },         { "socketpair", false, 8 },
};

static int multiplexed_compare(const void *key, const void *m) {
        return strcmp(key, ((const Multiplexed *) m)->name);
}

static int64_t abi_nr_of(Abi abi, const char *name) {
        int id = syscall_from_name(name);

        return id < 0 ? SYSCALL_NR_NONE : syscall_nr(abi, id);
}

/* The number of syscall id on abi, from the builder's map (abi must have its tables), or
 * SYSCALL_NR_NONE. */
static int64_t builder_nr(const Builder *b, Abi abi, int id) {
        uint32_t slot;

        if (id < 0 || (size_t) id >= syscall_count())
                return SYSCALL_NR_NONE;
        slot = b->slot_by_id[abi][id];
        return slot == 0 ? SYSCALL_NR_NONE : (int64_t) b->policy->abi[abi].nr_first + slot - 1;
}

static int layer_add(Builder *b, Abi abi, int id, uint32_t action, const ArgCmp *cmp, size_t n_cmp, SourceLoc loc) {
        bool muxed = false;
        LayerEntry *e;
        int64_t nr;
        int r;

        if (!(b->layer_abis & ABI_BIT(abi)))
                return 0;

        if (abi_info[abi].socketcall) {
                const Multiplexed *m = bsearch(syscall_name(id), multiplexed, ELEMENTSOF(multiplexed),
                                               sizeof(Multiplexed), multiplexed_compare);
                int64_t mux_nr = m ? abi_nr_of(abi, m->ipc ? "ipc" : "socketcall") : SYSCALL_NR_NONE;

                if (mux_nr != SYSCALL_NR_NONE) {
                        ArgCmp c = CMP(0, ARG_EQ, m->call);

                        /* libseccomp refuses argument rules on multiplexed calls; none of our
                         * layers makes one. */
                        if (n_cmp > 0)
                                return -EINVAL;
                        e = layer_entry(b, abi, (uint32_t) mux_nr);
                        if (!e)
                                return -ENOMEM;
                        r = entry_add(b, e, action, &c, 1, loc);
                        if (r < 0)
                                return r;
                        muxed = true;
                }
        }

        nr = builder_nr(b, abi, id);    /* the layer is installed on abi: abi has its tables */
        if (nr == SYSCALL_NR_NONE) {
                if (muxed)
                        return 0;
                return diag_log(b->diag, DIAG_DEBUG, &loc, EDOM, "%s: %s() does not exist on %s, skipping: %m",
                                policy_layer_to_directive(b->layer), syscall_name(id), abi_to_name(abi));
        }

        e = layer_entry(b, abi, (uint32_t) nr);
        if (!e)
                return -ENOMEM;
        return entry_add(b, e, action, cmp, n_cmp, loc);
}

static int name_to_id(Builder *b, const char *name) {
        unsigned k;
        int id;

        /* A layer names the same call in rule after rule (socket() once per address family):
         * the same literal, so its address is enough to find it again. */
        for (unsigned i = 0; i < MIN(b->n_recent, (unsigned) ELEMENTSOF(b->recent)); i++)
                if (b->recent[i].name == name)
                        return b->recent[i].id;

        id = syscall_from_name(name);
        /* Our layers only name syscalls of our own tables. */
        if (id < 0)
                return -EINVAL;
        k = b->n_recent++ % ELEMENTSOF(b->recent);
        b->recent[k].name = name;
        b->recent[k].id = id;
        return id;
}

int layer_syscall_id(Builder *b, Abi abi, int id, uint32_t action, SourceLoc loc) {
        return layer_add(b, abi, id, action, NULL, 0, loc);
}

int layer_syscall(Builder *b, Abi abi, const char *name, uint32_t action, SourceLoc loc) {
        int id = name_to_id(b, name);

        return id < 0 ? id : layer_add(b, abi, id, action, NULL, 0, loc);
}

int layer_rule(Builder *b, Abi abi, const char *name, uint32_t action, const ArgCmp *cmp, size_t n_cmp, SourceLoc loc) {
        int id = name_to_id(b, name);

        assert(n_cmp > 0);
        return id < 0 ? id : layer_add(b, abi, id, action, cmp, n_cmp, loc);
}

static ArgOp arg_op_negate(ArgOp op) {
        static const ArgOp negated[_ARG_OP_MAX] = {
                [ARG_EQ] = ARG_NE, [ARG_NE] = ARG_EQ,
                [ARG_LT] = ARG_GE, [ARG_GE] = ARG_LT,
                [ARG_GT] = ARG_LE, [ARG_LE] = ARG_GT,
                [ARG_MASKED_EQ] = ARG_MASKED_NE, [ARG_MASKED_NE] = ARG_MASKED_EQ,
        };
        return negated[op];
}

/* A layer's default applies when none of its rules for the call matched. When that default
 * restricts (an allow-list's socketcall(): only the allowed calls pass), it becomes a candidate
 * under the negation of the rules: expressible as long as every rule is one comparison. */
static int layer_default_cand(Builder *b, CandList *l, const LayerEntry *e, uint32_t action) {
        ArgCmp *neg;

        if (action == SECCOMP_RET_ALLOW)
                return 0;

        neg = arena_alloc_array(b->scratch, e->n_rules, sizeof(ArgCmp));
        if (!neg)
                return -ENOMEM;
        for (size_t i = 0; i < e->n_rules; i++) {
                if (e->rules[i].n_cmp != 1)
                        return -EINVAL;
                neg[i] = e->rules[i].cmp[0];
                neg[i].op = arg_op_negate(neg[i].op);
        }
        return cand_add(b, l, action, b->layer_default_loc, neg, e->n_rules);
}

/* The candidates one number gets from the current layer. */
static int layer_slot_end(Builder *b, Abi abi, size_t i) {
        const AbiPolicy *a = &b->policy->abi[abi];
        const LayerEntry *e = &b->entries[abi][i];
        CandList *l = &b->cands[abi][i];
        bool unassigned = i == a->n || !bitmap_test(b->assigned[abi], i);
        uint32_t def = unassigned && b->layer_other_set ? b->layer_other : b->layer_default;
        int r = 0;

        if (e->uncond)
                return cand_add(b, l, e->action, e->loc, NULL, 0);
        if (e->n_rules == 0)
                return cand_add(b, l, def, b->layer_default_loc, NULL, 0);

        for (size_t j = 0; j < e->n_rules && r >= 0; j++)
                r = cand_add(b, l, e->rules[j].action, e->rules[j].loc, e->rules[j].cmp, e->rules[j].n_cmp);
        if (r >= 0)
                r = layer_default_cand(b, l, e, def);
        return r;
}

int layer_end(Builder *b) {
        /* Most layers allow by default: only the numbers they named need looking at. */
        bool sparse = b->layer_default == SECCOMP_RET_ALLOW &&
                (!b->layer_other_set || b->layer_other == SECCOMP_RET_ALLOW);
        DenseLayer *dense = NULL;
        int r = 0;

        /* The others: the numbers they did not name get their default, implied (DenseLayer). */
        if (!sparse && b->layer_abis != 0) {
                if (!b->dense) {
                        b->dense = arena_alloc_array(b->scratch, _LAYER_MAX, sizeof(DenseLayer));
                        if (!b->dense)
                                return -ENOMEM;
                }
                if (b->n_dense >= _LAYER_MAX)
                        return -EINVAL;
                dense = &b->dense[b->n_dense++];
                *dense = (DenseLayer) {
                        .layer = b->layer,
                        .abis = b->layer_abis,
                        .action = b->layer_default,
                        .other = b->layer_other_set ? b->layer_other : b->layer_default,
                        .loc = b->layer_default_loc,
                };
        }

        ABI_SET_FOREACH(abi, b->layer_abis) {
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

        for (Abi abi = 0; abi < _ABI_MAX; abi++)
                if (b->entries[abi])
                        layer_entries_clear(b, abi);
        return 0;
}

/* ---- the policy ---- */

Policy *policy_free(Policy *p) {
        Arena a;

        if (!p)
                return NULL;
        a = p->arena;           /* p itself is in it */
        arena_done(&a);
        return NULL;
}

/* SystemCallArchitectures=: every call of an ABI not listed is killed. systemd never blocks the
 * native ABI (it still has to execve()), leaves the filter's bad-arch action at libseccomp's
 * default, SCMP_ACT_KILL_THREAD, and installs no later filter for a blocked ABI: so nothing
 * else decides for it, and it needs no per-number decisions. */
static AbiSet blocked_abis(const Builder *b) {
        const Directives *d = b->directives;

        if (d->syscall_archs == 0 && !d->syscall_archs_native)
                return 0;
        return b->policy->abis & ~(d->syscall_archs | ABI_BIT(b->policy->native));
}

static int abi_policies_alloc(Builder *b) {
        Policy *p = b->policy;
        AbiSet blocked = blocked_abis(b);
        size_t slots = 0;

        /* What the tables below take, and some room for the candidates and rules: faulted in at
         * once. */
        ABI_SET_FOREACH(abi, p->abis & ~blocked)
                slots += syscall_nr_max(abi) - syscall_nr_min(abi) + 2;
        arena_prefault(b->arena, sizeof(Policy) + slots * sizeof(Decision) + 8192);
        arena_prefault(b->scratch, slots * (sizeof(CandList) + sizeof(LayerEntry) + sizeof(uint32_t) + 1) + 24576);

        ABI_SET_FOREACH(abi, p->abis) {
                AbiPolicy *a = &p->abi[abi];

                a->present = true;
                a->nr_first = syscall_nr_min(abi);
                if (blocked & ABI_BIT(abi)) {
                        a->allowed = false;
                        a->other = (Decision) {
                                .action = SECCOMP_RET_KILL_THREAD,
                                .layer = LAYER_SYSCALL_ARCHITECTURES,
                                .loc = b->directives->syscall_archs_loc,
                        };
                        continue;
                }

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

int policy_build_in(const Directives *d, const PolicyOptions *o, Diag *diag, Arena *scratch, Policy **ret) {
        _cleanup_(policy_freep) Policy *p = NULL;
        Abi native = o && o->native >= 0 ? o->native : abi_native();
        Arena arena = {};
        Builder b;
        int r;

        /* The policy lives in its own arena: freed in one go. */
        p = arena_alloc(&arena, sizeof(Policy));
        if (!p) {
                arena_done(&arena);
                return -ENOMEM;
        }
        p->arena = arena;

        /* The scratch shares the policy's mapping when it can: nothing to map now or unmap
         * when the caller is done with it (the pages go with the policy). */
        (void) arena_lend(&p->arena, 512 * 1024, scratch);

        p->native = native;
        p->abis = abi_info[native].host_abis;
        p->mdwe_prctl = o && o->mdwe_prctl && d->memory_deny_write_execute.value;
        p->uses_seccomp = directives_use_seccomp(d);

        b = (Builder) { .policy = p, .directives = d, .options = o, .diag = diag, .arena = &p->arena, .scratch = scratch };

        r = abi_policies_alloc(&b);
        if (r >= 0)
                r = policy_add_layers(&b);
        if (r >= 0)
                r = decisions_merge(&b);
        if (r < 0) {
                arena_done(scratch);    /* while p, which may hold it, is still there */
                return r;
        }

        *ret = TAKE_PTR(p);
        return 0;
}

int policy_build(const Directives *d, const PolicyOptions *o, Diag *diag, Policy **ret) {
        Arena scratch = {};
        int r;

        r = policy_build_in(d, o, diag, &scratch, ret);
        arena_done(&scratch);
        return r;
}
