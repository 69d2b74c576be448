#!/bin/bash
# bench/compare.sh: issue #14's rows, before and after, side by side in one run
#
#   bench/compare.sh BEFORE_WEFT_BENCH AFTER_WEFT_BENCH [AFTER_FRAME_BENCH [BEFORE_FRAME_BENCH]]
#
# BEFORE_WEFT_BENCH may be - (no before column: this build's rows only).
#
# Runs every row RUNS times (default 3), alternating the two builds so both
# see the same machine, and prints a Markdown table of medians. The anchors'
# figures come from ../shared/bench/anchors/run.sh (./weft.sh bench), run in
# the same session. Row 9 compares a loop served to an inspector with a peer
# attached over the socket (WEFT_BENCH_INSPECT=attached; a before build that
# does not know it gets WEFT_INSPECT=1: served, no peer), one that records
# with no server (recording), and one that was served and no longer is
# (detached) with the plain loop. Row 8 needs a display (xvfb-run).
set -euo pipefail

before=${1:?usage: bench/compare.sh BEFORE_WEFT_BENCH AFTER_WEFT_BENCH [AFTER_FRAME_BENCH [BEFORE_FRAME_BENCH]]}
after=${2:?usage: bench/compare.sh BEFORE_WEFT_BENCH AFTER_WEFT_BENCH [AFTER_FRAME_BENCH [BEFORE_FRAME_BENCH]]}
frame_after=${3:-}
frame_before=${4:-}
runs=${RUNS:-3}
sides="before after"
[[ $before == - ]] && sides=after
for b in $([[ $before == - ]] || echo "$before") "$after"; do
  [[ -x $b ]] || { echo "bench/compare.sh: $b is not an executable weft_bench (build one with ./weft.sh bench)" >&2; exit 2; }
done
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
# Does the before build know WEFT_BENCH_INSPECT (it refuses an unknown mode)?
before_knows_attached=0
if [[ $before != - ]]; then
  WEFT_BENCH_INSPECT=unknown "$before" soon 1 >/dev/null 2>&1 && status=0 || status=$?
  [[ $status == 2 ]] && before_knows_attached=1
fi

# run LABEL ENV... -- BIN ARGS: one line "LABEL key=value ..." per run.
run() {
  local label=$1; shift
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  local out
  out=$(env "${envs[@]}" timeout 300 "$@" 2>/dev/null | tail -1) || out="failed"
  echo "$label $out" >> "$raw"
}

for r in $(seq 1 "$runs"); do
  echo "=== run $r/$runs $(date +%T)" >&2
  for side in $sides; do
    bin=$before; [[ $side == after ]] && bin=$after
    run "$side soon" X=1 -- "$bin" soon 1000000
    run "$side chain" X=1 -- "$bin" chain 1000000
    for k in 1000 10000 100000 300000; do run "$side timers$k" X=1 -- "$bin" timers $k; done
    run "$side pingpong" X=1 -- "$bin" pingpong 200000
    [[ $side == after ]] && run "after wakeups" X=1 -- "$bin" wakeups 200
    run "$side manytasks" X=1 -- "$bin" manytasks 100000
    for row in "soon 1000000" "chain 1000000" "pingpong 200000" "manytasks 100000"; do
      set -- $row
      if [[ $side == after ]]; then
        run "$side attached-$1" WEFT_BENCH_INSPECT=attached -- "$bin" $row
        run "$side recording-$1" WEFT_BENCH_INSPECT=recording -- "$bin" $row
        run "$side detached-$1" WEFT_BENCH_INSPECT=detached -- "$bin" $row
      elif [[ $before_knows_attached == 1 ]]; then
        run "$side attached-$1" WEFT_BENCH_INSPECT=attached -- "$bin" $row
      else
        run "$side attached-$1" WEFT_INSPECT=1 -- "$bin" $row
      fi
    done
  done
  if [[ -n $frame_after ]]; then
    run "after frame" X=1 -- xvfb-run -a -s "-screen 0 1280x800x24" "$frame_after" 1000000 500
    [[ -n $frame_before ]] && run "before frame" X=1 -- xvfb-run -a -s "-screen 0 1280x800x24" "$frame_before" 1000000 500
  fi
done

python3 - "$raw" "$runs" "$([[ $before_knows_attached == 1 ]] && echo 'a peer attached over the socket' || echo 'WEFT_INSPECT=1, served with no peer')" <<'EOF'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 3 or parts[2] == "failed":
        continue
    key = (parts[0], parts[1])
    fields = {"value": parts[5] if len(parts) > 5 else None}
    for p in parts[6:]:
        if "=" in p:
            k, v = p.split("=", 1)
            fields[k] = v
    rows.setdefault(key, []).append(fields)

def med(side, row, field="value"):
    vals = [float(f[field]) for f in rows.get((side, row), []) if f.get(field) not in (None, "")]
    return statistics.median(vals) if vals else None

def fmt(v, digits=1):
    return "—" if v is None else f"{v:,.{digits}f}"

def pct(a, b):
    return "—" if a is None or b is None or b == 0 else f"{(a / b - 1) * 100:+.0f} %"

print(f"Medians of {sys.argv[2]} runs, before and after alternating (bench/compare.sh).\n")
print("| row | before | after |")
print("|---|---:|---:|")
print(f"| 1 call_soon x1M, ns/callback | {fmt(med('before','soon'))} | {fmt(med('after','soon'))} |")
rss = lambda s: None if med(s, 'soon', 'rss_peak_kb') is None else (med(s, 'soon', 'rss_peak_kb') - med(s, 'soon', 'rss_base_kb')) * 1024 / 1e6
print(f"| 1 call_soon: bytes per pending call (peak RSS growth / 1M) | {fmt(rss('before'), 0)} | {fmt(rss('after'), 0)} |")
print(f"| 2 chained call_soon x1M, ns/iteration | {fmt(med('before','chain'))} | {fmt(med('after','chain'))} |")
for k in (1000, 10000, 100000, 300000):
    print(f"| 3 timers K={k:,}: CPU ns/timer | {fmt(med('before',f'timers{k}'))} | {fmt(med('after',f'timers{k}'))} |")
wake = med('after', 'wakeups')
for k in (1000, 10000):
    n = med('after', f'timers{k}', 'nvcsw')
    floor = None if wake is None or n is None else n * wake / k
    print(f"| 3 timers K={k:,}: wake-ups (voluntary switches) x a bare timerfd+poll wake-up ({fmt(wake, 0)} CPU ns) / K = the wake-ups' floor, CPU ns/timer | | {fmt(n, 0)} x {fmt(wake, 0)} / {k:,} = {fmt(floor, 0)} |")
print(f"| 4 ping-pong x200k, ns/hand-off | {fmt(med('before','pingpong'))} | {fmt(med('after','pingpong'))} |")
print(f"| 5 100k tasks x 2 sleep(0), cold: wall ms | {fmt(med('before','manytasks','wall_ms'))} | {fmt(med('after','manytasks','wall_ms'))} |")
print(f"| 5 bytes/task | {fmt(med('before','manytasks','bytes_per_task'), 0)} | {fmt(med('after','manytasks','bytes_per_task'), 0)} |")
print(f"| 5b the same wave again (warm), ms | {fmt(med('before','manytasks','warm_ms'))} | {fmt(med('after','manytasks','warm_ms'))} |")
print(f"| 5b page faults in the warm wave | {fmt(med('before','manytasks','warm_faults'), 0)} | {fmt(med('after','manytasks','warm_faults'), 0)} |")
print(f"| 8 GTK frame, 1M callbacks of 0.5 µs queued: longest gap between paints, ms | {fmt(None if med('before','frame') is None else med('before','frame')/1000)} | {fmt(None if med('after','frame') is None else med('after','frame')/1000)} |")
print(f"| 8 same: p50 gap, ms | {fmt(None if med('before','frame','p50_us') is None else med('before','frame','p50_us')/1000)} | {fmt(None if med('after','frame','p50_us') is None else med('after','frame','p50_us')/1000)} |")
print()
print(f"Row 9: what an inspector costs (before: {sys.argv[3]}; after: a peer attached over the socket, recording alone with no server, and detached = served, then no more).\n")
print("| row | plain before | inspected before | cost before | plain after | attached after | cost attached | recording after | cost recording | detached after | cost detached |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for row, field, label in (("soon", "value", "1 call_soon ns"), ("chain", "value", "2 chain ns"),
                          ("pingpong", "value", "4 ping-pong ns"), ("manytasks", "wall_ms", "5 100k tasks ms")):
    pb, sb = med('before', row, field), med('before', f'attached-{row}', field)
    pa, aa, da = med('after', row, field), med('after', f'attached-{row}', field), med('after', f'detached-{row}', field)
    ra = med('after', f'recording-{row}', field)
    print(f"| {label} | {fmt(pb)} | {fmt(sb)} | {pct(sb, pb)} | {fmt(pa)} | {fmt(aa)} | {pct(aa, pa)} | {fmt(ra)} | {pct(ra, pa)} | {fmt(da)} | {pct(da, pa)} |")
EOF
