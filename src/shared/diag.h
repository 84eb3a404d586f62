/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Diagnostics: every message about user input names where it came from, in systemd's
 * "FILE:LINE: what, ignoring: VALUE" form. Parsers never print; they report to a Diag sink,
 * which counts warnings so that --strict can refuse to go on. */

#include <stdarg.h>

#include "macro.h"

enum {
        DIAG_ERROR = 3,
        DIAG_WARNING = 4,
        DIAG_NOTICE = 5,
        DIAG_INFO = 6,
        DIAG_DEBUG = 7,
};

/* Where a value came from. file is borrowed: it lives as long as the unit that was loaded. */
typedef struct SourceLoc {
        const char *file;
        unsigned line;
        unsigned column;        /* 0: none (unit files); JSON input has one */
} SourceLoc;

typedef void (*DiagFunc)(void *userdata, int level, const SourceLoc *loc, const char *message);

typedef struct Diag {
        DiagFunc func;          /* NULL: write "FILE:LINE: message" to stderr */
        void *userdata;
        int max_level;          /* messages with a higher level are counted but not shown; 0 means DIAG_NOTICE */
        unsigned n_errors;
        unsigned n_warnings;
} Diag;

/* Report a message. loc may be NULL or have a NULL file. error, if non-zero, is an errno
 * (either sign) available to the format as %m. Returns -abs(error), so callers can write
 * "return diag_log(d, DIAG_ERROR, loc, r, ...)". d may be NULL: stderr, warnings and worse. */
int diag_log(Diag *d, int level, const SourceLoc *loc, int error, const char *format, ...) _printf_(5, 6);
int diag_logv(Diag *d, int level, const SourceLoc *loc, int error, const char *format, va_list ap) _printf_(5, 0);

/* Format "FILE:LINE: " ("FILE:LINE:COLUMN: " with a column, "FILE: " when line is 0, or "" without a
 * file) into buf. */
const char *source_loc_prefix(const SourceLoc *loc, char *buf, size_t size);

#define SOURCE_LOC_NULL ((SourceLoc) { NULL, 0, 0 })
