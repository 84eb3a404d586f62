#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate megafilter's static tables into src/shared/*.gen.c.

Inputs:
  DATA/syscalls.csv           syscall numbers per ABI (libseccomp's table format)
  DATA/known-syscalls.txt     syscall names systemd's @known lists
  DATA/syscall-groups.txt     membership of systemd's @groups
  /usr/include/asm-generic/errno-base.h, errno.h   errno names and numbers
  the C compiler's <errno.h>                        aliases the C library adds (ENOTSUP)
  the C compiler's <sys/socket.h>                   AF_* names and numbers
  the C compiler's <linux/net.h>, <linux/ipc.h>          the call numbers of socketcall() and ipc()
  the ABI facts below (audit arch, number bias, argument width, socketcall, host ABIs, and
      what the policy and the libseccomp baseline both need to know about an ABI's calls)

DATA defaults to ../shared/data next to the checkout. The output is deterministic: the same
inputs give byte-identical files; test/test-gen-tables.sh checks the committed copies.
Standard library only.
"""

import argparse
import csv
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), 'shared', 'data')
DEFAULT_OUTPUT = os.path.join(ROOT, 'src', 'shared')
ERRNO_HEADERS = ['/usr/include/asm-generic/errno-base.h', '/usr/include/asm-generic/errno.h']

# ELF machine numbers (<linux/elf-em.h>) and audit arch flag bits (<linux/audit.h>).
EM = {'386': 3, '68K': 4, 'MIPS': 8, 'PARISC': 15, 'PPC': 20, 'PPC64': 21, 'S390': 22,
      'ARM': 40, 'SH': 42, 'X86_64': 62, 'AARCH64': 183, 'RISCV': 243, 'LOONGARCH': 258}
AUDIT_64BIT = 0x80000000
AUDIT_LE = 0x40000000
AUDIT_MIPS64_N32 = 0x20000000
X32_SYSCALL_BIT = 0x40000000


class AbiDef:
    def __init__(self, enum, name, libseccomp_name, em, flags, column, bias, arg_bits, socketcall, host):
        self.enum = enum
        self.name = name
        self.libseccomp_name = libseccomp_name
        self.audit_arch = EM[em] | flags
        self.column = column            # syscalls.csv column holding its numbers
        self.bias = bias
        self.arg_bits = arg_bits
        self.socketcall = socketcall
        self.host = host                # enum suffixes, native first
        f = CALL_FACTS.get(enum, {})
        self.systemd_252 = enum not in SYSTEMD_252_UNKNOWN
        self.socket_by_family = f.get('socket_by_family', False)
        self.mmap_prot, self.mmap_old, self.shmat_call = f.get('mdwe', (None, None, False))
        self.clone_flags_arg = 1 if enum in ('S390', 'S390X') else 0
        self.o_creat = 0x100 if enum.startswith(('MIPS', 'PARISC')) else 0o100
        self.keeps = KEEPS.get(enum, [])


# What the policy (policy-layers.c) and the libseccomp baseline both need to know about an
# ABI's calls, from systemd 252's seccomp-util.c and the kernel's tables:
#   socket_by_family  socket() is a call of its own, filtered by family (RestrictAddressFamilies=):
#                     the ABIs systemd lists as not using socketcall() (PA-RISC it leaves out)
#   mdwe              MemoryDenyWriteExecute=: the mmap() whose prot (argument 2) is checked, the
#                     old mmap() taking its arguments in memory (refused outright), and whether
#                     shmat() is a call of its own (elsewhere it goes through ipc(): not filtered);
#                     none where systemd leaves the ABI alone (MIPS, PA-RISC: no mmap() definition)
# loongarch64 is megafilter's own addition (systemd 252's seccomp code does not know it, see
# SYSTEMD_252_UNKNOWN); the baseline leaves it out as systemd 252 does.
_MDWE_MMAP2_OLD = ('mmap2', 'mmap', False)
_MDWE_MMAP = ('mmap', None, False)
_MDWE_MMAP_SHMAT = ('mmap', None, True)
CALL_FACTS = {
    'X86_64': {'socket_by_family': True, 'mdwe': _MDWE_MMAP_SHMAT},
    'X86': {'mdwe': _MDWE_MMAP2_OLD},
    'X32': {'socket_by_family': True, 'mdwe': _MDWE_MMAP_SHMAT},
    'ARM': {'socket_by_family': True, 'mdwe': ('mmap2', None, True)},
    'AARCH64': {'socket_by_family': True, 'mdwe': _MDWE_MMAP_SHMAT},
    'LOONGARCH64': {'socket_by_family': True, 'mdwe': _MDWE_MMAP_SHMAT},
    'MIPS64': {'socket_by_family': True},
    'MIPSEL64': {'socket_by_family': True},
    'MIPS64N32': {'socket_by_family': True},
    'MIPSEL64N32': {'socket_by_family': True},
    'PPC': {'mdwe': _MDWE_MMAP},
    'PPC64': {'mdwe': _MDWE_MMAP},
    'PPC64LE': {'mdwe': _MDWE_MMAP},
    'RISCV64': {'socket_by_family': True, 'mdwe': _MDWE_MMAP_SHMAT},
    'S390': {'mdwe': _MDWE_MMAP2_OLD},
    'S390X': {'mdwe': _MDWE_MMAP},
}
# ABIs systemd 252's seccomp code has no name for: its per-ABI switches never list them.
SYSTEMD_252_UNKNOWN = {'LOONGARCH64', 'M68K', 'SH', 'SHEB'}
# SystemCallArchitectures= permitting an ABI keeps these permitted too: x32's vDSO makes
# x86-64 calls (systemd 252's seccomp_restrict_archs(), Debian bug 850047).
KEEPS = {'X32': ['X86_64']}
# clone_flags_arg: on s390 the first two arguments of clone() are swapped. o_creat: O_CREAT
# (<asm/fcntl.h>: 0x100 on MIPS and PA-RISC, 0100 elsewhere).

# The calls socketcall() and ipc() multiplex, by their macro in <linux/net.h> (all SYS_*) and
# <linux/ipc.h> (these); the syscall is the macro's name in lower case.
IPC_CALLS = ['SEMOP', 'SEMGET', 'SEMCTL', 'SEMTIMEDOP', 'MSGSND', 'MSGRCV', 'MSGGET', 'MSGCTL',
             'SHMAT', 'SHMDT', 'SHMGET', 'SHMCTL']


# In the order of enum Abi in abi.h.
#
# arg_bits is libseccomp's arch size (x32 and MIPS n32 are 32 there). socketcall is set where
# libseccomp routes socket/IPC rules through socketcall()/ipc() (its abi_rule_add), m68k and sh
# included as in libseccomp upstream. host follows systemd's seccomp_local_archs (which, on
# MIPS, lists both byte orders); systemd has no list for loongarch64, m68k and sh/sheb: those run
# their native ABI only.
MIPS_ALL = ['MIPS', 'MIPSEL', 'MIPS64', 'MIPSEL64', 'MIPS64N32', 'MIPSEL64N32']
ABIS = [
    AbiDef('X86_64', 'x86-64', 'x86_64', 'X86_64', AUDIT_64BIT | AUDIT_LE, 'x86_64', 0, 64, False,
           ['X86_64', 'X86', 'X32']),
    AbiDef('X86', 'x86', 'x86', '386', AUDIT_LE, 'x86', 0, 32, True, ['X86']),
    AbiDef('X32', 'x32', 'x32', 'X86_64', AUDIT_64BIT | AUDIT_LE, 'x32', X32_SYSCALL_BIT, 32, False,
           ['X32', 'X86_64', 'X86']),
    AbiDef('ARM', 'arm', 'arm', 'ARM', AUDIT_LE, 'arm', 0, 32, False, ['ARM']),
    AbiDef('AARCH64', 'arm64', 'aarch64', 'AARCH64', AUDIT_64BIT | AUDIT_LE, 'aarch64', 0, 64, False,
           ['AARCH64', 'ARM']),
    AbiDef('LOONGARCH64', 'loongarch64', 'loongarch64', 'LOONGARCH', AUDIT_64BIT | AUDIT_LE,
           'loongarch64', 0, 64, False, ['LOONGARCH64']),
    AbiDef('M68K', 'm68k', 'm68k', '68K', 0, 'm68k', 0, 32, True, ['M68K']),
    AbiDef('MIPS', 'mips', 'mips', 'MIPS', 0, 'mips', 4000, 32, True, ['MIPS', 'MIPSEL']),
    AbiDef('MIPSEL', 'mips-le', 'mipsel', 'MIPS', AUDIT_LE, 'mips', 4000, 32, True, ['MIPSEL', 'MIPS']),
    AbiDef('MIPS64', 'mips64', 'mips64', 'MIPS', AUDIT_64BIT, 'mips64', 5000, 64, False, MIPS_ALL),
    AbiDef('MIPSEL64', 'mips64-le', 'mipsel64', 'MIPS', AUDIT_64BIT | AUDIT_LE, 'mips64', 5000, 64,
           False, MIPS_ALL),
    AbiDef('MIPS64N32', 'mips64-n32', 'mips64n32', 'MIPS', AUDIT_64BIT | AUDIT_MIPS64_N32,
           'mips64n32', 6000, 32, False, MIPS_ALL),
    AbiDef('MIPSEL64N32', 'mips64-le-n32', 'mipsel64n32', 'MIPS',
           AUDIT_64BIT | AUDIT_LE | AUDIT_MIPS64_N32, 'mips64n32', 6000, 32, False, MIPS_ALL),
    AbiDef('PARISC', 'parisc', 'parisc', 'PARISC', 0, 'parisc', 0, 32, False, ['PARISC']),
    AbiDef('PARISC64', 'parisc64', 'parisc64', 'PARISC', AUDIT_64BIT, 'parisc64', 0, 64, False,
           ['PARISC64', 'PARISC']),
    AbiDef('PPC', 'ppc', 'ppc', 'PPC', 0, 'ppc', 0, 32, True, ['PPC']),
    AbiDef('PPC64', 'ppc64', 'ppc64', 'PPC64', AUDIT_64BIT, 'ppc64', 0, 64, True,
           ['PPC64', 'PPC64LE', 'PPC']),
    AbiDef('PPC64LE', 'ppc64-le', 'ppc64le', 'PPC64', AUDIT_64BIT | AUDIT_LE, 'ppc64', 0, 64, True,
           ['PPC64LE', 'PPC64', 'PPC']),
    AbiDef('RISCV64', 'riscv64', 'riscv64', 'RISCV', AUDIT_64BIT | AUDIT_LE, 'riscv64', 0, 64, False,
           ['RISCV64']),
    AbiDef('S390', 's390', 's390', 'S390', 0, 's390', 0, 32, True, ['S390']),
    AbiDef('S390X', 's390x', 's390x', 'S390', AUDIT_64BIT, 's390x', 0, 64, True, ['S390X', 'S390']),
    # libseccomp's "sh" is the little-endian one; systemd has no name for the big-endian one.
    AbiDef('SH', 'sh', 'sh', 'SH', AUDIT_LE, 'sh', 0, 32, True, ['SH']),
    AbiDef('SHEB', 'sh-be', 'sheb', 'SH', 0, 'sh', 0, 32, True, ['SHEB']),
]

# Our own one-line descriptions, one per group of syscall-groups.txt plus @known.
SET_HELP = {
    '@default': 'Calls nearly every program makes: process identity, memory setup, time, exit',
    '@aio': 'Asynchronous I/O: POSIX AIO contexts and io_uring',
    '@basic-io': 'Reading, writing, seeking and closing file descriptors',
    '@chown': 'Changing the owner and group of files',
    '@clock': 'Setting or steering the system clock',
    '@cpu-emulation': 'Running code in other CPU modes (vm86, LDT entries, endian switch)',
    '@debug': 'Tracing, profiling and reaching into other processes',
    '@file-system': 'Opening, creating, inspecting, renaming and removing files and directories',
    '@io-event': 'Waiting for readiness of file descriptors: poll, select, epoll, eventfd',
    '@ipc': 'Pipes, System V and POSIX IPC, memfds, and access to other processes\' memory',
    '@keyring': 'The kernel key retention service',
    '@memlock': 'Pinning memory so it is never swapped out',
    '@module': 'Loading and removing kernel modules',
    '@mount': 'Mounting file systems and changing the root directory',
    '@network-io': 'Sockets: creating, binding, connecting, sending and receiving',
    '@obsolete': 'Calls the kernel no longer implements or that modern programs do not need',
    '@pkey': 'Memory protection keys',
    '@privileged': 'Calls that require privileges (capabilities) to succeed',
    '@process': 'Creating, signalling, waiting for and inspecting processes and threads',
    '@raw-io': 'Direct access to I/O ports and PCI configuration space',
    '@reboot': 'Rebooting, and loading a new kernel to boot into',
    '@resources': 'Changing scheduling, priorities, NUMA memory policy and resource limits',
    '@sandbox': 'Confining oneself: seccomp filters and Landlock rulesets',
    '@setuid': 'Switching user and group identities',
    '@signal': 'Installing signal handlers, masking and waiting for signals',
    '@swap': 'Turning swap areas on and off',
    '@sync': 'Flushing file contents and mapped memory to storage',
    '@system-service': 'What an ordinary system service needs; a starting point for allow-lists',
    '@timer': 'Interval timers, POSIX timers, timerfds and alarms',
    '@known': 'Every system call name megafilter knows, on any ABI',
}

# Names group members may carry although no ABI has them as a syscall (systemd lists them as
# aliases of other calls); anything else missing from the tables is an error in the data.
TABLELESS_MEMBERS = {'fstatat', 'newfstat'}

# Preferred canonical names where several AF_* names share a number.
AF_PREFERRED = {'AF_UNIX'}


def die(msg):
    sys.exit(f'gen-tables: {msg}')


def sort_c(names):
    """Sort as strcmp() does."""
    return sorted(names, key=lambda s: s.encode())


def c_string(s):
    if not re.fullmatch(r'[ -~]*', s) or '\\' in s:
        die(f'unexpected character in {s!r}')
    return '"' + s.replace('"', '\\"') + '"'


def read_lines(path):
    with open(path, encoding='utf-8') as f:
        return [l.rstrip('\n') for l in f]


def read_syscalls_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        rows = list(csv.reader(f))
    if not rows or not rows[0] or not rows[0][0].startswith('#syscall'):
        die(f'{path}: no "#syscall" header line')
    header = rows[0]
    version = header[0][len('#syscall'):].strip().strip('()')
    columns = header[1::2]
    for i, c in enumerate(columns):
        if header[2 + 2 * i] != c + '_kver':
            die(f'{path}: column {c} is not followed by {c}_kver')
    numbers = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or row[0].startswith('#'):
            continue
        if len(row) != len(header):
            die(f'{path}:{lineno}: {len(row)} fields, expected {len(header)}')
        name = row[0]
        if not re.fullmatch(r'[a-z0-9_]+', name):
            die(f'{path}:{lineno}: bad syscall name {name!r}')
        if name in numbers:
            die(f'{path}:{lineno}: duplicate syscall {name}')
        per_column = {}
        for i, c in enumerate(columns):
            v = row[1 + 2 * i]
            if v == 'PNR':
                continue
            if not re.fullmatch(r'[0-9]+', v) or int(v) >= X32_SYSCALL_BIT:
                die(f'{path}:{lineno}: bad number {v!r} for {name} on {c}')
            per_column[c] = int(v)
        numbers[name] = per_column
    return version, columns, numbers


def read_known(path):
    names = []
    for lineno, l in enumerate(read_lines(path), start=1):
        l = l.strip()
        if not l or l.startswith('#'):
            continue
        if not re.fullmatch(r'[a-z0-9_]+', l):
            die(f'{path}:{lineno}: bad syscall name {l!r}')
        names.append(l)
    if len(set(names)) != len(names):
        die(f'{path}: duplicate names')
    return names


def read_groups(path):
    groups = []
    for lineno, l in enumerate(read_lines(path), start=1):
        if not l.strip() or l.startswith('#'):
            continue
        m = re.fullmatch(r'(@[a-z0-9-]+):((?:\s+\S+)*)\s*', l)
        if not m:
            die(f'{path}:{lineno}: expected "@group: member ..."')
        name, members = m.group(1), m.group(2).split()
        if name == '@known' or any(g == name for g, _ in groups):
            die(f'{path}:{lineno}: group {name} defined twice or reserved')
        if len(set(members)) != len(members):
            die(f'{path}:{lineno}: duplicate member in {name}')
        for mem in members:
            if not re.fullmatch(r'@?[a-z0-9_-]+', mem):
                die(f'{path}:{lineno}: bad member {mem!r}')
        groups.append((name, members))
    return groups


def cc_defines(cc, header):
    cmd = shlex.split(cc) + ['-E', '-dM', '-include', header, '-']
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die(f'running {" ".join(cmd)} failed: {e}')
    defs = {}
    for l in out.splitlines():
        m = re.fullmatch(r'#define (\w+) (.+)', l.strip())
        if m:
            defs[m.group(1)] = m.group(2).strip()
    return defs


def read_errno(paths, cc):
    numbers, aliases = {}, {}
    for path in paths:
        for l in read_lines(path):
            m = re.match(r'#define\s+(E[A-Z0-9]+)\s+(\S+)', l)
            if not m:
                continue
            name, value = m.groups()
            if re.fullmatch(r'[0-9]+', value):
                numbers[name] = int(value)
            elif re.fullmatch(r'E[A-Z0-9]+', value):
                aliases[name] = value
            else:
                die(f'{path}: cannot read {l!r}')
    # Names the C library adds as aliases of kernel names (glibc: ENOTSUP = EOPNOTSUPP), which
    # systemd accepts too since it reads <errno.h>.
    for name, value in cc_defines(cc, 'errno.h').items():
        if re.fullmatch(r'E[A-Z0-9]+', name) and value in numbers and name not in numbers:
            aliases.setdefault(name, value)
    for name, target in aliases.items():
        if target not in numbers:
            die(f'errno alias {name} of unknown {target}')
    by_number = {}
    for name, n in numbers.items():
        if n in by_number:
            die(f'errno {n} defined as {by_number[n]} and {name}')
        if not 0 < n <= 4095:
            die(f'errno {name} = {n} out of range')
        by_number[n] = name
    return by_number, {**numbers, **{a: numbers[t] for a, t in aliases.items()}}


def read_af(cc):
    defs = {k: v for k, v in cc_defines(cc, 'sys/socket.h').items() if re.fullmatch(r'[AP]F_\w+', k)}

    def resolve(sym, depth=0):
        v = defs.get(sym)
        if v is None or depth > 8:
            die(f'cannot resolve {sym} from <sys/socket.h>')
        return int(v) if re.fullmatch(r'[0-9]+', v) else resolve(v, depth + 1)

    values, direct = {}, {}
    for name in defs:
        if not name.startswith('AF_') or name in ('AF_UNSPEC', 'AF_MAX'):
            continue
        values[name] = resolve(name)
        # AF_X is "direct" when PF_X is a plain number, not another PF_ name.
        direct[name] = re.fullmatch(r'[0-9]+', defs.get('PF_' + name[3:], '')) is not None
    by_number = {}
    for name in sort_c(values):
        n = values[name]
        if n <= 0:
            die(f'{name} = {n}')
        cur = by_number.get(n)
        rank = (name in AF_PREFERRED, direct[name])
        if cur is None or rank > (cur in AF_PREFERRED, direct[cur]):
            by_number[n] = name
    return by_number, values


# ---------------------------------------------------------------------------------------------

def header(what, inputs):
    lines = ['/* SPDX-License-Identifier: LGPL-2.1-or-later',
             ' *',
             f' * {what}',
             ' *',
             ' * Generated by tools/gen-tables.py from:']
    lines += [f' *   {i}' for i in inputs]
    lines += [' * Do not edit: change the inputs or the generator and run tools/gen-tables.py.',
              ' */',
              '']
    return lines


def c_string_or_null(s):
    return 'NULL' if s is None else c_string(s)


def gen_abi_table(multiplexed):
    out = header('ABI facts, included by abi.c.',
                 ['the ABI table in tools/gen-tables.py (libseccomp 2.5/2.6 arch definitions,',
                  '   <linux/audit.h>, systemd 252 seccomp_local_archs, architecture names and',
                  '   per-ABI choices in seccomp-util.c)',
                  '<linux/net.h>, <linux/ipc.h> (cc -E -dM)'])
    out += [f'_Static_assert(_ABI_MAX == {len(ABIS)}, "abi.h and tools/gen-tables.py disagree");',
            '',
            'const AbiInfo abi_info[_ABI_MAX] = {']
    for a in ABIS:
        host = ' | '.join(f'ABI_BIT(ABI_{h})' for h in a.host)
        out += [f'        [ABI_{a.enum}] = {{',
                f'                .name = {c_string(a.name)},',
                f'                .libseccomp_name = {c_string(a.libseccomp_name)},',
                f'                .audit_arch = UINT32_C(0x{a.audit_arch:08X}),',
                f'                .nr_bias = {a.bias if a.bias < 0x10000 else f"UINT32_C(0x{a.bias:08X})"},',
                f'                .arg_bits = {a.arg_bits},',
                f'                .socketcall = {"true" if a.socketcall else "false"},',
                f'                .host_abis = {host},',
                f'                .systemd_252 = {"true" if a.systemd_252 else "false"},',
                f'                .keeps = {" | ".join(f"ABI_BIT(ABI_{k})" for k in a.keeps) or "0"},',
                f'                .socket_by_family = {"true" if a.socket_by_family else "false"},',
                f'                .mmap_prot = {c_string_or_null(a.mmap_prot)},',
                f'                .mmap_old = {c_string_or_null(a.mmap_old)},',
                f'                .shmat_call = {"true" if a.shmat_call else "false"},',
                f'                .clone_flags_arg = {a.clone_flags_arg},',
                f'                .o_creat = 0{a.o_creat:o},',
                '        },']
    out += ['};', '',
            '/* The calls socketcall() and ipc() multiplex, sorted by name. */',
            'static const AbiMultiplexed abi_multiplexed_calls[] = {']
    out += [f'        {{ {c_string(n)}, {"true" if ipc else "false"}, {nr} }},' for n, ipc, nr in multiplexed]
    out += ['};', '']
    return out


def read_multiplexed(cc, names):
    net = {k: v for k, v in cc_defines(cc, 'linux/net.h').items() if re.fullmatch(r'SYS_[A-Z0-9]+', k)}
    ipc = cc_defines(cc, 'linux/ipc.h')
    calls = []
    for k, v in net.items():
        calls.append((k[len('SYS_'):].lower(), False, v))
    for k in IPC_CALLS:
        if k not in ipc:
            die(f'{k} is not in <linux/ipc.h>')
        calls.append((k.lower(), True, ipc[k]))
    out = []
    for n, is_ipc, v in calls:
        if not re.fullmatch(r'[0-9]+', v) or not 0 < int(v) < 256:
            die(f'multiplexed call {n} = {v!r}')
        if n not in names:
            die(f'multiplexed call {n} is in no syscall table')
        out.append((n, is_ipc, int(v)))
    if len({n for n, _, _ in out}) != len(out):
        die('a multiplexed call listed twice')
    return sorted(out, key=lambda c: c[0].encode())


def gen_syscall_table(version, columns, numbers, names):
    out = header('Syscall names and numbers, included by syscall-table.c.',
                 [f'../shared/data/syscalls.csv ({version})', '../shared/data/known-syscalls.txt'])
    out += [f'#define SYSCALL_COUNT {len(names)}',
            f'#define SYSCALL_COLUMNS {len(columns)}',
            '',
            '/* Every name, sorted by strcmp(); the index is the syscall id. */',
            'static const char *const syscall_names[SYSCALL_COUNT] = {']
    out += [f'        {c_string(n)},' for n in names]
    out += ['};', '',
            '/* The column of syscall_numbers[] holding each ABI\'s numbers (endian variants share). */',
            'static const uint8_t syscall_column[_ABI_MAX] = {']
    out += [f'        [ABI_{a.enum}] = {columns.index(a.column)},' for a in ABIS]
    out += ['};', '',
            '/* Numbers without the ABI\'s bias, -1 where the ABI lacks the call. Columns:',
            ' * ' + ' '.join(columns) + ' */',
            'static const int32_t syscall_numbers[SYSCALL_COUNT][SYSCALL_COLUMNS] = {']
    for n in names:
        per = numbers.get(n, {})
        vals = ', '.join(str(per.get(c, -1)) for c in columns)
        out.append(f'        {{ {vals} }}, /* {n} */')
    out += ['};', '']

    out += ['/* Per column, (number, id) pairs sorted by number, for number -> id lookups. */',
            'static const SyscallByNr syscall_by_nr[] = {']
    ids = {n: i for i, n in enumerate(names)}
    ranges, offset = [], 0
    for c in columns:
        pairs = sorted((per[c], ids[n]) for n, per in numbers.items() if c in per)
        if not pairs:
            die(f'no syscall has a number on {c}')
        seen = set()
        for nr, i in pairs:
            if nr in seen:
                die(f'two syscalls share number {nr} on {c}')
            seen.add(nr)
        out.append(f'        /* {c} */')
        out += [f'        {{ {nr}, {i} }},' for nr, i in pairs]
        ranges.append((c, offset, len(pairs)))
        offset += len(pairs)
    out += ['};', '',
            'static const SyscallByNrRange syscall_by_nr_range[SYSCALL_COLUMNS] = {']
    out += [f'        {{ {o}, {k} }}, /* {c} */' for c, o, k in ranges]
    out += ['};', '']
    return out


def set_enum(name):
    return 'SYSCALL_SET_' + name[1:].upper().replace('-', '_')


def gen_syscall_set(groups, known):
    out = header('Syscall groups, included by syscall-set.c. The descriptions are megafilter\'s own.',
                 ['../shared/data/syscall-groups.txt', '../shared/data/syscalls.csv',
                  '../shared/data/known-syscalls.txt (for @known)'])
    sets = groups + [('@known', known)]
    out += [f'_Static_assert(_SYSCALL_SET_MAX == {len(sets)}, "syscall-set.h and the groups disagree");',
            '']
    for name, members in sets:
        ident = 'members_' + name[1:].replace('-', '_')
        out.append(f'static const char *const {ident}[] = {{')
        out += [f'        {c_string(m)},' for m in members]
        out += ['        NULL,', '};', '']
    out.append('const SyscallSet syscall_sets[_SYSCALL_SET_MAX] = {')
    for name, members in sets:
        ident = 'members_' + name[1:].replace('-', '_')
        out += [f'        [{set_enum(name)}] = {{',
                f'                .name = {c_string(name)},',
                f'                .help = {c_string(SET_HELP[name])},',
                f'                .members = {ident},',
                '        },']
    out += ['};', '']
    return out


def gen_errno(by_number, by_name):
    out = header('errno names, included by errno-name.c.',
                 ERRNO_HEADERS + ['aliases from the C library\'s <errno.h> (cc -E -dM)'])
    out += ['/* Canonical name by number. */',
            f'static const char *const errno_names[{max(by_number) + 1}] = {{']
    out += [f'        [{n}] = {c_string(by_number[n])},' for n in sorted(by_number)]
    out += ['};', '',
            '/* Every name, aliases included, sorted by strcmp(). */',
            'static const NameNumber errno_by_name[] = {']
    out += [f'        {{ {c_string(n)}, {by_name[n]} }},' for n in sort_c(by_name)]
    out += ['};', '']
    return out


def gen_af(by_number, by_name):
    out = header('Address family names, included by af-name.c.',
                 ['AF_* of the C library\'s <sys/socket.h> (cc -E -dM), without AF_UNSPEC and AF_MAX'])
    out += ['/* Canonical name by number; the size is one more than the largest family. */',
            f'static const char *const af_names[{max(by_number) + 1}] = {{']
    out += [f'        [{n}] = {c_string(by_number[n])},' for n in sorted(by_number)]
    out += ['};', '',
            '/* Every name, aliases included, sorted by strcmp(). */',
            'static const NameNumber af_by_name[] = {']
    out += [f'        {{ {c_string(n)}, {by_name[n]} }},' for n in sort_c(by_name)]
    out += ['};', '']
    return out


def validate(columns, numbers, known, groups):
    wanted = sorted({a.column for a in ABIS})
    if sorted(columns) != wanted:
        die(f'syscalls.csv columns {columns} do not match the ABI table {wanted}')
    enums = {a.enum for a in ABIS}
    for e in set(CALL_FACTS) | SYSTEMD_252_UNKNOWN | set(KEEPS) | {k for ks in KEEPS.values() for k in ks}:
        if e not in enums:
            die(f'ABI fact for unknown ABI {e}')
    for a in ABIS:
        has = lambda n: a.column in numbers.get(n, {})
        if a.socket_by_family and (a.socketcall or not has('socket')):
            die(f'{a.enum}: socket() filtered by family, but multiplexed or missing')
        for n in (a.mmap_prot, a.mmap_old) + (('shmat',) if a.shmat_call else ()):
            if n is not None and not has(n):
                die(f'{a.enum}: MemoryDenyWriteExecute= names {n}(), which it does not have')
    names = set(numbers) | set(known)
    group_names = {g for g, _ in groups}
    missing_help = (group_names | {'@known'}) - set(SET_HELP)
    if missing_help:
        die(f'no description for {sorted(missing_help)}')
    for g, members in groups:
        for m in members:
            if m.startswith('@'):
                if m not in group_names:
                    die(f'{g} nests unknown group {m}')
            elif m not in names and m not in TABLELESS_MEMBERS:
                die(f'{g} member {m} is in no table (add it to TABLELESS_MEMBERS if intended)')
    # Nesting must be acyclic.
    nested = {g: [m for m in ms if m.startswith('@')] for g, ms in groups}

    def visit(g, path):
        if g in path:
            die('nesting cycle: ' + ' -> '.join(path + [g]))
        for n in nested[g]:
            visit(n, path + [g])
    for g in nested:
        visit(g, [])


def generate(data, cc):
    version, columns, numbers = read_syscalls_csv(os.path.join(data, 'syscalls.csv'))
    known = read_known(os.path.join(data, 'known-syscalls.txt'))
    groups = read_groups(os.path.join(data, 'syscall-groups.txt'))
    validate(columns, numbers, known, groups)
    names = sort_c(set(numbers) | set(known))
    errno_by_number, errno_by_name = read_errno(ERRNO_HEADERS, cc)
    af_by_number, af_by_name = read_af(cc)
    files = {
        'abi-table.gen.c': gen_abi_table(read_multiplexed(cc, set(names))),
        'syscall-table.gen.c': gen_syscall_table(version, columns, numbers, names),
        'syscall-set.gen.c': gen_syscall_set(groups, names),
        'errno-name.gen.c': gen_errno(errno_by_number, errno_by_name),
        'af-name.gen.c': gen_af(af_by_number, af_by_name),
    }
    return {k: '\n'.join(v) for k, v in files.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=DEFAULT_DATA, help='directory with syscalls.csv etc. (default: %(default)s)')
    p.add_argument('--output', default=DEFAULT_OUTPUT, help='where to write the .gen.c files (default: %(default)s)')
    p.add_argument('--cc', default=os.environ.get('CC', 'cc'), help='C compiler to read <sys/socket.h> with')
    args = p.parse_args()

    files = generate(args.data, args.cc)
    os.makedirs(args.output, exist_ok=True)
    for name, text in sorted(files.items()):
        with open(os.path.join(args.output, name), 'w', encoding='utf-8') as f:
            f.write(text)
    return 0

if __name__ == '__main__':
    sys.exit(main())
