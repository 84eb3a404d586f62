/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "exit-status.h"
#include "macro.h"

const char *exit_status_to_string(int status) {
        static const char *const names[] = {
                [EXIT_CHDIR] = "CHDIR",
                [EXIT_NICE] = "NICE",
                [EXIT_FDS] = "FDS",
                [EXIT_EXEC] = "EXEC",
                [EXIT_MEMORY] = "MEMORY",
                [EXIT_LIMITS] = "LIMITS",
                [EXIT_OOM_ADJUST] = "OOM_ADJUST",
                [EXIT_SIGNAL_MASK] = "SIGNAL_MASK",
                [EXIT_STDIN] = "STDIN",
                [EXIT_STDOUT] = "STDOUT",
                [EXIT_CHROOT] = "CHROOT",
                [EXIT_IOPRIO] = "IOPRIO",
                [EXIT_TIMERSLACK] = "TIMERSLACK",
                [EXIT_SECUREBITS] = "SECUREBITS",
                [EXIT_SETSCHEDULER] = "SETSCHEDULER",
                [EXIT_CPUAFFINITY] = "CPUAFFINITY",
                [EXIT_GROUP] = "GROUP",
                [EXIT_USER] = "USER",
                [EXIT_CAPABILITIES] = "CAPABILITIES",
                [EXIT_CGROUP] = "CGROUP",
                [EXIT_SETSID] = "SETSID",
                [EXIT_CONFIRM] = "CONFIRM",
                [EXIT_STDERR] = "STDERR",
                [EXIT_PAM] = "PAM",
                [EXIT_NETWORK] = "NETWORK",
                [EXIT_NAMESPACE] = "NAMESPACE",
                [EXIT_NO_NEW_PRIVILEGES] = "NO_NEW_PRIVILEGES",
                [EXIT_SECCOMP] = "SECCOMP",
                [EXIT_SELINUX_CONTEXT] = "SELINUX_CONTEXT",
                [EXIT_PERSONALITY] = "PERSONALITY",
                [EXIT_APPARMOR_PROFILE] = "APPARMOR",
                [EXIT_ADDRESS_FAMILIES] = "ADDRESS_FAMILIES",
                [EXIT_RUNTIME_DIRECTORY] = "RUNTIME_DIRECTORY",
                [EXIT_CHOWN] = "CHOWN",
                [EXIT_SMACK_PROCESS_LABEL] = "SMACK_PROCESS_LABEL",
                [EXIT_KEYRING] = "KEYRING",
                [EXIT_STATE_DIRECTORY] = "STATE_DIRECTORY",
                [EXIT_CACHE_DIRECTORY] = "CACHE_DIRECTORY",
                [EXIT_LOGS_DIRECTORY] = "LOGS_DIRECTORY",
                [EXIT_CONFIGURATION_DIRECTORY] = "CONFIGURATION_DIRECTORY",
                [EXIT_NUMA_POLICY] = "NUMA_POLICY",
                [EXIT_CREDENTIALS] = "CREDENTIALS",
                [EXIT_BPF] = "BPF",
        };

        if (status < 0 || (size_t) status >= ELEMENTSOF(names))
                return NULL;
        return names[status];
}
