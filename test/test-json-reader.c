/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#include "diag-capture.h"
#include "json-reader.h"

static JsonDocument *parse_ok(const char *text) {
        JsonDocument *d = NULL;
        Captured c = {};
        Diag diag = CAPTURE_DIAG(&c);

        assert_int_equal(json_parse(text, strlen(text), "t.json", &diag, &d), 0);
        assert_messages_count(&c, 0);
        capture_reset(&c);
        return d;
}

static void test_values_and_locations(void **state) {
        _cleanup_(json_document_freep) JsonDocument *d =
                parse_ok("{\n  \"a\": [1, -2, 3.5e1, true, false, null],\n\t\"b\" : {\"c\": \"x\\ty\"}\n}\n");
        const JsonValue *a, *b, *c;

        assert_int_equal(d->root->type, JSON_OBJECT);
        assert_int_equal(d->root->line, 1);
        assert_int_equal(d->root->column, 1);
        assert_int_equal(d->root->object.n, 2);
        a = json_object_get(d->root, "a");
        assert_non_null(a);
        assert_int_equal(a->type, JSON_ARRAY);
        assert_int_equal(a->line, 2);
        assert_int_equal(a->column, 8);
        assert_int_equal(a->array.n, 6);
        assert_true(a->array.items[0]->number.fits_u64);
        assert_int_equal(a->array.items[0]->number.u, 1);
        assert_int_equal(a->array.items[0]->column, 9);
        assert_false(a->array.items[1]->number.fits_u64);
        assert_true(a->array.items[1]->number.fits_i64);
        assert_int_equal(a->array.items[1]->number.i, -2);
        assert_false(a->array.items[2]->number.integer);
        assert_string_equal(a->array.items[2]->number.text, "3.5e1");
        assert_int_equal(a->array.items[3]->type, JSON_BOOLEAN);
        assert_true(a->array.items[3]->boolean);
        assert_false(a->array.items[4]->boolean);
        assert_int_equal(a->array.items[5]->type, JSON_NULL);
        b = json_object_get(d->root, "b");
        assert_int_equal(b->line, 3);
        assert_int_equal(b->column, 8);
        assert_int_equal(json_object_member(d->root, "b")->column, 2);
        c = json_object_get(b, "c");
        assert_int_equal(c->type, JSON_STRING);
        assert_string_equal(c->string.s, "x\ty");
        assert_null(json_object_get(d->root, "nope"));
        assert_null(json_object_get(a, "a"));
}

static void test_numbers(void **state) {
        static const struct {
                const char *text;
                bool fits_u64, fits_i64;
                uint64_t u;
                int64_t i;
        } cases[] = {
                { "0", true, true, 0, 0 },
                { "-0", true, true, 0, 0 },
                { "18446744073709551615", true, false, UINT64_MAX, 0 },
                { "18446744073709551616", false, false, 0, 0 },
                { "9223372036854775807", true, true, INT64_MAX, INT64_MAX },
                { "9223372036854775808", true, false, UINT64_C(9223372036854775808), 0 },
                { "-9223372036854775808", false, true, 0, INT64_MIN },
                { "-9223372036854775809", false, false, 0, 0 },
                { "99999999999999999999999", false, false, 0, 0 },
                { "1.0", false, false, 0, 0 },
                { "1E2", false, false, 0, 0 },
        };

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                _cleanup_(json_document_freep) JsonDocument *d = parse_ok(cases[k].text);

                assert_int_equal(d->root->type, JSON_NUMBER);
                assert_string_equal(d->root->number.text, cases[k].text);
                assert_int_equal(d->root->number.fits_u64, cases[k].fits_u64);
                assert_int_equal(d->root->number.fits_i64, cases[k].fits_i64);
                if (cases[k].fits_u64)
                        assert_true(d->root->number.u == cases[k].u);
                if (cases[k].fits_i64)
                        assert_true(d->root->number.i == cases[k].i);
        }
}

static void test_strings(void **state) {
        _cleanup_(json_document_freep) JsonDocument *d =
                parse_ok("[\"\\u00e9\\u20ac\\ud83d\\ude00\", \"é€😀\", \"a\\u0000b\", \"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\"]");
        JsonValue **v = d->root->array.items;

        assert_string_equal(v[0]->string.s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
        assert_string_equal(v[1]->string.s, v[0]->string.s);
        assert_int_equal(v[2]->string.len, 3);
        assert_memory_equal(v[2]->string.s, "a\0b", 3);
        assert_string_equal(v[3]->string.s, "\"\\/\b\f\n\r\t");
        assert_int_equal(v[4]->string.len, 0);
}

static void test_malformed(void **state) {
        static const struct {
                const char *text;
                size_t size;            /* 0: strlen */
                const char *message;
        } cases[] = {
                { "", 0, "t.json:1:1: Unexpected end of input, expected a value." },
                { "  \n  ", 0, "t.json:2:3: Unexpected end of input, expected a value." },
                { "{\"a\": 1,}", 0, "t.json:1:9: Unexpected '}' in an object, expected a key (a string)." },
                { "[1,]", 0, "t.json:1:4: Unexpected ']', expected a value." },
                { "[1 2]", 0, "t.json:1:4: Unexpected '2' in an array, expected ',' or ']'." },
                { "{\"a\" 1}", 0, "t.json:1:6: Unexpected '1' after a key, expected ':'." },
                { "{\n \"a\": 1,\n \"a\": 2}", 0, "t.json:3:2: Duplicate key \"a\" (first at line 2, column 2)." },
                { "{'a': 1}", 0, "t.json:1:2: Unexpected ''' in an object, expected a key (a string)." },
                { "01", 0, "t.json:1:1: Invalid number: no leading zeros." },
                { "-", 0, "t.json:1:1: Invalid number: a digit must follow '-'." },
                { "+1", 0, "t.json:1:1: Unexpected '+', expected a value." },
                { "1.", 0, "t.json:1:3: Invalid number: a digit must follow '.'." },
                { ".5", 0, "t.json:1:1: Unexpected '.', expected a value." },
                { "1e", 0, "t.json:1:3: Invalid number: a digit must follow the exponent." },
                { "NaN", 0, "t.json:1:1: Unexpected 'N', expected a value." },
                { "tru", 0, "t.json:1:1: Unexpected 't', expected a value." },
                { "truex", 0, "t.json:1:1: Unexpected 't', expected a value." },
                { "nul", 0, "t.json:1:1: Unexpected 'n', expected a value." },
                { "1 2", 0, "t.json:1:3: Unexpected '2' after the value." },
                { "\"abc", 0, "t.json:1:1: Unterminated string." },
                { "\"a\tb\"", 0, "t.json:1:3: Control character 0x09 in a string (write it as \\u0009)." },
                { "\"\\x\"", 0, "t.json:1:2: Invalid escape sequence." },
                { "\"\\u12x4\"", 0, "t.json:1:6: Invalid hex digit in \\u escape." },
                { "\"\\u12", 0, "t.json:1:4: Truncated \\u escape." },
                { "\"\\ud800\"", 0, "t.json:1:2: High surrogate \\ud800 without a low one." },
                { "\"\\ud800\\u0041\"", 0, "t.json:1:2: High surrogate \\ud800 without a low one." },
                { "\"\\udc00\"", 0, "t.json:1:2: Unpaired low surrogate \\udc00." },
                { "\"\xc3\"", 0, "t.json:1:2: Invalid UTF-8 (byte 0xc3)." },
                { "\"\xc0\xaf\"", 0, "t.json:1:2: Invalid UTF-8 (byte 0xc0)." },            /* overlong '/' */
                { "\"\xe0\x80\xaf\"", 0, "t.json:1:2: Invalid UTF-8 (byte 0xe0)." },        /* overlong */
                { "\"\xed\xa0\x80\"", 0, "t.json:1:2: Invalid UTF-8 (byte 0xed)." },        /* a surrogate */
                { "\"\xf4\x90\x80\x80\"", 0, "t.json:1:2: Invalid UTF-8 (byte 0xf4)." },    /* above U+10FFFF */
                { "\xef\xbb\xbf{}", 0, "t.json:1:1: Byte order mark at the start: JSON text must not have one." },
                { "[\0]", 3, "t.json:1:2: Unexpected byte 0x00, expected a value." },
                { "{}\x01", 0, "t.json:1:3: Unexpected byte 0x01 after the value." },
                { "// x\n{}", 0, "t.json:1:1: Unexpected '/', expected a value." },
        };

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                JsonDocument *d = NULL;
                Captured c = {};
                Diag diag = CAPTURE_DIAG(&c);
                size_t size = cases[k].size ?: strlen(cases[k].text);

                assert_int_equal(json_parse(cases[k].text, size, "t.json", &diag, &d), -EINVAL);
                assert_null(d);
                assert_messages_count(&c, 1);
                assert_message(&c, 0, DIAG_ERROR, cases[k].message);
                capture_reset(&c);
        }
}

static void test_depth(void **state) {
        char text[2 * (JSON_DEPTH_MAX + 1) + 1];
        JsonDocument *d = NULL;
        Captured c = {};
        Diag diag = CAPTURE_DIAG(&c);
        char want[128];

        /* JSON_DEPTH_MAX levels are fine, one more is not. */
        memset(text, '[', JSON_DEPTH_MAX);
        memset(text + JSON_DEPTH_MAX, ']', JSON_DEPTH_MAX);
        assert_int_equal(json_parse(text, 2 * JSON_DEPTH_MAX, "t.json", &diag, &d), 0);
        d = json_document_free(d);

        memset(text, '[', JSON_DEPTH_MAX + 1);
        memset(text + JSON_DEPTH_MAX + 1, ']', JSON_DEPTH_MAX + 1);
        assert_int_equal(json_parse(text, 2 * (JSON_DEPTH_MAX + 1), "t.json", &diag, &d), -EINVAL);
        snprintf(want, sizeof want, "t.json:1:%d: Nesting deeper than %d levels.", JSON_DEPTH_MAX + 1, JSON_DEPTH_MAX);
        assert_message(&c, 0, DIAG_ERROR, want);
        capture_reset(&c);
}

static void test_file_limits(void **state) {
        char path[] = "/tmp/test-json-reader-XXXXXX", want[256];
        _cleanup_close_ int fd = mkstemp(path);
        JsonDocument *d = NULL;
        Captured c = {};
        Diag diag = CAPTURE_DIAG(&c);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "{\"a\":\n [] }", 11), 11);
        assert_int_equal(json_parse_file(path, &diag, &d), 0);
        assert_int_equal(json_object_get(d->root, "a")->line, 2);
        assert_string_equal(d->file, path);
        d = json_document_free(d);

        /* Over the limit: refused before reading it, whatever it holds. */
        assert_int_equal(ftruncate(fd, (off_t) JSON_SIZE_MAX + 1), 0);
        assert_int_equal(json_parse_file(path, &diag, &d), -EFBIG);
        snprintf(want, sizeof want, "%s: File too large (%u bytes, at most %u accepted), refusing.",
                 path, JSON_SIZE_MAX + 1, JSON_SIZE_MAX);
        assert_message(&c, 0, DIAG_ERROR, want);
        capture_reset(&c);

        assert_int_equal(json_parse_file("/nonexistent/x.json", &diag, &d), -ENOENT);
        assert_message(&c, 0, DIAG_ERROR, "Failed to open /nonexistent/x.json: No such file or directory");
        capture_reset(&c);
        assert_int_equal(unlink(path), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values_and_locations),
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_depth),
                cmocka_unit_test(test_file_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
