/* SPDX-License-Identifier: LGPL-2.1-or-later */

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
        if (!GREEDY_REALLOC(e->code, e->allocated, e->n + 1)) {
                e->error = -ENOMEM;
                return e->n > 0 ? e->n - 1 : 0;
        }
        e->code[e->n] = (struct sock_filter) { .code = code, .jt = jt, .jf = jf, .k = k };
        return e->n++;
}

static size_t emit_ret(Emitter *e, uint32_t action) {
        size_t pos = emit_raw(e, BPF_RET | BPF_K, 0, 0, action);

        if (e->error >= 0) {
                if (!GREEDY_REALLOC(e->rets, e->rets_allocated, e->n_rets + 1))
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
        p->insns = TAKE_PTR(e->code);
        p->n = e->n;
        p->allocated = e->allocated;
        e->n = e->allocated = 0;
        return 0;
}

void emitter_done(Emitter *e) {
        free(e->code);
        free(e->rets);
        *e = (Emitter) {};
}

static Target emit_search_range(Emitter *e, const uint32_t *first, const Target *t, size_t lo, size_t hi) {
        size_t mid;
        Target l, r;

        if (lo == hi)
                return t[lo];

        /* x == k, otherwise the same thing: one comparison. */
        if (hi == lo + 2 && target_equal(t[lo], t[hi]) && first[lo + 2] - first[lo + 1] == 1)
                return emit_jump(e, BPF_JEQ, first[lo + 1], t[lo + 1], t[lo]);

        mid = lo + (hi - lo + 1) / 2;
        r = emit_search_range(e, first, t, mid, hi);
        l = emit_search_range(e, first, t, lo, mid - 1);
        return emit_jump(e, BPF_JGE, first[mid], r, l);
}

Target emit_search(Emitter *e, const uint32_t *first, const Target *t, size_t n) {
        assert(n > 0);
        return emit_search_range(e, first, t, 0, n - 1);
}
