/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The kernel's checks on a seccomp filter: net/core/filter.c bpf_check_classic() followed by
 * kernel/seccomp.c seccomp_check_filter(). */

#include "bpf-check.h"
#include "macro.h"

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
