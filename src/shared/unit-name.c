/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>

#include "unit-name.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\"

static const char * const unit_types[] = {
        "service", "mount", "swap", "socket", "target", "device",
        "automount", "timer", "path", "slice", "scope",
};

bool unit_type_is_valid(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++)
                if (streq(s, unit_types[i]))
                        return true;
        return false;
}

static bool in_set(const char *s, size_t n, const char *set) {
        for (size_t i = 0; i < n; i++)
                if (s[i] == 0 || !strchr(set, s[i]))
                        return false;
        return true;
}

UnitNameKind unit_name_kind(const char *n) {
        const char *dot, *at;

        if (isempty(n) || strlen(n) >= UNIT_NAME_MAX)
                return 0;

        dot = strrchr(n, '.');
        if (!dot || dot == n || !unit_type_is_valid(dot + 1))
                return 0;

        at = memchr(n, '@', dot - n);
        if (at == n)
                return 0;
        if (!at)
                return in_set(n, dot - n, NAME_CHARS) ? UNIT_NAME_PLAIN : 0;

        /* The instance may hold further '@'s, the prefix may not (it ends at the first one). */
        if (!in_set(n, at - n, NAME_CHARS) || !in_set(at + 1, dot - at - 1, NAME_CHARS "@"))
                return 0;
        return dot == at + 1 ? UNIT_NAME_TEMPLATE : UNIT_NAME_INSTANCE;
}

const char *unit_name_suffix(const char *n) {
        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return NULL;
        return strrchr(n, '.') + 1;
}

bool unit_prefix_is_valid(const char *p) {
        return !isempty(p) && in_set(p, strlen(p), NAME_CHARS);
}

bool unit_instance_is_valid(const char *i) {
        return !isempty(i) && in_set(i, strlen(i), NAME_CHARS "@");
}

static int strndup_to(const char *s, size_t n, char **ret) {
        char *c = strndup(s, n);

        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

int unit_name_prefix(const char *n, char **ret) {
        const char *end;

        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return -EINVAL;
        end = strchr(n, '@') ?: strrchr(n, '.');
        return strndup_to(n, end - n, ret);
}

int unit_name_instance(const char *n, char **ret) {
        const char *at, *dot;

        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return -EINVAL;
        at = strchr(n, '@');
        if (!at) {
                *ret = NULL;
                return 0;
        }
        dot = strrchr(n, '.');
        return strndup_to(at + 1, dot - at - 1, ret);
}

int unit_name_without_suffix(const char *n, char **ret) {
        if (!unit_name_is_valid(n, UNIT_NAME_ANY))
                return -EINVAL;
        return strndup_to(n, strrchr(n, '.') - n, ret);
}

int unit_name_replace_instance(const char *n, const char *instance, char **ret) {
        const char *at, *dot;
        char *s;

        if (!unit_name_is_valid(n, UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE))
                return -EINVAL;
        if (!unit_instance_is_valid(instance))
                return -EINVAL;

        at = strchr(n, '@');
        dot = strrchr(n, '.');
        if (asprintf(&s, "%.*s@%s%s", (int) (at - n), n, instance, dot) < 0)
                return -ENOMEM;
        if (!unit_name_is_valid(s, UNIT_NAME_INSTANCE)) {       /* grew too long */
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

int unit_name_template(const char *n, char **ret) {
        const char *at, *dot;
        char *s;

        if (!unit_name_is_valid(n, UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE))
                return -EINVAL;
        at = strchr(n, '@');
        dot = strrchr(n, '.');
        if (asprintf(&s, "%.*s@%s", (int) (at - n), n, dot) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int unit_name_from_parts(const char *prefix, const char *instance, const char *type, char **ret) {
        char *s;
        int r;

        if (!unit_prefix_is_valid(prefix) || !unit_type_is_valid(type))
                return -EINVAL;
        if (instance && !unit_instance_is_valid(instance))
                return -EINVAL;

        r = instance ? asprintf(&s, "%s@%s.%s", prefix, instance, type) : asprintf(&s, "%s.%s", prefix, type);
        if (r < 0)
                return -ENOMEM;
        if (!unit_name_is_valid(s, instance ? UNIT_NAME_INSTANCE : UNIT_NAME_PLAIN)) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

int unit_name_unescape(const char *s, char **ret) {
        _cleanup_free_ char *buf = malloc(strlen(s) + 1);
        char *t = buf;

        if (!buf)
                return -ENOMEM;

        for (; *s; s++) {
                if (*s == '-')
                        *t++ = '/';
                else if (*s == '\\') {
                        int hi, lo;

                        if (s[1] != 'x')
                                return -EINVAL;
                        hi = hex_value(s[2]);
                        if (hi < 0)
                                return -EINVAL;
                        lo = hex_value(s[3]);
                        if (lo < 0)
                                return -EINVAL;
                        *t++ = (char) (hi << 4 | lo);
                        s += 3;
                } else
                        *t++ = *s;
        }
        *t = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Absolute, no "//", no "." or ".." component, no trailing slash, components of at most NAME_MAX,
 * shorter than PATH_MAX. */
static bool path_is_normalized_absolute(const char *p) {
        size_t n = strlen(p);

        if (n == 0 || n >= PATH_MAX || p[0] != '/')
                return false;
        if (n == 1)
                return true;
        if (p[n - 1] == '/')
                return false;

        for (const char *c = p + 1;;) {
                size_t k = strcspn(c, "/");

                if (k == 0 || k > NAME_MAX)
                        return false;
                if ((k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                if (c[k] == 0)
                        return true;
                c += k + 1;
        }
}

int unit_name_path_unescape(const char *s, char **ret) {
        _cleanup_free_ char *u = NULL;
        char *p;
        int r;

        if (isempty(s))
                return -EINVAL;
        if (streq(s, "-")) {
                p = strdup("/");
                if (!p)
                        return -ENOMEM;
                *ret = p;
                return 0;
        }

        r = unit_name_unescape(s, &u);
        if (r < 0)
                return r;
        if (u[0] == '/' || (u[0] && u[strlen(u) - 1] == '/'))
                return -EINVAL;

        if (asprintf(&p, "/%s", u) < 0)
                return -ENOMEM;
        if (!path_is_normalized_absolute(p)) {
                free(p);
                return -EINVAL;
        }
        *ret = p;
        return 0;
}

int unit_name_to_service(const char *name, char **ret) {
        const char *suffix = unit_name_suffix(name);
        char *s;

        if (suffix) {
                if (!streq(suffix, "service"))
                        return -EINVAL;
                s = strdup(name);
        } else {
                if (asprintf(&s, "%s.service", name) < 0)
                        s = NULL;
                else if (!unit_name_is_valid(s, UNIT_NAME_ANY)) {
                        free(s);
                        return -EINVAL;
                }
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
