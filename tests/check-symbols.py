#!/usr/bin/env python3
"""Every symbol libweft exports has a gtk-doc comment and a version macro.

usage: check-symbols.py LIBWEFT.so SOURCE_ROOT
"""
import pathlib
import re
import subprocess
import sys

lib, root = sys.argv[1], pathlib.Path(sys.argv[2])
nm = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True)
exported = sorted({l.split()[-1] for l in nm.stdout.splitlines() if re.search(r" [TDRB] ", l)})
sources = [p for d in ("src", "bridge", "probe") for p in (root / d).glob("*.[ch]")]
text = "\n".join(p.read_text() for p in sources)
headers = "\n".join(p.read_text() for p in sources if p.suffix == ".h" and not p.name.endswith("-private.h"))

missing_doc, missing_macro, not_weft = [], [], []
for sym in exported:
    if not sym.startswith("weft_"):
        not_weft.append(sym)
        continue
    documented = sym
    declared = r"WEFT_AVAILABLE_IN_\w+\s*\n[^;(]*?\(?\b" + re.escape(sym) + r"\b\)?\s*\("
    if sym.endswith("_get_type"):
        # A GType: documented by its type's comment (WeftLoop:), declared by
        # G_DECLARE_*_TYPE or a plain prototype, after the version macro.
        prefix = sym[:-len("_get_type")]
        documented = "Weft" + "".join(w.capitalize() for w in prefix.split("_")[1:])
        declared = (r"WEFT_AVAILABLE_IN_\w+\s*\n\s*(G_DECLARE_\w+_TYPE\s*\(\s*\w+,\s*" + re.escape(prefix)
                    + r"\b|GType\s+" + re.escape(sym) + r"\s*\()")
    if not re.search(r"/\*\*\s*\n\s*\*\s*" + re.escape(documented) + r"\s*:[ \t]*(\(.*\))?[ \t]*\n", text):
        missing_doc.append(sym)
    # The declaration: WEFT_AVAILABLE_IN_x_y, then the return type, then the name.
    if not re.search(declared, headers):
        missing_macro.append(sym)

for title, names in (("exported but not weft_", not_weft), ("no gtk-doc comment", missing_doc),
                     ("no WEFT_AVAILABLE_IN_ macro", missing_macro)):
    for n in names:
        print(f"{title}: {n}")
print(f"{len(exported)} exported symbols checked")
sys.exit(1 if not_weft or missing_doc or missing_macro else 0)
