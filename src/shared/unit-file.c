/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Unit file syntax, as systemd 252 reads it: lines end at \n, \r or NUL (or pairs of them),
 * comment lines start with # or ;, a trailing backslash continues a line (comment lines inside
 * are skipped), and a line of 1 MiB is too long. A bad section header, invalid UTF-8 or an
 * over-long line make the whole file unusable, as in systemd; other faults skip the line. */

#include "unit-file.h"
#include "unit-keys.h"
#include "utf8.h"

#define LONG_LINE_MAX (1024U * 1024U)
#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"
#define UTF8_BOM "\xef\xbb\xbf"

enum {
        EOL_NONE = 0,
        EOL_ZERO = 1 << 0,
        EOL_TEN = 1 << 1,
        EOL_THIRTEEN = 1 << 2,
};

static int eol_of(char c) {
        return c == '\n' ? EOL_TEN : c == '\r' ? EOL_THIRTEEN : c == '\0' ? EOL_ZERO : EOL_NONE;
}

/* The next line of text[*pos..size): its start and length, delimiters not included. A run of
 * different delimiters ends one line ("\r\n", "\n\r\0"); a repeated one starts another; nothing
 * follows a NUL in the same run. Returns 1, 0 at the end, or -ENOBUFS past LONG_LINE_MAX. */
static int next_line(const char *text, size_t size, size_t *pos, const char **ret, size_t *ret_len) {
        size_t p = *pos, n = 0;
        int seen = EOL_NONE;

        if (p >= size)
                return 0;

        *ret = text + p;
        for (; p < size; p++) {
                int eol = eol_of(text[p]);

                if ((seen & EOL_ZERO) || (eol == EOL_NONE && seen != EOL_NONE) || (eol != EOL_NONE && (seen & eol)))
                        break;
                if (eol == EOL_NONE) {
                        if (n >= LONG_LINE_MAX)
                                return -ENOBUFS;
                        n++;
                }
                seen |= eol;
        }
        *pos = p;
        *ret_len = n;
        return 1;
}

static char *strstrip(char *s) {
        char *e;

        s += strspn(s, WHITESPACE);
        for (e = s + strlen(s); e > s && strchr(WHITESPACE, e[-1]); e--)
                ;
        *e = 0;
        return s;
}


static const char *intern_file(UnitFile *u, const char *path) {
        size_t n = strv_length(u->files);

        for (size_t i = n; i > 0; i--)
                if (streq(u->files[i - 1], path))
                        return u->files[i - 1];
        if (strv_extend(&u->files, path) < 0)
                return NULL;
        return u->files[n];
}

int unit_file_append(UnitFile *u, const char *section, const char *key, const char *value, SourceLoc loc) {
        UnitEntry *e;
        const char *file = NULL;

        if (loc.file) {
                file = intern_file(u, loc.file);
                if (!file)
                        return -ENOMEM;
        }
        if (!GREEDY_REALLOC(u->entries, u->allocated, u->n_entries + 1))
                return -ENOMEM;

        e = &u->entries[u->n_entries];
        *e = (UnitEntry) {
                .section = strdup(section),
                .key = strdup(key),
                .value = strdup(value),
                .loc = { file, loc.line },
        };
        if (!e->section || !e->key || !e->value) {
                free(e->section);
                free(e->key);
                free(e->value);
                return -ENOMEM;
        }
        u->n_entries++;
        return 0;
}

typedef struct ParseState {
        UnitFile *unit;
        const char *path;
        Diag *diag;
        char *section;                  /* NULL outside any section, or in an ignored one */
        bool section_ignored;
} ParseState;

static int parse_line(ParseState *s, unsigned line, char *l) {
        SourceLoc loc = { s->path, line };
        char *e;

        l = strstrip(l);
        if (isempty(l))
                return 0;

        if (!utf8_is_valid(l)) {
                _cleanup_free_ char *escaped = utf8_escape_invalid(l);
                return diag_log(s->diag, DIAG_ERROR, &loc, EINVAL,
                                "String is not UTF-8 clean, ignoring assignment: %s", strna(escaped));
        }

        if (l[0] == '[') {
                size_t k = strlen(l);
                _cleanup_free_ char *n = NULL;

                if (l[k - 1] != ']')
                        return diag_log(s->diag, DIAG_ERROR, &loc, EBADMSG, "Invalid section header '%s'", l);
                n = strndup(l + 1, k - 2);
                if (!n)
                        return -ENOMEM;
                if (!string_is_safe(n))
                        return diag_log(s->diag, DIAG_ERROR, &loc, EBADMSG, "Bad characters in section header '%s'", l);

                free(s->section);
                s->section = NULL;
                if (!unit_section_known(n)) {
                        if (!startswith(n, "X-"))
                                diag_log(s->diag, DIAG_WARNING, &loc, 0, "Unknown section '%s'. Ignoring.", n);
                        s->section_ignored = true;
                } else {
                        s->section = TAKE_PTR(n);
                        s->section_ignored = false;
                }
                return 0;
        }

        if (!s->section) {
                if (!s->section_ignored)
                        diag_log(s->diag, DIAG_WARNING, &loc, 0, "Assignment outside of section. Ignoring.");
                return 0;
        }

        e = strchr(l, '=');
        if (!e)
                return diag_log(s->diag, DIAG_WARNING, &loc, 0, "Missing '=', ignoring line."), 0;
        if (e == l)
                return diag_log(s->diag, DIAG_WARNING, &loc, 0, "Missing key name before '=', ignoring line."), 0;
        *e = 0;

        return unit_file_append(s->unit, s->section, strstrip(l), strstrip(e + 1), loc);
}

static void parse_state_done(ParseState *s) {
        free(s->section);
}

int unit_file_parse_text(UnitFile *u, const char *path, const char *text, size_t size, Diag *d) {
        _cleanup_(parse_state_done) ParseState s = { .unit = u, .path = path, .diag = d };
        _cleanup_free_ char *continuation = NULL;
        bool bom_seen = false;
        unsigned line = 0;
        size_t pos = 0;
        int r;

        for (;;) {
                _cleanup_free_ char *buf = NULL;
                const char *start;
                char *l, *p, *e;
                bool escaped = false;
                size_t len;

                r = next_line(text, size, &pos, &start, &len);
                if (r == 0)
                        break;
                if (r == -ENOBUFS)
                        return diag_log(d, DIAG_ERROR, &(SourceLoc) { path, line + 1 }, E2BIG,
                                        "Line too long (%u bytes at most)", LONG_LINE_MAX - 1);
                line++;

                buf = strndup(start, len);
                if (!buf)
                        return -ENOMEM;

                l = buf + strspn(buf, WHITESPACE);
                if (*l && strchr(COMMENTS, *l))
                        continue;

                l = buf;
                if (!bom_seen && startswith(buf, UTF8_BOM)) {
                        l = buf + strlen(UTF8_BOM);
                        bom_seen = true;
                }

                if (continuation) {
                        size_t k = strlen(continuation), m = strlen(l);
                        char *c;

                        if (k + m > LONG_LINE_MAX)
                                return diag_log(d, DIAG_ERROR, &(SourceLoc) { path, line }, E2BIG,
                                                "Continuation line too long");
                        c = realloc(continuation, k + m + 1);
                        if (!c)
                                return -ENOMEM;
                        memcpy(c + k, l, m + 1);
                        continuation = c;
                        p = continuation;
                } else
                        p = l;

                for (e = p; *e; e++)
                        escaped = escaped ? false : *e == '\\';

                if (escaped) {
                        /* A trailing backslash becomes a space and the next line follows. */
                        e[-1] = ' ';
                        if (!continuation) {
                                continuation = strdup(l);
                                if (!continuation)
                                        return -ENOMEM;
                        }
                        continue;
                }

                r = parse_line(&s, line, p);
                if (r < 0)
                        return r;
                continuation = (free(continuation), NULL);
        }

        /* A continuation at the end of the file still counts, on a line of its own. */
        if (continuation)
                return parse_line(&s, ++line, continuation);
        return 0;
}

int unit_file_new(const char *name, UnitFile **ret) {
        UnitFile *u = calloc(1, sizeof(UnitFile));

        if (!u)
                return -ENOMEM;
        u->name = strdup(name);
        if (!u->name) {
                free(u);
                return -ENOMEM;
        }
        *ret = u;
        return 0;
}

UnitFile *unit_file_free(UnitFile *u) {
        if (!u)
                return NULL;
        for (size_t i = 0; i < u->n_entries; i++) {
                free(u->entries[i].section);
                free(u->entries[i].key);
                free(u->entries[i].value);
        }
        free(u->entries);
        free(u->name);
        free(u->path);
        strv_free(u->dropins);
        strv_free(u->files);
        free(u);
        return NULL;
}
