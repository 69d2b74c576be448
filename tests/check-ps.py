#!/usr/bin/env python3
"""check-ps.py WEFT_INSPECTOR WEFT_DEMO [PYTHON PYTHONPATH]: the terminal
views of a served loop. `ps PID` lists the live tasks of weft-demo countdowns
(C tasks, across the socket); `pstree PID` draws an asyncio program's await
tree (a task under the task that awaits it, a gather's children under it);
bad use says what to do and exits 2, an unserved PID exits 1."""
import glob
import os
import subprocess
import sys
import tempfile
import time

inspector, demo = sys.argv[1], sys.argv[2]
python = sys.argv[3] if len(sys.argv) > 4 else None


def served(argv, env):
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not glob.glob(os.path.join(env["XDG_RUNTIME_DIR"], "weft", f"{child.pid}-*")):
        assert time.monotonic() < deadline and child.poll() is None, "the program never served its loop"
        time.sleep(0.02)
    time.sleep(0.3)   # its tasks are created and asleep
    return child


def run(env, *args):
    result = subprocess.run([inspector, *args], capture_output=True, text=True, timeout=30, env=env)
    print(f"$ weft-inspector {' '.join(args)}  (exit {result.returncode})\n{result.stdout}{result.stderr}")
    return result


with tempfile.TemporaryDirectory() as runtime:
    os.chmod(runtime, 0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime, WEFT_INSPECT="1")

    child = served([demo, "countdowns"], env)
    try:
        ps = run(env, "ps", str(child.pid))
        assert ps.returncode == 0
        lines = ps.stdout.splitlines()
        assert lines[0].startswith(f"weft-demo (PID {child.pid})"), lines[0]
        assert lines[1].split()[:3] == ["ID", "NAME", "STATE"], lines[1]
        rows = {line.split()[1]: line for line in lines[2:]}
        assert sorted(rows) == ["A", "B", "C"], rows
        for row in rows.values():
            assert " suspended " in row and "demo-countdowns.c:44" in row and "sleep, " in row, row
        tree = run(env, "pstree", str(child.pid))
        assert tree.returncode == 0
        assert [line.split()[0] for line in tree.stdout.splitlines()[1:]] == ["A", "B", "C"], tree.stdout
    finally:
        child.kill()
        child.wait()

    if python is not None:
        program = os.path.join(runtime, "tree.py")
        with open(program, "w") as f:
            f.write("import asyncio\n"
                    "async def leaf(n):\n"
                    "    await asyncio.sleep(n)\n"
                    "async def mid():\n"
                    "    await asyncio.gather(asyncio.create_task(leaf(30), name='leaf-a'),\n"
                    "                         asyncio.create_task(leaf(30), name='leaf-b'))\n"
                    "async def main():\n"
                    "    await asyncio.create_task(mid(), name='mid')\n"
                    "asyncio.run(main())\n")
        child = served([python, "-m", "weft", program], dict(env, PYTHONPATH=sys.argv[4]))
        try:
            tree = run(env, "pstree", str(child.pid))
            assert tree.returncode == 0
            assert tree.stdout.splitlines()[1:] == [
                f"Task-1 (suspended) task mid at {program}:8",
                f"└── mid (suspended) gather of task leaf-a, task leaf-b at {program}:5",
                f"    ├── leaf-a (suspended) asyncio.sleep() at {program}:3",
                f"    └── leaf-b (suspended) asyncio.sleep() at {program}:3",
            ], tree.stdout
        finally:
            child.kill()
            child.wait()

    usage = run(env, "ps")
    assert usage.returncode == 2 and "weft-inspector ps PID" in usage.stderr, usage.stderr
    gone = run(env, "pstree", "999999999")
    assert gone.returncode == 1 and "No loop of process 999999999" in gone.stderr, gone.stderr
print("ps and pstree: ok")
