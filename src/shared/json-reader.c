/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json-reader.h"

typedef struct Parser {
        const char *p, *end;
        const char *line_start;
        unsigned line;
        unsigned depth;
        JsonDocument *doc;
        Diag *diag;
} Parser;

static unsigned column_of(const Parser *s, const char *at) {
        return (unsigned) (at - s->line_start) + 1;
}

static _printf_(3, 4) int parse_error(Parser *s, const char *at, const char *format, ...) {
        SourceLoc loc = { s->doc->file, s->line, column_of(s, at) };
        va_list ap;

        va_start(ap, format);
        diag_logv(s->diag, DIAG_ERROR, &loc, EINVAL, format, ap);
        va_end(ap);
        return -EINVAL;
}

static void skip_whitespace(Parser *s) {
        while (s->p < s->end) {
                char c = *s->p;

                if (c == '\n') {
                        s->line++;
                        s->line_start = ++s->p;
                } else if (c == ' ' || c == '\t' || c == '\r')
                        s->p++;
                else
                        break;
        }
}

static const char *describe(const Parser *s, char *buf, size_t size) {
        unsigned char c;

        if (s->p >= s->end)
                return "end of input";
        c = (unsigned char) *s->p;
        if (c >= 0x20 && c < 0x7f)
                snprintf(buf, size, "'%c'", c);
        else
                snprintf(buf, size, "byte 0x%02x", c);
        return buf;
}

/* Length of the valid UTF-8 sequence at p (1…4), or 0 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_length(const unsigned char *p, const unsigned char *end, uint32_t *ret) {
        uint32_t c;
        size_t n;

        if (p[0] < 0x80) {
                *ret = p[0];
                return 1;
        }
        if (p[0] >= 0xc2 && p[0] <= 0xdf)
                n = 2, c = p[0] & 0x1f;
        else if (p[0] >= 0xe0 && p[0] <= 0xef)
                n = 3, c = p[0] & 0x0f;
        else if (p[0] >= 0xf0 && p[0] <= 0xf4)
                n = 4, c = p[0] & 0x07;
        else
                return 0;
        if ((size_t) (end - p) < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (p[i] & 0x3f);
        }
        if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *ret = c;
        return n;
}

static size_t utf8_encode(uint32_t c, char *out) {
        if (c < 0x80) {
                out[0] = (char) c;
                return 1;
        }
        if (c < 0x800) {
                out[0] = (char) (0xc0 | c >> 6);
                out[1] = (char) (0x80 | (c & 0x3f));
                return 2;
        }
        if (c < 0x10000) {
                out[0] = (char) (0xe0 | c >> 12);
                out[1] = (char) (0x80 | ((c >> 6) & 0x3f));
                out[2] = (char) (0x80 | (c & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | c >> 18);
        out[1] = (char) (0x80 | ((c >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((c >> 6) & 0x3f));
        out[3] = (char) (0x80 | (c & 0x3f));
        return 4;
}

static int hex4(Parser *s, const char *at, uint32_t *ret) {
        uint32_t v = 0;

        if (s->end - at < 4)
                return parse_error(s, at, "Truncated \\u escape.");
        for (int i = 0; i < 4; i++) {
                char c = at[i];

                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t) (c - 'A' + 10);
                else
                        return parse_error(s, at + i, "Invalid hex digit in \\u escape.");
        }
        *ret = v;
        return 0;
}

/* A string at s->p (the opening quote). */
static int parse_string(Parser *s, const char **ret, size_t *ret_len) {
        const char *start = s->p++, *q;
        char *out, *o;

        /* Decoded text is never longer than the raw text: size it by the closing quote. */
        for (q = s->p; q < s->end && *q != '"'; q++)
                if (*q == '\\')
                        q++;
        out = o = arena_alloc(&s->doc->arena, (size_t) (MIN(q, s->end) - s->p) + 1);
        if (!out)
                return -ENOMEM;

        for (;;) {
                unsigned char c;

                if (s->p >= s->end)
                        return parse_error(s, start, "Unterminated string.");
                c = (unsigned char) *s->p;
                if (c == '"') {
                        s->p++;
                        break;
                }
                if (c < 0x20)
                        return parse_error(s, s->p, "Control character 0x%02x in a string (write it as \\u%04x).", c, c);
                if (c == '\\') {
                        const char *esc = s->p;
                        uint32_t cp;
                        int r;

                        if (s->end - s->p < 2)
                                return parse_error(s, esc, "Unterminated string.");
                        switch (s->p[1]) {
                        case '"': *o++ = '"'; break;
                        case '\\': *o++ = '\\'; break;
                        case '/': *o++ = '/'; break;
                        case 'b': *o++ = '\b'; break;
                        case 'f': *o++ = '\f'; break;
                        case 'n': *o++ = '\n'; break;
                        case 'r': *o++ = '\r'; break;
                        case 't': *o++ = '\t'; break;
                        case 'u':
                                r = hex4(s, s->p + 2, &cp);
                                if (r < 0)
                                        return r;
                                if (cp >= 0xdc00 && cp <= 0xdfff)
                                        return parse_error(s, esc, "Unpaired low surrogate \\u%04x.", cp);
                                if (cp >= 0xd800 && cp <= 0xdbff) {
                                        uint32_t lo;

                                        if (s->end - s->p < 12 || s->p[6] != '\\' || s->p[7] != 'u')
                                                return parse_error(s, esc, "High surrogate \\u%04x without a low one.", cp);
                                        r = hex4(s, s->p + 8, &lo);
                                        if (r < 0)
                                                return r;
                                        if (lo < 0xdc00 || lo > 0xdfff)
                                                return parse_error(s, esc, "High surrogate \\u%04x without a low one.", cp);
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                        s->p += 6;
                                }
                                o += utf8_encode(cp, o);
                                s->p += 4;
                                break;
                        default:
                                return parse_error(s, esc, "Invalid escape sequence.");
                        }
                        s->p += 2;
                } else {
                        uint32_t cp;
                        size_t n = utf8_length((const unsigned char *) s->p, (const unsigned char *) s->end, &cp);

                        if (n == 0)
                                return parse_error(s, s->p, "Invalid UTF-8 (byte 0x%02x).", c);
                        memcpy(o, s->p, n);
                        o += n;
                        s->p += n;
                }
        }
        *o = 0;
        *ret = out;
        *ret_len = (size_t) (o - out);
        return 0;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static int parse_number(Parser *s, JsonValue *v) {
        const char *start = s->p;
        uint64_t magnitude = 0;
        bool overflow = false;
        char *text;

        v->type = JSON_NUMBER;
        v->number.integer = true;
        if (*s->p == '-') {
                v->number.negative = true;
                s->p++;
        }
        if (s->p >= s->end || !is_digit(*s->p))
                return parse_error(s, start, "Invalid number: a digit must follow '-'.");
        if (*s->p == '0' && s->p + 1 < s->end && is_digit(s->p[1]))
                return parse_error(s, start, "Invalid number: no leading zeros.");
        while (s->p < s->end && is_digit(*s->p)) {
                unsigned d = (unsigned) (*s->p - '0');

                if (magnitude > (UINT64_MAX - d) / 10)
                        overflow = true;
                else
                        magnitude = magnitude * 10 + d;
                s->p++;
        }
        if (s->p < s->end && *s->p == '.') {
                v->number.integer = false;
                s->p++;
                if (s->p >= s->end || !is_digit(*s->p))
                        return parse_error(s, s->p, "Invalid number: a digit must follow '.'.");
                while (s->p < s->end && is_digit(*s->p))
                        s->p++;
        }
        if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
                v->number.integer = false;
                s->p++;
                if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
                        s->p++;
                if (s->p >= s->end || !is_digit(*s->p))
                        return parse_error(s, s->p, "Invalid number: a digit must follow the exponent.");
                while (s->p < s->end && is_digit(*s->p))
                        s->p++;
        }
        text = arena_alloc(&s->doc->arena, (size_t) (s->p - start) + 1);
        if (!text)
                return -ENOMEM;
        memcpy(text, start, (size_t) (s->p - start));
        v->number.text = text;

        if (v->number.integer && !overflow) {
                if (!v->number.negative) {
                        v->number.fits_u64 = true;
                        v->number.u = magnitude;
                        if (magnitude <= INT64_MAX) {
                                v->number.fits_i64 = true;
                                v->number.i = (int64_t) magnitude;
                        }
                } else if (magnitude <= (uint64_t) INT64_MAX + 1) {
                        v->number.fits_i64 = true;
                        v->number.i = magnitude == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) magnitude;
                        if (magnitude == 0) {   /* "-0" */
                                v->number.fits_u64 = true;
                                v->number.u = 0;
                        }
                }
        }
        return 0;
}

static int parse_value(Parser *s, JsonValue **ret);

static int parse_literal(Parser *s, const char *word, JsonValue *v) {
        size_t n = strlen(word);

        if ((size_t) (s->end - s->p) < n || memcmp(s->p, word, n) != 0 ||
            (s->p + n < s->end && ((s->p[n] >= 'a' && s->p[n] <= 'z') || is_digit(s->p[n])))) {
                char buf[32];

                return parse_error(s, s->p, "Unexpected %s, expected a value.", describe(s, buf, sizeof buf));
        }
        s->p += n;
        if (word[0] == 'n')
                v->type = JSON_NULL;
        else {
                v->type = JSON_BOOLEAN;
                v->boolean = word[0] == 't';
        }
        return 0;
}

static int parse_array(Parser *s, JsonValue *v) {
        size_t allocated = 0;
        char buf[32];
        int r;

        v->type = JSON_ARRAY;
        s->p++;
        skip_whitespace(s);
        if (s->p < s->end && *s->p == ']') {
                s->p++;
                return 0;
        }
        for (;;) {
                JsonValue *item;

                r = parse_value(s, &item);
                if (r < 0)
                        return r;
                if (!ARENA_GREEDY(&s->doc->arena, v->array.items, allocated, v->array.n + 1))
                        return -ENOMEM;
                v->array.items[v->array.n++] = item;
                skip_whitespace(s);
                if (s->p < s->end && *s->p == ',') {
                        s->p++;
                        continue;
                }
                if (s->p < s->end && *s->p == ']') {
                        s->p++;
                        return 0;
                }
                return parse_error(s, s->p, "Unexpected %s in an array, expected ',' or ']'.", describe(s, buf, sizeof buf));
        }
}

static int parse_object(Parser *s, JsonValue *v) {
        size_t allocated = 0;
        char buf[32];
        int r;

        v->type = JSON_OBJECT;
        s->p++;
        skip_whitespace(s);
        if (s->p < s->end && *s->p == '}') {
                s->p++;
                return 0;
        }
        for (;;) {
                JsonMember m = {};

                skip_whitespace(s);
                if (s->p >= s->end || *s->p != '"')
                        return parse_error(s, s->p, "Unexpected %s in an object, expected a key (a string).",
                                           describe(s, buf, sizeof buf));
                m.line = s->line;
                m.column = column_of(s, s->p);
                r = parse_string(s, &m.key, &m.key_len);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < v->object.n; i++)
                        if (v->object.members[i].key_len == m.key_len && memcmp(v->object.members[i].key, m.key, m.key_len) == 0) {
                                SourceLoc loc = { s->doc->file, m.line, m.column };

                                return diag_log(s->diag, DIAG_ERROR, &loc, EINVAL,
                                                "Duplicate key \"%s\" (first at line %u, column %u).",
                                                m.key, v->object.members[i].line, v->object.members[i].column);
                        }
                skip_whitespace(s);
                if (s->p >= s->end || *s->p != ':')
                        return parse_error(s, s->p, "Unexpected %s after a key, expected ':'.", describe(s, buf, sizeof buf));
                s->p++;
                r = parse_value(s, &m.value);
                if (r < 0)
                        return r;
                if (!ARENA_GREEDY(&s->doc->arena, v->object.members, allocated, v->object.n + 1))
                        return -ENOMEM;
                v->object.members[v->object.n++] = m;
                skip_whitespace(s);
                if (s->p < s->end && *s->p == ',') {
                        s->p++;
                        continue;
                }
                if (s->p < s->end && *s->p == '}') {
                        s->p++;
                        return 0;
                }
                return parse_error(s, s->p, "Unexpected %s in an object, expected ',' or '}'.", describe(s, buf, sizeof buf));
        }
}

static int parse_value(Parser *s, JsonValue **ret) {
        JsonValue *v;
        char buf[32];
        int r;

        skip_whitespace(s);
        v = arena_alloc(&s->doc->arena, sizeof(JsonValue));
        if (!v)
                return -ENOMEM;
        v->line = s->line;
        v->column = column_of(s, s->p);
        if (s->p >= s->end)
                return parse_error(s, s->p, "Unexpected end of input, expected a value.");

        switch (*s->p) {
        case '{':
        case '[':
                if (s->depth >= JSON_DEPTH_MAX)
                        return parse_error(s, s->p, "Nesting deeper than %d levels.", JSON_DEPTH_MAX);
                s->depth++;
                r = *s->p == '{' ? parse_object(s, v) : parse_array(s, v);
                s->depth--;
                break;
        case '"':
                v->type = JSON_STRING;
                r = parse_string(s, &v->string.s, &v->string.len);
                break;
        case 't':
                r = parse_literal(s, "true", v);
                break;
        case 'f':
                r = parse_literal(s, "false", v);
                break;
        case 'n':
                r = parse_literal(s, "null", v);
                break;
        default:
                if (*s->p == '-' || is_digit(*s->p))
                        r = parse_number(s, v);
                else
                        r = parse_error(s, s->p, "Unexpected %s, expected a value.", describe(s, buf, sizeof buf));
        }
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

JsonDocument *json_document_free(JsonDocument *d) {
        if (d) {
                Arena a = d->arena;     /* d lives in it */

                arena_done(&a);
        }
        return NULL;
}

int json_parse(const char *text, size_t size, const char *file, Diag *diag, JsonDocument **ret) {
        _cleanup_(json_document_freep) JsonDocument *d = NULL;
        Arena arena = {};
        char *name;
        Parser s;
        int r;

        d = arena_alloc(&arena, sizeof(JsonDocument));
        if (!d) {
                arena_done(&arena);
                return -ENOMEM;
        }
        d->arena = arena;
        name = arena_alloc(&d->arena, strlen(file ?: "-") + 1);
        if (!name)
                return -ENOMEM;
        strcpy(name, file ?: "-");
        d->file = name;

        if (size > JSON_SIZE_MAX)
                return diag_log(diag, DIAG_ERROR, &(SourceLoc) { d->file, 0, 0 }, EFBIG,
                                "File too large (%zu bytes, at most %u accepted), refusing.", size, JSON_SIZE_MAX);

        s = (Parser) { .p = text, .end = text + size, .line_start = text, .line = 1, .doc = d, .diag = diag };
        if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
                return parse_error(&s, s.p, "Byte order mark at the start: JSON text must not have one.");

        r = parse_value(&s, &d->root);
        if (r < 0)
                return r;
        skip_whitespace(&s);
        if (s.p < s.end) {
                char buf[32];

                return parse_error(&s, s.p, "Unexpected %s after the value.", describe(&s, buf, sizeof buf));
        }
        *ret = TAKE_PTR(d);
        return 0;
}

int json_parse_file(const char *path, Diag *diag, JsonDocument **ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, allocated = 0;
        struct stat st;

        if (streq(path, "-"))
                fd = dup(STDIN_FILENO);
        else
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return diag_log(diag, DIAG_ERROR, NULL, errno, "Failed to open %s: %m", path);
        if (fstat(fd, &st) < 0)
                return diag_log(diag, DIAG_ERROR, NULL, errno, "Failed to stat %s: %m", path);
        if (S_ISDIR(st.st_mode))
                return diag_log(diag, DIAG_ERROR, NULL, EISDIR, "Failed to read %s: %m", path);
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > JSON_SIZE_MAX)
                return diag_log(diag, DIAG_ERROR, &(SourceLoc) { path, 0, 0 }, EFBIG,
                                "File too large (%jd bytes, at most %u accepted), refusing.",
                                (intmax_t) st.st_size, JSON_SIZE_MAX);

        for (;;) {
                ssize_t k;

                /* One byte over the limit is enough to know: never read more. */
                if (!GREEDY_REALLOC(buf, allocated, MIN(n + 65536, (size_t) JSON_SIZE_MAX + 1)))
                        return -ENOMEM;
                if (n >= (size_t) JSON_SIZE_MAX + 1)
                        return diag_log(diag, DIAG_ERROR, &(SourceLoc) { path, 0, 0 }, EFBIG,
                                        "File too large (over %u bytes), refusing.", JSON_SIZE_MAX);
                k = read(fd, buf + n, MIN(allocated, (size_t) JSON_SIZE_MAX + 1) - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return diag_log(diag, DIAG_ERROR, NULL, errno, "Failed to read %s: %m", path);
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        return json_parse(buf ?: "", n, path, diag, ret);
}

const JsonMember *json_object_member(const JsonValue *v, const char *key) {
        if (!v || v->type != JSON_OBJECT)
                return NULL;
        for (size_t i = 0; i < v->object.n; i++)
                if (streq(v->object.members[i].key, key) && strlen(key) == v->object.members[i].key_len)
                        return &v->object.members[i];
        return NULL;
}

const JsonValue *json_object_get(const JsonValue *v, const char *key) {
        const JsonMember *m = json_object_member(v, key);

        return m ? m->value : NULL;
}

const char *json_type_to_string(JsonType t) {
        static const char *const names[] = {
                [JSON_NULL] = "null",
                [JSON_BOOLEAN] = "boolean",
                [JSON_NUMBER] = "number",
                [JSON_STRING] = "string",
                [JSON_ARRAY] = "array",
                [JSON_OBJECT] = "object",
        };

        return (unsigned) t < ELEMENTSOF(names) ? names[t] : "?";
}
