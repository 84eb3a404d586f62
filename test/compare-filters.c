/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* compare-filters A B: whether the seccomp filters attached to two processes decide every
 * system call alike. Both chains are read with ptrace (process-filters.c) and run in the emulator
 * with the kernel's precedence, for every ABI this host runs, every number of its table and
 * numbers outside it, and for each (ABI, number) with the argument values either chain can tell
 * apart: every constant a program compares an argument word with (and its neighbours, and the
 * masks it tests), all combinations over the words either chain reads for that call. Prints a
 * summary and the first mismatches (20, or $COMPARE_FILTERS_SHOW); exit status 0 when nothing differs, 1 when something does,
 * 2 on error. Used by test-systemd-manager.sh to hold systemd 252's stacked filters against the
 * patched systemd's megafilter for the same unit. A and B are PIDs, or file:PATH for one filter as
 * a raw struct sock_filter array (crun's /run/crun/ID/seccomp.bpf, megafilter oci compile
 * --format=raw), which test-oci-differential.sh compares. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "action.h"
#include "bpf-check.h"
#include "bpf-emu.h"
#include "bpf-program.h"
#include "process-filters.h"
#include "syscall-table.h"

#define WORDS 14                        /* 6 arguments × 2 halves, then the instruction pointer's */
#define VALUES_MAX 512                  /* per word */
#define COMBINATIONS_MAX (1u << 20)     /* per call, before falling back to pairs of words */
#define SHOWN 20

typedef struct Values {
        uint32_t v[VALUES_MAX];
        size_t n;
        bool overflow;
} Values;

static void values_add(Values *s, uint32_t v) {
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i] == v)
                        return;
        if (s->n == VALUES_MAX) {
                s->overflow = true;
                return;
        }
        s->v[s->n++] = v;
}

/* What A holds on a path: a known constant, an argument word masked by m, or nothing known. */
typedef enum { A_CONST, A_WORD, A_UNKNOWN } AKind;
typedef struct AState {
        AKind kind;
        uint32_t value;                 /* A_CONST */
        int word;                       /* A_WORD */
        uint32_t mask;
} AState;

typedef struct Walk {
        const struct sock_filter *insns;
        size_t n;
        uint32_t arch, nr;
        Values *words;
        bool *read;                     /* per word: some path compares it */
        unsigned budget;                /* instructions left to visit */
        bool exhausted;
} Walk;

static int word_of(uint32_t off) {
        if (off >= 16 && off < 64)
                return (int) (off - 16) / 4;
        if (off == 8 || off == 12)
                return 12 + (int) (off - 8) / 4;
        return -1;
}

static void note_comparison(Walk *w, const AState *a, uint16_t op, uint32_t k) {
        Values *s = &w->words[a->word];
        uint32_t m = a->mask;

        w->read[a->word] = true;
        values_add(s, k);
        values_add(s, k + 1);
        values_add(s, k - 1);
        values_add(s, k | ~m);
        if (op == BPF_JSET) {
                values_add(s, 0);
                values_add(s, ~k);
                /* Each bit of the tested mask alone. */
                for (uint32_t b = k & m; b; b &= b - 1)
                        values_add(s, b & -b);
        }
}

static void walk(Walk *w, size_t pc, AState a) {
        while (pc < w->n) {
                const struct sock_filter *f = &w->insns[pc];

                if (w->budget == 0) {
                        w->exhausted = true;
                        return;
                }
                w->budget--;
                switch (BPF_CLASS(f->code)) {
                case BPF_RET:
                        return;
                case BPF_LD:
                        if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
                                if (f->k == SECCOMP_DATA_NR)
                                        a = (AState) { A_CONST, .value = w->nr };
                                else if (f->k == SECCOMP_DATA_ARCH)
                                        a = (AState) { A_CONST, .value = w->arch };
                                else if (word_of(f->k) >= 0)
                                        a = (AState) { A_WORD, .word = word_of(f->k), .mask = UINT32_MAX };
                                else
                                        a = (AState) { A_UNKNOWN };
                        } else if (f->code == (BPF_LD | BPF_IMM))
                                a = (AState) { A_CONST, .value = f->k };
                        else
                                a = (AState) { A_UNKNOWN };
                        pc++;
                        break;
                case BPF_ALU:
                        if (f->code == (BPF_ALU | BPF_AND | BPF_K) && a.kind == A_CONST)
                                a.value &= f->k;
                        else if (f->code == (BPF_ALU | BPF_AND | BPF_K) && a.kind == A_WORD)
                                a.mask &= f->k;
                        else
                                a = (AState) { A_UNKNOWN };
                        pc++;
                        break;
                case BPF_JMP: {
                        uint16_t op = BPF_OP(f->code);
                        bool taken;

                        if (op == BPF_JA) {
                                pc += 1 + f->k;
                                break;
                        }
                        if (BPF_SRC(f->code) != BPF_K || a.kind != A_CONST) {
                                if (BPF_SRC(f->code) == BPF_K && a.kind == A_WORD)
                                        note_comparison(w, &a, op, f->k);
                                walk(w, pc + 1 + f->jt, a);
                                pc += 1 + f->jf;
                                break;
                        }
                        switch (op) {
                        case BPF_JEQ: taken = a.value == f->k; break;
                        case BPF_JGT: taken = a.value > f->k; break;
                        case BPF_JGE: taken = a.value >= f->k; break;
                        case BPF_JSET: taken = (a.value & f->k) != 0; break;
                        default: taken = false;
                        }
                        pc += 1 + (taken ? f->jt : f->jf);
                        break;
                }
                default:                /* ST, LDX, MISC (TAX, TXA): A may change */
                        if (BPF_CLASS(f->code) == BPF_MISC && BPF_MISCOP(f->code) == BPF_TXA)
                                a = (AState) { A_UNKNOWN };
                        pc++;
                }
        }
}

typedef struct Chain {
        const char *label;
        ProcessFilters *pf;
        BpfFilterRef *refs;
} Chain;

typedef struct Totals {
        unsigned long long calls, mismatches, numbers, overflows;
        unsigned long long shown;       /* mismatches to print */
} Totals;

static void describe(char *buf, size_t size, const struct seccomp_data *sd) {
        snprintf(buf, size, "%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64,
                 (uint64_t) sd->args[0], (uint64_t) sd->args[1], (uint64_t) sd->args[2],
                 (uint64_t) sd->args[3], (uint64_t) sd->args[4], (uint64_t) sd->args[5]);
}

static void set_word(struct seccomp_data *sd, int word, uint32_t v) {
        if (word < 12) {
                uint64_t *arg = (uint64_t *) &sd->args[word / 2];

                if (word % 2)
                        *arg = (*arg & UINT32_MAX) | ((uint64_t) v << 32);
                else
                        *arg = (*arg & ~(uint64_t) UINT32_MAX) | v;
        } else if (word == 12)
                sd->instruction_pointer = (sd->instruction_pointer & ~(uint64_t) UINT32_MAX) | v;
        else
                sd->instruction_pointer = (sd->instruction_pointer & UINT32_MAX) | ((uint64_t) v << 32);
}

static void check(const Chain *a, const Chain *b, Abi abi, const struct seccomp_data *sd, Totals *t) {
        uint32_t va = bpf_chain_run(a->refs, a->pf->n_progs, sd, NULL);
        uint32_t vb = bpf_chain_run(b->refs, b->pf->n_progs, sd, NULL);

        t->calls++;
        if (va == vb)
                return;
        if (t->mismatches++ < t->shown) {
                char args[256], sa[64], sb[64];
                int id = syscall_from_nr(abi, (uint32_t) sd->nr);

                describe(args, sizeof args, sd);
                printf("MISMATCH %s %s(%s) nr %u: %s %s, %s %s\n", abi_to_name(abi),
                       id >= 0 ? syscall_name(id) : "?", args, (unsigned) sd->nr,
                       a->label, action_to_string(va, sa, sizeof sa),
                       b->label, action_to_string(vb, sb, sizeof sb));
        }
}

/* Every combination of the candidate values of the words in ws[0..n). */
static void combinations(const Chain *a, const Chain *b, Abi abi, struct seccomp_data *sd,
                         const int *ws, size_t n, Values *words, Totals *t) {
        if (n == 0) {
                check(a, b, abi, sd, t);
                return;
        }
        for (size_t i = 0; i < words[ws[0]].n; i++) {
                set_word(sd, ws[0], words[ws[0]].v[i]);
                combinations(a, b, abi, sd, ws + 1, n - 1, words, t);
        }
        set_word(sd, ws[0], 0);
}

static void compare_number(const Chain *a, const Chain *b, Abi abi, uint32_t nr, Totals *t) {
        struct seccomp_data sd = { .nr = (int) nr, .arch = abi_info[abi].audit_arch };
        Values words[WORDS] = {};
        bool read[WORDS] = {};
        int ws[WORDS];
        size_t n = 0;
        uint64_t product = 1;

        t->numbers++;
        for (const Chain *c = a; c; c = c == a ? b : NULL)
                for (size_t i = 0; i < c->pf->n_progs; i++) {
                        Walk w = { c->refs[i].insns, c->refs[i].n, sd.arch, nr, words, read, 1u << 20 };

                        walk(&w, 0, (AState) { A_UNKNOWN });
                        if (w.exhausted)
                                t->overflows++;
                }
        for (int i = 0; i < WORDS; i++) {
                if (!read[i])
                        continue;
                values_add(&words[i], 0);
                values_add(&words[i], UINT32_MAX);
                if (words[i].overflow)
                        t->overflows++;
                ws[n++] = i;
                product *= words[i].n;
        }

        check(a, b, abi, &sd, t);
        if (n == 0)
                return;
        if (product <= COMBINATIONS_MAX) {
                combinations(a, b, abi, &sd, ws, n, words, t);
                return;
        }
        /* Too many: every pair of words, the others 0. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                        int pair[2] = { ws[i], ws[j] };
                        combinations(a, b, abi, &sd, pair, 2, words, t);
                }
}

/* One raw filter from a file, as a chain of one. */
static int read_file(const char *path, ProcessFilters **ret) {
        ProcessFilters *pf = calloc(1, sizeof(ProcessFilters));
        FILE *f = fopen(path, "re");
        struct sock_filter insn;
        int r = 0;

        if (!pf || !f) {
                r = pf ? -errno : -ENOMEM;
                goto finish;
        }
        pf->progs = calloc(1, sizeof(BpfProgram));
        if (!pf->progs) {
                r = -ENOMEM;
                goto finish;
        }
        pf->n_progs = 1;
        while (fread(&insn, sizeof insn, 1, f) == 1)
                if (bpf_program_append(&pf->progs[0], insn.code, insn.jt, insn.jf, insn.k) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
        if (ferror(f) || pf->progs[0].n == 0)
                r = -EINVAL;
finish:
        if (f)
                fclose(f);
        if (r < 0)
                process_filters_free(pf);
        else
                *ret = pf;
        return r;
}

static int read_chain(const char *arg, const char *label, Chain *ret) {
        bool file = strncmp(arg, "file:", 5) == 0;
        char *end;
        long pid = 0;
        int r;

        if (file) {
                r = read_file(arg + 5, &ret->pf);
                if (r < 0) {
                        fprintf(stderr, "compare-filters: reading %s: %s\n", arg + 5, strerror(-r));
                        return r;
                }
        } else {
                pid = strtol(arg, &end, 10);
                if (*end || pid <= 0) {
                        fprintf(stderr, "compare-filters: not a PID: %s\n", arg);
                        return -EINVAL;
                }
                r = process_filters_read((pid_t) pid, &ret->pf);
                if (r < 0) {
                        fprintf(stderr, "compare-filters: reading the filters of %ld: %s\n", pid, strerror(-r));
                        return r;
                }
        }
        ret->refs = process_filters_refs(ret->pf);
        if (!ret->refs)
                return -ENOMEM;
        for (size_t i = 0; i < ret->pf->n_progs; i++)
                if (bpf_check(ret->refs[i].insns, ret->refs[i].n) < 0) {
                        fprintf(stderr, "compare-filters: filter %zu of %s does not pass the kernel's checks\n", i, arg);
                        return -EINVAL;
                }
        ret->label = label;
        return 0;
}

int main(int argc, char *argv[]) {
        Chain a = {}, b = {};
        Totals t = { .shown = getenv("COMPARE_FILTERS_SHOW") ? strtoull(getenv("COMPARE_FILTERS_SHOW"), NULL, 10) : SHOWN };
        Abi native = abi_native();

        if (argc != 3 && argc != 5) {
                fprintf(stderr, "Usage: compare-filters PID_A|file:PATH PID_B|file:PATH [LABEL_A LABEL_B]\n");
                return 2;
        }
        if (read_chain(argv[1], argc == 5 ? argv[3] : "A", &a) < 0 ||
            read_chain(argv[2], argc == 5 ? argv[4] : "B", &b) < 0)
                return 2;

        ABI_SET_FOREACH(abi, abi_info[native].host_abis) {
                uint32_t lo = syscall_nr_min(abi), hi = syscall_nr_max(abi);
                const uint32_t outside[] = { hi + 1, hi + 2, hi + 100, hi + 1000, 0x3fffffffu,
                                             0x7fffffffu, 0x80000000u, 0xbfffffffu, 0xffffffffu };

                for (uint32_t nr = lo; nr <= hi; nr++)
                        compare_number(&a, &b, abi, nr, &t);
                for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
                        /* The numbers the kernel attributes to this ABI: x32 is x86-64's audit arch
                         * with bit 30 set. */
                        if (abi == ABI_X86_64 && (outside[i] & 0x40000000u))
                                continue;
                        if (abi == ABI_X32 && !(outside[i] & 0x40000000u))
                                continue;
                        compare_number(&a, &b, abi, outside[i], &t);
                }
        }

        printf("%s: %zu filters, %s: %zu filters; %llu (ABI, number) pairs, %llu calls emulated, "
               "%llu mismatches%s\n",
               a.label, a.pf->n_progs, b.label, b.pf->n_progs, t.numbers, t.calls, t.mismatches,
               t.overflows ? " (some argument values were left out: too many)" : "");
        free(a.refs);
        free(b.refs);
        process_filters_free(a.pf);
        process_filters_free(b.pf);
        return t.mismatches ? 1 : t.overflows ? 2 : 0;
}
