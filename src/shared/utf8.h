/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Whether s is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). */
bool utf8_is_valid(const char *s);

/* A copy of s with every invalid sequence replaced by U+FFFD. Caller frees; NULL on ENOMEM. */
char *utf8_escape_invalid(const char *s);
