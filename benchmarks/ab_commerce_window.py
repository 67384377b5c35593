"""bench_commerce_window A/B: this checkout against another one, runs interleaved (the machine is noisy).

    python benchmarks/ab_commerce_window.py OTHER_CHECKOUT [--size 10x] [--runs 6]

OTHER_CHECKOUT is another tree of the app, say main's: `git archive main | tar -x -C /tmp/main-ref`.
Each run is bench_commerce_window's own measuring child (a fresh process, a fresh copy of the cached
file) for one tree, then the other, the order alternating. Printed: each run's long frames, then
per tree the medians of the worst frame, the GUI thread's CPU in it, frames over 50 ms, P99, the
load and settled times, and the load averages seen.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CACHE, compile_bytecode, print_table  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
METRICS = ("max_ms", "max_frame_gui_cpu_ms", "over_50", "p99_ms", "load_ms", "settled_ms")


def run_child(root: Path, source: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "commerce.sqlite"
        shutil.copyfile(source, path)
        env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        r = subprocess.run([sys.executable, str(root / "benchmarks" / "bench_commerce_window.py"), "--child", str(path),
                            tmp], capture_output=True, text=True, env=env)
        if r.returncode:
            sys.exit(f"the window run in {root} failed:\n{r.stderr[-3000:]}")
        out = json.loads(r.stdout.strip().splitlines()[-1])
        out["load_average"] = os.getloadavg()[0]
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("other", type=Path, help="another checkout of the app (e.g. main's)")
    ap.add_argument("--size", default="10x")
    ap.add_argument("--runs", type=int, default=6)
    args = ap.parse_args()
    source = CACHE / f"commerce-{args.size}.sqlite"
    if not source.exists():
        sys.exit(f"{source} is missing: run benchmarks/bench_commerce.py --sizes {args.size} first")
    trees = {"this": HERE, "other": args.other.resolve()}
    for root in trees.values():
        compile_bytecode(root)
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for i in range(args.runs):
        for name in (("other", "this") if i % 2 == 0 else ("this", "other")):
            r = run_child(trees[name], source)
            results[name].append(r)
            frames = ", ".join(f"{at} ms: {ms} ms (CPU {cpu})" for at, ms, cpu, *_ in r["long_frames"]) or "none"
            print(f"{name:5s} run {i + 1}: worst {r['max_ms']:.0f} ms, frames over 50 ms at {frames}", flush=True)
    rows = [[m, f"{statistics.median(r[m] for r in results['other']):.1f}",
             f"{statistics.median(r[m] for r in results['this']):.1f}",
             " ".join(f"{r[m]:.0f}" for r in results["other"]), " ".join(f"{r[m]:.0f}" for r in results["this"])]
            for m in METRICS]
    print(f"\nCommerce window, {args.size} file, {args.runs} interleaved runs each; other = {trees['other']}\n")
    print_table(["metric", "other median", "this median", "other runs", "this runs"], rows)
    seen = [r["load_average"] for rs in results.values() for r in rs]
    print(f"\nload average {min(seen):.1f}-{max(seen):.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
