/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The text of one unit file, read the way systemd 252 reads it: lines end at "\n", "\r" or NUL,
 * or a run of distinct ones ("\r\n", "\n\0"); lines starting with '#' or ';' are comments, even in
 * the middle of a continuation; a trailing unescaped backslash joins the next line (the backslash
 * becomes a space). A line of 1 MiB or more, a broken section header or invalid UTF-8 makes the
 * whole file unusable; everything else skips one line with a warning. */

#include "extract-word.h"
#include "unit-file.h"
#include "unit-keys.h"
#include "unit-name.h"

#define LONG_LINE_MAX (1024U * 1024U)
#define UTF8_BOM "\xef\xbb\xbf"
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

static bool is_eol(char c) {
        return c == '\n' || c == '\r' || c == '\0';
}

/* The next line of text, from *pos: its start and length without the line ending. A line ending is
 * one to three delimiters with no repeats and nothing after a NUL, so "\r\n" and "\n\r\0" end one
 * line while "\n\n" or "\0\n" end two. Returns 1, 0 at the end of the text, -E2BIG when the line
 * reaches LONG_LINE_MAX characters (systemd refuses those even when the next byte would end it). */
static int next_line(const char *text, size_t size, size_t *pos, const char **ret, size_t *ret_len) {
        size_t p = *pos, start = *pos;
        bool seen_nl = false, seen_cr = false;

        if (p >= size)
                return 0;

        while (p < size && !is_eol(text[p]) && p - start < LONG_LINE_MAX)
                p++;
        if (p - start >= LONG_LINE_MAX)
                return -E2BIG;
        *ret = text + start;
        *ret_len = p - start;

        while (p < size && is_eol(text[p])) {
                char c = text[p];

                if ((c == '\n' && seen_nl) || (c == '\r' && seen_cr))
                        break;
                p++;
                if (c == '\0')
                        break;
                seen_nl = seen_nl || c == '\n';
                seen_cr = seen_cr || c == '\r';
        }

        *pos = p;
        return 1;
}

/* The length of the UTF-8 sequence at s (up to end), or 0 if it is not one systemd accepts:
 * shortest form, not a surrogate, at most U+10FFFF, not U+FDD0…U+FDEF or U+xxFFFE/U+xxFFFF. */
static size_t utf8_char_len(const unsigned char *s, const unsigned char *end) {
        uint32_t c;
        size_t n;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0)
                n = 2, c = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, c = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, c = s[0] & 0x07;
        else
                return 0;

        if ((size_t) (end - s) < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (s[i] & 0x3f);
        }

        if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
                return 0;
        if (c >= 0x110000 || (c & 0xfffff800) == 0xd800 || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
                return 0;
        return n;
}

static bool utf8_is_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s, *end = p + strlen(s);

        while (p < end) {
                size_t n = utf8_char_len(p, end);
                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

/* s with every byte that is not part of a valid character replaced by U+FFFD, for messages. */
static char *utf8_escape_invalid(const char *s) {
        const unsigned char *p = (const unsigned char *) s, *end = p + strlen(s);
        char *buf = malloc(strlen(s) * 3 + 1), *t = buf;

        if (!buf)
                return NULL;
        while (p < end) {
                size_t n = utf8_char_len(p, end);
                if (n > 0) {
                        t = mempcpy(t, p, n);
                        p += n;
                } else {
                        t = stpcpy(t, UTF8_REPLACEMENT);
                        p++;
                }
        }
        *t = 0;
        return buf;
}

static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static char *strstrip(char *s) {
        size_t n;

        s += strspn(s, WHITESPACE);
        n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                n--;
        s[n] = 0;
        return s;
}

/* The copy of path that SourceLocs of u point to. */
static const char *unit_file_intern(UnitFile *u, const char *path) {
        STRV_FOREACH(f, u->files)
                if (streq(*f, path))
                        return *f;
        if (strv_extend(&u->files, path) < 0)
                return NULL;
        return u->files[strv_length(u->files) - 1];
}

int unit_file_new(const char *name, UnitFile **ret) {
        _cleanup_free_ char *n = NULL;
        UnitFile *u;
        int r;

        r = unit_name_to_service(name, &n);
        if (r < 0)
                return r;

        u = calloc(1, sizeof *u);
        if (!u)
                return -ENOMEM;
        u->name = TAKE_PTR(n);
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
        strv_free(u->files);
        strv_free(u->dropins);
        free(u->path);
        free(u->name);
        free(u);
        return NULL;
}

int unit_file_append(UnitFile *u, const char *section, const char *key, const char *value, SourceLoc loc) {
        UnitEntry e = { .loc = loc };

        if (loc.file) {
                e.loc.file = unit_file_intern(u, loc.file);
                if (!e.loc.file)
                        return -ENOMEM;
        }
        if (!GREEDY_REALLOC(u->entries, u->allocated, u->n_entries + 1))
                return -ENOMEM;

        e.section = strdup(section);
        e.key = strdup(key);
        e.value = strdup(value);
        if (!e.section || !e.key || !e.value) {
                free(e.section);
                free(e.key);
                free(e.value);
                return -ENOMEM;
        }
        u->entries[u->n_entries++] = e;
        return 0;
}

typedef struct Parser {
        UnitFile *u;
        Diag *d;
        const char *file;
        char *section;                  /* NULL before the first header and inside an unknown section */
        bool section_ignored;           /* inside an unknown section: its assignments are dropped silently */
} Parser;

/* One logical line (continuations joined), modified in place. */
static int parse_line(Parser *p, unsigned line, char *l) {
        SourceLoc loc = { p->file, line };
        char *eq;

        l = strstrip(l);
        if (isempty(l))
                return 0;

        if (!utf8_is_valid(l)) {
                _cleanup_free_ char *esc = utf8_escape_invalid(l);
                return diag_log(p->d, DIAG_ERROR, &loc, EINVAL,
                                "String is not UTF-8 clean, ignoring assignment: %s", strna(esc));
        }

        if (l[0] == '[') {
                size_t k = strlen(l);
                char *n;

                if (l[k - 1] != ']')
                        return diag_log(p->d, DIAG_ERROR, &loc, EBADMSG, "Invalid section header '%s'", l);

                n = strndup(l + 1, k - 2);
                if (!n)
                        return -ENOMEM;
                if (!string_is_safe(n)) {
                        free(n);
                        return diag_log(p->d, DIAG_ERROR, &loc, EBADMSG, "Bad characters in section header '%s'", l);
                }

                free(p->section);
                if (unit_section_known(n)) {
                        p->section = n;
                        p->section_ignored = false;
                } else {
                        if (!startswith(n, "X-"))
                                diag_log(p->d, DIAG_WARNING, &loc, 0, "Unknown section '%s'. Ignoring.", n);
                        free(n);
                        p->section = NULL;
                        p->section_ignored = true;
                }
                return 0;
        }

        if (!p->section) {
                if (!p->section_ignored)
                        diag_log(p->d, DIAG_WARNING, &loc, 0, "Assignment outside of section. Ignoring.");
                return 0;
        }

        eq = strchr(l, '=');
        if (!eq) {
                diag_log(p->d, DIAG_WARNING, &loc, 0, "Missing '=', ignoring line.");
                return 0;
        }
        if (eq == l) {
                diag_log(p->d, DIAG_WARNING, &loc, 0, "Missing key name before '=', ignoring line.");
                return 0;
        }
        *eq = 0;

        return unit_file_append(p->u, p->section, strstrip(l), strstrip(eq + 1), loc);
}

/* Whether s ends in a backslash that is not itself escaped. */
static bool ends_with_escape(const char *s, size_t n) {
        bool escaped = false;

        for (size_t i = 0; i < n; i++)
                escaped = !escaped && s[i] == '\\';
        return escaped;
}

static void parser_done(Parser *p) {
        free(p->section);
}

/* Append the physical line l to the continuation in *buf (allocated if NULL). Returns 1 when the
 * line continues further (its trailing backslash is now a space), 0 when the logical line is
 * complete, or a negative errno. */
static int continue_line(Parser *p, unsigned line, char **buf, size_t *buf_len, const char *l, size_t len) {
        size_t old = *buf_len;
        char *n;

        if (*buf && old + len > LONG_LINE_MAX) {
                SourceLoc loc = { p->file, line };
                return diag_log(p->d, DIAG_ERROR, &loc, E2BIG, "Continuation line too long");
        }

        n = realloc(*buf, old + len + 1);
        if (!n)
                return -ENOMEM;
        memcpy(n + old, l, len);
        n[old + len] = 0;
        *buf = n;
        *buf_len = old + len;

        /* An earlier part ended in the escape that is now a space, so the escape state starts afresh
         * with this line. */
        if (!ends_with_escape(l, len))
                return 0;
        n[old + len - 1] = ' ';
        return 1;
}

int unit_file_parse_text(UnitFile *u, const char *path, const char *text, size_t size, Diag *d) {
        _cleanup_(parser_done) Parser p = { .u = u, .d = d };
        _cleanup_free_ char *buf = NULL;
        size_t pos = 0, buf_len = 0;
        unsigned line = 0, backslash_line = 0;
        bool bom_seen = false;
        int r;

        if (path) {
                p.file = unit_file_intern(u, path);
                if (!p.file)
                        return -ENOMEM;
        }

        for (;;) {
                const char *l, *c;
                size_t len;

                r = next_line(text, size, &pos, &l, &len);
                if (r == 0)
                        break;
                if (r < 0) {
                        SourceLoc loc = { p.file, line + 1 };
                        return diag_log(d, DIAG_ERROR, &loc, E2BIG, "Line too long");
                }
                line++;

                /* Comments are recognized before anything else, so they may sit inside a continuation. */
                for (c = l; c < l + len && strchr(WHITESPACE, *c); c++)
                        ;
                if (c < l + len && strchr("#;", *c))
                        continue;

                /* A byte order mark is dropped from the first line that has one (the comment check above
                 * does not look past it, as in systemd). */
                if (!bom_seen && len >= 3 && memcmp(l, UTF8_BOM, 3) == 0) {
                        l += 3;
                        len -= 3;
                        bom_seen = true;
                }

                r = continue_line(&p, line, &buf, &buf_len, l, len);
                if (r < 0)
                        return r;
                if (r > 0) {
                        backslash_line = line;
                        continue;
                }

                r = parse_line(&p, line, buf);
                if (r < 0)
                        return r;
                buf = mfree(buf);
                buf_len = 0;
        }

        /* A continuation still open at the end of the file is taken as it is; systemd numbers it one
         * past the last line. systemd says nothing, but a file that ends in a backslash was most
         * likely cut short: warn (so that --strict refuses it). */
        if (buf) {
                SourceLoc loc = { p.file, backslash_line };
                diag_log(d, DIAG_WARNING, &loc, 0, "Line continuation at the end of the file, taking the line as it is.");
                return parse_line(&p, line + 1, buf);
        }
        return 0;
}
