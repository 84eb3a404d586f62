/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "diag.h"

const char *source_loc_prefix(const SourceLoc *loc, char *buf, size_t size) {
        if (!loc || !loc->file)
                snprintf(buf, size, "%s", "");
        else if (loc->line == 0)
                snprintf(buf, size, "%s: ", loc->file);
        else if (loc->column == 0)
                snprintf(buf, size, "%s:%u: ", loc->file, loc->line);
        else
                snprintf(buf, size, "%s:%u:%u: ", loc->file, loc->line, loc->column);
        return buf;
}

/* Apart, with its buffers: a message nobody wants costs no stack (a forked child pays for every
 * page of stack it touches). */
static __attribute__((noinline, format(printf, 5, 0)))
void diag_emit(Diag *d, int level, const SourceLoc *loc, int error, const char *format, va_list ap) {
        int saved_errno = errno;
        char message[2048], prefix[1024];

        errno = abs(error);             /* for %m */
        vsnprintf(message, sizeof message, format, ap);

        if (d && d->func)
                d->func(d->userdata, level, loc, message);
        else
                fprintf(stderr, "%s%s\n", source_loc_prefix(loc, prefix, sizeof prefix), message);
        errno = saved_errno;
}

int diag_logv(Diag *d, int level, const SourceLoc *loc, int error, const char *format, va_list ap) {
        int max_level;

        if (d) {
                if (level <= DIAG_ERROR)
                        d->n_errors++;
                else if (level == DIAG_WARNING)
                        d->n_warnings++;
        }

        max_level = d && d->max_level > 0 ? d->max_level : (d ? DIAG_NOTICE : DIAG_WARNING);
        if (level <= max_level || (d && d->func))
                diag_emit(d, level, loc, error, format, ap);

        return -abs(error);
}

int diag_log(Diag *d, int level, const SourceLoc *loc, int error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = diag_logv(d, level, loc, error, format, ap);
        va_end(ap);
        return r;
}
