"""The monthly rollup of `orders`, kept beside the data file.

Summing 10M order rows takes seconds; the KPIs need only per-month sums. They
are computed once per version of the file (per-month range queries over
`idx_orders_order_date`, split across two read-only connections) and kept as
a small JSON side file in the user cache folder, never in the user's file.
The side file is valid while the data file's (size, mtime) of the main file
and its -wal are unchanged; the app's own metric writes re-stamp it
(`note_own_write`) since they never touch `orders`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import months as mo
from .paths import file_key, user_cache_dir

ROLLUP_VERSION = 3
Progress = Callable[[float, str], None]

RECURRING_TYPES = ("subscription", "recurring")

# per order type: amount, profit, amount of rows that have a profit, row count
_MONTH_SQL = """
SELECT type, coalesce(sum(amount), 0), coalesce(sum(profit), 0),
       coalesce(sum(CASE WHEN profit IS NOT NULL THEN amount END), 0), count(*)
FROM orders WHERE order_date >= ? AND order_date < ? GROUP BY type
"""


@dataclass(frozen=True)
class OrdersMonth:
    """One month of orders: totals, and the same sums per order type."""

    by_type: tuple[tuple[str | None, float, float, float, int], ...]

    @property
    def amount(self) -> float:
        return sum(t[1] for t in self.by_type)

    @property
    def profit(self) -> float:
        return sum(t[2] for t in self.by_type)

    @property
    def amount_with_profit(self) -> float:
        return sum(t[3] for t in self.by_type)

    @property
    def recurring(self) -> float:
        return sum(t[1] for t in self.by_type if t[0] in RECURRING_TYPES)

    @property
    def count(self) -> int:
        return sum(t[4] for t in self.by_type)


def file_stamp(path: str | os.PathLike) -> list[list[int]]:
    """(size, mtime_ns) of the file and of its -wal: changes when the data does."""
    out = []
    for p in (Path(path), Path(f"{path}-wal")):
        try:
            st = p.stat()
            out.append([st.st_size, st.st_mtime_ns])
        except FileNotFoundError:
            out.append([0, 0])
    return out


def _side_path(path: str | os.PathLike) -> Path:
    d = user_cache_dir() / "rollups"
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{file_key(path)}.json"


def load_cached(path: str | os.PathLike) -> dict[int, OrdersMonth] | None:
    side = _side_path(path)
    try:
        doc = json.loads(side.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if doc.get("version") != ROLLUP_VERSION or doc.get("stamp") != file_stamp(path):
        return None
    return {int(k): OrdersMonth(tuple(tuple(t) for t in v)) for k, v in doc["months"].items()}


def _store(path: str | os.PathLike, stamp: list, data: dict[int, OrdersMonth]) -> None:
    side = _side_path(path)
    doc = {"version": ROLLUP_VERSION, "path": str(Path(path).resolve()), "stamp": stamp,
           "months": {str(k): [list(t) for t in v.by_type] for k, v in data.items()}}
    tmp = side.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(doc), "utf-8")
        os.replace(tmp, side)
    except OSError:  # a cache we cannot write only costs speed
        tmp.unlink(missing_ok=True)


def note_own_write(path: str | os.PathLike, stamp_before: list) -> None:
    """After the app wrote only metrics tables: keep the rollup valid."""
    side = _side_path(path)
    try:
        doc = json.loads(side.read_text("utf-8"))
    except (OSError, ValueError):
        return
    if doc.get("stamp") == stamp_before:
        doc["stamp"] = file_stamp(path)
        tmp = side.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_text(json.dumps(doc), "utf-8")
            os.replace(tmp, side)
        except OSError:
            tmp.unlink(missing_ok=True)


def month_bounds(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """First and last month present in orders (two index lookups)."""
    lo, hi = conn.execute("SELECT min(order_date), max(order_date) FROM orders").fetchone()
    a, b = mo.parse_month(lo), mo.parse_month(hi)
    if a is None or b is None:
        return None
    return a, b


def _sum_months(open_conn: Callable[[], sqlite3.Connection], month_list: list[int],
                done: Callable[[int], None]) -> dict[int, OrdersMonth]:
    conn = open_conn()
    try:
        out = {}
        for idx in month_list:
            rows = conn.execute(_MONTH_SQL, (mo.first_day(idx), mo.first_day(idx + 1))).fetchall()
            if rows:
                out[idx] = OrdersMonth(tuple((t, float(a), float(p), float(ap), int(n))
                                             for t, a, p, ap, n in rows))
            done(idx)
        return out
    finally:
        conn.close()


def compute(conn: sqlite3.Connection, open_conn: Callable[[], sqlite3.Connection],
            progress: Progress | None = None, workers: int = 2) -> dict[int, OrdersMonth]:
    """Per-month sums of `orders`, one indexed range query per month."""
    bounds = month_bounds(conn)
    if bounds is None:
        return {}
    all_months = list(range(bounds[0], bounds[1] + 1))
    # newest first: the months a dashboard shows are ready soonest
    all_months.reverse()
    lock = threading.Lock()
    finished = [0]

    def done(_idx: int) -> None:
        with lock:
            finished[0] += 1
            n = finished[0]
        if progress:
            progress(n / len(all_months), f"summing orders: {n}/{len(all_months)} months")

    if workers <= 1 or len(all_months) < 4:
        return _sum_months(open_conn, all_months, done)
    chunks = [all_months[i::workers] for i in range(workers)]
    out: dict[int, OrdersMonth] = {}
    # sqlite3 releases the GIL while it steps, so two connections use two cores
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rollup") as pool:
        for part in pool.map(lambda c: _sum_months(open_conn, c, done), chunks):
            out.update(part)
    return out


def orders_by_month(path: str | os.PathLike, conn: sqlite3.Connection,
                    open_conn: Callable[[], sqlite3.Connection],
                    progress: Progress | None = None) -> dict[int, OrdersMonth]:
    """The rollup for this version of the file: from the side file, or computed."""
    cached = load_cached(path)
    if cached is not None:
        return cached
    stamp = file_stamp(path)
    data = compute(conn, open_conn, progress)
    if file_stamp(path) == stamp:  # the file did not change under us
        _store(path, stamp, data)
    return data
