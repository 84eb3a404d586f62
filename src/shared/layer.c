/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "layer.h"

static const char *const layer_directives[_LAYER_MAX] = {
        [LAYER_PROTECT_HOSTNAME] = "ProtectHostname=",
        [LAYER_ADDRESS_FAMILIES] = "RestrictAddressFamilies=",
        [LAYER_MEMORY_DENY_WRITE_EXECUTE] = "MemoryDenyWriteExecute=",
        [LAYER_RESTRICT_REALTIME] = "RestrictRealtime=",
        [LAYER_RESTRICT_SUID_SGID] = "RestrictSUIDSGID=",
        [LAYER_RESTRICT_NAMESPACES] = "RestrictNamespaces=",
        [LAYER_PROTECT_KERNEL_TUNABLES] = "ProtectKernelTunables=",
        [LAYER_PROTECT_KERNEL_MODULES] = "ProtectKernelModules=",
        [LAYER_PROTECT_KERNEL_LOGS] = "ProtectKernelLogs=",
        [LAYER_PROTECT_CLOCK] = "ProtectClock=",
        [LAYER_PRIVATE_DEVICES] = "PrivateDevices=",
        [LAYER_SYSCALL_ARCHITECTURES] = "SystemCallArchitectures=",
        [LAYER_LOCK_PERSONALITY] = "LockPersonality=",
        [LAYER_SYSCALL_LOG] = "SystemCallLog=",
        [LAYER_SYSCALL_FILTER] = "SystemCallFilter=",
};

const char *policy_layer_to_directive(PolicyLayer l) {
        return l >= 0 && l < _LAYER_MAX ? layer_directives[l] : NULL;
}
