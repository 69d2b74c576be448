#!/usr/bin/python3
"""Python asyncio on Weft beside asyncio and uvloop: the anchors' workloads
(../shared/bench/anchors/README.md, rows 1-5), written again here.

    weft_py_bench.py BENCH IMPL N       one run, one line: name impl N value [key=value ...]
    weft_py_bench.py --table [RUNS]     every bench x impl, RUNS fresh processes each
                                        (round-robin), medians and ratios as markdown

BENCH: soon chain timers pingpong manytasks; IMPL: weft asyncio uvloop.
Run with Debian's /usr/bin/python3 (uvloop lives there) and PYTHONPATH reaching
the weft package (./weft.sh bench sets it).
"""

import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time

now = time.perf_counter_ns
cpu = time.process_time_ns


def make_loop(impl):
    if impl == "weft":
        import weft
        return weft.new_event_loop()
    if impl == "uvloop":
        import uvloop
        return uvloop.new_event_loop()
    if impl == "asyncio":
        return asyncio.new_event_loop()
    raise SystemExit(f"unknown impl {impl} (weft, asyncio, uvloop)")


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def out(name, impl, n, value, **kw):
    extra = " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in kw.items())
    print(f"{name} {impl} {n} {value:.2f} {extra}", flush=True)


def splitmix64_delays(k):
    state = 12345
    mask = (1 << 64) - 1
    delays = []
    for _ in range(k):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        delays.append(z % 201)
    return delays


def b_soon(loop, impl, n):
    count = 0

    def cb():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()

    base = rss_kb()
    cs = loop.call_soon
    t0, c0 = now(), cpu()
    for _ in range(n):
        cs(cb)
    t1 = now()
    loop.run_forever()
    t2, c2 = now(), cpu()
    assert count == n
    out("soon", impl, n, (t2 - t0) / n, sched_ns=(t1 - t0) / n, run_ns=(t2 - t1) / n,
        cpu_ns=(c2 - c0) / n, rss_base_kb=base, rss_peak_kb=peak_kb())


def b_chain(loop, impl, n):
    count = 0
    cs = loop.call_soon

    def cb():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()
        else:
            cs(cb)

    t0, c0 = now(), cpu()
    cs(cb)
    loop.run_forever()
    t2, c2 = now(), cpu()
    assert count == n
    out("chain", impl, n, (t2 - t0) / n, cpu_ns=(c2 - c0) / n)


def b_timers(loop, impl, k):
    delays = [d / 1000.0 for d in splitmix64_delays(k)]
    expected = k - k // 2
    fired = 0
    res = {}

    def cb():
        nonlocal fired
        fired += 1
        if fired == expected:
            res["t2"], res["c2"] = now(), cpu()
            loop.stop()

    def start():
        res["t0"], res["c0"] = now(), cpu()
        cl = loop.call_later
        handles = [cl(d, cb) for d in delays]
        for i in range(1, k, 2):
            handles[i].cancel()

    loop.call_soon(start)
    loop.run_forever()
    assert fired == expected
    out("timers", impl, k, (res["c2"] - res["c0"]) / k, wall_ms=(res["t2"] - res["t0"]) / 1e6)


def b_pingpong(loop, impl, n):
    box = [loop.create_future(), loop.create_future()]
    box[0].set_result(None)

    async def player(me, other):
        for _ in range(n):
            await box[me]
            box[me] = loop.create_future()
            box[other].set_result(None)

    async def main():
        await asyncio.gather(player(0, 1), player(1, 0))

    t0 = now()
    loop.run_until_complete(main())
    t1 = now()
    out("pingpong", impl, n, (t1 - t0) / (2 * n), round_trip_ns=(t1 - t0) / n)


def b_manytasks(loop, impl, n):
    remaining = n
    sleep = asyncio.sleep

    async def worker(done):
        nonlocal remaining
        await sleep(0)
        await sleep(0)
        remaining -= 1
        if remaining == 0:
            done.set_result(None)

    async def main():
        done = loop.create_future()
        ct = loop.create_task
        for _ in range(n):
            ct(worker(done))
        await done

    base = rss_kb()
    t0, c0 = now(), cpu()
    loop.run_until_complete(main())
    t1, c1 = now(), cpu()
    out("manytasks", impl, n, (t1 - t0) / n, wall_ms=(t1 - t0) / 1e6, cpu_ms=(c1 - c0) / 1e6,
        bytes_per_task=(peak_kb() - base) * 1024.0 / n)


BENCHES = {"soon": (b_soon, 1000000), "chain": (b_chain, 1000000), "timers": (b_timers, 100000),
           "pingpong": (b_pingpong, 200000), "manytasks": (b_manytasks, 100000)}
IMPLS = ["weft", "asyncio", "uvloop"]


def table(runs):
    values = {}
    for _ in range(runs):
        for bench, (_, n) in BENCHES.items():
            for impl in IMPLS:
                line = subprocess.run([sys.executable, __file__, bench, impl, str(n)], check=True,
                                      capture_output=True, text=True, timeout=300).stdout.split()
                values.setdefault((bench, impl), []).append(float(line[3]))
    print(f"| row (ns, median of {runs}) | weft | asyncio | uvloop | weft/asyncio | weft/uvloop |")
    print("|---|---:|---:|---:|---:|---:|")
    for bench, (_, n) in BENCHES.items():
        med = {impl: statistics.median(values[bench, impl]) for impl in IMPLS}
        print(f"| {bench} ×{n:,} | {med['weft']:.0f} | {med['asyncio']:.0f} | {med['uvloop']:.0f} "
              f"| {med['weft'] / med['asyncio']:.2f}× | {med['weft'] / med['uvloop']:.2f}× |")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--table":
        table(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
        return
    if len(sys.argv) != 4 or sys.argv[1] not in BENCHES:
        raise SystemExit(__doc__)
    bench, impl, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    loop = make_loop(impl)
    asyncio.set_event_loop(loop)
    BENCHES[bench][0](loop, impl, n)
    loop.close()


if __name__ == "__main__":
    main()
