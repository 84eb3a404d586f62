/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* For tests: the directives of a [Service] section given as text. */

#include "directives.h"
#include "unit-file.h"

/* Parse "[Service]\n<text>\n" as the unit name and apply it; the test fails if that gives any
 * warning or error. The unit is returned in *ret_u when ret_u is not NULL. */
Directives *test_directives_from_text(const char *name, const char *text, UnitFile **ret_u);
