#!/usr/bin/env python3
"""check-attach.py WEFT_INSPECTOR: --attach to a socket that is not a Weft
loop's (a peer that accepts and never answers, like an X server) gives up
within its timeout with a message, exit status 1; a missing socket too."""
import os
import socket
import subprocess
import sys
import tempfile
import time

inspector = sys.argv[1]
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "silent.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(8)
    start = time.monotonic()
    run = subprocess.run([inspector, "--attach", path], capture_output=True, text=True, timeout=30)
    took = time.monotonic() - start
    print(f"silent socket: exit {run.returncode} after {took:.1f} s: {run.stderr.strip()}")
    assert run.returncode == 1, run.returncode
    assert "did not answer" in run.stderr and path in run.stderr, run.stderr
    assert "CRITICAL" not in run.stderr, run.stderr
    assert took < 15, took

    missing = os.path.join(tmp, "missing.sock")
    run = subprocess.run([inspector, "--attach", missing], capture_output=True, text=True, timeout=30)
    print(f"missing socket: exit {run.returncode}: {run.stderr.strip()}")
    assert run.returncode == 1 and missing in run.stderr, run.stderr
