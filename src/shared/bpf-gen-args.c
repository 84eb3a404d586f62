/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Argument checks: the code that decides one syscall from its arguments. A decision's rules are
 * taken in groups that compile well together: runs of range comparisons on one argument become
 * a search over the argument's value, runs of single-bit tests with one action become one
 * "jset", rules sharing a first comparison test it once; within a rule, the range comparisons on
 * one argument are one search (Docker's personality() rule: five != on one argument). Everything
 * else is tested as written. 64-bit comparisons look at both halves. */

#include "bpf-gen-internal.h"

static uint32_t ld_lo(unsigned arg) {
        return SECCOMP_DATA_ARG_LO(arg);
}

static uint32_t ld_hi(unsigned arg) {
        return SECCOMP_DATA_ARG_HI(arg);
}

static bool op_is_range(uint8_t op) {
        return op == ARG_EQ || op == ARG_NE || op == ARG_LT || op == ARG_LE || op == ARG_GT || op == ARG_GE;
}

/* (arg & bit) == bit for one bit in the low half. */
static bool cmp_is_single_bit(const ArgCmp *c) {
        return c->op == ARG_MASKED_EQ && c->mask == c->datum && c->mask <= UINT32_MAX &&
                __builtin_popcountll(c->mask) == 1;
}

static bool cmp_equal(const ArgCmp *a, const ArgCmp *b) {
        return a->arg == b->arg && a->op == b->op && a->mask == b->mask && a->datum == b->datum;
}

/* ---- searches over an argument's value ---- */

typedef struct Pieces {
        uint64_t *first;                /* sorted boundaries, first[0] == 0 */
        int *outcome;                   /* index of a target */
        size_t n;
} Pieces;

static int u64_compare(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* The pieces of the value of one argument on which the first matching comparison is constant.
 * outcome_of(i) of comparison i, n_outcomes for "none matched". */
static int pieces_build(Arena *arena, const ArgCmp *const *cmps, const int *outcome_of, size_t n, unsigned bits, int none,
                        Pieces *ret) {
        uint64_t max = bits == 32 ? UINT32_MAX : UINT64_MAX;
        uint64_t *b = NULL;
        size_t nb = 0;
        Pieces p = {};

        b = arena_alloc_array(arena, 2 * n + 1, sizeof(uint64_t));
        if (!b)
                return -ENOMEM;
        b[nb++] = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t d = cmps[i]->datum & max;

                switch (cmps[i]->op) {
                case ARG_EQ:
                case ARG_NE:
                        b[nb++] = d;
                        if (d < max)
                                b[nb++] = d + 1;
                        break;
                case ARG_LT:
                case ARG_GE:
                        b[nb++] = d;
                        break;
                case ARG_LE:
                case ARG_GT:
                        if (d < max)
                                b[nb++] = d + 1;
                        break;
                default:
                        return -EINVAL;
                }
        }
        qsort(b, nb, sizeof(uint64_t), u64_compare);

        p.first = arena_alloc_array(arena, nb, sizeof(uint64_t));
        p.outcome = arena_alloc_array(arena, nb, sizeof(int));
        if (!p.first || !p.outcome)
                return -ENOMEM;
        for (size_t i = 0; i < nb; i++) {
                int o = none;

                if (i > 0 && b[i] == b[i - 1])
                        continue;
                for (size_t j = 0; j < n; j++)
                        if (arg_cmp_holds(cmps[j], b[i], bits)) {
                                o = outcome_of[j];
                                break;
                        }
                if (p.n > 0 && p.outcome[p.n - 1] == o)
                        continue;
                p.first[p.n] = b[i];
                p.outcome[p.n] = o;
                p.n++;
        }
        *ret = p;
        return 0;
}

/* Emit the search over pieces whose boundaries all lie in one 32-bit half: A holds that half. */
static Target emit_pieces32(Emitter *e, const uint64_t *first, const int *outcome, size_t n, const Target *targets) {
        uint32_t *f = arena_alloc_array(e->scratch, n, sizeof(uint32_t));
        Target *t = arena_alloc_array(e->scratch, n, sizeof(Target));

        if (!f || !t) {
                e->error = -ENOMEM;
                return TARGET_ACTION(SECCOMP_RET_KILL_PROCESS);
        }
        for (size_t i = 0; i < n; i++) {
                f[i] = (uint32_t) first[i];
                t[i] = targets[outcome[i]];
        }
        return emit_search(e, f, t, n);
}

/* The piece that contains v. */
static size_t piece_of(const Pieces *p, uint64_t v) {
        size_t k = 0;

        while (k + 1 < p->n && p->first[k + 1] <= v)
                k++;
        return k;
}

static bool high_is_mixed(const Pieces *p, uint32_t h) {
        for (size_t k = 1; k < p->n; k++)
                if ((p->first[k] >> 32) == h && (p->first[k] & UINT32_MAX) != 0)
                        return true;
        return false;
}

/* Search over a 64-bit argument whose boundaries all lie below 2^32: the low half first, since
 * it decides most calls; only where the outcome for a zero high half differs from the outcome
 * for every larger value (that of the last piece) is the high half loaded too. */
static Target emit_pieces64_low_first(Emitter *e, unsigned arg, const Pieces *p, const Target *targets) {
        uint32_t *f = arena_alloc_array(e->scratch, p->n, sizeof(uint32_t));
        Target *t = arena_alloc_array(e->scratch, p->n, sizeof(Target)), *hi_checked = arena_alloc_array(e->scratch, p->n, sizeof(Target));
        int high = p->outcome[p->n - 1];

        if (!f || !t || !hi_checked) {
                e->error = -ENOMEM;
                return TARGET_ACTION(SECCOMP_RET_KILL_PROCESS);
        }
        for (size_t i = 0; i < p->n; i++) {
                int o = p->outcome[i];

                f[i] = (uint32_t) p->first[i];
                if (o == high)
                        t[i] = targets[o];
                else {
                        /* One "high half is zero" check per outcome, shared. */
                        size_t k = 0;
                        while (k < i && p->outcome[k] != o)
                                k++;
                        if (k == i)
                                hi_checked[i] = emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_hi(arg),
                                                          emit_jump(e, BPF_JEQ, 0, targets[o], targets[high]));
                        else
                                hi_checked[i] = hi_checked[k];
                        t[i] = hi_checked[i];
                }
        }
        return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(arg), emit_search(e, f, t, p->n));
}

/* Search over a 64-bit argument: first on the high half; a high value inside which the outcome
 * changes ("mixed") gets its own search on the low half. */
static Target emit_pieces64(Emitter *e, unsigned arg, const Pieces *p, const Target *targets) {
        uint64_t *hb = arena_alloc_array(e->scratch, 3 * p->n + 1, sizeof(uint64_t));
        uint32_t *hf = NULL;
        Target *ht = NULL;
        size_t nb = 0, nh = 0;

        if (!hb) {
                e->error = -ENOMEM;
                return TARGET_ACTION(SECCOMP_RET_KILL_PROCESS);
        }

        /* Where the high half's outcome can change. */
        hb[nb++] = 0;
        for (size_t k = 1; k < p->n; k++) {
                uint64_t h = p->first[k] >> 32;

                hb[nb++] = h;
                if ((p->first[k] & UINT32_MAX) != 0 && h < UINT32_MAX)
                        hb[nb++] = h + 1;
        }
        qsort(hb, nb, sizeof(uint64_t), u64_compare);

        hf = arena_alloc_array(e->scratch, nb, sizeof(uint32_t));
        ht = arena_alloc_array(e->scratch, nb, sizeof(Target));
        if (!hf || !ht) {
                e->error = -ENOMEM;
                return TARGET_ACTION(SECCOMP_RET_KILL_PROCESS);
        }

        for (size_t i = 0; i < nb; i++) {
                uint32_t h = (uint32_t) hb[i];
                uint64_t base = (uint64_t) h << 32;
                Target t;

                if (i > 0 && hb[i] == hb[i - 1])
                        continue;

                if (high_is_mixed(p, h)) {
                        size_t k0 = piece_of(p, base), k1 = k0, m;
                        uint64_t *lf = NULL;
                        int *lo = NULL;

                        while (k1 + 1 < p->n && (p->first[k1 + 1] >> 32) == h)
                                k1++;
                        m = k1 - k0 + 1;
                        lf = arena_alloc_array(e->scratch, m, sizeof(uint64_t));
                        lo = arena_alloc_array(e->scratch, m, sizeof(int));
                        if (!lf || !lo) {
                                e->error = -ENOMEM;
                                return TARGET_ACTION(SECCOMP_RET_KILL_PROCESS);
                        }
                        for (size_t k = k0; k <= k1; k++) {
                                lf[k - k0] = k == k0 ? 0 : p->first[k] & UINT32_MAX;
                                lo[k - k0] = p->outcome[k];
                        }
                        t = emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(arg), emit_pieces32(e, lf, lo, m, targets));
                } else
                        t = targets[p->outcome[piece_of(p, base)]];

                if (nh > 0 && target_equal(ht[nh - 1], t))
                        continue;
                hf[nh] = h;
                ht[nh] = t;
                nh++;
        }

        if (nh == 1)
                return ht[0];
        return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_hi(arg), emit_search(e, hf, ht, nh));
}

/* cmps[i] holding leads to targets[outcome_of[i]] (first match), none matching to targets[none]. */
static Target emit_range_group(Emitter *e, unsigned arg, unsigned bits, const ArgCmp *const *cmps,
                               const int *outcome_of, size_t n, const Target *targets, int none) {
        Pieces p = {};
        int r;

        r = pieces_build(e->scratch, cmps, outcome_of, n, bits, none, &p);
        if (r < 0) {
                e->error = r;
                return TARGET_ACTION(SECCOMP_RET_KILL_PROCESS);
        }
        if (p.n == 1)
                return targets[p.outcome[0]];
        if (bits == 32)
                return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(arg),
                                 emit_pieces32(e, p.first, p.outcome, p.n, targets));
        if ((p.first[p.n - 1] >> 32) == 0)
                return emit_pieces64_low_first(e, arg, &p, targets);
        return emit_pieces64(e, arg, &p, targets);
}

/* ---- single comparisons ---- */

static Target emit_masked32(Emitter *e, unsigned arg, uint32_t m, uint32_t d, Target t, Target f) {
        if ((d & ~m) != 0)
                return f;
        if (m == 0)
                return t;
        if (__builtin_popcount(m) == 1)
                return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(arg),
                                 d == m ? emit_jump(e, BPF_JSET, m, t, f) : emit_jump(e, BPF_JSET, m, f, t));
        if (m == UINT32_MAX)
                return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(arg), emit_jump(e, BPF_JEQ, d, t, f));
        return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(arg),
                         emit_insn(e, BPF_ALU | BPF_AND | BPF_K, m, emit_jump(e, BPF_JEQ, d, t, f)));
}

static Target emit_masked(Emitter *e, const ArgCmp *c, unsigned bits, Target t, Target f) {
        uint64_t m = c->mask, d = c->datum;
        uint32_t mh, dh;
        Target lo;

        if (c->op == ARG_MASKED_NE) {
                Target x = t;
                t = f;
                f = x;
        }
        if (bits == 32)
                return emit_masked32(e, c->arg, (uint32_t) m, (uint32_t) d, t, f);

        mh = (uint32_t) (m >> 32);
        dh = (uint32_t) (d >> 32);
        if ((dh & ~mh) != 0)
                return f;
        lo = emit_masked32(e, c->arg, (uint32_t) m, (uint32_t) d, t, f);
        if (mh == 0)
                return lo;

        /* The high half first, loaded in its own right. */
        if (mh == UINT32_MAX)
                return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_hi(c->arg), emit_jump(e, BPF_JEQ, dh, lo, f));
        return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_hi(c->arg),
                         emit_insn(e, BPF_ALU | BPF_AND | BPF_K, mh, emit_jump(e, BPF_JEQ, dh, lo, f)));
}

static Target emit_cmp(Emitter *e, const ArgCmp *c, unsigned bits, Target t, Target f) {
        if (op_is_range(c->op)) {
                const Target targets[2] = { t, f };
                const int outcome = 0;
                const ArgCmp *cmps[1] = { c };

                return emit_range_group(e, c->arg, bits, cmps, &outcome, 1, targets, 1);
        }
        return emit_masked(e, c, bits, t, f);
}

static ArgCmp cmp_negated(const ArgCmp *c) {
        static const uint8_t negation[] = {
                [ARG_EQ] = ARG_NE, [ARG_NE] = ARG_EQ, [ARG_LT] = ARG_GE,
                [ARG_GE] = ARG_LT, [ARG_LE] = ARG_GT, [ARG_GT] = ARG_LE,
        };
        ArgCmp n = *c;

        n.op = negation[c->op];
        return n;
}

/* All of c[0..n) hold: t, else f. The range comparisons on one argument are one search over its
 * value (the first of them that fails leads to f), which loads the argument once; the others
 * are tested one by one. */
static Target emit_conjunction(Emitter *e, const ArgCmp *c, size_t n, unsigned bits, Target t, Target f) {
        for (size_t j = n; j > 0; j--) {
                const ArgCmp *first = &c[j - 1];
                ArgCmp *negated;
                const ArgCmp **cmps;
                int *outcome;
                size_t k = 0;
                bool later = false;

                if (!op_is_range(first->op)) {
                        t = emit_cmp(e, first, bits, t, f);
                        continue;
                }
                for (size_t i = 0; i < j - 1 && !later; i++)
                        later = op_is_range(c[i].op) && c[i].arg == first->arg;
                if (later)
                        continue;       /* searched with the first range comparison on its argument */

                negated = arena_alloc_array(e->scratch, n, sizeof(ArgCmp));
                cmps = arena_alloc_array(e->scratch, n, sizeof(ArgCmp *));
                outcome = arena_alloc_array(e->scratch, n, sizeof(int));
                if (!negated || !cmps || !outcome) {
                        e->error = -ENOMEM;
                        return f;
                }
                for (size_t i = j - 1; i < n; i++)
                        if (op_is_range(c[i].op) && c[i].arg == first->arg) {
                                negated[k] = cmp_negated(&c[i]);
                                cmps[k] = &negated[k];
                                outcome[k++] = 0;
                        }
                t = emit_range_group(e, first->arg, bits, cmps, outcome, k, (const Target[]) { f, t }, 1);
        }
        return t;
}

/* ---- groups of rules ---- */

typedef enum GroupKind {
        GROUP_RANGES,                   /* one range comparison each, all on one argument */
        GROUP_BITS,                     /* one single-bit test each, one argument, one action */
        GROUP_PREFIX_BITS,              /* the same first comparison, then single-bit tests */
        GROUP_RULE,                     /* one rule as written */
} GroupKind;

static size_t group_length(const ArgRule *r, size_t n, GroupKind *kind) {
        size_t k = 1;

        if (r[0].n_cmp == 1 && op_is_range(r[0].cmp[0].op)) {
                while (k < n && r[k].n_cmp == 1 && op_is_range(r[k].cmp[0].op) && r[k].cmp[0].arg == r[0].cmp[0].arg)
                        k++;
                *kind = GROUP_RANGES;
        } else if (r[0].n_cmp == 1 && cmp_is_single_bit(&r[0].cmp[0])) {
                while (k < n && r[k].n_cmp == 1 && cmp_is_single_bit(&r[k].cmp[0]) &&
                       r[k].cmp[0].arg == r[0].cmp[0].arg && r[k].action == r[0].action)
                        k++;
                *kind = GROUP_BITS;
        } else if (r[0].n_cmp == 2 && cmp_is_single_bit(&r[0].cmp[1])) {
                while (k < n && r[k].n_cmp == 2 && cmp_equal(&r[k].cmp[0], &r[0].cmp[0]) &&
                       cmp_is_single_bit(&r[k].cmp[1]) && r[k].cmp[1].arg == r[0].cmp[1].arg &&
                       r[k].action == r[0].action)
                        k++;
                *kind = GROUP_PREFIX_BITS;
        } else
                *kind = GROUP_RULE;
        return k;
}

static Target emit_group(Emitter *e, const ArgRule *r, size_t n, GroupKind kind, unsigned bits, Target next) {
        switch (kind) {

        case GROUP_RANGES: {
                Target *targets = arena_alloc_array(e->scratch, n + 1, sizeof(Target));
                const ArgCmp **cmps = arena_alloc_array(e->scratch, n, sizeof(ArgCmp *));
                int *outcome = arena_alloc_array(e->scratch, n, sizeof(int));

                if (!targets || !cmps || !outcome) {
                        e->error = -ENOMEM;
                        return next;
                }
                /* One outcome per action, not per rule: pieces of the same action merge, and
                 * the search over them is shorter. */
                targets[n] = next;
                for (size_t i = 0; i < n; i++) {
                        targets[i] = TARGET_ACTION(r[i].action);
                        cmps[i] = &r[i].cmp[0];
                        outcome[i] = target_equal(targets[i], next) ? (int) n : (int) i;
                        for (size_t j = 0; j < i && outcome[i] == (int) i; j++)
                                if (r[j].action == r[i].action)
                                        outcome[i] = (int) j;
                }
                return emit_range_group(e, r[0].cmp[0].arg, bits, cmps, outcome, n, targets, (int) n);
        }

        case GROUP_BITS: {
                uint32_t m = 0;

                for (size_t i = 0; i < n; i++)
                        m |= (uint32_t) r[i].cmp[0].mask;
                return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(r[0].cmp[0].arg),
                                 emit_jump(e, BPF_JSET, m, TARGET_ACTION(r[0].action), next));
        }

        case GROUP_PREFIX_BITS: {
                uint32_t m = 0;
                Target bits_check;

                for (size_t i = 0; i < n; i++)
                        m |= (uint32_t) r[i].cmp[1].mask;
                bits_check = emit_insn(e, BPF_LD | BPF_W | BPF_ABS, ld_lo(r[0].cmp[1].arg),
                                       emit_jump(e, BPF_JSET, m, TARGET_ACTION(r[0].action), next));
                return emit_cmp(e, &r[0].cmp[0], bits, bits_check, next);
        }

        case GROUP_RULE:
        default:
                return emit_conjunction(e, r[0].cmp, r[0].n_cmp, bits, TARGET_ACTION(r[0].action), next);
        }
}

Target emit_decision(Emitter *e, const Decision *d, unsigned bits) {
        size_t *start = arena_alloc_array(e->scratch, d->n_rules + 1, sizeof(size_t));
        GroupKind *kind = arena_alloc_array(e->scratch, d->n_rules + 1, sizeof(GroupKind));
        Target next = TARGET_ACTION(d->action);
        size_t n_groups = 0;

        if (!start || !kind) {
                e->error = -ENOMEM;
                return next;
        }

        for (size_t i = 0; i < d->n_rules; n_groups++) {
                start[n_groups] = i;
                i += group_length(d->rules + i, d->n_rules - i, &kind[n_groups]);
        }
        start[n_groups] = d->n_rules;

        /* Back to front: each group falls through to the next one. */
        for (size_t g = n_groups; g > 0; g--)
                next = emit_group(e, d->rules + start[g - 1], start[g] - start[g - 1], kind[g - 1], bits, next);
        return next;
}

bool decision_equal(const Decision *a, const Decision *b) {
        if (a->action != b->action || a->n_rules != b->n_rules)
                return false;
        for (size_t i = 0; i < a->n_rules; i++) {
                if (a->rules[i].action != b->rules[i].action || a->rules[i].n_cmp != b->rules[i].n_cmp)
                        return false;
                for (size_t j = 0; j < a->rules[i].n_cmp; j++)
                        if (!cmp_equal(&a->rules[i].cmp[j], &b->rules[i].cmp[j]))
                                return false;
        }
        return true;
}
