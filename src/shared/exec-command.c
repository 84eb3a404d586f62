/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Command lines as systemd 252 reads them (config_parse_exec) and expands them at run time
 * (replace_env_argv). */

#include <ctype.h>
#include <limits.h>

#include "exec-command.h"
#include "unit-file.h"

#define WHITESPACE " \t\n\r"
#define QUOTES "\"'"

typedef enum ExtractFlags {
        EXTRACT_UNQUOTE = 1 << 0,       /* "…" and '…' group words and are removed */
        EXTRACT_CUNESCAPE = 1 << 1,     /* C escapes; without it a backslash takes the next character */
        EXTRACT_RELAX = 1 << 2,         /* unbalanced quotes and a trailing backslash are accepted */
} ExtractFlags;

static int hex(char c) {
        return isdigit((unsigned char) c) ? c - '0' : isxdigit((unsigned char) c) ? tolower((unsigned char) c) - 'a' + 10 : -1;
}

/* Append the UTF-8 encoding of c. */
static size_t put_utf8(char *o, uint32_t c) {
        if (c < 0x80) {
                o[0] = (char) c;
                return 1;
        }
        if (c < 0x800) {
                o[0] = (char) (0xc0 | (c >> 6));
                o[1] = (char) (0x80 | (c & 0x3f));
                return 2;
        }
        if (c < 0x10000) {
                o[0] = (char) (0xe0 | (c >> 12));
                o[1] = (char) (0x80 | ((c >> 6) & 0x3f));
                o[2] = (char) (0x80 | (c & 0x3f));
                return 3;
        }
        o[0] = (char) (0xf0 | (c >> 18));
        o[1] = (char) (0x80 | ((c >> 12) & 0x3f));
        o[2] = (char) (0x80 | ((c >> 6) & 0x3f));
        o[3] = (char) (0x80 | (c & 0x3f));
        return 4;
}

/* One C escape after the backslash at *p: written to o, *p advanced past it. Returns the bytes
 * written or -EINVAL. NUL is refused, as systemd refuses it in command lines. */
static int cunescape_one(const char **p, char *o) {
        static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''s ";
        const char *s = *p;
        uint32_t v = 0;
        int n;

        for (const char *q = simple; *q; q += 2)
                if (*s == q[0]) {
                        *o = q[1];
                        *p = s + 1;
                        return 1;
                }

        switch (*s) {
        case 'x':
                if (hex(s[1]) < 0 || hex(s[2]) < 0)
                        return -EINVAL;
                v = hex(s[1]) * 16 + hex(s[2]);
                if (v == 0)
                        return -EINVAL;
                *o = (char) v;          /* a byte, not a code point */
                *p = s + 3;
                return 1;
        case 'u':
        case 'U':
                n = *s == 'u' ? 4 : 8;
                for (int i = 1; i <= n; i++) {
                        if (hex(s[i]) < 0)
                                return -EINVAL;
                        v = v * 16 + hex(s[i]);
                }
                if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
                        return -EINVAL;
                *p = s + 1 + n;
                return (int) put_utf8(o, v);
        case '0' ... '7':
                for (int i = 0; i < 3; i++) {
                        if (s[i] < '0' || s[i] > '7')
                                return -EINVAL;
                        v = v * 8 + (s[i] - '0');
                }
                if (v == 0 || v > 255)
                        return -EINVAL;
                *o = (char) v;
                *p = s + 3;
                return 1;
        default:
                return -EINVAL;
        }
}

/* systemd's extract_first_word() for the flags megafilter needs: the next word of *p, or 0 at
 * the end; -EINVAL on bad quoting or escapes. */
static int extract_word(const char **p, char **ret, ExtractFlags flags) {
        const char *s = *p + strspn(*p, WHITESPACE);
        _cleanup_free_ char *w = NULL;
        char quote = 0;
        size_t n = 0;

        *ret = NULL;
        if (!*s) {
                *p = s;
                return 0;
        }

        w = malloc(strlen(s) * 4 + 1);
        if (!w)
                return -ENOMEM;

        for (; *s; s++) {
                if (*s == '\\') {
                        s++;
                        if (!*s) {
                                if (!(flags & EXTRACT_RELAX))
                                        return -EINVAL;
                                w[n++] = '\\';
                                break;
                        }
                        if (flags & EXTRACT_CUNESCAPE) {
                                int k = cunescape_one(&s, w + n);
                                if (k < 0)
                                        return k;
                                n += k;
                                s--;
                        } else
                                w[n++] = *s;
                        continue;
                }
                if (quote) {
                        if (*s == quote)
                                quote = 0;
                        else
                                w[n++] = *s;
                        continue;
                }
                if ((flags & EXTRACT_UNQUOTE) && strchr(QUOTES, *s)) {
                        quote = *s;
                        continue;
                }
                if (strchr(WHITESPACE, *s))
                        break;
                w[n++] = *s;
        }
        if (quote && !(flags & EXTRACT_RELAX))
                return -EINVAL;

        w[n] = 0;
        *p = s + strspn(s, WHITESPACE);
        *ret = TAKE_PTR(w);
        return 1;
}

int split_words(const char *s, bool cunescape, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (const char *p = s;;) {
                char *w;
                int r = extract_word(&p, &w, EXTRACT_UNQUOTE | (cunescape ? EXTRACT_CUNESCAPE : 0));

                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (strv_push(&l, w) < 0)
                        return -ENOMEM;
        }
        *ret = strv_or_empty(TAKE_PTR(l));
        return *ret ? 0 : -ENOMEM;
}

void exec_command_done(ExecCommand *c) {
        free(c->path);
        strv_free(c->argv);
        *c = (ExecCommand) {};
}

void exec_command_free_many(ExecCommand *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                exec_command_done(&c[i]);
        free(c);
}


/* An absolute path, or a plain file name to look up in $PATH. */
static bool executable_valid(const char *path) {
        if (path[0] == '/')
                return strlen(path) < PATH_MAX;
        return !strchr(path, '/') && !streq(path, ".") && !streq(path, "..") && strlen(path) <= NAME_MAX;
}

/* The prefixes before the path: "-", "@", ":", "+", "!" and "!!". */
static const char *parse_prefixes(const char *f, ExecCommandFlags *flags, bool *separate_argv0) {
        for (;; f++) {
                if (*f == '-' && !(*flags & EXEC_COMMAND_IGNORE_FAILURE))
                        *flags |= EXEC_COMMAND_IGNORE_FAILURE;
                else if (*f == '@' && !*separate_argv0)
                        *separate_argv0 = true;
                else if (*f == ':' && !(*flags & EXEC_COMMAND_NO_ENV_EXPAND))
                        *flags |= EXEC_COMMAND_NO_ENV_EXPAND;
                else if (*f == '+' && !(*flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_NO_SETUID | EXEC_COMMAND_AMBIENT_MAGIC)))
                        *flags |= EXEC_COMMAND_FULLY_PRIVILEGED;
                else if (*f == '!' && !(*flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_NO_SETUID | EXEC_COMMAND_AMBIENT_MAGIC)))
                        *flags |= EXEC_COMMAND_NO_SETUID;
                else if (*f == '!' && !(*flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_AMBIENT_MAGIC))) {
                        *flags &= ~EXEC_COMMAND_NO_SETUID;
                        *flags |= EXEC_COMMAND_AMBIENT_MAGIC;
                } else
                        return f;
        }
}

/* A problem with one command: fatal for the unit, unless the command may fail ("-"). The
 * format has a %s for ", ignoring" before the one for arg. */
#define exec_fault(d, loc, ignore, error, format, arg)                                          \
        (diag_log((d), (ignore) ? DIAG_WARNING : DIAG_ERROR, &(loc), (error), format,          \
                  (ignore) ? ", ignoring" : "", (arg)),                                         \
         (ignore) ? 0 : -ENOEXEC)

static int expand(const UnitFile *u, const char *s, char **ret) {
        if (!u) {
                *ret = strdup(s);
                return *ret ? 0 : -ENOMEM;
        }
        return unit_specifier_expand(u, s, ret);
}

/* One command from *p, up to a lone ";". Returns 1 with *cmd filled, 0 when the command was
 * ignored or there was none, negative on a fatal fault. */
static int parse_one(const char **p, const UnitFile *u, SourceLoc loc, Diag *d, const char *rvalue, ExecCommand *cmd) {
        _cleanup_free_ char *first = NULL, *path = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        ExecCommandFlags flags = 0;
        bool separate_argv0 = false, ignore;
        const char *f;
        int r;

        r = extract_word(p, &first, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return diag_log(d, DIAG_ERROR, &loc, r, "Unbalanced quoting or bad escape, ignoring: \"%s\"", rvalue),
                       -ENOEXEC;
        if (r == 0 || streq(first, ";"))
                return 0;

        f = parse_prefixes(first, &flags, &separate_argv0);
        ignore = flags & EXEC_COMMAND_IGNORE_FAILURE;

        r = expand(u, f, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return exec_fault(d, loc, ignore, r, "Failed to resolve unit specifiers in '%2$s'%1$s: %m", f);
        if (isempty(path))
                return exec_fault(d, loc, ignore, 0, "Empty path in command line%1$s: '%2$s'", rvalue);
        if (!string_is_safe(path))
                return exec_fault(d, loc, ignore, 0, "Executable name contains special characters%1$s: %2$s", path);
        if (endswith_char(path, '/'))
                return exec_fault(d, loc, ignore, 0, "Executable path specifies a directory%1$s: %2$s", path);
        if (!executable_valid(path))
                return exec_fault(d, loc, ignore, 0, "Neither a valid executable name nor an absolute path%1$s: %2$s", path);

        if (!separate_argv0 && strv_extend(&argv, path) < 0)
                return -ENOMEM;

        while (**p) {
                _cleanup_free_ char *word = NULL;
                char *resolved = NULL;

                /* A lone ";" ends the command; "\;" is a literal ";" argument. */
                if ((*p)[0] == ';' && (!(*p)[1] || strchr(WHITESPACE, (*p)[1]))) {
                        *p += 1 + strspn(*p + 1, WHITESPACE);
                        break;
                }
                if ((*p)[0] == '\\' && (*p)[1] == ';' && (!(*p)[2] || strchr(WHITESPACE, (*p)[2]))) {
                        *p += 2 + strspn(*p + 2, WHITESPACE);
                        if (strv_extend(&argv, ";") < 0)
                                return -ENOMEM;
                        continue;
                }

                r = extract_word(p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return exec_fault(d, loc, ignore, r, "Unbalanced quoting or bad escape%1$s: \"%2$s\"", rvalue);
                if (r == 0)
                        break;
                r = expand(u, word, &resolved);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return exec_fault(d, loc, ignore, r, "Failed to resolve unit specifiers in %2$s%1$s: %m", word);
                if (strv_push(&argv, resolved) < 0)
                        return -ENOMEM;
        }

        if (!argv || !argv[0])
                return exec_fault(d, loc, ignore, 0, "Empty executable name or zeroeth argument%1$s: %2$s", rvalue);

        *cmd = (ExecCommand) { .path = TAKE_PTR(path), .argv = TAKE_PTR(argv), .flags = flags, .loc = loc };
        return 1;
}

int exec_command_parse(const char *value, const UnitFile *u, SourceLoc loc, Diag *d, ExecCommand **cmds, size_t *n) {
        for (const char *p = value; *p;) {
                ExecCommand c = {}, *l;
                int r = parse_one(&p, u, loc, d, value, &c);

                if (r <= 0)
                        return r;
                l = reallocarray(*cmds, *n + 1, sizeof(ExecCommand));
                if (!l) {
                        exec_command_done(&c);
                        return -ENOMEM;
                }
                l[(*n)++] = c;
                *cmds = l;
        }
        return 0;
}

static const char *env_get(char * const *env, const char *name, size_t len) {
        for (size_t i = 0; env && env[i]; i++)
                if (strneq(env[i], name, len) && env[i][len] == '=')
                        return env[i] + len + 1;
        return NULL;
}

/* "${NAME}" is replaced by the value, "$$" by "$"; anything else stays as written. */
static char *replace_env(const char *s, char * const *env) {
        size_t n = 0, allocated = 0;
        char *r = NULL;

        for (const char *p = s; *p;) {
                const char *add = p, *end;
                size_t len = 1;

                if (p[0] == '$' && p[1] == '$') {
                        len = 1;
                        p += 2;
                } else if (p[0] == '$' && p[1] == '{' && (end = strchr(p + 2, '}'))) {
                        add = strempty(env_get(env, p + 2, end - p - 2));
                        len = strlen(add);
                        p = end + 1;
                } else
                        p++;

                if (!GREEDY_REALLOC(r, allocated, n + len + 1)) {
                        free(r);
                        return NULL;
                }
                memcpy(r + n, add, len);
                n += len;
        }
        if (!GREEDY_REALLOC(r, allocated, n + 1)) {
                free(r);
                return NULL;
        }
        r[n] = 0;
        return r;
}

int exec_command_expand_env(char * const *argv, char * const *env, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (size_t i = 0; argv && argv[i]; i++) {
                const char *a = argv[i];

                /* A word that is exactly "$NAME" becomes the value's words. */
                if (a[0] == '$' && a[1] != '{' && a[1] != '$') {
                        const char *v = env_get(env, a + 1, strlen(a + 1));

                        for (const char *p = strempty(v);;) {
                                char *w;
                                int r = extract_word(&p, &w, EXTRACT_UNQUOTE | EXTRACT_RELAX);

                                if (r < 0)
                                        return r;
                                if (r == 0)
                                        break;
                                if (strv_push(&l, w) < 0)
                                        return -ENOMEM;
                        }
                        continue;
                }
                char *x = replace_env(a, env);
                if (!x || strv_push(&l, x) < 0)
                        return -ENOMEM;
        }
        *ret = strv_or_empty(TAKE_PTR(l));
        return *ret ? 0 : -ENOMEM;
}
