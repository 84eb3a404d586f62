/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The subcommands of megafilter. Each parses its own options (argv[0] is "megafilter") and
 * returns the process exit status. */

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *summary;            /* one line for `megafilter --help` */
} Verb;

int verb_syscall_filter(int argc, char *argv[]);
int verb_show(int argc, char *argv[]);
int verb_compile(int argc, char *argv[]);
int verb_analyze(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);
int verb_learn(int argc, char *argv[]);
int verb_oci(int argc, char *argv[]);
