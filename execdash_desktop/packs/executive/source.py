"""Read what the executive KPIs need from a data file into one monthly frame.

`load_source` runs every query (small monthly tables directly, `orders` via
the rollup) and returns an immutable `ExecSource`; everything after that is
pure Python over it (kpis.py, payload.py), so re-bucketing or re-windowing
never touches SQLite. A missing table or column becomes a reason, not an error,
unless none of the executive tables is there at all.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ... import months as mo
from ... import rollup
from ...months import Window
from ...errors import MissingTablesError
from . import EXECUTIVE
from ...store import is_demo, open_reader, reading_errors, table_columns, table_names, unreadable_reason
from ...values import ratio01, ratio_nrr, to_float  # noqa: F401  (re-exported)

# The tables the first screen reads; without the pack's required ones nothing can be served.
REQUIRED = EXECUTIVE.required
OPTIONAL = ("ops_uptime", "retention_nrr", "orders", "executive_kpis", "pipeline_stages",
            "pipeline_stages_daily", "pipeline_winrate", "alerts", "risks", "timeframe_window")

DEFAULT_CURRENCY = "£"


@dataclass(frozen=True)
class ExecSource:
    """Everything the executive payload is computed from, by month index."""

    path: str
    revenue: dict[int, tuple[float | None, float | None, float | None]]  # recognized, booked, backlog
    uptime: dict[int, float]
    nrr: dict[int, float]
    winrate: dict[int, float]
    orders: dict[int, rollup.OrdersMonth]
    orders_present: bool  # the table exists and has at least one row
    sql_daily: tuple[tuple[str, float], ...]  # (YYYY-MM-DD, SQL stage value), sorted
    sql_stage: float | None
    payback: tuple[float | None, float | None] | None  # value, delta
    currency: str
    alerts: tuple[dict, ...]
    risks: tuple[dict, ...]
    pinned: dict[str, tuple[int, int]]  # timeframe_window rows by range
    reasons: dict[str, str] = field(default_factory=dict)  # table -> why it is unusable
    skipped_rows: dict[str, int] = field(default_factory=dict)  # table -> unreadable rows
    notes: tuple[str, ...] = ()  # how the file was read, when that limits the numbers
    orders_undated: int = 0  # order rows whose order_date reads as no month (skipped)
    demo: bool = False  # written by the demo generator (store.is_demo)

    def skipped_for(self, key: str, w: Window) -> list[dict]:
        """Rows a KPI over W could not read: [{"rows": n, "why": "..."}] (tooltip, drill-down)."""
        out = []
        if key in ("gm", "arr"):
            months = list(w.months) if key == "gm" else [w.end]
            bad_amount = sum(o.bad_amount for m in months if (o := self.orders.get(m)))
            bad_profit = sum(o.bad_profit for m in months if (o := self.orders.get(m)))
            if bad_amount:
                out.append({"rows": bad_amount, "why": "an order amount that is not a number"})
            if bad_profit and key == "gm":
                out.append({"rows": bad_profit, "why": "an order profit that is not a number"})
            if self.orders_undated:
                out.append({"rows": self.orders_undated, "why": "an order date that is not a date"})
        else:
            table = SKIP_TABLE.get(key)
            if table and self.skipped_rows.get(table):
                out.append({"rows": self.skipped_rows[table],
                            "why": "a period or number that cannot be read"})
        return out


# the monthly table each KPI reads (its unreadable rows are the KPI's to mention)
SKIP_TABLE = {"revenue": "revenue_trend", "backlog": "revenue_trend", "book_to_bill": "revenue_trend",
              "coverage_months": "revenue_trend", "uptime": "ops_uptime", "nrr": "retention_nrr",
              "forecast": "pipeline_winrate"}



def _monthly(conn, table: str, cols: str, reasons: dict, skipped: dict,
             convert: Callable[[tuple], object]) -> dict[int, object]:
    out: dict[int, object] = {}
    try:
        # ordered, so a month given twice ('2025-03', '2025-03-31') reads the
        # later row here and in the drill-downs (series.read_monthly)
        rows = conn.execute(f"SELECT period, {cols} FROM {table} ORDER BY period").fetchall()
    except sqlite3.OperationalError as exc:
        reasons[table] = f"table {table}: {exc}"
        return out
    bad = 0
    for row in rows:
        idx = mo.parse_month(row[0])
        if idx is None:
            bad += 1
            continue
        value = convert(row[1:])
        if value is None:
            bad += 1
            continue
        out[idx] = value
    if bad:
        skipped[table] = bad
    return out


def _has(conn, tables: set[str], table: str, columns: tuple[str, ...], reasons: dict) -> bool:
    """The table is there with these columns; else its reason is recorded.

    A view whose own tables are gone fails on PRAGMA table_info: the caller's
    _guard reports it like a missing table."""
    if table not in tables:
        reasons[table] = f"table {table} is missing"
        return False
    missing = [c for c in columns if c not in table_columns(conn, table)]
    if missing:
        reasons[table] = f"table {table} has no column {', '.join(missing)}"
        return False
    return True


def _lock_error(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text or "disk I/O" in text


@contextmanager
def _guard(table: str, reasons: dict):
    """One table that cannot be read (a broken view, a damaged page) degrades
    only what it feeds, like a missing table; a locked file still fails whole."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if _lock_error(exc):
            raise
        reasons[table] = unreadable_reason(table, exc)


def _revenue_row(r: tuple):
    rec, booked, backlog = (to_float(v) for v in r)
    if rec is None and booked is None and backlog is None:
        return None
    return (rec, booked, backlog)


def load_source(path: str | Path, progress: rollup.Progress | None = None,
                conn: sqlite3.Connection | None = None) -> ExecSource:
    """Query a data file for the executive dashboard. Raises DataFileError.

    Every query runs in one read transaction: the payload is one version of
    the file, even while another process writes to it.
    """
    own = conn is None
    if conn is None:
        conn = open_reader(path)
    try:
        with reading_errors(path):
            stamp = rollup.file_stamp(path)
            began = not conn.in_transaction
            if began:
                conn.execute("BEGIN")
            try:
                return _load(conn, str(path), progress, stamp)
            finally:
                if began and conn.in_transaction:
                    conn.execute("COMMIT")
    finally:
        if own:
            conn.close()


def _load(conn: sqlite3.Connection, path: str, progress, stamp: list) -> ExecSource:
    tables = table_names(conn)
    missing = [t for t in REQUIRED if t not in tables]
    if missing:
        also = [t for t in OPTIONAL if t not in tables]
        raise MissingTablesError(path, missing + also)
    reasons: dict[str, str] = {}
    skipped: dict[str, int] = {}
    notes = [conn.note] if getattr(conn, "note", None) else []

    revenue = {}
    with _guard("revenue_trend", reasons):
        if _has(conn, tables, "revenue_trend", ("period", "recognized", "booked", "backlog"), reasons):
            revenue = _monthly(conn, "revenue_trend", "recognized, booked, backlog", reasons, skipped,
                               _revenue_row)
    uptime = {}
    with _guard("ops_uptime", reasons):
        if _has(conn, tables, "ops_uptime", ("period", "uptime"), reasons):
            uptime = _monthly(conn, "ops_uptime", "uptime", reasons, skipped, lambda r: ratio01(r[0]))
    nrr = {}
    with _guard("retention_nrr", reasons):
        if _has(conn, tables, "retention_nrr", ("period", "nrr"), reasons):
            nrr = _monthly(conn, "retention_nrr", "nrr", reasons, skipped, lambda r: ratio_nrr(r[0]))
    winrate = {}
    with _guard("pipeline_winrate", reasons):
        if _has(conn, tables, "pipeline_winrate", ("period", "win_rate_pct"), reasons):
            winrate = _monthly(conn, "pipeline_winrate", "win_rate_pct", reasons, skipped,
                               lambda r: ratio01(r[0]))

    orders: dict = {}
    orders_present = False
    undated = 0
    with _guard("orders", reasons):
        if _has(conn, tables, "orders", ("amount", "profit", "order_date", "type"), reasons):
            orders_present = conn.execute("SELECT 1 FROM orders LIMIT 1").fetchone() is not None
            if orders_present:
                rolled = rollup.orders_by_month(path, conn, progress, stamp=stamp)
                orders, undated = rolled.months, rolled.undated
                uncached = rollup.uncached_reason()
                if uncached:
                    notes.append(uncached)
                if not orders:  # rows, but none with a readable date: not a real zero
                    reasons["orders"] = "table orders has no order_date readable as YYYY-MM-DD"
                    orders_present = False
            else:
                reasons["orders"] = "table orders is empty"
    orders_present = orders_present and "orders" not in reasons

    sql_daily: tuple = ()
    with _guard("pipeline_stages_daily", reasons):
        if _has(conn, tables, "pipeline_stages_daily", ("period", "stage_name", "value"), reasons):
            rows = conn.execute(
                "SELECT substr(period, 1, 10), value FROM pipeline_stages_daily "
                "WHERE stage_name = 'SQL' AND value IS NOT NULL ORDER BY period").fetchall()
            sql_daily = tuple((d, f) for d, v in rows if (f := to_float(v)) is not None)
    sql_stage = None
    with _guard("pipeline_stages", reasons):
        if _has(conn, tables, "pipeline_stages", ("stage_name", "value"), reasons):
            row = conn.execute("SELECT value FROM pipeline_stages WHERE stage_name = 'SQL'").fetchone()
            sql_stage = to_float(row[0]) if row else None

    payback = None
    currency = DEFAULT_CURRENCY
    with _guard("executive_kpis", reasons):
        if _has(conn, tables, "executive_kpis", ("key", "value", "unit", "delta"), reasons):
            row = conn.execute("SELECT value, delta FROM executive_kpis WHERE key = 'payback'").fetchone()
            if row:
                payback = (to_float(row[0]), to_float(row[1]))
            row = conn.execute(
                "SELECT unit FROM executive_kpis WHERE key IN ('revenue', 'backlog', 'arr', 'forecast') "
                "AND unit IS NOT NULL AND trim(unit) <> '' ORDER BY key LIMIT 1").fetchone()
            if row:
                currency = str(row[0]).strip()

    alerts: tuple = ()
    with _guard("alerts", reasons):
        if _has(conn, tables, "alerts", ("id", "type", "title", "description", "severity", "created_at"),
                reasons):
            cur = conn.execute(
                "SELECT id, type, title, description, severity, created_at FROM alerts "
                "ORDER BY CASE lower(severity) WHEN 'high' THEN 0 WHEN 'medium' THEN 1 "
                "WHEN 'low' THEN 2 ELSE 3 END, created_at DESC, id DESC")
            alerts = tuple(dict(zip(("id", "type", "title", "description", "severity", "created_at"), r))
                           for r in cur)
    risks: tuple = ()
    with _guard("risks", reasons):
        if _has(conn, tables, "risks", ("id", "title", "owner", "due", "mitigation", "status"), reasons):
            cur = conn.execute(
                "SELECT id, title, owner, due, mitigation, coalesce(status, 'open') FROM risks "
                "WHERE lower(coalesce(status, 'open')) <> 'closed' "
                "ORDER BY nullif(trim(due), '') IS NULL, due, id")
            risks = tuple(dict(zip(("id", "title", "owner", "due", "mitigation", "status"), r))
                          for r in cur)

    pinned: dict[str, tuple[int, int]] = {}
    with _guard("timeframe_window", reasons):
        if "timeframe_window" in tables and _has(conn, tables, "timeframe_window",
                                                 ("range", "start_date", "end_date"), reasons):
            for rng, start, end in conn.execute(
                    "SELECT range, start_date, end_date FROM timeframe_window"):
                a, b = mo.parse_month(start), mo.parse_month(end)
                if rng in mo.RANGES and a is not None and b is not None and a <= b:
                    pinned[rng] = (a, b)

    return ExecSource(path=path, revenue=revenue, uptime=uptime, nrr=nrr, winrate=winrate,
                      orders=orders, orders_present=orders_present, orders_undated=undated, sql_daily=sql_daily,
                      sql_stage=sql_stage, payback=payback, currency=currency, alerts=alerts,
                      risks=risks, pinned=pinned, reasons=reasons, skipped_rows=skipped,
                      notes=tuple(notes), demo=is_demo(conn))
