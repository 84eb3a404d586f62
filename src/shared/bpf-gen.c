/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Assembling the programs: arch dispatch, then per audit arch a search over spans of syscall
 * numbers with one outcome each (see bpf-gen.h). */

#include "bpf-gen-internal.h"
#include "syscall-table.h"

typedef enum ProgramKind {
        PROGRAM_MEGAFILTER,             /* constant decisions; argument-checked calls ALLOW */
        PROGRAM_ARGFILTER,              /* argument-checked calls; everything else ALLOW */
        PROGRAM_SINGLE,                 /* both */
} ProgramKind;

static const char *const layout_names[_LAYOUT_MAX] = {
        [LAYOUT_SPLIT] = "split",
        [LAYOUT_SINGLE] = "single",
};

const char *layout_to_string(Layout l) {
        return l >= 0 && l < _LAYOUT_MAX ? layout_names[l] : NULL;
}

Layout layout_from_string(const char *s) {
        for (Layout l = 0; l < _LAYOUT_MAX; l++)
                if (streq(s, layout_names[l]))
                        return l;
        return _LAYOUT_INVALID;
}

/* A stretch of numbers, from first up to the next span's first, with one outcome. */
typedef struct Span {
        uint32_t first;
        const Decision *decision;       /* argument checks, or NULL */
        uint32_t action;                /* when decision is NULL */
        unsigned bits;                  /* argument width of the ABI the numbers belong to */
} Span;

typedef struct Spans {
        Span *s;
        size_t n, allocated;
} Spans;

static bool span_same_outcome(const Span *a, const Span *b) {
        if (!a->decision != !b->decision)
                return false;
        if (!a->decision)
                return a->action == b->action;
        return a->bits == b->bits && (a->decision == b->decision || decision_equal(a->decision, b->decision));
}

static int spans_add(Spans *sp, ProgramKind kind, uint32_t first, const Decision *d, unsigned bits) {
        Span s = { .first = first, .bits = bits };

        if (d->n_rules == 0)
                s.action = kind == PROGRAM_ARGFILTER ? SECCOMP_RET_ALLOW : d->action;
        else if (kind == PROGRAM_MEGAFILTER)
                s.action = SECCOMP_RET_ALLOW;   /* the argument filter decides it */
        else
                s.decision = d;

        if (sp->n > 0 && span_same_outcome(&sp->s[sp->n - 1], &s))
                return 0;
        if (!GREEDY_REALLOC(sp->s, sp->allocated, sp->n + 1))
                return -ENOMEM;
        sp->s[sp->n++] = s;
        return 0;
}

/* The numbers [lo, hi] of one ABI. */
static int spans_add_region(Spans *sp, ProgramKind kind, const Policy *p, Abi abi, uint32_t lo, uint32_t hi) {
        const AbiPolicy *a = &p->abi[abi];
        unsigned bits = abi_info[abi].arg_bits;
        uint64_t table_end = (uint64_t) a->nr_first + a->n;     /* one past the table */
        int r;

        if (lo < a->nr_first) {
                r = spans_add(sp, kind, lo, &a->other, bits);
                if (r < 0)
                        return r;
        }
        for (uint64_t nr = MAX(lo, a->nr_first); nr < table_end && nr <= hi; nr++) {
                r = spans_add(sp, kind, (uint32_t) nr, &a->by_nr[nr - a->nr_first], bits);
                if (r < 0)
                        return r;
        }
        if (table_end <= hi)
                return spans_add(sp, kind, (uint32_t) MAX((uint64_t) lo, table_end), &a->other, bits);
        return 0;
}

/* Every number of one audit arch. x86-64 and x32 share AUDIT_ARCH_X86_64: the x32 bit selects
 * x32, except for -1, which stays x86-64 as libseccomp has it. */
static int spans_for_arch(Spans *sp, ProgramKind kind, const Policy *p, Abi abi) {
        uint32_t x32_bit = abi_info[ABI_X32].nr_bias;
        int r;

        if (abi != ABI_X86_64 || !(p->abis & ABI_BIT(ABI_X32)))
                return spans_add_region(sp, kind, p, abi, 0, UINT32_MAX);

        r = spans_add_region(sp, kind, p, ABI_X86_64, 0, x32_bit - 1);
        if (r >= 0)
                r = spans_add_region(sp, kind, p, ABI_X32, x32_bit, UINT32_MAX - 1);
        if (r >= 0)
                r = spans_add_region(sp, kind, p, ABI_X86_64, UINT32_MAX, UINT32_MAX);
        return r;
}

static void spans_done(Spans *sp) {
        free(sp->s);
        *sp = (Spans) {};
}

/* The argument checks of the spans (placed behind the search), each emitted once. */
static void emit_span_targets(Emitter *e, const Spans *sp, uint32_t *first, Target *t) {
        for (size_t i = 0; i < sp->n; i++) {
                size_t j;

                first[i] = sp->s[i].first;
                if (!sp->s[i].decision) {
                        t[i] = TARGET_ACTION(sp->s[i].action);
                        continue;
                }
                for (j = 0; j < i; j++)
                        if (sp->s[j].decision && span_same_outcome(&sp->s[i], &sp->s[j]))
                                break;
                t[i] = j < i ? t[j] : emit_target(e, emit_decision(e, sp->s[i].decision, sp->s[i].bits));
        }
}

static Target out_of_memory(Emitter *e) {
        e->error = -ENOMEM;
        return TARGET_ACTION(SECCOMP_RET_KILL_PROCESS);
}

/* The code for one audit arch: load nr, search the spans. */
static Target emit_arch(Emitter *e, ProgramKind kind, const Policy *p, Abi abi) {
        _cleanup_(spans_done) Spans sp = {};
        _cleanup_free_ uint32_t *first = NULL;
        _cleanup_free_ Target *t = NULL;

        if (spans_for_arch(&sp, kind, p, abi) < 0)
                return out_of_memory(e);
        if (sp.n == 1 && !sp.s[0].decision)
                return TARGET_ACTION(sp.s[0].action);

        first = calloc(sp.n, sizeof(uint32_t));
        t = calloc(sp.n, sizeof(Target));
        if (!first || !t)
                return out_of_memory(e);

        emit_span_targets(e, &sp, first, t);
        return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR, emit_search(e, first, t, sp.n));
}

/* The audit arches of the host, native first; x32 rides on x86-64's. */
static size_t host_arches(const Policy *p, Abi arches[static _ABI_MAX]) {
        size_t n = 0;

        arches[n++] = p->native;
        ABI_SET_FOREACH(a, p->abis)
                if (a != p->native && a != ABI_X32)
                        arches[n++] = a;
        return n;
}

static int gen_program(const Policy *p, ProgramKind kind, const char *name, BpfProgram *ret) {
        _cleanup_(emitter_done) Emitter e = {};
        Abi arches[_ABI_MAX];
        size_t n = host_arches(p, arches);
        Target unknown, dispatch, native;
        int r;

        /* Arches no host ABI has: the megafilter kills (fail closed), the argument filter has
         * nothing to say. */
        unknown = TARGET_ACTION(kind == PROGRAM_ARGFILTER ? SECCOMP_RET_ALLOW : SECCOMP_RET_KILL_PROCESS);

        /* The other arches first so that they land behind the native one. */
        dispatch = unknown;
        for (size_t i = n; i > 1; i--) {
                Target t = emit_arch(&e, kind, p, arches[i - 1]);
                dispatch = emit_jump(&e, BPF_JEQ, abi_info[arches[i - 1]].audit_arch, t, dispatch);
        }
        native = emit_arch(&e, kind, p, arches[0]);
        dispatch = emit_jump(&e, BPF_JEQ, abi_info[arches[0]].audit_arch, native, dispatch);
        emit_insn(&e, BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARCH, dispatch);

        r = emitter_finish(&e, ret);
        if (r < 0)
                return r;
        ret->name = strdup(name);
        return ret->name ? 0 : -ENOMEM;
}

static bool policy_allows_everything(const Policy *p) {
        ABI_SET_FOREACH(abi, p->abis) {
                const AbiPolicy *a = &p->abi[abi];

                for (uint32_t i = 0; i <= a->n; i++) {
                        const Decision *d = i < a->n ? &a->by_nr[i] : &a->other;
                        if (d->n_rules > 0 || d->action != SECCOMP_RET_ALLOW)
                                return false;
                }
        }
        return true;
}

static bool policy_has_rules(const Policy *p) {
        ABI_SET_FOREACH(abi, p->abis)
                if (abi_policy_has_rules(&p->abi[abi]))
                        return true;
        return false;
}

int bpf_gen(const Policy *p, Layout layout, BpfProgram **ret, size_t *ret_n) {
        BpfProgram *progs = NULL;
        size_t n = 0;
        int r = 0;

        *ret = NULL;
        *ret_n = 0;
        if (policy_allows_everything(p))
                return 0;

        progs = calloc(2, sizeof(BpfProgram));
        if (!progs)
                return -ENOMEM;

        if (layout == LAYOUT_SINGLE)
                r = gen_program(p, PROGRAM_SINGLE, "megafilter", &progs[n++]);
        else {
                r = gen_program(p, PROGRAM_MEGAFILTER, "megafilter", &progs[n++]);
                if (r >= 0 && policy_has_rules(p))
                        r = gen_program(p, PROGRAM_ARGFILTER, "argfilter", &progs[n++]);
        }
        if (r < 0) {
                bpf_programs_free(progs, n);
                return r;
        }

        *ret = progs;
        *ret_n = n;
        return 0;
}
