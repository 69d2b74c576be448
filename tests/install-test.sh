#!/usr/bin/env bash
# install-test.sh SOURCE_ROOT: installs weft into a scratch prefix and builds a
# consumer against it with pkg-config; then builds the same consumer with weft
# as a Meson subproject. Both must print the countdown.
set -euo pipefail
src=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expected=$'Countdown: 3\nCountdown: 2\nCountdown: 1\nCountdown finished!'

meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" --libdir=lib \
  -Dtests=false -Dbench=false -Dinspector=false >/dev/null
ninja -C "$tmp/build" install >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cc -o "$tmp/consumer-pc" "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs weft-1)
out=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/consumer-pc")
[[ $out == "$expected" ]] || { echo "pkg-config consumer printed: $out"; exit 1; }
echo "ok: consumer built with pkg-config against the installed weft-1"

# The build tree itself, through weft-1-uninstalled.pc (#include <weft.h> must find every layer).
cc -o "$tmp/consumer-un" "$src/tests/consumer/consumer.c" \
  $(PKG_CONFIG_PATH="$tmp/build/meson-uninstalled" pkg-config --cflags --libs weft-1)
out=$(LD_LIBRARY_PATH="$tmp/build" "$tmp/consumer-un")
[[ $out == "$expected" ]] || { echo "uninstalled consumer printed: $out"; exit 1; }
echo "ok: consumer built against the build tree (weft-1-uninstalled.pc)"

unset PKG_CONFIG_PATH
mkdir -p "$tmp/sub/subprojects"
cp "$src/tests/consumer/meson.build" "$src/tests/consumer/consumer.c" "$tmp/sub/"
# The tracked files as they are in the working tree (no build directories).
mkdir -p "$tmp/sub/subprojects/weft"
if command -v git >/dev/null && git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$src" ls-files -z | tar -C "$src" --null -T - -cf - | tar -C "$tmp/sub/subprojects/weft" -xf -
else
  tar -C "$src" --exclude='./build*' --exclude='./_build*' -cf - . | tar -C "$tmp/sub/subprojects/weft" -xf -
fi
meson setup "$tmp/sub/build" "$tmp/sub" --force-fallback-for=weft-1 \
  -Dweft:tests=false -Dweft:bench=false -Dweft:inspector=false >/dev/null
ninja -C "$tmp/sub/build" >/dev/null
out=$("$tmp/sub/build/consumer")
[[ $out == "$expected" ]] || { echo "subproject consumer printed: $out"; exit 1; }
echo "ok: consumer built with weft as a Meson subproject"
