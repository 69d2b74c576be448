#!/usr/bin/env python3
"""check-idle.py WEFT_INSPECTOR PYTHON PYTHONPATH: quiet when idle. An idle
asyncio program served with WEFT_INSPECT=1 makes no periodic wake-ups, and
none either once weft-inspector is attached to it (a window on screen): the
inspector follows the loop's signals instead of polling. Counted as
voluntary context switches of every thread (/proc/PID/task/*/status)."""
import glob
import os
import subprocess
import sys
import tempfile
import time

inspector, python, pythonpath = sys.argv[1:4]
SECONDS = 3
LIMIT = 1.0   # wake-ups a second, all threads together


def switches(pid):
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/status"):
        try:
            with open(path) as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("voluntary_ctxt_switches"))
        except OSError:
            pass
    return total


def rate(pid):
    before = switches(pid)
    time.sleep(SECONDS)
    return (switches(pid) - before) / SECONDS


with tempfile.TemporaryDirectory() as runtime:
    os.chmod(runtime, 0o700)
    program = os.path.join(runtime, "idle.py")
    with open(program, "w") as f:
        f.write("import asyncio\n\nasync def main():\n    await asyncio.sleep(3600)\n\nasyncio.run(main())\n")
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime, WEFT_INSPECT="1", PYTHONPATH=pythonpath)
    target = subprocess.Popen([python, "-m", "weft", program], env=env)
    viewer = None
    try:
        deadline = time.monotonic() + 10
        while not glob.glob(os.path.join(runtime, "weft", f"{target.pid}-*")):
            assert time.monotonic() < deadline, "the program never served its loop"
            time.sleep(0.05)
        time.sleep(0.5)
        alone = rate(target.pid)
        print(f"served, nobody attached: {alone:.1f} wake-ups/s")
        assert alone <= LIMIT, alone

        viewer = subprocess.Popen([inspector, "--attach", str(target.pid)],
                                  env=dict(env, GSETTINGS_BACKEND="memory", GSK_RENDERER="cairo", GTK_A11Y="none"))
        time.sleep(3)   # the window is up, the first snapshot shown
        assert viewer.poll() is None, "the inspector exited"
        before_t, before_v = switches(target.pid), switches(viewer.pid)
        time.sleep(SECONDS)
        attached = (switches(target.pid) - before_t) / SECONDS
        watching = (switches(viewer.pid) - before_v) / SECONDS
        print(f"attached: the program {attached:.1f} wake-ups/s, the inspector {watching:.1f} wake-ups/s")
        assert attached <= LIMIT, attached
        assert watching <= LIMIT, watching
    finally:
        if viewer is not None:
            viewer.kill()
            viewer.wait()
        target.kill()
        target.wait()
print("quiet when idle: ok")
