/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "abi.h"
#include "cli-util.h"
#include "diag.h"

int cli_error(int error, const char *format, ...) {
        va_list ap;

        fputs("megafilter: ", stderr);
        va_start(ap, format);
        errno = abs(error);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        return error != 0 ? -abs(error) : -EINVAL;
}

void cli_log(int level, const char *file, unsigned line, const char *message, void *userdata) {
        const int *verbose = userdata;

        if (level > DIAG_NOTICE && !(verbose && *verbose > 0))
                return;
        if (!file)
                fprintf(stderr, "megafilter: %s\n", message);
        else if (line == 0)
                fprintf(stderr, "%s: %s\n", file, message);
        else
                fprintf(stderr, "%s:%u: %s\n", file, line, message);
}

unsigned cli_columns(void) {
        const char *e = getenv("COLUMNS");
        struct winsize ws;
        unsigned long n = 0;

        if (e && *e) {
                char *end;

                errno = 0;
                n = strtoul(e, &end, 10);
                if (errno != 0 || *end != 0)
                        n = 0;
        }
        if (n == 0 && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) >= 0)
                n = ws.ws_col;
        if (n == 0)
                n = 80;
        return (unsigned) MAX(MIN(n, 1000UL), 40UL);
}

static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

        if (la >= ELEMENTSOF(prev) || lb >= ELEMENTSOF(prev))
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++)
                        cur[j] = MIN(MIN(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] != b[j - 1]));
                memcpy(prev, cur, sizeof(size_t) * (lb + 1));
        }
        return prev[lb];
}

const char *cli_closest(const char *word, const char *const *candidates) {
        size_t best = SIZE_MAX, limit = MAX(strlen(word) / 3, (size_t) 1);
        const char *r = NULL;

        for (const char *const *c = candidates; *c; c++) {
                size_t d = edit_distance(word, *c);

                /* A prefix of a candidate is a good guess too ("comp" for "compile"). */
                if (strlen(word) >= 3 && startswith(*c, word))
                        d = MIN(d, (size_t) 1);
                if (d <= limit && d < best) {
                        best = d;
                        r = *c;
                }
        }
        return r;
}

int cli_parse_arch(const char *name, const char **ret) {
        Abi a;

        if (streq(name, "help")) {
                for (Abi i = 0; i < _ABI_MAX; i++)
                        printf("%s\n", abi_to_name(i));
                exit(EXIT_SUCCESS);
        }
        a = abi_from_name(name);

        if (a < 0) {
                _cleanup_free_ char *list = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&list, &size);

                if (!f)
                        return -ENOMEM;
                for (Abi i = 0; i < _ABI_MAX; i++)
                        fprintf(f, "%s%s", i > 0 ? ", " : "", abi_to_name(i));
                if (fclose(f) != 0)
                        return -ENOMEM;
                return cli_error(EOPNOTSUPP, "Unknown architecture %s; valid names: %s.", name, list);
        }
        *ret = name;
        return 0;
}

int cli_parse_layout(const char *s, int *ret) {
        if (streq(s, "split"))
                *ret = MF_LAYOUT_SPLIT;
        else if (streq(s, "single"))
                *ret = MF_LAYOUT_SINGLE;
        else
                return cli_error(EINVAL, "Unknown layout %s; valid layouts: split, single.", s);
        return 0;
}

int cli_parse_mdwe(const char *s, int *ret) {
        if (streq(s, "auto"))
                *ret = MF_MDWE_AUTO;
        else if (streq(s, "prctl"))
                *ret = MF_MDWE_PRCTL;
        else if (streq(s, "seccomp"))
                *ret = MF_MDWE_SECCOMP;
        else
                return cli_error(EINVAL, "Unknown MemoryDenyWriteExecute= mode %s; valid modes: auto, prctl, seccomp.", s);
        return 0;
}
