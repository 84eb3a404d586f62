/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The libseccomp baseline: the filters systemd 252 attaches for a unit's directives, built the
 * way it builds them, with libseccomp, one context per directive and per ABI, each loaded on its
 * own. Used by the differential tests (megafilter must decide every call as this chain does) and
 * the benchmark. A static library of its own (libbaseline), so that libmegafilter does not link
 * libseccomp. It describes the filters independently of policy-layers.c, for the comparison to
 * mean something; only the facts about each ABI's calls come from the same ABI table (abi.h).
 *
 * Order (systemd 252's exec_child()): ProtectHostname=, RestrictAddressFamilies=,
 * MemoryDenyWriteExecute=, RestrictRealtime=, RestrictSUIDSGID=, RestrictNamespaces=,
 * ProtectKernelTunables=, ProtectKernelModules=, ProtectKernelLogs=, ProtectClock=,
 * PrivateDevices=, SystemCallArchitectures=, LockPersonality=, SystemCallLog=, SystemCallFilter=.
 * Within a directive, one filter per ABI the host runs, in systemd's order (x86, x32, x86-64 on an
 * x86-64 host: the native ABI last). The directives after SystemCallArchitectures= skip the ABIs
 * it blocked. Where systemd skips an ABI (a rule that cannot be added there), so does this.
 *
 * Names the installed libseccomp does not know are dropped, as systemd's parser drops them; the
 * few calls systemd names at compile time (fchmodat2, openat2, clone3) are filtered on the native
 * ABI by number even when libseccomp has no name for them, and skipped on the others, as
 * libseccomp cannot translate them there. */

#include "bpf-program.h"
#include "diag.h"
#include "directives.h"
#include "layer.h"
#include "sandbox.h"

typedef struct BaselineOptions {
        Abi native;                     /* the host's native ABI; _ABI_INVALID: this machine's (must be libseccomp's native) */
        MdweMode mdwe;                  /* MDWE_SECCOMP: as systemd 252; MDWE_PRCTL: no MemoryDenyWriteExecute= filters */
        unsigned long personality;      /* LockPersonality= persona when Personality= is unset; PERSONALITY_INVALID: the caller's */
} BaselineOptions;

#define BASELINE_FILTERS_MAX 256

typedef struct BaselineFilter {
        PolicyLayer layer;              /* the directive */
        Abi abi;                        /* the ABI its context was built for; the native ABI for SystemCallArchitectures= */
} BaselineFilter;

typedef struct BaselineInfo {
        size_t n;
        BaselineFilter filter[BASELINE_FILTERS_MAX];    /* attach order, one per program */
        bool mdwe_prctl;                /* MemoryDenyWriteExecute= left to prctl(PR_SET_MDWE) */
        size_t n_dropped;               /* syscall names libseccomp could not resolve, dropped */
} BaselineInfo;

/* Build the programs in attach order (seccomp_export_bpf() of every context). *ret_progs is NULL
 * and *ret_n 0 when nothing is filtered. Errors: -ENOMEM, -EINVAL (bad options), -E2BIG (more
 * filters than BASELINE_FILTERS_MAX), or libseccomp's error for a rule systemd would have failed
 * on (-EACCES: a rule's action equals its filter's default action), each reported to diag. */
int baseline_build(const Directives *d, const BaselineOptions *o, Diag *diag,
                           BpfProgram **ret_progs, size_t *ret_n, BaselineInfo *ret_info);

/* Build and load every filter with seccomp_load() in this process, as systemd does (no_new_privs
 * first when NoNewPrivileges=yes or CAP_SYS_ADMIN is missing; PR_SET_MDWE with MDWE_PRCTL). Any
 * failure is returned (fails closed: the caller must not go on to run the service); filters
 * loaded before the failure stay. */
int baseline_install(const Directives *d, const BaselineOptions *o);

/* "RestrictNamespaces=" … for a filter. */
const char *baseline_filter_directive(const BaselineFilter *f);
