/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A minimal streaming JSON writer: commas and nesting handled, strings escaped. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct JsonWriter {
        FILE *f;
        unsigned depth;
        bool need_comma[64];            /* per nesting level */
        bool after_key;
} JsonWriter;

void json_object_begin(JsonWriter *j);
void json_object_end(JsonWriter *j);
void json_array_begin(JsonWriter *j);
void json_array_end(JsonWriter *j);
void json_key(JsonWriter *j, const char *key);
void json_string(JsonWriter *j, const char *s);         /* NULL writes null */
void json_uint(JsonWriter *j, uint64_t v);
void json_double(JsonWriter *j, double v);
void json_bool(JsonWriter *j, bool b);
void json_key_string(JsonWriter *j, const char *key, const char *s);
void json_key_uint(JsonWriter *j, const char *key, uint64_t v);
void json_key_double(JsonWriter *j, const char *key, double v);
void json_key_bool(JsonWriter *j, const char *key, bool b);
void json_writer_done(JsonWriter *j);
