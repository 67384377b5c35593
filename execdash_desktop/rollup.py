"""The monthly rollup of `orders`, kept in the user cache folder, never in the user's file.

Summing 10M order rows takes seconds; the KPIs need only per-month sums. They
are computed once per version of the file, each row read once whatever the row
order (order_sums.py), in the payload's own read transaction, and kept as
`<key>.json`, valid while `<key>.stamp` matches the file's stamp (`file_stamp`:
size, times and SQLite's own change markers). The app's own metric writes
re-stamp it (`note_own_write`), since they never touch `orders`.

A number that cannot be read (text such as 'n/a', a value too large to be
finite) is skipped and counted, never summed as 0; an `order_date` held as an
integer is Unix seconds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import months as mo
from . import order_sums
from .paths import file_key, user_cache_dir

ROLLUP_VERSION = 4
Progress = Callable[[float, str], None]

RECURRING_TYPES = ("subscription", "recurring")

_A, _P = order_sums.NUMBER_A, order_sums.NUMBER_P

# the drill-downs' per-type sums of one month: its text dates, then its Unix-second dates (both indexed)
_TYPES_SQL = f"""
SELECT type, total(a), total(CASE WHEN a IS NOT NULL THEN p END),
       total(CASE WHEN p IS NOT NULL THEN a END), count(*)
FROM (SELECT type, {_A} AS a, {_P} AS p FROM orders WHERE order_date >= ? AND order_date < ?
      UNION ALL
      SELECT type, {_A} AS a, {_P} AS p FROM orders WHERE order_date >= ? AND order_date < ?)
GROUP BY type
"""


@dataclass(frozen=True)
class OrdersMonth:
    amount: float
    profit: float
    amount_with_profit: float  # the gm denominator: amount of rows that have a profit
    recurring: float  # subscription + recurring amount (ARR)
    count: int
    bad_amount: int = 0  # rows whose amount is not a readable number (left out of every sum)
    bad_profit: int = 0  # rows with a readable amount whose profit is not (left out of gm)


@dataclass(frozen=True)
class OrdersRollup:
    months: dict[int, OrdersMonth]
    undated: int  # rows whose order_date reads as no month (skipped)


TypeRow = tuple  # (type, amount, profit, amount_with_profit, count)


# -- knowing the version of the file --------------------------------------------------

def _header(path: str, size: int) -> list:
    """What SQLite changes in a file on a commit: the db header's change counter (rollback
    journal), the WAL header's checkpoint sequence and salts (a WAL restarted in place)."""
    try:
        with open(path, "rb") as f:
            head = f.read(size)
    except OSError:
        return []
    return list(head[24:28] if size == 100 else head[12:24])


def file_stamp(path: str | os.PathLike) -> list[list]:
    """The file's version: (size, mtime, ctime, SQLite change markers) of the file and its -wal.

    Any committed change shows: a commit in rollback mode bumps the header's
    change counter; in WAL mode it grows the -wal or restarts it with new
    salts; and every write to the file sets its ctime, which `touch -r`
    cannot restore (a checkpoint of a same-size WAL edit shows only there).
    An empty -wal holds no data (readers create one, the last close deletes
    it), so it stamps the same as none.
    """
    out = []
    db = os.fspath(path)
    for p, head in ((db, 100), (f"{db}-wal", 32)):  # os.stat: called per metrics write
        try:
            st = os.stat(p)
        except FileNotFoundError:
            out.append([0, 0])
            continue
        if not st.st_size:
            out.append([0, 0])
            continue
        # the db's ctime, not the -wal's: SQLite re-owns a -wal as a reader opens it (as root)
        ctime = st.st_ctime_ns if head == 100 else 0
        out.append([st.st_size, st.st_mtime_ns, ctime, *_header(p, head)])
    return out


# -- the side file ------------------------------------------------------------------

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


_STAMP_WIDTH = 240  # a stamp is ~150 characters of JSON; the file is always this wide


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


def _read_side(path, stamp: list) -> dict | None:
    """The rollup document if it is valid for the file at `stamp`."""
    try:
        doc_path, stamp_path = _side_paths(path)
        if json.loads(stamp_path.read_text("utf-8")) != stamp:
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

    `stamp_after` (default: the file as it is now) is what the write left; the
    caller proves nobody else committed between the two stamps.
    """
    try:
        _, stamp_path = _side_paths(path)
        if json.loads(stamp_path.read_text("utf-8")) != stamp_before:
            return
    except (OSError, ValueError):
        return
    _write_stamp(stamp_path, stamp_after or file_stamp(path))


# -- computing ------------------------------------------------------------------------

def _month_epoch(idx: int) -> int:
    """Unix seconds at the start of month `idx` (UTC), for integer order dates.

    Counted from days, not datetime: the month after 9999-12 must have a start too."""
    year, month = idx // 12, idx % 12 + 1
    # days from 1970-01-01 to the 1st of the month (proleptic Gregorian, any year >= 1)
    y, m = (year, month) if month > 2 else (year - 1, month + 12)
    days = 365 * y + y // 4 - y // 100 + y // 400 + (153 * (m - 3) + 2) // 5 - 719468
    return days * 86400


# VM steps per order row of the month sums, measured: only scales the progress estimate
_STEPS_PER_ROW = 30


def has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    """A plain table: not a view, not WITHOUT ROWID (whose rowid does not exist)."""
    row = conn.execute("SELECT type, sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    if row is None or row[0] != "table":
        return False
    return "WITHOUT ROWID" not in " ".join(str(row[1] or "").upper().split())


def _row_estimate(conn: sqlite3.Connection) -> int:
    """About how many orders (two rowid lookups; a view or WITHOUT ROWID table: a guess)."""
    if not has_rowid(conn, "orders"):
        return 1_000_000
    lo, hi = conn.execute("SELECT (SELECT min(rowid) FROM orders), (SELECT max(rowid) FROM orders)").fetchone()
    return 0 if lo is None else hi - lo + 1


def compute(conn: sqlite3.Connection, progress: Progress | None = None) -> OrdersRollup:
    """Per-month sums of `orders` as `conn`'s read transaction sees the file.

    Every row is read once, on one connection, in one read transaction (the
    payload's; one of its own when `conn` is in none): a read split over two
    connections or transactions saw two versions under a writer in a loop.
    How the months are found is order_sums' business (an index walk, or one
    sorted pass); only a month whose numbers are not all plain is summed again.
    """
    rows = _row_estimate(conn)
    est = max(1, rows * _STEPS_PER_ROW // 50_000)
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        if progress is not None:
            progress(min(0.99, ticks[0] / est), "summing orders")
        return 0

    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    conn.set_progress_handler(tick, 50_000)
    try:
        months, undated, _how = order_sums.month_sums(conn)
    finally:
        conn.set_progress_handler(None, 0)
        if began and conn.in_transaction:
            conn.execute("COMMIT")
    if progress is not None:
        progress(1.0, "summing orders")
    return OrdersRollup({k: OrdersMonth(float(a), float(p), float(ap), float(r), int(n), int(ba), int(bp))
                         for k, (a, p, ap, r, n, ba, bp) in months.items()}, undated)


def _to_doc(path, data: OrdersRollup) -> dict:
    return {"version": ROLLUP_VERSION, "path": str(Path(path).resolve()),
            "months": {str(k): [v.amount, v.profit, v.amount_with_profit, v.recurring, v.count,
                                v.bad_amount, v.bad_profit] for k, v in data.months.items()},
            "undated": data.undated, "types": {}}


def orders_by_month(path: str | os.PathLike, conn: sqlite3.Connection,
                    progress: Progress | None = None, stamp: list | None = None) -> OrdersRollup:
    """The rollup as `conn` sees the file: from the side file, or computed.

    `conn` is in the caller's read transaction; `stamp` was taken before it
    began. The side file is used, and written, only when the
    file's stamp is the same now: nothing was committed since, so the side
    file and the transaction hold the same version of the file.
    """
    stamp = stamp if stamp is not None else file_stamp(path)
    doc = _read_side(path, stamp)
    if doc is not None and file_stamp(path) == stamp:
        return OrdersRollup({int(k): OrdersMonth(*v) for k, v in doc["months"].items()},
                            int(doc.get("undated", 0)))
    data = compute(conn, progress)
    if file_stamp(path) == stamp:  # the file did not change under us
        _write_side(path, _to_doc(path, data), stamp)
    return data


def orders_by_type(path: str | os.PathLike, conn: sqlite3.Connection,
                   months: list[int]) -> dict[int, tuple[TypeRow, ...]]:
    """Per-month sums by order type (drill-downs), cached in the same side file."""
    stamp = file_stamp(path)
    doc = _read_side(path, stamp)
    valid = doc is not None
    cached = doc.get("types", {}) if valid else {}
    out: dict[int, tuple[TypeRow, ...]] = {}
    todo = []
    for m in months:
        if str(m) in cached:
            out[m] = tuple(tuple(t) for t in cached[str(m)])
        else:
            todo.append(m)
    for m in todo:
        # text dates of the month sort in [YYYY-MM, YYYY-MM~); numbers sort before any text
        text = mo.fmt_month(m)
        rows = conn.execute(_TYPES_SQL, (text, text + "~", _month_epoch(m), _month_epoch(m + 1))).fetchall()
        out[m] = tuple((t, float(a), float(p), float(ap), int(n)) for t, a, p, ap, n in rows)
    if todo and valid and file_stamp(path) == stamp:
        doc.setdefault("types", {}).update({str(m): [list(t) for t in out[m]] for m in todo})
        _write_side(path, doc, stamp)
    return out
