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
from ...months import Window
from ...store import select
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
ORDER_DIMENSIONS = ("customer", "industry", "source")
OrderSums = dict  # customer_id (or None) -> [amount, profit, orders, subscription/recurring amount]


def orders_month_by_customer(conn: sqlite3.Connection, m: int) -> OrderSums:
    """One month's order sums per customer_id: the cube the breakdowns add up.

    Kept per file version by the caller, so each month is read once whatever
    the window, the dimension or the KPI asked for.
    """
    rows = select(conn, "orders",
                  "SELECT customer_id, sum(amount), sum(profit), count(*), "
                  "sum(CASE WHEN type IN ('subscription', 'recurring') THEN amount ELSE 0 END) FROM orders "
                  "WHERE order_date >= ? AND order_date < ? GROUP BY customer_id",
                  (mo.first_day(m), mo.first_day(m + 1)))
    return {cid: [to_float(a) or 0.0, to_float(p) or 0.0, int(n), to_float(r) or 0.0] for cid, a, p, n, r in rows}


def customer_dimensions(conn: sqlite3.Connection) -> dict[int, tuple[str, str, str]]:
    """customer id -> (name, industry, source), "(none)" where missing."""
    rows = select(conn, "customers", "SELECT id, name, industry, source FROM customers")
    return {i: tuple(display_name(v) for v in vals) for i, *vals in rows}


def display_name(v: object) -> str:
    """A group's name as the client shows it: never null, never empty."""
    return NONE_NAME if v is None or str(v).strip() == "" else str(v)


def orders_by(months: list[OrderSums], customers: dict[int, tuple[str, str, str]], dimension: str,
              recurring_only: bool = False) -> list[tuple[str, float, float, int]]:
    """(name, amount, profit, orders) summed over the months' cubes by a customer dimension,
    largest first. Orders without a known customer group as "(none)"."""
    i = ORDER_DIMENSIONS.index(dimension)
    acc: dict[str, list] = {}
    for cube in months:
        for cid, (amount, profit, n, recurring) in cube.items():
            dims = customers.get(cid)
            a = acc.setdefault(dims[i] if dims else NONE_NAME, [0.0, 0.0, 0])
            a[0] += recurring if recurring_only else amount
            a[1] += profit
            a[2] += n
    rows = [(k, a[0], a[1], a[2]) for k, a in acc.items() if not recurring_only or a[0]]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def customers_created_by(conn: sqlite3.Connection, w: Window, dimension: str = "source"
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
        name = display_name(g)
        acc[name] = acc.get(name, 0) + int(n)
    return sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))
