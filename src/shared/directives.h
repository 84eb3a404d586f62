/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The directive model: what a unit's sandboxing and execution directives say, parsed with
 * systemd's semantics (man 5 systemd.exec), with where each value came from so that later
 * stages can name FILE:LINE in their diagnostics. Pure data; no I/O. */

#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "diag.h"
#include "exec-command.h"
#include "unit-file.h"

#define SYSCALL_ABSENT INT32_MIN        /* not in the list */
#define SYSCALL_DEFAULT (-1)            /* in the list, with the list's default action */
/* otherwise 0…4095: errno, or ERRNO_KILL (errno-name.h) */

/* SystemCallFilter= and SystemCallLog=. */
typedef struct SyscallList {
        bool set;                       /* a non-empty assignment since the last reset */
        bool allow_list;                /* decided by the first non-empty assignment */
        int32_t *action;                /* per syscall id (syscall-table.h), SYSCALL_ABSENT if not listed */
        SourceLoc *loc;                 /* per syscall id: the assignment that put it there */
        SourceLoc first;                /* the assignment that decided allow_list */
} SyscallList;

typedef struct AddressFamilies {
        bool started;                   /* a list exists (systemd: the set is allocated); "none" and "" drop it */
        bool allow_list;
        bool *family;                   /* af_max() entries */
        SourceLoc *loc;
        size_t n_families;              /* how many entries of family[] are true */
        SourceLoc where;                /* last assignment, for diagnostics */
} AddressFamilies;

typedef struct BoolSetting {
        bool value;
        SourceLoc loc;                  /* file NULL when never assigned */
} BoolSetting;

typedef enum ServiceType {
        SERVICE_SIMPLE,
        SERVICE_EXEC,
        SERVICE_FORKING,
        SERVICE_ONESHOT,
        SERVICE_DBUS,
        SERVICE_NOTIFY,
        SERVICE_IDLE,
        _SERVICE_TYPE_MAX,
        _SERVICE_TYPE_INVALID = -EINVAL,
} ServiceType;

#define PERSONALITY_INVALID 0xffffffffUL

typedef struct Directives {
        SyscallList syscall_filter;
        SyscallList syscall_log;
        int syscall_errno;              /* SystemCallErrorNumber=: 1…4095 or ERRNO_KILL (the default) */
        SourceLoc syscall_errno_loc;
        AbiSet syscall_archs;           /* SystemCallArchitectures=; empty: no restriction */
        bool syscall_archs_native;      /* "native" was listed */
        SourceLoc syscall_archs_loc;

        AddressFamilies address_families;       /* RestrictAddressFamilies= */
        bool address_families_set;              /* allow_list or a non-empty list: the directive restricts */

        unsigned long restrict_namespaces;      /* namespaces still allowed; NAMESPACE_FLAGS_INITIAL when unset */
        SourceLoc restrict_namespaces_loc;

        BoolSetting memory_deny_write_execute;
        BoolSetting lock_personality;
        BoolSetting restrict_realtime;
        BoolSetting restrict_suid_sgid;
        BoolSetting protect_kernel_modules;
        BoolSetting protect_kernel_logs;
        BoolSetting protect_kernel_tunables;
        BoolSetting protect_clock;
        BoolSetting protect_hostname;
        BoolSetting private_devices;
        BoolSetting no_new_privileges;

        unsigned long personality;      /* Personality=: PER_LINUX, PER_LINUX32 or PERSONALITY_INVALID */
        SourceLoc personality_loc;

        ExecCommand *exec_start;
        size_t n_exec_start;
        ServiceType type;
        char *user;
        char *group;
        char **environment;             /* KEY=VALUE, later assignments of a key replace earlier ones */
        char *working_directory;        /* NULL, a path, or "~" for the user's home */
        bool working_directory_missing_ok;      /* "-" prefix */
} Directives;

/* The boolean directives, by key: where each lives in Directives. NULL-terminated. */
typedef struct BoolDirective {
        const char *key;
        size_t offset;
} BoolDirective;
extern const BoolDirective bool_directives[];

/* The boolean directive called key (e.g. "MemoryDenyWriteExecute"), or NULL. */
const BoolSetting *directives_get_bool(const Directives *d, const char *key);

int directives_new(Directives **ret);
Directives *directives_free(Directives *d);
/* A deep copy, e.g. to try an assignment on. */
int directives_copy(const Directives *d, Directives **ret);
DEFINE_POINTER_CLEANUP(Directives, directives_free);

/* Apply one assignment with systemd's semantics. Invalid values and unknown keys are reported to
 * diag as warnings and ignored (returns 0); keys megafilter does not interpret are accepted
 * silently. u supplies the specifiers (%n, %i, …). Returns -ENOMEM, or -ENOEXEC after an error
 * diagnostic for the settings systemd treats as fatal for the unit (an invalid User=, …). */
int directives_apply(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag);

/* Apply every entry of u in order. */
int directives_apply_unit(Directives *d, const UnitFile *u, Diag *diag);

/* Whether the list filters anything: an allow-list always does, a deny-list when not empty. */
bool syscall_list_active(const SyscallList *l);

/* Whether RestrictNamespaces= forbids any namespace type. */
bool directives_restrict_namespaces_set(const Directives *d);

/* Whether systemd would set no_new_privs for these directives when the caller lacks CAP_SYS_ADMIN:
 * any seccomp-based directive is in use. */
bool directives_use_seccomp(const Directives *d);

/* What libseccomp 2.5.4 refuses when systemd 252 builds SystemCallFilter='s filter, so that
 * systemd fails the service with status 228 (EXIT_SECCOMP) although it parsed the unit: errno
 * 4095 as the default action or on a rule (libseccomp takes 0…4094), and in an allow-list an
 * entry whose action is the default one (~name:EPERM with SystemCallErrorNumber=EPERM, ~name:kill
 * with SystemCallErrorNumber= unset: -EACCES). Returns 0, or -EINVAL/-EACCES after an error
 * naming the line at fault. */
int directives_check_libseccomp(const Directives *d, Diag *diag);

const char *service_type_to_string(ServiceType t);
ServiceType service_type_from_string(const char *s);

/* Personality= names for this host: "x86-64" -> PER_LINUX, "x86" -> PER_LINUX32 on x86-64. */
unsigned long personality_from_string(const char *s);
const char *personality_to_string(unsigned long p);
