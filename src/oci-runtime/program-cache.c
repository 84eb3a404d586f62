/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci-annotate.h"
#include "program-cache.h"

#define ENTRY_MAX (4u * 1024 * 1024)

static char *cache_dir(void) {
        const char *env = getenv("MEGAFILTER_CRUN_CACHE"), *xdg;
        char *d;

        if (env)
                return *env ? strdup(env) : NULL;
        if (geteuid() == 0)
                return strdup("/run/megafilter-crun");
        xdg = getenv("XDG_RUNTIME_DIR");
        if (!xdg || xdg[0] != '/' || asprintf(&d, "%s/megafilter-crun", xdg) < 0)
                return NULL;
        return d;
}

/* Ours and written by nobody else. */
static bool trusted(const struct stat *st) {
        return st->st_uid == geteuid() && (st->st_mode & 022) == 0;
}

int program_cache_open(ProgramCache *c, const JsonValue *seccomp, const char *native, bool strict) {
        struct stat self, st;
        uint64_t h = 0xcbf29ce484222325ULL;
        FILE *f;

        *c = (ProgramCache) {};
        c->dir = cache_dir();
        if (!c->dir)
                return 0;
        if (mkdir(c->dir, 0700) < 0 && errno != EEXIST)
                return 0;
        if (lstat(c->dir, &st) < 0 || !S_ISDIR(st.st_mode) || !trusted(&st))
                return 0;
        /* A rebuilt megafilter-crun may compile differently: its file is part of the key. */
        if (stat("/proc/self/exe", &self) < 0)
                return 0;

        f = open_memstream(&c->key, &c->key_len);
        if (!f)
                return -ENOMEM;
        (void) __fsetlocking(f, FSETLOCKING_BYCALLER);    /* ours alone: no lock per write */
        fprintf(f, "megafilter-crun program cache 1\nbinary %llu:%llu:%lld:%lld.%09ld\nabi %s\nstrict %d\n",
                (unsigned long long) self.st_dev, (unsigned long long) self.st_ino, (long long) self.st_size,
                (long long) self.st_mtim.tv_sec, self.st_mtim.tv_nsec, native, strict);
        oci_json_write(f, seccomp);
        if (fclose(f) != 0)
                return -ENOMEM;
        for (size_t i = 0; i < c->key_len; i++)
                h = (h ^ (uint8_t) c->key[i]) * 0x100000001b3ULL;
        if (asprintf(&c->path, "%s/%016llx", c->dir, (unsigned long long) h) < 0) {
                c->path = NULL;
                return -ENOMEM;
        }
        return 0;
}

char *program_cache_get(const ProgramCache *c) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0, start, end;
        int fd;

        if (!c->path)
                return NULL;
        fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return NULL;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !trusted(&st) || st.st_size <= 0 || st.st_size > ENTRY_MAX ||
            !(buf = malloc((size_t) st.st_size + 1))) {
                close(fd);
                return NULL;
        }
        while (n < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size - n);

                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        close(fd);
        /* KEY '\n' BASE64 '\n' */
        if (n != (size_t) st.st_size || n < c->key_len + 3 || memcmp(buf, c->key, c->key_len) != 0 ||
            buf[c->key_len] != '\n' || buf[n - 1] != '\n')
                return NULL;
        start = c->key_len + 1;
        end = n - 1;
        if ((end - start) % 4 != 0)
                return NULL;
        for (size_t i = start; i < end; i++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", buf[i]) || buf[i] == 0)
                        return NULL;
        buf[end] = 0;
        return strdup(buf + start);
}

void program_cache_put(const ProgramCache *c, const char *b64) {
        _cleanup_free_ char *text = NULL;
        size_t len = strlen(b64);

        if (!c->path)
                return;
        text = malloc(c->key_len + len + 2);
        if (!text)
                return;
        memcpy(text, c->key, c->key_len);
        text[c->key_len] = '\n';
        memcpy(text + c->key_len + 1, b64, len);
        text[c->key_len + 1 + len] = '\n';
        (void) oci_write_atomic(c->path, text, c->key_len + len + 2, 0600, false);
}

void program_cache_done(ProgramCache *c) {
        free(c->dir);
        free(c->key);
        free(c->path);
        *c = (ProgramCache) {};
}
