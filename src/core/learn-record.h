/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running a service watched (megafilter learn): its commands run as megafilter run runs them
 * (service.c, execute.c), except that in place of the unit's filters each command gets one
 * learning filter (learn-filter.h) whose listener this process, the supervisor, holds. The
 * supervisor answers every call the filter sends it exactly as the unit's policy would — the
 * call proceeds unchanged (SECCOMP_USER_NOTIF_FLAG_CONTINUE), fails with the policy's errno, or
 * the caller dies of SIGSYS — and records the call and its argument facts, reading arguments
 * behind pointers (clone3()'s, openat2()'s, paths) from the caller's memory.
 *
 * The filter is installed first thing in the command's process, before the user switch, so that
 * watching needs no no_new_privs of its own; the calls megafilter's setup makes before execve()
 * are let through unrecorded, as they run unfiltered under megafilter run. The supervisor is the
 * service's parent and a child subreaper: it sees every process of the tree end, and stops the
 * processes left behind when the main process ends, after --duration, or when it is interrupted
 * (SIGINT, SIGTERM, SIGHUP: the run is then marked partial). Signals sent to it by kill() are
 * forwarded to the main process. */

#include "directives.h"
#include "learn-filter.h"
#include "learn-observation.h"
#include "sandbox.h"

typedef struct LearnRun {
        const Directives *directives;   /* the commands and how to set them up */
        const Sandbox *sandbox;         /* no_new_privs and PR_SET_MDWE as it says (its filters are not installed) */
        const Policy *answer;           /* the verdicts watched calls get */
        const Policy *reference;        /* what counts as needed: the unit's own policy (may be answer) */
        const BpfProgram *filter;       /* learn_filter_generate() of answer */
        double duration;                /* seconds; 0: until the service ends */
        double stop_timeout;            /* seconds from SIGTERM to SIGKILL when stopping the service */
        int stdout_fd;                  /* the commands' standard output; -1: ours */
} LearnRun;

/* Run and watch, filling obs (which must be empty). Returns 0 when the service ran (obs->run says
 * how it ended), the EXIT_* status of its first command when that could not be set up or started
 * (after one line on stderr saying why; obs is then empty), or a negative errno (after printing
 * why). */
int learn_record(const LearnRun *r, Observation *obs);

/* What a run needs, compiled from a unit's directives: its sandbox (for no_new_privs,
 * PR_SET_MDWE and the policy that answers; MemoryDenyWriteExecute= by seccomp, as systemd 252
 * applies it, so that what it refuses is seen) and the filter of the given kind. */
typedef struct LearnSetup {
        Sandbox *sandbox;
        Policy *filter_policy;
        BpfProgram *filter;             /* NULL when the policy restricts nothing (a check has nothing to see) */
        size_t n_filter;
} LearnSetup;

/* -ENOMEM, -E2BIG, or a compile failure (after a diagnostic to diag). */
int learn_setup(const Directives *d, LearnFilterKind kind, Diag *diag, LearnSetup *ret);
void learn_setup_done(LearnSetup *s);
