"""First open of a file against one plain GROUP BY pass (issue 11, item 12).

    python benchmarks/bench_first_open.py [--sizes 1m,10m] [--runs 3]

For each size, the demo file (orders in date order) and a copy whose orders
are shuffled (imports, merges): the median time of
  plain   SELECT substr(order_date,1,7), sum(amount), sum(profit) FROM orders GROUP BY 1
  first   load_source() with an empty rollup cache (every query of the payload,
          the rollup computed and written)
on a fresh connection each run, the file warm in the page cache, and their ratio;
wall and CPU time (the machine may be shared: the CPU ratio is the steadier one)
and the load average before each size.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import CACHE, demo_file, print_table  # noqa: E402

PLAIN = "SELECT substr(order_date, 1, 7), sum(amount), sum(profit) FROM orders GROUP BY 1"


def shuffled_copy(src: Path) -> Path:
    """The demo file with its orders in random row order (built once, kept)."""
    dst = CACHE / f"{src.stem}-shuffled.sqlite"
    if dst.exists():
        return dst
    tmp = dst.with_name(dst.name + ".tmp")
    tmp.unlink(missing_ok=True)
    t = time.perf_counter()
    conn = sqlite3.connect(tmp)
    conn.execute(f"ATTACH DATABASE '{src}' AS src")
    for name, sql in conn.execute("SELECT name, sql FROM src.sqlite_master WHERE type = 'table' "
                                  "AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'").fetchall():
        conn.execute(sql)
        order = " ORDER BY random()" if name == "orders" else ""
        conn.execute(f"INSERT INTO main.{name} SELECT * FROM src.{name}{order}")
        conn.commit()
    for (sql,) in conn.execute("SELECT sql FROM src.sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall():
        conn.execute(sql)
    conn.commit()
    conn.execute("DETACH DATABASE src")
    conn.close()
    os.replace(tmp, dst)
    print(f"built {dst.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return dst


def plain_pass(path: Path) -> tuple[float, float]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        t, c = time.perf_counter(), time.process_time()
        conn.execute(PLAIN).fetchall()
        return time.perf_counter() - t, time.process_time() - c
    finally:
        conn.close()


def first_open(path: Path) -> tuple[float, float]:
    from execdash_desktop.packs.executive.source import load_source

    with tempfile.TemporaryDirectory() as cache:
        os.environ["EXECDASH_CACHE_DIR"] = cache  # nothing cached: the rollup is computed
        t, c = time.perf_counter(), time.process_time()
        load_source(path)
        return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1m,10m")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = []
    headers = ["orders", "row order", "plain s", "plain CPU s", "first open s", "first CPU s",
               "ratio", "CPU ratio", "load avg"]
    for size in args.sizes.split(","):
        ordered = demo_file(size)
        for label, path in (("ordered", ordered), ("unordered", shuffled_copy(ordered))):
            plain_pass(path)  # warm the page cache
            load = "%.2f" % os.getloadavg()[0]
            plain, first = [], []
            for _ in range(args.runs):  # interleaved, so load on the machine hits both alike
                plain.append(plain_pass(path))
                first.append(first_open(path))
            p, pc = (statistics.median(x[i] for x in plain) for i in (0, 1))
            f, fc = (statistics.median(x[i] for x in first) for i in (0, 1))
            rows.append([size, label, f"{p:.3f}", f"{pc:.3f}", f"{f:.3f}", f"{fc:.3f}",
                         f"{f / p:.2f}", f"{fc / pc:.2f}", f"{load}"])
            print_table(headers, rows[-1:])
    print()
    print(f"medians of {args.runs} runs; load average 1/5/15 min at the end: "
          + " ".join("%.2f" % x for x in os.getloadavg()))
    print_table(headers, rows)


if __name__ == "__main__":
    main()
