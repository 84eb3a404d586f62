/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The filters of megafilter learn, generated from a policy like any sandbox. An installed filter
 * cannot be changed and filters stack most-restrictive-first, so a call the unit's own filter
 * denied would never reach a supervisor: instead of the unit's filters, the run gets one filter
 * that asks the supervisor (SECCOMP_RET_USER_NOTIF) about every call it must see, and the
 * supervisor answers with the unit's verdict (policy_evaluate()).
 *
 * Recording: every call is sent to the supervisor except those the filter can answer itself
 * without losing anything: calls of the native ABI in @default that the policy allows and whose
 * arguments no directive looks at (learn_call_preseen(); every allow-list includes them, so seeing
 * them changes no proposal), mmap()/mprotect() without PROT_EXEC, and calls of an ABI that
 * SystemCallArchitectures= kills (KILL_THREAD stays in the filter: no supervisor can kill a
 * single thread).
 *
 * Checking: the policy of the unit with a proposal; what it allows passes at full speed, the
 * supervisor sees (and answers) only what it denies, and execve() (the command starts there:
 * what its process did before was megafilter's setup).
 *
 * One program (LAYOUT_SINGLE): the listener belongs to the filter that returns USER_NOTIF. */

#include "bpf-gen.h"
#include "policy.h"

typedef enum LearnFilterKind {
        LEARN_FILTER_RECORD,
        LEARN_FILTER_CHECK,
        LEARN_FILTER_RECORD_ALL,        /* every call to the supervisor: the alternative the benchmark measures */
} LearnFilterKind;

/* Turn p into the policy of the learning filter (in place: p is the caller's own copy) and
 * generate its program. -ENOMEM, -E2BIG. */
int learn_filter_generate(Policy *p, LearnFilterKind kind, BpfProgram **ret, size_t *ret_n);
