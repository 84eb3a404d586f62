/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Word splitting with systemd's rules for unit file values: words are separated by runs of
 * whitespace (" \t\n\r"); '…' and "…" quote (the quotes are removed and may appear mid-word); a
 * backslash escapes the next character, or starts a C escape with EXTRACT_CUNESCAPE. Internal to
 * exec-command.c and unit-file.c. */

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

#define WHITESPACE " \t\n\r"

typedef enum ExtractFlags {
        EXTRACT_UNQUOTE        = 1 << 0,        /* remove quotes (without it, quotes are ordinary characters) */
        EXTRACT_CUNESCAPE      = 1 << 1,        /* \n, \x41, \u00e9, \101, … */
        EXTRACT_UNESCAPE_RELAX = 1 << 2,        /* keep unknown escapes (and an unquoted trailing backslash) verbatim */
        EXTRACT_RELAX          = 1 << 3,        /* an unterminated quote or escape ends the word instead of failing */
} ExtractFlags;

/* Take the next word off *p. Returns 1 and the word (possibly empty: "''"), 0 at the end of the
 * input, -EINVAL on bad quoting or escapes (*p then points into the word), -ENOMEM. After the last
 * word *p is NULL; otherwise it points at the start of the next word. */
int extract_first_word(const char **p, char **ret, ExtractFlags flags);

/* Decode the C escape that follows a backslash at s. Returns the number of characters consumed
 * (≥ 1) and the code point, with *byte set when it is a raw byte (\x, octal) rather than a
 * code point to encode as UTF-8; -EINVAL if s does not start a valid escape. NUL is refused. */
int cunescape_one(const char *s, uint32_t *ret, bool *byte);

/* Encode a code point as UTF-8 into out (at least 4 bytes). Returns the length. */
size_t utf8_encode(char *out, uint32_t c);
