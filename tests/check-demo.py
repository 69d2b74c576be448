#!/usr/bin/env python3
"""Runs a weft-demo and checks its output line by line, and how long it took.

usage: check-demo.py WEFT_DEMO NAME MIN_SECONDS MAX_SECONDS PATTERN...
Each PATTERN is a regular expression that the corresponding output line must
match in full; the demo must print exactly that many lines.
"""
import re
import subprocess
import sys
import time

demo, name, lo, hi, *patterns = sys.argv[1:]
start = time.monotonic()
out = subprocess.run([demo, name], capture_output=True, text=True, timeout=60)
elapsed = time.monotonic() - start
lines = out.stdout.splitlines()
ok = out.returncode == 0 and len(lines) == len(patterns) and float(lo) <= elapsed <= float(hi)
ok = ok and all(re.fullmatch(p, l) for p, l in zip(patterns, lines))
print(f"{'ok' if ok else 'FAILED'}: weft-demo {name} in {elapsed:.2f} s (expected {lo}-{hi} s)")
for p, l in zip(patterns + [''] * len(lines), lines + [''] * len(patterns)):
    if p or l:
        print(f"  {'  ' if p and l and re.fullmatch(p, l) else '!!'} {l!r:45} ~ {p!r}")
sys.stderr.write(out.stderr)
sys.exit(0 if ok else 1)
