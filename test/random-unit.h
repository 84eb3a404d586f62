/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Random sandboxing directives, as the text of a unit's [Service] section, for the compile fuzzer
 * (choices from the fuzz input) and the property test (choices from a seeded generator). */

#include <stdbool.h>

/* A number below n (n > 0). */
typedef unsigned (*RandomPick)(void *userdata, unsigned n);

typedef struct RandomUnitLimits {
        unsigned max_assignments;       /* per unit */
        unsigned max_items;             /* per list */
} RandomUnitLimits;

/* Returns a malloc'ed "[Service]\n…" text, or NULL on allocation failure. Uses valid names almost
 * always, with an occasional invalid one so that the warnings paths run too. */
char *random_unit_text(RandomPick pick, void *userdata, const RandomUnitLimits *limits);
