/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small helpers several cmocka tests share. Include after <cmocka.h>. */

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether this is an AddressSanitizer build (then the arenas use heap blocks, not mappings). */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* Run f(userdata) in a forked child: its return value is the child's exit status (0: passed). A
 * child killed by a signal fails the test. */
static inline int run_in_child(int (*f)(void *), void *userdata) {
        int status;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(f(userdata));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status))
                fail_msg("child killed by signal %d", WTERMSIG(status));
        return WEXITSTATUS(status);
}

/* A test's temporary directory (a mkdtemp() template), made by the group's setup and removed
 * with everything in it by its teardown. */
static inline int tmpdir_make(char *template) {
        return mkdtemp(template) ? 0 : -1;
}

static inline int tmpdir_remove(const char *dir) {
        char cmd[128];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}
