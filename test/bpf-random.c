/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "bpf-random.h"
#include "macro.h"

static const uint32_t pool[] = {
        0, 1, 2, 3, 4, 5, 7, 16, 31, 32, 39, 41, 102, 104, 110, 1000, 0xff, 0x100, 0xffff, 0x10000,
        0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 0x40000027, 0xc000003e, 0x40000003, 0xdeadbeef,
        SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | 1,
};

Rng rng_from_env(uint64_t fallback_seed, uint64_t *ret_seed) {
        const char *e = getenv("MEGAFILTER_TEST_SEED");
        uint64_t seed = e ? strtoull(e, NULL, 0) : fallback_seed;

        if (ret_seed)
                *ret_seed = seed;
        return (Rng) { .state = seed };
}

/* splitmix64 */
uint64_t rng_next(Rng *r) {
        uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));

        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

uint32_t rng_below(Rng *r, uint32_t n) {
        return n == 0 ? 0 : (uint32_t) (rng_next(r) % n);
}

uint32_t rng_value(Rng *r) {
        if (rng_below(r, 4) != 0)
                return pool[rng_below(r, ELEMENTSOF(pool))];
        return (uint32_t) rng_next(r);
}

uint32_t rng_action(Rng *r) {
        static const uint32_t actions[] = {
                SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
                SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
        };
        uint32_t a = actions[rng_below(r, ELEMENTSOF(actions))];

        switch (rng_below(r, 8)) {
        case 0:
                return (uint32_t) rng_next(r);                  /* often an unknown action */
        case 1:
                return a | (uint32_t) (rng_next(r) & SECCOMP_RET_DATA);
        case 2:
        case 3:
                return a;
        default:
                return a | rng_below(r, 12);
        }
}

static uint16_t rng_load_offset(Rng *r) {
        /* nr and arch most of the time, any word of struct seccomp_data otherwise */
        switch (rng_below(r, 4)) {
        case 0:
                return 0;
        case 1:
                return 4;
        default:
                return (uint16_t) (4 * rng_below(r, sizeof(struct seccomp_data) / 4));
        }
}

/* Jumps skip few instructions, mostly: longer skips would leave most of a program dead. */
static uint32_t rng_skip(Rng *r, size_t max_skip) {
        size_t limit = rng_below(r, 4) == 0 ? 255 : 4;

        return rng_below(r, (uint32_t) MIN(max_skip, limit) + 1);
}

/* For the cache, plain ALLOW is the interesting return: make it common. */
static uint32_t rng_return(Rng *r, bool cache_only) {
        return cache_only && rng_below(r, 2) ? SECCOMP_RET_ALLOW : rng_action(r);
}

size_t rng_program(Rng *r, struct sock_filter *p, size_t max, RandomProgramFlags flags) {
        static const uint16_t alu_ops[] = {
                BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH,
        };
        static const uint16_t jmp_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
        size_t n = 1 + rng_below(r, (uint32_t) max);
        bool cache_only = flags & RANDOM_PROGRAM_CACHE_ONLY;

        for (size_t pc = 0; pc + 1 < n; pc++) {
                size_t max_skip = n - pc - 2;   /* a jump may land on the final return */
                struct sock_filter *f = p + pc;
                uint16_t op;

                *f = (struct sock_filter) {};

                switch (rng_below(r, 16)) {
                case 0 ... 2:
                        *f = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                           cache_only ? 4 * rng_below(r, 2) : rng_load_offset(r));
                        break;
                case 3:
                        if (cache_only)
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | BPF_AND | BPF_K, rng_value(r));
                        else
                                *f = (struct sock_filter) BPF_STMT((rng_below(r, 2) ? BPF_LD : BPF_LDX) | BPF_IMM,
                                                                   rng_value(r));
                        break;
                case 4:
                        if (cache_only)
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | BPF_AND | BPF_K, rng_value(r));
                        else if (rng_below(r, 2))
                                *f = (struct sock_filter) BPF_STMT((rng_below(r, 2) ? BPF_LD : BPF_LDX) | BPF_W | BPF_LEN, 0);
                        else
                                *f = (struct sock_filter) BPF_STMT(BPF_MISC | (rng_below(r, 2) ? BPF_TAX : BPF_TXA), 0);
                        break;
                case 5:
                        if (cache_only)
                                *f = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
                        else
                                *f = (struct sock_filter) BPF_STMT(rng_below(r, 2) ? BPF_ST : BPF_STX, rng_below(r, 16));
                        break;
                case 6:
                        if (cache_only)
                                *f = (struct sock_filter) BPF_STMT(BPF_JMP | BPF_JA, rng_skip(r, max_skip));
                        else
                                *f = (struct sock_filter) BPF_STMT((rng_below(r, 2) ? BPF_LD : BPF_LDX) | BPF_MEM,
                                                                   rng_below(r, 4));
                        break;
                case 7 ... 8:
                        if (cache_only) {
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | BPF_AND | BPF_K, rng_value(r));
                                break;
                        }
                        if (rng_below(r, 10) == 0) {
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | BPF_NEG, 0);
                                break;
                        }
                        op = alu_ops[rng_below(r, ELEMENTSOF(alu_ops))];
                        if (rng_below(r, 2))
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | op | BPF_X, 0);
                        else if (op == BPF_LSH || op == BPF_RSH)
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | op | BPF_K, rng_below(r, 32));
                        else if (op == BPF_DIV)
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | op | BPF_K, rng_value(r) | 1);
                        else
                                *f = (struct sock_filter) BPF_STMT(BPF_ALU | op | BPF_K, rng_value(r));
                        break;
                case 9:
                        *f = (struct sock_filter) BPF_STMT(BPF_JMP | BPF_JA, rng_skip(r, max_skip));
                        break;
                case 10 ... 13:
                        op = jmp_ops[rng_below(r, ELEMENTSOF(jmp_ops))];
                        *f = (struct sock_filter) BPF_JUMP(BPF_JMP | op | (!cache_only && rng_below(r, 4) == 0 ? BPF_X : BPF_K),
                                                           rng_value(r), rng_skip(r, max_skip), rng_skip(r, max_skip));
                        break;
                default:
                        if (!cache_only && rng_below(r, 4) == 0)
                                *f = (struct sock_filter) BPF_STMT(BPF_RET | BPF_A, 0);
                        else
                                *f = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, rng_return(r, cache_only));
                        break;
                }
        }

        if (!cache_only && rng_below(r, 4) == 0)
                p[n - 1] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_A, 0);
        else
                p[n - 1] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, rng_return(r, cache_only));
        return n;
}

void rng_mutate(Rng *r, struct sock_filter *p, size_t n) {
        static const uint16_t codes[] = {
                /* classic BPF that seccomp refuses, and a few codes that mean nothing */
                BPF_ALU | BPF_MOD | BPF_K, BPF_ALU | BPF_MOD | BPF_X, BPF_LD | BPF_H | BPF_ABS,
                BPF_LD | BPF_B | BPF_ABS, BPF_LD | BPF_W | BPF_IND, BPF_LDX | BPF_B | BPF_MSH,
                BPF_ALU | BPF_NEG | BPF_X, BPF_RET | BPF_X, BPF_JMP | 0x50, 0x0106, 0xffff,
                /* and valid ones in unusual places */
                BPF_LD | BPF_W | BPF_ABS, BPF_ALU | BPF_DIV | BPF_K, BPF_ALU | BPF_LSH | BPF_K,
                BPF_LD | BPF_MEM, BPF_ST, BPF_JMP | BPF_JA, BPF_JMP | BPF_JEQ | BPF_K, BPF_RET | BPF_K,
        };
        struct sock_filter *f = p + rng_below(r, (uint32_t) n);

        switch (rng_below(r, 5)) {
        case 0:
                f->code = codes[rng_below(r, ELEMENTSOF(codes))];
                break;
        case 1:
                f->code = (uint16_t) rng_next(r);
                break;
        case 2:
                f->k = rng_below(r, 2) ? rng_below(r, 70) : rng_value(r);
                break;
        case 3:
                f->jt = (uint8_t) rng_below(r, 2 * (uint32_t) n + 1);
                break;
        default:
                f->jf = (uint8_t) rng_below(r, 2 * (uint32_t) n + 1);
                break;
        }
}

void rng_args(Rng *r, uint64_t args[6]) {
        for (size_t i = 0; i < 6; i++)
                args[i] = (uint64_t) (rng_below(r, 3) == 0 ? rng_value(r) : 0) << 32 | rng_value(r);
}
