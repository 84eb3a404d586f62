/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The kernel's checks on a seccomp filter (net/core/filter.c bpf_check_classic() followed by
 * kernel/seccomp.c seccomp_check_filter()), an interpreter with the semantics of the kernel's
 * classic-to-eBPF translation, and the order in which a chain's verdicts are combined. */

#include <inttypes.h>

#include "bpf-emu.h"
#include "macro.h"

#define SECCOMP_DATA_SIZE ((uint32_t) sizeof(struct seccomp_data))

int bpf_check(const struct sock_filter *insns, size_t n) {
        /* valid_at[pc]: the scratch cells written on every jump path into pc */
        uint16_t valid_at[BPF_MAXINSNS], valid = 0;

        if (!insns || n == 0 || n > BPF_MAXINSNS)
                return -EINVAL;

        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *f = insns + pc;
                size_t after = n - pc - 1;      /* instructions a jump from here may skip */

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (f->k >= SECCOMP_DATA_SIZE || f->k % 4 != 0)
                                return -EINVAL;
                        break;

                case BPF_ALU | BPF_DIV | BPF_K:
                        if (f->k == 0)
                                return -EINVAL;
                        break;

                case BPF_ALU | BPF_LSH | BPF_K:
                case BPF_ALU | BPF_RSH | BPF_K:
                        if (f->k >= 32)
                                return -EINVAL;
                        break;

                case BPF_LD | BPF_MEM:
                case BPF_LDX | BPF_MEM:
                case BPF_ST:
                case BPF_STX:
                        if (f->k >= BPF_MEMWORDS)
                                return -EINVAL;
                        break;

                case BPF_JMP | BPF_JA:
                        if (f->k >= after)
                                return -EINVAL;
                        break;

                case BPF_JMP | BPF_JEQ | BPF_K:
                case BPF_JMP | BPF_JEQ | BPF_X:
                case BPF_JMP | BPF_JGE | BPF_K:
                case BPF_JMP | BPF_JGE | BPF_X:
                case BPF_JMP | BPF_JGT | BPF_K:
                case BPF_JMP | BPF_JGT | BPF_X:
                case BPF_JMP | BPF_JSET | BPF_K:
                case BPF_JMP | BPF_JSET | BPF_X:
                        if (f->jt >= after || f->jf >= after)
                                return -EINVAL;
                        break;

                /* Permitted without further checks. BPF_MOD, the packet loads (H/B, IND, MSH)
                 * and the ancillary loads are classic BPF that seccomp refuses. */
                case BPF_LD | BPF_W | BPF_LEN:
                case BPF_LDX | BPF_W | BPF_LEN:
                case BPF_LD | BPF_IMM:
                case BPF_LDX | BPF_IMM:
                case BPF_MISC | BPF_TAX:
                case BPF_MISC | BPF_TXA:
                case BPF_RET | BPF_K:
                case BPF_RET | BPF_A:
                case BPF_ALU | BPF_NEG:
                case BPF_ALU | BPF_ADD | BPF_K:
                case BPF_ALU | BPF_ADD | BPF_X:
                case BPF_ALU | BPF_SUB | BPF_K:
                case BPF_ALU | BPF_SUB | BPF_X:
                case BPF_ALU | BPF_MUL | BPF_K:
                case BPF_ALU | BPF_MUL | BPF_X:
                case BPF_ALU | BPF_DIV | BPF_X:
                case BPF_ALU | BPF_AND | BPF_K:
                case BPF_ALU | BPF_AND | BPF_X:
                case BPF_ALU | BPF_OR | BPF_K:
                case BPF_ALU | BPF_OR | BPF_X:
                case BPF_ALU | BPF_XOR | BPF_K:
                case BPF_ALU | BPF_XOR | BPF_X:
                case BPF_ALU | BPF_LSH | BPF_X:
                case BPF_ALU | BPF_RSH | BPF_X:
                        break;

                default:
                        return -EINVAL;
                }
        }

        if (insns[n - 1].code != (BPF_RET | BPF_K) && insns[n - 1].code != (BPF_RET | BPF_A))
                return -EINVAL;

        /* The kernel does not clear scratch memory before a run, so it insists that every load
         * from M[k] is preceded by a store on all paths. Its check is a single forward pass: a
         * jump narrows what its targets may assume, fall-through carries the current set (also
         * past a RET), and the instruction after a jump starts from all cells. Replicated as is,
         * so that exactly the same programs are refused. */
        memset(valid_at, 0xff, n * sizeof(valid_at[0]));
        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *f = insns + pc;

                valid &= valid_at[pc];

                switch (f->code) {
                case BPF_ST:
                case BPF_STX:
                        valid |= 1u << f->k;
                        break;

                case BPF_LD | BPF_MEM:
                case BPF_LDX | BPF_MEM:
                        if (!(valid & (1u << f->k)))
                                return -EINVAL;
                        break;

                case BPF_JMP | BPF_JA:
                        valid_at[pc + 1 + f->k] &= valid;
                        valid = UINT16_MAX;
                        break;

                case BPF_JMP | BPF_JEQ | BPF_K:
                case BPF_JMP | BPF_JEQ | BPF_X:
                case BPF_JMP | BPF_JGE | BPF_K:
                case BPF_JMP | BPF_JGE | BPF_X:
                case BPF_JMP | BPF_JGT | BPF_K:
                case BPF_JMP | BPF_JGT | BPF_X:
                case BPF_JMP | BPF_JSET | BPF_K:
                case BPF_JMP | BPF_JSET | BPF_X:
                        valid_at[pc + 1 + f->jt] &= valid;
                        valid_at[pc + 1 + f->jf] &= valid;
                        valid = UINT16_MAX;
                        break;
                }
        }

        return 0;
}

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

static inline int32_t action_only(uint32_t ret) {
        return (int32_t) (ret & SECCOMP_RET_ACTION_FULL);
}

int seccomp_action_compare(uint32_t a, uint32_t b) {
        int32_t x = action_only(a), y = action_only(b);

        return (x > y) - (x < y);
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
                if (action_only(r) < action_only(ret))
                        ret = r;
        }

        return finish(ret_steps, steps, ret);
}

const char *seccomp_action_to_string(uint32_t action, char *buf, size_t size) {
        uint32_t data = action & SECCOMP_RET_DATA;

        switch (action & SECCOMP_RET_ACTION_FULL) {
        case SECCOMP_RET_KILL_PROCESS:
                snprintf(buf, size, "KILL_PROCESS");
                break;
        case SECCOMP_RET_KILL_THREAD:
                snprintf(buf, size, "KILL_THREAD");
                break;
        case SECCOMP_RET_TRAP:
                if (data)
                        snprintf(buf, size, "TRAP(%" PRIu32 ")", data);
                else
                        snprintf(buf, size, "TRAP");
                break;
        case SECCOMP_RET_ERRNO:
                snprintf(buf, size, "ERRNO(%" PRIu32 ")", data);
                break;
        case SECCOMP_RET_USER_NOTIF:
                snprintf(buf, size, "USER_NOTIF");
                break;
        case SECCOMP_RET_TRACE:
                if (data)
                        snprintf(buf, size, "TRACE(%" PRIu32 ")", data);
                else
                        snprintf(buf, size, "TRACE");
                break;
        case SECCOMP_RET_LOG:
                snprintf(buf, size, "LOG");
                break;
        case SECCOMP_RET_ALLOW:
                snprintf(buf, size, "ALLOW");
                break;
        default:
                /* The kernel kills the process for actions it does not know. */
                snprintf(buf, size, "UNKNOWN(0x%08" PRIx32 ")", action);
                break;
        }

        return buf;
}
