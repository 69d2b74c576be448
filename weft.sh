#!/usr/bin/env bash
# weft.sh: set up, build and run Weft on a fresh Debian 12 machine.
#
#   ./weft.sh demo [NAME]   install packages, build, open weft-inspector on the countdown demo
#                           (or NAME); without a display, run the demos in the terminal
#   ./weft.sh test          install packages, build with -Dwerror=true and the API
#                           reference (gi-docgen), run the test suite, again under valgrind memcheck, the core suite under
#                           ThreadSanitizer (with an 8 x 1M-post stress), a 60 s soak, a bounded
#                           libFuzzer run of the model-based loop fuzzer, and again under
#                           AddressSanitizer + UBSan (its summary is the last line)
#   ./weft.sh bench         build optimised and run bench/weft_bench beside the anchors
#                           (../shared/bench/anchors/run.sh with WEFT_BENCH; RUNS, ONLY
#                           as there), writing bench/results-anchors.md; and the Python
#                           rows (bench/weft_py_bench.py: Weft vs asyncio vs uvloop) into
#                           bench/results-python.md; and the GTK frame and inspector-cost
#                           rows (bench/compare.sh) into bench/results-weft.md
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev libglib-testing-0-dev
  valgrind xvfb xauth dbus dbus-daemon desktop-file-utils appstream
  clang libclang-rt-14-dev
  gobject-introspection libgirepository1.0-dev gi-docgen
  libsysprof-4-dev
  python3-dev python3-gi gir1.2-gtk-4.0 python3-uvloop libpython3.11-testsuite xdotool
)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "weft.sh: installing ${missing[*]}"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

setup() {  # setup DIR [meson options...]
  local dir=$1; shift
  if [[ -d $dir ]]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir"
}

# ------------------------------------------------------------ test stages
# Each stage reports failure through $status and the run goes on, so one run
# shows every broken stage.
status=0
VALGRIND=(valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
          --suppressions=/usr/share/glib-2.0/valgrind/glib.supp)

# -Ddocs: Weft-1.gir (scanner warnings are errors) and the gi-docgen API reference
# in build/docs/weft-1/; the "docs" test fails on any undocumented public symbol.
stage_build() {
  setup build -Dwerror=true -Ddocs=enabled -Dpython=enabled
}

stage_suite() {
  meson test -C build --print-errorlogs --num-processes 2 || status=1
}

# meson dist: the release tarball, and the library builds from it alone.
stage_dist() {
  git rev-parse --git-dir >/dev/null 2>&1 || return 0
  [[ -z $(git status --porcelain --untracked-files=no) ]] || return 0
  meson dist -C build --no-tests --formats xztar --allow-dirty >/dev/null || { status=1; return; }
  local dist
  dist=$(mktemp -d)
  tar -C "$dist" -xf build/meson-dist/weft-*.tar.xz
  (meson setup "$dist/build" "$dist"/weft-* -Dtests=false -Dbench=false -Dinspector=false >/dev/null \
    && ninja -C "$dist/build" >/dev/null && echo "meson dist: $(ls build/meson-dist/*.tar.xz) builds") || status=1
  rm -rf "$dist"
}

# valgrind memcheck: no definite or indirect leak, no error. The programs of
# the data suite (desktop-file-validate, appstreamcli), the packaging and
# hygiene checks and the command-line checks (shell and Python drivers) are
# not ours to check.
stage_valgrind() {
  meson test -C build --print-errorlogs --num-processes 2 --timeout-multiplier 10 \
    --no-suite gtk --no-suite demos --no-suite install --no-suite hygiene --no-suite data --no-suite cli --no-suite python \
    --wrap="${VALGRIND[*]}" || status=1
  # ...and the GTK tests (inspector, example app) under Xvfb, with tests/gtk.supp for
  # fontconfig/pango/cairo/X/Mesa process-lifetime caches (each entry justified there).
  WEFT_GTK_TEST_WRAPPER="${VALGRIND[*]} --suppressions=$PWD/tests/gtk.supp" \
    meson test -C build --print-errorlogs --num-processes 2 --timeout-multiplier 10 --suite gtk || status=1
}

# ThreadSanitizer: the core suite, with the threadsafe stress at 8 threads x 1,000,000 posts.
stage_tsan() {
  setup build-tsan -Dwerror=true -Db_sanitize=thread -Db_lundef=false -Dbench=false -Dinspector=false -Dpython=disabled
  # G_SLICE=always-malloc: GObject instances come from GSlice, whose per-thread
  # magazines hand memory between threads through locks TSan cannot see.
  G_SLICE=always-malloc TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
    WEFT_STRESS_THREADS=8 WEFT_STRESS_POSTS=1000000 \
    meson test -C build-tsan --print-errorlogs --num-processes 2 --timeout-multiplier 5 \
      --no-suite demos --no-suite install --no-suite hygiene --no-suite data || status=1
}

# Soak: 10,000 churning tasks, timers, threadsafe posts and an attached remote
# inspector for 60 s (WEFT_SOAK_SECONDS); no post lost, RSS flat, lag <= 100 ms.
stage_soak() {
  WEFT_SOAK_SECONDS=${WEFT_SOAK_SECONDS:-60} ./build/tests/soak || status=1
}

# Model-based fuzzing (libFuzzer, clang) of the core alone: a bounded run from the seed corpus.
stage_fuzz() {
  CC=clang setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dinspector=false -Dbench=false -Dtests=true -Dpython=disabled
  local corpus
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/* "$corpus"/
  ./build-fuzz/tests/fuzz-loop -max_total_time=60 -runs=200000 -max_len=512 "$corpus" 2>&1 | tail -n 3 \
    || status=1
  rm -rf "$corpus"
}

# AddressSanitizer + UndefinedBehaviorSanitizer over the suite (its summary is the last line).
stage_asan() {
  setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false -Dpython=disabled
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite install || status=1
}

stage() {  # stage NAME: runs stage_NAME, timed; a failing stage fails the run, the others still run
  local start=$SECONDS
  echo "=== weft.sh test: $1"
  "stage_$1" || { echo "=== weft.sh test: $1 FAILED"; status=1; }
  echo "=== weft.sh test: $1 took $((SECONDS - start)) s"
}

cmd=${1:-demo}
case $cmd in
  demo)
    install_packages
    setup build
    # The app's settings schema and the in-process inspector module, from the build tree.
    export GSETTINGS_SCHEMA_DIR=$PWD/build/data
    export WEFT_INSPECTOR_MODULE=$PWD/build/inspector/libweft-inspector-module.so
    if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
      exec ./build/inspector/weft-inspector --demo "${2:-countdown}"
    fi
    echo "weft.sh: no display; running the demos in the terminal. For the inspector on a headless"
    echo "machine: xvfb-run ./build/inspector/weft-inspector --demo countdown   (or GDK_BACKEND=broadway)"
    if [[ ${2:-} == py-* ]]; then
      # The Python demos are the tutorial's asyncio programs, on Weft.
      PYTHONPATH=$PWD/build/python:$PWD/python exec /usr/bin/python3 -m weft "python/examples/${2#py-}.py"
    fi
    ./build/inspector/demos/weft-demo "${2:-all}"
    ;;
  test)
    install_packages
    for name in build suite dist valgrind tsan soak fuzz asan; do
      stage "$name"
    done
    exit $status
    ;;
  bench)
    # The anchors' loops (../shared/bench/anchors/README.md): libuv, gbulb, strace.
    PACKAGES+=(libuv1-dev python3-gbulb strace)
    install_packages
    setup build-release --buildtype=release -Dtests=false
    # Python asyncio on Weft beside asyncio and uvloop (the same workloads).
    PYTHONPATH=$PWD/build-release/python:$PWD/python /usr/bin/python3 bench/weft_py_bench.py --table "${RUNS:-3}" \
      > bench/results-python.md
    cat bench/results-python.md
    anchors=$PWD/../shared/bench/anchors
    if [[ ! -x $anchors/run.sh ]]; then
      echo "weft.sh bench: no anchors at $anchors; run ./build-release/bench/weft_bench {soon|chain|timers|pingpong|manytasks|idle|lateness} N" >&2
      exit 2
    fi
    (cd "$anchors" && WEFT_BENCH="$OLDPWD/build-release/bench/weft_bench" ./run.sh)
    cp "$anchors/results.md" bench/results-anchors.md
    echo "weft.sh bench: bench/results-anchors.md"
    # The rows the anchors do not have: a GTK frame while a million callbacks
    # drain (Xvfb), and what an inspector attached over the socket costs; with
    # WEFT_BENCH_BEFORE=path/to/an/older/weft_bench, before and after.
    RUNS=${RUNS:-3} bench/compare.sh "${WEFT_BENCH_BEFORE:--}" build-release/bench/weft_bench \
      build-release/bench/weft_frame_bench "${WEFT_FRAME_BENCH_BEFORE:-}" > bench/results-weft.md
    cat bench/results-weft.md
    ;;
  *)
    echo "usage: $0 demo [NAME] | test | bench" >&2
    exit 2
    ;;
esac
