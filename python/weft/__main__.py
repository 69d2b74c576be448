"""python3 -m weft prog.py [args] / python3 -m weft -m module [args]

Runs an unmodified asyncio program with Weft's event loop policy: every loop
it makes (asyncio.run(), new_event_loop(), get_event_loop()) is a weft.EventLoop.
"""

import asyncio
import os
import runpy
import sys

from .events import EventLoopPolicy

USAGE = "usage: python3 -m weft PROGRAM.py [ARGS...] | -m MODULE [ARGS...]"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    asyncio.set_event_loop_policy(EventLoopPolicy())
    if argv[0] == "-m":
        if len(argv) < 2:
            print(USAGE, file=sys.stderr)
            return 2
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    path = argv[0]
    if not os.path.isfile(path):
        print(f"weft: {path}: no such program (give the path of a Python file)", file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    runpy.run_path(path, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
