/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Random seccomp programs and inputs for the differential and property tests. Deterministic for a
 * seed: MEGAFILTER_TEST_SEED overrides the default, and failing tests print the seed they used. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Rng {
        uint64_t state;
} Rng;

Rng rng_from_env(uint64_t fallback_seed, uint64_t *ret_seed);
uint64_t rng_next(Rng *r);
uint32_t rng_below(Rng *r, uint32_t n);

/* A 32-bit value, often one of a small pool shared with rng_seccomp_data(), so that comparisons
 * in random programs take both branches. */
uint32_t rng_value(Rng *r);

/* A return value: every action, with and without data, sometimes an unknown one. */
uint32_t rng_action(Rng *r);

typedef enum RandomProgramFlags {
        RANDOM_PROGRAM_CACHE_ONLY = 1 << 0,     /* only instructions the kernel's cache emulator follows */
} RandomProgramFlags;

/* A program of 1 … max instructions (max ≤ 4096), jumps in range and a final return, but not
 * necessarily valid: loads from scratch memory may come before any store. Returns its length. */
size_t rng_program(Rng *r, struct sock_filter *p, size_t max, RandomProgramFlags flags);

/* Change one field of one instruction to something arbitrary, often invalid. */
void rng_mutate(Rng *r, struct sock_filter *p, size_t n);

/* Arguments drawn from the same pool as rng_value(), in both halves. */
void rng_args(Rng *r, uint64_t args[6]);
