/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a learning run saw (megafilter learn): every system call the process tree made, per ABI
 * and number, what the sandbox in force answered, the argument facts the directives depend on
 * (socket families, namespace flags, W+X memory, personalities, scheduler policies, set-user-ID
 * modes, the files under /dev, /proc and /sys that were opened) and how the run went. Pure data:
 * the recorder (src/core/learn-record.c) decodes each call into a LearnCall and adds it here, the
 * proposal (learn-propose.c) reads it.
 *
 * Every call is counted as "needed" when the reference sandbox allows it (the unit's own, which
 * in a learning run is also the one that answers) and as "denied" when the answering sandbox
 * refused it. In a check run the answer comes from the proposal, so a call that is denied but
 * needed is one the proposal must not deny. */

#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "policy.h"

/* What the recorder must read from the caller's memory for a call (learn_call_needs()). */
typedef enum LearnNeed {
        LEARN_NEED_PATH = 1 << 0,               /* the path at argument path_arg (dirfd at dirfd_arg) */
        LEARN_NEED_CLONE3 = 1 << 1,             /* struct clone_args at a0: its flags */
        LEARN_NEED_OPEN_HOW = 1 << 2,           /* struct open_how at a2: flags and mode */
        LEARN_NEED_SOCKETCALL = 1 << 3,         /* socketcall(SYS_SOCKET, args): the family at *a1 */
} LearnNeed;

typedef struct LearnNeeds {
        LearnNeed need;
        int path_arg;
        int dirfd_arg;                          /* -1: the path is relative to the working directory */
} LearnNeeds;

/* One call as the recorder saw it. */
typedef struct LearnCall {
        Abi abi;
        uint32_t nr;
        uint64_t args[6];
        uint32_t action;                        /* what the run answered (SECCOMP_RET_*) */
        PolicyLayer layer;                      /* who decided that answer */
        SourceLoc loc;                          /* borrowed from the answering policy's unit */
        bool needed;                            /* the reference sandbox allows the call */
        uint32_t reference_action;              /* what the reference sandbox answers */
        bool fallback;                          /* ENOSYS, which callers take for an older kernel and
                                                 * fall back from (clone3(), openat2(), unknown numbers) */
        /* From the caller's memory, when learn_call_needs() asked for it and the read worked: */
        const char *path;                       /* absolute when it could be resolved */
        bool have_flags;
        uint64_t mem_flags;                     /* clone3's flags, openat2's flags */
        uint64_t mem_mode;                      /* openat2's mode */
        int mem_family;                         /* socketcall's family; -1 if unknown */
} LearnCall;

typedef struct ObservedNr {
        uint64_t needed;                        /* calls the reference sandbox allows */
        uint64_t denied;                        /* calls the answering sandbox refused */
} ObservedNr;

/* A distinct refusal: the same call, refused by the same rule, for the same reason. */
typedef struct ObservedDenial {
        Abi abi;
        uint32_t nr;
        uint32_t action;
        PolicyLayer layer;
        SourceLoc loc;                          /* borrowed: valid as long as the answering policy's unit */
        bool needed;                            /* … although the reference sandbox allows it */
        uint32_t reference_action;              /* what the reference sandbox answers */
        bool fallback;                          /* see LearnCall */
        char detail[64];                        /* "AF_INET", "CLONE_NEWNET", "PROT_WRITE|PROT_EXEC", "" */
        uint64_t count;
} ObservedDenial;

/* A number no table names (e.g. syscall(1000)), per ABI. */
typedef struct ObservedUnnamed {
        Abi abi;
        uint32_t nr;
        uint64_t count;
} ObservedUnnamed;

typedef enum PathUse {
        PATH_USE_READ = 1 << 0,
        PATH_USE_WRITE = 1 << 1,
        PATH_USE_EXEC = 1 << 2,
} PathUse;

typedef struct ObservedPath {
        char *path;
        PathUse use;
} ObservedPath;

#define LEARN_MAX_PATHS 512
#define LEARN_MAX_PERSONALITIES 8

/* The argument facts of the needed calls. */
typedef struct ObservedFacts {
        uint64_t families;                      /* bit af: socket() of family af (< 64) */
        bool family_unknown;                    /* a family >= 64, or one that could not be read */
        unsigned long namespaces;               /* CLONE_NEW* flags of clone(), clone3(), unshare(), setns() */
        bool setns_any;                         /* setns(fd, 0): the namespace type is the fd's */
        bool clone3;                            /* clone3() (RestrictNamespaces= answers it with ENOSYS) */
        bool clone3_unread;                     /* … whose flags could not be read */
        bool openat2;                           /* openat2() (RestrictSUIDSGID= answers it with ENOSYS) */
        bool wx_mmap;                           /* mmap() with PROT_WRITE|PROT_EXEC */
        bool exec_mprotect;                     /* mprotect()/pkey_mprotect() with PROT_EXEC */
        bool exec_shmat;                        /* shmat() with SHM_EXEC */
        bool old_mmap;                          /* the old mmap() of x86 and s390 (arguments in memory) */
        unsigned long personalities[LEARN_MAX_PERSONALITIES];
        size_t n_personalities;
        bool personalities_overflow;
        uint64_t sched_policies;                /* bit p: sched_setscheduler(…, p) for p < 63; bit 63: larger */
        int suid_sgid;                          /* syscall id of the first call with S_ISUID/S_ISGID, or -1 */
        bool mknod_device;                      /* mknod() of a character or block device */
        bool alarm_clock;                       /* a timer on CLOCK_REALTIME_ALARM or CLOCK_BOOTTIME_ALARM */
        uint64_t forks;                         /* fork(), vfork(), clone() and clone3() without CLONE_THREAD */
        uint64_t threads;                       /* … with CLONE_THREAD */
        uint64_t execs;
        char **programs;                        /* distinct paths given to execve()/execveat() */
        ObservedPath *paths;                    /* distinct paths under /dev, /proc, /sys and the module
                                                 * directories, and how they were opened */
        size_t n_paths;
        bool paths_overflow;                    /* more than LEARN_MAX_PATHS */
} ObservedFacts;

typedef struct ObservedRun {
        bool partial;                           /* interrupted: not everything the service does was seen */
        bool stopped;                           /* ended by --duration */
        double seconds;
        int exit_status;                        /* of the command that ended the run (128+N: signal N); -1: none */
        unsigned leftovers;                     /* processes still running when the service's main process
                                                 * ended, stopped as systemd would stop them */
        unsigned sigkill_kills;                 /* kills the supervisor gave as SIGKILL, not SIGSYS (the
                                                 * process had SIGSYS blocked or handled) */
        uint64_t notifications;
        bool abis_blocked;                      /* the answering sandbox kills the calls of some ABI, in
                                                 * the filter: unseen */
} ObservedRun;

typedef struct Observation {
        Abi native;
        AbiSet abis;                            /* the host's */
        uint32_t nr_first[_ABI_MAX];
        uint32_t n[_ABI_MAX];
        ObservedNr *calls[_ABI_MAX];            /* by nr - nr_first, for the numbers tables name */
        ObservedUnnamed *unnamed;
        size_t n_unnamed;
        ObservedDenial *denials;
        size_t n_denials;
        ObservedFacts facts;                    /* of the needed calls */
        ObservedRun run;
} Observation;

/* An empty observation for a host with this native ABI. -ENOMEM. */
int observation_new(Abi native, Observation **ret);
Observation *observation_free(Observation *o);
DEFINE_POINTER_CLEANUP(Observation, observation_free);

/* What the recorder has to read from memory for this call (need 0 when nothing). */
LearnNeeds learn_call_needs(Abi abi, uint32_t nr);

/* Whether a call is one a learning filter may let through unwatched: in systemd's @default (which
 * every allow-list includes) in both megafilter's groups and systemd 252's, and none of its
 * arguments matter to a directive (mmap() and mprotect() are watched when they ask for PROT_EXEC). */
bool learn_call_preseen(Abi abi, int syscall_id);

/* Count a call and its facts. -ENOMEM. */
int observation_add(Observation *o, const LearnCall *c);

/* The counts of a named number, or NULL. */
const ObservedNr *observation_get(const Observation *o, Abi abi, uint32_t nr);

/* Whether any needed call was made on abi. */
bool observation_used_abi(const Observation *o, Abi abi);

/* Add what check says was needed (calls its proposal denied although the unit allows them) to o,
 * as if o's run had made those calls. -ENOMEM. */
int observation_merge_needed(Observation *o, const Observation *check);

/* Whether a refusal is a failure of the answering sandbox: the reference allows the call, or
 * refuses it with another errno. */
bool observed_denial_fails(const ObservedDenial *d);

/* How many distinct refusals fail (a check run's failures). */
size_t observation_needed_denials(const Observation *o);
