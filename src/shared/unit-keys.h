/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which keys systemd 252 accepts in a service unit: a fact table generated from systemd's sources
 * by tools/gen-unit-keys.py (unit-keys.gen.c). systemd warns "Unknown key '%s' in section [%s],
 * ignoring." for any other key, except keys starting with "X-", which it ignores silently; the
 * caller checks for those. */

#include <stdbool.h>

/* Whether section is one a service unit may have: "Unit", "Service" or "Install". (systemd also
 * ignores sections starting with "X-" silently; they are not "known".) */
bool unit_section_known(const char *section);

/* Whether systemd 252 knows key in that section of a .service unit. Case-sensitive, like systemd.
 * Includes the keys systemd still accepts but only warns about (e.g. "Capabilities"). */
bool unit_key_known(const char *section, const char *key);
