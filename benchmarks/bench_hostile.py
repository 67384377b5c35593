"""What the issue-12 guards cost on a healthy file (medians of --runs runs).

    python benchmarks/bench_hostile.py [--size 1m] [--runs 5]

- reading: `load_source` cold (no rollup side file: every month summed) and
  warm (side file present), and every drill-down built once, with the readers'
  lenient text decoding (invalid UTF-8 shown as U+FFFD) against SQLite's
  default `str` decoding;
- orders as a view: the same cold load when `orders` is a view over the table
  (no rowid ranges: one indexed query per month);
- the API's guarded h11 protocol (read deadlines, connection cap) against plain
  h11: one keep-alive client, cached GET /api/executive-dashboard, per request
  (`--api-only` runs this part alone).
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


def _api_rounds(path: Path, rounds: int, n: int = 2000) -> list[list]:
    import http.client

    import uvicorn

    from execdash_desktop.api import server as api_server
    from execdash_desktop.api.app import create_app

    def start(http_impl):
        app = create_app(path)
        srv = api_server._Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                                                log_level="warning", lifespan="on", http=http_impl))
        import threading
        t = threading.Thread(target=srv.run, daemon=True)
        t.start()
        while not srv.started:
            time.sleep(0.01)
        return srv, t

    from execdash_desktop.api.guard import guarded_protocol
    servers = {"plain h11": start("h11"), "guarded h11": start(guarded_protocol())}
    samples: dict[str, list[float]] = {k: [] for k in servers}
    for i in range(rounds):  # interleaved rounds (alternating who goes first), one connection each
        order = list(servers.items())
        for name, (srv, _t) in (order if i % 2 == 0 else order[::-1]):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
            c.request("GET", "/api/executive-dashboard")
            c.getresponse().read()  # the cache is warm from here on
            t0 = time.perf_counter()
            for _ in range(n):
                c.request("GET", "/api/executive-dashboard")
                c.getresponse().read()
            samples[name].append((time.perf_counter() - t0) / n)
            c.close()
    for srv, t in servers.values():
        srv.should_exit = True
        t.join(10)
    plain = median_ms(samples["plain h11"])
    return [[name, f"{median_ms(v) * 1000:.0f}", f"{median_ms(v) / plain:.2f}"] for name, v in samples.items()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1m", choices=["100k", "1m", "10m"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--api-only", action="store_true")
    args = ap.parse_args()
    path = demo_file(args.size)
    if args.api_only:
        print(f"cached GET, keep-alive, medians of {args.runs} interleaved rounds of 2000 requests")
        print_table(["protocol", "us per request", "ratio"], _api_rounds(path, args.runs))
        return
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
