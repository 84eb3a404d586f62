#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""oci-random-seccomp.py [--simple] SEED: a random linux.seccomp object, reproducible from SEED, for the
differential against crun (test-oci-differential.sh). It covers what crun + libseccomp make of
the format: every op with values in both 32-bit halves, several conditions per rule and on one
index, several rules per call that overlap, every action with and without errnoRet,
defaultErrnoRet, flags, architecture lists (empty, 32-bit only, mixed), names libseccomp does not
know, and now and then something crun refuses (an index over 5, an errno too large, an unknown op
or action, errnoRet on an action without one).

--simple stays where libseccomp 2.5.4's programs do what its rules say (the shapes of the engines'
profiles): no x32 in the architectures; no rules of socketcall() or ipc() themselves; one comparison a rule, and per call one argument
and one action for its conditional rules; all but EQ and MASKED_EQ on 32-bit values; MASKED_EQ
with a mask in the low half. Outside it, libseccomp's output has bugs megafilter
does not reproduce: 64-bit LT/LE/GT/GE (even a single LE rule on a value with a high half), NE and
ordered comparisons merged across rules, overlapping rules of different actions, rules of the
multiplexer itself next to the calls it multiplexes, and with x32 in the filter, an x86-64 section
that now and then compares the syscall numbers with the arch word (no "ld [0]"). That one is seen
in --simple too, in an x86 section (one conditional rule on semop, which x86 multiplexes):
test-oci-differential.sh excuses a seed whose mismatches all come from it."""
import json
import random
import sys

simple = sys.argv[1] == "--simple"
rng = random.Random(int(sys.argv[-1]))

# Calls with arguments worth comparing, and plain ones; a few that only some ABIs have.
CALLS = ["read", "write", "close", "dup", "dup2", "getpid", "getppid", "kill", "personality", "socket",
         "clone", "unshare", "mmap", "mprotect", "ioctl", "fcntl", "lseek", "prctl", "setns", "umask",
         "chmod", "fchmod", "openat", "mkdirat", "uname", "getuid", "setuid", "sched_setscheduler",
         "_llseek", "mmap2", "socketcall", "arch_prctl", "map_shadow_stack", "time", "ipc", "semop"]
UNKNOWN = ["no_such_call", "mseal", "listmount"]
OPS = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"]
ACTIONS = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
           "SCMP_ACT_TRAP", "SCMP_ACT_TRACE", "SCMP_ACT_LOG"]
SIMPLE_ARCH_SETS = [[], ["SCMP_ARCH_X86_64"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], ["SCMP_ARCH_X86"]]
ARCH_SETS = [[], ["SCMP_ARCH_X86_64"], ["SCMP_ARCH_X86"], ["SCMP_ARCH_X32"], ["SCMP_ARCH_X86", "SCMP_ARCH_X32"],
             ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"]]
FLAGS = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"]
BAD = rng.random() < 0.1        # this one has something crun refuses (drawn first: the same in both modes)


def value():
    """A value with something in one or both halves, or a small one."""
    k = rng.randrange(6)
    if k == 0:
        return rng.randrange(16)
    if k == 1:
        return rng.randrange(1 << 32)
    if k == 2:
        return rng.randrange(1 << 32) << 32
    if k == 3:
        return rng.randrange(1 << 64)
    if k == 4:
        return (1 << 32) + rng.randrange(16)
    return rng.choice([0xffffffff, 0xffffffffffffffff, 1 << 31, 1 << 63])


def arg(index=None):
    op = rng.choice(OPS)
    a = {"index": rng.randrange(6) if index is None else index, "value": value(), "op": op}
    if op == "SCMP_CMP_MASKED_EQ" or rng.random() < 0.2:
        a["valueTwo"] = value() if rng.random() < 0.5 else a["value"] & value()
    return a


def action(o, key="action", errno_key="errnoRet"):
    act = rng.choice(ACTIONS)
    o[key] = act
    if act in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE") and rng.random() < 0.6:
        o[errno_key] = rng.choice([1, 13, 22, 38, 95, 4094, 65536 + 5])


default = "SCMP_ACT_ERRNO" if rng.random() < 0.5 else rng.choice(ACTIONS)
s = {"defaultAction": default}
if default in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE") and rng.random() < 0.5:
    s["defaultErrnoRet"] = rng.choice([1, 38, 22])
s["architectures"] = rng.choice(SIMPLE_ARCH_SETS if simple else ARCH_SETS)
if rng.random() < 0.3:
    s["flags"] = rng.sample(FLAGS, rng.randrange(1, 3))

rules = []
calls = rng.sample(CALLS, rng.randrange(3, 9))
if simple:
    calls = [c for c in calls if c not in ("socketcall", "ipc")] or ["read"]
    # one call a rule, one comparison a rule, per call one argument and one action for its
    # conditional rules; NE, LT, LE, GE and GT on 32-bit values, MASKED_EQ with a mask in the low half
    for call in calls:
        cond = {}
        action(cond)
        index = rng.randrange(6)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            a = arg(index)
            if a["op"] not in ("SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ"):
                a["value"] &= 0xffffffff
            if a["op"] == "SCMP_CMP_MASKED_EQ" and not a["value"] & 0xffffffff:
                a["value"] |= 1 << rng.randrange(32)
            rules.append({"names": [call], **cond, "args": [a]})
        if rng.random() < 0.3:
            u = {"names": [call]}
            action(u)
            rules.insert(rng.randrange(len(rules) + 1), u)
        if rng.random() < 0.1:
            rules.append({"names": [rng.choice(UNKNOWN)], "action": "SCMP_ACT_ALLOW"})
else:
    for _ in range(rng.randrange(2, 12)):
        r = {"names": rng.sample(calls, rng.randrange(1, 3))}
        if rng.random() < 0.1:
            r["names"].append(rng.choice(UNKNOWN))
        action(r)
        k = rng.randrange(4)
        if k == 1:
            r["args"] = [arg()]
        elif k == 2:
            idx = rng.sample(range(6), rng.randrange(2, 4))
            r["args"] = [arg(i) for i in idx]
        elif k == 3:
            # two conditions on one index (crun splits the rule), maybe one more
            i = rng.randrange(6)
            r["args"] = [arg(i), arg(i)] + ([arg()] if rng.random() < 0.5 else [])
        rules.append(r)
        # the same rule again for another call, or with another action: overlaps
        if rng.random() < 0.2:
            r2 = json.loads(json.dumps(r))
            r2["names"] = [rng.choice(calls)]
            action(r2)
            rules.append(r2)
if not rules:
    rules.append({"names": [calls[0]], "action": "SCMP_ACT_ALLOW"})

if BAD:
    r = rng.choice(rules)
    k = rng.randrange(4)
    if k == 0:
        r.setdefault("args", [arg()]).append(arg(6 + rng.randrange(3)))
    elif k == 1:
        r["action"] = "SCMP_ACT_ERRNO"
        r["errnoRet"] = rng.choice([4095, 5000, 65535])
    elif k == 2:
        r.setdefault("args", [arg()])[0]["op"] = "SCMP_CMP_MASKED_NE"
    else:
        r["action"] = "SCMP_ACT_ALLOW"
        r["errnoRet"] = 1
s["syscalls"] = rules
json.dump(s, sys.stdout, indent=1)
print()
