/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A listing of a seccomp program in bpf_asm's syntax, one instruction a line, with absolute jump
 * targets and comments: the seccomp_data field a load reads, the ABI an arch comparison selects,
 * the syscall a comparison against nr names, the action a return takes. */

#include <inttypes.h>

#include "action.h"
#include "bpf-disasm.h"
#include "bpf-program.h"
#include "macro.h"
#include "syscall-table.h"

#define SRC_NONE (-1)           /* a register holds nothing straight from seccomp_data */
#define ABI_UNSET (-100)        /* no arch comparison on the way here: use the caller's ABI */
#define ABI_MIXED (-101)        /* paths disagree, or the arch is not one we know: name nothing */

typedef struct PathState {
        bool reached;
        int a, x;               /* offset into seccomp_data the register was loaded from, or SRC_NONE */
        int abi;                /* an Abi, ABI_UNSET or ABI_MIXED */
} PathState;

static void merge_into(PathState *states, size_t n, size_t target, const PathState *s) {
        PathState *t;

        if (target >= n)
                return;         /* unchecked program */

        t = states + target;
        if (!t->reached) {
                *t = *s;
                return;
        }
        if (t->a != s->a)
                t->a = SRC_NONE;
        if (t->x != s->x)
                t->x = SRC_NONE;
        if (t->abi != s->abi)
                t->abi = ABI_MIXED;
}

static bool is_cond_jump(uint16_t code) {
        if (BPF_CLASS(code) != BPF_JMP || code > 0xff)
                return false;
        switch (BPF_OP(code)) {
        case BPF_JEQ:
        case BPF_JGT:
        case BPF_JGE:
        case BPF_JSET:
                return true;
        default:
                return false;
        }
}

static void field_name(uint32_t k, char *buf, size_t size) {
        if (k % 4 != 0 || k >= sizeof(struct seccomp_data))
                *buf = 0;
        else if (k == SECCOMP_DATA_NR)
                snprintf(buf, size, "nr");
        else if (k == SECCOMP_DATA_ARCH)
                snprintf(buf, size, "arch");
        else if (k < SECCOMP_DATA_ARG_LO(0))
                snprintf(buf, size, "ip %s", k == SECCOMP_DATA_IP ? "lo" : "hi");
        else
                snprintf(buf, size, "args[%" PRIu32 "] %s",
                         (k - SECCOMP_DATA_ARG_LO(0)) / 8, (k - SECCOMP_DATA_ARG_LO(0)) % 8 ? "hi" : "lo");
}

/* Small constants in decimal (syscall numbers, errnos, offsets), the rest in hex. */
static void format_k(uint32_t k, char *buf, size_t size) {
        if (k <= 0xffff)
                snprintf(buf, size, "%" PRIu32, k);
        else
                snprintf(buf, size, "0x%" PRIx32, k);
}

static const char *alu_name(uint16_t code) {
        switch (BPF_OP(code)) {
        case BPF_ADD:
                return "add";
        case BPF_SUB:
                return "sub";
        case BPF_MUL:
                return "mul";
        case BPF_DIV:
                return "div";
        case BPF_OR:
                return "or";
        case BPF_AND:
                return "and";
        case BPF_LSH:
                return "lsh";
        case BPF_RSH:
                return "rsh";
        case BPF_NEG:
                return "neg";
        case BPF_MOD:
                return "mod";
        case BPF_XOR:
                return "xor";
        default:
                return NULL;
        }
}

static const char *jump_name(uint16_t code) {
        switch (BPF_OP(code)) {
        case BPF_JA:
                return "ja";
        case BPF_JEQ:
                return "jeq";
        case BPF_JGT:
                return "jgt";
        case BPF_JGE:
                return "jge";
        case BPF_JSET:
                return "jset";
        default:
                return NULL;
        }
}

static const char *size_suffix(uint16_t code) {
        switch (BPF_SIZE(code)) {
        case BPF_W:
                return "";
        case BPF_H:
                return "h";
        case BPF_B:
                return "b";
        default:
                return NULL;
        }
}

/* The mnemonic and operand of one instruction; jump targets of conditional jumps are printed
 * separately. */
static void mnemonic(const struct sock_filter *f, size_t pc, char *buf, size_t size) {
        uint16_t code = f->code;
        const char *name, *sz;
        char k[16];

        format_k(f->k, k, sizeof k);

        switch (code > 0xff ? UINT16_MAX : BPF_CLASS(code)) {
        case BPF_LD:
        case BPF_LDX: {
                const char *ld = BPF_CLASS(code) == BPF_LD ? "ld" : "ldx";

                sz = size_suffix(code);
                if (code == (BPF_LDX | BPF_B | BPF_MSH))
                        snprintf(buf, size, "ldxb 4*([%" PRIu32 "]&0xf)", f->k);
                else if (BPF_MODE(code) == BPF_IMM && BPF_SIZE(code) == BPF_W)
                        snprintf(buf, size, "%s #%s", ld, k);
                else if (BPF_MODE(code) == BPF_LEN && BPF_SIZE(code) == BPF_W)
                        snprintf(buf, size, "%s #len", ld);
                else if (BPF_MODE(code) == BPF_MEM && BPF_SIZE(code) == BPF_W)
                        snprintf(buf, size, "%s M[%" PRIu32 "]", ld, f->k);
                else if (BPF_CLASS(code) == BPF_LD && BPF_MODE(code) == BPF_ABS && sz)
                        snprintf(buf, size, "ld%s [%" PRIu32 "]", sz, f->k);
                else if (BPF_CLASS(code) == BPF_LD && BPF_MODE(code) == BPF_IND && sz)
                        snprintf(buf, size, "ld%s [x + %" PRIu32 "]", sz, f->k);
                else
                        break;
                return;
        }
        case BPF_ST:
        case BPF_STX:
                if (code == BPF_ST || code == BPF_STX) {
                        snprintf(buf, size, "%s M[%" PRIu32 "]", code == BPF_ST ? "st" : "stx", f->k);
                        return;
                }
                break;
        case BPF_ALU:
                name = alu_name(code);
                if (!name)
                        break;
                if (BPF_OP(code) == BPF_NEG) {
                        if (code != (BPF_ALU | BPF_NEG))
                                break;
                        snprintf(buf, size, "neg");
                } else if (BPF_SRC(code) == BPF_X)
                        snprintf(buf, size, "%s x", name);
                else
                        snprintf(buf, size, "%s #%s", name, k);
                return;
        case BPF_JMP:
                name = jump_name(code);
                if (!name)
                        break;
                if (BPF_OP(code) == BPF_JA) {
                        if (code != (BPF_JMP | BPF_JA))
                                break;
                        snprintf(buf, size, "ja %" PRIu64, (uint64_t) pc + 1 + f->k);
                } else if (BPF_SRC(code) == BPF_X)
                        snprintf(buf, size, "%s x", name);
                else
                        snprintf(buf, size, "%s #%s", name, k);
                return;
        case BPF_RET:
                if (BPF_RVAL(code) == BPF_K)
                        snprintf(buf, size, "ret #%s", k);
                else if (BPF_RVAL(code) == BPF_A)
                        snprintf(buf, size, "ret a");
                else
                        break;
                return;
        case BPF_MISC:
                if (code == (BPF_MISC | BPF_TAX))
                        snprintf(buf, size, "tax");
                else if (code == (BPF_MISC | BPF_TXA))
                        snprintf(buf, size, "txa");
                else
                        break;
                return;
        }

        snprintf(buf, size, ".insn 0x%04x, %u, %u, 0x%08" PRIx32, code, f->jt, f->jf, f->k);
}

/* The syscall a number names on abi; x86-64's arch also covers x32, which the number tells. */
static const char *nr_name(int abi, uint32_t nr) {
        Abi a;

        if (abi < 0 || abi >= _ABI_MAX)
                return NULL;

        a = abi_from_audit_arch_nr(abi_info[abi].audit_arch, nr);
        if (a < 0)
                a = abi;
        return syscall_name(syscall_from_nr(a, nr));
}

/* Follow the program forward (jumps only go forward) and note, for every instruction, what A and X
 * hold and which ABI the arch checks on the way there selected. Writes the comment for pc. */
static void annotate(const struct sock_filter *insns, size_t n, size_t pc, PathState *states, Abi fallback,
                     char *comment, size_t size) {
        const struct sock_filter *f = insns + pc;
        PathState s = states[pc];
        uint16_t code = f->code;

        *comment = 0;

        if (code == (BPF_LD | BPF_W | BPF_ABS))
                field_name(f->k, comment, size);
        else if (code == (BPF_RET | BPF_K))
                action_to_string(f->k, comment, size);
        else if (s.reached && is_cond_jump(code) && BPF_SRC(code) == BPF_K && BPF_OP(code) != BPF_JSET) {
                const char *name = NULL;

                if (s.a == SECCOMP_DATA_ARCH) {
                        Abi a = abi_from_audit_arch(f->k);

                        name = a >= 0 ? abi_to_name(a) : NULL;
                } else if (s.a == SECCOMP_DATA_NR)
                        name = nr_name(s.abi == ABI_UNSET ? (int) fallback : s.abi, f->k);

                if (name)
                        snprintf(comment, size, "%s", name);
        }

        if (!s.reached)
                return;

        /* Propagate to the successors. */
        switch (code) {
        case BPF_LD | BPF_W | BPF_ABS:
                s.a = (int) f->k;
                break;
        case BPF_MISC | BPF_TAX:
                s.x = s.a;
                break;
        case BPF_MISC | BPF_TXA:
                s.a = s.x;
                break;
        case BPF_ST:
        case BPF_STX:
                break;
        default:
                if (BPF_CLASS(code) == BPF_LD || BPF_CLASS(code) == BPF_ALU)
                        s.a = SRC_NONE;
                else if (BPF_CLASS(code) == BPF_LDX)
                        s.x = SRC_NONE;
        }

        if (BPF_CLASS(code) == BPF_RET)
                return;
        if (code == (BPF_JMP | BPF_JA)) {
                merge_into(states, n, pc + 1 + (size_t) f->k, &s);
                return;
        }
        if (is_cond_jump(code)) {
                PathState t = s;

                if (code == (BPF_JMP | BPF_JEQ | BPF_K) && s.a == SECCOMP_DATA_ARCH) {
                        Abi a = abi_from_audit_arch(f->k);

                        t.abi = a >= 0 ? (int) a : ABI_MIXED;
                }
                merge_into(states, n, pc + 1 + f->jt, &t);
                merge_into(states, n, pc + 1 + f->jf, &s);
                return;
        }
        merge_into(states, n, pc + 1, &s);
}

char *bpf_disassemble(const struct sock_filter *insns, size_t n, Abi abi) {
        _cleanup_free_ PathState *states = NULL;
        _cleanup_free_ char *text = NULL;
        size_t text_size = 0;
        FILE *f;

        states = calloc(MAX(n, (size_t) 1), sizeof(PathState));
        if (!states)
                return NULL;
        if (n > 0)
                states[0] = (PathState) { .reached = true, .a = SRC_NONE, .x = SRC_NONE, .abi = ABI_UNSET };

        f = open_memstream(&text, &text_size);
        if (!f)
                return NULL;

        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *insn = insns + pc;
                char op[64], comment[64], targets[48] = "", line[256];
                size_t l;

                mnemonic(insn, pc, op, sizeof op);
                annotate(insns, n, pc, states, abi, comment, sizeof comment);
                if (is_cond_jump(insn->code))
                        snprintf(targets, sizeof targets, "jt %-4zu jf %-4zu", pc + 1 + insn->jt, pc + 1 + insn->jf);

                l = (size_t) snprintf(line, sizeof line, "%4zu: %-20s%-14s%s%s", pc, op, targets,
                                      *comment ? " ; " : "", comment);
                l = MIN(l, sizeof line - 1);
                while (l > 0 && line[l - 1] == ' ')
                        l--;
                fprintf(f, "%.*s\n", (int) l, line);
        }

        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(text);
}
