"""Engineering dashboard benchmark (issue 10): payload timings and memory on 100k / 1M bugs.

    python benchmarks/bench_engineering.py [--sizes 100k,1m] [--runs 5]

Every figure is a median over --runs runs, each in a fresh process. "first
payload" is the first Engine.payload(dashboard="engineering") on a file that
process never saw (the whole load: one scan of the bugs, the small tables, the
breach rows' text), "repeat" a second call in the same process, "kpis process"
the wall time of `execdash kpis --dashboard engineering --json` as a whole
(interpreter start, imports, load, payload, JSON out), "peak RSS" the first
payload process's maximum resident set; "cpu" the CPU time of the first payload
(both threads): on a busy shared machine the wall time is the CPU time
stretched by the load, the CPU time is what an idle machine would wait at most.
"first payload warm" is the same never-seen file in a process that has already
imported the pack (and numpy with it), as the window has (pyqtgraph imports
numpy at start) and a running API after its first request: the file's own cost,
without the ~100 ms of a cold interpreter's first import of numpy.
Also: one page of the bug table
(first page and a page from the middle, filtered by severity).
Files are built once by the seeded demo (benchmarks/.cache/eng-<size>.sqlite).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CACHE, compile_bytecode, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"100k": 100_000, "1m": 1_000_000}
TARGETS = {  # (size, metric) -> target (ms or MB)
    ("100k", "first_payload_ms"): 150, ("100k", "first_payload_warm_ms"): 150, ("100k", "repeat_ms"): 2,
    ("100k", "kpis_process_ms"): 400, ("1m", "first_payload_ms"): 1500, ("1m", "first_payload_warm_ms"): 1500,
    ("1m", "peak_rss_mb"): 300,
}

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from execdash_desktop.engine import Engine
from execdash_desktop.dashboards import registry
from execdash_desktop.store import open_reader
t_import = time.perf_counter() - t0
if len(sys.argv) > 2:  # warm: the pack already imported (numpy with it), as in the window or a running API
    import execdash_desktop.packs.engineering.payload, execdash_desktop.packs.engineering.texts  # noqa: E401
eng = Engine()
c = time.process_time(); a = time.perf_counter(); p = eng.payload(sys.argv[1], dashboard="engineering")
first = time.perf_counter() - a; first_cpu = time.process_time() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
reps = []
for _ in range(20):
    a = time.perf_counter(); eng.payload(sys.argv[1], dashboard="engineering"); reps.append(time.perf_counter() - a)
reps.sort()
dash = registry.get("engineering")
src = eng.source(sys.argv[1], dashboard="engineering")
conn = open_reader(sys.argv[1])
q = dash.panel("bug_table").query(conn, src, p)
a = time.perf_counter(); q.page(conn, {}, 0, 100); page0 = time.perf_counter() - a
a = time.perf_counter(); n = q.count(conn, {"severity": "medium"}); q.page(conn, {"severity": "medium"}, n // 2, 100)
pagef = time.perf_counter() - a
a = time.perf_counter(); q.page(conn, {"severity": "medium"}, n // 3, 100); pagef2 = time.perf_counter() - a
print(json.dumps({"import_ms": t_import * 1000, "first_payload_ms": first * 1000, "peak_rss_mb": rss,
                  "first_payload_cpu_ms": first_cpu * 1000,
                  "repeat_ms": reps[len(reps) // 2] * 1000, "page_first_ms": page0 * 1000,
                  "page_filtered_first_ms": pagef * 1000, "page_filtered_next_ms": pagef2 * 1000,
                  "breaches": len(p["slaBreaches"])}))
"""


def eng_file(label: str) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"eng-{label}.sqlite"
    if not path.exists():
        from execdash_desktop.packs.engineering.demo import build_into

        t = time.perf_counter()
        tmp = path.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        build_into(conn, end="2026-10", bugs=SIZES[label], seed=7)
        conn.close()
        os.replace(tmp, path)
        print(f"built {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def measure(path: Path, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for _ in range(runs):
        # in ROOT: `python -c` puts the working folder first on the path, before PYTHONPATH
        r = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=_env(),
                           check=True, cwd=ROOT)
        for k, v in json.loads(r.stdout).items():
            out.setdefault(k, []).append(v)
        r = subprocess.run([sys.executable, "-c", CHILD, str(path), "warm"], capture_output=True, text=True,
                           env=_env(), check=True, cwd=ROOT)
        out.setdefault("first_payload_warm_ms", []).append(json.loads(r.stdout)["first_payload_ms"])
        a = time.perf_counter()
        subprocess.run([sys.executable, "-m", "execdash_desktop", "kpis", "--db", str(path), "--dashboard",
                        "engineering", "--json"], capture_output=True, env=_env(), check=True, cwd=ROOT)
        out.setdefault("kpis_process_ms", []).append((time.perf_counter() - a) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100k,1m")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    compile_bytecode()
    rows = []
    for label in args.sizes.split(","):
        path = eng_file(label)
        samples = measure(path, args.runs)
        for metric in ("first_payload_ms", "first_payload_warm_ms", "first_payload_cpu_ms", "repeat_ms", "kpis_process_ms", "peak_rss_mb", "import_ms",
                       "page_first_ms", "page_filtered_first_ms", "page_filtered_next_ms"):
            vals = samples[metric]
            med = statistics.median(vals)
            target = TARGETS.get((label, metric))
            rows.append([label, metric, f"{med:.2f}", f"{min(vals):.2f}", f"{max(vals):.2f}",
                         "" if target is None else target,
                         "" if target is None else f"{med / target:.2f}",
                         "" if target is None else ("ok" if med <= target else "OVER")])
        rows.append([label, "sla_breaches (count)", int(statistics.median(samples["breaches"])), "", "", "", "", ""])
    print(f"\nEngineering dashboard, medians of {args.runs} runs (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores)\n")
    print_table(["size", "metric", "median", "min", "max", "target", "ratio", ""], rows)


if __name__ == "__main__":
    main()
