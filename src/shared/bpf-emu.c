/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* An interpreter with the semantics of the kernel's classic-to-eBPF translation of seccomp
 * filters, and the order in which a chain's verdicts are combined. */

#include "action.h"
#include "bpf-emu.h"
#include "macro.h"

static inline uint32_t finish(unsigned *ret_steps, unsigned steps, uint32_t ret) {
        if (ret_steps)
                *ret_steps = steps;
        return ret;
}

uint32_t bpf_run(const struct sock_filter *insns, size_t n, const struct seccomp_data *sd, unsigned *ret_steps) {
        const uint8_t *data = (const uint8_t *) sd;
        uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {};
        unsigned steps = 0;

        /* A checked program can neither leave the loop without a RET nor reach a default: case.
         * Those, out-of-range loads and constant zero divisors only guard against unchecked input,
         * and fail closed. */
        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *f = insns + pc;
                uint32_t k = f->k;

                steps++;

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (_unlikely_(k > SECCOMP_DATA_SIZE - sizeof(uint32_t)))
                                return finish(ret_steps, steps, SECCOMP_RET_KILL_PROCESS);
                        memcpy(&A, data + k, sizeof(A));
                        break;
                case BPF_LD | BPF_W | BPF_LEN:
                        A = SECCOMP_DATA_SIZE;
                        break;
                case BPF_LDX | BPF_W | BPF_LEN:
                        X = SECCOMP_DATA_SIZE;
                        break;
                case BPF_LD | BPF_IMM:
                        A = k;
                        break;
                case BPF_LDX | BPF_IMM:
                        X = k;
                        break;
                case BPF_LD | BPF_MEM:
                        A = M[k % BPF_MEMWORDS];
                        break;
                case BPF_LDX | BPF_MEM:
                        X = M[k % BPF_MEMWORDS];
                        break;
                case BPF_ST:
                        M[k % BPF_MEMWORDS] = A;
                        break;
                case BPF_STX:
                        M[k % BPF_MEMWORDS] = X;
                        break;
                case BPF_MISC | BPF_TAX:
                        X = A;
                        break;
                case BPF_MISC | BPF_TXA:
                        A = X;
                        break;

                case BPF_ALU | BPF_ADD | BPF_K:
                        A += k;
                        break;
                case BPF_ALU | BPF_ADD | BPF_X:
                        A += X;
                        break;
                case BPF_ALU | BPF_SUB | BPF_K:
                        A -= k;
                        break;
                case BPF_ALU | BPF_SUB | BPF_X:
                        A -= X;
                        break;
                case BPF_ALU | BPF_MUL | BPF_K:
                        A *= k;
                        break;
                case BPF_ALU | BPF_MUL | BPF_X:
                        A *= X;
                        break;
                case BPF_ALU | BPF_DIV | BPF_K:
                case BPF_ALU | BPF_DIV | BPF_X: {
                        uint32_t d = BPF_SRC(f->code) == BPF_X ? X : k;

                        /* The kernel's translation makes a division by X == 0 end the
                         * program, returning 0 (SECCOMP_RET_KILL_THREAD). */
                        if (d == 0)
                                return finish(ret_steps, steps, 0);
                        A /= d;
                        break;
                }
                case BPF_ALU | BPF_AND | BPF_K:
                        A &= k;
                        break;
                case BPF_ALU | BPF_AND | BPF_X:
                        A &= X;
                        break;
                case BPF_ALU | BPF_OR | BPF_K:
                        A |= k;
                        break;
                case BPF_ALU | BPF_OR | BPF_X:
                        A |= X;
                        break;
                case BPF_ALU | BPF_XOR | BPF_K:
                        A ^= k;
                        break;
                case BPF_ALU | BPF_XOR | BPF_X:
                        A ^= X;
                        break;
                /* 32-bit shifts use the count modulo 32, in the eBPF interpreter as in the JITs;
                 * constant counts of 32 or more are refused by bpf_check(). */
                case BPF_ALU | BPF_LSH | BPF_K:
                        A <<= k & 31;
                        break;
                case BPF_ALU | BPF_LSH | BPF_X:
                        A <<= X & 31;
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        A >>= k & 31;
                        break;
                case BPF_ALU | BPF_RSH | BPF_X:
                        A >>= X & 31;
                        break;
                case BPF_ALU | BPF_NEG:
                        A = -A;
                        break;

                case BPF_JMP | BPF_JA:
                        pc += k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        pc += A == k ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_X:
                        pc += A == X ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGE | BPF_K:
                        pc += A >= k ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGE | BPF_X:
                        pc += A >= X ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                        pc += A > k ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGT | BPF_X:
                        pc += A > X ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                        pc += (A & k) ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JSET | BPF_X:
                        pc += (A & X) ? f->jt : f->jf;
                        break;

                case BPF_RET | BPF_K:
                        return finish(ret_steps, steps, k);
                case BPF_RET | BPF_A:
                        return finish(ret_steps, steps, A);

                default:
                        return finish(ret_steps, steps, SECCOMP_RET_KILL_PROCESS);
                }
        }

        return finish(ret_steps, steps, SECCOMP_RET_KILL_PROCESS);
}

uint32_t bpf_chain_run(const BpfFilterRef *filters, size_t n, const struct seccomp_data *sd, unsigned *ret_steps) {
        uint32_t ret = SECCOMP_RET_ALLOW;
        unsigned steps = 0;

        /* Newest first; only a strictly more restrictive action replaces the verdict, so ties go
         * to the newest filter, and a chain of ALLOWs with data still yields plain ALLOW. */
        for (size_t i = n; i > 0; i--) {
                unsigned s = 0;
                uint32_t r = bpf_run(filters[i - 1].insns, filters[i - 1].n, sd, &s);

                steps += s;
                if (action_compare(r, ret) < 0)
                        ret = r;
        }

        return finish(ret_steps, steps, ret);
}
