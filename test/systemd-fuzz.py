#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The generator and the judge of test-systemd-fuzz.sh, the differential against the installed
systemd 252.

  systemd-fuzz.py gen SEED FIRST COUNT DIR
      Units fuzz-SEED-N.service for N in FIRST…FIRST+COUNT-1 in DIR (with the groups of systemd
      252 in DIR/groups-252). Unit N depends on SEED, N, those groups and SYSTEMD_FUZZ_AVOID only.
  systemd-fuzz.py mismatches UNIT GROUPS_252 GROUPS_MF COMPARE_OUTPUT
      Reads compare-filters' MISMATCH lines and prints those no deliberate difference explains;
      exit status 1 if there are any. A summary of what was excused, by entry, goes to stderr.
  systemd-fuzz.py refusal UNIT SYSTEMD_STATUS MEGAFILTER_STATUS MEGAFILTER_OUTPUT GROUPS_252
      Whether systemd's refusal (or a different one of megafilter run's) is one megafilter.unit(5)
      documents (exit 0, printing the id) or not (exit 1).
  systemd-fuzz.py drop UNIT K OUT
      UNIT without its K-th assignment, in OUT (minimizing a failure).
  systemd-fuzz.py self-test
      The judge on made-up units and mismatches: each exception excuses what it should only.
  systemd-fuzz.py check-man DIFFERENCES_TXT MAN_PAGE
      Every entry of fuzz-differences.txt names exactly one bullet of megafilter.unit(5)'s
      DIFFERENCES FROM SYSTEMD 252, and every bullet has exactly one entry; then the self-test.

SYSTEMD_FUZZ_AVOID (comma-separated) keeps spellings out of the units, for divergences that are
known and fixed elsewhere: errno-case (errno names in lower or mixed case), errno-forms (errno
numbers as 0x…, 0…, +…, 0b…, 0o…), errno-4095, af-case (address family names not in upper case).
"""

import ctypes
import errno as errno_mod
import os
import random
import re
import sys

# ---------------------------------------------------------------------------------------------
# What systemd 252 accepts, as its parsers read it (src/basic/parse-util.c, seccomp-util.h).

SD_TRUE = ("1", "yes", "y", "true", "t", "on")
SD_FALSE = ("0", "no", "n", "false", "f", "off")


def sd_parse_boolean(s):
    s = s.lower()
    return True if s in SD_TRUE else False if s in SD_FALSE else None


def sd_strtol0(s, base):
    """strtol() over the whole string, base 0 (C's prefixes) or base 2/8; None if not all of it."""
    m = re.fullmatch(r"[ \t\n]*([+-]?)(.*)", s, re.S)
    sign, digits = m.group(1), m.group(2)
    if base == 0:
        if re.match(r"0[xX][0-9a-fA-F]", digits):
            base, digits = 16, digits[2:]
        elif digits.startswith("0"):
            base = 8
        else:
            base = 10
    alphabet = "0123456789abcdef"[:base]
    if not digits or any(c.lower() not in alphabet for c in digits):
        return None
    v = int(digits, base) * (-1 if sign == "-" else 1)
    return v if -2**31 <= v < 2**31 else None


def sd_safe_atoi(s):
    base = 0
    if s[:2] in ("0b", "0B"):
        base, s = 2, s[2:]
    elif s[:2] in ("0o", "0O"):
        base, s = 8, s[2:]
    return sd_strtol0(s, base)


def sd_parse_errno(s):
    """parse_errno(): an errno name in any case (gperf --ignore-case), else a number 0…4095."""
    v = getattr(errno_mod, s.upper(), None) if s.upper().startswith("E") else None
    if isinstance(v, int) and v > 0:
        return v
    v = sd_safe_atoi(s)
    return v if v is not None and 0 <= v <= 4095 else None


def sd_errno_or_kill(s):
    return "kill" if s == "kill" else sd_parse_errno(s)


# ---------------------------------------------------------------------------------------------
# The generator.

ERRNO_NAMES = ["EPERM", "EACCES", "EIO", "ENOENT", "EINVAL", "ENOSYS", "EAGAIN", "EWOULDBLOCK", "EBADF",
               "EROFS", "ENOTSUP", "EOPNOTSUPP", "EILSEQ", "EDEADLOCK", "ENOMEDIUM", "EXFULL"]
ERRNO_NUMBERS = [0, 1, 2, 5, 13, 22, 38, 95, 255, 256, 4094, 4095, 4096, 65535, -1]
FAMILIES = ["AF_UNIX", "AF_LOCAL", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_BLUETOOTH",
            "AF_VSOCK", "AF_ALG", "AF_CAN", "AF_XDP", "AF_KEY", "AF_QIPCRTR", "AF_NOSUCH"]
NAMESPACES = ["cgroup", "ipc", "net", "mnt", "pid", "user", "uts"]
ARCHES = ["native", "x86-64", "x86", "x32"]
BOOLEAN_KEYS = ["MemoryDenyWriteExecute", "LockPersonality", "RestrictRealtime", "RestrictSUIDSGID",
                "ProtectClock", "ProtectHostname", "ProtectKernelModules", "ProtectKernelLogs",
                "ProtectKernelTunables", "PrivateDevices"]
# Names beyond systemd 252's groups: newer calls (megafilter.unit(5): unknown to libseccomp 2.5),
# one that x32 lacks, and no call at all.
EXTRA_NAMES = ["mseal", "listmount", "statmount", "map_shadow_stack", "uretprobe", "nosuchcall"]


class Gen:
    def __init__(self, seed, index, groups_252, avoid):
        self.r = random.Random(f"systemd-fuzz {seed} {index}")
        self.avoid = avoid
        self.groups = sorted(groups_252)
        self.names = sorted({n for g in groups_252.values() for n in g if not n.startswith("@")})

    def case(self, w):
        r = self.r.random()
        if r < 0.6:
            return w
        if r < 0.75:
            return w.upper()
        if r < 0.85:
            return w.capitalize()
        return "".join(c.upper() if self.r.random() < 0.5 else c.lower() for c in w)

    def boolean(self):
        if self.r.random() < 0.04:
            return self.r.choice(["maybe", "", "2", "yess"])
        return self.case(self.r.choice(SD_TRUE + SD_FALSE))

    def number(self, v):
        forms = ["%d", "%d", "+%d"]
        if v >= 0 and "errno-forms" not in self.avoid:
            forms += ["0x%x", "0X%X", "0%o", "0o%o", "0b{:b}", "0B{:b}"]
        elif "errno-forms" in self.avoid:
            forms = ["%d"]
        f = self.r.choice(forms)
        return f.format(v) if "{" in f else f % v

    def errno(self):
        r = self.r.random()
        if r < 0.6:
            n = self.r.choice(ERRNO_NAMES)
            return n if "errno-case" in self.avoid else self.case(n)
        if r < 0.97:
            v = self.r.choice(ERRNO_NUMBERS + list(range(1, 134)))
            if v == 4095 and "errno-4095" in self.avoid:
                v = 4094
            return self.number(v)
        return self.r.choice(["", "E", "EPERMX", "1e3", "0x", "12a"])

    def syscall_item(self, suffix_ok):
        r = self.r.random()
        if r < 0.45:
            w = "@" + self.r.choice(self.groups)
        elif r < 0.47:
            w = self.r.choice(["@nosuchgroup", "@System-Service"])
        elif r < 0.52:
            w = self.r.choice(EXTRA_NAMES)
        else:
            w = self.r.choice(self.names)
        if self.r.random() < 0.03:
            w = w.upper()       # names and groups are case-sensitive: no such call
        if suffix_ok and self.r.random() < 0.35:
            s = self.r.random()
            w += ":" + ("kill" if s < 0.2 else "KILL" if s < 0.23 else self.errno())
        return w

    def join(self, words):
        """Words with odd spacing and, now and then, a continuation line."""
        out = ""
        for i, w in enumerate(words):
            if i:
                if self.r.random() < 0.12:
                    out += self.r.choice([" \\\n", "\\\n ", " \\\n\t"])
                else:
                    out += self.r.choice([" ", " ", "  ", "\t", " \t "])
            out += w
        return out

    def assignment(self, key, value):
        sep = self.r.choice(["=", "=", "=", " =", "= ", " = ", "\t=\t"])
        lead = self.r.choice(["", "", "", " ", "\t"])
        return f"{lead}{key}{sep}{value}"

    def unit(self):
        r = self.r
        lines = ["[Service]", "ExecStart=/bin/sleep 30"]
        keys = (["SystemCallFilter"] * 6 + ["SystemCallErrorNumber"] * 2 + ["SystemCallArchitectures"] * 2 +
                ["RestrictAddressFamilies"] * 2 + ["RestrictNamespaces"] * 2 + ["SystemCallLog", "Personality"] +
                BOOLEAN_KEYS)
        for _ in range(r.randint(1, 9)):
            key = r.choice(keys)
            if key in ("SystemCallFilter", "SystemCallLog"):
                if r.random() < 0.12:
                    value = ""
                else:
                    items = [self.syscall_item(key == "SystemCallFilter" or r.random() < 0.05)
                             for _ in range(r.randint(1, 6))]
                    invert = r.random() < 0.5
                    if not invert and key == "SystemCallFilter" and r.random() < 0.5:
                        # Often enough an allow-list sleep can live with, so that its filters
                        # are compared rather than its death.
                        items.insert(r.randrange(len(items) + 1), "@system-service")
                    value = ("~" if invert else "") + self.join(items)
            elif key == "SystemCallErrorNumber":
                value = r.choice(["kill", "kill", "", "KILL"]) if r.random() < 0.25 else self.errno()
            elif key == "SystemCallArchitectures":
                value = "" if r.random() < 0.1 else self.join(
                    [r.choice(ARCHES + ["x86_64", "arm64"]) if r.random() < 0.05 else r.choice(ARCHES)
                     for _ in range(r.randint(1, 3))])
            elif key == "RestrictAddressFamilies":
                x = r.random()
                if x < 0.08:
                    value = ""
                elif x < 0.15:
                    value = self.case("none")
                else:
                    fams = [f if "af-case" in self.avoid else self.case(f)
                            for f in r.sample(FAMILIES, r.randint(1, 4))]
                    value = ("~" if r.random() < 0.4 else "") + self.join(fams)
            elif key == "RestrictNamespaces":
                x = r.random()
                if x < 0.35:
                    value = self.boolean()
                elif x < 0.4:
                    value = ""
                else:
                    value = ("~" if r.random() < 0.4 else "") + self.join(r.sample(NAMESPACES, r.randint(1, 4)))
            elif key == "Personality":
                value = r.choice(["x86", "x86-64", "x86", "arm64", "", "X86"])
            else:
                value = self.boolean()
            if r.random() < 0.05:
                lines.append(r.choice(["# a comment", "; another", ""]))
            lines.append(self.assignment(key, value))
        return "\n".join(lines) + "\n"


def logical_lines(text):
    """The unit's lines as systemd reads them: comments dropped, a backslash at the end of a line
    continues it (the backslash becoming a space)."""
    out, cont = [], None
    for raw in text.split("\n"):
        s = raw.strip()
        if cont is None and (not s or s[0] in "#;"):
            continue
        if cont is not None and s and s[0] in "#;":
            continue
        piece = raw if cont is not None else raw.lstrip()
        if piece.rstrip().endswith("\\"):
            cont = (cont or "") + piece.rstrip()[:-1] + " "
            continue
        out.append((cont or "") + piece)
        cont = None
    if cont is not None:
        out.append(cont)
    return out


def assignments(text):
    for l in logical_lines(text):
        if "=" in l and not l.startswith("["):
            k, v = l.split("=", 1)
            yield k.strip(), v.strip()


def facts_of(path):
    """What the judge needs to know about a unit, read from its text."""
    facts = {"groups": [], "names": [], "filter": [], "log": [], "errno": [], "mdwe": [], "implied": []}
    booleans = {}
    for k, v in assignments(open(path, encoding="utf-8").read()):
        if k in ("SystemCallFilter", "SystemCallLog"):
            for w in v.lstrip("~").split():
                name = w.split(":", 1)[0]
                (facts["groups"] if name.startswith("@") else facts["names"]).append(name)
            facts["filter" if k == "SystemCallFilter" else "log"].append(v)
        elif k == "SystemCallErrorNumber":
            facts["errno"].append(v)
        elif k in BOOLEAN_KEYS:
            booleans.setdefault(k, []).append(v)
    facts["mdwe"] = booleans.get("MemoryDenyWriteExecute", [])
    for k, g in (("ProtectClock", "@clock"), ("ProtectKernelModules", "@module"), ("PrivateDevices", "@raw-io")):
        if effective_bool(booleans.get(k, [])):
            facts["implied"].append(g)
    return facts


def cmd_drop(path, k, out):
    """The unit without its k-th line after ExecStart= (counting from 0; a line continued over
    several is one), the others as they were: what test-systemd-fuzz.sh tries when it minimizes
    a failing unit. Exit 1 if there is no such line."""
    groups, cont = [], False
    for raw in open(path, encoding="utf-8").read().splitlines():
        if cont:
            groups[-1].append(raw)
        else:
            groups.append([raw])
        cont = raw.rstrip().endswith("\\") and not (raw.strip()[:1] in ("#", ";") and len(groups[-1]) == 1)
    rest = groups[2:]
    if k >= len(rest):
        return 1
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(l + "\n" for g in groups[:2] + rest[:k] + rest[k + 1:] for l in g))
    return 0


def parse_groups(path):
    """systemd-analyze syscall-filter's format: '@name', '    # description', '    member'."""
    groups, cur = {}, None
    for line in open(path, encoding="utf-8"):
        if line.startswith("@"):
            cur = groups.setdefault(line.strip(), [])
        elif line.startswith("#") or not line.strip():
            cur = None
        elif cur is not None and not line.strip().startswith("#"):
            cur.append(line.strip())
    return {k.lstrip("@"): v for k, v in groups.items()}


def flatten(groups, name, seen=None):
    seen = set() if seen is None else seen
    out = set()
    if name in seen:
        return out
    seen.add(name)
    for m in groups.get(name, []):
        out |= flatten(groups, m[1:], seen) if m.startswith("@") else {m}
    return out


def cmd_gen(seed, first, count, d):
    groups = parse_groups(os.path.join(d, "groups-252"))
    avoid = set(filter(None, os.environ.get("SYSTEMD_FUZZ_AVOID", "").split(",")))
    for i in range(first, first + count):
        with open(os.path.join(d, f"fuzz-{seed}-{i}.service"), "w", encoding="utf-8") as f:
            f.write(Gen(seed, i, groups, avoid).unit())


# ---------------------------------------------------------------------------------------------
# The judge: the deliberate differences of megafilter.unit(5), as predicates. Their ids are those
# of fuzz-differences.txt.

def list_state(facts):
    """systemd 252's SystemCallFilter= state: the list mode, and the ~entries of an allow-list
    with their action (config_parse_syscall_filter(): the first non-empty assignment after a
    reset decides)."""
    mode, allow_actions = None, []
    for v in facts["filter"]:
        v = v.strip()
        if not v:
            mode, allow_actions = None, []
            continue
        invert = v.startswith("~")
        if mode is None:
            mode = "deny" if invert else "allow"
        if mode == "allow" and invert:
            for w in v[1:].split():
                if ":" in w:
                    a = sd_errno_or_kill(w.split(":", 1)[1])
                    if a is not None:
                        allow_actions.append(a)
    return mode, allow_actions


def log_list_empty_in_252(facts, g252, sc):
    """Whether SystemCallLog= is a ~list (log all but these) that systemd 252 holds empty: it then
    attaches no filter at all (context_has_syscall_logs()). Its hashmap keeps what libseccomp
    resolves, systemd 252's groups expanded."""
    mode, names = None, set()
    for v in facts["log"]:
        if not v:
            mode, names = None, set()
            continue
        invert = v.startswith("~")
        if mode is None:
            mode = "all-but" if invert else "only"
        words = set()
        for w in v.lstrip("~").split():
            # The whole word is the name: "read:EPERM" is no call (and "@clock:EPERM" no group).
            words |= flatten(g252, w[1:]) if w.startswith("@") else {w}
        words = {w for w in words if sc.knows(w)}
        # An entry of the list's own polarity is added, one of the other removed.
        names = names | words if invert == (mode == "all-but") else names - words
    return mode == "all-but" and not names


# The calls x86 has only through socketcall()/ipc(), with the multiplexer's argument 0.
X86_MUX_ONLY = {"accept": ("socketcall", 5), "send": ("socketcall", 9), "recv": ("socketcall", 10),
                "semop": ("ipc", 1), "semtimedop": ("ipc", 4)}


def list_252(values, g252, sc, with_errno):
    """systemd 252's hashmap for SystemCallFilter= (with_errno: words may carry :errno) or
    SystemCallLog=: whether the first assignment after a reset was a ~list, and the names
    libseccomp resolves."""
    inverted, names = None, set()
    for v in values:
        if not v:
            inverted, names = None, set()
            continue
        invert = v.startswith("~")
        if inverted is None:
            inverted = invert
        words = set()
        for w in v.lstrip("~").split():
            if with_errno and ":" in w:
                w, e = w.split(":", 1)
                if sd_errno_or_kill(e) is None:
                    continue
            words |= flatten(g252, w[1:]) if w.startswith("@") else {w}
        words = {w for w in words if sc.knows(w)}
        names = names | words if invert == inverted else names - words
    return inverted, names


def x86_filter_dead(inverted, names, sc):
    """libseccomp 2.5.4 never loads the syscall number in an x86 filter whose only rules are for
    calls x86 has only through socketcall()/ipc() (and calls it lacks): the comparisons of the
    multiplexer's number meet the architecture instead, and nothing is filtered."""
    return bool(names) and all(n in X86_MUX_ONLY or sc.resolve(n, Seccomp.X86) <= -10000 for n in names)


def execve_denied(facts, g252):
    """Whether systemd 252's SystemCallFilter= denies execve() (@default has it)."""
    mode, state = None, None
    for v in facts["filter"]:
        if not v:
            mode, state = None, None
            continue
        invert = v.startswith("~")
        if mode is None:
            mode = "deny" if invert else "allow"
            state = "allowed" if mode == "allow" else "absent"
        for w in v.lstrip("~").split():
            e = None
            if ":" in w:
                w, e = w.split(":", 1)
                e = sd_errno_or_kill(e)
                if e is None or not invert:
                    continue
            if "execve" not in (flatten(g252, w[1:]) if w.startswith("@") else {w}):
                continue
            if mode == "deny":
                state = "denied" if invert else "absent"
            else:
                state = ("denied" if e is not None else "absent") if invert else "allowed"
    return (mode == "deny" and state == "denied") or (mode == "allow" and state != "allowed")


def default_action(facts):
    a = "kill"
    for v in facts["errno"]:
        v = v.strip()
        if not v or v == "kill":
            a = "kill"
            continue
        e = sd_parse_errno(v)
        if e:
            a = e
    return a


def effective_bool(values):
    b = False
    for v in values:
        p = sd_parse_boolean(v.strip())
        if p is not None:
            b = p
    return b


class Seccomp:
    """libseccomp 2.5's view of names, as systemd 252 resolves them."""
    X32 = 0x4000003e
    X86 = 0x40000003

    def __init__(self):
        try:
            self.lib = ctypes.CDLL("libseccomp.so.2")
            self.lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
            self.lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
        except OSError:
            self.lib = None

    def resolve(self, name, arch=0):
        """libseccomp's number (negative: a pseudo-call, -1: none), as resolve_name() gives it."""
        if not self.lib:
            return 0
        f = self.lib.seccomp_syscall_resolve_name_arch if arch else self.lib.seccomp_syscall_resolve_name
        return f(arch, name.encode()) if arch else f(name.encode())

    def knows(self, name, arch=0):
        # __NR_SCMP_ERROR: no such call. A pseudo-call (x86-64's send, say) is a name systemd
        # keeps.
        return self.resolve(name, arch) != -1


MISMATCH = re.compile(r"MISMATCH (\S+) (\S+?)\((.*)\) nr (\d+): systemd (\S+), megafilter (\S+)$")
MDWE_CALLS = {"mmap", "mmap2", "mprotect", "pkey_mprotect", "shmat"}


def cmd_mismatches(unit_path, g252_path, gmf_path, out_path):
    facts = facts_of(unit_path)
    g252, gmf = parse_groups(g252_path), parse_groups(gmf_path)
    mode, _ = list_state(facts)
    mdwe = effective_bool(facts["mdwe"])
    used = {g.lstrip("@") for g in facts["groups"] + facts["implied"]}
    if mode == "allow":
        used.add("default")
    regrouped = set()
    for g in used:
        if g in g252 or g in gmf:
            regrouped |= flatten(g252, g) ^ flatten(gmf, g)
    mentioned = set(facts["names"])
    for g in used:
        mentioned |= flatten(gmf, g)
    sc = Seccomp()
    no_log_filter_252 = log_list_empty_in_252(facts, g252, sc)
    # The multiplexer calls whose x86 rules are dead in systemd 252's filters.
    dead_x86 = set()
    for values, with_errno in ((facts["filter"], True), (facts["log"], False)):
        inverted, names = list_252(values, g252, sc, with_errno)
        if (inverted or not with_errno) and x86_filter_dead(inverted, names, sc):
            dead_x86 |= {X86_MUX_ONLY[n] for n in names if n in X86_MUX_ONLY}
    excused, left = {}, []
    for line in open(out_path, encoding="utf-8"):
        m = MISMATCH.match(line.strip())
        if not m:
            continue
        abi, name, args, _, v_sd, v_mf = m.groups()
        why = None
        if abi == "x86" and (name, int(args.split(",")[0], 0)) in dead_x86:
            why = "x86-mux-dead"
        elif name in regrouped:
            why = "groups-upstream"
        elif name == "?" and mode == "allow" and v_mf == "ERRNO(38)":
            why = "allow-list-enosys"
        elif mdwe and name in MDWE_CALLS and v_sd == "ERRNO(1)":
            why = "mdwe-prctl"
        elif name != "?" and name in mentioned and not sc.knows(name):
            why = "libseccomp-unknown"
        elif no_log_filter_252 and v_sd == "ALLOW" and v_mf == "LOG":
            why = "libseccomp-unknown"
        elif abi == "x32" and name != "?" and name in mentioned and sc.resolve(name) >= 0 and \
                sc.resolve(name, Seccomp.X32) < 0:
            why = "x32-unnamed"
        if why:
            excused[why] = excused.get(why, 0) + 1
        else:
            left.append(line.rstrip())
    if excused:
        print("excused: " + ", ".join(f"{k} {v}" for k, v in sorted(excused.items())), file=sys.stderr)
    for l in left:
        print(l)
    return 1 if left else 0


def refused_entry_on_unknown(facts):
    """Whether an entry megafilter refuses as libseccomp refuses it (errno 4095; in an allow-list a
    ~entry with the default action) names a group or a call libseccomp lacks, which systemd 252
    may have dropped before libseccomp saw it."""
    sc = Seccomp()
    default = default_action(facts)
    mode = None
    for v in facts["filter"]:
        v = v.strip()
        if not v:
            mode = None
            continue
        invert = v.startswith("~")
        if mode is None:
            mode = "deny" if invert else "allow"
        for w in v.lstrip("~").split():
            name, _, suffix = w.partition(":")
            action = sd_errno_or_kill(suffix) if suffix else (default if mode == "deny" and invert else None)
            refused = action == 4095 or (mode == "allow" and invert and suffix and action == default)
            if refused and (name.startswith("@") or not sc.knows(name)):
                return True
    return False


def cmd_refusal(unit_path, sd_status, mf_status, mf_output, groups_252):
    """megafilter refuses with 228 entries systemd 252 may have dropped (refusal-entries); a
    denied execve() ends the two executors differently."""
    facts = facts_of(unit_path)
    if sd_status == "running" and mf_status == "228" and refused_entry_on_unknown(facts):
        print("refusal-entries")
        return 0
    # Both failed (megafilter run maybe still spinning in its exit path: stdio loops when write()
    # returns 0), and the command could not start: execve() denied, or reported as refused.
    if re.fullmatch(r"\d+", sd_status) and mf_status != "running" and (
            execve_denied(facts, parse_groups(groups_252)) or
            "megafilter: Failed to execute " in open(mf_output, encoding="utf-8", errors="replace").read()):
        print("exec-denied")
        return 0
    return 1


def man_bullets(man_path):
    text = open(man_path, encoding="utf-8").read()
    m = re.search(r'^\.SH "DIFFERENCES FROM SYSTEMD 252"\n(.*?)^\.SH ', text, re.S | re.M)
    bullets, cur = [], None
    for line in m.group(1).splitlines():
        if line.startswith(".IP"):
            cur = []
            bullets.append(cur)
        elif line.startswith(".SS") or (line.startswith(".") and not re.match(r"\.(B|I|BR|BI|IR|RB|RI)\b", line)):
            cur = None
        elif cur is not None:
            cur.append(re.sub(r"^\.[A-Z]+ ", "", line))
    norm = lambda l: re.sub(r"\s+", " ", re.sub(r'\\[(]\w\w|\\-|\\|"', lambda x: "-" if x.group(0) == "\\-" else "", " ".join(l)))
    return [norm(b) for b in bullets]


def cmd_check_man(diff_path, man_path):
    bullets = man_bullets(man_path)
    entries = []
    for line in open(diff_path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            entries.append([f.strip() for f in line.split("|")])
    ok = True
    hit = [0] * len(bullets)
    for e in entries:
        where = [i for i, b in enumerate(bullets) if e[1] in b]
        if len(where) != 1:
            print(f"fuzz-differences.txt: '{e[1]}' matches {len(where)} entries of megafilter.unit(5), not 1")
            ok = False
        for i in where:
            hit[i] += 1
    for i, b in enumerate(bullets):
        if hit[i] != 1:
            print(f"megafilter.unit(5) entry {i + 1} ({b[:70]}…) has {hit[i]} entries in fuzz-differences.txt, not 1")
            ok = False
    if ok:
        print(f"fuzz-differences.txt: {len(entries)} entries, one for each of megafilter.unit(5)'s {len(bullets)}")
    return 0 if ok else 1


def cmd_self_test():
    """The judge on made-up units and compare-filters lines: each deliberate difference excuses
    what it documents and not its neighbour."""
    import contextlib
    import io
    import tempfile
    d = tempfile.mkdtemp(prefix="systemd-fuzz-selftest.")
    g252, gmf = os.path.join(d, "g252"), os.path.join(d, "gmf")
    with open(g252, "w") as f:
        f.write("@default\n    # d\n    execve\n    exit_group\n\n@clock\n    # c\n    clock_settime\n\n"
                "@basic-io\n    # b\n    read\n    write\n")
    with open(gmf, "w") as f:
        f.write("@default\n    # d\n    execve\n    exit_group\n\n@clock\n    # c\n    clock_settime\n"
                "    clock_adjtime\n\n@basic-io\n    # b\n    read\n    write\n")

    def unit(lines):
        path = os.path.join(d, "u.service")
        with open(path, "w") as f:
            f.write("[Service]\nExecStart=/bin/sleep 30\n" + lines + "\n")
        return path

    def judged(lines, mismatch):
        out = os.path.join(d, "compare")
        with open(out, "w") as f:
            f.write(mismatch + "\n")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return cmd_mismatches(unit(lines), g252, gmf, out) == 0

    def refused(lines, sd, mf="failed", output=""):
        with open(os.path.join(d, "mf.out"), "w") as f:
            f.write(output)
        with contextlib.redirect_stdout(io.StringIO()):
            return cmd_refusal(unit(lines), sd, mf, os.path.join(d, "mf.out"), g252) == 0

    m = "MISMATCH {} {}({}) nr 1: systemd {}, megafilter {}"
    cases = [
        ("groups-upstream", judged("SystemCallFilter=~@clock", m.format("x86-64", "clock_adjtime", "0", "KILL_PROCESS", "ALLOW")), True),
        ("groups-upstream", judged("SystemCallFilter=~@clock", m.format("x86-64", "clock_settime", "0", "KILL_PROCESS", "ALLOW")), False),
        ("allow-list-enosys", judged("SystemCallFilter=@basic-io", m.format("x86-64", "?", "0", "KILL_PROCESS", "ERRNO(38)")), True),
        ("allow-list-enosys", judged("SystemCallFilter=~@basic-io", m.format("x86-64", "?", "0", "ALLOW", "ERRNO(38)")), False),
        ("mdwe-prctl", judged("MemoryDenyWriteExecute=yes", m.format("x86-64", "mmap", "0, 0, 0x7", "ERRNO(1)", "ALLOW")), True),
        ("mdwe-prctl", judged("MemoryDenyWriteExecute=yes\nMemoryDenyWriteExecute=no", m.format("x86-64", "mmap", "0, 0, 0x7", "ERRNO(1)", "ALLOW")), False),
        ("x86-mux-dead", judged("SystemCallFilter=~semtimedop", m.format("x86", "ipc", "0x4, 0", "ALLOW", "KILL_PROCESS")), True),
        ("x86-mux-dead", judged("SystemCallFilter=~semtimedop read", m.format("x86", "ipc", "0x4, 0", "ALLOW", "KILL_PROCESS")), False),
        ("refusal-entries", refused("SystemCallFilter=~mseal:4095", "running", "228"), True),
        ("refusal-entries", refused("SystemCallFilter=~read:4095", "running", "228"), False),
        ("exec-denied", refused("SystemCallFilter=~execve", "159"), True),
        ("exec-denied", refused("SystemCallFilter=~read", "159"), False),
    ]
    if Seccomp().lib:
        cases += [
            ("libseccomp-unknown", judged("SystemCallFilter=~mseal", m.format("x86-64", "mseal", "0", "ALLOW", "KILL_PROCESS")), True),
            ("libseccomp-unknown", judged("SystemCallLog=~mseal", m.format("x86-64", "read", "0", "ALLOW", "LOG")), True),
            ("libseccomp-unknown", judged("SystemCallLog=~mseal read", m.format("x86-64", "write", "0", "ALLOW", "LOG")), False),
        ]
    bad = [(i, c) for i, (c, got, want) in enumerate(cases) if got != want]
    for i, c in bad:
        print(f"self-test case {i} ({c}): judged {'deliberate' if cases[i][1] else 'a divergence'}, expected the opposite")
    for name in os.listdir(d):
        os.unlink(os.path.join(d, name))
    os.rmdir(d)
    if not bad:
        print(f"the judge: {len(cases)} made-up cases as expected")
    return 1 if bad else 0


def main(argv):
    if len(argv) == 6 and argv[1] == "gen":
        return cmd_gen(int(argv[2]), int(argv[3]), int(argv[4]), argv[5])
    if len(argv) == 6 and argv[1] == "mismatches":
        return cmd_mismatches(*argv[2:])
    if len(argv) == 7 and argv[1] == "refusal":
        return cmd_refusal(*argv[2:])
    if len(argv) == 5 and argv[1] == "drop":
        return cmd_drop(argv[2], int(argv[3]), argv[4])
    if len(argv) == 4 and argv[1] == "check-man":
        return cmd_check_man(*argv[2:]) | cmd_self_test()
    if len(argv) == 2 and argv[1] == "self-test":
        return cmd_self_test()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
