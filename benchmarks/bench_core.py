"""Core benchmark (issue 2): payload timings and memory on 100k / 1M / 10M orders.

    python benchmarks/bench_core.py [--sizes 100k,1m,10m] [--runs 5]

Every figure is a median over --runs runs. "first open" is a file never seen
before (empty rollup cache), "later open" a fresh process that finds the
rollup side file, "repeat" a second call in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import demo_file, median_ms, print_table  # noqa: E402

TARGETS = {  # (size, metric) -> target ms or MB; None = no target at that size
    ("1m", "first_open_call"): 250, ("10m", "first_open_call"): 3000,
    ("10m", "later_open_process"): 300, ("any", "repeat_call"): 20,
    ("any", "rebucket"): 2, ("10m", "peak_rss_mb"): 300,
}

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from execdash_desktop.engine import Engine
eng = Engine()
t1 = time.perf_counter()
eng.payload(sys.argv[1], "12m", "month")
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "call": t2 - t1}))
"""


def child_open(path: Path, cache_dir: str) -> tuple[float, float, float]:
    """(process wall s, in-process payload s, peak RSS MB) of a fresh process."""
    env = dict(os.environ, EXECDASH_CACHE_DIR=cache_dir)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=env, check=True,
                         capture_output=True, text=True)
    wall = time.perf_counter() - t
    return wall, json.loads(out.stdout)["call"], 0.0


def cli_peak_rss_mb(path: Path, cache_dir: str) -> float:
    env = dict(os.environ, EXECDASH_CACHE_DIR=cache_dir)
    code = ("import resource, subprocess, sys;"
            "subprocess.run([sys.executable, '-m', 'execdash_desktop', 'kpis', '--db', sys.argv[1],"
            " '--json'], check=True, stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True,
                         capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def bench_size(label: str, runs: int) -> dict:
    from execdash_desktop.engine import Engine
    from execdash_desktop.packs.executive.payload import build_payload, rebucket

    path = demo_file(label)
    first_wall, first_call, later_wall, later_call = [], [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            w, c, _ = child_open(path, cache)  # never seen: no rollup side file
            first_wall.append(w)
            first_call.append(c)
            w, c, _ = child_open(path, cache)  # later: side file present
            later_wall.append(w)
            later_call.append(c)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["EXECDASH_CACHE_DIR"] = cache
        eng = Engine()
        eng.payload(path, "12m")
        repeat = []
        for _ in range(max(runs, 20)):
            t = time.perf_counter()
            eng.payload(path, "12m", "month")
            repeat.append(time.perf_counter() - t)
        src = eng.source(path)
        by_month, by_quarter, reb = [], [], []
        for _ in range(max(runs, 50)):
            t = time.perf_counter()
            monthly = build_payload(src, "12m", "month")
            by_month.append(time.perf_counter() - t)
            t = time.perf_counter()
            build_payload(src, "12m", "quarter")
            by_quarter.append(time.perf_counter() - t)
            t = time.perf_counter()
            rebucket(monthly, "quarter")
            reb.append(time.perf_counter() - t)
        rss = cli_peak_rss_mb(path, cache)
    return {"first_open_process": median_ms(first_wall), "first_open_call": median_ms(first_call),
            "later_open_process": median_ms(later_wall), "later_open_call": median_ms(later_call),
            "repeat_call": median_ms(repeat), "payload_12m_month": median_ms(by_month),
            "payload_12m_quarter": median_ms(by_quarter), "rebucket": median_ms(reb),
            "peak_rss_mb": rss}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100k,1m,10m")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sizes = args.sizes.split(",")
    results = {s: bench_size(s, args.runs) for s in sizes}
    metrics = list(next(iter(results.values())))
    rows = []
    for m in metrics:
        row = [m]
        for s in sizes:
            v = results[s][m]
            target = TARGETS.get((s, m)) or TARGETS.get(("any", m))
            cell = f"{v:.2f}" if v < 10 else f"{v:.0f}"
            if target:
                cell += f" ({v / target:.2f}x of {target})"
            row.append(cell)
        rows.append(row)
    print(f"\nmedians over {args.runs} runs (ms; peak_rss in MB); (ratio of target)")
    print_table(["metric"] + [f"{s} orders" for s in sizes], rows)


if __name__ == "__main__":
    main()
