/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A compiled sandbox: the policy, the programs generated from it, and how
 * MemoryDenyWriteExecute= is applied. Compiling changes nothing (it may read the calling
 * process's persona and whether the kernel has PR_SET_MDWE); installing is the one stage that
 * touches the kernel, all or nothing. */

#include "bpf-gen.h"
#include "directives.h"
#include "policy.h"

typedef enum MdweMode {
        MDWE_AUTO,                      /* prctl(PR_SET_MDWE) when the running kernel has it */
        MDWE_PRCTL,
        MDWE_SECCOMP,
        _MDWE_MODE_MAX,
        _MDWE_MODE_INVALID = -EINVAL,
} MdweMode;

const char *mdwe_mode_to_string(MdweMode m);
MdweMode mdwe_mode_from_string(const char *s);

typedef struct CompileOptions {
        Abi native;                     /* _ABI_INVALID: this machine's */
        Layout layout;
        MdweMode mdwe;
        unsigned long personality;      /* PERSONALITY_INVALID: the calling process's */
        bool verify;                    /* run the verifier on the result */
        bool unknown_nr_default;        /* PolicyOptions.unknown_nr_default: systemd 252's allow-lists */
} CompileOptions;

#define COMPILE_OPTIONS_DEFAULT ((CompileOptions) { .native = _ABI_INVALID, .layout = LAYOUT_SPLIT, \
                                                    .mdwe = MDWE_AUTO, .personality = PERSONALITY_INVALID })

typedef struct Sandbox {
        Policy *policy;
        BpfProgram *progs;              /* attach order */
        size_t n_progs;
        Layout layout;                  /* what the programs are: single when split was asked for but cannot be attached */
        bool mdwe_prctl;                /* apply MemoryDenyWriteExecute= with prctl(PR_SET_MDWE) */
        bool uses_seccomp;              /* a seccomp-based directive is in use: no_new_privs without CAP_SYS_ADMIN */
        bool no_new_privileges;         /* NoNewPrivileges=yes */
        bool in_policy_arena;           /* allocated in policy's arena (sandbox_compile()'s), not by malloc() */
} Sandbox;

/* Whether this kernel has prctl(PR_SET_MDWE). */
bool mdwe_prctl_supported(void);

/* The persona LockPersonality= locks when Personality= is unset: PER_LINUX or PER_LINUX32,
 * from the calling process (systemd's "opinionated" reading). */
unsigned long current_persona(void);

/* Build the policy and generate its programs (and verify them if asked). -ENOMEM, -E2BIG (a
 * program over 4096 instructions), -EFAULT (the verifier disagrees: an internal error). */
int sandbox_compile(const Directives *d, const CompileOptions *o, Diag *diag, Sandbox **ret);
Sandbox *sandbox_free(Sandbox *s);
DEFINE_POINTER_CLEANUP(Sandbox, sandbox_free);

typedef enum InstallFlags {
        INSTALL_TSYNC = 1 << 0,         /* synchronise all threads (SECCOMP_FILTER_FLAG_TSYNC) */
        INSTALL_RAW_ERRNO = 1 << 1,     /* return the kernel's errno rather than -ECANCELED */
        INSTALL_NO_DRY_RUN = 1 << 2,    /* skip the trial attach in a child (tests of the failure path) */
} InstallFlags;

/* Install into the calling process (thread): no_new_privs if NoNewPrivileges= says so or the
 * caller lacks CAP_SYS_ADMIN and seccomp is used, PR_SET_MDWE if chosen, then the filters in
 * order. With more than one filter, they are first attached in a short-lived child sharing
 * nothing with us: if the kernel would refuse any of them, nothing is attached here.
 * When filters were in place already, the calling thread's count of filters (Seccomp_filters in
 * /proc/thread-self/status) must grow by ours: a filter that fakes seccomp()'s success is an
 * error (-ECANCELED, -EPERM with INSTALL_RAW_ERRNO).
 * Errors: -ECANCELED (the kernel refused; its errno with INSTALL_RAW_ERRNO), -ESRCH (TSYNC could
 * not synchronise a thread), -EACCES (no_new_privs needed but could not be set), -ENOMEM. */
int sandbox_install(const Sandbox *s, InstallFlags flags, Diag *diag);

/* Which step sandbox_install_step() failed at. */
#define INSTALL_FAILED_NO_NEW_PRIVS (-1)
#define INSTALL_FAILED_MDWE (-2)
#define INSTALL_FAILED_OTHER (-3)       /* e.g. the trial child could not be started */

/* sandbox_install(), telling on failure which step failed: the index of the filter the kernel
 * refused, or INSTALL_FAILED_*. */
int sandbox_install_step(const Sandbox *s, InstallFlags flags, Diag *diag, int *ret_failed);
