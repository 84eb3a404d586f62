/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test helpers: collect diagnostics as "FILE:LINE: message" strings, and build file trees in a
 * temporary directory. Header-only, for the unit file and command line tests. */

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "diag.h"
#include "macro.h"

typedef struct Captured {
        char **messages;                /* "FILE:LINE: message", in order */
        int *levels;
        size_t n;
} Captured;

static inline void capture_func(void *userdata, int level, const SourceLoc *loc, const char *message) {
        Captured *c = userdata;
        char prefix[4096], *s;

        if (asprintf(&s, "%s%s", source_loc_prefix(loc, prefix, sizeof prefix), message) < 0)
                abort();
        if (strv_push(&c->messages, s) < 0)
                abort();
        c->levels = reallocarray(c->levels, c->n + 1, sizeof(int));
        if (!c->levels)
                abort();
        c->levels[c->n++] = level;
}

static inline void capture_reset(Captured *c) {
        c->messages = strv_free(c->messages);
        free(c->levels);
        c->levels = NULL;
        c->n = 0;
}

#define CAPTURE_DIAG(c) ((Diag) { .func = capture_func, .userdata = (c), .max_level = DIAG_DEBUG })

/* Whether message i is exactly text at level. */
#define assert_message(c, i, level, text)                                       \
        do {                                                                    \
                assert_true((size_t) (i) < (c)->n);                             \
                assert_string_equal((c)->messages[i], (text));                  \
                assert_int_equal((c)->levels[i], (level));                      \
        } while (0)

static inline void dump_messages(const Captured *c) {
        for (size_t i = 0; i < c->n; i++)
                fprintf(stderr, "  [%d] %s\n", c->levels[i], c->messages[i]);
}

#define assert_messages_count(c, count)                                         \
        do {                                                                    \
                if ((c)->n != (size_t) (count))                                 \
                        dump_messages(c);                                       \
                assert_int_equal((c)->n, (count));                              \
        } while (0)

/* ---- temporary trees ---- */

static inline char *tree_new(void) {
        char *t = strdup("/tmp/megafilter-test-XXXXXX");

        if (!t || !mkdtemp(t))
                abort();
        return t;
}

/* Removing an entry needs no permission on the entry itself: no chmod() here, which would follow
 * a symlink (the trees hold links to /dev/null, as masked units) and change its target. */
static inline int tree_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        if (flag == FTW_DP)
                return rmdir(path) < 0 ? 0 : 0;
        return unlink(path) < 0 ? 0 : 0;
}

static inline void tree_free(char *t) {
        if (!t)
                return;
        (void) chmod(t, 0700);
        (void) nftw(t, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(t);
}

static inline void tree_freep(char **t) {
        tree_free(*t);
}
#define _cleanup_tree_ _cleanup_(tree_freep)

/* root/rel, formatted. The result is owned by the caller. */
static inline char *tree_path(const char *root, const char *format, ...) _printf_(2, 3);
static inline char *tree_path(const char *root, const char *format, ...) {
        char *rel, *p;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&rel, format, ap) < 0)
                abort();
        va_end(ap);
        if (asprintf(&p, "%s/%s", root, rel) < 0)
                abort();
        free(rel);
        return p;
}

/* Create every missing directory of path (not the last component unless dir is true). */
static inline void tree_mkdirs(const char *path, bool dir) {
        char *p = strdup(path);

        if (!p)
                abort();
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        (void) mkdir(p, 0755);
                        *s = '/';
                }
        if (dir)
                (void) mkdir(p, 0755);
        free(p);
}

static inline void tree_write(const char *root, const char *rel, const char *content, size_t size) {
        char *p = tree_path(root, "%s", rel);
        int fd;

        tree_mkdirs(p, false);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, content, size) != (ssize_t) size)
                abort();
        close(fd);
        free(p);
}

#define tree_write_str(root, rel, content) tree_write((root), (rel), (content), strlen(content))

static inline void tree_symlink(const char *root, const char *rel, const char *target) {
        char *p = tree_path(root, "%s", rel);

        tree_mkdirs(p, false);
        if (symlink(target, p) < 0)
                abort();
        free(p);
}

static inline void tree_mkdir(const char *root, const char *rel) {
        char *p = tree_path(root, "%s", rel);

        tree_mkdirs(p, true);
        free(p);
}
