/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter-service-latency [ITERATIONS]: run as a service's command (or, linked static, a
 * container's), under whatever filters its manager or runtime attached, and print the time of a
 * few system calls, one "NAME NS" line each: getppid (the cheapest call: what entering the filters
 * costs), openat+close and socket+close (calls hardened units check the arguments of), and a
 * denied call (afs_syscall, which the kernel does not implement: unfiltered it returns ENOSYS at
 * once, so its time is the bare path; a SystemCallFilter= allow-list or a container profile
 * denies it). Each figure is the fastest of 10 batches, so that an interrupt or a migration spoils
 * one batch and not the figure; tools/bench-systemd and tools/bench-oci keep the fastest over
 * their rounds. Also prints "filters N" (Seccomp_filters of /proc/self/status). */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCHES 10

static double now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void op_getppid(void) {
        (void) syscall(SYS_getppid);
}

static void op_openat(void) {
        int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);

        if (fd >= 0)
                close(fd);
}

static void op_socket(void) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd >= 0)
                close(fd);
}

static void op_denied(void) {
        (void) syscall(SYS_afs_syscall, 0, 0, 0, 0, 0, 0);
}

static const struct {
        const char *name;
        void (*run)(void);
        unsigned iterations;            /* relative weight: the cheap calls run more often */
} ops[] = {
        { "getppid", op_getppid, 4 },
        { "openat+close", op_openat, 1 },
        { "socket+close", op_socket, 1 },
        { "denied", op_denied, 4 },
};

static int seccomp_filters(void) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        int n = -1;

        while (f && fgets(line, sizeof line, f))
                if (strncmp(line, "Seccomp_filters:", 16) == 0)
                        n = atoi(line + 16);
        if (f)
                fclose(f);
        return n;
}

int main(int argc, char *argv[]) {
        unsigned iterations = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : 20000;

        if (iterations < BATCHES) {
                fprintf(stderr, "Usage: megafilter-service-latency [ITERATIONS >= %d]\n", BATCHES);
                return 1;
        }
        printf("filters %d\n", seccomp_filters());
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
                unsigned n = iterations * ops[o].iterations / BATCHES;
                double best = -1;

                for (unsigned i = 0; i < n; i++)        /* warm up */
                        ops[o].run();
                for (unsigned b = 0; b < BATCHES; b++) {
                        double t0 = now_ns(), t;

                        for (unsigned i = 0; i < n; i++)
                                ops[o].run();
                        t = (now_ns() - t0) / n;
                        if (best < 0 || t < best)
                                best = t;
                }
                printf("%s %.1f\n", ops[o].name, best);
        }
        return fflush(stdout) == 0 ? 0 : 1;
}
