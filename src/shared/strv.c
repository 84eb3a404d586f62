/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdint.h>

#include "macro.h"

char **strv_free(char **l) {
        STRV_FOREACH(s, l)
                free(*s);
        free(l);
        return NULL;
}

size_t strv_length(char * const *l) {
        size_t n = 0;

        for (; l && l[n]; n++)
                ;
        return n;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **c;

        if (!value)
                return 0;

        c = reallocarray(*l, n + 2, sizeof(char *));
        if (!c) {
                free(value);
                return -ENOMEM;
        }
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        char *v = strdup(value);

        if (!v)
                return -ENOMEM;
        return strv_push(l, v);
}

char **strv_copy(char * const *l) {
        _cleanup_strv_free_ char **c = NULL;
        size_t n = strv_length(l);

        c = calloc(n + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(l[i]);
                if (!c[i])
                        return NULL;
        }
        return TAKE_PTR(c);
}

bool strv_contains(char * const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

bool string_is_safe(const char *s) {
        for (const unsigned char *t = (const unsigned char *) s; *t; t++)
                if (*t < ' ' || strchr("\"'\\\x7f", *t))
                        return false;
        return true;
}

static int str_compare(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);

        if (n > 1)
                qsort(l, n, sizeof(char *), str_compare);
}

char *strv_join(char * const *l, const char *separator) {
        size_t n = 0, k = strlen(separator);
        char *r, *p;

        for (size_t i = 0; l && l[i]; i++)
                n += strlen(l[i]) + (i > 0 ? k : 0);

        r = p = malloc(n + 1);
        if (!r)
                return NULL;
        for (size_t i = 0; l && l[i]; i++) {
                if (i > 0)
                        p = stpcpy(p, separator);
                p = stpcpy(p, l[i]);
        }
        *p = 0;
        return r;
}

bool greedy_realloc(void **p, size_t *allocated, size_t need, size_t size) {
        size_t a;
        void *q;

        if (need <= *allocated)
                return true;
        if (need > SIZE_MAX / 2 / size)
                return false;

        a = MAX(need * 2, (size_t) 16);
        q = reallocarray(*p, a, size);
        if (!q)
                return false;
        *p = q;
        *allocated = a;
        return true;
}
