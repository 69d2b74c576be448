#!/usr/bin/env python3
"""check-layers.py SOURCE_ROOT CORE_ARCHIVE -- PROGRAM...

The layering holds (docs/design-notes.md, "Layers"):
- every file under src/ includes only headers of src/ (and config.h);
- bridge/ includes only src/ and bridge/ headers: never the probe;
- the core library (src/ and bridge/) references nothing of D-Bus, GModule
  or gio-unix;
- every PROGRAM links exactly one copy of libweft (not the static objects
  and libweft-1.so both).
Exits 1 naming each violation.
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1])
core_archive = sys.argv[2]
programs = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
problems = []
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def check_includes(folder, allowed):
    for path in sorted((root / folder).glob("*.[chS]")):
        for name in include.findall(path.read_text()):
            if name == "config.h":
                continue
            if not any((root / d / name).exists() for d in allowed):
                problems.append(f"{path.relative_to(root)} includes \"{name}\", which is not in {', '.join(allowed)}/")


check_includes("src", ["src"])
check_includes("bridge", ["src", "bridge"])

undefined = subprocess.run(["nm", "-u", core_archive], capture_output=True, text=True, check=True).stdout
banned = re.compile(r"\b(g_module_\w+|g_dbus_\w+|weft_dbus_\w+|g_unix_\w+|g_credentials_\w+)\b")
for symbol in sorted(set(banned.findall(undefined))):
    problems.append(f"the core library references {symbol} (D-Bus, GModule or gio-unix belong to the probe)")

for program in programs:
    needed = subprocess.run(["readelf", "-d", program], capture_output=True, text=True).stdout
    defined = subprocess.run(["nm", "--defined-only", program], capture_output=True, text=True).stdout
    shared = "libweft-1.so" in needed
    static = re.search(r"\bweft_loop_new\b", defined) is not None
    if shared and static:
        problems.append(f"{program} links libweft twice: its own copy and libweft-1.so (two loop registries)")

for problem in problems:
    print(problem)
print(f"{len(programs)} programs, src/ and bridge/ checked: {len(problems)} problems")
sys.exit(1 if problems else 0)
