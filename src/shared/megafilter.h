/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MEGAFILTER_H
#define MEGAFILTER_H

/* libmegafilter: the seccomp part of a service manager.
 *
 * Make a unit — load it from a unit file, fill it with "Key=Value" assignments, or set its
 * directives from values already parsed — compile its sandboxing directives into one
 * argument-independent megafilter plus, when needed, one argument filter, and install them into
 * the calling process, all or nothing. megafilter(3) documents every function, its defaults and
 * the errors it returns.
 *
 * Errors: every function that can fail returns 0 (or a count) on success or a negative errno, with
 * libseccomp 2.5's meaning where libseccomp has the case. Every call is all or nothing: when it
 * fails, its objects are as they were before.
 *
 * Diagnostics go to the log callback, never to stderr: with log NULL the library is silent.
 *
 * ABI: structures the caller passes in start with a size field, set to sizeof() of the structure
 * as the caller's header declares it. Later versions only append fields; a smaller size (an older
 * caller) gets the defaults for the fields it lacks; a larger one (a newer caller) is accepted when
 * the bytes this version does not know are zero. Enumerations only gain values. Only the mf_*
 * symbols are exported, versioned MEGAFILTER_0.2 (MEGAFILTER_0.3: what 0.3 added). */

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MF_VERSION_MAJOR 0
#define MF_VERSION_MINOR 3
#define MF_VERSION_MICRO 0
/* Whether the header is at least version major.minor.micro. */
#define MF_VERSION_AT_LEAST(major, minor, micro)                                                   \
        (MF_VERSION_MAJOR > (major) ||                                                            \
         (MF_VERSION_MAJOR == (major) && (MF_VERSION_MINOR > (minor) ||                           \
                                          (MF_VERSION_MINOR == (minor) && MF_VERSION_MICRO >= (micro)))))

struct mf_version {
        unsigned major;
        unsigned minor;
        unsigned micro;
};

/* The version of the library in use (which may be newer than the header). Never NULL. */
const struct mf_version *mf_version(void);

typedef struct mf_unit mf_unit;
typedef struct mf_sandbox mf_sandbox;

/* Called for every diagnostic: level is a syslog level (3 error … 7 debug); file and line name
 * where it comes from — the unit file and line, "-p" and the number of the assignment for
 * mf_unit_set_property(), the unit's name and line 0 for the structured setters — or are NULL/0
 * when nothing in the input is to blame. message has no trailing newline. */
typedef void (*mf_log_fn)(int level, const char *file, unsigned line, const char *message, void *userdata);

/* The sandboxing directives, in the order systemd 252 applies them (each its own filter there). */
enum {
        MF_DIRECTIVE_NONE = 0,                          /* no directive in particular */
        MF_DIRECTIVE_PROTECT_HOSTNAME,
        MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES,
        MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE,
        MF_DIRECTIVE_RESTRICT_REALTIME,
        MF_DIRECTIVE_RESTRICT_SUID_SGID,
        MF_DIRECTIVE_RESTRICT_NAMESPACES,
        MF_DIRECTIVE_PROTECT_KERNEL_TUNABLES,
        MF_DIRECTIVE_PROTECT_KERNEL_MODULES,
        MF_DIRECTIVE_PROTECT_KERNEL_LOGS,
        MF_DIRECTIVE_PROTECT_CLOCK,
        MF_DIRECTIVE_PRIVATE_DEVICES,
        MF_DIRECTIVE_SYSTEM_CALL_ARCHITECTURES,
        MF_DIRECTIVE_LOCK_PERSONALITY,
        MF_DIRECTIVE_SYSTEM_CALL_LOG,
        MF_DIRECTIVE_SYSTEM_CALL_FILTER,
        MF_DIRECTIVE_SYSTEM_CALL_ERROR_NUMBER,
        MF_DIRECTIVE_PERSONALITY,
        MF_DIRECTIVE_NO_NEW_PRIVILEGES,
        _MF_DIRECTIVE_MAX,
};
#define MF_DIRECTIVE_BIT(d) (UINT64_C(1) << (d))

/* "SystemCallFilter=", …; NULL for MF_DIRECTIVE_NONE and unknown values. */
const char *mf_directive_name(int directive);

/* What a failed mf_compile(), mf_sandbox_verify() or mf_sandbox_install() blames. */
struct mf_error {
        size_t size;                    /* set by the caller: sizeof(struct mf_error) */
        int error;                      /* the negative errno the call returned */
        int directive;                  /* MF_DIRECTIVE_*: the directive systemd would have failed on */
        const char *abi;                /* the ABI concerned ("x86-64"), or NULL; static */
        const char *syscall;            /* the system call concerned ("openat"), or NULL; static */
        char message[512];              /* the error, "FILE:LINE: " first when input is to blame */
};

/* ---- units ---- */

enum {
        MF_UNIT_USER = 1 << 0,          /* search the user unit directories */
        MF_UNIT_STRICT = 1 << 1,        /* any warning fails the call with -EINVAL */
};

/* Load a unit by name ("foo.service", "foo@bar.service", "foo") from the unit search path, or by
 * path (anything with a '/'), with its drop-ins, as systemd 252 does. */
int mf_unit_load(const char *unit, unsigned flags, mf_log_fn log, void *userdata, mf_unit **ret);

/* An empty unit called name (any valid unit name: "foo.service", "foo.socket", …), to be filled
 * by the setters below. */
int mf_unit_new(const char *name, mf_unit **ret);

/* Apply one "Key=Value" assignment of the [Service] section after everything so far, with
 * systemd's semantics, as `systemd-run -p` does. An assignment that gives any warning is not
 * applied at all (-EINVAL). */
int mf_unit_set_property(mf_unit *u, const char *assignment, mf_log_fn log, void *userdata);

/* ---- structured setters: values as a service manager holds them after parsing ----
 * Each replaces the directive's value as a whole (no systemd list-merging, no implicit @default),
 * and validates everything before changing anything. */

#define MF_ERRNO_DEFAULT (-1)           /* the list's action: SystemCallErrorNumber= for a deny-list */
#define MF_ERRNO_KILL 2147483646        /* kill the process (systemd's SECCOMP_ERROR_NUMBER_KILL) */

struct mf_syscall {
        const char *name;               /* as libseccomp spells it ("openat"), or a group ("@mount") */
        int error;                      /* MF_ERRNO_DEFAULT, an errno 0…4095, or MF_ERRNO_KILL */
};

enum {
        MF_SYSCALLS_ALLOW_LIST = 1 << 0,        /* the entries are allowed, everything else is not */
        MF_SYSCALLS_ADD_SETUID = 1 << 1,        /* also permit @setuid: systemd's ambient capability hack */
};

/* SystemCallFilter=: a deny-list (flags without MF_SYSCALLS_ALLOW_LIST; an empty one filters
 * nothing) or an allow-list (entries' error must be MF_ERRNO_DEFAULT). systemd's ExecContext
 * syscall_filter maps to it one to one. */
int mf_unit_set_syscall_filter(mf_unit *u, unsigned flags, const struct mf_syscall *entries, size_t n,
                               mf_log_fn log, void *userdata);

/* The name of system call number nr of ABI abi ("x86-64", …; NULL: this machine's native ABI), as
 * the setters take it, for a caller that holds numbers (systemd's ExecContext holds libseccomp's
 * numbers for the native ABI); NULL if that ABI has no system call nr. The string is static. */
const char *mf_syscall_name(const char *abi, long nr);

/* SystemCallLog=: with MF_SYSCALLS_ALLOW_LIST the names listed are logged, otherwise all others. */
int mf_unit_set_syscall_log(mf_unit *u, unsigned flags, const char *const *names, size_t n,
                            mf_log_fn log, void *userdata);

/* SystemCallErrorNumber=: an errno 1…4095, or MF_ERRNO_KILL (the default). */
int mf_unit_set_syscall_error_number(mf_unit *u, int error);

/* SystemCallArchitectures=: systemd's names ("native", "x86-64", "x86", "arm64", …); n == 0
 * removes the restriction. */
int mf_unit_set_syscall_architectures(mf_unit *u, const char *const *names, size_t n,
                                      mf_log_fn log, void *userdata);

/* RestrictAddressFamilies=: AF_* numbers. A deny-list when flags lacks MF_SYSCALLS_ALLOW_LIST
 * (empty: no restriction); an empty allow-list denies every family, as "none". */
int mf_unit_set_address_families(mf_unit *u, unsigned flags, const int *families, size_t n);

/* RestrictNamespaces=: the CLONE_NEW* flags still allowed; MF_NAMESPACES_ALL (or every flag
 * systemd knows) removes the restriction. */
#define MF_NAMESPACES_ALL (~0UL)
int mf_unit_set_restrict_namespaces(mf_unit *u, unsigned long allowed);

/* Personality=: PER_LINUX, PER_LINUX32, or MF_PERSONALITY_UNSET. LockPersonality= locks this one,
 * or the calling process's when unset. */
#define MF_PERSONALITY_UNSET 0xffffffffUL
int mf_unit_set_personality(mf_unit *u, unsigned long persona);

/* The boolean directives: ProtectHostname=, MemoryDenyWriteExecute=, RestrictRealtime=,
 * RestrictSUIDSGID=, ProtectKernelTunables=, ProtectKernelModules=, ProtectKernelLogs=,
 * ProtectClock=, PrivateDevices=, LockPersonality=, NoNewPrivileges=. -EINVAL for any other. */
int mf_unit_set_boolean(mf_unit *u, int directive, int value);

/* ---- reading a unit ---- */

/* The unit's name ("foo.service"), and the fragment it was loaded from (NULL if none). */
const char *mf_unit_name(const mf_unit *u);
const char *mf_unit_path(const mf_unit *u);

/* The sandbox properties mf_unit_get_property() knows, in the order `systemctl show` prints
 * them; NULL-terminated. */
const char *const *mf_unit_property_names(void);

/* A sandbox property as `systemctl show` prints it (SystemCallFilter, RestrictNamespaces, …).
 * The caller frees *ret. -ENOENT for an unknown name. */
int mf_unit_get_property(const mf_unit *u, const char *name, char **ret);

/* How many warnings loading and assignments produced so far. */
unsigned mf_unit_warnings(const mf_unit *u);

void mf_unit_free(mf_unit *u);

/* ---- compiling ---- */

enum {
        MF_LAYOUT_SPLIT = 0,            /* megafilter + argument filter (default) */
        MF_LAYOUT_SINGLE = 1,           /* at most one program, holding both */
};

enum {
        MF_MDWE_AUTO = 0,               /* prctl(PR_SET_MDWE) when compiling for this machine and its kernel has it,
                                         * else seccomp (default) */
        MF_MDWE_PRCTL = 1,              /* always prctl(PR_SET_MDWE) */
        MF_MDWE_SECCOMP = 2,            /* always seccomp rules, as systemd 252 */
};

enum {
        MF_VERIFY_DEFAULT = 0,          /* on */
        MF_VERIFY_ON = 1,
        MF_VERIFY_OFF = -1,
};

struct mf_compile_options {
        size_t size;                    /* sizeof(struct mf_compile_options) */
        const char *arch;               /* host ABI ("x86-64", "arm64", …); NULL (default): this machine's */
        int layout;                     /* MF_LAYOUT_* */
        int mdwe;                       /* MF_MDWE_* */
        int verify;                     /* MF_VERIFY_*: check every verdict of the programs against the policy */
        /* since 0.2 */
        uint64_t skip;                  /* MF_DIRECTIVE_BIT()s of directives to leave out; 0: none */
        int unknown_syscalls;           /* MF_UNKNOWN_SYSCALLS_*: what a SystemCallFilter= allow-list does
                                         * with numbers that are no system call */
};

enum {
        MF_UNKNOWN_SYSCALLS_ENOSYS = 0,         /* ENOSYS, so that libc falls back (systemd 255 and later; default) */
        MF_UNKNOWN_SYSCALLS_DEFAULT_ACTION = 1, /* the list's default action, as for any unlisted call (systemd 252) */
};

/* Compile u's sandbox. opts NULL means every default, the same as the megafilter(1) command
 * line's: this machine, MF_LAYOUT_SPLIT, MF_MDWE_AUTO, verified. error may be NULL. */
int mf_compile(const mf_unit *u, const struct mf_compile_options *opts, mf_log_fn log, void *userdata,
               mf_sandbox **ret, struct mf_error *error);

/* ---- reading a sandbox ---- */

/* The programs, in attach order: 0 (nothing restricted), 1 or 2. With MF_LAYOUT_SINGLE at most 1. */
size_t mf_sandbox_filter_count(const mf_sandbox *s);
/* Program i: its name ("megafilter", "argfilter"), instructions and their count; any of the out
 * pointers may be NULL. The instructions live as long as s. */
int mf_sandbox_filter(const mf_sandbox *s, size_t i, const char **name, const struct sock_filter **insns, size_t *n);

/* The host ABI the sandbox is for ("x86-64"), and the MF_LAYOUT_* it has: MF_LAYOUT_SINGLE also
 * when split was asked for but the policy denies seccomp() itself. */
const char *mf_sandbox_arch(const mf_sandbox *s);
int mf_sandbox_layout(const mf_sandbox *s);

enum {
        MF_SANDBOX_MDWE_PRCTL = 1 << 0,         /* installing calls prctl(PR_SET_MDWE): MemoryDenyWriteExecute= is not in the programs */
        MF_SANDBOX_NO_NEW_PRIVS = 1 << 1,       /* installing sets no_new_privs (NoNewPrivileges=yes) */
        MF_SANDBOX_SECCOMP = 1 << 2,            /* a seccomp directive is in use: without CAP_SYS_ADMIN, installing
                                                 * sets no_new_privs */
};
unsigned mf_sandbox_flags(const mf_sandbox *s);

/* The directives that restrict anything in the sandbox, as MF_DIRECTIVE_BIT()s. */
uint64_t mf_sandbox_directives(const mf_sandbox *s);

/* Check every verdict of the programs against the policy they were compiled from (what
 * mf_compile() does unless told MF_VERIFY_OFF). 0, or -EFAULT naming the first disagreement. */
int mf_sandbox_verify(const mf_sandbox *s, mf_log_fn log, void *userdata, struct mf_error *error);

/* ---- installing ---- */

enum {
        MF_INSTALL_TSYNC = 1 << 0,      /* synchronise every thread of the process */
        MF_INSTALL_RAW_ERRNO = 1 << 1,  /* return the kernel's errno instead of -ECANCELED */
};

/* Install into the calling thread (with MF_INSTALL_TSYNC: process): no_new_privs when needed,
 * PR_SET_MDWE when chosen, then the programs in order; all or nothing. s may outlive its unit. */
int mf_sandbox_install(const mf_sandbox *s, unsigned flags, mf_log_fn log, void *userdata, struct mf_error *error);

void mf_sandbox_free(mf_sandbox *s);

/* ---- containers (since 0.3) ---- */

enum {
        MF_OCI_INPUT_AUTO = 0,          /* a directory: a bundle (its config.json); a file: by its keys */
        MF_OCI_INPUT_SECCOMP = 1,       /* the runtime spec's linux.seccomp object alone */
        MF_OCI_INPUT_CONFIG = 2,        /* a runtime spec (config.json) or a bundle */
        MF_OCI_INPUT_PROFILE = 3,       /* a Docker/Moby/Podman profile */
};

enum {
        MF_OCI_STRICT = 1 << 0,         /* any warning (an unknown member, a name libseccomp does not know) fails */
};

struct mf_oci_options {
        size_t size;                    /* sizeof(struct mf_oci_options) */
        int input;                      /* MF_OCI_INPUT_* */
        const char *arch;               /* host ABI ("x86-64", …); NULL (default): this machine's */
        unsigned flags;                 /* MF_OCI_* */
        const char *const *caps;        /* profiles: the container's capabilities ("CAP_SYS_ADMIN", …), NULL-terminated;
                                         * NULL (default): Docker's default set */
        unsigned kernel_major, kernel_minor;    /* profiles: the kernel minKernel is held against; 0.0: the running one */
        int verify;                     /* MF_VERIFY_* */
};

/* Compile a container's seccomp profile (path: a bundle, a config.json, a linux.seccomp object or
 * a Docker/Podman profile) into the one program crun would build from it with libseccomp 2.5
 * (MF_LAYOUT_SINGLE: crun loads one), with crun 1.8's semantics. A config.json that asks for
 * run.oci.seccomp_fail_unknown_syscall makes unknown names errors, as in crun. Diagnostics name
 * the file, line and JSON path ("syscalls[12].args[0].op"). A spec without linux.seccomp gives a
 * sandbox of no program. opts NULL: every default. error may be NULL. */
int mf_oci_compile(const char *path, const struct mf_oci_options *opts, mf_log_fn log, void *userdata,
                   mf_sandbox **ret, struct mf_error *error);

/* Compile the bundle's (or config.json's) linux.seccomp and write the program into it as the
 * run.oci.seccomp_bpf_data annotation, which crun then loads instead of compiling linux.seccomp:
 * atomically (a new file renamed over the old one), linux.seccomp kept. On any error the file is
 * left as it was. 0 also when there is no linux.seccomp (nothing is written). */
int mf_oci_annotate(const char *bundle, const struct mf_oci_options *opts, mf_log_fn log, void *userdata,
                    struct mf_error *error);

#ifdef __cplusplus
}
#endif

#endif
