/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "exec-command.h"
#include "extract-word.h"
#include "path-util.h"
#include "unit-file.h"
#include "unit-specifier.h"

void exec_command_done(ExecCommand *c) {
        if (!c)
                return;
        free(c->path);
        strv_free(c->argv);
        *c = (ExecCommand) {};
}

void exec_command_free_many(ExecCommand *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                exec_command_done(c + i);
        free(c);
}

/* The next word of a command line. Unknown escapes are kept verbatim with a warning; bad quoting
 * is an error. Returns 1, 0 at the end, or a negative errno (already reported, except -ENOMEM). */
static int next_word(const char **p, char **ret, const char *rvalue, const SourceLoc *loc, Diag *d) {
        const char *save = *p;
        int r;

        r = extract_first_word(p, ret, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
        if (r != -EINVAL)
                return r;

        *p = save;
        r = extract_first_word(p, ret, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE | EXTRACT_UNESCAPE_RELAX);
        if (r > 0) {
                diag_log(d, DIAG_WARNING, loc, EINVAL, "Ignoring unknown escape sequences: \"%s\"", *ret);
                return r;
        }
        if (r == -EINVAL)
                return diag_log(d, DIAG_ERROR, loc, EINVAL, "Unbalanced quoting, ignoring: \"%s\"", strempty(rvalue));
        return r;
}

static int expand(const UnitFile *u, const char *s, size_t max, char **ret) {
        char *c;

        if (u)
                return unit_specifier_expand_full(u, s, max, ret);
        c = strdup(s);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* After a bad command: systemd refuses the unit unless the command may fail. */
static int bad_command(bool ignore) {
        return ignore ? 0 : -ENOEXEC;
}

static bool is_separator(char c) {
        return c == 0 || strchr(WHITESPACE, c);
}

int exec_command_parse(const char *value, const UnitFile *u, SourceLoc loc, Diag *d, ExecCommand **cmds, size_t *n) {
        const char *p = value, *rvalue = value;
        bool semicolon;
        int r;

        if (isempty(value))
                return 0;

        do {
                _cleanup_free_ char *first = NULL, *path = NULL;
                _cleanup_strv_free_ char **argv = NULL;
                ExecCommandFlags flags = 0;
                bool ignore = false, own_argv0 = false;
                const char *f, *suffix;
                ExecCommand *c;
                int level;

                semicolon = false;

                /* Bad quoting in the first word ends the value without failing the unit, as in systemd. */
                r = next_word(&p, &first, rvalue, &loc, d);
                if (r == -ENOMEM)
                        return r;
                if (r <= 0)
                        return 0;

                if (streq(first, ";")) {
                        semicolon = true;
                        continue;
                }

                /* Each prefix at most once; "+", "!" and "!!" exclude each other ("!!" is "!" twice). */
                for (f = first;; f++) {
                        if (*f == '-' && !(flags & EXEC_COMMAND_IGNORE_FAILURE)) {
                                flags |= EXEC_COMMAND_IGNORE_FAILURE;
                                ignore = true;
                        } else if (*f == '@' && !own_argv0)
                                own_argv0 = true;
                        else if (*f == ':' && !(flags & EXEC_COMMAND_NO_ENV_EXPAND))
                                flags |= EXEC_COMMAND_NO_ENV_EXPAND;
                        else if (*f == '+' && !(flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_NO_SETUID | EXEC_COMMAND_AMBIENT_MAGIC)))
                                flags |= EXEC_COMMAND_FULLY_PRIVILEGED;
                        else if (*f == '!' && !(flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_NO_SETUID | EXEC_COMMAND_AMBIENT_MAGIC)))
                                flags |= EXEC_COMMAND_NO_SETUID;
                        else if (*f == '!' && !(flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_AMBIENT_MAGIC))) {
                                flags &= ~EXEC_COMMAND_NO_SETUID;
                                flags |= EXEC_COMMAND_AMBIENT_MAGIC;
                        } else
                                break;
                }

                level = ignore ? DIAG_WARNING : DIAG_ERROR;
                suffix = ignore ? ", ignoring" : "";

                r = expand(u, f, UNIT_SPECIFIER_MAX_PATH, &path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        diag_log(d, level, &loc, r, "Failed to resolve unit specifiers in '%s'%s: %m", f, suffix);
                        return bad_command(ignore);
                }
                if (isempty(path)) {
                        diag_log(d, level, &loc, 0, "Empty path in command line%s: '%s'", suffix, strempty(rvalue));
                        return bad_command(ignore);
                }
                if (!string_is_safe(path)) {
                        diag_log(d, level, &loc, 0, "Executable name contains special characters%s: %s", suffix, path);
                        return bad_command(ignore);
                }
                if (path[strlen(path) - 1] == '/') {
                        diag_log(d, level, &loc, 0, "Executable path specifies a directory%s: %s", suffix, path);
                        return bad_command(ignore);
                }
                if (!(path[0] == '/' ? path_is_valid(path) : filename_is_valid(path))) {
                        diag_log(d, level, &loc, 0, "Neither a valid executable name nor an absolute path%s: %s", suffix, path);
                        return bad_command(ignore);
                }

                /* argv[0] is the path as written; the path itself is tidied up. */
                if (!own_argv0) {
                        r = strv_extend(&argv, path);
                        if (r < 0)
                                return r;
                }
                path_simplify(path);

                while (!isempty(p)) {
                        _cleanup_free_ char *word = NULL, *resolved = NULL;

                        /* Only an unquoted, unescaped ";" on its own separates commands; "\;" on its own is
                         * a literal ";" (extract_first_word() cannot tell those apart from quoted ones). */
                        if (p[0] == ';' && is_separator(p[1])) {
                                p++;
                                p += strspn(p, WHITESPACE);
                                semicolon = true;
                                break;
                        }
                        if (p[0] == '\\' && p[1] == ';' && is_separator(p[2])) {
                                p += 2;
                                p += strspn(p, WHITESPACE);
                                r = strv_extend(&argv, ";");
                                if (r < 0)
                                        return r;
                                continue;
                        }

                        r = next_word(&p, &word, rvalue, &loc, d);
                        if (r == -ENOMEM)
                                return r;
                        if (r == 0)
                                break;
                        if (r < 0)
                                return bad_command(ignore);

                        r = expand(u, word, UNIT_SPECIFIER_MAX_VALUE, &resolved);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0) {
                                diag_log(d, level, &loc, r, "Failed to resolve unit specifiers in %s%s: %m", word, suffix);
                                return bad_command(ignore);
                        }
                        r = strv_push(&argv, TAKE_PTR(resolved));
                        if (r < 0)
                                return r;
                }

                if (strv_length(argv) == 0) {
                        diag_log(d, level, &loc, 0, "Empty executable name or zeroeth argument%s: %s", suffix, strempty(rvalue));
                        return bad_command(ignore);
                }

                c = reallocarray(*cmds, *n + 1, sizeof(ExecCommand));
                if (!c)
                        return -ENOMEM;
                *cmds = c;
                c[(*n)++] = (ExecCommand) {
                        .path = TAKE_PTR(path),
                        .argv = TAKE_PTR(argv),
                        .flags = flags,
                        .loc = loc,
                };

                rvalue = p;
        } while (semicolon);

        return 0;
}

/* The value of the last assignment of name (k bytes) in env, or NULL. */
static const char *env_get(char * const *env, const char *name, size_t k) {
        size_t n = strv_length(env);

        if (k == 0)
                return NULL;
        while (n > 0) {
                const char *e = env[--n];
                if (strncmp(e, name, k) == 0 && e[k] == '=')
                        return e + k + 1;
        }
        return NULL;
}

static int append(char **s, size_t *n, size_t *allocated, const char *add, size_t k) {
        if (!GREEDY_REALLOC(*s, *allocated, *n + k + 1))
                return -ENOMEM;
        memcpy(*s + *n, add, k);
        *n += k;
        (*s)[*n] = 0;
        return 0;
}

/* "${NAME}" and "$$" inside one word. */
static int replace_env(const char *word, char * const *env, char **ret) {
        enum { LITERAL, DOLLAR, NAME } state = LITERAL;
        _cleanup_free_ char *s = NULL;
        size_t n = 0, allocated = 0;
        const char *start = word;       /* of the text not yet copied */
        int r;

        r = append(&s, &n, &allocated, "", 0);
        if (r < 0)
                return r;

        for (const char *e = word; *e; e++) {
                switch (state) {
                case LITERAL:
                        if (*e == '$')
                                state = DOLLAR;
                        break;
                case DOLLAR:
                        if (*e == '{') {
                                r = append(&s, &n, &allocated, start, e - 1 - start);
                                start = e - 1;
                                state = NAME;
                        } else if (*e == '$') {         /* "$$": one '$' */
                                r = append(&s, &n, &allocated, start, e - start);
                                start = e + 1;
                                state = LITERAL;
                        } else
                                state = LITERAL;
                        break;
                case NAME:
                        if (*e == '}') {
                                const char *v = env_get(env, start + 2, e - start - 2);
                                r = append(&s, &n, &allocated, strempty(v), strlen(strempty(v)));
                                start = e + 1;
                                state = LITERAL;
                        } else if (*e == ':')           /* ${NAME:-…}: not supported here, kept as written */
                                state = LITERAL;
                        break;
                }
                if (r < 0)
                        return r;
        }
        r = append(&s, &n, &allocated, start, strlen(start));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int exec_command_expand_env(char * const *argv, char * const *env, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;

        STRV_FOREACH(w, (char **) argv) {
                const char *word = *w;
                char *s;

                if (word[0] == '$' && word[1] != '{' && word[1] != '$') {
                        const char *v = env_get(env, word + 1, strlen(word + 1));

                        for (const char *p = v; p;) {
                                _cleanup_free_ char *part = NULL;

                                r = extract_first_word(&p, &part, EXTRACT_UNQUOTE | EXTRACT_RELAX);
                                if (r < 0)
                                        return r;
                                if (r == 0)
                                        break;
                                r = strv_push(&l, TAKE_PTR(part));
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                r = replace_env(word, env, &s);
                if (r < 0)
                        return r;
                r = strv_push(&l, s);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(l);
        return 0;
}

int split_words(const char *s, bool cunescape, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s;
        int r;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;

        for (;;) {
                char *word;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE | (cunescape ? EXTRACT_CUNESCAPE : 0));
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = strv_push(&l, word);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(l);
        return 0;
}
