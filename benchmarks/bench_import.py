"""Import speed (issue 16): `execdash import` on large spreadsheets.

Cases, each run in a fresh process (peak RSS is the child's own):
  csv-1m       1M-row orders CSV (~60 MB) + 5,000 customers, validated and imported into a new file
  xlsx-100k    100k-row orders .xlsx, into a new file
  csv-1m-bad   the 1M-row CSV with one bad row at the end: the report, nothing written

Prints medians of N runs (default 3): wall seconds, CPU seconds of the process (the
machine is shared: wall time includes waiting for a core), peak RSS, the longest gap
between two progress reports (the first gap includes importing pandas). Targets: csv-1m <= 15 s and <= 1 GB with progress at least every
second; xlsx-100k <= 8 s; csv-1m-bad <= 15 s with nothing written.

    PYTHONPATH=$PWD python benchmarks/bench_import.py [--runs 3] [--cases csv-1m,xlsx-100k,csv-1m-bad]
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
from _common import CACHE, print_table  # noqa: E402

CUSTOMERS = 5_000
TYPES = ("subscription", "recurring", "one-off", "services")


def orders_frame(rows: int, seed: int = 7):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    amount = rng.gamma(2.0, 400.0, rows).round(2)
    days = rng.integers(0, 730, rows)
    dates = (np.datetime64("2024-11-01") + days.astype("timedelta64[D]")).astype(str)
    return pd.DataFrame({
        "id": np.arange(1, rows + 1), "customer_id": rng.integers(1, CUSTOMERS + 1, rows),
        "amount": amount, "profit": (amount * rng.uniform(0.1, 0.6, rows)).round(2),
        "order_date": dates, "type": np.array(TYPES)[rng.integers(0, len(TYPES), rows)],
    })


def inputs() -> dict[str, list[Path]]:
    """The source files, built once into benchmarks/.cache."""
    import pandas as pd

    CACHE.mkdir(exist_ok=True)
    customers = CACHE / "import-customers" / "customers.csv"
    big = CACHE / "import-1m" / "orders.csv"
    bad = CACHE / "import-1m-bad" / "orders.csv"
    book = CACHE / "import-100k" / "orders.xlsx"
    if not customers.exists():
        customers.parent.mkdir(exist_ok=True)
        pd.DataFrame({"id": range(1, CUSTOMERS + 1), "name": [f"Customer {i}" for i in range(1, CUSTOMERS + 1)],
                      "industry": "Retail", "source": "web"}).to_csv(customers, index=False)
    if not big.exists():
        big.parent.mkdir(exist_ok=True)
        orders_frame(1_000_000).to_csv(big, index=False)
    if not bad.exists():
        bad.parent.mkdir(exist_ok=True)
        text = big.read_text()
        bad.write_text(text + "1000001,17,not-a-number,1.0,2025-01-01,subscription\n")
    if not book.exists():
        book.parent.mkdir(exist_ok=True)
        orders_frame(100_000).to_excel(book, index=False, engine="xlsxwriter")
    return {"csv-1m": [customers, big], "xlsx-100k": [customers, book], "csv-1m-bad": [customers, bad]}


def child(case: str, db: str) -> None:
    """One import in this process; prints its figures as JSON."""
    import resource

    from execdash_desktop.dataio import run_import

    gaps, last = [], [time.perf_counter()]

    def progress(_f, _m):
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    t = time.perf_counter()
    report = run_import(db, [str(p) for p in inputs()[case]], progress=progress)
    seconds = time.perf_counter() - t
    use = resource.getrusage(resource.RUSAGE_SELF)
    rss = use.ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"seconds": seconds, "cpu": use.ru_utime + use.ru_stime, "rss_mb": rss, "max_gap": max(gaps or [0]),
                      "written": report.written, "errors": report.errors,
                      "imported": report.imported, "db_exists": Path(db).exists()}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cases", default="csv-1m,xlsx-100k,csv-1m-bad")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.db)
        return
    t = time.perf_counter()
    inputs()
    print(f"inputs ready in {time.perf_counter() - t:.1f} s", flush=True)
    targets = {"csv-1m": 15.0, "xlsx-100k": 8.0, "csv-1m-bad": 15.0}
    rows = []
    for case in args.cases.split(","):
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                db = os.path.join(tmp, "bench.db")
                out = subprocess.run([sys.executable, __file__, "--child", case, "--db", db],
                                     capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "rss_mb", "max_gap")}
        rows.append([case, f"{med['seconds']:.2f}", f"{targets[case]:.0f}", f"{med['seconds'] / targets[case]:.2f}", f"{med['cpu']:.2f}",
                     f"{med['rss_mb']:.0f}", f"{med['max_gap']:.2f}", f"{runs[-1]['imported']:,}",
                     "yes" if runs[-1]["db_exists"] and runs[-1]["written"] else "no", runs[-1]["errors"]])
    print_table(["case", "median s", "target s", "ratio", "CPU s", "peak RSS MB", "max progress gap s",
                 "rows imported", "data written", "errors"], rows)


if __name__ == "__main__":
    main()
