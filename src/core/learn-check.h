/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The check stage of megafilter learn: the command run again, watched, under the unit with a
 * proposed drop-in, answered as the drop-in would answer; every call it refuses is reported with
 * the directive and line responsible, and whether the unit alone would have allowed it (then the
 * drop-in is too tight: the service needs that call). What the drop-in allows runs at full speed:
 * only refusals reach the supervisor. */

#include <stdio.h>

#include "learn-record.h"

typedef struct LearnCheckOptions {
        double duration;
        double stop_timeout;
        int stdout_fd;
} LearnCheckOptions;

/* Run checked (the unit's directives in unit, the unit with the drop-in in checked; the commands
 * are checked's). Returns 0 with the run's observation in *ret (its denials are the findings;
 * observation_needed_denials() counts the failures), an EXIT_* status when the command could not
 * be started, or a negative errno (after printing why). */
int learn_check(const Directives *unit, const Directives *checked, const LearnCheckOptions *o, Diag *diag,
                Observation **ret);

/* Whether the check run died of a SIGSYS no finding explains: a call of an ABI the drop-in blocks
 * (SystemCallArchitectures= kills those in the filter, where the supervisor does not see them). */
bool learn_check_killed_unseen(const Observation *check);

/* One line per finding ("socket(AF_INET) on x86-64: EAFNOSUPPORT from RestrictAddressFamilies=
 * (FILE:LINE), which the unit alone allows"), prefixed; the refusals the unit makes too only when
 * all is set. Returns how many lines were written. */
size_t learn_check_report(const Observation *check, bool all, const char *prefix, FILE *f);
