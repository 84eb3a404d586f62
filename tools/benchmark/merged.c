/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "libseccomp merged": the merged decisions of the policy written as libseccomp rules, one
 * context per allowed ABI, combined with seccomp_merge() into one filter, binary-tree
 * optimisation on. Blocked ABIs are left out, so libseccomp's bad-arch action (KILL_THREAD)
 * kills them, as systemd's architecture filter does. What libseccomp cannot express (a rule
 * whose fallback is not the context's default and needs a negation of several comparisons) makes
 * the strategy unavailable for that unit. */

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>

#include "strategies.h"
#include "syscall-table.h"

#define MARGIN 64

static uint32_t scmp_arch_of(Abi abi) {
        return seccomp_arch_resolve_name(abi_info[abi].libseccomp_name);
}

static enum scmp_compare scmp_op(uint8_t op) {
        switch (op) {
        case ARG_EQ:
                return SCMP_CMP_EQ;
        case ARG_NE:
                return SCMP_CMP_NE;
        case ARG_LT:
                return SCMP_CMP_LT;
        case ARG_LE:
                return SCMP_CMP_LE;
        case ARG_GT:
                return SCMP_CMP_GT;
        case ARG_GE:
                return SCMP_CMP_GE;
        case ARG_MASKED_EQ:
                return SCMP_CMP_MASKED_EQ;
        default:
                return _SCMP_CMP_MIN;
        }
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, uint32_t nr, const ArgCmp *cmp, size_t n) {
        struct scmp_arg_cmp c[6];

        if (n > ELEMENTSOF(c))
                return -EOPNOTSUPP;
        for (size_t i = 0; i < n; i++) {
                enum scmp_compare op = scmp_op(cmp[i].op);

                if (op == _SCMP_CMP_MIN)
                        return -EOPNOTSUPP;
                c[i] = (struct scmp_arg_cmp) {
                        .arg = cmp[i].arg,
                        .op = op,
                        .datum_a = op == SCMP_CMP_MASKED_EQ ? cmp[i].mask : cmp[i].datum,
                        .datum_b = op == SCMP_CMP_MASKED_EQ ? cmp[i].datum : 0,
                };
        }
        return seccomp_rule_add_exact_array(ctx, action, (int) nr, (unsigned) n, c);
}

static int add_decision(scmp_filter_ctx ctx, uint32_t nr, const Decision *d) {
        int r;

        if (d->n_rules == 0)
                return d->action == SECCOMP_RET_ALLOW ? 0 : add_rule(ctx, d->action, nr, NULL, 0);

        for (size_t i = 0; i < d->n_rules; i++) {
                r = add_rule(ctx, d->rules[i].action, nr, d->rules[i].cmp, d->rules[i].n_cmp);
                if (r < 0)
                        return r;
        }
        /* libseccomp has no "otherwise": a fallback other than the default is not expressible
         * together with the conditional rules. */
        return d->action == SECCOMP_RET_ALLOW ? 0 : -EOPNOTSUPP;
}

static int abi_context(const Policy *p, Abi abi, scmp_filter_ctx *ret) {
        const AbiPolicy *a = &p->abi[abi];
        scmp_filter_ctx ctx;
        uint32_t arch = scmp_arch_of(abi);
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r >= 0 && arch != seccomp_arch_native()) {
                r = seccomp_arch_remove(ctx, seccomp_arch_native());
                if (r >= 0)
                        r = seccomp_arch_add(ctx, arch);
        }
        for (uint64_t nr = a->nr_first; r >= 0 && nr < (uint64_t) a->nr_first + a->n + MARGIN; nr++)
                r = add_decision(ctx, (uint32_t) nr, policy_decision(p, abi, (uint32_t) nr));
        if (r < 0) {
                seccomp_release(ctx);
                return r;
        }
        *ret = ctx;
        return 0;
}

static int merged_context(const Directives *d, scmp_filter_ctx *ret) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyOptions o = { .native = ABI_X86_64, .personality = PER_LINUX };
        scmp_filter_ctx dst = NULL;
        int r;

        r = policy_build(d, &o, NULL, &p);
        if (r < 0)
                return r;

        ABI_SET_FOREACH(abi, p->abis) {
                scmp_filter_ctx ctx;

                if (!p->abi[abi].allowed)
                        continue;
                r = abi_context(p, abi, &ctx);
                if (r >= 0 && dst) {
                        r = seccomp_merge(dst, ctx);
                        if (r < 0)
                                seccomp_release(ctx);
                } else if (r >= 0)
                        dst = ctx;
                if (r < 0) {
                        if (dst)
                                seccomp_release(dst);
                        return r;
                }
        }
        *ret = dst;
        return dst ? 0 : -EOPNOTSUPP;
}

int merged_build(const Directives *d, const Policy *policy, BpfProgram **ret, size_t *ret_n, bool *ret_mdwe_prctl) {
        _cleanup_close_ int fd = -1;
        scmp_filter_ctx ctx;
        BpfProgram *p;
        off_t size;
        int r;

        *ret_mdwe_prctl = false;
        r = merged_context(d, &ctx);
        if (r < 0)
                return r;

        fd = memfd_create("merged", MFD_CLOEXEC);
        r = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
        seccomp_release(ctx);
        if (r < 0)
                return r;

        size = lseek(fd, 0, SEEK_END);
        p = calloc(1, sizeof(BpfProgram));
        if (!p)
                return -ENOMEM;
        p->name = strdup("libseccomp-merged");
        p->n = (size_t) size / sizeof(struct sock_filter);
        p->insns = malloc(size);
        if (!p->name || !p->insns || pread(fd, p->insns, size, 0) != size) {
                bpf_programs_free(p, 1);
                return -EIO;
        }
        *ret = p;
        *ret_n = 1;
        return 0;
}

int merged_build_install(const Directives *d) {
        scmp_filter_ctx ctx;
        int r;

        r = merged_context(d, &ctx);
        if (r < 0)
                return r;
        r = seccomp_load(ctx);
        seccomp_release(ctx);
        return r;
}
