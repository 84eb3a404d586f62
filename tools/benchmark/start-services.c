/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter-start-services ROUNDS LABEL:RUNTIME_DIR:UNIT…: start each UNIT (a Type=oneshot
 * service) ROUNDS times through the private bus of the user manager whose runtime directory is
 * RUNTIME_DIR, the configurations interleaved (one start of each per round, the order rotating
 * from round to round), and print per configuration the wall time of a start (from StartUnit()
 * to the job's JobRemoved signal: the service has run and exited) and the CPU time the manager
 * and the service used for it. Every configuration needs a manager of its own: its CPU time
 * across all its starts (cpu_us()), divided by ROUNDS (a start the manager fails is made again,
 * and counted; its CPU time stays in, a small overestimate).
 * Output: one line per configuration,
 *   LABEL starts N wall_median_us M wall_mean_us M wall_min_us M cpu_us M failed N
 * Used by tools/bench-systemd. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#define CONFIGS_MAX 32

typedef struct Config {
        const char *label;
        const char *unit;
        sd_bus *bus;
        pid_t manager;
        double *wall_us;
        double cpu_before, cpu_after;   /* µs */
        const char *job;                /* the job being waited for */
        bool done;
        char result[32];
        unsigned failures;
} Config;

static double now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The CPU time, in µs, of pid and its reaped children so far: utime + stime + cutime + cstime (a
 * service is the manager's child, reaped by it, whatever cgroup it runs in). The kernel keeps
 * them exact and prints them in clock ticks: over a few hundred starts the rounding is small. (A
 * cgroup's usage would be exact too, but a oneshot service's cgroup is gone before its usage
 * reaches the parent.) */
static double cpu_us(pid_t pid) {
        char path[64], buf[4096], *p;
        long long v[4];
        size_t n;
        FILE *f;

        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        p = strrchr(buf, ')');          /* the command name may hold anything */
        if (!p)
                return -1;
        /* After ")": state (3), then fields 4…; utime is field 14. */
        for (int field = 2; field < 13; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -1;
        }
        if (sscanf(p, " %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3]) != 4)
                return -1;
        return (double) (v[0] + v[1] + v[2] + v[3]) * 1e6 / sysconf(_SC_CLK_TCK);
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Config *c = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (c->job && strcmp(path, c->job) == 0) {
                c->done = true;
                snprintf(c->result, sizeof c->result, "%s", result);
        }
        return 0;
}

static int connect_manager(Config *c, const char *runtime_dir) {
        char address[4200];
        int r;

        snprintf(address, sizeof address, "unix:path=%s/systemd/private", runtime_dir);
        r = sd_bus_new(&c->bus);
        if (r >= 0)
                r = sd_bus_set_address(c->bus, address);
        if (r >= 0)
                r = sd_bus_start(c->bus);
        if (r < 0) {
                fprintf(stderr, "%s: cannot connect to %s: %s\n", c->label, address, strerror(-r));
                return r;
        }
        r = sd_bus_match_signal(c->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, c);
        if (r >= 0)
                r = sd_bus_call_method(c->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, NULL);
        if (r < 0) {
                fprintf(stderr, "%s: cannot subscribe: %s\n", c->label, strerror(-r));
                return r;
        }
        /* The manager's PID, for its CPU time: the peer of the private socket. */
        sd_bus_creds *creds = NULL;

        r = sd_bus_get_owner_creds(c->bus, SD_BUS_CREDS_PID, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_pid(creds, &c->manager);
        sd_bus_creds_unref(creds);
        if (r < 0) {
                fprintf(stderr, "%s: cannot tell the manager's PID: %s\n", c->label, strerror(-r));
                return r;
        }
        return 0;
}

static int start_once(Config *c, double *ret_us) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *job;
        char *job_copy;
        double t0;
        int r;

        c->done = false;
        c->job = NULL;
        t0 = now_us();
        r = sd_bus_call_method(c->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StartUnit", &error, &reply,
                               "ss", c->unit, "replace");
        if (r < 0) {
                fprintf(stderr, "%s: StartUnit(%s): %s\n", c->label, c->unit, error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0) {
                sd_bus_message_unref(reply);
                return r;
        }
        job_copy = strdup(job);
        sd_bus_message_unref(reply);
        if (!job_copy)
                return -ENOMEM;
        c->job = job_copy;
        while (!c->done) {
                r = sd_bus_process(c->bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(c->bus, 10 * 1000 * 1000);
                if (r < 0)
                        break;
        }
        *ret_us = now_us() - t0;
        c->job = NULL;
        free(job_copy);
        if (r < 0) {
                fprintf(stderr, "%s: waiting for the job: %s\n", c->label, strerror(-r));
                return r;
        }
        if (strcmp(c->result, "done") != 0) {
                fprintf(stderr, "%s: a start of %s ended with job result '%s'; started again\n", c->label, c->unit, c->result);
                return 1;
        }
        return 0;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        Config configs[CONFIGS_MAX] = {};
        size_t n = 0;
        long rounds;

        if (argc < 3 || (rounds = strtol(argv[1], NULL, 10)) <= 0 || argc - 2 > CONFIGS_MAX) {
                fprintf(stderr, "Usage: megafilter-start-services ROUNDS LABEL:RUNTIME_DIR:UNIT...\n");
                return 2;
        }
        for (int i = 2; i < argc; i++) {
                Config *c = &configs[n++];
                char *spec = strdup(argv[i]), *dir, *unit;

                if (!spec || !(dir = strchr(spec, ':')) || !(unit = strchr(dir + 1, ':'))) {
                        fprintf(stderr, "Bad configuration '%s', expected LABEL:RUNTIME_DIR:UNIT\n", argv[i]);
                        return 2;
                }
                *dir++ = 0;
                *unit++ = 0;
                c->label = spec;
                c->unit = unit;
                c->wall_us = calloc(rounds, sizeof(double));
                if (!c->wall_us || connect_manager(c, dir) < 0)
                        return 1;
        }
        for (size_t i = 0; i < n; i++) {
                configs[i].cpu_before = cpu_us(configs[i].manager);
                if (configs[i].cpu_before < 0)
                        return 1;
        }
        for (long r = 0; r < rounds; r++)
                for (size_t k = 0; k < n; k++) {
                        Config *c = &configs[(k + r) % n];

                        for (;;) {
                                int q = start_once(c, &c->wall_us[r]);

                                if (q < 0)
                                        return 1;
                                if (q == 0)
                                        break;
                                /* A start the manager failed (as 219/CGROUP, when user managers
                                 * share a cgroup tree, which tools/systemd-user-managers.sh keeps
                                 * them from): counted, not timed. */
                                if (++c->failures > rounds / 10)
                                        return 1;
                        }
                }
        for (size_t i = 0; i < n; i++)
                configs[i].cpu_after = cpu_us(configs[i].manager);

        for (size_t i = 0; i < n; i++) {
                Config *c = &configs[i];
                double sum = 0, cpu;

                for (long r = 0; r < rounds; r++)
                        sum += c->wall_us[r];
                qsort(c->wall_us, rounds, sizeof(double), compare_double);
                cpu = (c->cpu_after - c->cpu_before) / rounds;
                printf("%s starts %ld wall_median_us %.0f wall_mean_us %.0f wall_min_us %.0f cpu_us %.0f failed %u\n",
                       c->label, rounds, c->wall_us[rounds / 2], sum / rounds, c->wall_us[0], cpu, c->failures);
        }
        return 0;
}
