/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Finding a unit as systemd 252 does: the search path, the first directory that has an entry of
 * the unit's name decides; a symlink pointing into the search path is an alias (the target's name
 * is looked up again), one pointing elsewhere is a linked unit file; an instance without a file of
 * its own uses its template. Then the drop-ins: "*.conf" in NAME.d/ for every name of the unit, its
 * template and its "-" prefixes, and in "service.d/", across the search path; a file name seen in
 * a more important directory hides the same name further down; all are applied after the fragment,
 * sorted by file name. */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>

#include "path-util.h"
#include "unit-file.h"
#include "unit-name.h"

#define FOLLOW_MAX 8

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int strv_extend_unique(char ***l, const char *s) {
        return strv_contains(*l, s) ? 0 : strv_extend(l, s);
}

static int strv_extend_many_unique(char ***l, const char * const *list, size_t n) {
        for (size_t i = 0; i < n; i++) {
                int r = strv_extend_unique(l, list[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void *mfree(void *p) {
        free(p);
        return NULL;
}

/* ---- the search path ---- */

static char *home_dir(void) {
        const char *e = getenv("HOME");
        struct passwd *pw;

        if (e && e[0] == '/')
                return strdup(e);
        pw = getpwuid(getuid());
        if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
                return strdup(pw->pw_dir);
        return NULL;
}

/* $var/suffix, or ~/fallback/suffix when $var is unset or not absolute. NULL if neither works. */
static char *xdg_dir(const char *var, const char *fallback, const char *suffix) {
        _cleanup_free_ char *home = NULL;
        const char *e = getenv(var);
        char *s;

        if (e && e[0] == '/')
                return asprintf(&s, "%s%s", e, suffix) < 0 ? NULL : s;
        if (!fallback)
                return NULL;
        home = home_dir();
        if (!home)
                return NULL;
        return asprintf(&s, "%s/%s%s", home, fallback, suffix) < 0 ? NULL : s;
}

/* Append each entry of a colon-separated list with suffix, made absolute against the working
 * directory. Empty entries are skipped. */
static int extend_path_list(char ***l, const char *list, const char *suffix) {
        _cleanup_free_ char *cwd = NULL;

        for (const char *p = list; *p;) {
                size_t n = strcspn(p, ":");
                char *s;
                int r;

                if (n > 0) {
                        if (p[0] == '/')
                                r = asprintf(&s, "%.*s%s", (int) n, p, suffix);
                        else {
                                if (!cwd) {
                                        cwd = getcwd(NULL, 0);
                                        if (!cwd)
                                                return negative_errno();
                                }
                                r = asprintf(&s, "%s/%.*s%s", cwd, (int) n, p, suffix);
                        }
                        if (r < 0)
                                return -ENOMEM;
                        path_simplify(s);
                        if (strv_contains(*l, s))
                                free(s);
                        else if (strv_push(l, s) < 0)
                                return -ENOMEM;
                }
                p += n;
                if (*p == ':')
                        p++;
        }
        return 0;
}

/* Append a, or nothing if a is NULL; takes ownership. */
static int extend_owned(char ***l, char *a) {
        if (!a)
                return 0;
        if (strv_contains(*l, a)) {
                free(a);
                return 0;
        }
        return strv_push(l, a);
}

static int runtime_subdir(char ***l, const char *runtime, const char *sub) {
        char *s;

        if (!runtime)
                return 0;
        if (asprintf(&s, "%s/systemd/%s", runtime, sub) < 0)
                return -ENOMEM;
        return extend_owned(l, s);
}

static int default_user_path(char ***l) {
        const char *runtime = getenv("XDG_RUNTIME_DIR");
        const char *e;
        int r;

        if (runtime && runtime[0] != '/')
                runtime = NULL;

        r = extend_owned(l, xdg_dir("XDG_CONFIG_HOME", ".config", "/systemd/user.control"));
        if (r >= 0)
                r = runtime_subdir(l, runtime, "user.control");
        if (r >= 0)
                r = runtime_subdir(l, runtime, "transient");
        if (r >= 0)
                r = runtime_subdir(l, runtime, "generator.early");
        if (r >= 0)
                r = extend_owned(l, xdg_dir("XDG_CONFIG_HOME", ".config", "/systemd/user"));
        if (r >= 0) {
                e = getenv("XDG_CONFIG_DIRS");
                r = extend_path_list(l, e ?: "/etc/xdg", "/systemd/user");
        }
        if (r >= 0)
                r = strv_extend_unique(l, "/etc/systemd/user");
        if (r >= 0)
                r = runtime_subdir(l, runtime, "user");
        if (r >= 0)
                r = strv_extend_unique(l, "/run/systemd/user");
        if (r >= 0)
                r = runtime_subdir(l, runtime, "generator");
        if (r >= 0)
                r = extend_owned(l, xdg_dir("XDG_DATA_HOME", ".local/share", "/systemd/user"));
        if (r >= 0) {
                e = getenv("XDG_DATA_DIRS");
                r = extend_path_list(l, e ?: "/usr/local/share:/usr/share", "/systemd/user");
        }
        if (r >= 0) {
                static const char * const data[] = {
                        "/usr/local/lib/systemd/user", "/usr/local/share/systemd/user",
                        "/usr/lib/systemd/user", "/usr/share/systemd/user",
                };
                r = strv_extend_many_unique(l, data, ELEMENTSOF(data));
        }
        if (r >= 0)
                r = runtime_subdir(l, runtime, "generator.late");
        return r;
}

static int default_system_path(char ***l) {
        /* As Debian 12 builds systemd 252 (with /lib/systemd/system as its data directory). */
        static const char * const dirs[] = {
                "/etc/systemd/system.control", "/run/systemd/system.control",
                "/run/systemd/transient", "/run/systemd/generator.early",
                "/etc/systemd/system", "/etc/systemd/system.attached",
                "/run/systemd/system", "/run/systemd/system.attached",
                "/run/systemd/generator", "/usr/local/lib/systemd/system",
                "/lib/systemd/system", "/usr/lib/systemd/system",
                "/run/systemd/generator.late",
        };

        return strv_extend_many_unique(l, dirs, ELEMENTSOF(dirs));
}

char **unit_search_path(UnitLoadFlags flags) {
        _cleanup_strv_free_ char **l = NULL;
        const char *e = getenv("MEGAFILTER_UNIT_PATH");
        int r;

        /* An empty list, so that NULL means only "out of memory". */
        l = calloc(1, sizeof(char *));
        if (!l)
                return NULL;

        if (e) {
                r = extend_path_list(&l, e, "");
                if (r < 0)
                        return NULL;
                if (e[0] == 0 || e[strlen(e) - 1] != ':')
                        return TAKE_PTR(l);
        }

        r = (flags & UNIT_LOAD_USER) ? default_user_path(&l) : default_system_path(&l);
        if (r < 0)
                return NULL;
        return TAKE_PTR(l);
}

/* ---- the names in the search path ---- */

typedef struct NameEntry {
        char *name;             /* the directory entry's name */
        char *path;             /* the file to read: the entry itself, or a linked file or mask through it */
        char *alias;            /* for an alias symlink: the unit name it points to; path is NULL */
        char *resolved;         /* the name of the fragment this entry leads to (instance filled in), NULL if none */
} NameEntry;

typedef struct NameMap {
        NameEntry *entries;
        size_t n, allocated;
        char **dirs;            /* the search path, and where its directories resolve to */
} NameMap;

static void name_map_done(NameMap *m) {
        for (size_t i = 0; i < m->n; i++) {
                free(m->entries[i].name);
                free(m->entries[i].path);
                free(m->entries[i].alias);
                free(m->entries[i].resolved);
        }
        free(m->entries);
        strv_free(m->dirs);
}

static NameEntry *name_map_get(const NameMap *m, const char *name) {
        for (size_t i = 0; i < m->n; i++)
                if (streq(m->entries[i].name, name))
                        return m->entries + i;
        return NULL;
}

/* Where a symlink's target really is: the directory part with its symlinks resolved when it exists,
 * the final component as it is (it may be a dangling alias). */
static char *symlink_target_path(const char *dir, const char *target) {
        _cleanup_free_ char *abs = NULL, *real = NULL;
        char *slash, *s;

        if (target[0] == '/')
                abs = strdup(target);
        else if (asprintf(&abs, "%s/%s", dir, target) < 0)
                abs = NULL;
        if (!abs)
                return NULL;
        path_normalize(abs);

        slash = strrchr(abs, '/');
        if (slash == abs || !slash[1])
                return TAKE_PTR(abs);
        *slash = 0;
        real = realpath(abs, NULL);
        if (!real) {
                *slash = '/';
                return TAKE_PTR(abs);
        }
        if (asprintf(&s, "%s/%s", streq(real, "/") ? "" : real, slash + 1) < 0)
                return NULL;
        return s;
}

static bool path_is_under(const char *path, char * const *dirs) {
        STRV_FOREACH(d, (char **) dirs) {
                const char *rest = startswith(path, *d);
                if (rest && rest[0] == '/' && rest[1])
                        return true;
        }
        return false;
}

/* systemd's rules for an alias symlink src → dst inside the search path. */
static bool alias_is_valid(const char *src, const char *dst) {
        UnitNameKind ks = unit_name_kind(src), kd = unit_name_kind(dst);
        _cleanup_free_ char *is = NULL, *id = NULL;

        if (streq(src, dst) || kd == 0 || !streq(unit_name_suffix(src), unit_name_suffix(dst)))
                return false;
        if (ks != kd && !(ks == UNIT_NAME_INSTANCE && kd == UNIT_NAME_TEMPLATE))
                return false;
        if (kd == UNIT_NAME_INSTANCE)
                return unit_name_instance(src, &is) >= 0 && unit_name_instance(dst, &id) >= 0 && streq(is, id);
        return true;
}

static int name_map_add(NameMap *m, const char *dir, int dfd, const char *name, bool is_link, const char *wanted, Diag *d) {
        _cleanup_free_ char *path = NULL, *alias = NULL;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;

        if (is_link) {
                _cleanup_free_ char *where = NULL;
                char buf[PATH_MAX];
                ssize_t k;

                k = readlinkat(dfd, name, buf, sizeof buf - 1);
                if (k < 0)
                        return 0;
                buf[k] = 0;

                where = symlink_target_path(dir, buf);
                if (!where)
                        return -ENOMEM;
                if (path_is_under(where, m->dirs)) {
                        const char *dst = strrchr(where, '/') + 1;

                        if (!alias_is_valid(name, dst)) {
                                if (wanted && streq(name, wanted)) {
                                        SourceLoc loc = { path, 0 };
                                        diag_log(d, DIAG_NOTICE, &loc, 0, "Invalid alias symlink to %s, ignoring.", buf);
                                }
                                return 0;       /* ignored: a less important directory may have the name */
                        }
                        alias = strdup(dst);
                        if (!alias)
                                return -ENOMEM;
                        path = mfree(path);
                }
        }

        if (!GREEDY_REALLOC(m->entries, m->allocated, m->n + 1))
                return -ENOMEM;
        m->entries[m->n++] = (NameEntry) {
                .name = strdup(name),
                .path = TAKE_PTR(path),
                .alias = TAKE_PTR(alias),
        };
        if (!m->entries[m->n - 1].name)
                return -ENOMEM;
        return 0;
}

static int name_map_build(NameMap *m, char * const *search, const char *wanted, Diag *d) {
        int r;

        STRV_FOREACH(dir, (char **) search) {
                char *real;

                r = strv_extend_unique(&m->dirs, *dir);
                if (r < 0)
                        return r;
                real = realpath(*dir, NULL);
                if (!real)
                        continue;
                if (strv_contains(m->dirs, real))
                        free(real);
                else if (strv_push(&m->dirs, real) < 0)
                        return -ENOMEM;
        }

        STRV_FOREACH(dir, (char **) search) {
                _cleanup_(closedirp) DIR *dd = opendir(*dir);
                struct dirent *de;

                if (!dd) {
                        if (errno != ENOENT && errno != ENOTDIR) {
                                SourceLoc loc = { *dir, 0 };
                                diag_log(d, DIAG_WARNING, &loc, errno, "Failed to open unit directory, ignoring: %m");
                        }
                        continue;
                }

                while ((errno = 0, de = readdir(dd))) {
                        unsigned char type = de->d_type;
                        const char *suffix = unit_name_suffix(de->d_name);

                        if (!suffix || !streq(suffix, "service") || name_map_get(m, de->d_name))
                                continue;
                        if (type == DT_UNKNOWN) {
                                struct stat st;
                                if (fstatat(dirfd(dd), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                        continue;
                                type = S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
                        }
                        if (type != DT_REG && type != DT_LNK)
                                continue;

                        r = name_map_add(m, *dir, dirfd(dd), de->d_name, type == DT_LNK, wanted, d);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* The fragment path name leads to, following aliases (an alias to an instance without a file of its
 * own goes to its template). -ENOENT if name is not in the map, -ENXIO for a dangling alias, -ELOOP. */
static int name_map_resolve(const NameMap *m, const char *name, const char **ret) {
        const char *id = name;

        for (unsigned hop = 0; hop < FOLLOW_MAX; hop++) {
                const NameEntry *e = name_map_get(m, id);

                if (!e) {
                        _cleanup_free_ char *template = NULL;

                        if (hop == 0)
                                return -ENOENT;
                        if (unit_name_template(id, &template) < 0)
                                return -ENXIO;
                        e = name_map_get(m, template);
                        if (!e)
                                return -ENXIO;
                }
                if (!e->alias) {
                        *ret = e->path;
                        return 0;
                }
                id = e->alias;
        }
        return -ELOOP;
}

/* The fragment for name: its own, or its template's. */
static int name_map_find_fragment(const NameMap *m, const char *name, const char **ret) {
        _cleanup_free_ char *template = NULL;
        int r;

        r = name_map_resolve(m, name, ret);
        if (r != -ENOENT && r != -ENXIO)
                return r;
        if (unit_name_kind(name) != UNIT_NAME_INSTANCE)
                return r;
        r = unit_name_template(name, &template);
        if (r < 0)
                return r;
        r = name_map_resolve(m, template, ret);
        return r == -ENXIO ? -ENOENT : r;
}

/* A unit file that is empty, or any character device (such as /dev/null): a masked unit. */
static bool stat_is_mask(const struct stat *st) {
        return (S_ISREG(st->st_mode) && st->st_size <= 0) || S_ISCHR(st->st_mode);
}

/* For each entry, the unit it is a name of (NULL for masked or broken ones). */
static int name_map_resolve_all(NameMap *m) {
        for (size_t i = 0; i < m->n; i++) {
                NameEntry *e = m->entries + i;
                _cleanup_free_ char *instance = NULL;
                const char *path, *dst;
                struct stat st;

                if (name_map_resolve(m, e->name, &path) < 0)
                        continue;
                if (stat(path, &st) < 0 || stat_is_mask(&st))
                        continue;

                dst = strrchr(path, '/') + 1;
                if (unit_name_kind(dst) == UNIT_NAME_TEMPLATE && unit_name_kind(e->name) == UNIT_NAME_INSTANCE) {
                        if (unit_name_instance(e->name, &instance) < 0)
                                return -ENOMEM;
                        if (unit_name_replace_instance(dst, instance, &e->resolved) < 0)
                                continue;
                } else {
                        e->resolved = strdup(dst);
                        if (!e->resolved)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* The names of the unit as systemd collects them: the name asked for, and every entry of the search
 * path that leads to the same unit (for an instance, its template's aliases with the instance
 * filled in). */
static int add_names(const NameMap *m, const char *name, UnitNameKind kind, const char *instance,
                     const char *fragment_name, char ***names) {
        int r;

        if (kind != UNIT_NAME_TEMPLATE) {
                r = strv_extend_unique(names, name);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < m->n; i++) {
                const NameEntry *e = m->entries + i;
                _cleanup_free_ char *inst = NULL;
                const char *path;

                if (!e->resolved || !streq(e->resolved, name))
                        continue;
                if (kind != UNIT_NAME_INSTANCE || unit_name_kind(e->name) != UNIT_NAME_TEMPLATE) {
                        r = strv_extend_unique(names, e->name);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (unit_name_replace_instance(e->name, instance, &inst) < 0)
                        continue;
                /* Not if that instance has a fragment of its own elsewhere. */
                if (fragment_name && name_map_resolve(m, inst, &path) >= 0 &&
                    !streq(strrchr(path, '/') + 1, fragment_name))
                        continue;
                r = strv_extend_unique(names, inst);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- drop-ins ---- */

typedef struct DropinDirs {
        char **dirs;            /* resolved, in order of importance */
        char **failed;          /* paths already warned about */
        Diag *d;
} DropinDirs;

static void dropin_dirs_done(DropinDirs *dd) {
        strv_free(dd->dirs);
        strv_free(dd->failed);
}

static void dropin_dir_warn(DropinDirs *dd, const char *path, int error) {
        SourceLoc loc = { path, 0 };

        if (strv_contains(dd->failed, path))
                return;
        (void) strv_extend(&dd->failed, path);
        diag_log(dd->d, DIAG_WARNING, &loc, error, "Failed to open drop-in directory, ignoring: %m");
}

static int dropin_dir_add(DropinDirs *dd, const char *dir, const char *name) {
        _cleanup_free_ char *path = NULL;
        char *real;

        if (asprintf(&path, "%s/%s.d", dir, name) < 0)
                return -ENOMEM;
        real = realpath(path, NULL);
        if (!real) {
                if (errno == ENOMEM)
                        return -ENOMEM;
                if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG)
                        dropin_dir_warn(dd, path, errno);
                return 0;
        }
        if (strv_contains(dd->dirs, real)) {
                free(real);
                return 0;
        }
        return strv_push(&dd->dirs, real);
}

/* NAME.d, then for an instance its template's, then for "foo-bar-baz" those of "foo-bar-" and
 * "foo-" (with the instance, and their templates), the more specific first. */
static int dropin_dirs_for_name(DropinDirs *dd, const char *dir, const char *name) {
        _cleanup_free_ char *prefix = NULL, *instance = NULL, *next = NULL;
        UnitNameKind kind = unit_name_kind(name);
        bool chopped = false;
        int r;

        r = dropin_dir_add(dd, dir, name);
        if (r < 0)
                return r;
        if (kind == 0)                  /* "service": the type-wide directory */
                return 0;

        if (kind == UNIT_NAME_INSTANCE) {
                _cleanup_free_ char *template = NULL;

                r = unit_name_template(name, &template);
                if (r < 0)
                        return r;
                r = dropin_dirs_for_name(dd, dir, template);
                if (r < 0)
                        return r;
                r = unit_name_instance(name, &instance);
                if (r < 0)
                        return r;
        }

        r = unit_name_prefix(name, &prefix);
        if (r < 0)
                return r;
        for (;;) {
                char *dash = strrchr(prefix, '-');
                size_t n;

                if (!dash || dash == prefix)
                        return 0;
                n = dash - prefix;
                if (prefix[n + 1] != 0 || chopped) {
                        prefix[n + 1] = 0;
                        break;
                }
                prefix[n] = 0;          /* a trailing dash: drop it, once */
                chopped = true;
        }

        if (unit_name_from_parts(prefix, instance, "service", &next) < 0)
                return 0;
        return dropin_dirs_for_name(dd, dir, next);
}

typedef struct Dropin {
        char *name;
        char *path;
} Dropin;

static int dropin_compare(const void *a, const void *b) {
        return strcmp(((const Dropin *) a)->name, ((const Dropin *) b)->name);
}

/* ---- reading files ---- */

static int read_fd(int fd, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, allocated = 0;

        for (;;) {
                ssize_t k;

                if (!GREEDY_REALLOC(buf, allocated, n + 65536))
                        return -ENOMEM;
                k = read(fd, buf + n, allocated - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                n += k;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

static void warn_permissions(const char *path, const struct stat *st, Diag *d) {
        if (st->st_mode & 0111)
                diag_log(d, DIAG_WARNING, NULL, 0,
                         "Configuration file %s is marked executable. Please remove executable permission bits. Proceeding anyway.", path);
        if (st->st_mode & 0002)
                diag_log(d, DIAG_WARNING, NULL, 0,
                         "Configuration file %s is marked world-writable. Please remove world writability permission bits. Proceeding anyway.", path);
}

/* Stat path and, if it is a regular file, open it; *ret_fd is -1 for anything else, which is never
 * opened (a FIFO would block, a device would be read from). The file is opened with O_NONBLOCK
 * and checked again, in case it was replaced in between. */
static int open_config(const char *path, struct stat *st, int *ret_fd) {
        int fd;

        *ret_fd = -1;
        if (stat(path, st) < 0)
                return negative_errno();
        if (!S_ISREG(st->st_mode))
                return 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, st) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        if (S_ISREG(st->st_mode))
                *ret_fd = fd;
        else
                close(fd);
        return 0;
}

static int apply_dropin(UnitFile *u, const char *path, Diag *d) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -1;
        SourceLoc loc = { path, 0 };
        struct stat st;
        size_t size;
        int r;

        r = open_config(path, &st, &fd);
        if (r < 0) {
                diag_log(d, DIAG_WARNING, &loc, r, "Failed to open drop-in file, ignoring: %m");
                return r == -ENOMEM ? r : 0;
        }
        if (S_ISCHR(st.st_mode))
                return 0;               /* a mask (/dev/null): hides lower drop-ins of that name, adds nothing */
        if (!S_ISREG(st.st_mode)) {
                diag_log(d, DIAG_WARNING, &loc, 0, "Drop-in file is not a regular file, ignoring.");
                return 0;
        }
        warn_permissions(path, &st, d);

        r = read_fd(fd, &text, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                diag_log(d, DIAG_WARNING, &loc, r, "Failed to read drop-in file, ignoring: %m");
                return 0;
        }

        r = strv_extend(&u->dropins, path);
        if (r < 0)
                return r;
        r = unit_file_parse_text(u, path, text, size, d);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                /* systemd keeps what came before the fault and still loads the unit. */
                diag_log(d, DIAG_NOTICE, &loc, 0, "Ignoring the rest of the drop-in file.");
        return 0;
}

static int load_dropins(UnitFile *u, char * const *search, char * const *names, Diag *d) {
        _cleanup_(dropin_dirs_done) DropinDirs dd = { .d = d };
        _cleanup_free_ Dropin *files = NULL;
        size_t n = 0, allocated = 0;
        int r = 0;

        STRV_FOREACH(name, (char **) names)
                STRV_FOREACH(dir, (char **) search) {
                        r = dropin_dirs_for_name(&dd, *dir, *name);
                        if (r < 0)
                                return r;
                }
        STRV_FOREACH(dir, (char **) search) {
                r = dropin_dir_add(&dd, *dir, "service");
                if (r < 0)
                        return r;
        }

        STRV_FOREACH(dir, dd.dirs) {
                _cleanup_(closedirp) DIR *dh = opendir(*dir);
                struct dirent *de;

                if (!dh) {
                        dropin_dir_warn(&dd, *dir, errno);
                        continue;
                }
                while ((de = readdir(dh))) {
                        const char *dot = strrchr(de->d_name, '.');
                        bool seen = false;

                        if (de->d_name[0] == '.' || !dot || !streq(dot, ".conf"))
                                continue;
                        for (size_t i = 0; i < n && !seen; i++)
                                seen = streq(files[i].name, de->d_name);
                        if (seen)
                                continue;       /* hidden by the same name in a more important directory */

                        if (!GREEDY_REALLOC(files, allocated, n + 1))
                                r = -ENOMEM;
                        else {
                                files[n].name = strdup(de->d_name);
                                if (asprintf(&files[n].path, "%s/%s", *dir, de->d_name) < 0)
                                        files[n].path = NULL;
                                n++;
                                if (!files[n - 1].name || !files[n - 1].path)
                                        r = -ENOMEM;
                        }
                        if (r < 0)
                                break;
                }
                if (r < 0)
                        break;
        }

        if (r >= 0 && n > 0) {
                qsort(files, n, sizeof(Dropin), dropin_compare);
                for (size_t i = 0; i < n && r >= 0; i++)
                        r = apply_dropin(u, files[i].path, d);
        }

        for (size_t i = 0; i < n; i++) {
                free(files[i].name);
                free(files[i].path);
        }
        return r;
}

/* ---- loading ---- */

static int load_by_name(const char *name, char **search, UnitLoadFlags flags, Diag *d, UnitFile **ret) {
        _cleanup_(name_map_done) NameMap m = {};
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_strv_free_ char **names = NULL, **all = NULL;
        _cleanup_free_ char *instance = NULL, *id = NULL, *text = NULL;
        _cleanup_close_ int fd = -1;
        UnitNameKind kind = unit_name_kind(name);
        const char *fragment, *fragment_name;
        struct stat st;
        SourceLoc loc;
        size_t size;
        int r;

        r = name_map_build(&m, search, name, d);
        if (r < 0)
                return r;

        r = name_map_find_fragment(&m, name, &fragment);
        if (r == -ENOENT || r == -ENXIO)
                return diag_log(d, DIAG_ERROR, NULL, ENOENT, "Unit %s not found.", name);
        if (r < 0)
                return diag_log(d, DIAG_ERROR, NULL, r, "Failed to resolve unit %s: %m", name);
        fragment_name = strrchr(fragment, '/') + 1;

        r = unit_name_instance(name, &instance);
        if (r < 0)
                return r;
        if (kind == UNIT_NAME_INSTANCE && unit_name_kind(fragment_name) == UNIT_NAME_TEMPLATE)
                r = unit_name_replace_instance(fragment_name, instance, &id);
        else {
                id = strdup(fragment_name);
                r = id ? 0 : -ENOMEM;
        }
        if (r < 0)
                return diag_log(d, DIAG_ERROR, NULL, r, "Failed to build the name of unit %s: %m", name);

        loc = (SourceLoc) { fragment, 0 };
        r = open_config(fragment, &st, &fd);
        if (r < 0)
                return diag_log(d, DIAG_ERROR, &loc, r, "Failed to open unit file: %m");
        if (stat_is_mask(&st))
                return diag_log(d, DIAG_ERROR, NULL, ERFKILL, "Unit %s is masked.", id);
        if (S_ISDIR(st.st_mode))
                return diag_log(d, DIAG_ERROR, &loc, EISDIR, "Unit file is a directory, refusing.");
        if (!S_ISREG(st.st_mode))
                return diag_log(d, DIAG_ERROR, &loc, EINVAL, "Unit file is not a regular file, refusing.");

        /* All names of the unit, for the drop-ins; the instance is filled into template names. */
        r = name_map_resolve_all(&m);
        if (r >= 0)
                r = add_names(&m, name, kind, instance, NULL, &names);
        if (r >= 0 && !streq(fragment_name, name))
                r = add_names(&m, fragment_name, kind, instance, fragment_name, &names);
        if (r < 0)
                return r;

        r = strv_extend(&all, id);
        if (r < 0)
                return r;
        strv_sort(names);
        STRV_FOREACH(n, names) {
                _cleanup_free_ char *inst = NULL;
                const char *full = *n;

                if (instance && *instance && unit_name_kind(*n) == UNIT_NAME_TEMPLATE) {
                        if (unit_name_replace_instance(*n, instance, &inst) < 0)
                                continue;
                        full = inst;
                }
                r = strv_extend_unique(&all, full);
                if (r < 0)
                        return r;
        }

        u = calloc(1, sizeof *u);
        if (!u)
                return -ENOMEM;
        u->flags = flags;
        u->name = TAKE_PTR(id);
        u->path = strdup(fragment);
        if (!u->path)
                return -ENOMEM;

        warn_permissions(fragment, &st, d);
        r = read_fd(fd, &text, &size);
        if (r < 0)
                return diag_log(d, DIAG_ERROR, &loc, r, "Failed to read unit file: %m");
        r = unit_file_parse_text(u, fragment, text, size, d);
        if (r < 0)
                return r;

        r = load_dropins(u, search, all, d);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(u);
        return 0;
}

int unit_file_load(const char *name_or_path, UnitLoadFlags flags, Diag *d, UnitFile **ret) {
        _cleanup_strv_free_ char **search = NULL;
        _cleanup_free_ char *name = NULL;
        int r;

        if (!name_or_path)
                return -EINVAL;
        if (!strchr(name_or_path, '/')) {
                r = unit_name_to_service(name_or_path, &name);
                if (r < 0)
                        return diag_log(d, DIAG_ERROR, NULL, r, "Invalid service unit name: %s", name_or_path);
                search = unit_search_path(flags);
                if (!search)
                        return -ENOMEM;
                return load_by_name(name, search, flags, d, ret);
        }

        /* A path: like systemd-analyze verify, look the file's name up with its directory put in front
         * of the search path, so that its drop-ins beside it and in the usual places apply. */
        _cleanup_strv_free_ char **defaults = NULL;
        _cleanup_free_ char *abs = NULL, *dir = NULL;
        SourceLoc loc;
        struct stat st;
        const char *base;

        if (name_or_path[0] == '/')
                abs = strdup(name_or_path);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return diag_log(d, DIAG_ERROR, NULL, errno, "Failed to get the working directory: %m");
                if (asprintf(&abs, "%s/%s", cwd, name_or_path) < 0)
                        abs = NULL;
        }
        if (!abs)
                return -ENOMEM;
        path_simplify(abs);
        loc = (SourceLoc) { abs, 0 };

        /* An instance given by path whose file does not exist is its template's, as when given
         * by name: the lookup below falls back to "foo@.service" beside it. */
        if (stat(abs, &st) < 0) {
                _cleanup_free_ char *template = NULL, *template_path = NULL;
                const char *b = strrchr(abs, '/') + 1;
                int saved = errno;

                if (saved != ENOENT || unit_name_kind(b) != UNIT_NAME_INSTANCE)
                        return diag_log(d, DIAG_ERROR, &loc, saved, "Failed to open unit file: %m");
                r = unit_name_template(b, &template);
                if (r < 0)
                        return r == -ENOMEM ? r : diag_log(d, DIAG_ERROR, &loc, saved, "Failed to open unit file: %m");
                if (asprintf(&template_path, "%.*s%s", (int) (b - abs), abs, template) < 0)
                        return -ENOMEM;
                if (stat(template_path, &st) < 0)
                        return diag_log(d, DIAG_ERROR, &loc, saved, "Failed to open unit file (nor its template %s): %m",
                                        template);
        }
        if (S_ISDIR(st.st_mode))
                return diag_log(d, DIAG_ERROR, &loc, EISDIR, "Unit file is a directory, refusing.");
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
                return diag_log(d, DIAG_ERROR, &loc, EINVAL, "Unit file is not a regular file, refusing.");

        base = strrchr(abs, '/') + 1;
        r = unit_name_to_service(base, &name);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !streq(name, base))
                return diag_log(d, DIAG_ERROR, &loc, EINVAL, "Invalid service unit name: %s", base);
        if (stat_is_mask(&st))
                return diag_log(d, DIAG_ERROR, NULL, ERFKILL, "Unit %s is masked.", name);

        dir = base - abs > 1 ? strndup(abs, base - abs - 1) : strdup("/");
        if (!dir)
                return -ENOMEM;
        r = strv_extend(&search, dir);
        if (r < 0)
                return r;
        defaults = unit_search_path(flags);
        if (!defaults)
                return -ENOMEM;
        STRV_FOREACH(p, defaults) {
                r = strv_extend_unique(&search, *p);
                if (r < 0)
                        return r;
        }
        return load_by_name(name, search, flags, d, ret);
}
