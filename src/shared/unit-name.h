/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Unit names as systemd 252 spells them: "prefix[@instance].type", at most 255 characters, the
 * prefix and instance made of [A-Za-z0-9:_.\\-] (the instance may also hold '@'). A template has
 * an '@' and an empty instance. Internal to the unit file loader and the specifiers. */

#include <stdbool.h>

#include "macro.h"

#define UNIT_NAME_MAX 256

typedef enum UnitNameKind {
        UNIT_NAME_PLAIN    = 1 << 0,    /* "foo.service" */
        UNIT_NAME_INSTANCE = 1 << 1,    /* "foo@bar.service" */
        UNIT_NAME_TEMPLATE = 1 << 2,    /* "foo@.service" */
        UNIT_NAME_ANY      = UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE,
} UnitNameKind;

/* The kind of n (one bit of UnitNameKind), or 0 if n is not a valid unit name of a type systemd
 * knows. */
UnitNameKind unit_name_kind(const char *n);
static inline bool unit_name_is_valid(const char *n, UnitNameKind kinds) {
        return (unit_name_kind(n) & kinds) != 0;
}

/* "service" for "foo.service"; NULL if n is not a valid unit name. Points into n. */
const char *unit_name_suffix(const char *n);
/* Whether s names a unit type ("service", "socket", …). */
bool unit_type_is_valid(const char *s);

bool unit_prefix_is_valid(const char *p);
bool unit_instance_is_valid(const char *i);

/* All return 0 or a negative errno (-EINVAL for a name of the wrong kind, -ENOMEM). */
int unit_name_prefix(const char *n, char **ret);                /* "foo" for "foo@bar.service" */
int unit_name_instance(const char *n, char **ret);              /* "bar"; NULL for a plain name, "" for a template */
int unit_name_without_suffix(const char *n, char **ret);        /* "foo@bar" */
int unit_name_template(const char *n, char **ret);              /* "foo@.service" for "foo@bar.service" */
int unit_name_replace_instance(const char *n, const char *instance, char **ret);
int unit_name_from_parts(const char *prefix, const char *instance, const char *type, char **ret);

/* Undo systemd's name escaping: "-" is "/", "\xNN" a byte. */
int unit_name_unescape(const char *s, char **ret);
/* An escaped path ("-" is "/", "foo-bar" is "/foo/bar") back to an absolute, normalized path. */
int unit_name_path_unescape(const char *s, char **ret);

/* A service unit name from what a user typed: "foo" is "foo.service", "foo@bar" is
 * "foo@bar.service". -EINVAL if the result is not a valid name or names a unit of another type. */
int unit_name_to_service(const char *name, char **ret);
