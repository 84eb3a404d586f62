/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <signal.h>

#include "errno-name.h"
#include "learn-check.h"
#include "syscall-table.h"

int learn_check(const Directives *unit, const Directives *checked, const LearnCheckOptions *o, Diag *diag,
                Observation **ret) {
        _cleanup_(observation_freep) Observation *obs = NULL;
        LearnSetup u = {}, c = {};
        int r;

        r = learn_setup(unit, LEARN_FILTER_CHECK, diag, &u);
        if (r >= 0)
                r = learn_setup(checked, LEARN_FILTER_CHECK, diag, &c);
        if (r >= 0)
                r = observation_new(abi_native(), &obs);
        if (r >= 0 && c.n_filter == 0) {
                /* The drop-in restricts nothing: nothing can be refused. */
                *ret = TAKE_PTR(obs);
                r = 0;
        } else if (r >= 0) {
                LearnRun run = {
                        .directives = checked,
                        .sandbox = c.sandbox,
                        .answer = c.sandbox->policy,
                        .reference = u.sandbox->policy,
                        .filter = &c.filter[0],
                        .duration = o->duration,
                        .stop_timeout = o->stop_timeout,
                        .stdout_fd = o->stdout_fd,
                };

                ABI_SET_FOREACH(abi, c.sandbox->policy->abis)
                        if (!c.sandbox->policy->abi[abi].allowed)
                                obs->run.abis_blocked = true;
                r = learn_record(&run, obs);
                if (r == 0)
                        *ret = TAKE_PTR(obs);
        }
        learn_setup_done(&c);
        learn_setup_done(&u);
        return r;
}

bool learn_check_killed_unseen(const Observation *check) {
        if (check->run.exit_status != 128 + SIGSYS || !check->run.abis_blocked)
                return false;
        for (size_t i = 0; i < check->n_denials; i++)
                if ((check->denials[i].action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)
                        return false;   /* a kill the supervisor gave: reported */
        return true;
}

static void action_name(uint32_t action, char *buf, size_t size) {
        if ((action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
                snprintf(buf, size, "%s", errno_to_name((int) (action & SECCOMP_RET_DATA)) ?: "an errno");
        else
                snprintf(buf, size, "SIGSYS");
}

size_t learn_check_report(const Observation *check, bool all, const char *prefix, FILE *f) {
        size_t lines = 0;

        for (size_t i = 0; i < check->n_denials; i++) {
                const ObservedDenial *d = &check->denials[i];
                const char *name = syscall_name(syscall_from_nr(d->abi, d->nr));
                bool fails = observed_denial_fails(d);
                char what[32], ref[32], call[160], where[300], why[64];

                if (!fails && !all)
                        continue;
                action_name(d->action, what, sizeof what);
                action_name(d->reference_action, ref, sizeof ref);
                if (name)
                        snprintf(call, sizeof call, "%s%s%s%s", name, d->detail[0] ? "(" : "", d->detail,
                                 d->detail[0] ? ")" : "");
                else
                        snprintf(call, sizeof call, "syscall %u", d->nr - abi_info[d->abi].nr_bias);
                if (d->loc.file)
                        snprintf(where, sizeof where, "%s (%s:%u)", strna(policy_layer_to_directive(d->layer)),
                                 d->loc.file, d->loc.line);
                else
                        snprintf(where, sizeof where, "%s", strna(policy_layer_to_directive(d->layer)));
                if (d->fallback)
                        snprintf(why, sizeof why, " (on purpose: callers fall back)");
                else if (d->needed)
                        snprintf(why, sizeof why, ", which the unit alone allows");
                else if (fails)
                        snprintf(why, sizeof why, ", where the unit alone answers %s", ref);
                else
                        snprintf(why, sizeof why, " (the unit refuses it too)");
                fprintf(f, "%s%s on %s: %s from %s%s, %" PRIu64 " time%s\n", prefix, call, abi_to_name(d->abi), what,
                        where, why, d->count, d->count == 1 ? "" : "s");
                lines++;
        }
        return lines;
}
