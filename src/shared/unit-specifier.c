/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Unit specifiers (man 5 systemd.unit, "SPECIFIERS"), resolved as systemd 252's service manager
 * resolves them: the manager is root with a clean environment for system units, the calling user
 * for UNIT_LOAD_USER units. */

#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "unit-name.h"
#include "unit-specifier.h"

static bool is_user(const UnitFile *u) {
        return u->flags & UNIT_LOAD_USER;
}

static int dup_to(const char *s, char **ret) {
        char *c = strdup(s);

        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

static int printf_to(char **ret, const char *format, ...) _printf_(2, 3);
static int printf_to(char **ret, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(ret, format, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : 0;
}

static bool is_ascii_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ---- the unit's name ---- */

static int specifier_last_component(const UnitFile *u, char **ret) {
        _cleanup_free_ char *prefix = NULL;
        const char *dash;
        int r;

        r = unit_name_prefix(u->name, &prefix);
        if (r < 0)
                return r;
        dash = strrchr(prefix, '-');
        if (!dash) {
                *ret = TAKE_PTR(prefix);
                return 0;
        }
        return dup_to(dash + 1, ret);
}

/* "foo_0123456789abcdef.service": systemd's replacement for a name too long to be a unit name. */
static bool unit_name_is_hashed(const char *name) {
        const char *dot = strrchr(name, '.');

        if (unit_name_kind(name) != UNIT_NAME_PLAIN || dot - name < 17 || dot[-17] != '_')
                return false;
        for (const char *c = dot - 16; c < dot; c++)
                if (!strchr("0123456789abcdef", *c))
                        return false;
        return true;
}

static int specifier_filename(const UnitFile *u, char **ret) {
        _cleanup_free_ char *instance = NULL, *prefix = NULL;
        int r;

        r = unit_name_instance(u->name, &instance);
        if (r < 0)
                return r;
        if (!isempty(instance))
                return unit_name_path_unescape(instance, ret);

        if (unit_name_is_hashed(u->name))
                return -ENAMETOOLONG;
        r = unit_name_prefix(u->name, &prefix);
        if (r < 0)
                return r;
        return unit_name_path_unescape(prefix, ret);
}

static int specifier_fragment(const UnitFile *u, bool directory, char **ret) {
        char *real, *slash;

        if (!u->path)
                return -ENOENT;
        real = realpath(u->path, NULL);
        if (!real)
                return negative_errno();
        if (directory) {
                slash = strrchr(real, '/');
                if (slash == real)
                        slash[1] = 0;
                else
                        *slash = 0;
        }
        *ret = real;
        return 0;
}

/* ---- the manager's user and directories ---- */

static int home_of_caller(char **ret) {
        const char *e = getenv("HOME");
        struct passwd *pw;

        if (e && e[0] == '/')
                return dup_to(e, ret);
        if (getuid() == 0)
                return dup_to("/root", ret);
        errno = 0;
        pw = getpwuid(getuid());
        if (!pw)
                return errno > 0 ? -errno : -ESRCH;
        if (!pw->pw_dir || pw->pw_dir[0] != '/')
                return -EINVAL;
        return dup_to(pw->pw_dir, ret);
}

static const char *root_shell(void) {
        return access("/bin/bash", F_OK) >= 0 ? "/bin/bash" : "/bin/sh";
}

static int specifier_shell(const UnitFile *u, char **ret) {
        const char *e = getenv("SHELL");
        struct passwd *pw;

        if (!is_user(u))
                return dup_to(root_shell(), ret);
        if (e && e[0] == '/')
                return dup_to(e, ret);
        if (getuid() == 0)
                return dup_to(root_shell(), ret);
        errno = 0;
        pw = getpwuid(getuid());
        if (!pw)
                return errno > 0 ? -errno : -ESRCH;
        if (!pw->pw_shell || pw->pw_shell[0] != '/')
                return -EINVAL;
        return dup_to(pw->pw_shell, ret);
}

/* $var, or ~/fallback, for the user manager's directories. */
static int xdg_dir(const char *var, const char *fallback, const char *suffix, char **ret) {
        _cleanup_free_ char *home = NULL;
        const char *e = getenv(var);
        int r;

        if (e && e[0] == '/')
                return printf_to(ret, "%s%s", e, suffix);
        r = home_of_caller(&home);
        if (r < 0)
                return r;
        return printf_to(ret, "%s/%s%s", home, fallback, suffix);
}

static int runtime_dir(const UnitFile *u, char **ret) {
        const char *e;

        if (!is_user(u))
                return dup_to("/run", ret);
        e = getenv("XDG_RUNTIME_DIR");
        if (!e || e[0] != '/')
                return -ENXIO;
        return dup_to(e, ret);
}

static int specifier_directory(const UnitFile *u, char c, char **ret) {
        _cleanup_free_ char *runtime = NULL;
        int r;

        if (!is_user(u))
                switch (c) {
                case 'C': return dup_to("/var/cache", ret);
                case 'E': return dup_to("/etc", ret);
                case 'L': return dup_to("/var/log", ret);
                case 'S': return dup_to("/var/lib", ret);
                }

        switch (c) {
        case 'C':
                return xdg_dir("XDG_CACHE_HOME", ".cache", "", ret);
        case 'E':
        case 'S':
                return xdg_dir("XDG_CONFIG_HOME", ".config", "", ret);
        case 'L':
                return xdg_dir("XDG_CONFIG_HOME", ".config", "/log", ret);
        case 't':
                return runtime_dir(u, ret);
        case 'd':
                r = runtime_dir(u, &runtime);
                if (r < 0)
                        return r;
                return printf_to(ret, "%s/credentials/%s", runtime, u->name);
        }
        return -EBADSLT;
}

/* $TMPDIR, $TEMP or $TMP if one is an absolute directory, else the default (the system manager's
 * environment has none of them). */
static int temporary_dir(const UnitFile *u, const char *fallback, char **ret) {
        static const char * const vars[] = { "TMPDIR", "TEMP", "TMP" };

        if (is_user(u))
                for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                        const char *e = getenv(vars[i]);
                        struct stat st;

                        if (e && e[0] == '/' && !strstr(e, "/../") && stat(e, &st) >= 0 && S_ISDIR(st.st_mode))
                                return dup_to(e, ret);
                }
        return dup_to(fallback, ret);
}

static int specifier_credential(const UnitFile *u, char c, char **ret) {
        bool user = is_user(u);
        uid_t uid = user ? getuid() : 0;
        gid_t gid = user ? getgid() : 0;

        switch (c) {
        case 'U':
                return printf_to(ret, "%u", (unsigned) uid);
        case 'G':
                return printf_to(ret, "%u", (unsigned) gid);
        case 'u': {
                struct passwd *pw = uid == 0 ? NULL : getpwuid(uid);

                if (uid == 0)
                        return dup_to("root", ret);
                return pw ? dup_to(pw->pw_name, ret) : printf_to(ret, "%u", (unsigned) uid);
        }
        case 'g': {
                struct group *gr = gid == 0 ? NULL : getgrgid(gid);

                if (gid == 0)
                        return dup_to("root", ret);
                return gr ? dup_to(gr->gr_name, ret) : printf_to(ret, "%u", (unsigned) gid);
        }
        }
        return -EBADSLT;
}

/* ---- the host ---- */

static int read_small_file(const char *path, char *buf, size_t size) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        size_t n;

        if (!f)
                return negative_errno();
        n = fread(buf, 1, size - 1, f);
        if (ferror(f))
                return -EIO;
        buf[n] = 0;
        return 0;
}

/* A 128-bit id file (/etc/machine-id, or the kernel's boot id with dashes) as 32 hex digits. */
static int specifier_id128(const char *path, char **ret) {
        char buf[64], out[33];
        size_t n = 0;
        int r;

        r = read_small_file(path, buf, sizeof buf);
        if (r < 0)
                return r;
        for (const char *c = buf; *c && *c != '\n'; c++) {
                if (*c == '-')
                        continue;
                if (!isxdigit((unsigned char) *c) || n >= 32)
                        return -EINVAL;
                out[n++] = tolower((unsigned char) *c);
        }
        if (n == 0)
                return -ENOMEDIUM;
        if (n != 32)
                return -EINVAL;
        out[32] = 0;
        return dup_to(out, ret);
}

static int hostname(bool shorten, char **ret) {
        struct utsname uts;
        const char *s;

        if (uname(&uts) < 0)
                return negative_errno();
        s = uts.nodename;
        if (isempty(s) || streq(s, "(none)") || (shorten && s[0] == '.'))
                s = "localhost";
        if (shorten) {
                char *c = strndup(s, strcspn(s, "."));
                if (!c)
                        return -ENOMEM;
                *ret = c;
                return 0;
        }
        return dup_to(s, ret);
}

/* The value of key in an os-release style file: KEY=VALUE lines, values maybe quoted. NULL (and 0)
 * if the key is not there. */
static int env_file_get(const char *path, const char *key, char **ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t n = 0;
        int r = 0;

        if (!f)
                return negative_errno();

        *ret = NULL;
        while (getline(&line, &n, f) >= 0) {
                const char *v = line + strspn(line, " \t");
                _cleanup_free_ char *value = NULL;
                size_t k = 0;
                char quote = 0;

                v = startswith(v, key);
                if (!v || *v != '=')
                        continue;
                v++;

                value = malloc(strlen(v) + 1);
                if (!value) {
                        r = -ENOMEM;
                        break;
                }
                for (; *v && *v != '\n'; v++) {
                        if (quote == '\'') {
                                if (*v == '\'')
                                        quote = 0;
                                else
                                        value[k++] = *v;
                        } else if (*v == '\\' && v[1] && v[1] != '\n' && (quote == 0 || strchr("\"\\`$", v[1])))
                                value[k++] = *++v;
                        else if (quote == '"' && *v == '"')
                                quote = 0;
                        else if (!quote && (*v == '"' || *v == '\''))
                                quote = *v;
                        else if (!quote && (*v == ' ' || *v == '\t'))
                                break;
                        else
                                value[k++] = *v;
                }
                value[k] = 0;
                free(*ret);
                *ret = TAKE_PTR(value);         /* the last assignment wins */
        }
        free(line);
        if (r < 0) {
                free(*ret);
                *ret = NULL;
        }
        return r;
}

static int os_release_field(const char *key, char **ret) {
        int r = env_file_get("/etc/os-release", key, ret);

        if (r == -ENOENT)
                r = env_file_get("/usr/lib/os-release", key, ret);
        return r == -ENOENT ? -EUNATCH : r;
}

static const char *architecture(const char *machine) {
        static const struct { const char *uname, *name; } table[] = {
                { "x86_64", "x86-64" }, { "i686", "x86" }, { "i586", "x86" }, { "i486", "x86" }, { "i386", "x86" },
                { "aarch64", "arm64" }, { "aarch64_be", "arm64-be" }, { "ppc64le", "ppc64-le" },
                { "ppc64", "ppc64" }, { "ppcle", "ppc-le" }, { "ppc", "ppc" }, { "s390x", "s390x" },
                { "s390", "s390" }, { "riscv64", "riscv64" }, { "riscv32", "riscv32" },
                { "loongarch64", "loongarch64" }, { "mips64", "mips64" }, { "mips", "mips" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(machine, table[i].uname))
                        return table[i].name;
        if (startswith(machine, "arm"))
                return machine[strlen(machine) - 1] == 'b' ? "arm-be" : "arm";
        return machine;
}

static int specifier_host(char c, char **ret) {
        struct utsname uts;
        int r;

        switch (c) {
        case 'a':
        case 'v':
                if (uname(&uts) < 0)
                        return negative_errno();
                return dup_to(c == 'a' ? architecture(uts.machine) : uts.release, ret);
        case 'b':
                return specifier_id128("/proc/sys/kernel/random/boot_id", ret);
        case 'm':
                return specifier_id128("/etc/machine-id", ret);
        case 'H':
                return hostname(false, ret);
        case 'l':
                return hostname(true, ret);
        case 'q':
                r = env_file_get("/etc/machine-info", "PRETTY_HOSTNAME", ret);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (r >= 0 && !isempty(*ret))
                        return 0;
                if (r >= 0)
                        free(*ret);
                return hostname(true, ret);
        case 'A': return os_release_field("IMAGE_VERSION", ret);
        case 'B': return os_release_field("BUILD_ID", ret);
        case 'M': return os_release_field("IMAGE_ID", ret);
        case 'o': return os_release_field("ID", ret);
        case 'w': return os_release_field("VERSION_ID", ret);
        case 'W': return os_release_field("VARIANT_ID", ret);
        }
        return -EBADSLT;
}

/* ---- the table ---- */

/* The value of specifier c for u: 0 and *ret (NULL or "" mean nothing), or a negative errno. */
static int specifier_lookup(const UnitFile *u, char c, char **ret) {
        _cleanup_free_ char *tmp = NULL;
        int r;

        *ret = NULL;
        switch (c) {
        case 'n':
                return dup_to(u->name, ret);
        case 'N':
                return unit_name_without_suffix(u->name, ret);
        case 'p':
                return unit_name_prefix(u->name, ret);
        case 'P':
                r = unit_name_prefix(u->name, &tmp);
                return r < 0 ? r : unit_name_unescape(tmp, ret);
        case 'i':
                return unit_name_instance(u->name, ret);
        case 'I':
                r = unit_name_instance(u->name, &tmp);
                return r < 0 ? r : unit_name_unescape(strempty(tmp), ret);
        case 'j':
                return specifier_last_component(u, ret);
        case 'J':
                r = specifier_last_component(u, &tmp);
                return r < 0 ? r : unit_name_unescape(tmp, ret);
        case 'f':
                return specifier_filename(u, ret);
        case 'y':
        case 'Y':
                return specifier_fragment(u, c == 'Y', ret);
        case 'c':
        case 'r':
        case 'R':
                return -EOPNOTSUPP;     /* cgroup paths: deprecated, and not known before the unit runs */
        case 'C':
        case 'd':
        case 'E':
        case 'L':
        case 'S':
        case 't':
                return specifier_directory(u, c, ret);
        case 'h':
                return is_user(u) ? home_of_caller(ret) : dup_to("/root", ret);
        case 's':
                return specifier_shell(u, ret);
        case 'g':
        case 'G':
        case 'u':
        case 'U':
                return specifier_credential(u, c, ret);
        case 'T':
                return temporary_dir(u, "/tmp", ret);
        case 'V':
                return temporary_dir(u, "/var/tmp", ret);
        }
        return specifier_host(c, ret);
}

int unit_specifier_expand_full(const UnitFile *u, const char *s, size_t max_length, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t n = 0, allocated = 0;

        if (!u || !u->name)
                return -EINVAL;
        if (!GREEDY_REALLOC(out, allocated, strlen(s) + 1))
                return -ENOMEM;

        for (const char *c = s; *c; c++) {
                _cleanup_free_ char *value = NULL;
                const char *add;
                size_t k;

                if (*c != '%')
                        add = c, k = 1;
                else if (c[1] == 0)             /* a stray '%' at the end stays */
                        add = c, k = 1;
                else if (c[1] == '%')
                        add = c++, k = 1;
                else if (!is_ascii_alnum(c[1]))
                        add = c++, k = 2;       /* not a specifier: "%" and the character stay */
                else {
                        int r = specifier_lookup(u, *++c, &value);
                        if (r < 0)
                                return r;
                        add = strempty(value);
                        k = strlen(add);
                }

                if (n + k > max_length)
                        return -ENAMETOOLONG;
                if (!GREEDY_REALLOC(out, allocated, n + k + 1))
                        return -ENOMEM;
                memcpy(out + n, add, k);
                n += k;
        }

        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

int unit_specifier_expand(const UnitFile *u, const char *s, char **ret) {
        return unit_specifier_expand_full(u, s, UNIT_SPECIFIER_MAX_VALUE, ret);
}
