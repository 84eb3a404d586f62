/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Finding a unit: by path, or by name in systemd 252's search path (Debian's layout), following
 * alias symlinks, falling back from an instance to its template; then its drop-ins: NAME.d/,
 * the template's, the dash-prefix ones ("foo-.service.d" for "foo-bar.service") and
 * "service.d", in every search directory, masked by name in directory order and applied in
 * file name order. */

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "unit-file.h"

static const char *const system_path[] = {
        "/etc/systemd/system.control",
        "/run/systemd/system.control",
        "/run/systemd/transient",
        "/run/systemd/generator.early",
        "/etc/systemd/system",
        "/etc/systemd/system.attached",
        "/run/systemd/system",
        "/run/systemd/system.attached",
        "/run/systemd/generator",
        "/usr/local/lib/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/run/systemd/generator.late",
        NULL,
};

/* The user search path with %C, %R, %D standing for $XDG_CONFIG_HOME, $XDG_RUNTIME_DIR and
 * $XDG_DATA_HOME. */
static const char *const user_path[] = {
        "%C/systemd/user.control",
        "%R/systemd/user.control",
        "%R/systemd/transient",
        "%R/systemd/generator.early",
        "%C/systemd/user",
        "/etc/xdg/systemd/user",
        "/etc/systemd/user",
        "%R/systemd/user",
        "/run/systemd/user",
        "%R/systemd/generator",
        "%D/systemd/user",
        "/usr/local/share/systemd/user",
        "/usr/share/systemd/user",
        "/usr/local/lib/systemd/user",
        "/usr/lib/systemd/user",
        "%R/systemd/generator.late",
        NULL,
};

static char *user_dir(const char *pattern) {
        const char *home = getenv("HOME") ?: "/root", *v;
        char *r = NULL;

        if (!startswith(pattern, "%"))
                return strdup(pattern);

        switch (pattern[1]) {
        case 'C':
                v = getenv("XDG_CONFIG_HOME");
                return asprintf(&r, "%s%s%s", v ?: home, v ? "" : "/.config", pattern + 2) < 0 ? NULL : r;
        case 'D':
                v = getenv("XDG_DATA_HOME");
                return asprintf(&r, "%s%s%s", v ?: home, v ? "" : "/.local/share", pattern + 2) < 0 ? NULL : r;
        case 'R':
                v = getenv("XDG_RUNTIME_DIR");
                if (!v)
                        return strdup("");      /* no runtime directory: the entry is skipped */
                return asprintf(&r, "%s%s", v, pattern + 2) < 0 ? NULL : r;
        default:
                return NULL;
        }
}

char **unit_search_path(UnitLoadFlags flags) {
        const char *env = getenv("MEGAFILTER_UNIT_PATH") ?: getenv("SYSTEMD_UNIT_PATH");
        const char *const *defaults = flags & UNIT_LOAD_USER ? user_path : system_path;
        _cleanup_strv_free_ char **l = NULL;
        bool append_defaults = !env;

        /* Like $SYSTEMD_UNIT_PATH: colon-separated, a trailing colon appends the defaults. */
        if (env) {
                _cleanup_free_ char *copy = strdup(env);
                char *save = NULL;

                if (!copy)
                        return NULL;
                append_defaults = endswith_char(env, ':');
                for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
                        if (strv_extend(&l, t) < 0)
                                return NULL;
        }
        if (append_defaults)
                for (const char *const *p = defaults; *p; p++) {
                        char *d = flags & UNIT_LOAD_USER ? user_dir(*p) : strdup(*p);

                        if (!d)
                                return NULL;
                        if (isempty(d)) {
                                free(d);
                                continue;
                        }
                        if (strv_push(&l, d) < 0)
                                return NULL;
                }
        if (!l)
                l = calloc(1, sizeof(char *));
        return TAKE_PTR(l);
}

/* systemd's unit name rules: [a-zA-Z0-9:_.\\@-], at most 255 bytes, one suffix; "@" for
 * templates and instances. */
static bool unit_name_valid(const char *n) {
        const char *dot = strrchr(n, '.'), *at = strchr(n, '@');

        if (isempty(n) || strlen(n) > 255 || !dot || dot == n || !dot[1])
                return false;
        for (const char *p = n; *p; p++)
                if (!(isalnum((unsigned char) *p) || strchr(":_.\\@-", *p)))
                        return false;
        if (at && (at == n || strchr(at + 1, '@') || at > dot))
                return false;
        return true;
}

/* Whether name ends in a unit type suffix; if not, ".service" is meant (as systemctl does). */
static bool has_unit_suffix(const char *name) {
        static const char *const types[] = {
                "service", "socket", "device", "mount", "automount", "swap", "target", "path",
                "timer", "slice", "scope",
        };
        const char *dot = strrchr(name, '.');

        for (size_t i = 0; dot && i < ELEMENTSOF(types); i++)
                if (streq(dot + 1, types[i]))
                        return true;
        return false;
}

/* "foo@bar.service" -> "foo@.service"; NULL if name is not an instance. */
static char *template_of(const char *name) {
        const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
        char *r;

        if (!at || !dot || at + 1 == dot)
                return NULL;
        if (asprintf(&r, "%.*s%s", (int) (at - name + 1), name, dot) < 0)
                return NULL;
        return r;
}

static int add_dropin_dir(char ***dirs, const char *dir, const char *name, Diag *d) {
        _cleanup_free_ char *path = NULL;
        char resolved[PATH_MAX];
        struct stat st;

        if (asprintf(&path, "%s/%s.d", dir, name) < 0)
                return -ENOMEM;
        if (lstat(path, &st) < 0)
                return 0;               /* most units have no drop-ins */
        if (!realpath(path, resolved))
                return diag_log(d, DIAG_WARNING, &(SourceLoc) { path, 0 }, errno,
                                "Failed to canonicalize drop-in directory, ignoring: %m"), 0;
        if (stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode))
                return 0;
        return strv_extend(dirs, resolved);
}

/* Drop-in directories for name in dir: its own, its template's, then its dash prefixes,
 * most specific first. */
static int find_dropin_dirs(char ***dirs, const char *dir, const char *name, Diag *d) {
        _cleanup_free_ char *template = template_of(name), *prefix = NULL;
        const char *suffix = strrchr(name, '.');
        int r;

        r = add_dropin_dir(dirs, dir, name, d);
        if (r >= 0 && template)
                r = find_dropin_dirs(dirs, dir, template, d);
        if (r < 0 || !suffix)
                return r;

        /* "foo-bar-baz@x.service": "foo-bar-.service", then "foo-.service". */
        prefix = strndup(name, strcspn(name, "@."));
        if (!prefix)
                return -ENOMEM;
        for (char *dash; (dash = strrchr(prefix, '-'));) {
                _cleanup_free_ char *n = NULL;

                dash[1] = 0;
                if (asprintf(&n, "%s%s", prefix, suffix) < 0)
                        return -ENOMEM;
                if (!streq(n, name)) {
                        r = add_dropin_dir(dirs, dir, n, d);
                        if (r < 0)
                                return r;
                }
                dash[0] = 0;
        }
        return 0;
}

typedef struct DropIn {
        char *name;                     /* file name, for ordering and masking */
        char *path;
} DropIn;

static int dropin_compare(const void *a, const void *b) {
        return strcmp(((const DropIn *) a)->name, ((const DropIn *) b)->name);
}

/* Every *.conf of dirs; a name seen in an earlier directory masks it in later ones. */
static int collect_dropins(char **dirs, Diag *d, char ***ret) {
        DropIn *l = NULL;
        size_t n = 0, allocated = 0;
        char **paths = NULL;
        int r = 0;

        STRV_FOREACH(dir, dirs) {
                DIR *dp = opendir(*dir);
                struct dirent *de;

                if (!dp) {
                        diag_log(d, DIAG_WARNING, &(SourceLoc) { *dir, 0 }, errno,
                                 "Failed to read drop-in directory, ignoring: %m");
                        continue;
                }
                while ((de = readdir(dp))) {
                        const char *dot = strrchr(de->d_name, '.');
                        bool seen = false;

                        if (de->d_name[0] == '.' || !dot || !streq(dot, ".conf"))
                                continue;
                        for (size_t i = 0; i < n && !seen; i++)
                                seen = streq(l[i].name, de->d_name);
                        if (seen)
                                continue;
                        if (!GREEDY_REALLOC(l, allocated, n + 1)) {
                                r = -ENOMEM;
                                break;
                        }
                        l[n].name = strdup(de->d_name);
                        if (!l[n].name || asprintf(&l[n].path, "%s/%s", *dir, de->d_name) < 0) {
                                free(l[n].name);
                                r = -ENOMEM;
                                break;
                        }
                        n++;
                }
                closedir(dp);
                if (r < 0)
                        break;
        }

        if (n > 0)
                qsort(l, n, sizeof(DropIn), dropin_compare);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0 && strv_push(&paths, TAKE_PTR(l[i].path)) < 0)
                        r = -ENOMEM;
                free(l[i].name);
                free(l[i].path);
        }
        free(l);
        if (r < 0) {
                strv_free(paths);
                return r;
        }
        *ret = paths;
        return 0;
}

/* Read a regular file, never blocking on a FIFO or device. */
static int read_unit_text(const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;

        for (;;) {
                ssize_t k;

                if (!GREEDY_REALLOC(buf, allocated, size + 65536))
                        return -ENOMEM;
                k = read(fd, buf + size, allocated - size);
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                size += k;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static int parse_file(UnitFile *u, const char *path, Diag *d, bool fragment) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        r = read_unit_text(path, &text, &size);
        if (r == -EBADFD && !fragment)
                return diag_log(d, DIAG_WARNING, &(SourceLoc) { path, 0 }, 0, "Drop-in is not a regular file, ignoring."), 0;
        if ((r == -EISDIR || r == -ENOENT) && !fragment)
                return 0;       /* a directory named *.conf, or a dangling link: not a drop-in */
        if (r == -EBADFD)
                return diag_log(d, DIAG_ERROR, &(SourceLoc) { path, 0 }, EINVAL, "Not a regular file, refusing.");
        if (r < 0)
                return diag_log(d, DIAG_ERROR, &(SourceLoc) { path, 0 }, r, "Failed to read %s: %m",
                                fragment ? "unit file" : "drop-in");
        return unit_file_parse_text(u, path, text, size, d);
}

/* Look name up in the search path. Returns the fragment path (resolved through alias
 * symlinks) and the name the unit is known by, or -ENOENT, -ERFKILL (masked). */
static int find_fragment(char **dirs, const char *name, char **ret_path, char **ret_name) {
        STRV_FOREACH(dir, dirs) {
                _cleanup_free_ char *path = NULL;
                char resolved[PATH_MAX];
                struct stat st;

                if (asprintf(&path, "%s/%s", *dir, name) < 0)
                        return -ENOMEM;
                if (lstat(path, &st) < 0)
                        continue;
                if (!realpath(path, resolved))
                        return -errno;
                if (streq(resolved, "/dev/null"))
                        return -ERFKILL;

                *ret_name = strdup(basename_of(resolved));
                *ret_path = strdup(S_ISLNK(st.st_mode) ? resolved : path);
                if (!*ret_name || !*ret_path)
                        return -ENOMEM;
                return 0;
        }
        return -ENOENT;
}

int unit_file_load(const char *name_or_path, UnitLoadFlags flags, Diag *d, UnitFile **ret) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_strv_free_ char **dirs = NULL, **dropin_dirs = NULL, **dropins = NULL;
        _cleanup_free_ char *name = NULL, *fragment = NULL, *id = NULL;
        int r;

        dirs = unit_search_path(flags);
        if (!dirs)
                return -ENOMEM;

        if (strchr(name_or_path, '/')) {
                /* A path: the unit is named after the file, its directory comes first. */
                char *dir = strndup(name_or_path, basename_of(name_or_path) - name_or_path - 1);
                char **l = NULL;

                if (!dir || strv_push(&l, dir) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
                STRV_FOREACH(p, dirs)
                        if (strv_extend(&l, *p) < 0) {
                                strv_free(l);
                                return -ENOMEM;
                        }
                strv_free(dirs);
                dirs = l;
                name = strdup(basename_of(name_or_path));
                fragment = strdup(name_or_path);
                if (!name || !fragment)
                        return -ENOMEM;
                if (!unit_name_valid(name))
                        return diag_log(d, DIAG_ERROR, NULL, EINVAL, "Not a valid unit name: %s", name);
                {
                        char resolved[PATH_MAX];
                        if (realpath(fragment, resolved) && streq(resolved, "/dev/null"))
                                return diag_log(d, DIAG_ERROR, NULL, ERFKILL, "Unit %s is masked.", name);
                }
        } else {
                if (has_unit_suffix(name_or_path))
                        name = strdup(name_or_path);
                else if (asprintf(&name, "%s.service", name_or_path) < 0)
                        name = NULL;
                if (!name)
                        return -ENOMEM;
                if (!unit_name_valid(name))
                        return diag_log(d, DIAG_ERROR, NULL, EINVAL, "Not a valid unit name: %s", name);

                r = find_fragment(dirs, name, &fragment, &id);
                if (r == -ENOENT) {
                        _cleanup_free_ char *template = template_of(name);
                        _cleanup_free_ char *template_id = NULL;

                        if (template)
                                r = find_fragment(dirs, template, &fragment, &template_id);
                }
                if (r == -ERFKILL)
                        return diag_log(d, DIAG_ERROR, NULL, r, "Unit %s is masked.", name);
                if (r == -ENOENT)
                        return diag_log(d, DIAG_ERROR, NULL, r, "Unit %s not found.", name);
                if (r < 0)
                        return diag_log(d, DIAG_ERROR, NULL, r, "Failed to look up unit %s: %m", name);

                /* An alias symlink names the unit after its target. */
                if (id && !streq(id, name) && !strchr(name, '@')) {
                        free(name);
                        name = TAKE_PTR(id);
                }
        }

        r = unit_file_new(name, &u);
        if (r < 0)
                return r;
        u->path = TAKE_PTR(fragment);

        r = parse_file(u, u->path, d, true);
        if (r < 0)
                return r;

        /* Drop-ins: the unit's own names first, the type-wide "service.d" last. */
        STRV_FOREACH(dir, dirs) {
                r = find_dropin_dirs(&dropin_dirs, *dir, name, d);
                if (r < 0)
                        return r;
        }
        if (strcmp(name, u->path ? basename_of(u->path) : name) != 0)
                STRV_FOREACH(dir, dirs) {
                        r = find_dropin_dirs(&dropin_dirs, *dir, basename_of(u->path), d);
                        if (r < 0)
                                return r;
                }
        STRV_FOREACH(dir, dirs) {
                const char *type = strrchr(name, '.') + 1;

                r = add_dropin_dir(&dropin_dirs, *dir, type, d);
                if (r < 0)
                        return r;
        }

        r = collect_dropins(dropin_dirs, d, &dropins);
        if (r < 0)
                return r;
        STRV_FOREACH(p, dropins) {
                r = parse_file(u, *p, d, false);
                if (r < 0)
                        return r;
                if (strv_extend(&u->dropins, *p) < 0)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(u);
        return 0;
}
