/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>
#include <stdlib.h>

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

static int compare_name(const void *key, const void *element) {
        return strcmp(key, ((const NameNumber *) element)->name);
}

int errno_from_name(const char *name) {
        const NameNumber *p;

        if (!name)
                return -EINVAL;
        p = bsearch(name, errno_by_name, ELEMENTSOF(errno_by_name), sizeof(NameNumber), compare_name);
        return p ? p->number : -EINVAL;
}

/* A plain decimal number: no sign, no blanks, no base prefix and no leading zero, so that no
 * string means one number here and another in systemd (which reads "010" as octal and "0x10" as
 * hex). A well-formed but negative or too large number gives -ERANGE. */
static int parse_errno_number(const char *s) {
        bool negative = false;
        unsigned long v = 0;

        if (s[0] == '-') {
                negative = true;
                s++;
        }
        if (s[0] < '0' || s[0] > '9')
                return -EINVAL;
        if (s[0] == '0' && s[1] != 0)
                return -EINVAL;

        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                if (v <= ERRNO_MAX)             /* stop growing once out of range; no overflow */
                        v = v * 10 + (unsigned long) (*s - '0');
        }

        if (negative && v != 0)
                return -ERANGE;
        if (negative)                           /* "-0" */
                return -EINVAL;
        if (v > ERRNO_MAX)
                return -ERANGE;
        return (int) v;
}

int parse_errno(const char *s) {
        int r;

        if (isempty(s))
                return -EINVAL;

        r = errno_from_name(s);
        if (r > 0)
                return r;

        return parse_errno_number(s);
}

int parse_errno_or_action(const char *s) {
        if (s && streq(s, "kill"))
                return ERRNO_KILL;
        return parse_errno(s);
}
