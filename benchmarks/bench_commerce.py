"""Commerce dashboard benchmark (issue 15): payload timings and memory at demo scale and 10x.

    python benchmarks/bench_commerce.py [--sizes demo,10x] [--runs 5]

Every figure is a median over --runs runs, each in a fresh process. "first
payload" is the first Engine.payload(dashboard="commerce") on a file that
process never saw (the whole load: the grouped scans of fulfilment and
conversations, the small tables, the data-quality checks), "repeat" a second
call in the same process, "kpis process" the wall time of `execdash kpis
--dashboard commerce --json` as a whole, "peak RSS" the first payload
process's maximum resident set; "first payload cpu" its CPU time (the figure
that does not depend on how busy a shared machine is). "first payload warm"
is the same never-seen file in a process that has already imported the pack
and numpy, as the window has (pyqtgraph imports numpy at start) and a running
API after its first request: the file's own cost, without a cold
interpreter's first import of numpy (~100-150 ms).
demo: 500 days, 300k fulfilment rows, 100k conversations; 10x: 3M and 1M.
Files are built once by the seeded demo (benchmarks/.cache/commerce-<size>.sqlite).

    python benchmarks/bench_commerce.py --against /tmp/base [--sizes demo] [--runs 9]

compares this checkout with another one (e.g. `git archive <commit> | tar -x -C /tmp/base`):
the two first payloads, cold and warm, run alternately, so a shared machine's load falls on
both alike; the table gives each side's median wall and CPU time and the ratio this / other.
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
SIZES = {"demo": (300_000, 100_000), "10x": (3_000_000, 1_000_000)}
TARGETS = {("demo", "first_payload_ms"): 400, ("demo", "first_payload_warm_ms"): 400, ("demo", "repeat_ms"): 2,
           ("10x", "first_payload_ms"): 3000, ("10x", "first_payload_warm_ms"): 3000, ("10x", "peak_rss_mb"): 300}

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from execdash_desktop.engine import Engine
t_import = time.perf_counter() - t0
if len(sys.argv) > 2:  # warm: the pack already imported (numpy with it), as in the window or a running API
    import numpy, execdash_desktop.packs.commerce.payload, execdash_desktop.packs.commerce.source  # noqa: E401
eng = Engine()
c = time.process_time(); a = time.perf_counter(); p = eng.payload(sys.argv[1], dashboard="commerce")
first = time.perf_counter() - a; first_cpu = time.process_time() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
reps = []
for _ in range(20):
    a = time.perf_counter(); eng.payload(sys.argv[1], dashboard="commerce"); reps.append(time.perf_counter() - a)
reps.sort()
a = time.perf_counter(); eng.payload(sys.argv[1], "12m", "month", "2026-09-15", dashboard="commerce")
other = time.perf_counter() - a
print(json.dumps({"import_ms": t_import * 1000, "first_payload_ms": first * 1000, "peak_rss_mb": rss,
                  "first_payload_cpu_ms": first_cpu * 1000,
                  "repeat_ms": reps[len(reps) // 2] * 1000, "other_as_of_ms": other * 1000}))
"""


def commerce_file(label: str) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"commerce-{label}.sqlite"
    if not path.exists():
        from execdash_desktop.packs.commerce.demo import build_into

        t = time.perf_counter()
        tmp = path.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        orders, conversations = SIZES[label]
        build_into(conn, end="2026-10", orders=orders, conversations=conversations, days=500, seed=7)
        conn.close()
        os.replace(tmp, path)
        print(f"built {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def _env(root: Path = ROOT) -> dict:
    return {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _child(path: Path, root: Path, warm: bool) -> dict:
    # run in root: `python -c` puts the working folder first on the path, before PYTHONPATH
    r = subprocess.run([sys.executable, "-c", CHILD, str(path), *(["warm"] if warm else [])], capture_output=True,
                       text=True, env=_env(root), cwd=root, check=True)
    return json.loads(r.stdout)


def compare(path: Path, other: Path, runs: int) -> list[list]:
    """First payload wall and CPU, cold and warm, of this checkout and `other`, run alternately; the
    peak RSS of both kinds of process."""
    samples: dict[tuple[str, str], list[float]] = {}
    for i in range(runs):
        for root in ((ROOT, other) if i % 2 else (other, ROOT)):
            for warm in (False, True):
                got = _child(path, root, warm)
                mode = "warm" if warm else "cold"
                for metric in ("first_payload_ms", "first_payload_cpu_ms", "peak_rss_mb"):
                    samples.setdefault((f"{metric.replace('first_payload', mode)}", str(root)), []).append(got[metric])
    rows = []
    for metric in ("cold_ms", "cold_cpu_ms", "warm_ms", "warm_cpu_ms", "peak_rss_mb"):
        mine, theirs = (statistics.median(samples[(metric, str(r))]) for r in (ROOT, other))
        rows.append([path.stem, metric, f"{theirs:.1f}", f"{mine:.1f}", f"{mine / theirs:.2f}"])
    return rows


def measure(path: Path, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=_env(),
                           cwd=ROOT, check=True)
        for k, v in json.loads(r.stdout).items():
            out.setdefault(k, []).append(v)
        r = subprocess.run([sys.executable, "-c", CHILD, str(path), "warm"], capture_output=True, text=True,
                           env=_env(), cwd=ROOT, check=True)
        out.setdefault("first_payload_warm_ms", []).append(json.loads(r.stdout)["first_payload_ms"])
        a = time.perf_counter()
        subprocess.run([sys.executable, "-m", "execdash_desktop", "kpis", "--db", str(path), "--dashboard",
                        "commerce", "--json"], capture_output=True, env=_env(), cwd=ROOT, check=True)
        out.setdefault("kpis_process_ms", []).append((time.perf_counter() - a) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="demo,10x")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--against", type=Path, help="another checkout, measured alternately with this one")
    args = ap.parse_args()
    compile_bytecode()  # as an install does: no measured process compiles the changed modules again
    if args.against:
        compile_bytecode(args.against)
        rows = [row for label in args.sizes.split(",") for row in compare(commerce_file(label), args.against, args.runs)]
        print(f"\nCommerce first payload, this checkout against {args.against}, medians of {args.runs} alternate runs"
              f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)\n")
        print_table(["file", "metric", "other", "this", "this/other"], rows)
        return
    rows = []
    for label in args.sizes.split(","):
        path = commerce_file(label)
        samples = measure(path, args.runs)
        for metric in ("first_payload_ms", "first_payload_warm_ms", "first_payload_cpu_ms", "repeat_ms", "other_as_of_ms", "kpis_process_ms", "peak_rss_mb",
                       "import_ms"):
            vals = samples[metric]
            med = statistics.median(vals)
            target = TARGETS.get((label, metric))
            rows.append([label, metric, f"{med:.2f}", f"{min(vals):.2f}", f"{max(vals):.2f}",
                         "" if target is None else target,
                         "" if target is None else f"{med / target:.2f}",
                         "" if target is None else ("ok" if med <= target else "OVER")])
    print(f"\nCommerce dashboard, medians of {args.runs} runs (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores)\n")
    print_table(["size", "metric", "median", "min", "max", "target", "ratio", ""], rows)


if __name__ == "__main__":
    main()
