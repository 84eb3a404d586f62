/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "arg-cmp.h"

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

ArgCmp arg_cmp_negate(ArgCmp c) {
        static const ArgOp negated[_ARG_OP_MAX] = {
                [ARG_EQ] = ARG_NE, [ARG_NE] = ARG_EQ,
                [ARG_LT] = ARG_GE, [ARG_GE] = ARG_LT,
                [ARG_GT] = ARG_LE, [ARG_LE] = ARG_GT,
                [ARG_MASKED_EQ] = ARG_MASKED_NE, [ARG_MASKED_NE] = ARG_MASKED_EQ,
        };

        c.op = negated[c.op];
        return c;
}

bool arg_cmps_disjoint(const ArgCmp *a, const ArgCmp *b, unsigned arg_bits) {
        uint64_t bits = arg_bits == 32 ? UINT32_MAX : UINT64_MAX;

        if (a->arg != b->arg)
                return false;
        if (a->op == ARG_MASKED_EQ && b->op == ARG_MASKED_EQ)
                return ((a->mask ^ b->mask) & bits) == 0 && ((a->datum ^ b->datum) & bits) != 0;
        if (a->op == ARG_EQ && b->op == ARG_EQ)
                return ((a->datum ^ b->datum) & bits) != 0;
        if ((a->op == ARG_EQ && b->op == ARG_NE) || (a->op == ARG_NE && b->op == ARG_EQ))
                return ((a->datum ^ b->datum) & bits) == 0;
        return false;
}
