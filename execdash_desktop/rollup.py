"""The monthly rollup of `orders`, kept in the user cache folder, never in the user's file.

Summing 10M order rows takes seconds; the KPIs need only per-month sums. They
are computed once per version of the file (one range scan per month over
date-ordered rowids, else one indexed range query per month, split across two
read-only connections) and kept as `<key>.json`, valid while `<key>.stamp`
matches the data file's (size, mtime) and its -wal's. The app's own metric
writes re-stamp it (`note_own_write`), since they never touch `orders`.
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

# Fast path: when the table is stored in date order (append-only files, the
# demo), each month is a contiguous rowid range found with one index lookup,
# and a range scan is ~2x cheaper per row than index-driven lookups. Every
# range proves itself: all its rows must fall inside its month, else we fall
# back to one indexed range query per month.
_RANGE_SQL = """
SELECT coalesce(sum(amount), 0), coalesce(sum(profit), 0),
       coalesce(sum(CASE WHEN type IN ('subscription', 'recurring') THEN amount END), 0),
       count(*), count(profit), count(order_date), min(order_date), max(order_date)
FROM orders WHERE rowid BETWEEN ? AND ?
"""
_MONTH_SQL = """
SELECT coalesce(sum(amount), 0), coalesce(sum(profit), 0),
       coalesce(sum(CASE WHEN type IN ('subscription', 'recurring') THEN amount END), 0),
       count(*), count(profit)
FROM orders WHERE order_date >= ? AND order_date < ?
"""
_WITH_PROFIT_SQL = "SELECT coalesce(sum(amount), 0) FROM orders WHERE profit IS NOT NULL AND {where}"
_TYPES_SQL = """
SELECT type, coalesce(sum(amount), 0), coalesce(sum(profit), 0),
       coalesce(sum(CASE WHEN profit IS NOT NULL THEN amount END), 0), count(*)
FROM orders WHERE {where} GROUP BY type
"""


@dataclass(frozen=True)
class OrdersMonth:
    amount: float
    profit: float
    amount_with_profit: float  # the gm denominator: amount of rows that have a profit
    recurring: float  # subscription + recurring amount (ARR)
    count: int


TypeRow = tuple  # (type, amount, profit, amount_with_profit, count)


def file_stamp(path: str | os.PathLike) -> list[list[int]]:
    """(size, mtime_ns) of the file and of its -wal: changes when the data does.

    An empty -wal holds no data (readers create one, the last close deletes
    it), so it stamps the same as none.
    """
    out = []
    for p in (os.fspath(path), f"{os.fspath(path)}-wal"):  # os.stat: called per metrics write
        try:
            st = os.stat(p)
            out.append([st.st_size, st.st_mtime_ns] if st.st_size else [0, 0])
        except FileNotFoundError:
            out.append([0, 0])
    return out


def _side_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """The rollup document, and the tiny file holding the stamp it is valid for.

    The stamp lives apart so that re-stamping after each metrics write is a
    small write, not a rewrite of the whole rollup.
    """
    d = user_cache_dir() / "rollups"  # OSError when the cache folder cannot be made
    d.mkdir(parents=True, exist_ok=True)
    key = file_key(path)
    return d / f"{key}.json", d / f"{key}.stamp"


def uncached_reason() -> str | None:
    """Why the rollup cache cannot be kept (a read-only or missing cache folder), or None.

    The cache only buys speed: without it the sums are computed in memory."""
    try:
        d = user_cache_dir() / "rollups"
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = exc.filename or os.environ.get("EXECDASH_CACHE_DIR") or "the cache folder"
        why = "a file is in the way" if isinstance(exc, (FileExistsError, NotADirectoryError)) \
            else exc.strerror or str(exc)
        return f"running uncached: cannot use the cache folder {where} ({why})"
    if not os.access(d, os.W_OK | os.X_OK):
        return f"running uncached: cannot write in the cache folder {d}"
    return None


def _replace(target: Path, text: str) -> bool:
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, "utf-8")
        os.replace(tmp, target)
        return True
    except OSError:  # a cache we cannot write only costs speed
        tmp.unlink(missing_ok=True)
        return False


_STAMP_WIDTH = 160  # a stamp is ~80 characters of JSON; the file is always this wide


def _write_stamp(stamp_path: Path, stamp: list) -> None:
    """Overwrite the stamp file in place with one write of a fixed width.

    This runs after every metrics commit: a temp file + rename cost ~0.15 ms
    here. A reader racing the write sees old or new JSON, or unreadable JSON,
    which only means "rebuild the rollup".
    """
    data = json.dumps(stamp).ljust(_STAMP_WIDTH).encode()
    try:
        fd = os.open(stamp_path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)  # fresh descriptor: offset 0 (os.pwrite is Unix-only)
            if len(data) != _STAMP_WIDTH:
                os.ftruncate(fd, len(data))
        finally:
            os.close(fd)
    except OSError:
        pass


def _read_side(path) -> dict | None:
    """The rollup document if it is valid for the file as it is now."""
    try:
        doc_path, stamp_path = _side_paths(path)
        if json.loads(stamp_path.read_text("utf-8")) != file_stamp(path):
            return None
        doc = json.loads(doc_path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return doc if doc.get("version") == ROLLUP_VERSION else None


def _write_side(path, doc: dict, stamp: list) -> None:
    try:
        doc_path, stamp_path = _side_paths(path)
        stamp_path.unlink(missing_ok=True)  # never a new stamp beside an old document
    except OSError:  # no cache folder: computed in memory (uncached_reason says so)
        return
    if _replace(doc_path, json.dumps(doc)):
        _write_stamp(stamp_path, stamp)


def note_own_write(path: str | os.PathLike, stamp_before: list,
                   stamp_after: list | None = None) -> None:
    """After the app wrote only metrics tables: keep the rollup valid.

    `stamp_after` (default: the file as it is now) is what the write left.
    """
    try:
        _, stamp_path = _side_paths(path)
        if json.loads(stamp_path.read_text("utf-8")) != stamp_before:
            return
    except (OSError, ValueError):
        return
    _write_stamp(stamp_path, stamp_after or file_stamp(path))


def month_bounds(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """First and last month present in orders (two index lookups).

    Two separate subqueries: min() and max() in one SELECT defeat SQLite's
    min/max optimisation and scan the whole index.
    """
    # bounded to date-shaped text (still an index lookup): an empty or garbled
    # order_date must not hide every good month
    lo, hi = conn.execute(
        "SELECT (SELECT min(order_date) FROM orders WHERE order_date >= '0000-01'), "
        "(SELECT max(order_date) FROM orders WHERE order_date < '9999-99')").fetchone()
    a, b = mo.parse_month(lo), mo.parse_month(hi)
    if a is None or b is None:
        return None
    return a, b


def has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    """A plain table: not a view, not WITHOUT ROWID (whose rowid does not exist)."""
    row = conn.execute("SELECT type, sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    if row is None or row[0] != "table":
        return False
    return "WITHOUT ROWID" not in " ".join(str(row[1] or "").upper().split())


def _month_ranges(conn: sqlite3.Connection, months: list[int]) -> dict[int, tuple[int, int]]:
    """Candidate rowid range per month, assuming date order (checked by the scan)."""
    lo_id, hi_id = conn.execute("SELECT (SELECT min(rowid) FROM orders), "
                                "(SELECT max(rowid) FROM orders)").fetchone()
    starts = [lo_id]
    for m in months[1:]:
        # the month starts at the smallest rowid of its first day with orders
        # (within a day, plain dates and timestamps may interleave)
        row = conn.execute("SELECT order_date FROM orders WHERE order_date >= ? "
                           "ORDER BY order_date LIMIT 1", (mo.first_day(m),)).fetchone()
        if row is None or not isinstance(row[0], str):
            starts.append(hi_id + 1)
            continue
        day = row[0][:10]
        starts.append(conn.execute("SELECT min(rowid) FROM orders WHERE order_date >= ? "
                                   "AND order_date < ?", (day, day + "~")).fetchone()[0])
    ends = [s - 1 for s in starts[1:]] + [hi_id]
    return dict(zip(months, zip(starts, ends)))


class _Unsorted(Exception):
    """A rowid range held rows of another month: use the indexed path."""


def _scan_ranges(conn, items: list[tuple[int, tuple[int, int]]], done) -> dict[int, OrdersMonth]:
    out = {}
    for idx, (lo, hi) in items:
        if hi < lo:
            done(idx)
            continue
        amount, profit, recurring, n, n_profit, n_date, dmin, dmax = conn.execute(
            _RANGE_SQL, (lo, hi)).fetchone()
        if n and (n_date != n or not isinstance(dmin, str) or not isinstance(dmax, str)
                  or dmin < mo.first_day(idx) or dmax >= mo.first_day(idx + 1)):
            raise _Unsorted()
        if n:
            with_profit = amount if n_profit == n else conn.execute(
                _WITH_PROFIT_SQL.format(where="rowid BETWEEN ? AND ?"), (lo, hi)).fetchone()[0]
            out[idx] = OrdersMonth(float(amount), float(profit), float(with_profit),
                                   float(recurring), int(n))
        done(idx)
    return out


def _scan_months(conn, items: list[tuple[int, tuple[int, int]]], done) -> dict[int, OrdersMonth]:
    out = {}
    for idx, _ in items:
        bounds = (mo.first_day(idx), mo.first_day(idx + 1))
        amount, profit, recurring, n, n_profit = conn.execute(_MONTH_SQL, bounds).fetchone()
        if n:
            with_profit = amount if n_profit == n else conn.execute(
                _WITH_PROFIT_SQL.format(where="order_date >= ? AND order_date < ?"), bounds).fetchone()[0]
            out[idx] = OrdersMonth(float(amount), float(profit), float(with_profit),
                                   float(recurring), int(n))
        done(idx)
    return out


def _parallel(open_conn, scan, items, done, workers: int) -> dict:
    """Run `scan` over items split across `workers` read-only connections.

    sqlite3 releases the GIL while it steps, so two connections use two cores.
    """
    def run(chunk):
        conn = open_conn()
        try:
            return scan(conn, chunk, done)
        finally:
            conn.close()

    if workers <= 1 or len(items) < 4:
        return run(items)
    out: dict = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rollup") as pool:
        for part in pool.map(run, [items[i::workers] for i in range(workers)]):
            out.update(part)
    return out


def compute(conn: sqlite3.Connection, open_conn: Callable[[], sqlite3.Connection],
            progress: Progress | None = None, workers: int = 2
            ) -> tuple[dict[int, OrdersMonth], dict[int, tuple[int, int]] | None]:
    """Per-month sums of `orders`, and the month rowid ranges when date-ordered."""
    bounds = month_bounds(conn)
    if bounds is None:
        return {}, None
    months = list(range(bounds[0], bounds[1] + 1))
    # newest first: the months a dashboard shows are ready soonest
    items = [(m, (0, -1)) for m in reversed(months)]
    lock = threading.Lock()
    finished = [0]

    def done(_idx: int) -> None:
        with lock:
            finished[0] += 1
            n = finished[0]
        if progress:
            progress(min(1.0, n / len(items)), f"summing orders: {min(n, len(items))}/{len(items)} months")

    # a view or a WITHOUT ROWID table has no rowid ranges: one query per month
    if has_rowid(conn, "orders"):
        ranges = _month_ranges(conn, months)
        try:
            return _parallel(open_conn, _scan_ranges, sorted(ranges.items(), reverse=True), done,
                             workers), ranges
        except _Unsorted:
            finished[0] = 0
    return _parallel(open_conn, _scan_months, items, done, workers), None


def orders_by_month(path: str | os.PathLike, conn: sqlite3.Connection,
                    open_conn: Callable[[], sqlite3.Connection],
                    progress: Progress | None = None) -> dict[int, OrdersMonth]:
    """The rollup for this version of the file: from the side file, or computed."""
    doc = _read_side(path)
    if doc is not None:
        return {int(k): OrdersMonth(*v) for k, v in doc["months"].items()}
    stamp = file_stamp(path)
    data, ranges = compute(conn, open_conn, progress)
    if file_stamp(path) == stamp:  # the file did not change under us
        _write_side(path, {
            "version": ROLLUP_VERSION, "path": str(Path(path).resolve()),
            "months": {str(k): [v.amount, v.profit, v.amount_with_profit, v.recurring, v.count]
                       for k, v in data.items()},
            "ranges": None if ranges is None else {str(k): list(v) for k, v in ranges.items()},
            "types": {}}, stamp)
    return data


def orders_by_type(path: str | os.PathLike, conn: sqlite3.Connection,
                   months: list[int]) -> dict[int, tuple[TypeRow, ...]]:
    """Per-month sums by order type (drill-downs), cached in the same side file."""
    stamp = file_stamp(path)
    doc = _read_side(path)
    valid = doc is not None
    cached = doc.get("types", {}) if valid else {}
    ranges = doc.get("ranges") if valid else None
    out: dict[int, tuple[TypeRow, ...]] = {}
    todo = []
    for m in months:
        if str(m) in cached:
            out[m] = tuple(tuple(t) for t in cached[str(m)])
        else:
            todo.append(m)
    for m in todo:
        if ranges is not None and str(m) in ranges:
            rows = conn.execute(_TYPES_SQL.format(where="rowid BETWEEN ? AND ?"),
                                tuple(ranges[str(m)])).fetchall()
        else:
            rows = conn.execute(_TYPES_SQL.format(where="order_date >= ? AND order_date < ?"),
                                (mo.first_day(m), mo.first_day(m + 1))).fetchall()
        out[m] = tuple((t, float(a), float(p), float(ap), int(n)) for t, a, p, ap, n in rows)
    if todo and valid and file_stamp(path) == stamp:
        doc.setdefault("types", {}).update({str(m): [list(t) for t in out[m]] for m in todo})
        _write_side(path, doc, stamp)
    return out
