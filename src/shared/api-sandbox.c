/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The public API, compiled sandboxes: what they hold, verifying, installing, and which directive
 * a failure is blamed on. */

#include "api-internal.h"
#include "arena.h"
#include "syscall-table.h"
#include "verify.h"

static const char *const directive_names[_MF_DIRECTIVE_MAX] = {
        [MF_DIRECTIVE_PROTECT_HOSTNAME] = "ProtectHostname=",
        [MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES] = "RestrictAddressFamilies=",
        [MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE] = "MemoryDenyWriteExecute=",
        [MF_DIRECTIVE_RESTRICT_REALTIME] = "RestrictRealtime=",
        [MF_DIRECTIVE_RESTRICT_SUID_SGID] = "RestrictSUIDSGID=",
        [MF_DIRECTIVE_RESTRICT_NAMESPACES] = "RestrictNamespaces=",
        [MF_DIRECTIVE_PROTECT_KERNEL_TUNABLES] = "ProtectKernelTunables=",
        [MF_DIRECTIVE_PROTECT_KERNEL_MODULES] = "ProtectKernelModules=",
        [MF_DIRECTIVE_PROTECT_KERNEL_LOGS] = "ProtectKernelLogs=",
        [MF_DIRECTIVE_PROTECT_CLOCK] = "ProtectClock=",
        [MF_DIRECTIVE_PRIVATE_DEVICES] = "PrivateDevices=",
        [MF_DIRECTIVE_SYSTEM_CALL_ARCHITECTURES] = "SystemCallArchitectures=",
        [MF_DIRECTIVE_LOCK_PERSONALITY] = "LockPersonality=",
        [MF_DIRECTIVE_SYSTEM_CALL_LOG] = "SystemCallLog=",
        [MF_DIRECTIVE_SYSTEM_CALL_FILTER] = "SystemCallFilter=",
        [MF_DIRECTIVE_SYSTEM_CALL_ERROR_NUMBER] = "SystemCallErrorNumber=",
        [MF_DIRECTIVE_PERSONALITY] = "Personality=",
        [MF_DIRECTIVE_NO_NEW_PRIVILEGES] = "NoNewPrivileges=",
};

_public_ const char *mf_directive_name(int directive) {
        return directive > MF_DIRECTIVE_NONE && directive < _MF_DIRECTIVE_MAX ? directive_names[directive] : NULL;
}

int api_directive_of_layer(PolicyLayer l) {
        const char *name = policy_layer_to_directive(l);

        if (name)
                for (int i = 1; i < _MF_DIRECTIVE_MAX; i++)
                        if (streq(directive_names[i], name))
                                return i;
        return MF_DIRECTIVE_NONE;
}

/* The directives with argument rules: what the argument filter holds. */
static uint64_t arg_directives(const Policy *p) {
        uint64_t m = 0;

        ABI_SET_FOREACH(abi, p->abis) {
                const AbiPolicy *a = &p->abi[abi];

                for (uint32_t i = 0; i < a->n; i++)
                        for (size_t j = 0; j < a->by_nr[i].n_rules; j++)
                                m |= MF_DIRECTIVE_BIT(api_directive_of_layer(a->by_nr[i].rules[j].layer));
                for (size_t j = 0; j < a->other.n_rules; j++)
                        m |= MF_DIRECTIVE_BIT(api_directive_of_layer(a->other.rules[j].layer));
        }
        return m & ~MF_DIRECTIVE_BIT(MF_DIRECTIVE_NONE);
}

int api_sandbox_new(Sandbox *sandbox, const Directives *d, Layout layout, mf_sandbox **ret) {
        mf_sandbox *s;

        /* With its policy when it can: compiling in a freshly forked child then needs no malloc(). */
        s = sandbox->in_policy_arena ? arena_alloc(&sandbox->policy->arena, sizeof(mf_sandbox)) : calloc(1, sizeof(mf_sandbox));
        if (!s) {
                sandbox_free(sandbox);
                return -ENOMEM;
        }
        s->sandbox = sandbox;
        s->layout = layout;
        s->directives = d ? api_directives_in_use(d) : 0;
        s->arg_directives = arg_directives(sandbox->policy);
        *ret = s;
        return 0;
}

_public_ void mf_sandbox_free(mf_sandbox *s) {
        bool in_arena;

        if (!s)
                return;
        in_arena = s->sandbox->in_policy_arena;
        sandbox_free(s->sandbox);       /* s too, when it lives in the policy's arena */
        if (!in_arena)
                free(s);
}

_public_ size_t mf_sandbox_filter_count(const mf_sandbox *s) {
        return s ? s->sandbox->n_progs : 0;
}

_public_ int mf_sandbox_filter(const mf_sandbox *s, size_t i, const char **name, const struct sock_filter **insns, size_t *n) {
        const BpfProgram *p;

        if (!s || i >= s->sandbox->n_progs)
                return -EINVAL;
        p = &s->sandbox->progs[i];
        if (name)
                *name = p->name;
        if (insns)
                *insns = p->insns;
        if (n)
                *n = p->n;
        return 0;
}

_public_ const char *mf_sandbox_arch(const mf_sandbox *s) {
        return s ? abi_to_name(s->sandbox->policy->native) : NULL;
}

_public_ int mf_sandbox_layout(const mf_sandbox *s) {
        if (!s)
                return -EINVAL;
        return s->layout == LAYOUT_SINGLE ? MF_LAYOUT_SINGLE : MF_LAYOUT_SPLIT;
}

_public_ unsigned mf_sandbox_flags(const mf_sandbox *s) {
        if (!s)
                return 0;
        return (s->sandbox->mdwe_prctl ? MF_SANDBOX_MDWE_PRCTL : 0) |
                (s->sandbox->no_new_privileges ? MF_SANDBOX_NO_NEW_PRIVS : 0) |
                (s->sandbox->uses_seccomp ? MF_SANDBOX_SECCOMP : 0);
}

_public_ uint64_t mf_sandbox_directives(const mf_sandbox *s) {
        return s ? s->directives : 0;
}

BpfProgram *api_sandbox_program(mf_sandbox *s, size_t i) {
        return s && i < s->sandbox->n_progs ? &s->sandbox->progs[i] : NULL;
}

/* The first directive of mask in systemd's order: the one whose filter systemd loads first. */
static int first_directive(uint64_t mask) {
        for (int i = 1; i < _MF_DIRECTIVE_MAX; i++)
                if (mask & MF_DIRECTIVE_BIT(i))
                        return i;
        return MF_DIRECTIVE_NONE;
}

int api_sandbox_verify(const mf_sandbox *s, ApiLog *l, struct mf_error *error) {
        const Policy *p = s->sandbox->policy;
        VerifyStats stats = {};
        const Decision *d;
        int directive = MF_DIRECTIVE_NONE, id = -1;
        Abi abi;
        int r;

        r = verify_programs(p, s->sandbox->progs, s->sandbox->n_progs, &l->diag, &stats);
        if (r == -ENOMEM)
                return api_fail(l, error, r, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);      /* no verdict */
        if (r >= 0)
                return diag_log(&l->diag, DIAG_DEBUG, NULL, 0, "Verified: all %zu calls tried agree with the policy.",
                                stats.calls), 0;

        diag_log(&l->diag, DIAG_ERROR, NULL, 0,
                 "Verification failed: %zu of %zu calls differ from the policy, %zu allowed calls not cacheable.",
                 stats.mismatches, stats.calls, stats.uncached);

        /* Blame what decides the first call that disagrees. */
        abi = policy_abi_of(p, stats.first_arch, stats.first_nr);
        if (abi >= 0) {
                id = syscall_from_nr(abi, stats.first_nr);
                d = policy_decision(p, abi, stats.first_nr);
                directive = api_directive_of_layer(d->n_rules > 0 ? d->rules[0].layer : d->layer);
        }
        return api_fail(l, error, -EFAULT, directive, abi, id);
}

_public_ int mf_sandbox_verify(const mf_sandbox *s, mf_log_fn log, void *userdata, struct mf_error *error) {
        ApiLog l;

        api_log_init(&l, log, userdata);
        if (!s)
                return api_fail(&l, error, -EINVAL, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);
        return api_sandbox_verify(s, &l, error);
}

_public_ int mf_sandbox_install(const mf_sandbox *s, unsigned flags, mf_log_fn log, void *userdata, struct mf_error *error) {
        int r, failed, directive;
        ApiLog l;

        api_log_init(&l, log, userdata);
        if (!s || (flags & ~(MF_INSTALL_TSYNC | MF_INSTALL_RAW_ERRNO)))
                return api_fail(&l, error, -EINVAL, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);

        r = sandbox_install_step(s->sandbox,
                                 (flags & MF_INSTALL_TSYNC ? INSTALL_TSYNC : 0) |
                                 (flags & MF_INSTALL_RAW_ERRNO ? INSTALL_RAW_ERRNO : 0),
                                 &l.diag, &failed);
        if (r >= 0)
                return 0;

        /* systemd loads one filter per directive and fails on the first the kernel refuses: for
         * our first program that is the first directive in use, for the argument filter the first
         * with argument rules. */
        if (failed == INSTALL_FAILED_NO_NEW_PRIVS)
                directive = MF_DIRECTIVE_NO_NEW_PRIVILEGES;
        else if (failed == INSTALL_FAILED_MDWE)
                directive = MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE;
        else if (failed == 0)
                directive = first_directive(s->directives);
        else if (failed > 0)
                directive = first_directive(s->arg_directives);
        else
                directive = first_directive(s->directives);

        if (!(flags & MF_INSTALL_RAW_ERRNO) && r != -ECANCELED && r != -ESRCH && r != -ENOMEM)
                r = -ECANCELED;         /* the trial child could not run: refused all the same */
        return api_fail(&l, error, r, directive, _ABI_INVALID, -1);
}
