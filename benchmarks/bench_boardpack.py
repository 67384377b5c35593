"""Board pack benchmark (issue 6, part 3): the dashboard plus five drill-downs on a 1M-order file.

    python benchmarks/bench_boardpack.py [--file PATH] [--runs 5] [--paper a4]

- in process (a child process of its own, offscreen Qt): per run a fresh Engine
  (as a new request would have), then data fetch (ExecSource from the rollup
  cache, payload, five drill-downs, summary), render (every page into a PDF in
  memory), write (atomic, to a temporary folder), total;
- the whole command: `execdash pack --db FILE --out X.pdf`, wall time of the
  process, Python and Qt start-up included.

The first run of each kind warms the rollup side file (user cache folder) and is
reported apart ("cold"); medians are over the warm runs. Target: total <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import demo_file, print_table  # noqa: E402

from execdash_desktop.boardpack import DEFAULT_DRILLDOWNS  # noqa: E402  (Qt-free)

DEFAULT_FILE = Path("/tmp/execdash_demo_1m.sqlite")
TARGET_MS = 3000.0


def in_process(path: Path, out_dir: Path, runs: int, paper: str) -> dict:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from execdash_desktop import boardpack as bp
    from execdash_desktop.engine import Engine
    from execdash_desktop.packs.executive.payload import build_payload, resolve_window
    from execdash_desktop.store import open_reader
    from execdash_desktop.ui import theme
    from execdash_desktop.ui.export.board_pack import render_pdf

    app = QApplication.instance() or QApplication([sys.argv[0]])
    theme.install(app, "light")
    rows = []
    for i in range(runs + 1):  # run 0: cold rollup cache, imports of pyqtgraph
        t0 = time.perf_counter()
        src = Engine().source(path)
        payload = build_payload(src, "12m", "month", None)
        conn = open_reader(path)
        try:
            data = bp.gather(conn, src, payload, resolve_window(src, "12m", None), bp.DEFAULT_DRILLDOWNS, str(path))
        finally:
            conn.close()
        t1 = time.perf_counter()
        pdf, pages = render_pdf(data, paper)
        t2 = time.perf_counter()
        bp.write_atomic(out_dir / f"pack-{i}.pdf", pdf)
        t3 = time.perf_counter()
        app.processEvents()  # the offscreen widgets' deferred deletes
        rows.append({"data": (t1 - t0) * 1000, "render": (t2 - t1) * 1000, "write": (t3 - t2) * 1000,
                     "total": (t3 - t0) * 1000, "pages": pages, "bytes": len(pdf)})
    return {"cold": rows[0], "warm": rows[1:]}


def whole_command(path: Path, out_dir: Path, runs: int, paper: str, env: dict) -> list[float]:
    times = []
    for i in range(runs + 1):
        out = out_dir / f"cli-{i}.pdf"
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "execdash_desktop", "pack", "--db", str(path), "--paper", paper,
                            "--out", str(out)], env=env, capture_output=True, text=True, timeout=300)
        times.append((time.perf_counter() - t0) * 1000)
        if r.returncode != 0 or not out.read_bytes().startswith(b"%PDF"):
            raise RuntimeError(f"execdash pack failed: {r.stderr.strip()[-500:]}")
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--paper", choices=["a4", "letter"], default="a4")
    ap.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    path = args.file or (DEFAULT_FILE if DEFAULT_FILE.exists() else demo_file("1m"))

    if args.in_process:
        print("RESULT " + json.dumps(in_process(path, args.out, args.runs, args.paper)), flush=True)
        return 0

    with tempfile.TemporaryDirectory(prefix="execdash-bench-pack-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, EXECDASH_CACHE_DIR=str(tmp / "cache"), EXECDASH_DATA_DIR=str(tmp / "data"))
        print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB), {args.runs} runs, paper {args.paper}, "
              f"drill-downs: {', '.join(DEFAULT_DRILLDOWNS)}",
              flush=True)
        child = subprocess.run([sys.executable, __file__, "--in-process", "--file", str(path), "--out", str(tmp),
                                "--runs", str(args.runs), "--paper", args.paper], env=env,
                               capture_output=True, text=True, timeout=900)
        if child.returncode != 0:
            print(child.stdout, child.stderr, file=sys.stderr)
            return 1
        res = json.loads(next(ln for ln in child.stdout.splitlines() if ln.startswith("RESULT "))[7:])
        cli = whole_command(path, tmp, args.runs, args.paper, env)  # the cache is warm from the child

    med = statistics.median
    warm = res["warm"]
    rows = []
    for key, name in (("data", "data fetch (source, payload, 5 drill-downs, summary)"),
                      ("render", "render (all pages, PDF in memory)"), ("write", "write (atomic)"),
                      ("total", "total, in process")):
        values = [r[key] for r in warm]
        judged = key == "total"
        rows.append([name, f"{TARGET_MS:g} ms" if judged else "-", f"{med(values):.0f}", f"{min(values):.0f}",
                     f"{max(values):.0f}", f"{res['cold'][key]:.0f}",
                     ("pass" if med(values) <= TARGET_MS else "FAIL") if judged else "info"])
    rows.append(["`execdash pack` command (wall)", f"{TARGET_MS:g} ms", f"{med(cli[1:]):.0f}", f"{min(cli[1:]):.0f}",
                 f"{max(cli[1:]):.0f}", f"{cli[0]:.0f}", "pass" if med(cli[1:]) <= TARGET_MS else "FAIL"])
    print()
    print_table(["measure", "target", "median ms", "min ms", "max ms", "first run ms", "result"], rows)
    print(f"\n{warm[0]['pages']} pages, {warm[0]['bytes'] / 1024:.0f} KiB; medians of {len(warm)} warm runs "
          "(the first run warms the rollup cache and imports pyqtgraph)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
