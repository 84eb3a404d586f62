/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Path exploration over classic BPF with a three-valued machine: every register and scratch cell
 * is either a known 32-bit value or unknown. Programs only jump forward, so every path ends; the
 * budget bounds the number of paths, which can grow exponentially with unknown tests. */

#include "bpf-paths.h"
#include "bpf-program.h"

typedef struct Value {
        bool known;
        uint32_t v;
} Value;

typedef struct State {
        Value A, X, M[BPF_MEMWORDS];
} State;

typedef struct Explore {
        const struct sock_filter *insns;
        size_t n;
        uint32_t arch, nr;
        unsigned budget;
        BpfPaths *out;
} Explore;

static const Value unknown = { false, 0 };

static Value known(uint32_t v) {
        return (Value) { true, v };
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

static void explore(Explore *e, size_t pc, State s, unsigned steps) {
        for (; pc < e->n; pc++) {
                const struct sock_filter *f = e->insns + pc;
                uint32_t k = f->k;

                if (e->budget == 0) {
                        e->out->any_action = true;
                        return;
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
                                        e->out->reads_args = true;
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
                                add_action(e->out, 0);
                                e->out->steps_max = MAX(e->out->steps_max, steps);
                                if (b.known)
                                        return;
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
                                explore(e, pc + 1 + f->jt, s, steps);
                                pc += f->jf;
                        } else
                                pc += t ? f->jt : f->jf;
                        break;
                }
                case BPF_RET:
                        if (BPF_RVAL(f->code) == BPF_K)
                                add_action(e->out, k);
                        else if (s.A.known)
                                add_action(e->out, s.A.v);
                        else
                                e->out->any_action = true;
                        e->out->steps_max = MAX(e->out->steps_max, steps);
                        return;
                default:
                        add_action(e->out, SECCOMP_RET_KILL_PROCESS);
                        e->out->steps_max = MAX(e->out->steps_max, steps);
                        return;
                }
        }

        /* Fell off the end: only unchecked programs do; the interpreter kills. */
        add_action(e->out, SECCOMP_RET_KILL_PROCESS);
        e->out->steps_max = MAX(e->out->steps_max, steps);
}

void bpf_paths(const struct sock_filter *insns, size_t n, uint32_t arch, uint32_t nr, BpfPaths *ret) {
        State s = {};
        Explore e = { .insns = insns, .n = n, .arch = arch, .nr = nr, .budget = BPF_PATHS_BUDGET, .out = ret };

        *ret = (BpfPaths) {};
        /* The kernel does not clear scratch memory, but its checks make every read follow a
         * write; A and X start at 0. */
        s.A = s.X = known(0);
        for (size_t i = 0; i < BPF_MEMWORDS; i++)
                s.M[i] = unknown;
        explore(&e, 0, s, 0);
}

static bool more_restrictive(uint32_t a, uint32_t b) {
        return seccomp_action_compare(a, b) < 0;
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
