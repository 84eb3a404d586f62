/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a unit's directives contribute to its policy: the filter systemd 252 attaches for each
 * directive, as a layer (layer.h), in systemd's attach order. SystemCallArchitectures= is one
 * of them: a layer without rules whose bad-arch action kills the ABIs it does not list. */

#include "arena.h"
#include "directives.h"
#include "layer.h"

/* The layers for a host of native ABI, in arena a. mdwe_prctl: MemoryDenyWriteExecute= is
 * applied with prctl(PR_SET_MDWE) instead (no layer); personality: the persona LockPersonality=
 * locks when Personality= is unset (PERSONALITY_INVALID: PER_LINUX); unknown_nr_default: a
 * SystemCallFilter= allow-list gives the numbers of no syscall its default action, as systemd
 * 252 does, not ENOSYS. *ret is NULL and *ret_n 0 when nothing is filtered. -ENOMEM, -EINVAL (a
 * group naming a call of no table). */
int policy_layers(const Directives *d, Abi native, bool mdwe_prctl, unsigned long personality,
                  bool unknown_nr_default, Arena *a, Layer **ret, size_t *ret_n);
