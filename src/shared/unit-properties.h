/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sandbox properties of a unit as `systemctl show` prints them. */

#include "directives.h"

/* Property names in the order systemctl show prints them; NULL-terminated. */
extern const char *const sandbox_property_names[];

bool sandbox_property_known(const char *name);

/* The value of one property, formatted as systemctl show formats it. -ENOENT for a name that is
 * not in sandbox_property_names. */
int sandbox_property_format(const Directives *d, const char *name, char **ret);

/* Join a list the way systemctl prints (bas) properties: "~" first for deny-lists, the entries
 * sorted with strcmp and separated by spaces. Sorts l in place. */
char *format_allow_deny_list(bool allow_list, char **l);
