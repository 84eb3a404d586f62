/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small language helpers shared by every module: cleanup attributes instead of goto chains,
 * array sizes, and the negative-errno conventions used throughout the project. */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _public_ __attribute__((visibility("default")))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))
#define _const_ __attribute__((const))
#define _unused_ __attribute__((unused))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _fallthrough_ __attribute__((fallthrough))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

static inline bool isempty(const char *s) {
        return !s || !s[0];
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

/* Returns the part of s after prefix, or NULL if s does not start with prefix. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

static inline bool endswith_char(const char *s, char c) {
        size_t n = strlen(s);
        return n > 0 && s[n - 1] == c;
}

/* Equal but for the case of ASCII letters, whatever the locale: how systemd's gperf tables
 * (errno and address family names, generated with --ignore-case) compare. */
static inline bool ascii_strcaseeq(const char *a, const char *b) {
        for (;; a++, b++) {
                char x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a;
                char y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;

                if (x != y)
                        return false;
                if (x == 0)
                        return true;
        }
}

/* The last component of a path: what follows the last '/'. */
static inline const char *basename_of(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* No quotes, backslashes or control characters: systemd's string_is_safe(). */
bool string_is_safe(const char *s);

/* Take ownership of a pointer: returns it and clears the source. */
#define TAKE_PTR(p)                             \
        ({                                      \
                __typeof__(p) _p_ = (p);        \
                (p) = NULL;                     \
                _p_;                            \
        })

/* Negative errno from errno, never 0: for wrapping libc calls that set errno. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Define a cleanup helper "name##p" that calls func on a pointer-to-pointer if non-NULL. */
#define DEFINE_POINTER_CLEANUP(type, func)              \
        static inline void func##p(type **p) {          \
                if (*p)                                 \
                        func(*p);                       \
        }

/* A NULL-terminated string vector: strv helpers used by parsers and front-ends. */
char **strv_free(char **l);
size_t strv_length(char * const *l);
int strv_push(char ***l, char *value);          /* takes ownership of value, even on failure */
int strv_extend(char ***l, const char *value);  /* copies value */
char **strv_copy(char * const *l);
bool strv_contains(char * const *l, const char *s);
void strv_sort(char **l);
char *strv_join(char * const *l, const char *separator);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
#define STRV_FOREACH(s, l) for (char **s = (l); s && *s; s++)

/* Grow an array to hold at least need elements; returns false on allocation failure. */
bool greedy_realloc(void **p, size_t *allocated, size_t need, size_t size);
#define GREEDY_REALLOC(array, allocated, need) \
        greedy_realloc((void **) &(array), &(allocated), (need), sizeof((array)[0]))
