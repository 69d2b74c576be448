#!/usr/bin/env python3
"""German stays complete: every translatable string in the sources listed in
po/POTFILES.in (extracted now, not from the committed weft.pot) has a German
translation in po/de.po that is neither missing nor fuzzy."""
import os
import subprocess
import sys
import tempfile

source_root = sys.argv[1]
po = os.path.join(source_root, "po")
keywords = ["_", "N_", "C_:1c,2", "NC_:1c,2", "g_dcgettext:2", "g_dngettext:2,3", "g_dpgettext2:2c,3"]

# Every source with a translatable string is listed (a new file is easily forgotten).
with open(os.path.join(po, "POTFILES.in")) as f:
    listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}
unlisted = []
for folder in ("inspector", "data", "python"):
    for dirpath, _, names in os.walk(os.path.join(source_root, folder)):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, source_root)
            if not name.endswith((".c", ".ui", ".in")) or rel in listed:
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if '_("' in text or 'translatable="yes"' in text:
                unlisted.append(rel)
if unlisted:
    print("po/POTFILES.in lacks these files with translatable strings:", *unlisted, sep="\n  ")
    sys.exit(1)

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, "weft.pot")
    merged = os.path.join(tmp, "de.po")
    subprocess.run(["xgettext", "--files-from", os.path.join(po, "POTFILES.in"), "--directory", source_root,
                    "--from-code=UTF-8", "--add-comments", "-o", pot] + [f"--keyword={k}" for k in keywords],
                   check=True)
    subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged, os.path.join(po, "de.po"), pot],
                   check=True)
    missing = []
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(["msgattrib", flag, "--no-obsolete", merged], capture_output=True, text=True,
                             check=True).stdout
        missing += [line[6:] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""']
    if missing:
        print("po/de.po lacks a German translation for:", *missing, sep="\n  ")
        print("Run `ninja -C build weft-update-po` and translate them in po/de.po.")
        sys.exit(1)
    print("po/de.po: complete")
