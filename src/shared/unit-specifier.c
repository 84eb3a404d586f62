/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Unit specifiers (%n, %i, %H, …) as systemd.unit(5) documents them. */

#include <ctype.h>
#include <pwd.h>
#include <sys/utsname.h>

#include "abi.h"
#include "unit-file.h"

/* systemd's unit name unescaping: "-" is "/", "\xNN" a byte. */
static char *unescape(const char *s, size_t n) {
        char *r = malloc(n + 1), *o = r;

        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                unsigned v;

                if (s[i] == '-')
                        *o++ = '/';
                else if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && isxdigit((unsigned char) s[i + 2]) &&
                         isxdigit((unsigned char) s[i + 3]) && sscanf(s + i + 2, "%2x", &v) == 1) {
                        *o++ = (char) v;
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = 0;
        return r;
}

typedef struct NameParts {
        const char *name;               /* "foo-bar@baz.service" */
        size_t prefix_len;              /* "foo-bar" */
        const char *instance;           /* "baz", or NULL */
        size_t instance_len;
        size_t stem_len;                /* without the suffix: "foo-bar@baz" */
} NameParts;

static NameParts name_parts(const char *name) {
        const char *dot = strrchr(name, '.'), *at = strchr(name, '@');
        NameParts p = { .name = name };

        p.stem_len = dot ? (size_t) (dot - name) : strlen(name);
        p.prefix_len = at && (!dot || at < dot) ? (size_t) (at - name) : p.stem_len;
        if (at && (!dot || at < dot)) {
                p.instance = at + 1;
                p.instance_len = p.stem_len - p.prefix_len - 1;
        }
        return p;
}

static char *read_first_line(const char *path) {
        char buf[256];
        FILE *f = fopen(path, "re");
        char *r = NULL;

        if (!f)
                return NULL;
        if (fgets(buf, sizeof buf, f)) {
                buf[strcspn(buf, "\n")] = 0;
                r = strdup(buf);
        }
        fclose(f);
        return r;
}

/* The value of one specifier, or -EBADSLT if there is none. */
static int specifier(const UnitFile *u, char c, char **ret) {
        NameParts n = name_parts(u->name);
        struct passwd *pw;
        struct utsname un;
        char *r = NULL;

        switch (c) {
        case 'n':
                r = strdup(u->name);
                break;
        case 'N':
                r = strndup(u->name, n.stem_len);
                break;
        case 'p':
                r = strndup(u->name, n.prefix_len);
                break;
        case 'P':
                r = unescape(u->name, n.prefix_len);
                break;
        case 'i':
                r = strndup(n.instance ?: "", n.instance_len);
                break;
        case 'I':
                r = unescape(n.instance ?: "", n.instance_len);
                break;
        case 'j':
        case 'J': {
                const char *dash = memrchr(u->name, '-', n.prefix_len);
                const char *s = dash ? dash + 1 : u->name;
                size_t len = n.prefix_len - (s - u->name);

                r = c == 'j' ? strndup(s, len) : unescape(s, len);
                break;
        }
        case 'f': {
                _cleanup_free_ char *path = n.instance ? unescape(n.instance, n.instance_len) : unescape(u->name, n.prefix_len);

                if (path && asprintf(&r, "%s%s", path[0] == '/' ? "" : "/", path) < 0)
                        r = NULL;
                break;
        }
        case 'y':
                if (!u->path)
                        return -EBADSLT;
                r = strdup(u->path);
                break;
        case 'Y':
                if (!u->path)
                        return -EBADSLT;
                r = strndup(u->path, MAX(basename_of(u->path) - u->path - 1, (ptrdiff_t) 1));
                break;
        case 'H':
        case 'l':
                if (uname(&un) < 0)
                        return -errno;
                r = c == 'H' ? strdup(un.nodename) : strndup(un.nodename, strcspn(un.nodename, "."));
                break;
        case 'v':
        case 'a':
                if (uname(&un) < 0)
                        return -errno;
                r = strdup(c == 'v' ? un.release : abi_to_name(abi_native()));
                break;
        case 'm':
                r = read_first_line("/etc/machine-id");
                if (!r)
                        return -EBADSLT;
                break;
        case 'b': {
                _cleanup_free_ char *id = read_first_line("/proc/sys/kernel/random/boot_id");
                char *o;

                if (!id)
                        return -EBADSLT;
                r = o = malloc(strlen(id) + 1);
                for (const char *p = id; r && *p; p++)
                        if (*p != '-')
                                *o++ = *p;
                if (r)
                        *o = 0;
                break;
        }
        case 'u':
        case 'U':
        case 'h':
        case 's':
        case 'g':
        case 'G':
                /* The manager's own user: megafilter runs the unit as the service manager would. */
                pw = getpwuid(c == 'g' || c == 'G' ? getgid() : getuid());
                if (c == 'U')
                        return asprintf(ret, "%u", (unsigned) getuid()) < 0 ? -ENOMEM : 0;
                if (c == 'G')
                        return asprintf(ret, "%u", (unsigned) getgid()) < 0 ? -ENOMEM : 0;
                if (c == 'g') {
                        r = strdup(getgid() == 0 ? "root" : pw ? pw->pw_name : "");
                        break;
                }
                if (!pw)
                        return -EBADSLT;
                r = strdup(c == 'u' ? pw->pw_name : c == 'h' ? pw->pw_dir : pw->pw_shell);
                break;
        case 't':
                r = strdup(getuid() == 0 ? "/run" : strempty(getenv("XDG_RUNTIME_DIR")));
                break;
        case 'T':
                r = strdup(getenv("TMPDIR") ?: "/tmp");
                break;
        case 'V':
                r = strdup(getenv("TMPDIR") ?: "/var/tmp");
                break;
        case 'S':
                r = strdup("/var/lib");
                break;
        case 'C':
                r = strdup("/var/cache");
                break;
        case 'L':
                r = strdup("/var/log");
                break;
        case 'E':
                r = strdup("/etc");
                break;
        case '%':
                r = strdup("%");
                break;
        default:
                return -EBADSLT;
        }
        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}

int unit_specifier_expand(const UnitFile *u, const char *s, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t n = 0, allocated = 0;

        for (const char *p = s; *p; p++) {
                _cleanup_free_ char *v = NULL;
                const char *add = p;
                size_t len = 1;

                if (*p == '%') {
                        int r;

                        if (!p[1])
                                return -EBADSLT;
                        r = specifier(u, *++p, &v);
                        if (r < 0)
                                return r;
                        add = v;
                        len = strlen(v);
                }
                if (!GREEDY_REALLOC(out, allocated, n + len + 1))
                        return -ENOMEM;
                memcpy(out + n, add, len);
                n += len;
        }
        if (!GREEDY_REALLOC(out, allocated, n + 1))
                return -ENOMEM;
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}
