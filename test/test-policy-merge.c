/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The merge as layer.h's contract describes it, for inputs other than a unit's directives: one
 * libseccomp-like filter with arbitrary rules and actions (an OCI profile's shape), several of
 * them in a chain, bad-arch actions, multiplexed calls. Random layers are checked call by call
 * against a direct reading of the contract, then compiled and run through the verifier. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <inttypes.h>
#include <sys/socket.h>

#include "action.h"
#include "bpf-gen.h"
#include "policy.h"
#include "syscall-table.h"
#include "verify.h"

#define KILL SECCOMP_RET_KILL_PROCESS
#define ALLOW SECCOMP_RET_ALLOW

static int id(const char *name) {
        int i = syscall_from_name(name);

        assert_true(i >= 0);
        return i;
}

static Policy *merge(const Layer *layers, size_t n, int expect) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(arena_done) Arena scratch = {};
        Diag diag = { .max_level = DIAG_WARNING };

        assert_int_equal(policy_new(ABI_X86_64, &scratch, &p), 0);
        assert_int_equal(policy_merge(p, layers, n, &diag, &scratch), expect);
        arena_done(&scratch);
        return expect == 0 ? TAKE_PTR(p) : NULL;
}

static uint32_t call(const Policy *p, Abi abi, const char *name, uint64_t a0, uint64_t a1, uint64_t a2) {
        struct seccomp_data sd = {
                .nr = (int) syscall_nr(abi, id(name)),
                .arch = abi_info[abi].audit_arch,
                .args = { a0, a1, a2 },
        };

        assert_true(sd.nr >= 0);
        return policy_evaluate(p, &sd);
}

/* The programs for p agree with it. */
static void assert_programs_verify(const Policy *p) {
        BpfProgram *progs = NULL;
        size_t n = 0;

        assert_int_equal(bpf_gen(p, LAYOUT_SPLIT, &progs, &n), 0);
        assert_int_equal(verify_programs(p, progs, n, NULL, NULL), 0);
        bpf_programs_free(progs, n);
}

/* ---- a direct reading of the contract ---- */

static bool cmps_hold(const ArgCmp *c, size_t n, const uint64_t args[6], unsigned bits) {
        for (size_t i = 0; i < n; i++)
                if (!arg_cmp_holds(&c[i], args[c[i].arg], bits))
                        return false;
        return true;
}

/* Whether rule is written for (abi, nr), directly or through socketcall()/ipc() (*ret_muxed). */
static bool rule_targets(const LayerRule *r, Abi abi, uint32_t nr, bool *ret_muxed) {
        const AbiMultiplexed *m = abi_multiplexed(syscall_name(r->syscall));

        *ret_muxed = false;
        if (syscall_nr(abi, r->syscall) == (int64_t) nr)
                return true;
        if (abi_info[abi].socketcall && m && syscall_nr(abi, id(m->ipc ? "ipc" : "socketcall")) == (int64_t) nr) {
                *ret_muxed = true;
                return true;
        }
        return false;
}

static uint32_t layer_verdict(const Layer *l, Abi abi, uint32_t nr, const uint64_t args[6]) {
        unsigned bits = abi_info[abi].arg_bits;
        int sys = syscall_from_nr(abi, nr);
        bool muxed;

        if (!(l->abis & ABI_BIT(abi)))
                return l->badarch_action;

        /* A required rule the ABI cannot take: no filter there. */
        for (size_t i = 0; i < l->n_rules; i++) {
                const LayerRule *r = &l->rules[i];
                const AbiMultiplexed *m = abi_multiplexed(syscall_name(r->syscall));

                if (r->required && (r->abis & ABI_BIT(abi)) && syscall_nr(abi, r->syscall) == SYSCALL_NR_NONE &&
                    !(abi_info[abi].socketcall && m &&
                      syscall_nr(abi, id(m->ipc ? "ipc" : "socketcall")) != SYSCALL_NR_NONE))
                        return ALLOW;
        }

        /* The table's rules come first; they are unconditional. */
        if (l->actions && sys >= 0 && l->actions[sys] != LAYER_NO_ACTION)
                return l->actions[sys];
        for (size_t i = 0; i < l->n_rules; i++)
                if ((l->rules[i].abis & ABI_BIT(abi)) && rule_targets(&l->rules[i], abi, nr, &muxed) &&
                    !muxed && l->rules[i].n_cmp == 0)
                        return l->rules[i].action;
        /* Then the first conditional rule that holds. */
        for (size_t j = 0; l->actions && j < syscall_count(); j++) {
                const AbiMultiplexed *m = abi_multiplexed(syscall_name((int) j));

                if (l->actions[j] != LAYER_NO_ACTION && abi_info[abi].socketcall && m &&
                    syscall_nr(abi, id(m->ipc ? "ipc" : "socketcall")) == (int64_t) nr &&
                    arg_cmp_holds(&CMP(0, ARG_EQ, m->call), args[0], bits))
                        return l->actions[j];
        }
        for (size_t i = 0; i < l->n_rules; i++) {
                const LayerRule *r = &l->rules[i];

                if (!(r->abis & ABI_BIT(abi)) || !rule_targets(r, abi, nr, &muxed))
                        continue;
                if (muxed) {
                        const AbiMultiplexed *m = abi_multiplexed(syscall_name(r->syscall));
                        bool holds = arg_cmp_holds(&CMP(0, ARG_EQ, m->call), args[0], bits);

                        for (size_t k = 0; k < r->n_cmp && holds; k++)
                                if (r->cmp[k].arg != 0)
                                        holds = arg_cmp_holds(&r->cmp[k], args[r->cmp[k].arg], bits);
                        if (holds)
                                return r->action;
                } else if (cmps_hold(r->cmp, r->n_cmp, args, bits))
                        return r->action;
        }
        return sys >= 0 ? l->default_action : l->unassigned_action;
}

static uint32_t chain_verdict(const Layer *layers, size_t n, Abi abi, uint32_t nr, const uint64_t args[6]) {
        uint32_t v = ALLOW;

        /* The most restrictive wins, on ties the newest. */
        for (size_t i = 0; i < n; i++) {
                uint32_t x = layer_verdict(&layers[i], abi, nr, args);

                if (action_compare(x, v) <= 0)
                        v = x;
        }
        return v;
}

/* ---- cases ---- */

static void test_one_filter_first_match(void **state) {
        /* Podman's socket rules: an ERRNO default, rules of several comparisons and actions. */
        const ArgCmp netlink_audit_raw[] = { CMP(0, ARG_EQ, AF_NETLINK), CMP(2, ARG_EQ, 9) };
        const ArgCmp netlink_other[] = { CMP(0, ARG_EQ, AF_NETLINK), CMP(2, ARG_NE, 9) };
        const LayerRule rules[] = {
                { .syscall = id("socket"), .abis = ABI_BIT(ABI_X86_64), .action = ACTION_ERRNO(1),
                  .n_cmp = 1, .cmp = &CMP(0, ARG_EQ, AF_VSOCK) },
                { .syscall = id("socket"), .abis = ABI_BIT(ABI_X86_64), .action = ACTION_ERRNO(22),
                  .n_cmp = 2, .cmp = netlink_audit_raw },
                { .syscall = id("socket"), .abis = ABI_BIT(ABI_X86_64), .action = ALLOW, .n_cmp = 2, .cmp = netlink_other },
                { .syscall = id("socket"), .abis = ABI_BIT(ABI_X86_64), .action = ALLOW,
                  .n_cmp = 1, .cmp = &CMP(0, ARG_NE, AF_NETLINK) },
                { .syscall = id("getpid"), .abis = ABI_BIT(ABI_X86_64), .action = ALLOW },
        };
        Layer l = LAYER_INIT(LAYER_SYSCALL_FILTER, ABI_BIT(ABI_X86_64), ACTION_ERRNO(38), SOURCE_LOC_NULL);
        _cleanup_(policy_freep) Policy *p = NULL;

        l.rules = rules;
        l.n_rules = ELEMENTSOF(rules);
        l.badarch_action = SECCOMP_RET_KILL_THREAD;
        p = merge(&l, 1, 0);

        assert_int_equal(call(p, ABI_X86_64, "socket", AF_VSOCK, 0, 0), ACTION_ERRNO(1));
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_NETLINK, 0, 9), ACTION_ERRNO(22));
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_NETLINK, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "socket", AF_INET, 0, 9), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "getpid", 0, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "getppid", 0, 0, 0), ACTION_ERRNO(38));
        /* The other ABIs get the bad-arch action, and nothing can change that. */
        assert_int_equal(call(p, ABI_X86, "getpid", 0, 0, 0), SECCOMP_RET_KILL_THREAD);
        assert_false(p->abi[ABI_X86].allowed);
        assert_false(p->abi[ABI_X32].allowed);
        assert_true(p->abi[ABI_X86_64].allowed);
        assert_programs_verify(p);
}

static void test_earlier_rule_wins(void **state) {
        /* A less restrictive rule first: it holds where it holds, the later one elsewhere. */
        const LayerRule rules[] = {
                { .syscall = id("personality"), .abis = ABI_BIT(ABI_X86_64), .action = ALLOW,
                  .n_cmp = 1, .cmp = &CMP(0, ARG_EQ, 8) },
                { .syscall = id("personality"), .abis = ABI_BIT(ABI_X86_64), .action = KILL,
                  .n_cmp = 1, .cmp = &CMP(0, ARG_GT, 4) },
        };
        Layer l = LAYER_INIT(LAYER_SYSCALL_FILTER, ABI_BIT(ABI_X86_64), ACTION_ERRNO(1), SOURCE_LOC_NULL);
        _cleanup_(policy_freep) Policy *p = NULL;

        l.rules = rules;
        l.n_rules = ELEMENTSOF(rules);
        p = merge(&l, 1, 0);
        assert_int_equal(call(p, ABI_X86_64, "personality", 8, 0, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86_64, "personality", 9, 0, 0), KILL);
        assert_int_equal(call(p, ABI_X86_64, "personality", 2, 0, 0), ACTION_ERRNO(1));
        /* Not installed on the other ABIs, whose bad-arch action is ALLOW here. */
        assert_int_equal(call(p, ABI_X86, "personality", 9, 0, 0), ALLOW);
        assert_programs_verify(p);
}

static void test_multiplexed(void **state) {
        const LayerRule exact[] = {
                { .syscall = id("socket"), .abis = ABI_BIT(ABI_X86), .action = ACTION_ERRNO(13),
                  .n_cmp = 1, .cmp = &CMP(0, ARG_EQ, AF_INET) },
        };
        const ArgCmp two[] = { CMP(0, ARG_EQ, AF_INET), CMP(1, ARG_EQ, 7) };
        const LayerRule rewritten[] = {
                { .syscall = id("socket"), .abis = ABI_BIT(ABI_X86), .action = ACTION_ERRNO(13),
                  .rewrite = true, .n_cmp = 2, .cmp = two },
        };
        Layer l = LAYER_INIT(LAYER_SYSCALL_FILTER, ABI_BIT(ABI_X86), ALLOW, SOURCE_LOC_NULL);
        _cleanup_(policy_freep) Policy *p = NULL;

        /* seccomp_rule_add_exact() refuses a conditional rule on a multiplexed call … */
        l.rules = exact;
        l.n_rules = 1;
        assert_null(merge(&l, 1, -EINVAL));

        /* … seccomp_rule_add() keeps socketcall()'s argument 0 for the call number. */
        l.rules = rewritten;
        p = merge(&l, 1, 0);
        assert_int_equal(call(p, ABI_X86, "socket", AF_INET, 7, 0), ACTION_ERRNO(13));
        assert_int_equal(call(p, ABI_X86, "socket", AF_INET, 8, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86, "socketcall", 1, 7, 0), ACTION_ERRNO(13));
        assert_int_equal(call(p, ABI_X86, "socketcall", 1, 8, 0), ALLOW);
        assert_int_equal(call(p, ABI_X86, "socketcall", 2, 7, 0), ALLOW);
        assert_programs_verify(p);
}

static void test_outside_contract(void **state) {
        LayerRule bad = { .syscall = (int) syscall_count(), .abis = ABI_BIT(ABI_X86_64), .action = KILL };
        Layer l = LAYER_INIT(LAYER_SYSCALL_FILTER, ABI_BIT(ABI_X86_64), ALLOW, SOURCE_LOC_NULL);

        l.rules = &bad;
        l.n_rules = 1;
        assert_null(merge(&l, 1, -EINVAL));
        bad = (LayerRule) { .syscall = id("read"), .abis = ABI_BIT(ABI_X86_64), .action = KILL, .n_cmp = 1,
                            .cmp = &CMP(6, ARG_EQ, 0) };
        assert_null(merge(&l, 1, -EINVAL));
}

/* ---- random layers ---- */

static uint64_t rng_state;

static uint64_t rnd(void) {
        uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

static const uint64_t values[] = { 0, 1, 2, 3, 8, 9, 40, 0x7fffffff, UINT64_C(0x100000001), UINT64_MAX };
static const uint32_t actions[] = {
        ALLOW, ACTION_ERRNO(1), ACTION_ERRNO(2), SECCOMP_RET_TRAP, SECCOMP_RET_LOG, KILL, SECCOMP_RET_KILL_THREAD,
};
static const char *const calls[] = { "socket", "bind", "personality", "clone", "mmap", "getpid", "semop", "socketcall" };

static ArgCmp random_cmp(void) {
        ArgCmp c = { .arg = (uint8_t) (rnd() % 3), .op = (uint8_t) (rnd() % _ARG_OP_MAX) };

        c.datum = values[rnd() % ELEMENTSOF(values)];
        c.mask = values[rnd() % ELEMENTSOF(values)];
        return c;
}

static void random_layer(Layer *l, LayerRule *rules, ArgCmp *cmps, size_t max_rules) {
        AbiSet host = abi_info[ABI_X86_64].host_abis;
        size_t n = rnd() % (max_rules + 1), k = 0;

        *l = LAYER_INIT((PolicyLayer) (rnd() % _LAYER_MAX), host, actions[rnd() % ELEMENTSOF(actions)], SOURCE_LOC_NULL);
        if (rnd() % 4 == 0)
                l->abis &= ~ABI_BIT((Abi) (rnd() % 3));
        if (rnd() % 4 == 0)
                l->unassigned_action = actions[rnd() % ELEMENTSOF(actions)];
        if (rnd() % 3 == 0)
                l->badarch_action = actions[rnd() % ELEMENTSOF(actions)];

        for (size_t i = 0; i < n; i++) {
                LayerRule *r = &rules[i];
                size_t n_cmp = rnd() % 3;

                *r = (LayerRule) {
                        .syscall = id(calls[rnd() % ELEMENTSOF(calls)]),
                        .abis = rnd() % 4 == 0 ? ABI_BIT((Abi) (rnd() % 3)) : host,
                        .action = actions[rnd() % ELEMENTSOF(actions)],
                        .required = rnd() % 8 == 0,
                        .rewrite = true,
                        .n_cmp = (uint16_t) n_cmp,
                        .cmp = n_cmp > 0 ? &cmps[k] : NULL,
                };
                for (size_t j = 0; j < n_cmp; j++)
                        cmps[k++] = random_cmp();
        }
        l->rules = rules;
        l->n_rules = n;
}

static void test_random_layers(void **state) {
        enum { LAYERS = 3, RULES = 6, ROUNDS = 300, CALLS = 200 };
        LayerRule rules[LAYERS][RULES];
        ArgCmp cmps[LAYERS][RULES * 2];
        Layer layers[LAYERS];

        for (unsigned round = 0; round < ROUNDS; round++) {
                _cleanup_(policy_freep) Policy *p = NULL;
                size_t n = 1 + rnd() % LAYERS;

                rng_state = round;
                for (size_t i = 0; i < n; i++)
                        random_layer(&layers[i], rules[i], cmps[i], RULES);
                p = merge(layers, n, 0);

                for (unsigned c = 0; c < CALLS; c++) {
                        Abi abi = (Abi) (rnd() % 3);
                        uint32_t nr;
                        struct seccomp_data sd;
                        uint32_t got, want;

                        switch (rnd() % 4) {
                        case 0:         /* a number no syscall has */
                                nr = abi_info[abi].nr_bias + 1000 + (uint32_t) (rnd() % 4);
                                break;
                        default: {
                                int64_t x = syscall_nr(abi, id(calls[rnd() % ELEMENTSOF(calls)]));
                                if (x == SYSCALL_NR_NONE)
                                        x = syscall_nr(abi, id("read"));
                                nr = (uint32_t) x;
                        }
                        }
                        sd = (struct seccomp_data) { .nr = (int) nr, .arch = abi_info[abi].audit_arch };
                        for (size_t a = 0; a < 3; a++)
                                sd.args[a] = values[rnd() % ELEMENTSOF(values)];

                        want = chain_verdict(layers, n, abi, nr, (const uint64_t *) sd.args);
                        got = policy_evaluate(p, &sd);
                        if (got != want)
                                fail_msg("round %u: %s nr %u args %#" PRIx64 " %#" PRIx64 " %#" PRIx64
                                         ": policy %#x, contract %#x", round, abi_to_name(abi), nr,
                                         (uint64_t) sd.args[0], (uint64_t) sd.args[1], (uint64_t) sd.args[2], got, want);
                }
                if (round % 10 == 0)
                        assert_programs_verify(p);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_one_filter_first_match),
                cmocka_unit_test(test_earlier_rule_wins),
                cmocka_unit_test(test_multiplexed),
                cmocka_unit_test(test_outside_contract),
                cmocka_unit_test(test_random_layers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
