/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MEGAFILTER_H
#define MEGAFILTER_H

/* libmegafilter: the seccomp part of a service manager.
 *
 * Load a unit (or build one from assignments), compile its sandboxing directives into one
 * argument-independent megafilter plus, when needed, one argument filter per host, and install
 * them into the calling process all or nothing. See megafilter(3) for every function and the
 * errors it returns.
 *
 * Every function returns 0 (or a count) on success, or a negative errno with libseccomp 2.5's
 * stable meaning:
 *   -EINVAL      bad argument or bad input (diagnostics through the log callback say where)
 *   -ENOMEM      out of memory
 *   -EOPNOTSUPP  not supported (an unknown --arch, …)
 *   -ECANCELED   the kernel refused a filter (its errno instead with MF_INSTALL_RAW_ERRNO)
 *   -ESRCH       MF_INSTALL_TSYNC could not synchronise a thread
 *   -EACCES      the filters need no_new_privs or CAP_SYS_ADMIN and have neither
 *   -EFAULT      internal error (e.g. the verifier found a mismatch)
 * Diagnostics that do not fail the call (a syscall absent on one ABI, -EDOM in libseccomp's
 * terms) go to the log callback at level 7. */

#include <linux/filter.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mf_unit mf_unit;
typedef struct mf_sandbox mf_sandbox;

/* Called for every diagnostic: level is a syslog level (3 error … 7 debug); file and line name
 * the unit file and line it is about, or are NULL/0. */
typedef void (*mf_log_fn)(int level, const char *file, unsigned line, const char *message, void *userdata);

enum {
        MF_UNIT_USER = 1 << 0,          /* search the user unit directories */
        MF_UNIT_STRICT = 1 << 1,        /* any warning fails the call with -EINVAL */
};

/* Load a unit by name ("foo.service", "foo@bar.service") from the unit search path, or by path,
 * with its drop-ins. log may be NULL: diagnostics then go to stderr. */
int mf_unit_load(const char *unit, unsigned flags, mf_log_fn log, void *userdata, mf_unit **ret);

/* An empty unit called name, to be filled with mf_unit_set_property(). */
int mf_unit_new(const char *name, mf_unit **ret);

/* Apply one "Key=Value" assignment of the [Service] section after everything loaded so far, as
 * `systemd-run -p` does. */
int mf_unit_set_property(mf_unit *u, const char *assignment, mf_log_fn log, void *userdata);

/* A sandbox property as `systemctl show` prints it (SystemCallFilter, RestrictNamespaces, …).
 * The caller frees *ret. */
int mf_unit_get_property(const mf_unit *u, const char *name, char **ret);

/* How many warnings loading and assignments produced so far. */
unsigned mf_unit_warnings(const mf_unit *u);

void mf_unit_free(mf_unit *u);

enum {
        MF_LAYOUT_SPLIT = 0,            /* megafilter + argument filter (default) */
        MF_LAYOUT_SINGLE = 1,           /* one program holding both */
};

enum {
        MF_MDWE_AUTO = 0,               /* MemoryDenyWriteExecute= via prctl(PR_SET_MDWE) when the kernel has it */
        MF_MDWE_PRCTL = 1,
        MF_MDWE_SECCOMP = 2,
};

struct mf_compile_options {
        size_t size;                    /* sizeof(struct mf_compile_options) */
        const char *arch;               /* host ABI ("x86-64", "arm64", …); NULL: this machine */
        int layout;                     /* MF_LAYOUT_* */
        int mdwe;                       /* MF_MDWE_* */
        int verify;                     /* non-zero: check the programs against the policy */
};

/* Compile u's sandbox. opts may be NULL for the defaults. */
int mf_compile(const mf_unit *u, const struct mf_compile_options *opts, mf_log_fn log, void *userdata,
               mf_sandbox **ret);

/* The programs, in attach order. */
size_t mf_sandbox_filter_count(const mf_sandbox *s);
int mf_sandbox_filter(const mf_sandbox *s, size_t i, const char **name, const struct sock_filter **insns, size_t *n);

enum {
        MF_INSTALL_TSYNC = 1 << 0,      /* synchronise every thread of the process */
        MF_INSTALL_RAW_ERRNO = 1 << 1,  /* return the kernel's errno instead of -ECANCELED */
};

/* Install into the calling process: all filters or none. */
int mf_sandbox_install(const mf_sandbox *s, unsigned flags, mf_log_fn log, void *userdata);

void mf_sandbox_free(mf_sandbox *s);

#ifdef __cplusplus
}
#endif

#endif
