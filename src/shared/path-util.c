/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>

#include "macro.h"
#include "path-util.h"

bool filename_is_valid(const char *p) {
        size_t n;

        if (isempty(p) || streq(p, ".") || streq(p, "..") || strchr(p, '/'))
                return false;
        n = strlen(p);
        return n <= NAME_MAX;
}

bool path_is_valid(const char *p) {
        if (isempty(p) || strlen(p) >= PATH_MAX)
                return false;
        for (const char *c = p; *c;) {
                size_t k;

                c += strspn(c, "/");
                k = strcspn(c, "/");
                if (k > NAME_MAX)
                        return false;
                c += k;
        }
        return true;
}

char *path_simplify(char *p) {
        bool absolute = p[0] == '/';
        const char *in = p;
        char *out = p;

        if (absolute)
                *out++ = '/';
        for (;;) {
                size_t n;

                in += strspn(in, "/");
                if (*in == 0)
                        break;
                n = strcspn(in, "/");
                if (!(n == 1 && in[0] == '.')) {
                        if (out > p && out[-1] != '/')
                                *out++ = '/';
                        memmove(out, in, n);
                        out += n;
                }
                in += n;
        }
        if (out == p)
                *out++ = '.';
        *out = 0;
        return p;
}

char *path_normalize(char *p) {
        const char *in = p;
        char *out = p + 1;

        for (;;) {
                size_t n;

                in += strspn(in, "/");
                if (*in == 0)
                        break;
                n = strcspn(in, "/");
                if (n == 1 && in[0] == '.')
                        ;
                else if (n == 2 && in[0] == '.' && in[1] == '.') {
                        while (out > p + 1 && out[-1] != '/')
                                out--;
                        if (out > p + 1)
                                out--;
                } else {
                        if (out > p + 1)
                                *out++ = '/';
                        memmove(out, in, n);
                        out += n;
                }
                in += n;
        }
        *out = 0;
        return p;
}
