/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Back-to-front emission of classic BPF: every instruction is emitted after its successors, so
 * jump distances are known when a jump is written. A jump further than 255 instructions goes
 * through a "ja" trampoline; a return is shared with an earlier identical one when it is in
 * reach, and emitted again when it is not. Used by the code generators only. */

#include <limits.h>

#include "bpf-program.h"

typedef struct Emitter {
        Arena arena;                    /* the code: the finished program takes it over */
        Arena *scratch;                 /* everything else the emitter and the generators need */
        struct sock_filter *code;       /* reversed: code[0] is the program's last instruction */
        size_t n, allocated;
        struct {
                uint32_t action;
                size_t pos;
        } *rets;                        /* every RET emitted */
        size_t n_rets, rets_allocated;
        unsigned *path_len;             /* emit_path_max(): longest path from code[i], for i < n_path */
        size_t n_path, path_allocated;
        int error;                      /* the first failure; emission goes on harmlessly after it */
} Emitter;

/* Where control goes: an emitted instruction (its position, counted from the end), or "return
 * this action", resolved to a RET when a jump needs it. */
typedef struct Target {
        bool is_action;
        uint32_t action;
        size_t pos;
} Target;

#define TARGET_ACTION(a) ((Target) { .is_action = true, .action = (a) })
#define TARGET_LABEL(p) ((Target) { .is_action = false, .pos = (p) })

bool target_equal(Target a, Target b);

/* Emit "insn; then continue at next". Returns the label of insn. */
Target emit_insn(Emitter *e, uint16_t code, uint32_t k, Target next);

/* Emit "if (A op k) goto t; else goto f" (op: BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET). When both
 * branches end up at the same place no jump is emitted and that place is returned. */
Target emit_jump(Emitter *e, uint16_t op, uint32_t k, Target t, Target f);

/* A search over the 32-bit value in A: piece i, from first[i] up to first[i + 1], goes to
 * t[i]. first[0] must be 0 and the pieces sorted; neighbours may share a target. */
Target emit_search(Emitter *e, const uint32_t *first, const Target *t, size_t n);

/* The same, keeping heavy pieces (w[i]: how often piece i is expected to run) near the root.
 * fold: a piece of one number between two of one target is tested with "jeq" inside one piece
 * of the three (one comparison instead of two: smaller code, but the search is then laid out
 * over other pieces, which can lengthen paths). */
Target emit_search_weighted(Emitter *e, const uint32_t *first, const Target *t, const uint64_t *w, size_t n,
                            bool fold);

/* The same, placing the pieces so that the largest of cost[i] plus the comparisons on the way to
 * piece i is least (COST_NONE: a piece whose path does not matter). */
#define COST_NONE (INT_MIN / 4)
Target emit_search_minmax(Emitter *e, const uint32_t *first, const Target *t, const int *cost, size_t n);

/* How many instructions the longest path from t runs, up to and including its RET. */
unsigned emit_path_max(Emitter *e, Target t);

/* Make target a real instruction (emitting a RET for an action) and return its label. */
Target emit_target(Emitter *e, Target t);

/* Move the finished program into p (in execution order), with the arena. Returns e->error or
 * -E2BIG. */
int emitter_finish(Emitter *e, BpfProgram *p);
void emitter_done(Emitter *e);
