/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* From an observation to the tightest sandbox that allows what was seen: a drop-in of [Service]
 * lines for the installed systemd (252), each with a comment saying why, and the same knowledge
 * as an OCI linux.seccomp section (learn-oci.c). Pure.
 *
 * The rule throughout: what the run needed is allowed, everything else is denied, including
 * what the unit's own sandbox denied during the run (the service ran without it).
 *
 * SystemCallFilter= is an allow-list: a reset, then systemd's groups and single names covering
 * the calls the run made (@default is in every allow-list). A group is used where it takes fewer
 * words than the names it replaces plus the calls it would let through unseen (each counts one);
 * then every group the run never touched that takes back some of those calls is denied (~@…).
 * Only groups and members systemd 252 has count as covering a call, and a call is counted as let
 * through if either megafilter's groups or 252's hold it. */

#include "directives.h"
#include "learn-observation.h"

typedef struct ProposeOptions {
        const char *unit_name;
        const char *command;            /* the command line, for the header */
        unsigned long persona;          /* the persona LockPersonality= would lock */
        const bool *systemd_knows;      /* per syscall id: the installed systemd's libseccomp names it (NULL: all) */
} ProposeOptions;

typedef struct Proposal {
        /* The decisions, for every writer. */
        uint8_t *allow;                 /* per syscall id: the allow-list lets it through */
        bool archs_native;
        bool errno_eperm;               /* SystemCallErrorNumber=EPERM is proposed */
        bool families_set;
        uint64_t families;
        bool namespaces_set;
        unsigned long namespaces;       /* allowed */
        bool mdwe, lock_personality, restrict_realtime, restrict_suid_sgid;
        bool protect_clock, protect_kernel_modules, protect_kernel_logs, protect_kernel_tunables;
        bool protect_hostname, private_devices;
        unsigned long persona;

        char **header;                  /* comment lines, "# …" */
        char **lines;                   /* the [Service] section: assignments and their comments */
} Proposal;

/* Decide and describe. unit is the unit the run had (its SystemCallErrorNumber= and the
 * like are kept). -ENOMEM. */
int learn_propose(const Observation *o, const Directives *unit, const ProposeOptions *opts, Proposal **ret);
Proposal *proposal_free(Proposal *p);
DEFINE_POINTER_CLEANUP(Proposal, proposal_free);

/* Add a comment line to the header (after what learn_propose() wrote). -ENOMEM. */
int proposal_add_header(Proposal *p, const char *format, ...) _printf_(2, 3);

/* The drop-in as text: the header, "[Service]", the lines. Caller frees. NULL on ENOMEM. */
char *proposal_to_dropin(const Proposal *p);

/* The same knowledge as an OCI runtime spec's linux.seccomp object (with argument rules where
 * the facts allow), into f. */
void proposal_write_oci(const Proposal *p, const Observation *o, FILE *f);
