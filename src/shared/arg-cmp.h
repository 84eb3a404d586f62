/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Comparisons of a syscall's arguments: what a layer's rules ask (layer.h) and what the policy's
 * decisions check (policy.h). */

#include <stdbool.h>
#include <stdint.h>

typedef enum ArgOp {
        ARG_EQ,
        ARG_NE,
        ARG_LT,
        ARG_LE,
        ARG_GT,
        ARG_GE,
        ARG_MASKED_EQ,                  /* (arg & mask) == datum */
        ARG_MASKED_NE,                  /* (arg & mask) != datum */
        _ARG_OP_MAX,
} ArgOp;

/* One comparison of a syscall argument, unsigned, on all 64 bits (ABIs with arg_bits 64) or on
 * the low 32 bits only (arg_bits 32, as libseccomp compares them there). */
typedef struct ArgCmp {
        uint8_t arg;                    /* 0…5 */
        uint8_t op;                     /* ArgOp */
        uint64_t mask;                  /* ARG_MASKED_* only */
        uint64_t datum;
} ArgCmp;

#define ARG_CMP_ARGS 6

#define CMP(a, o, d) ((ArgCmp) { .arg = (a), .op = (o), .datum = (d) })
#define CMP_MASKED(a, m, d) ((ArgCmp) { .arg = (a), .op = ARG_MASKED_EQ, .mask = (m), .datum = (d) })

/* Whether a comparison holds for an argument value on an ABI with arg_bits bits. */
bool arg_cmp_holds(const ArgCmp *c, uint64_t value, unsigned arg_bits);

/* The comparison that holds exactly when c does not. */
ArgCmp arg_cmp_negate(ArgCmp c);

/* Whether no argument values satisfy both a and b, as far as a pair of comparisons of the same
 * argument shows it (equal to different values, equal and unequal to one value): false means
 * "may overlap". */
bool arg_cmps_disjoint(const ArgCmp *a, const ArgCmp *b, unsigned arg_bits);
