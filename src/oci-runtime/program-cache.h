/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* megafilter-crun's cache of compiled programs: engines start container after container with the
 * same profile, and a hit skips merging, generating and verifying. An entry holds its whole key
 * (this binary's identity, the native ABI, the strict-names flag and the linux.seccomp object as
 * text) and the program's base64, and is used only when the key matches byte for byte: a hash
 * only names the file. Only compiled, verified programs are stored; a directory or file not owned
 * by the caller, or writable by others, is not used. */

#include <stdbool.h>

#include "json-reader.h"

typedef struct ProgramCache {
        char *dir;
        char *key;
        size_t key_len;
        char *path;
} ProgramCache;

/* The cache for seccomp (linux.seccomp of a config.json): $MEGAFILTER_CRUN_CACHE (empty: none),
 * else /run/megafilter-crun as root, $XDG_RUNTIME_DIR/megafilter-crun otherwise. 0 with
 * c->path NULL when there is no usable cache; -ENOMEM. */
int program_cache_open(ProgramCache *c, const JsonValue *seccomp, const char *native, bool strict);
/* The base64 program of a matching entry (malloc()ed), or NULL. */
char *program_cache_get(const ProgramCache *c);
/* Store b64 (atomically; failures are ignored: it is a cache). */
void program_cache_put(const ProgramCache *c, const char *b64);
void program_cache_done(ProgramCache *c);
