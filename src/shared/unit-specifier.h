/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal: specifier expansion with a length limit, as systemd uses a smaller one for executable
 * paths (PATH_MAX - 1) than for other values (1 MiB). */

#include <limits.h>

#include "unit-file.h"

#define UNIT_SPECIFIER_MAX_VALUE (1024U * 1024U)
#define UNIT_SPECIFIER_MAX_PATH (PATH_MAX - 1)

int unit_specifier_expand_full(const UnitFile *u, const char *s, size_t max_length, char **ret);
