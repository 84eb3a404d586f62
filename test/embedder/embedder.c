/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* An embedder of libmegafilter, built against the installed header and .pc file only (see
 * test-embedder.sh): it gets the documented errors, and a sandbox that works. Exit status 0 when
 * everything is as megafilter(3) says; otherwise the number of the check that failed. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <megafilter.h>

static unsigned first_line;
static char first_file[4096];

/* Where the first diagnostic of a call points. */
static void on_log(int level, const char *file, unsigned line, const char *message, void *userdata) {
        if (first_line == 0 && !first_file[0]) {
                snprintf(first_file, sizeof first_file, "%s", file ? file : "");
                first_line = line;
        }
        (void) level;
        (void) message;
        (void) userdata;
}

#define CHECK(n, cond)                                                          \
        do {                                                                    \
                if (!(cond)) {                                                  \
                        fprintf(stderr, "embedder: check %d failed: %s\n", (n), #cond); \
                        return (n);                                             \
                }                                                               \
        } while (0)

int main(int argc, char *argv[]) {
        struct mf_compile_options o = { .size = sizeof o };
        struct mf_error e = { .size = sizeof e };
        char path[4096];
        mf_unit *u = NULL;
        mf_sandbox *s = NULL;
        int status;
        pid_t pid;

        if (argc != 2)
                return 100;
        CHECK(1, mf_version()->major == MF_VERSION_MAJOR && mf_version()->minor >= MF_VERSION_MINOR);

        snprintf(path, sizeof path, "%s/missing.service", argv[1]);
        CHECK(2, mf_unit_load(path, 0, on_log, NULL, &u) == -ENOENT);
        snprintf(path, sizeof path, "%s/dir.service", argv[1]);
        CHECK(3, mf_unit_load(path, 0, on_log, NULL, &u) == -EISDIR);
        snprintf(path, sizeof path, "%s/masked.service", argv[1]);
        CHECK(4, mf_unit_load(path, 0, on_log, NULL, &u) == -ERFKILL);
        snprintf(path, sizeof path, "%s/bad.service", argv[1]);
        first_line = 0;
        first_file[0] = 0;
        CHECK(5, mf_unit_load(path, 0, on_log, NULL, &u) == -EINVAL);
        CHECK(6, first_line == 3 && strcmp(first_file, path) == 0);

        snprintf(path, sizeof path, "%s/good.service", argv[1]);
        CHECK(7, mf_unit_load(path, 0, NULL, NULL, &u) == 0);
        first_line = 0;
        first_file[0] = 0;
        CHECK(8, mf_unit_set_property(u, "SystemCallFilter=~mount nosuchcall", on_log, NULL) == -EINVAL);
        CHECK(9, strcmp(first_file, "-p") == 0 && first_line == 1);
        o.arch = "vax";
        CHECK(10, mf_compile(u, &o, NULL, NULL, &s, &e) == -EOPNOTSUPP && e.error == -EOPNOTSUPP);
        o.arch = NULL;
        CHECK(11, mf_compile(u, &o, NULL, NULL, &s, &e) == 0);
        CHECK(12, mf_sandbox_filter_count(s) == 2);
        mf_unit_free(u);

        fflush(NULL);
        pid = fork();
        if (pid == 0) {
                if (mf_sandbox_install(s, 0, NULL, NULL, NULL) < 0)
                        _exit(20);
                if (mkdir("/tmp/megafilter-embedder-never", 0700) >= 0 || errno != EPERM)
                        _exit(21);
                if (socket(AF_INET6, SOCK_DGRAM, 0) >= 0 || errno != EAFNOSUPPORT)
                        _exit(22);
                _exit(getppid() > 0 ? 0 : 23);
        }
        CHECK(13, pid > 0 && waitpid(pid, &status, 0) == pid);
        CHECK(14, WIFEXITED(status) && WEXITSTATUS(status) == 0);
        mf_sandbox_free(s);
        return 0;
}
