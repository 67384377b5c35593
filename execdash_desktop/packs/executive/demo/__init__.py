"""The deterministic demo data generator: a coherent executive data file.

`generate(path, end="2026-10", months=24, orders=100_000, seed=7)` writes a
SQLite file with every table of the seed-000 schema filled (except the app's
own `user_events` / `user_event_meta`, left empty). The same arguments and
seed give byte-for-byte the same data: nothing reads the clock except the
default `end` (the month before today's), and every date derives from `end`.

The story the data tells (tests rely on it):
- monthly revenue follows a curve that does not depend on the order count
  (about 1.5-3 M a month, +2%/month, Q4 high, summer dip); each month's
  `revenue_trend.recognized` is the exact sum of that month's `orders.amount`;
- the backlog spikes 2 months before `end`, uptime dips the month before
  `end`, and the alerts name both (with the numbers of the file).

Built for size: 10 M orders in well under 3 minutes and a few hundred MB of
memory. The file is written under a temporary name in the same folder and
moved into place only when complete. No Qt, no pandas: numpy and sqlite3.

This module holds the public `generate`, the argument checks, the order in
which the tables are built and the atomic write. The tables themselves:
timeline.py (calendar, random streams), customers.py, orders.py (the revenue
curve and the orders), monthly.py (the monthly series), narrative.py (alerts,
risks), daily.py (products, expenses, feedback, visits).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Callable

import numpy as np

from ....errors import DataFileError
from ....store import DEMO_APPLICATION_ID, SCHEMA_VERSION, create_schema, schema_sql
from . import customers, daily, monthly, narrative, orders  # `orders` the module; _build's count is n_orders
from .timeline import Calendar, month_index, period

__all__ = ["generate"]

ProgressFn = Callable[[float, str], None]

_END_RE = re.compile(r"^(\d{4})-(\d{2})$")
_MAX_MONTHS = 600


# Validation -----------------------------------------------------------------
def _default_end(today: _dt.date | None = None) -> str:
    today = today or _dt.date.today()
    return period(month_index(today.year, today.month) - 1)


def _is_int(x: object) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _validate(path, end, months, orders, seed) -> tuple[Path, int]:
    if end is None:
        end = _default_end()
    if not isinstance(end, str) or not _END_RE.match(end):
        raise DataFileError(f"invalid end {end!r}: expected a month as YYYY-MM")
    year, month = (int(p) for p in end.split("-"))
    if not (1 <= month <= 12) or not (1900 <= year <= 9999):
        raise DataFileError(f"invalid end {end!r}: expected a month as YYYY-MM (1900-01 to 9999-12)")
    end_ym = month_index(year, month)
    if not _is_int(months) or not (1 <= months <= _MAX_MONTHS):
        raise DataFileError(f"invalid months {months!r}: expected an integer from 1 to {_MAX_MONTHS}")
    if end_ym - (months - 1) - 12 < month_index(1900, 1):
        raise DataFileError(f"invalid months {months!r}: history would start before 1901 (end {end})")
    if not _is_int(orders) or orders < months:
        raise DataFileError(
            f"invalid orders {orders!r}: expected an integer >= months ({months}), "
            "at least one order a month"
        )
    if not _is_int(seed) or seed < 0:
        raise DataFileError(f"invalid seed {seed!r}: expected an integer >= 0")
    p = Path(os.fspath(path)).expanduser()
    if p.is_dir():
        raise DataFileError(f"{p}: is a folder, not a data file")
    if not p.parent.is_dir():
        raise DataFileError(f"{p}: folder {p.parent} does not exist")
    return p, end_ym


# The build --------------------------------------------------------------------
def _build(conn: sqlite3.Connection, *, seed: int, end_ym: int, months: int, n_orders: int,
           progress: ProgressFn) -> None:
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-65536")        # 64 MB
    create_schema(conn)
    # the two orders indexes are built after the bulk insert (much faster)
    conn.execute("DROP INDEX IF EXISTS idx_orders_order_date")
    conn.execute("DROP INDEX IF EXISTS idx_orders_customer_id")
    conn.execute("PRAGMA foreign_keys=OFF")         # the generator keeps references valid

    cal = Calendar(end_ym - (months - 1), months)
    curve = orders.revenue_curve(seed, cal)
    conn.execute("BEGIN")
    progress(0.01, "customers")
    avail = customers.insert(conn, seed, cal)
    names = [row[0] for row in conn.execute("SELECT name FROM customers ORDER BY id")]
    conn.execute("COMMIT")

    # orders: 2% .. 85% of the progress bar
    def order_progress(frac: float, msg: str) -> None:
        progress(0.02 + 0.83 * frac, msg)

    conn.execute("BEGIN")
    tot = orders.insert(conn, seed, cal, n_orders, curve, avail, order_progress)
    conn.execute("COMMIT")

    # The call order below is fixed: each table has its own random stream, but
    # alerts quote what revenue_trend, ops and supply return.
    progress(0.86, "monthly tables")
    conn.execute("BEGIN")
    rev = monthly.revenue_trend(conn, seed, cal, tot)
    ops = monthly.ops(conn, seed, cal)
    supply = monthly.supply(conn, seed, cal, tot)
    monthly.telemetry(conn, seed, cal)
    monthly.pipeline(conn, seed, cal, curve)
    monthly.retention(conn, seed, cal, names)
    narrative.executive(conn, seed, cal, end_ym)
    narrative.alerts(conn, seed, cal, end_ym, rev, ops, supply)
    narrative.risks(conn, seed, end_ym)
    progress(0.88, "daily tables")
    daily.products(conn, seed, cal, tot)
    daily.expenses(conn, seed, cal, tot)
    daily.fleet_and_feedback(conn, seed, cal, customers.N_CUSTOMERS)
    daily.page_visits(conn, seed, cal)
    conn.execute("COMMIT")

    # the orders indexes of the schema, one at a time (the slow step), then the
    # whole schema script again: all IF NOT EXISTS, so it adds nothing else
    ddl = [s for s in schema_sql().split(";") if "CREATE INDEX" in s and " ON orders(" in s]
    for i, stmt in enumerate(ddl):
        progress(0.90 + 0.08 * i / max(1, len(ddl)), "indexes")
        conn.execute(stmt)
    create_schema(conn)
    progress(0.98, "analyze")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")


# The atomic write -------------------------------------------------------------
def _new_temp(p: Path) -> str:
    """An empty, new file beside `p` (mode 0666 less the umask, like any new file)."""
    for _ in range(100):
        tmp = str(p.parent / f".{p.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise DataFileError(f"{p}: cannot write in {p.parent} ({exc.strerror})") from exc
        os.close(fd)
        return tmp
    raise DataFileError(f"{p}: cannot create a temporary file in {p.parent}")


def _remove(path: str) -> None:
    for p in (path, path + "-journal", path + "-wal", path + "-shm"):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def generate(path, *, end: str | None = None, months: int = 24, orders: int = 100_000,
             seed: int = 7, force: bool = False, progress: ProgressFn | None = None) -> dict:
    """Write a demo data file at `path`; return {path, months, orders, end, seconds, ...}.

    `end` is the last month of data ("YYYY-MM"; default: the month before
    today's). Raises DataFileError (one line) if `path` exists and `force` is
    False, or if end/months/orders/seed are invalid. The file is built under a
    temporary name in the same folder and moved into place when complete.
    """
    t0 = time.perf_counter()
    if end is None:
        end = _default_end()
    p, end_ym = _validate(path, end, months, orders, seed)
    if (p.exists() or p.is_symlink()) and not force:
        raise DataFileError(f"{p}: already exists; pass --force to replace it")
    report: ProgressFn = progress if progress is not None else (lambda f, m: None)

    tmp = _new_temp(p)
    conn = None
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        _build(conn, seed=int(seed), end_ym=end_ym, months=int(months), n_orders=int(orders),
               progress=report)
        conn.execute(f"PRAGMA application_id={DEMO_APPLICATION_ID}")  # the window and pack say "Demo data"
        conn.close()                                  # checkpoints; no -wal left behind
        conn = None
        _fsync_file(tmp)
        if p.exists() and not force:                  # appeared while we were writing
            raise DataFileError(f"{p}: already exists; pass --force to replace it")
        # a stale -wal/-shm of the replaced file would be replayed onto the new one
        for side in ("-wal", "-shm", "-journal"):
            try:
                os.remove(str(p) + side)
            except FileNotFoundError:
                pass
        os.replace(tmp, p)
        _fsync_dir(p.parent)
    except BaseException as exc:
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        _remove(tmp)
        if isinstance(exc, sqlite3.Error):  # a full disk, a file size limit: one line
            raise DataFileError(f"{p}: cannot write the demo file ({exc}); nothing was left behind") from exc
        if isinstance(exc, OSError) and not isinstance(exc, DataFileError):
            raise DataFileError(f"{p}: cannot write the demo file ({exc.strerror or exc})") from exc
        raise
    seconds = round(time.perf_counter() - t0, 2)
    report(1.0, "done")
    return {"path": str(p), "months": int(months), "orders": int(orders), "end": end,
            "start": period(end_ym - (int(months) - 1)), "seed": int(seed),
            "schema_version": SCHEMA_VERSION, "seconds": seconds}
