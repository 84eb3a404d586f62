/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/mman.h>

#include "learn-filter.h"
#include "learn-observation.h"
#include "syscall-table.h"

#define NOTIFY SECCOMP_RET_USER_NOTIF

/* What the filter does with a call the policy answers with action. */
static uint32_t filter_action(uint32_t action, LearnFilterKind kind, bool preseen) {
        if (action == SECCOMP_RET_KILL_THREAD)
                return action;
        if (action == SECCOMP_RET_ALLOW && (kind == LEARN_FILTER_CHECK || preseen))
                return action;
        return NOTIFY;
}

/* mmap() and mprotect() run all the time and matter only with PROT_EXEC: watch those only. (The
 * old mmap() of x86 and s390 takes its arguments in memory: watched on every call.) */
static bool watched_with_exec(Abi abi, int id) {
        const char *name = syscall_name(id);

        if (!name)
                return false;
        if (streq(name, "mprotect"))
                return true;
        if (abi_info[abi].mmap_prot)
                return streq(name, abi_info[abi].mmap_prot);
        return (streq(name, "mmap") || streq(name, "mmap2")) && !(abi_info[abi].mmap_old && streq(name, abi_info[abi].mmap_old));
}

static bool is_exec(int id) {
        const char *name = syscall_name(id);

        return name && (streq(name, "execve") || streq(name, "execveat"));
}

static int transform(Policy *p, Abi abi, uint32_t nr, Decision *d, LearnFilterKind kind) {
        int id = nr == UINT32_MAX ? -1 : syscall_from_nr(abi, nr);
        /* Only on the native ABI: a call of another ABI is a fact of its own (for
         * SystemCallArchitectures=), whatever the call. */
        bool preseen = id >= 0 && kind == LEARN_FILTER_RECORD && abi == p->native && learn_call_preseen(abi, id);
        bool any_notify = false;

        if (kind == LEARN_FILTER_RECORD_ALL)
                kind = LEARN_FILTER_RECORD;
        else if (kind == LEARN_FILTER_RECORD && id >= 0 && watched_with_exec(abi, id)) {
                /* The policy's own rules (MemoryDenyWriteExecute= by seccomp: prot with
                 * PROT_EXEC) and PROT_EXEC itself go to the supervisor; the rest is answered here
                 * as the policy answers it. */
                ArgRule *rules = arena_alloc_array(&p->arena, d->n_rules + 1, sizeof(ArgRule));
                ArgCmp *exec = arena_alloc(&p->arena, sizeof(ArgCmp));

                if (!rules || !exec)
                        return -ENOMEM;
                for (size_t i = 0; i < d->n_rules; i++) {
                        rules[i] = d->rules[i];
                        rules[i].action = filter_action(d->rules[i].action, kind, false);
                }
                *exec = (ArgCmp) { .arg = 2, .op = ARG_MASKED_EQ, .mask = PROT_EXEC, .datum = PROT_EXEC };
                rules[d->n_rules] = (ArgRule) { .cmp = exec, .n_cmp = 1, .action = NOTIFY, .layer = LAYER_NONE };
                d->rules = rules;
                d->n_rules++;
                d->action = filter_action(d->action, kind, true);
                return 0;
        }

        if (id >= 0 && is_exec(id)) {
                /* The supervisor must see the command's execve(): before it, the calls are
                 * megafilter's own setup. */
                d->n_rules = 0;
                d->rules = NULL;
                d->action = NOTIFY;
                return 0;
        }

        for (size_t i = 0; i < d->n_rules; i++) {
                d->rules[i].action = filter_action(d->rules[i].action, kind, false);
                any_notify |= d->rules[i].action == NOTIFY;
        }
        d->action = filter_action(d->action, kind, preseen && d->n_rules == 0);
        if (kind == LEARN_FILTER_RECORD && (any_notify || d->action == NOTIFY)) {
                /* Recording sees every call of this number: no rules needed. */
                d->n_rules = 0;
                d->rules = NULL;
                d->action = NOTIFY;
        }
        return 0;
}

int learn_filter_generate(Policy *p, LearnFilterKind kind, BpfProgram **ret, size_t *ret_n) {
        int r;

        ABI_SET_FOREACH(abi, p->abis) {
                AbiPolicy *a = &p->abi[abi];

                for (uint32_t i = 0; i < a->n; i++)
                        if ((r = transform(p, abi, a->nr_first + i, &a->by_nr[i], kind)) < 0)
                                return r;
                if ((r = transform(p, abi, UINT32_MAX, &a->other, kind)) < 0)
                        return r;
        }
        return bpf_gen(p, LAYOUT_SINGLE, ret, ret_n);
}
