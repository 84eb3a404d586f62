/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "errno-name.h"
#include "macro.h"

typedef struct NameNumber {
        const char *name;
        int number;
} NameNumber;

#include "errno-name.gen.c"

const char *errno_to_name(int error) {
        if (error == INT_MIN)
                return NULL;
        error = abs(error);
        if ((size_t) error >= ELEMENTSOF(errno_names))
                return NULL;
        return errno_names[error];
}

int errno_from_name(const char *name) {
        if (!name)
                return -EINVAL;
        /* systemd's gperf table ignores the case of ASCII letters: "eperm", "Eacces". */
        for (size_t i = 0; i < ELEMENTSOF(errno_by_name); i++)
                if (ascii_strcaseeq(name, errno_by_name[i].name))
                        return errno_by_name[i].number;
        return -EINVAL;
}

static unsigned digit_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z')
                return c - 'A' + 10;
        return 36;
}

int parse_int_systemd(const char *s, int *ret) {
        unsigned long long v = 0, limit = (unsigned long long) LONG_MAX;
        bool negative = false, overflow = false;
        unsigned base = 0;
        const char *digits;

        if (!s)
                return -EINVAL;

        /* safe_atoi(): blanks, then Python's "0b" and "0o" prefixes … */
        s += strspn(s, " \t\n\r");
        if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
                base = 2;
                s += 2;
        } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
                base = 8;
                s += 2;
        }

        /* … then strtol() on the rest: isspace() blanks and a sign again, and in base 0 "0x" for
         * hex (only with a hex digit after it: "0x" alone is a 0 followed by garbage) or a
         * leading 0 for octal. */
        s += strspn(s, " \t\n\v\f\r");
        if (*s == '+' || *s == '-') {
                negative = *s == '-';
                s++;
        }
        if (base == 0) {
                if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
                        base = 16;
                        s += 2;
                } else
                        base = s[0] == '0' ? 8 : 10;
        }
        if (negative)
                limit++;                        /* LONG_MIN's magnitude */

        for (digits = s; digit_value(*s) < base; s++) {
                v = v * base + digit_value(*s);
                if (v > limit) {
                        overflow = true;        /* strtol() saturates, sets ERANGE and reads on */
                        v = limit;
                }
        }
        if (overflow)
                return -ERANGE;                 /* before the garbage check, as safe_atoi() */
        if (s == digits || *s != 0)
                return -EINVAL;
        if (v > (negative ? (unsigned long long) INT_MAX + 1 : (unsigned long long) INT_MAX))
                return -ERANGE;

        if (ret)
                *ret = negative ? (int) -(long long) v : (int) v;
        return 0;
}

int parse_errno(const char *s) {
        int r, e;

        if (isempty(s))
                return -EINVAL;

        r = errno_from_name(s);
        if (r > 0)
                return r;

        r = parse_int_systemd(s, &e);
        if (r < 0)
                return r;
        if (e < 0 || e > ERRNO_MAX)             /* 0 is fine, "-0" too */
                return -ERANGE;
        return e;
}

int parse_errno_or_action(const char *s) {
        if (s && streq(s, "kill"))
                return ERRNO_KILL;
        return parse_errno(s);
}
