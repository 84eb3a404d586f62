/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Assembling the programs: arch dispatch, then per audit arch a search over spans of syscall
 * numbers with one outcome each (see bpf-gen.h). */

#include "action.h"
#include "bpf-cache.h"
#include "bpf-gen-internal.h"
#include "bpf-paths.h"
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

static int u32_compare(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
        return x < y ? -1 : x > y;
}

static size_t u32_unique(uint32_t *v, size_t n) {
        size_t w = 0;

        for (size_t i = 0; i < n; i++)
                if (w == 0 || v[w - 1] != v[i])
                        v[w++] = v[i];
        return w;
}

/* A stretch of numbers, from first up to the next span's first, with one outcome. */
typedef struct Span {
        uint32_t first;
        const Decision *decision;       /* argument checks, or NULL */
        uint32_t action;                /* when decision is NULL */
        unsigned bits;                  /* argument width of the ABI the numbers belong to */
        uint64_t weight;                /* how often the filter is expected to run for these numbers */
        int cost;                       /* the largest call_cost() of its numbers */
} Span;

typedef struct Spans {
        Arena *arena;
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

/* What a program's search is laid out for. Weighted: the calls expected most often nearest the
 * root (the megafilter), or balanced (the argument filter). Minmax: the largest number of
 * instructions any call runs in both programs of a split pair least, given the other program's
 * part, known once it is built (gen_pair() builds them in turns, each for the other's figures). */
typedef struct Costs {
        const Policy *policy;
        ProgramKind kind;
        bool minmax;
        const BpfProgram *other;        /* minmax: NULL when not built yet (or none, PROGRAM_SINGLE) */
} Costs;

/* Weighted: calls that never reach the filter (cached) weigh nothing, argument-checked calls run
 * both filters every time, denied calls are rarer, and anything may happen at least once. */
static uint64_t number_weight(const Policy *p, Abi abi, const Decision *d) {
        if (d->n_rules > 0)
                return 1024;
        if (d->action != SECCOMP_RET_ALLOW)
                return 8;
        return bpf_cache_abi(p->native, abi) ? 0 : 1;
}

#define OTHER_ASSUMED 8                 /* instructions the other program runs, before it exists */

/* Minmax: how many more instructions a call may run than a denied syscall of the native ABI: an
 * argument-checked one as many more as its target allows, one of another ABI 3 more, one the
 * cache never serves (x32) 3 more again, a number no syscall has 6 more still. */
#define SLACK_ARG_CHECKED (BPF_GEN_TARGET_ARG_CHECKED - BPF_GEN_TARGET_DENIED)
#define SLACK_FOREIGN 3
#define SLACK_UNCACHED 3
#define SLACK_UNASSIGNED 6

static bool call_cached(const Policy *p, Abi abi, uint32_t nr, const Decision *d) {
        return d->n_rules == 0 && d->action == SECCOMP_RET_ALLOW && bpf_cache_abi(p->native, abi) &&
               nr < bpf_cache_nr_end(abi);
}

static int call_slack(const Policy *p, Abi abi, const Decision *d, bool assigned) {
        return (d->n_rules > 0 ? SLACK_ARG_CHECKED : 0) + (abi != p->native ? SLACK_FOREIGN : 0) +
               (bpf_cache_abi(p->native, abi) ? 0 : SLACK_UNCACHED) + (assigned ? 0 : SLACK_UNASSIGNED);
}

static int program_steps(const BpfProgram *prog, Abi abi, uint32_t nr) {
        BpfPaths bp;

        bpf_paths(prog->insns, prog->n, abi_info[abi].audit_arch, nr, &bp);
        return (int) bp.steps_max;
}

/* What a call's path costs outside the searched program: COST_NONE for calls that never run
 * the programs (the kernel's cache serves them), otherwise the other program's instructions,
 * less the call's slack. */
static int call_cost(const Costs *c, Abi abi, uint32_t nr, const Decision *d, bool assigned) {
        int cost = 0;

        if (!c->minmax || call_cached(c->policy, abi, nr, d))
                return COST_NONE;
        if (c->kind != PROGRAM_SINGLE)
                cost = c->other ? program_steps(c->other, abi, nr) : OTHER_ASSUMED;
        return cost - call_slack(c->policy, abi, d, assigned);
}

static int spans_add(Spans *sp, ProgramKind kind, uint32_t first, const Decision *d, unsigned bits, uint64_t weight,
                     int cost) {
        Span s = { .first = first, .bits = bits, .weight = weight, .cost = cost };

        if (d->n_rules == 0)
                s.action = kind == PROGRAM_ARGFILTER ? SECCOMP_RET_ALLOW : d->action;
        else if (kind == PROGRAM_MEGAFILTER)
                s.action = SECCOMP_RET_ALLOW;   /* the argument filter decides it */
        else
                s.decision = d;

        if (sp->n > 0 && span_same_outcome(&sp->s[sp->n - 1], &s)) {
                sp->s[sp->n - 1].weight += weight;
                sp->s[sp->n - 1].cost = MAX(sp->s[sp->n - 1].cost, cost);
                return 0;
        }
        if (!ARENA_GREEDY(sp->arena, sp->s, sp->allocated, sp->n + 1))
                return -ENOMEM;
        sp->s[sp->n++] = s;
        return 0;
}

/* The numbers [lo, hi] of one ABI. */
static int spans_add_region(Spans *sp, const Costs *c, Abi abi, uint32_t lo, uint32_t hi) {
        const Policy *p = c->policy;
        ProgramKind kind = c->kind;
        const AbiPolicy *a = &p->abi[abi];
        unsigned bits = abi_info[abi].arg_bits;
        uint64_t table_end = (uint64_t) a->nr_first + a->n;     /* one past the table */
        const uint64_t *assigned = a->assigned;
        int r;

        if (a->n > 0 && !assigned) {
                uint64_t *marks;

                /* A policy of its own making: a->nr_first is syscall_nr_min(abi), a->n spans up to
                 * syscall_nr_max(abi). */
                marks = arena_alloc_array(sp->arena, a->n / 64 + 1, sizeof(uint64_t));
                if (!marks)
                        return -ENOMEM;
                syscall_nrs_mark(abi, marks);
                assigned = marks;
        }

        if (lo < a->nr_first) {
                r = spans_add(sp, kind, lo, &a->other, bits, 1, call_cost(c, abi, lo, &a->other, false));
                if (r < 0)
                        return r;
        }
        for (uint64_t nr = MAX(lo, a->nr_first); nr < table_end && nr <= hi; nr++) {
                const Decision *d = &a->by_nr[nr - a->nr_first];
                bool known = bitmap_test(assigned, nr - a->nr_first);

                r = spans_add(sp, kind, (uint32_t) nr, d, bits, known ? number_weight(p, abi, d) : 0,
                              call_cost(c, abi, (uint32_t) nr, d, known));
                if (r < 0)
                        return r;
        }
        if (table_end <= hi) {
                uint32_t nr = (uint32_t) MAX((uint64_t) lo, table_end);

                return spans_add(sp, kind, nr, &a->other, bits, 1, call_cost(c, abi, nr, &a->other, false));
        }
        return 0;
}

/* Every number of one audit arch. x86-64 and x32 share AUDIT_ARCH_X86_64: the x32 bit selects
 * x32, except for -1, which stays x86-64 as libseccomp has it. */
static int spans_for_arch(Spans *sp, const Costs *c, Abi abi) {
        uint32_t x32_bit = abi_info[ABI_X32].nr_bias;
        int r;

        if (abi != ABI_X86_64 || !(c->policy->abis & ABI_BIT(ABI_X32)))
                return spans_add_region(sp, c, abi, 0, UINT32_MAX);

        r = spans_add_region(sp, c, ABI_X86_64, 0, x32_bit - 1);
        if (r >= 0)
                r = spans_add_region(sp, c, ABI_X32, x32_bit, UINT32_MAX - 1);
        if (r >= 0)
                r = spans_add_region(sp, c, ABI_X86_64, UINT32_MAX, UINT32_MAX);
        return r;
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
static Target emit_arch(Emitter *e, const Costs *c, Abi abi) {
        Spans sp = { .arena = e->scratch };
        uint32_t *first = NULL;
        Target *t = NULL;
        uint64_t *w = NULL;
        int *cost = NULL;
        Target search;

        if (spans_for_arch(&sp, c, abi) < 0)
                return out_of_memory(e);
        if (sp.n == 1 && !sp.s[0].decision)
                return TARGET_ACTION(sp.s[0].action);

        first = arena_alloc_array(e->scratch, sp.n, sizeof(uint32_t));
        t = arena_alloc_array(e->scratch, sp.n, sizeof(Target));
        w = arena_alloc_array(e->scratch, sp.n, sizeof(uint64_t));
        cost = arena_alloc_array(e->scratch, sp.n, sizeof(int));
        if (!first || !t || !w || !cost)
                return out_of_memory(e);

        emit_span_targets(e, &sp, first, t);
        for (size_t i = 0; i < sp.n; i++) {
                w[i] = MAX(sp.s[i].weight, (uint64_t) 1);
                if (c->minmax)
                        cost[i] = sp.s[i].cost == COST_NONE ? COST_NONE : sp.s[i].cost + (int) emit_path_max(e, t[i]);
        }
        /* Folding one-number pieces into their neighbours makes the code smaller and can make
         * the native ABI's argument-checked calls a few instructions longer: where those calls
         * pay for two programs (split) their length comes first; a single program (a container's)
         * is asked to be small. */
        search = c->minmax ? emit_search_minmax(e, first, t, cost, sp.n) :
                emit_search_weighted(e, first, t, w, sp.n, abi != c->policy->native || c->kind == PROGRAM_SINGLE);
        return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR, search);
}

/* The audit arches of the host, native first; x32 rides on x86-64's. */
static size_t host_arches(const Policy *p, Abi arches[static _ABI_MAX]) {
        /* An x32 host (a megafilter built for x32) runs on an x86-64 kernel: its calls arrive
         * with x86-64's audit arch, which is dispatched first then. */
        Abi first = p->native == ABI_X32 ? ABI_X86_64 : p->native;
        size_t n = 0;

        arches[n++] = first;
        ABI_SET_FOREACH(a, p->abis)
                if (a != first && a != ABI_X32)
                        arches[n++] = a;
        return n;
}

/* The program's name, in the arena its code will go to (and before the code, in the same page). */
static char *name_copy(Emitter *e, const char *name) {
        char *copy = arena_alloc(&e->arena, strlen(name) + 1);

        return copy ? strcpy(copy, name) : NULL;
}

/* The first program also holds the array bpf_gen() returns (room for both), before its code:
 * no malloc() at all, in a forked child. */
static int gen_program(const Policy *p, ProgramKind kind, bool minmax, const BpfProgram *other, const char *name,
                       Arena *scratch, BpfProgram *ret, BpfProgram **ret_array) {
        const Costs costs = { p, kind, minmax, other };
        _cleanup_(emitter_done) Emitter e = { .scratch = scratch };
        char *copy = name_copy(&e, name);
        BpfProgram *array = arena_alloc_array(&e.arena, 2, sizeof(BpfProgram));
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
                Target t = emit_arch(&e, &costs, arches[i - 1]);
                dispatch = emit_jump(&e, BPF_JEQ, abi_info[arches[i - 1]].audit_arch, t, dispatch);
        }
        native = emit_arch(&e, &costs, arches[0]);
        dispatch = emit_jump(&e, BPF_JEQ, abi_info[arches[0]].audit_arch, native, dispatch);
        emit_insn(&e, BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARCH, dispatch);

        r = emitter_finish(&e, ret);
        if (r < 0)
                return r;
        ret->name = copy;
        *ret_array = array;
        return copy && array ? 0 : -ENOMEM;    /* ret owns the arena either way */
}

/* Numbers some ABI checks arguments for, sorted, without duplicates. */
static int arg_numbers(Arena *arena, const Policy *p, uint32_t **ret, size_t *ret_n) {
        uint32_t *u = NULL;
        size_t n = 0, allocated = 0;

        ABI_SET_FOREACH(abi, p->abis) {
                const AbiPolicy *a = &p->abi[abi];

                if (a->other.n_rules > 0)
                        return -EINVAL;         /* numbers outside the table are never argument-checked */
                for (uint32_t i = 0; i < a->n; i++)
                        if (a->by_nr[i].n_rules > 0) {
                                if (!ARENA_GREEDY(arena, u, allocated, n + 1))
                                        return -ENOMEM;
                                u[n++] = a->nr_first + i;
                        }
        }
        if (n > 0)
                qsort(u, n, sizeof(uint32_t), u32_compare);
        n = u32_unique(u, n);
        *ret = u;
        *ret_n = n;
        return 0;
}

typedef struct BlockCache {
        const Decision *decision;
        unsigned bits;
        Target label;
} BlockCache;

static bool decision_may_kill_process(const Decision *d) {
        if (action_compare(d->action, SECCOMP_RET_KILL_THREAD) < 0)
                return true;
        for (size_t i = 0; i < d->n_rules; i++)
                if (action_compare(d->rules[i].action, SECCOMP_RET_KILL_THREAD) < 0)
                        return true;
        return false;
}

/* Whether the block of the one ABI that checks nr may run for every arch: calls of the other
 * host ABIs are all killed by the megafilter (SystemCallArchitectures=), which nothing the block
 * returns can override, and unknown arches are killed too. */
static bool arch_check_needed(const Policy *p, uint32_t nr, Abi *ret_only) {
        Abi only = _ABI_INVALID;

        ABI_SET_FOREACH(abi, p->abis) {
                if (policy_abi_of(p, abi_info[abi].audit_arch, nr) != abi)
                        continue;
                if (policy_decision(p, abi, nr)->n_rules > 0) {
                        if (only >= 0)
                                return true;
                        only = abi;
                }
        }
        if (only < 0 || decision_may_kill_process(policy_decision(p, only, nr)))
                return true;
        ABI_SET_FOREACH(abi, p->abis)
                if (abi != only && p->abi[abi].allowed &&
                    (abi_info[abi].audit_arch != abi_info[only].audit_arch || policy_abi_of(p, abi_info[abi].audit_arch, nr) == abi))
                        return true;
        *ret_only = only;
        return false;
}

static Target emit_block_cached(Emitter *e, const Decision *d, unsigned bits, BlockCache *cache, size_t *n_cache) {
        for (size_t k = 0; k < *n_cache; k++)
                if (cache[k].bits == bits && decision_equal(cache[k].decision, d))
                        return cache[k].label;
        cache[*n_cache] = (BlockCache) { d, bits, emit_target(e, emit_decision(e, d, bits)) };
        return cache[(*n_cache)++].label;
}

/* The checks for number nr: load arch, then per ABI that checks nr's arguments, its block. */
static Target emit_arg_number(Emitter *e, const Policy *p, uint32_t nr, BlockCache *cache, size_t *n_cache) {
        Target chain = TARGET_ACTION(SECCOMP_RET_ALLOW);
        Abi only;

        if (!arch_check_needed(p, nr, &only))
                return emit_block_cached(e, policy_decision(p, only, nr), abi_info[only].arg_bits, cache, n_cache);

        for (Abi abi = _ABI_MAX; abi-- > 0;) {
                const Decision *d;

                if (!(p->abis & ABI_BIT(abi)) || policy_abi_of(p, abi_info[abi].audit_arch, nr) != abi)
                        continue;
                d = policy_decision(p, abi, nr);
                if (d->n_rules == 0)
                        continue;
                chain = emit_jump(e, BPF_JEQ, abi_info[abi].audit_arch,
                                  emit_block_cached(e, d, abi_info[abi].arg_bits, cache, n_cache), chain);
        }
        return emit_insn(e, BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARCH, chain);
}

static size_t piece_of(const uint32_t *first, size_t n, uint32_t nr) {
        size_t lo = 0, hi = n;          /* first[lo] <= nr < first[hi] */

        while (hi - lo > 1) {
                size_t m = lo + (hi - lo) / 2;

                if (first[m] <= nr)
                        lo = m;
                else
                        hi = m;
        }
        return lo;
}

static void piece_cost_add(const Costs *c, Abi abi, uint32_t nr, const Decision *d, bool assigned,
                           const uint32_t *first, const int *leaf, size_t n, int *cost) {
        size_t i;
        int k;

        if (policy_abi_of(c->policy, abi_info[abi].audit_arch, nr) != abi)
                return;
        k = call_cost(c, abi, nr, d, assigned);
        if (k == COST_NONE)
                return;
        i = piece_of(first, n, nr);
        cost[i] = MAX(cost[i], k + leaf[i]);
}

/* What each piece of the argument filter's search costs: its block, plus the megafilter's part
 * for the calls whose number falls in it, of every ABI. */
static int argfilter_costs(Emitter *e, const Costs *c, const uint32_t *first, const Target *t, size_t n, int **ret) {
        int *leaf = arena_alloc_array(e->scratch, n, sizeof(int)), *cost = arena_alloc_array(e->scratch, n, sizeof(int));

        if (!leaf || !cost)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                leaf[i] = (int) emit_path_max(e, t[i]);
                cost[i] = COST_NONE;
        }
        ABI_SET_FOREACH(abi, c->policy->abis) {
                const AbiPolicy *a = &c->policy->abi[abi];

                for (uint32_t i = 0; i < a->n; i++)
                        piece_cost_add(c, abi, a->nr_first + i, &a->by_nr[i], !a->assigned || bitmap_test(a->assigned, i),
                                       first, leaf, n, cost);
                /* Numbers outside the table, by one of each side. */
                if (a->nr_first > 0)
                        piece_cost_add(c, abi, a->nr_first - 1, &a->other, false, first, leaf, n, cost);
                if ((uint64_t) a->nr_first + a->n <= UINT32_MAX)
                        piece_cost_add(c, abi, a->nr_first + a->n, &a->other, false, first, leaf, n, cost);
        }
        *ret = cost;
        return 0;
}

/* The argument filter, numbers first: every number no ABI checks arguments for is ALLOW after
 * one search, whatever the arch; only the few others load the arch. */
/* lender: the program generated before, whose arena lends this one its first chunk (one mapping
 * less to make and to remove; bpf_programs_free() releases the array's programs last to first),
 * or NULL. megafilter: the megafilter it is laid out for, or NULL. */
static int gen_argfilter(const Policy *p, Arena *scratch, BpfProgram *lender, bool minmax, const BpfProgram *megafilter,
                         BpfProgram *ret) {
        _cleanup_(emitter_done) Emitter e = { .scratch = scratch };
        if (lender)
                (void) arena_lend(&lender->storage, 256 * 1024, &e.arena);
        char *copy = name_copy(&e, "argfilter");
        const Costs costs = { p, PROGRAM_ARGFILTER, minmax, megafilter };
        uint32_t *u = NULL, *first = NULL;
        Target *t = NULL;
        BlockCache *cache = NULL;
        int *cost = NULL;
        size_t n_u, n = 0, n_cache = 0;
        int r;

        r = arg_numbers(e.scratch, p, &u, &n_u);
        if (r < 0)
                return r;
        first = arena_alloc_array(e.scratch, 2 * n_u + 1, sizeof(uint32_t));
        t = arena_alloc_array(e.scratch, 2 * n_u + 1, sizeof(Target));
        cache = arena_alloc_array(e.scratch, n_u * _ABI_MAX + 1, sizeof(BlockCache));
        if (!first || !t || !cache)
                return -ENOMEM;

        /* Pieces: ALLOW up to the first number, that number, ALLOW up to the next, … */
        for (size_t i = 0; i < n_u; i++) {
                if (n == 0 ? u[i] > 0 : u[i] > u[i - 1] + 1) {
                        first[n] = n == 0 ? 0 : u[i - 1] + 1;
                        t[n++] = TARGET_ACTION(SECCOMP_RET_ALLOW);
                }
                first[n] = u[i];
                t[n++] = emit_target(&e, emit_arg_number(&e, p, u[i], cache, &n_cache));
        }
        if (n_u == 0 || u[n_u - 1] < UINT32_MAX) {
                first[n] = n_u == 0 ? 0 : u[n_u - 1] + 1;
                t[n++] = TARGET_ACTION(SECCOMP_RET_ALLOW);
        }

        if (minmax) {
                r = argfilter_costs(&e, &costs, first, t, n, &cost);
                if (r < 0)
                        return r;
        }
        emit_insn(&e, BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR,
                  minmax ? emit_search_minmax(&e, first, t, cost, n) : emit_search(&e, first, t, n));

        r = emitter_finish(&e, ret);
        if (r < 0)
                return r;
        ret->name = copy;
        return copy ? 0 : -ENOMEM;     /* ret owns the arena either way */
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

typedef struct PairScore {
        int worst;                      /* the most any call runs in both programs, less its slack */
        bool on_target;                 /* the native ABI's calls within BPF_GEN_TARGET_* */
} PairScore;

/* native_only: the native ABI's calls alone, enough for on_target (worst is then partial). */
static PairScore pair_score(const Policy *p, const BpfProgram *m, const BpfProgram *a, bool native_only) {
        PairScore score = { INT_MIN, true };

        ABI_SET_FOREACH(abi, p->abis) {
                const AbiPolicy *ap = &p->abi[abi];

                if (native_only && abi != p->native)
                        continue;

                for (uint32_t i = 0; i < ap->n; i++) {
                        const Decision *d = &ap->by_nr[i];
                        uint32_t nr = ap->nr_first + i;
                        bool assigned = !ap->assigned || bitmap_test(ap->assigned, i);
                        int steps;

                        if (call_cached(p, abi, nr, d))
                                continue;
                        steps = program_steps(m, abi, nr) + program_steps(a, abi, nr);
                        score.worst = MAX(score.worst, steps - call_slack(p, abi, d, assigned));
                        if (abi == p->native && assigned &&
                            steps > (d->n_rules > 0 ? BPF_GEN_TARGET_ARG_CHECKED : BPF_GEN_TARGET_DENIED))
                                score.on_target = false;
                }
        }
        return score;
}

/* A split pair of one layout strategy, the argument filter in the megafilter's arena. Minmax
 * builds them in turns, each for the other's figures: an argument filter with the megafilter's
 * part assumed, the megafilter for it, the argument filter for that, and so on; of the rounds'
 * megafilters the best is kept (alternating does not always converge; a third round found nothing
 * better on the units tried). */
#define PAIR_ROUNDS 2

/* minmax: ret_score is the pair's pair_score(). */
static int gen_pair_with(const Policy *p, Arena *scratch, bool minmax, BpfProgram pair[static 2],
                         BpfProgram **ret_array, size_t *ret_n, PairScore *ret_score) {
        BpfProgram a = {}, m = {}, best = {}, *array = NULL, *best_array = NULL;
        PairScore best_score = { INT_MAX, false };
        int r = 0;

        if (minmax) {
                r = gen_argfilter(p, scratch, NULL, true, NULL, &a);
                for (unsigned i = 0; r >= 0 && i < PAIR_ROUNDS; i++) {
                        PairScore score;

                        r = gen_program(p, PROGRAM_MEGAFILTER, true, &a, "megafilter", scratch, &m, &array);
                        bpf_program_done(&a);
                        if (r >= 0)
                                r = gen_argfilter(p, scratch, NULL, true, &m, &a);
                        if (r < 0)
                                break;
                        score = pair_score(p, &m, &a, false);
                        if (score.worst < best_score.worst) {
                                bpf_program_done(&best);
                                best = m;
                                best_array = array;
                                best_score = score;
                        } else
                                bpf_program_done(&m);
                        m = (BpfProgram) {};
                }
                bpf_program_done(&a);
                bpf_program_done(&m);
                if (r < 0) {
                        bpf_program_done(&best);
                        return r;
                }
                pair[0] = best;
                *ret_array = best_array;
                *ret_score = best_score;
        } else
                r = gen_program(p, PROGRAM_MEGAFILTER, false, NULL, "megafilter", scratch, &pair[0], ret_array);
        *ret_n = 1;                     /* pair[0] may own an arena even on failure */
        if (r < 0)
                return r;

        /* The argument filter (for minmax: again the one built for the best megafilter). */
        *ret_n = 2;
        return gen_argfilter(p, scratch, &pair[0], minmax, &pair[0], &pair[1]);
}

/* Weighted first, which keeps the frequent argument-checked calls (openat()) shortest; when the
 * native ABI's calls miss the instruction targets that way (large policies: many argument-
 * checked calls and denied ones), minmax, if it does better. */
static int gen_pair(const Policy *p, Arena *scratch, BpfProgram pair[static 2], BpfProgram **ret_array, size_t *ret_n) {
        BpfProgram other[2] = {}, *other_array = NULL;
        size_t n_other = 0;
        PairScore weighted, minmax;
        int r;

        r = gen_pair_with(p, scratch, false, pair, ret_array, ret_n, NULL);
        if (r < 0)
                return r;
        /* Most policies are on target this way: checking costs only the native ABI's uncached calls. */
        if (pair_score(p, &pair[0], &pair[1], true).on_target)
                return 0;
        weighted = pair_score(p, &pair[0], &pair[1], false);

        /* The argument filter gen_pair_with() returns is the one its score was taken with. */
        r = gen_pair_with(p, scratch, true, other, &other_array, &n_other, &minmax);
        if (r >= 0) {
                if (minmax.on_target || minmax.worst < weighted.worst) {
                        BpfProgram t[2] = { pair[0], pair[1] };

                        pair[0] = other[0];
                        pair[1] = other[1];
                        other[0] = t[0];
                        other[1] = t[1];
                        *ret_array = other_array;
                }
        }
        for (size_t i = n_other; i > 0; i--)          /* a lender after its borrowers */
                bpf_program_done(&other[i - 1]);
        return r;
}

int bpf_gen_in(const Policy *p, Layout layout, Arena *scratch, BpfProgram **ret, size_t *ret_n) {
        BpfProgram local[2] = {}, *progs = NULL;
        size_t n = 0;
        int r = 0;

        *ret = NULL;
        *ret_n = 0;
        if (policy_allows_everything(p))
                return 0;

        if (layout == LAYOUT_SINGLE)
                r = gen_program(p, PROGRAM_SINGLE, false, NULL, "megafilter", scratch, &local[n++], &progs);
        else if (!policy_has_rules(p))
                r = gen_program(p, PROGRAM_MEGAFILTER, false, NULL, "megafilter", scratch, &local[n++], &progs);
        else
                r = gen_pair(p, scratch, local, &progs, &n);
        if (r < 0) {
                for (size_t i = n; i > 0; i--)          /* a lender after its borrowers */
                        bpf_program_done(&local[i - 1]);
                return r;
        }

        /* Into the array the first program's arena holds (with the arena's state after it). */
        memcpy(progs, local, n * sizeof(BpfProgram));
        progs[0].holds_array = true;
        *ret = progs;
        *ret_n = n;
        return 0;
}

int bpf_gen(const Policy *p, Layout layout, BpfProgram **ret, size_t *ret_n) {
        Arena scratch = {};
        int r;

        r = bpf_gen_in(p, layout, &scratch, ret, ret_n);
        arena_done(&scratch);
        return r;
}
