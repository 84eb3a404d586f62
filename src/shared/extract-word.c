/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "extract-word.h"

static int hexdigit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* n hex digits at s, or -1. Stops at the first non-digit, so it never reads past a NUL. */
static int64_t hexnum(const char *s, unsigned n) {
        int64_t v = 0;

        for (unsigned i = 0; i < n; i++) {
                int d = hexdigit(s[i]);
                if (d < 0)
                        return -1;
                v = v << 4 | d;
        }
        return v;
}

static bool codepoint_is_valid(uint32_t c) {
        return c < 0x110000 &&
                (c & 0xfffff800) != 0xd800 &&           /* UTF-16 surrogates */
                !(c >= 0xfdd0 && c <= 0xfdef) &&        /* non-characters */
                (c & 0xfffe) != 0xfffe;
}

int cunescape_one(const char *s, uint32_t *ret, bool *byte) {
        static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''s ";
        int64_t v;

        *byte = false;
        if (*s == 0)
                return -EINVAL;

        for (size_t i = 0; i + 1 < sizeof simple; i += 2)
                if (simple[i] == *s) {
                        *ret = (unsigned char) simple[i + 1];
                        return 1;
                }

        switch (*s) {
        case 'x':
                v = hexnum(s + 1, 2);
                if (v <= 0)                             /* invalid, or \x00 */
                        return -EINVAL;
                *ret = v;
                *byte = true;
                return 3;
        case 'u':
                v = hexnum(s + 1, 4);
                if (v <= 0)
                        return -EINVAL;
                *ret = v;
                return 5;
        case 'U':
                v = hexnum(s + 1, 8);
                if (v <= 0 || !codepoint_is_valid(v))
                        return -EINVAL;
                *ret = v;
                return 9;
        case '0' ... '7':
                if (s[1] < '0' || s[1] > '7' || s[2] < '0' || s[2] > '7')
                        return -EINVAL;
                v = (s[0] - '0') << 6 | (s[1] - '0') << 3 | (s[2] - '0');
                if (v == 0 || v > 255)
                        return -EINVAL;
                *ret = v;
                *byte = true;
                return 3;
        default:
                return -EINVAL;
        }
}

size_t utf8_encode(char *out, uint32_t c) {
        if (c < 0x80) {
                out[0] = c;
                return 1;
        }
        if (c < 0x800) {
                out[0] = 0xc0 | c >> 6;
                out[1] = 0x80 | (c & 0x3f);
                return 2;
        }
        if (c < 0x10000) {
                out[0] = 0xe0 | c >> 12;
                out[1] = 0x80 | (c >> 6 & 0x3f);
                out[2] = 0x80 | (c & 0x3f);
                return 3;
        }
        out[0] = 0xf0 | (c >> 18 & 0x07);
        out[1] = 0x80 | (c >> 12 & 0x3f);
        out[2] = 0x80 | (c >> 6 & 0x3f);
        out[3] = 0x80 | (c & 0x3f);
        return 4;
}

/* The escape at c (which points at the backslash). Returns how far to advance, 0 at the end of
 * the input (the word is complete), or -EINVAL. */
static int take_escape(const char *c, char *s, size_t *n, bool quoted, ExtractFlags flags) {
        uint32_t u;
        bool byte;
        int r;

        if (c[1] == 0) {
                if ((flags & EXTRACT_UNESCAPE_RELAX) && (!quoted || (flags & EXTRACT_RELAX))) {
                        s[(*n)++] = '\\';
                        return 0;
                }
                return (flags & EXTRACT_RELAX) ? 0 : -EINVAL;
        }

        if (!(flags & EXTRACT_CUNESCAPE)) {
                s[(*n)++] = c[1];
                return 2;
        }

        r = cunescape_one(c + 1, &u, &byte);
        if (r > 0) {
                if (byte)
                        s[(*n)++] = (char) u;
                else
                        *n += utf8_encode(s + *n, u);
                return 1 + r;
        }
        if (flags & EXTRACT_UNESCAPE_RELAX) {
                s[(*n)++] = '\\';
                s[(*n)++] = c[1];
                return 2;
        }
        return -EINVAL;
}

int extract_first_word(const char **p, char **ret, ExtractFlags flags) {
        _cleanup_free_ char *s = NULL;
        size_t n = 0, allocated = 0;
        const char *c;
        char quote = 0;

        *ret = NULL;
        if (!*p)
                return 0;

        c = *p + strspn(*p, WHITESPACE);
        if (*c == 0) {
                *p = NULL;
                return 0;
        }

        for (;;) {
                /* Room for the longest thing one step appends (a 4-byte UTF-8 sequence, or "\\x") and the NUL. */
                if (!GREEDY_REALLOC(s, allocated, n + 8))
                        return -ENOMEM;

                if (*c == 0) {
                        if (quote && !(flags & EXTRACT_RELAX)) {
                                *p = c;
                                return -EINVAL;
                        }
                        *p = NULL;
                        break;
                }

                if (*c == '\\') {
                        int k = take_escape(c, s, &n, quote != 0, flags);
                        if (k < 0) {
                                *p = c;
                                return k;
                        }
                        if (k == 0) {
                                *p = NULL;
                                break;
                        }
                        c += k;
                        continue;
                }

                if (quote) {
                        if (*c == quote)
                                quote = 0;
                        else
                                s[n++] = *c;
                        c++;
                        continue;
                }

                if ((flags & EXTRACT_UNQUOTE) && (*c == '\'' || *c == '"')) {
                        quote = *c++;
                        continue;
                }

                if (strchr(WHITESPACE, *c)) {
                        c += strspn(c, WHITESPACE);
                        *p = *c ? c : NULL;
                        break;
                }

                s[n++] = *c++;
        }

        s[n] = 0;
        *ret = TAKE_PTR(s);
        return 1;
}
