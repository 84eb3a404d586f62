/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Path exploration over classic BPF with a three-valued machine: every register and scratch cell
 * is either a known 32-bit value or unknown. Programs only jump forward, so every path ends; the
 * budget bounds the number of paths, which can grow exponentially with unknown tests. */

#include "action.h"
#include "bpf-paths.h"
#include "bpf-program.h"

typedef struct Value {
        uint32_t known;                 /* 0 or 1; no padding, so that states compare with memcmp */
        uint32_t v;                     /* 0 when unknown */
} Value;

typedef struct State {
        Value A, X, M[BPF_MEMWORDS];
} State;

/* What was found from (pc, state) on, so that paths meeting again in the same state are followed
 * once: without it, n tests of unknown values whose branches meet make 2^n paths. */
typedef struct Memo {
        unsigned generation;            /* in use when equal to the table's current one */
        size_t pc;
        State state;
        BpfPaths from_here;             /* steps_max: the longest path from pc, pc included */
} Memo;

#define MEMO_MAX (1u << 14)             /* entries; past that, paths are followed again */

typedef struct Explore {
        const struct sock_filter *insns;
        size_t n;
        uint32_t arch, nr;
        unsigned budget;
        Memo *memo;
        size_t memo_size, memo_used;
        unsigned generation;
} Explore;

/* The table is kept from one call to the next (one per thread): a new generation empties it
 * without touching its memory. */
static _Thread_local Memo *memo_table;
static _Thread_local size_t memo_table_size;
static _Thread_local unsigned memo_generation;

static const Value unknown = { 0, 0 };

static Value known(uint32_t v) {
        return (Value) { 1, v };
}

static void add_action(BpfPaths *p, uint32_t action) {
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i] == action)
                        return;
        if (p->n_actions >= BPF_PATHS_MAX_ACTIONS) {
                p->any_action = true;
                return;
        }
        p->actions[p->n_actions++] = action;
}

static Value alu(uint16_t code, Value a, Value b) {
        uint16_t op = BPF_OP(code);

        /* Some results are known even from unknown operands. */
        if (op == BPF_AND && ((a.known && a.v == 0) || (b.known && b.v == 0)))
                return known(0);
        if (op == BPF_MUL && ((a.known && a.v == 0) || (b.known && b.v == 0)))
                return known(0);
        if (op == BPF_NEG)
                return a.known ? known(-a.v) : unknown;
        if (!a.known || !b.known)
                return unknown;

        switch (op) {
        case BPF_ADD:
                return known(a.v + b.v);
        case BPF_SUB:
                return known(a.v - b.v);
        case BPF_MUL:
                return known(a.v * b.v);
        case BPF_DIV:
                return b.v == 0 ? unknown : known(a.v / b.v);   /* caller handles b == 0 */
        case BPF_AND:
                return known(a.v & b.v);
        case BPF_OR:
                return known(a.v | b.v);
        case BPF_XOR:
                return known(a.v ^ b.v);
        case BPF_LSH:
                return known(a.v << (b.v & 31));
        case BPF_RSH:
                return known(a.v >> (b.v & 31));
        default:
                return unknown;
        }
}

/* -1 unknown, 0 false, 1 true */
static int test(uint16_t code, Value a, Value b) {
        if (BPF_OP(code) == BPF_JSET && ((a.known && a.v == 0) || (b.known && b.v == 0)))
                return 0;
        if (!a.known || !b.known)
                return -1;
        switch (BPF_OP(code)) {
        case BPF_JEQ:
                return a.v == b.v;
        case BPF_JGE:
                return a.v >= b.v;
        case BPF_JGT:
                return a.v > b.v;
        case BPF_JSET:
                return (a.v & b.v) != 0;
        default:
                return -1;
        }
}

static void merge(BpfPaths *into, const BpfPaths *from, unsigned steps_before) {
        for (size_t i = 0; i < from->n_actions; i++)
                add_action(into, from->actions[i]);
        into->any_action |= from->any_action;
        into->reads_args |= from->reads_args;
        if (from->n_actions > 0 || from->any_action)
                into->steps_max = MAX(into->steps_max, steps_before + from->steps_max);
}

static uint64_t state_hash(size_t pc, const State *s) {
        uint32_t w[sizeof(State) / sizeof(uint32_t)];
        uint64_t h = 0x9e3779b97f4a7c15ULL * (pc + 1);

        memcpy(w, s, sizeof(w));
        for (size_t i = 0; i < ELEMENTSOF(w); i++) {
                h = (h ^ w[i]) * 0xff51afd7ed558ccdULL;
                h ^= h >> 32;
        }
        return h;
}

static Memo *memo_slot(Explore *e, size_t pc, const State *s, bool *ret_found) {
        uint64_t h;

        if (e->memo_size == 0)
                return NULL;
        h = state_hash(pc, s);
        for (size_t i = 0; i < e->memo_size; i++) {
                Memo *m = &e->memo[(h + i) & (e->memo_size - 1)];

                if (m->generation != e->generation) {
                        *ret_found = false;
                        return m;
                }
                if (m->pc == pc && memcmp(&m->state, s, sizeof(*s)) == 0) {
                        *ret_found = true;
                        return m;
                }
        }
        return NULL;
}

static void memo_grow(Explore *e) {
        Memo *old = e->memo;
        size_t old_size = e->memo_size, size = old_size == 0 ? 64 : old_size * 2;

        if (size > MEMO_MAX)
                return;
        e->memo = calloc(size, sizeof(Memo));   /* generation 0 is never current */
        if (!e->memo) {                 /* fine: paths are then followed again */
                e->memo = old;
                return;
        }
        e->memo_size = size;
        e->memo_used = 0;
        memo_table = e->memo;
        memo_table_size = size;
        for (size_t i = 0; i < old_size; i++)
                if (old[i].generation == e->generation) {
                        bool found;
                        Memo *m = memo_slot(e, old[i].pc, &old[i].state, &found);

                        *m = old[i];
                        e->memo_used++;
                }
        free(old);
}

static BpfPaths explore(Explore *e, size_t pc, State s);

static BpfPaths explore_memo(Explore *e, size_t pc, const State *s) {
        BpfPaths r;
        bool found = false;
        Memo *m;

        if (2 * (e->memo_used + 1) > e->memo_size)
                memo_grow(e);
        m = memo_slot(e, pc, s, &found);
        if (m && found)
                return m->from_here;

        r = explore(e, pc, *s);
        if (r.any_action && e->budget == 0)
                return r;               /* cut short: not a result to reuse */
        m = memo_slot(e, pc, s, &found);        /* the table may have grown meanwhile */
        if (m && !found && 2 * (e->memo_used + 1) <= e->memo_size) {
                *m = (Memo) { .generation = e->generation, .pc = pc, .state = *s, .from_here = r };
                e->memo_used++;
        }
        return r;
}

/* All paths from pc in state s: the verdicts and the longest path, pc included. */
static BpfPaths explore(Explore *e, size_t pc, State s) {
        BpfPaths out = {};
        unsigned steps = 0;

        for (; pc < e->n; pc++) {
                const struct sock_filter *f = e->insns + pc;
                uint32_t k = f->k;

                if (e->budget == 0) {
                        out.any_action = true;
                        out.steps_max = MAX(out.steps_max, steps);
                        return out;
                }
                e->budget--;
                steps++;

                switch (BPF_CLASS(f->code)) {
                case BPF_LD:
                case BPF_LDX: {
                        Value *r = BPF_CLASS(f->code) == BPF_LD ? &s.A : &s.X;

                        switch (BPF_MODE(f->code)) {
                        case BPF_ABS:
                                if (k == SECCOMP_DATA_NR)
                                        *r = known(e->nr);
                                else if (k == SECCOMP_DATA_ARCH)
                                        *r = known(e->arch);
                                else {
                                        *r = unknown;
                                        out.reads_args = true;
                                }
                                break;
                        case BPF_LEN:
                                *r = known(sizeof(struct seccomp_data));
                                break;
                        case BPF_IMM:
                                *r = known(k);
                                break;
                        case BPF_MEM:
                                *r = s.M[k % BPF_MEMWORDS];
                                break;
                        default:
                                *r = unknown;
                        }
                        break;
                }
                case BPF_ST:
                        s.M[k % BPF_MEMWORDS] = s.A;
                        break;
                case BPF_STX:
                        s.M[k % BPF_MEMWORDS] = s.X;
                        break;
                case BPF_MISC:
                        if (BPF_MISCOP(f->code) == BPF_TAX)
                                s.X = s.A;
                        else
                                s.A = s.X;
                        break;
                case BPF_ALU: {
                        Value b = BPF_SRC(f->code) == BPF_X ? s.X : known(k);

                        if (BPF_OP(f->code) == BPF_DIV && !(b.known && b.v != 0)) {
                                /* Division by X == 0 ends the run with 0 (KILL_THREAD): certain
                                 * when X is known to be 0, one more outcome when X is unknown. */
                                add_action(&out, 0);
                                out.steps_max = MAX(out.steps_max, steps);
                                if (b.known)
                                        return out;
                        }
                        s.A = alu(f->code, s.A, b);
                        break;
                }
                case BPF_JMP: {
                        int t;

                        if (BPF_OP(f->code) == BPF_JA) {
                                pc += k;
                                break;
                        }
                        t = test(f->code, s.A, BPF_SRC(f->code) == BPF_X ? s.X : known(k));
                        if (t < 0 && f->jt == f->jf)
                                t = 1;          /* both ways lead to the same place */
                        if (t < 0) {
                                BpfPaths taken = explore_memo(e, pc + 1 + f->jt, &s);
                                BpfPaths not_taken = explore_memo(e, pc + 1 + f->jf, &s);

                                merge(&out, &taken, steps);
                                merge(&out, &not_taken, steps);
                                return out;
                        }
                        pc += t ? f->jt : f->jf;
                        break;
                }
                case BPF_RET:
                        if (BPF_RVAL(f->code) == BPF_K)
                                add_action(&out, k);
                        else if (s.A.known)
                                add_action(&out, s.A.v);
                        else
                                out.any_action = true;
                        out.steps_max = MAX(out.steps_max, steps);
                        return out;
                default:
                        add_action(&out, SECCOMP_RET_KILL_PROCESS);
                        out.steps_max = MAX(out.steps_max, steps);
                        return out;
                }
        }

        /* Fell off the end: only unchecked programs do; the interpreter kills. */
        add_action(&out, SECCOMP_RET_KILL_PROCESS);
        out.steps_max = MAX(out.steps_max, steps);
        return out;
}

void bpf_paths(const struct sock_filter *insns, size_t n, uint32_t arch, uint32_t nr, BpfPaths *ret) {
        State s = {};
        Explore e = { .insns = insns, .n = n, .arch = arch, .nr = nr, .budget = BPF_PATHS_BUDGET,
                      .memo = memo_table, .memo_size = memo_table_size };

        if (++memo_generation == 0) {   /* wrapped: forget everything */
                memset(memo_table, 0, memo_table_size * sizeof(Memo));
                memo_generation = 1;
        }
        e.generation = memo_generation;

        /* The kernel does not clear scratch memory, but its checks make every read follow a
         * write; A and X start at 0. */
        s.A = s.X = known(0);
        for (size_t i = 0; i < BPF_MEMWORDS; i++)
                s.M[i] = unknown;
        *ret = explore(&e, 0, s);
}

static bool more_restrictive(uint32_t a, uint32_t b) {
        return action_compare(a, b) < 0;
}

void bpf_chain_paths(const BpfFilterRef *filters, size_t n, uint32_t arch, uint32_t nr, BpfPaths *ret) {
        BpfPaths chain = { .actions = { SECCOMP_RET_ALLOW }, .n_actions = 1 };

        /* Newest first, as the kernel runs them: a verdict is replaced only by a strictly more
         * restrictive one. */
        for (size_t i = n; i > 0; i--) {
                BpfPaths one, next = {};

                bpf_paths(filters[i - 1].insns, filters[i - 1].n, arch, nr, &one);
                chain.steps_max += one.steps_max;
                chain.reads_args |= one.reads_args;
                chain.any_action |= one.any_action;
                next.any_action = chain.any_action;

                for (size_t a = 0; a < chain.n_actions; a++)
                        for (size_t b = 0; b < one.n_actions; b++)
                                add_action(&next, more_restrictive(one.actions[b], chain.actions[a]) ?
                                           one.actions[b] : chain.actions[a]);

                memcpy(chain.actions, next.actions, sizeof(chain.actions));
                chain.n_actions = next.n_actions;
                chain.any_action = next.any_action;
        }

        *ret = chain;
}
