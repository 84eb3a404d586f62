/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The unit file parser: syntax as systemd 252 reads it, and its diagnostics. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "diag-capture.h"
#include "unit-file.h"

#define MIB (1024 * 1024)
#define FILE_NAME "/t/test.service"

typedef struct Parsed {
        UnitFile *u;
        Captured c;
        int r;
} Parsed;

static Parsed parse_n(const char *text, size_t size) {
        Parsed p = {};
        Diag d = CAPTURE_DIAG(&p.c);

        assert_int_equal(unit_file_new("test.service", &p.u), 0);
        p.r = unit_file_parse_text(p.u, FILE_NAME, text, size, &d);
        return p;
}

#define parse(text) parse_n((text), sizeof(text) - 1)

static void parsed_done(Parsed *p) {
        unit_file_free(p->u);
        capture_reset(&p->c);
}

static void assert_entry(const UnitFile *u, size_t i, const char *section, const char *key, const char *value, unsigned line) {
        assert_true(i < u->n_entries);
        assert_string_equal(u->entries[i].section, section);
        assert_string_equal(u->entries[i].key, key);
        assert_string_equal(u->entries[i].value, value);
        assert_string_equal(u->entries[i].loc.file, FILE_NAME);
        assert_int_equal(u->entries[i].loc.line, line);
}

static void test_basics(void **state) {
        Parsed p = parse(
                "# leading comment\n"
                "; another comment\n"
                "[Unit]\n"
                "Description = A  test  unit \n"
                "\t  # indented comment\n"
                "\n"
                "[Service]\n"
                "ExecStart=/bin/true\n"
                "  Environment=A=1  \n"
                "Environment=B=2\n"
                "Environment=\n"
                "X-Custom=kept\n"
                "Key With Spaces=v\n"
                "[Install]\n"
                "WantedBy=multi-user.target\n");

        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 0);
        assert_string_equal(p.u->name, "test.service");
        assert_null(p.u->path);
        assert_int_equal(p.u->n_entries, 8);
        assert_entry(p.u, 0, "Unit", "Description", "A  test  unit", 4);
        assert_entry(p.u, 1, "Service", "ExecStart", "/bin/true", 8);
        assert_entry(p.u, 2, "Service", "Environment", "A=1", 9);
        assert_entry(p.u, 3, "Service", "Environment", "B=2", 10);
        assert_entry(p.u, 4, "Service", "Environment", "", 11);
        assert_entry(p.u, 5, "Service", "X-Custom", "kept", 12);
        assert_entry(p.u, 6, "Service", "Key With Spaces", "v", 13);
        assert_entry(p.u, 7, "Install", "WantedBy", "multi-user.target", 15);

        /* Every SourceLoc points into u->files, one copy per file. */
        assert_int_equal(strv_length(p.u->files), 1);
        assert_ptr_equal(p.u->entries[0].loc.file, p.u->files[0]);
        assert_ptr_equal(p.u->entries[7].loc.file, p.u->files[0]);
        parsed_done(&p);
}

static void test_continuation(void **state) {
        /* The backslash becomes a space and the next line is appended as it is; comment lines
         * inside are dropped; the entry carries the line number of the last physical line. */
        Parsed p = parse(
                "[Service]\n"
                "ExecStart=/bin/echo hello \\\n"
                "# a comment inside\n"
                "  world \\\n"
                "; another\n"
                "  end\n"
                "Environment=A=\\\\\n"
                "Description=x\\\n"
                "\n"
                "Environment=B=1\n");

        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 0);
        assert_int_equal(p.u->n_entries, 4);
        assert_entry(p.u, 0, "Service", "ExecStart", "/bin/echo hello    world    end", 6);
        /* An escaped backslash does not continue the line. */
        assert_entry(p.u, 1, "Service", "Environment", "A=\\\\", 7);
        /* An empty line ends a continuation. */
        assert_entry(p.u, 2, "Service", "Description", "x", 9);
        assert_entry(p.u, 3, "Service", "Environment", "B=1", 10);
        parsed_done(&p);
}

static void test_continuation_at_eof(void **state) {
        Parsed p = parse("[Service]\nExecStart=/bin/true \\\n  --flag \\");

        /* Taken as it is, numbered one past the last line as systemd does; systemd says nothing,
         * megafilter warns about the line with the dangling backslash (the file looks cut short). */
        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 1);
        assert_string_equal(p.c.messages[0], FILE_NAME ":3: Line continuation at the end of the file, taking the line as it is.");
        assert_int_equal(p.u->n_entries, 1);
        assert_entry(p.u, 0, "Service", "ExecStart", "/bin/true    --flag", 4);
        parsed_done(&p);

        p = parse("[Service]\nExecStart=/bin/true \\\n# only a comment follows\n");
        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 1);
        assert_string_equal(p.c.messages[0], FILE_NAME ":2: Line continuation at the end of the file, taking the line as it is.");
        assert_entry(p.u, 0, "Service", "ExecStart", "/bin/true", 4);
        parsed_done(&p);
}

static void test_line_endings(void **state) {
        /* CRLF is one line end, a lone CR is one, "\n\r" is one, "\r\r" is two. */
        Parsed p = parse("[Service]\r\nA=1\r\nB=2\rC=3\n\rD=4\r\r\rE=5");

        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 0);
        assert_int_equal(p.u->n_entries, 5);
        assert_entry(p.u, 0, "Service", "A", "1", 2);
        assert_entry(p.u, 1, "Service", "B", "2", 3);
        assert_entry(p.u, 2, "Service", "C", "3", 4);
        assert_entry(p.u, 3, "Service", "D", "4", 5);
        assert_entry(p.u, 4, "Service", "E", "5", 8);
        parsed_done(&p);
}

static void test_nul_bytes(void **state) {
        /* systemd's line reader takes NUL as a line end, "\n\0" as one, "\0\n" as two: what follows
         * a NUL is parsed as the next line, without a diagnostic. */
        Parsed p = parse("[Service]\nA=x\0B=y\n\0C=z\0\nD=w\n\0\0Key\0");

        assert_int_equal(p.r, 0);
        assert_int_equal(p.u->n_entries, 4);
        assert_entry(p.u, 0, "Service", "A", "x", 2);
        assert_entry(p.u, 1, "Service", "B", "y", 3);
        assert_entry(p.u, 2, "Service", "C", "z", 4);
        assert_entry(p.u, 3, "Service", "D", "w", 6);
        assert_messages_count(&p.c, 1);
        assert_message(&p.c, 0, DIAG_WARNING, FILE_NAME ":8: Missing '=', ignoring line.");
        parsed_done(&p);

        /* A NUL inside a continuation ends the physical line like a newline. */
        p = parse("[Service]\nA=x \\\0y\n");
        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 0);
        assert_entry(p.u, 0, "Service", "A", "x  y", 3);
        parsed_done(&p);
}

static void test_bom(void **state) {
        Parsed p = parse("\xef\xbb\xbf[Unit]\nDescription=x\n");

        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 0);
        assert_entry(p.u, 0, "Unit", "Description", "x", 2);
        parsed_done(&p);

        /* Only one is dropped: a second one is part of the line. */
        p = parse("\xef\xbb\xbf\n\xef\xbb\xbf[Unit]\n");
        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 1);
        assert_message(&p.c, 0, DIAG_WARNING, FILE_NAME ":2: Assignment outside of section. Ignoring.");
        parsed_done(&p);
}

static void test_malformed_lines(void **state) {
        Parsed p = parse(
                "Orphan=1\n"
                "[Service]\n"
                "NoEquals\n"
                "=value\n"
                "Ok=1\n"
                "[Bogus]\n"
                "Hidden=1\n"
                "NoEqualsHere\n"
                "[X-Extension]\n"
                "Also=hidden\n"
                "[]\n"
                "[ Service ]\n"
                "[Unit]\n"
                "Description=back\n");

        assert_int_equal(p.r, 0);
        assert_int_equal(p.u->n_entries, 2);
        assert_entry(p.u, 0, "Service", "Ok", "1", 5);
        assert_entry(p.u, 1, "Unit", "Description", "back", 14);
        assert_messages_count(&p.c, 6);
        assert_message(&p.c, 0, DIAG_WARNING, FILE_NAME ":1: Assignment outside of section. Ignoring.");
        assert_message(&p.c, 1, DIAG_WARNING, FILE_NAME ":3: Missing '=', ignoring line.");
        assert_message(&p.c, 2, DIAG_WARNING, FILE_NAME ":4: Missing key name before '=', ignoring line.");
        /* Inside an unknown section nothing else is reported; X- sections are silent. */
        assert_message(&p.c, 3, DIAG_WARNING, FILE_NAME ":6: Unknown section 'Bogus'. Ignoring.");
        assert_message(&p.c, 4, DIAG_WARNING, FILE_NAME ":11: Unknown section ''. Ignoring.");
        assert_message(&p.c, 5, DIAG_WARNING, FILE_NAME ":12: Unknown section ' Service '. Ignoring.");
        parsed_done(&p);
}

static void test_bad_section_header(void **state) {
        /* Fatal for the file, as in systemd (the unit fails to load with "Bad message"); what came
         * before stays appended. */
        Parsed p = parse("[Service]\nA=1\n[Service\nB=2\n");

        assert_int_equal(p.r, -EBADMSG);
        assert_int_equal(p.u->n_entries, 1);
        assert_entry(p.u, 0, "Service", "A", "1", 2);
        assert_messages_count(&p.c, 1);
        assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":3: Invalid section header '[Service'");
        parsed_done(&p);

        p = parse("[Ser\"vice]\n");
        assert_int_equal(p.r, -EBADMSG);
        assert_messages_count(&p.c, 1);
        assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":1: Bad characters in section header '[Ser\"vice]'");
        parsed_done(&p);

        p = parse("[\n");
        assert_int_equal(p.r, -EBADMSG);
        assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":1: Invalid section header '['");
        parsed_done(&p);

        p = parse("[Ser\tvice]\n");
        assert_int_equal(p.r, -EBADMSG);
        assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":1: Bad characters in section header '[Ser\tvice]'");
        parsed_done(&p);
}

static void test_invalid_utf8(void **state) {
        static const char *const bad[] = {
                "\xff",                 /* not a lead byte */
                "\x80",                 /* a lone continuation byte */
                "\xc3",                 /* truncated */
                "\xc0\x80",             /* overlong NUL */
                "\xe0\x80\xaf",         /* overlong '/' */
                "\xed\xa0\x80",         /* surrogate */
                "\xef\xbf\xbe",         /* U+FFFE */
                "\xef\xb7\x90",         /* U+FDD0 */
                "\xf4\x90\x80\x80",     /* above U+10FFFF */
                "\xf8\x88\x80\x80\x80", /* five bytes */
        };
        Parsed p;

        /* Fatal for the file in systemd 252 too, despite the wording. */
        p = parse("[Unit]\nDescription=ok\nDescription=x\xff y\n");
        assert_int_equal(p.r, -EINVAL);
        assert_int_equal(p.u->n_entries, 1);
        assert_messages_count(&p.c, 1);
        assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":3: String is not UTF-8 clean, ignoring assignment: Description=x\xef\xbf\xbd y");
        parsed_done(&p);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char text[64];

                snprintf(text, sizeof text, "[Unit]\nDescription=%s\n", bad[i]);
                p = parse_n(text, strlen(text));
                assert_int_equal(p.r, -EINVAL);
                assert_int_equal(p.u->n_entries, 0);
                parsed_done(&p);
        }

        /* Valid multi-byte characters, and invalid bytes in a comment, are fine. */
        p = parse("[Unit]\n# \xff\xfe\nDescription=caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd\n");
        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 0);
        assert_entry(p.u, 0, "Unit", "Description", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd", 3);
        parsed_done(&p);

        /* Checked before the section: even inside an unknown section it is fatal. */
        p = parse("[X-Foo]\nA=\xff\n");
        assert_int_equal(p.r, -EINVAL);
        parsed_done(&p);
}

/* "[Service]\nA=" followed by a value making a line of exactly len characters, then more. */
static Parsed parse_long_line(size_t len, const char *before, const char *after) {
        size_t nb = strlen(before), na = strlen(after);
        char *text = malloc(nb + len + na + 1);
        Parsed p;

        assert_non_null(text);
        memcpy(text, before, nb);
        memcpy(text + nb, "A=", 2);
        memset(text + nb + 2, 'a', len - 2);
        memcpy(text + nb + len, after, na);
        p = parse_n(text, nb + len + na);
        free(text);
        return p;
}

static void test_long_lines(void **state) {
        Parsed p;

        /* 1 MiB - 1 characters is the longest line systemd reads. */
        p = parse_long_line(MIB - 1, "[Service]\n", "\nB=1\n");
        assert_int_equal(p.r, 0);
        assert_messages_count(&p.c, 0);
        assert_int_equal(p.u->n_entries, 2);
        assert_int_equal(strlen(p.u->entries[0].value), MIB - 3);
        parsed_done(&p);

        /* Exactly 1 MiB fails already, even at the end of the file. */
        p = parse_long_line(MIB, "[Service]\nB=1\n", "");
        assert_int_equal(p.r, -E2BIG);
        assert_int_equal(p.u->n_entries, 1);
        assert_messages_count(&p.c, 1);
        assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":3: Line too long");
        parsed_done(&p);

        p = parse_long_line(MIB + 1, "[Service]\n", "\n");
        assert_int_equal(p.r, -E2BIG);
        assert_int_equal(p.u->n_entries, 0);
        assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":2: Line too long");
        parsed_done(&p);

        /* Joined lines may not exceed 1 MiB either. */
        {
                size_t half = MIB / 2 + 8;
                char *text = malloc(2 * half + 64), *t = text;

                assert_non_null(text);
                t = stpcpy(t, "[Service]\nA=");
                memset(t, 'a', half);
                t += half;
                t = stpcpy(t, "\\\n");
                memset(t, 'b', half);
                t += half;
                t = stpcpy(t, "\n");
                p = parse_n(text, t - text);
                free(text);
                assert_int_equal(p.r, -E2BIG);
                assert_int_equal(p.u->n_entries, 0);
                assert_messages_count(&p.c, 1);
                assert_message(&p.c, 0, DIAG_ERROR, FILE_NAME ":3: Continuation line too long");
                parsed_done(&p);
        }
}

static void test_append_and_new(void **state) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        char file[] = "(command line)";

        assert_int_equal(unit_file_new("foo", &u), 0);
        assert_string_equal(u->name, "foo.service");
        assert_int_equal(u->flags, 0);
        assert_int_equal(unit_file_append(u, "Service", "User", "nobody", (SourceLoc) { file, 0 }), 0);
        assert_int_equal(unit_file_append(u, "Service", "Group", "", (SourceLoc) { file, 0 }), 0);
        file[0] = 'X';          /* copied, not borrowed */
        assert_int_equal(u->n_entries, 2);
        assert_string_equal(u->entries[0].loc.file, "(command line)");
        assert_ptr_equal(u->entries[0].loc.file, u->entries[1].loc.file);
        assert_string_equal(u->entries[1].value, "");
        unit_file_free(TAKE_PTR(u));

        assert_int_equal(unit_file_new("foo@bar", &u), 0);
        assert_string_equal(u->name, "foo@bar.service");
        unit_file_free(TAKE_PTR(u));
        assert_int_equal(unit_file_new("foo.socket", &u), -EINVAL);
        assert_int_equal(unit_file_new("", &u), -EINVAL);
        assert_int_equal(unit_file_new("a b", &u), -EINVAL);
        assert_int_equal(unit_file_new("@x", &u), -EINVAL);
        assert_null(u);
}

/* Random byte soup built from the characters that matter to the parser: never a crash or leak
 * (the sanitizer build checks), and every entry is well-formed. */
static void test_fuzz(void **state) {
        static const char *const pieces[] = {
                "[Service]", "[Unit]", "[Install]", "[X-A]", "[Bad", "[]", "\n", "\r", "\r\n", "\n\r", "\0",
                "\\", "\\\\", "#", ";", " ", "\t", "=", "Key", "Value", "\xff", "\xc3\xa9", "\xef\xbb\xbf",
                "\xe2\x82", "\"", "'",
        };
        unsigned seed = 12345;

        for (unsigned iter = 0; iter < 3000; iter++) {
                char text[512];
                size_t n = 0;
                Parsed p;

                for (unsigned k = (seed = seed * 1103515245 + 12345) % 40; k > 0; k--) {
                        const char *piece;
                        size_t l;

                        seed = seed * 1103515245 + 12345;
                        piece = pieces[(seed >> 16) % ELEMENTSOF(pieces)];
                        l = piece[0] ? strlen(piece) : 1;
                        if (n + l > sizeof text)
                                break;
                        memcpy(text + n, piece, l);
                        n += l;
                }

                p = parse_n(text, n);
                assert_true(p.r == 0 || p.r == -EBADMSG || p.r == -EINVAL || p.r == -E2BIG);
                for (size_t i = 0; i < p.u->n_entries; i++) {
                        const UnitEntry *e = p.u->entries + i;

                        assert_true(streq(e->section, "Service") || streq(e->section, "Unit") || streq(e->section, "Install"));
                        assert_true(e->key[0] != 0);
                        assert_null(strpbrk(e->value, "\n\r"));
                        assert_true(e->loc.line >= 1);
                }
                parsed_done(&p);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basics),
                cmocka_unit_test(test_continuation),
                cmocka_unit_test(test_continuation_at_eof),
                cmocka_unit_test(test_line_endings),
                cmocka_unit_test(test_nul_bytes),
                cmocka_unit_test(test_bom),
                cmocka_unit_test(test_malformed_lines),
                cmocka_unit_test(test_bad_section_header),
                cmocka_unit_test(test_invalid_utf8),
                cmocka_unit_test(test_long_lines),
                cmocka_unit_test(test_append_and_new),
                cmocka_unit_test(test_fuzz),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
