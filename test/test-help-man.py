#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every subcommand's --help and megafilter(1) agree: each command `megafilter --help` lists has
a section in the manual, and each long option a command's --help shows is documented in that
command's section (or under COMMON OPTIONS), and the other way round."""
import os
import re
import subprocess
import sys

binary = os.environ["MEGAFILTER_BINARY"]
man = open(os.path.join(os.environ["MEGAFILTER_SOURCE_ROOT"], "man/megafilter.1")).read()


def help_text(*args):
    p = subprocess.run([binary, *args, "--help"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"megafilter {' '.join(args)} --help exited {p.returncode}: {p.stderr}")
    return p.stdout


def long_options(text):
    return set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", re.sub(r"\\f[BIRP]", " ", text.replace("\\-", "-"))))


commands = re.findall(r"^  ([a-z][a-z-]+)\s{2,}", help_text().split("Commands:")[1], re.M)
if not commands:
    sys.exit("megafilter --help lists no commands")

# The manual's command sections: ".SS "name ..."" up to the next .SS/.SH.
sections = {}
for m in re.finditer(r'^\.SS "?([a-z-]+)[^\n]*\n(.*?)(?=^\.S[SH] )', man, re.M | re.S):
    sections[m.group(1)] = m.group(0)
common = re.search(r'^\.SH "COMMON OPTIONS"\n(.*?)(?=^\.SH )', man, re.M | re.S)
common_opts = long_options(common.group(1)) if common else set()

failures = []
for c in commands:
    if c not in sections:
        failures.append(f"{c}: no section in megafilter(1)")
        continue
    in_help = long_options(help_text(c)) - {"help"}
    in_man = long_options(sections[c])
    for o in sorted(in_help - in_man - common_opts):
        failures.append(f"{c}: --{o} is in --help but not in megafilter(1)")
    for o in sorted(in_man - in_help - {"help"}):
        failures.append(f"{c}: --{o} is in megafilter(1) but not in --help")
for s in sorted(set(sections) - set(commands)):
    failures.append(f"{s}: documented in megafilter(1) but not listed by megafilter --help")

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
