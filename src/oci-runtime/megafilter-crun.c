/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter-crun: an OCI runtime for container engines (podman --runtime, Docker's
 * --add-runtime) that is crun with megafilter as its seccomp compiler. Every command goes to crun
 * unchanged, by exec (signals, exit status and stdio are crun's); before `create` and `run` the
 * bundle's linux.seccomp is compiled into one program and written into its config.json as the
 * run.oci.seccomp_bpf_data annotation, which crun loads instead of compiling linux.seccomp with
 * libseccomp. linux.seccomp stays. A profile megafilter cannot compile stops the container (fail
 * closed): nothing is written and crun is not run.
 *
 * Environment: $MEGAFILTER_CRUN, crun's path (default: crun from $PATH, this program skipped);
 * $MEGAFILTER_CRUN_CACHE, the directory of compiled programs (program-cache.h; empty: none);
 * $MEGAFILTER_CRUN_DEBUG=1: every diagnostic, not just errors. */

#include <getopt.h>
#include <linux/filter.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci-annotate.h"
#include "oci-seccomp.h"
#include "program-cache.h"

#define NAME "megafilter-crun"

typedef struct Context {
        bool debug;
        const char *log;                /* crun's --log: file: or a path; NULL */
        bool log_json;                  /* --log-format=json */
} Context;

/* crun's global options (1.8: argp, so getopt_long's rules: abbreviations, =VALUE or a separate
 * argument); later ones it may have are forwarded like every argument, but then the command is
 * not recognised and crun compiles linux.seccomp itself. */
static const struct option global_options[] = {
        { "cgroup-manager", required_argument, NULL, 'm' },
        { "debug", no_argument, NULL, 'D' },
        { "log", required_argument, NULL, 'l' },
        { "log-format", required_argument, NULL, 'F' },
        { "log-level", required_argument, NULL, 'L' },
        { "root", required_argument, NULL, 'r' },
        { "rootless", required_argument, NULL, 'R' },
        { "systemd-cgroup", no_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { "usage", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'h' },
        {}
};

/* crun create's and run's options (-d is run's alone; crun refuses it for create itself). Like
 * crun, options end at the container's name. */
static const struct option create_options[] = {
        { "bundle", required_argument, NULL, 'b' },
        { "config", required_argument, NULL, 'f' },
        { "console-socket", required_argument, NULL, 'c' },
        { "detach", no_argument, NULL, 'd' },
        { "no-new-keyring", no_argument, NULL, 'k' },
        { "no-pivot", no_argument, NULL, 'p' },
        { "no-subreaper", no_argument, NULL, 'S' },
        { "pid-file", required_argument, NULL, 'P' },
        { "preserve-fds", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { "usage", no_argument, NULL, 'h' },
        {}
};

/* An error, on stderr and, as crun would log it, in crun's --log file: engines show that one, after
 * the runtime's name. */
static void report(const Context *c, const char *message) {
        const char *path = c->log;
        FILE *f;

        fprintf(stderr, NAME ": %s\n", message);
        if (!path)
                return;
        if (strncmp(path, "file:", 5) == 0)
                path += 5;
        else if (strchr(path, ':') && path[0] != '/')
                return;                 /* journald:, syslog: */
        f = fopen(path, "ae");
        if (!f)
                return;
        if (c->log_json) {
                char when[64];
                struct timespec ts;
                struct tm tm;

                clock_gettime(CLOCK_REALTIME, &ts);
                strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&ts.tv_sec, &tm));
                fputs("{\"msg\": \"", f);
                for (const unsigned char *p = (const unsigned char *) message; *p; p++)
                        if (*p == '"' || *p == '\\')
                                fprintf(f, "\\%c", *p);
                        else if (*p < 0x20)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                fprintf(f, "\", \"level\": \"error\", \"time\": \"%s\"}\n", when);
        } else
                fprintf(f, "%s\n", message);
        fclose(f);
}

static void log_diag(void *userdata, int level, const SourceLoc *loc, const char *message) {
        const Context *c = userdata;
        char prefix[PATH_MAX + 64], *text;

        if (level > DIAG_ERROR && !c->debug)
                return;                 /* crun skips unknown names silently too */
        if (asprintf(&text, "%s%s", loc && loc->file ? source_loc_prefix(loc, prefix, sizeof prefix) : "", message) < 0)
                return;
        report(c, text);
        free(text);
}

/* The crun to run: $MEGAFILTER_CRUN, or the first crun in $PATH that is not this program (which
 * may be installed as crun). */
static int find_crun(char **ret) {
        const char *env = getenv("MEGAFILTER_CRUN"), *path = getenv("PATH");
        struct stat self, st;
        bool have_self;

        if (env && *env) {
                *ret = strdup(env);
                return *ret ? 0 : -ENOMEM;
        }
        have_self = stat("/proc/self/exe", &self) >= 0;
        for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
                size_t len = strcspn(p, ":");
                char *c;

                if (asprintf(&c, "%.*s%scrun", (int) len, p, len > 0 ? "/" : "") < 0)
                        return -ENOMEM;
                if (access(c, X_OK) >= 0 && stat(c, &st) >= 0 && S_ISREG(st.st_mode) &&
                    !(have_self && st.st_dev == self.st_dev && st.st_ino == self.st_ino)) {
                        *ret = c;
                        return 0;
                }
                free(c);
                p += len;
                if (*p == ':')
                        p++;
        }
        return -ENOENT;
}

/* The config.json crun create/run would read: $bundle/config.json, or --config (relative to the
 * working directory, as crun resolves it before it enters the bundle). 0 and NULL when the command is not create/run or its arguments are not all known. */
static int find_config(Context *c, int argc, char *argv[], char **ret) {
        _cleanup_free_ char **args = NULL;
        const char *bundle = ".", *config = NULL, *cmd;
        int n, o;

        *ret = NULL;
        /* getopt may permute argv: work on a copy, crun gets the original. */
        args = calloc((size_t) argc + 1, sizeof(char *));
        if (!args)
                return -ENOMEM;
        memcpy(args, argv, (size_t) argc * sizeof(char *));

        opterr = 0;
        optind = 0;
        while ((o = getopt_long(argc, args, "+:v?V", global_options, NULL)) >= 0)
                switch (o) {
                case 'l':
                        c->log = optarg;
                        break;
                case 'F':
                        c->log_json = streq(optarg, "json");
                        break;
                case 'm': case 'D': case 'L': case 'r': case 'R': case 's':
                        break;
                default:                /* help, version, or an option this program does not know */
                        return 0;
                }
        if (optind >= argc)
                return 0;
        cmd = args[optind];
        if (!streq(cmd, "create") && !streq(cmd, "run"))
                return 0;

        n = argc - optind;
        optind = 0;
        while ((o = getopt_long(n, args + (argc - n), "+:b:f:d?", create_options, NULL)) >= 0)
                switch (o) {
                case 'b':
                        bundle = optarg;
                        break;
                case 'f':
                        config = optarg;
                        break;
                case 'c': case 'd': case 'k': case 'p': case 'S': case 'P': case 'n':
                        break;
                default:
                        if (c->debug)
                                fprintf(stderr, NAME ": %s: an option not known here, crun compiles linux.seccomp itself.\n", cmd);
                        return 0;
                }
        if (config)
                *ret = strdup(config);
        else if (asprintf(ret, "%s/config.json", bundle) < 0)
                *ret = NULL;
        return *ret ? 1 : -ENOMEM;
}

static void log_nothing(void *userdata, int level, const SourceLoc *loc, const char *message) {
}

/* A program cached for this very linux.seccomp written as the annotation: 1 when done, 0 when not
 * (no cache, a miss, a config.json the full path below must look at: it reports). */
static int annotate_cached(Context *c, const char *config, ProgramCache *cache, Diag *diag) {
        _cleanup_(json_document_freep) JsonDocument *doc = NULL;
        _cleanup_free_ char *b64 = NULL;
        Diag quiet = { .func = log_nothing };
        const JsonValue *seccomp;
        int r;

        if (json_parse_file(config, &quiet, &doc) < 0)
                return 0;
        seccomp = json_object_get(json_object_get(doc->root, "linux"), "seccomp");
        if (!seccomp || seccomp->type != JSON_OBJECT)
                return 0;
        r = program_cache_open(cache, seccomp, abi_to_name(abi_native()),
                               oci_config_has_annotation(doc, OCI_ANNOTATION_FAIL_UNKNOWN));
        if (r < 0)
                return r;
        b64 = program_cache_get(cache);
        if (!b64)
                return 0;
        if (c->debug)
                fprintf(stderr, NAME ": %s: linux.seccomp compiled before, from %s.\n", config, cache->path);
        r = oci_config_write_annotation(doc, OCI_ANNOTATION_BPF_DATA, b64, false, diag);
        return r < 0 ? r : 1;
}

/* Compile config's linux.seccomp and write the annotation. 0 also when there is no linux.seccomp
 * (nothing to do); < 0 when the container must not start (reported). */
static int annotate(Context *c, const char *config) {
        _cleanup_(oci_seccomp_freep) OciSeccomp *oci = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_(program_cache_done) ProgramCache cache = {};
        Diag diag = { .func = log_diag, .userdata = c, .max_level = DIAG_DEBUG };
        OciLoadOptions lo = { .input = OCI_INPUT_CONFIG, .native = abi_native() };
        int r;

        r = annotate_cached(c, config, &cache, &diag);
        if (r != 0)
                return r < 0 ? r : 0;

        r = oci_seccomp_load(config, &lo, &diag, &oci);        /* run.oci.seccomp_fail_unknown_syscall included */
        if (r < 0) {
                if (diag.n_errors == 0) {
                        char *m;

                        errno = -r;
                        if (asprintf(&m, "%s: cannot read: %m", config) >= 0) {
                                report(c, m);
                                free(m);
                        }
                }
                return r;
        }
        if (oci->disabled)
                return 0;
        r = oci_seccomp_compile(oci, lo.native, true, &diag, &s);
        if (r >= 0)
                r = oci_annotate_config(oci, s, false, &diag);
        if (r < 0 && diag.n_errors == 0) {
                char *m;

                errno = -r;
                if (asprintf(&m, "%s: cannot compile linux.seccomp: %m", config) >= 0) {
                        report(c, m);
                        free(m);
                }
        }
        if (r >= 0 && s->n_progs == 1) {
                _cleanup_free_ char *b64 = oci_base64_encode(s->progs[0].insns, s->progs[0].n * sizeof(struct sock_filter));

                if (b64)
                        program_cache_put(&cache, b64);
        }
        return r;
}

int main(int argc, char *argv[]) {
        Context c = { .debug = getenv("MEGAFILTER_CRUN_DEBUG") && streq(getenv("MEGAFILTER_CRUN_DEBUG"), "1") };
        _cleanup_free_ char *crun = NULL, *config = NULL;
        int r;

        r = find_crun(&crun);
        if (r < 0) {
                report(&c, r == -ENOENT ? "crun not found in $PATH (set $MEGAFILTER_CRUN)." : "out of memory.");
                return 1;
        }
        r = find_config(&c, argc, argv, &config);
        if (r < 0) {
                report(&c, "out of memory.");
                return 1;
        }
        if (config && annotate(&c, config) < 0) {
                report(&c, "the container's seccomp profile cannot be compiled: not starting it.");
                return 1;
        }

        argv[0] = crun;
        execv(crun, argv);
        {
                char *m;

                if (asprintf(&m, "cannot execute %s: %m", crun) >= 0) {
                        report(&c, m);
                        free(m);
                }
        }
        return 127;
}
