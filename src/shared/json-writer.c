/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>

#include "json-writer.h"

static void value_prefix(JsonWriter *j) {
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (j->depth > 0 && j->need_comma[j->depth])
                fputc(',', j->f);
        if (j->depth > 0)
                j->need_comma[j->depth] = true;
}

static void nest_open(JsonWriter *j, char c) {
        value_prefix(j);
        fputc(c, j->f);
        if (j->depth + 1 < sizeof(j->need_comma))
                j->depth++;
        j->need_comma[j->depth] = false;
}

static void nest_close(JsonWriter *j, char c) {
        if (j->depth > 0)
                j->depth--;
        fputc(c, j->f);
}

void json_object_begin(JsonWriter *j) {
        nest_open(j, '{');
}

void json_object_end(JsonWriter *j) {
        nest_close(j, '}');
}

void json_array_begin(JsonWriter *j) {
        nest_open(j, '[');
}

void json_array_end(JsonWriter *j) {
        nest_close(j, ']');
}

static void write_escaped(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (*p < 0x20)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                }
        fputc('"', f);
}

void json_key(JsonWriter *j, const char *key) {
        value_prefix(j);
        write_escaped(j->f, key);
        fputc(':', j->f);
        j->after_key = true;
}

void json_string(JsonWriter *j, const char *s) {
        value_prefix(j);
        if (s)
                write_escaped(j->f, s);
        else
                fputs("null", j->f);
}

void json_uint(JsonWriter *j, uint64_t v) {
        value_prefix(j);
        fprintf(j->f, "%" PRIu64, v);
}

void json_double(JsonWriter *j, double v) {
        value_prefix(j);
        fprintf(j->f, "%.2f", v);
}

void json_bool(JsonWriter *j, bool b) {
        value_prefix(j);
        fputs(b ? "true" : "false", j->f);
}

void json_key_string(JsonWriter *j, const char *key, const char *s) {
        json_key(j, key);
        json_string(j, s);
}

void json_key_uint(JsonWriter *j, const char *key, uint64_t v) {
        json_key(j, key);
        json_uint(j, v);
}

void json_key_double(JsonWriter *j, const char *key, double v) {
        json_key(j, key);
        json_double(j, v);
}

void json_key_bool(JsonWriter *j, const char *key, bool b) {
        json_key(j, key);
        json_bool(j, b);
}

void json_writer_done(JsonWriter *j) {
        fflush(j->f);
}
