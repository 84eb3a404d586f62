/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>
#include <string.h>
#include <sys/types.h>

#include "bpf-emit.h"

#define JUMP_MAX 255u

bool target_equal(Target a, Target b) {
        if (a.is_action != b.is_action)
                return false;
        return a.is_action ? a.action == b.action : a.pos == b.pos;
}

static size_t emit_raw(Emitter *e, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
        if (e->error < 0)
                return e->n > 0 ? e->n - 1 : 0;
        /* Room for a program of the kernel's maximum from the start: only the pages written
         * cost anything, and the buffer never moves. */
        if (!ARENA_GREEDY(&e->arena, e->code, e->allocated, MAX(e->n + 1, (size_t) BPF_MAXINSNS_SECCOMP + 64))) {
                e->error = -ENOMEM;
                return e->n > 0 ? e->n - 1 : 0;
        }
        e->code[e->n] = (struct sock_filter) { .code = code, .jt = jt, .jf = jf, .k = k };
        return e->n++;
}

static size_t emit_ret(Emitter *e, uint32_t action) {
        size_t pos = emit_raw(e, BPF_RET | BPF_K, 0, 0, action);

        if (e->error >= 0) {
                if (!ARENA_GREEDY(e->scratch, e->rets, e->rets_allocated, e->n_rets + 1))
                        e->error = -ENOMEM;
                else {
                        e->rets[e->n_rets].action = action;
                        e->rets[e->n_rets].pos = pos;
                        e->n_rets++;
                }
        }
        return pos;
}

/* Distance a jump written next would have to reach pos. */
static size_t distance(const Emitter *e, size_t pos) {
        return e->n - pos - 1;
}

/* A RET of this action in reach of the next instruction, or a new one. */
static size_t ret_in_reach(Emitter *e, uint32_t action) {
        for (size_t i = e->n_rets; i > 0; i--) {
                if (distance(e, e->rets[i - 1].pos) > JUMP_MAX)
                        break;          /* older ones are further away still */
                if (e->rets[i - 1].action == action)
                        return e->rets[i - 1].pos;
        }
        return emit_ret(e, action);
}

Target emit_target(Emitter *e, Target t) {
        if (!t.is_action)
                return t;
        return TARGET_LABEL(ret_in_reach(e, t.action));
}

/* Make next the instruction right after the one about to be written. */
static void make_adjacent(Emitter *e, Target next) {
        if (next.is_action) {
                if (e->n > 0 && e->code[e->n - 1].code == (BPF_RET | BPF_K) && e->code[e->n - 1].k == next.action)
                        return;
                emit_ret(e, next.action);
        } else if (e->n == 0 || next.pos != e->n - 1)
                emit_raw(e, BPF_JMP | BPF_JA, 0, 0, (uint32_t) distance(e, next.pos));
}

Target emit_insn(Emitter *e, uint16_t code, uint32_t k, Target next) {
        make_adjacent(e, next);
        return TARGET_LABEL(emit_raw(e, code, 0, 0, k));
}

/* Bring a resolved branch target into reach: a fresh RET for an action, a "ja" otherwise. */
static size_t into_reach(Emitter *e, Target orig, size_t pos) {
        if (distance(e, pos) <= JUMP_MAX)
                return pos;
        if (orig.is_action)
                return emit_ret(e, orig.action);
        return emit_raw(e, BPF_JMP | BPF_JA, 0, 0, (uint32_t) distance(e, pos));
}

Target emit_jump(Emitter *e, uint16_t op, uint32_t k, Target t, Target f) {
        size_t pt, pf;

        if (target_equal(t, f))
                return t;

        /* The false branch falls through when it can: resolve it last so it is nearest. */
        pt = emit_target(e, t).pos;
        pf = emit_target(e, f).pos;
        if (pt == pf)
                return TARGET_LABEL(pt);

        /* Each trampoline pushes the other target one further away: settle both. */
        for (unsigned i = 0; i < 4; i++) {
                pf = into_reach(e, f, pf);
                pt = into_reach(e, t, pt);
        }
        if (distance(e, pf) > JUMP_MAX || distance(e, pt) > JUMP_MAX) {
                e->error = e->error < 0 ? e->error : -EFAULT;
                return TARGET_LABEL(pf);
        }

        return TARGET_LABEL(emit_raw(e, BPF_JMP | op | BPF_K, (uint8_t) distance(e, pt), (uint8_t) distance(e, pf), k));
}

#define A_UNSET UINT32_MAX                  /* not reached yet */
#define A_UNKNOWN (UINT32_MAX - 1)

static void a_merge(uint32_t *state, size_t target, uint32_t a) {
        if (state[target] == A_UNSET)
                state[target] = a;
        else if (state[target] != a)
                state[target] = A_UNKNOWN;
}

static bool is_load_of(const struct sock_filter *insn, uint32_t a) {
        return a < A_UNKNOWN && insn->code == (BPF_LD | BPF_W | BPF_ABS) && insn->k == a;
}

/* Where A already holds the word a jump's target loads, jump past the load. A forward pass
 * (every jump goes forward) tracks which word of seccomp_data A holds before each instruction. */
static int skip_redundant_loads(Arena *arena, struct sock_filter *insns, size_t n) {
        uint32_t *state = arena_alloc_array(arena, n, sizeof(uint32_t));

        if (!state)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                state[i] = A_UNSET;
        state[0] = A_UNKNOWN;

        for (size_t pc = 0; pc < n; pc++) {
                struct sock_filter *insn = &insns[pc];
                uint32_t a = state[pc];

                if (a == A_UNSET)
                        continue;       /* unreachable */

                switch (BPF_CLASS(insn->code)) {
                case BPF_LD:
                        a_merge(state, pc + 1, BPF_MODE(insn->code) == BPF_ABS && BPF_SIZE(insn->code) == BPF_W ?
                                insn->k : A_UNKNOWN);
                        break;
                case BPF_JMP:
                        if (BPF_OP(insn->code) == BPF_JA) {
                                if (is_load_of(&insns[pc + 1 + insn->k], a))
                                        insn->k++;
                                a_merge(state, pc + 1 + insn->k, a);
                                break;
                        }
                        if (is_load_of(&insns[pc + 1 + insn->jt], a) && insn->jt < 255)
                                insn->jt++;
                        if (is_load_of(&insns[pc + 1 + insn->jf], a) && insn->jf < 255)
                                insn->jf++;
                        a_merge(state, pc + 1 + insn->jt, a);
                        a_merge(state, pc + 1 + insn->jf, a);
                        break;
                case BPF_RET:
                        break;
                case BPF_ALU:
                case BPF_MISC:
                        a_merge(state, pc + 1, A_UNKNOWN);
                        break;
                default:        /* LDX, ST, STX leave A alone */
                        a_merge(state, pc + 1, a);
                }
        }
        return 0;
}

/* Drop what no path reaches (the loads skip_redundant_loads() jumped past). Jumps only get
 * shorter. Returns the new length, or -ENOMEM (a program that merely kept its dead code would
 * differ from the one an undisturbed run builds). */
static ssize_t drop_unreachable(Arena *arena, struct sock_filter *insns, size_t n) {
        bool *reached = arena_alloc_array(arena, n, sizeof(bool));
        size_t *to = arena_alloc_array(arena, n, sizeof(size_t)), m = 0;

        if (!reached || !to)
                return -ENOMEM;
        for (size_t pc = 0; pc < n; pc++)
                reached[pc] = pc == 0;
        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *insn = &insns[pc];

                if (!reached[pc])
                        continue;
                if (BPF_CLASS(insn->code) == BPF_RET)
                        continue;
                if (BPF_CLASS(insn->code) != BPF_JMP)
                        reached[pc + 1] = true;
                else if (BPF_OP(insn->code) == BPF_JA)
                        reached[pc + 1 + insn->k] = true;
                else
                        reached[pc + 1 + insn->jt] = reached[pc + 1 + insn->jf] = true;
        }
        for (size_t pc = 0; pc < n; pc++)
                to[pc] = reached[pc] ? m++ : SIZE_MAX;
        for (size_t pc = 0; pc < n; pc++) {
                struct sock_filter insn = insns[pc];

                if (!reached[pc])
                        continue;
                if (BPF_CLASS(insn.code) == BPF_JMP) {
                        if (BPF_OP(insn.code) == BPF_JA)
                                insn.k = (uint32_t) (to[pc + 1 + insn.k] - to[pc] - 1);
                        else {
                                insn.jt = (uint8_t) (to[pc + 1 + insn.jt] - to[pc] - 1);
                                insn.jf = (uint8_t) (to[pc + 1 + insn.jf] - to[pc] - 1);
                        }
                }
                insns[to[pc]] = insn;
        }
        return (ssize_t) m;
}

int emitter_finish(Emitter *e, BpfProgram *p) {
        if (e->error < 0)
                return e->error;
        if (e->n > BPF_MAXINSNS_SECCOMP)
                return -E2BIG;

        /* Reverse into execution order. */
        for (size_t i = 0; i < e->n / 2; i++) {
                struct sock_filter t = e->code[i];
                e->code[i] = e->code[e->n - 1 - i];
                e->code[e->n - 1 - i] = t;
        }
        if (e->n > 0 && skip_redundant_loads(e->scratch, e->code, e->n) < 0)
                return -ENOMEM;
        if (e->n > 0) {
                ssize_t m = drop_unreachable(e->scratch, e->code, e->n);
                if (m < 0)
                        return (int) m;
                e->n = (size_t) m;
        }
        p->insns = TAKE_PTR(e->code);
        p->n = e->n;
        p->allocated = e->allocated;
        p->storage = e->arena;
        *e = (Emitter) {};
        return 0;
}

void emitter_done(Emitter *e) {
        arena_done(&e->arena);
        *e = (Emitter) {};
}

typedef struct Search {
        const uint32_t *first;
        const Target *t;
        const uint64_t *prefix;         /* prefix[i]: total weight of pieces before i; NULL: all equal */
} Search;

static uint64_t weight(const Search *s, size_t lo, size_t hi) {
        return s->prefix ? s->prefix[hi + 1] - s->prefix[lo] : hi + 1 - lo;
}

static unsigned ceil_log2(size_t n) {
        unsigned d = 0;

        while (((size_t) 1 << d) < n)
                d++;
        return d;
}

/* Where to split [lo, hi]: the first piece of the right half. Both halves must still fit in
 * depth - 1 comparisons, so no piece ends up deeper than in a balanced search; within that,
 * the weights are balanced, which brings heavy pieces nearer the root. */
static size_t split_point(const Search *s, size_t lo, size_t hi, unsigned depth) {
        uint64_t total = weight(s, lo, hi), best_diff = UINT64_MAX;
        size_t best = lo + (hi - lo + 1) / 2, half, first = lo + 1, last = hi;

        if (!s->prefix || depth == 0)
                return best;

        /* A side of k pieces fits in depth - 1 comparisons when k <= 2^(depth-1): only the m
         * that leave both sides that small are candidates. */
        half = depth - 1 < sizeof(size_t) * 8 - 1 ? (size_t) 1 << (depth - 1) : SIZE_MAX / 2;
        if (hi + 1 > half)
                first = MAX(first, hi + 1 - half);
        last = MIN(last, lo + half);

        for (size_t m = first; m <= last; m++) {
                uint64_t left = weight(s, lo, m - 1), diff = left * 2 > total ? left * 2 - total : total - left * 2;

                if (diff < best_diff) {
                        best_diff = diff;
                        best = m;
                }
        }
        return best;
}

static Target emit_search_range(Emitter *e, const Search *s, size_t lo, size_t hi, unsigned depth) {
        size_t mid;
        Target l, r;

        if (lo == hi)
                return s->t[lo];

        /* x == k, otherwise the same thing: one comparison. */
        if (hi == lo + 2 && target_equal(s->t[lo], s->t[hi]) && s->first[lo + 2] - s->first[lo + 1] == 1)
                return emit_jump(e, BPF_JEQ, s->first[lo + 1], s->t[lo + 1], s->t[lo]);

        mid = split_point(s, lo, hi, depth);
        r = emit_search_range(e, s, mid, hi, depth - 1);
        l = emit_search_range(e, s, lo, mid - 1, depth - 1);
        return emit_jump(e, BPF_JGE, s->first[mid], r, l);
}

Target emit_search(Emitter *e, const uint32_t *first, const Target *t, size_t n) {
        Search s = { first, t, NULL };

        assert(n > 0);
        return emit_search_range(e, &s, 0, n - 1, ceil_log2(n));
}

Target emit_search_weighted(Emitter *e, const uint32_t *first_in, const Target *t_in, const uint64_t *w_in, size_t n_in,
                            bool fold) {
        uint64_t *prefix = arena_alloc_array(e->scratch, n_in + 1, sizeof(uint64_t));
        uint32_t *first = arena_alloc_array(e->scratch, n_in, sizeof(uint32_t));
        Target *t = arena_alloc_array(e->scratch, n_in, sizeof(Target));
        Search s = { first, t, prefix };
        size_t n = 0;

        assert(n_in > 0);
        if (!prefix || !first || !t) {
                e->error = -ENOMEM;
                return t_in[0];
        }
        /* A piece of one number between two of one target: the three as one piece, whose target
         * tests that number ("jeq"), one comparison instead of two. */
        prefix[0] = 0;
        for (size_t i = 0; i < n_in; i++) {
                if (fold && i + 2 < n_in && target_equal(t_in[i], t_in[i + 2]) && first_in[i + 2] - first_in[i + 1] == 1) {
                        first[n] = first_in[i];
                        t[n] = emit_jump(e, BPF_JEQ, first_in[i + 1], t_in[i + 1], t_in[i]);
                        prefix[n + 1] = prefix[n] + w_in[i] + w_in[i + 1] + w_in[i + 2];
                        n++;
                        i += 2;
                        continue;
                }
                first[n] = first_in[i];
                t[n] = t_in[i];
                prefix[n + 1] = prefix[n] + w_in[i];
                n++;
        }
        return emit_search_range(e, &s, 0, n - 1, ceil_log2(n) + 1);
}

unsigned emit_path_max(Emitter *e, Target t) {
        if (t.is_action || e->error < 0)
                return 1;
        /* Code is only appended until emitter_finish(): the lengths found so far stay true. */
        if (!ARENA_GREEDY(e->scratch, e->path_len, e->path_allocated, t.pos + 1)) {
                e->error = -ENOMEM;
                return 1;
        }
        /* Reversed code: every successor of code[i] sits below i. */
        for (size_t i = e->n_path; i <= t.pos; i++) {
                const struct sock_filter *insn = &e->code[i];
                unsigned *len = e->path_len;

                if (BPF_CLASS(insn->code) == BPF_RET)
                        len[i] = 1;
                else if (BPF_CLASS(insn->code) != BPF_JMP)
                        len[i] = i > 0 ? 1 + len[i - 1] : 1;
                else if (BPF_OP(insn->code) == BPF_JA)
                        len[i] = 1 + len[i - 1 - insn->k];
                else
                        len[i] = 1 + MAX(len[i - 1 - insn->jt], len[i - 1 - insn->jf]);
        }
        e->n_path = MAX(e->n_path, t.pos + 1);
        return e->path_len[t.pos];
}

/* A node of the search tree being built bottom-up: pieces lo…hi, and below it the pieces'
 * longest cost plus the comparisons on the way. */
typedef enum NodeKind {
        NODE_LEAF,                      /* one piece (or neighbours with one target) */
        NODE_SPLIT,                     /* A >= first[right->lo] */
        NODE_EQUAL,                     /* A == first[mid], else the outer pieces' common target */
} NodeKind;

typedef struct Node {
        NodeKind kind;
        size_t lo, hi;
        int cost;
        size_t weight;                  /* pieces below whose cost matters */
        struct Node *left, *right;      /* NODE_SPLIT; NODE_EQUAL: left is the outer leaf, right the middle */
} Node;

static Target emit_node(Emitter *e, const uint32_t *first, const Target *t, const Node *n) {
        Target l, r;

        switch (n->kind) {
        case NODE_LEAF:
                return t[n->lo];
        case NODE_EQUAL:
                return emit_jump(e, BPF_JEQ, first[n->right->lo], t[n->right->lo], t[n->left->lo]);
        case NODE_SPLIT:
        default:
                r = emit_node(e, first, t, n->right);
                l = emit_node(e, first, t, n->left);
                return emit_jump(e, BPF_JGE, first[n->right->lo], r, l);
        }
}

Target emit_search_minmax(Emitter *e, const uint32_t *first, const Target *t, const int *cost, size_t n) {
        Node *nodes = arena_alloc_array(e->scratch, 2 * n, sizeof(Node));
        Node **row = arena_alloc_array(e->scratch, n, sizeof(Node *));
        size_t n_nodes = 0, n_row = 0;

        assert(n > 0);
        if (!nodes || !row) {
                e->error = -ENOMEM;
                return t[0];
        }
        /* Leaves, neighbours with one target as one. */
        for (size_t i = 0; i < n; i++) {
                if (n_row > 0 && target_equal(t[row[n_row - 1]->lo], t[i])) {
                        row[n_row - 1]->hi = i;
                        row[n_row - 1]->cost = MAX(row[n_row - 1]->cost, cost[i]);
                        row[n_row - 1]->weight += cost[i] != COST_NONE;
                        continue;
                }
                nodes[n_nodes] = (Node) { NODE_LEAF, i, i, cost[i], cost[i] != COST_NONE, NULL, NULL };
                row[n_row++] = &nodes[n_nodes++];
        }

        /* Merge the neighbours whose merged cost is least, until one tree is left: for the
         * largest cost over all pieces this greedy choice is optimal among alphabetic trees. An
         * "x == k" between two leaves of one target takes a single comparison for all three. */
        while (n_row > 1) {
                size_t best = 0, width = 2, best_weight = SIZE_MAX;
                int best_cost = INT_MAX;

                /* Of merges with the least cost, the lightest: fewer pieces that matter go deeper. */
                for (size_t i = 0; i + 1 < n_row; i++) {
                        int c = MAX(row[i]->cost, row[i + 1]->cost) + 1;
                        size_t w = row[i]->weight + row[i + 1]->weight;

                        if (i + 2 < n_row && row[i]->kind == NODE_LEAF && row[i + 1]->kind == NODE_LEAF &&
                            row[i + 2]->kind == NODE_LEAF && target_equal(t[row[i]->lo], t[row[i + 2]->lo]) &&
                            row[i + 1]->lo == row[i + 1]->hi && first[row[i + 1]->lo + 1] - first[row[i + 1]->lo] == 1) {
                                int c3 = MAX(c - 1, row[i + 2]->cost) + 1;
                                size_t w3 = w + row[i + 2]->weight;

                                if (c3 <= c && (c3 < best_cost || (c3 == best_cost && w3 < best_weight))) {
                                        best = i;
                                        width = 3;
                                        best_cost = c3;
                                        best_weight = w3;
                                        continue;
                                }
                        }
                        if (c < best_cost || (c == best_cost && w < best_weight)) {
                                best = i;
                                width = 2;
                                best_cost = c;
                                best_weight = w;
                        }
                }

                Node *m = &nodes[n_nodes++];
                if (width == 3) {
                        *m = (Node) { NODE_EQUAL, row[best]->lo, row[best + 2]->hi, best_cost, best_weight, row[best], row[best + 1] };
                        row[best]->hi = row[best + 2]->hi;     /* the outer leaf stands for both sides */
                } else
                        *m = (Node) { NODE_SPLIT, row[best]->lo, row[best + 1]->hi, best_cost, best_weight, row[best], row[best + 1] };
                row[best] = m;
                memmove(&row[best + 1], &row[best + width], (n_row - best - width) * sizeof(Node *));
                n_row -= width - 1;
        }
        return emit_node(e, first, t, row[0]);
}
