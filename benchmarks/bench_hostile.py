"""What the issue-12 guards cost on a healthy file (medians of --runs runs).

    python benchmarks/bench_hostile.py [--size 1m] [--runs 5]

- reading: `load_source` cold (no rollup side file: every month summed) and
  warm (side file present), and every drill-down built once, with the readers'
  lenient text decoding (invalid UTF-8 shown as U+FFFD) against SQLite's
  default `str` decoding;
- orders as a view: the same cold load when `orders` is a view over the table
  (no rowid ranges: one indexed query per month).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import demo_file, median_ms, print_table  # noqa: E402

from execdash_desktop import store  # noqa: E402
from execdash_desktop.packs.executive.drilldowns import _BUILDERS, build_drilldown  # noqa: E402
from execdash_desktop.packs.executive.payload import resolve_window  # noqa: E402
from execdash_desktop.packs.executive.source import load_source  # noqa: E402


def _timed(fn, before=None) -> float:
    if before:
        before()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _fresh_cache() -> None:
    os.environ["EXECDASH_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-hostile-cache-")


def _drilldowns(path: Path) -> None:
    src = load_source(path)
    w = resolve_window(src, "12m", None)
    conn = store.open_reader(path)
    try:
        for key in _BUILDERS:
            build_drilldown(key, conn, src, w)
    finally:
        conn.close()


def measure(path: Path) -> dict[str, float]:
    """One run of each reading (seconds)."""
    out = {"cold load": _timed(lambda: load_source(path), _fresh_cache)}
    load_source(path)  # the side file for the warm figures
    out["warm load"] = _timed(lambda: load_source(path))
    out["all drill-downs"] = _timed(lambda: _drilldowns(path))
    return out


def _with_decoding(decode, fn):
    real = store._lenient_text
    store._lenient_text = decode  # str: SQLite's default decoding, for comparison only
    try:
        return fn()
    finally:
        store._lenient_text = real


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1m", choices=["100k", "1m", "10m"])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    path = demo_file(args.size)
    _fresh_cache()

    runs: dict[str, list[dict]] = {"plain": [], "lenient": []}
    for _ in range(args.runs):  # interleaved, so a busy moment hits both alike
        runs["plain"].append(_with_decoding(str, lambda: measure(path)))
        runs["lenient"].append(measure(path))
    plain = {k: median_ms([r[k] for r in runs["plain"]]) for k in runs["plain"][0]}
    lenient = {k: median_ms([r[k] for r in runs["lenient"]]) for k in runs["lenient"][0]}
    rows = [[k, f"{plain[k]:.1f}", f"{lenient[k]:.1f}", f"{lenient[k] / plain[k]:.2f}"] for k in plain]
    print(f"{path.name}, medians of {args.runs} interleaved runs (ms)")
    print_table(["reading", "str decoding", "lenient decoding", "ratio"], rows)

    view = Path(tempfile.mkdtemp(prefix="bench-hostile-")) / "orders-view.sqlite"
    shutil.copy(path, view)
    conn = sqlite3.connect(view)
    conn.executescript("ALTER TABLE orders RENAME TO orders_base; CREATE VIEW orders AS SELECT * FROM orders_base;")
    conn.close()
    table_s, view_s = [], []
    for _ in range(args.runs):
        table_s.append(_timed(lambda: load_source(path), _fresh_cache))
        view_s.append(_timed(lambda: load_source(view), _fresh_cache))
    table_ms, view_ms = median_ms(table_s), median_ms(view_s)
    print()
    print_table(["cold load", "orders table", "orders view", "ratio"],
                [["ms", f"{table_ms:.1f}", f"{view_ms:.1f}", f"{view_ms / table_ms:.2f}"]])
    shutil.rmtree(view.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
