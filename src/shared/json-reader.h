/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A strict JSON reader (RFC 8259) for input we compile: UTF-8 only (no BOM, no overlong forms,
 * no surrogates in the bytes), \u escapes with surrogate pairs, no duplicate keys, a nesting
 * limit and a size limit. Every value knows where it starts (line and column, both from 1, the
 * column counted in bytes), and numbers keep their text besides their exact integer value when
 * they have one. Errors are reported as "FILE:LINE:COLUMN: …" through Diag; nothing is printed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

#define JSON_DEPTH_MAX 256
#define JSON_SIZE_MAX (16u * 1024 * 1024)

typedef enum JsonType {
        JSON_NULL,
        JSON_BOOLEAN,
        JSON_NUMBER,
        JSON_STRING,
        JSON_ARRAY,
        JSON_OBJECT,
} JsonType;

typedef struct JsonValue JsonValue;
typedef struct JsonMember JsonMember;

struct JsonValue {
        JsonType type;
        unsigned line, column;
        union {
                bool boolean;
                struct {
                        const char *text;       /* as written */
                        bool integer;           /* no fraction, no exponent */
                        bool negative;
                        bool fits_u64;          /* integer in 0…UINT64_MAX: value.u */
                        bool fits_i64;          /* integer in INT64_MIN…INT64_MAX: value.i */
                        uint64_t u;
                        int64_t i;
                } number;
                struct {
                        const char *s;          /* NUL-terminated; may hold NULs (\u0000): see len */
                        size_t len;
                } string;
                struct {
                        JsonValue **items;
                        size_t n;
                } array;
                struct {
                        JsonMember *members;    /* in input order */
                        size_t n;
                } object;
        };
};

struct JsonMember {
        const char *key;
        size_t key_len;
        unsigned line, column;                  /* of the key */
        JsonValue *value;
};

typedef struct JsonDocument {
        Arena arena;                            /* holds everything below */
        const char *file;                       /* for diagnostics (a copy) */
        JsonValue *root;
} JsonDocument;

/* Parse size bytes of text; file names the input in diagnostics. -EINVAL (bad JSON, reported),
 * -EFBIG (over JSON_SIZE_MAX), -ENOMEM. */
int json_parse(const char *text, size_t size, const char *file, Diag *diag, JsonDocument **ret);
/* Read and parse a file ("-": standard input). Also -errno of opening or reading it. */
int json_parse_file(const char *path, Diag *diag, JsonDocument **ret);

JsonDocument *json_document_free(JsonDocument *d);
DEFINE_POINTER_CLEANUP(JsonDocument, json_document_free);

/* The member of an object called key, or NULL (also when v is not an object). */
const JsonValue *json_object_get(const JsonValue *v, const char *key);
/* The member itself (for its key's location). */
const JsonMember *json_object_member(const JsonValue *v, const char *key);

/* "null", "boolean", "number", "string", "array", "object". */
const char *json_type_to_string(JsonType t);

/* Where v starts in d, for diagnostics. */
static inline SourceLoc json_loc(const JsonDocument *d, const JsonValue *v) {
        return (SourceLoc) { d->file, v ? v->line : 0, v ? v->column : 0 };
}
