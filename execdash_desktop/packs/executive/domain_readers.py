"""Readers behind the seed web client's domain pages (api-contract.md), beside breakdowns.py.

Monthly counts and stocks over a window (page visits, new customers, feedback
scores, the funnel on each month's last day) and the breakdowns by a
dimension (orders by customer, industry or source; visits by page; devices
with a fault by fault or device type). Each raises TableUnreadable for a table
it cannot read; the caller turns that into a null value and a note.
"""

from __future__ import annotations

import sqlite3

from ... import months as mo
from ...errors import TableMissing
from ...months import Window
from ...store import db_path, select, table_names
from . import breakdowns as bd
from .source import to_float

NONE_NAME = "(none)"  # a group whose name is missing: a string, never null, on the wire


def _bounds(w: Window) -> tuple[str, str]:
    return mo.first_day(w.start), mo.first_day(w.end + 1)


def _by_month(rows) -> dict[int, tuple]:
    out: dict[int, tuple] = {}
    for period, *vals in rows:
        idx = mo.parse_month(period)
        if idx is not None:
            out[idx] = tuple(vals)
    return out


def visits_by_month(conn: sqlite3.Connection, w: Window) -> dict[int, int]:
    """page_visits rows per month of W (months with none are absent)."""
    rows = select(conn, "page_visits", "SELECT substr(visit_date, 1, 7) AS m, count(*) FROM page_visits "
                  "WHERE visit_date >= ? AND visit_date < ? GROUP BY m", _bounds(w))
    return {m: int(v[0]) for m, v in _by_month(rows).items()}


def new_customers_by_month(conn: sqlite3.Connection, w: Window) -> dict[int, int]:
    """customers created per month of W."""
    rows = select(conn, "customers", "SELECT substr(created_at, 1, 7) AS m, count(*) FROM customers "
                  "WHERE created_at >= ? AND created_at < ? GROUP BY m", _bounds(w))
    return {m: int(v[0]) for m, v in _by_month(rows).items()}


def scores_by_month(conn: sqlite3.Connection, w: Window) -> dict[int, tuple[int, int, int, int]]:
    """feedback_scores per month of W: (responses, scored 5, scored 4, scored 1-3)."""
    rows = select(conn, "feedback_scores",
                  "SELECT substr(created_at, 1, 7) AS m, count(*), sum(score >= 4.5), "
                  "sum(score >= 3.5 AND score < 4.5), sum(score < 3.5) FROM feedback_scores "
                  "WHERE created_at >= ? AND created_at < ? AND score IS NOT NULL GROUP BY m", _bounds(w))
    return {m: tuple(int(x or 0) for x in v) for m, v in _by_month(rows).items()}


def funnel_by_month(conn: sqlite3.Connection, w: Window) -> dict[int, dict[str, float | None]]:
    """{stage: value} on each month's last day with a row (stages are stocks: never summed)."""
    out: dict[int, dict] = {}
    for day, vals in bd.funnel_by_day(conn, w):  # oldest first: the month keeps its last day
        out[mo.parse_month(day)] = vals
    return out


# -- breakdowns -----------------------------------------------------------------------
ORDER_DIMENSIONS = {"customer": "c.name", "industry": "c.industry", "source": "c.source"}


def orders_by(conn: sqlite3.Connection, dimension: str, w: Window, recurring_only: bool = False
              ) -> list[tuple[str, float, float, int]]:
    """(name, amount, profit, orders) of orders dated in W by a customer dimension, largest first.

    Orders without a customer (or a customer without the field) group as "(none)".
    """
    col = ORDER_DIMENSIONS[dimension]  # a constant, never input
    if "customers" not in table_names(conn):  # name the joined table, not orders
        raise TableMissing(db_path(conn), "customers")
    where = " AND o.type IN ('subscription', 'recurring')" if recurring_only else ""
    rows = select(conn, "orders",
                  f"SELECT {col} AS g, sum(o.amount), sum(o.profit), count(*) FROM orders o "
                  f"LEFT JOIN customers c ON c.id = o.customer_id "
                  f"WHERE o.order_date >= ? AND o.order_date < ?{where} GROUP BY g", _bounds(w))
    acc: dict[str, list] = {}
    for g, amount, profit, n in rows:
        a = acc.setdefault(NONE_NAME if g is None or str(g).strip() == "" else str(g), [0.0, 0.0, 0])
        a[0] += to_float(amount) or 0.0
        a[1] += to_float(profit) or 0.0
        a[2] += int(n)
    return sorted(((k, a[0], a[1], a[2]) for k, a in acc.items()), key=lambda r: (-r[1], r[0]))


def customers_by_source(conn: sqlite3.Connection, w: Window, dimension: str = "source"
                        ) -> list[tuple[str, int]]:
    """(source or industry, customers created in W), most first."""
    col = {"source": "source", "industry": "industry", "customer": "name"}[dimension]
    rows = select(conn, "customers", f"SELECT {col} AS g, count(*) AS n FROM customers "
                  "WHERE created_at >= ? AND created_at < ? GROUP BY g", _bounds(w))
    return _counted(rows)


def visits_by_page(conn: sqlite3.Connection, w: Window) -> list[tuple[str, int]]:
    rows = select(conn, "page_visits", "SELECT page_name, count(*) FROM page_visits "
                  "WHERE visit_date >= ? AND visit_date < ? GROUP BY page_name", _bounds(w))
    return _counted(rows)


SCORE_BUCKETS = ("promoter (5)", "passive (4)", "detractor (1-3)")


def scores_by_bucket(conn: sqlite3.Connection, w: Window) -> list[tuple[str, int]]:
    n, five, four, low = (0, 0, 0, 0)
    for v in scores_by_month(conn, w).values():
        n, five, four, low = n + v[0], five + v[1], four + v[2], low + v[3]
    return [(b, c) for b, c in zip(SCORE_BUCKETS, (five, four, low)) if n]


def faulty_devices_by(conn: sqlite3.Connection, dimension: str) -> list[tuple[str, int]]:
    """(fault type or device type, devices with a recorded fault), most first (the table has no date)."""
    col = {"fault_type": "fault_type", "device_type": "type"}[dimension]
    rows = select(conn, "devices", f"SELECT {col} AS g, count(*) FROM devices "
                  "WHERE fault_type IS NOT NULL AND trim(fault_type) <> '' GROUP BY g")
    return _counted(rows)


def _counted(rows) -> list[tuple[str, int]]:
    acc: dict[str, int] = {}
    for g, n in rows:
        name = NONE_NAME if g is None or str(g).strip() == "" else str(g)
        acc[name] = acc.get(name, 0) + int(n)
    return sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))
