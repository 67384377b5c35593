"""The non-monthly tables of seed 000, read once for the window and the API.

Funnel, COGS, at-risk customers, top products, feedback: each reader returns
plain rows (numbers through `to_float`, rates through `ratio01`) and raises
TableUnreadable for a table it cannot read; the drill-downs turn that into a
note, the API into a 503 (or a note for an optional table).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ... import months as mo
from ...errors import TableMissing
from ...months import Window
from ...store import db_path, select, table_names
from ... import rollup
from .source import ExecSource, ratio01, to_float

STAGES = ("Leads", "MQL", "SQL", "Won")


def _bounds(w: Window) -> tuple[str, str]:
    return mo.first_day(w.start), mo.first_day(w.end + 1)


def _with_shares(rows: list[tuple], total=None) -> tuple[list[tuple], float]:
    """Each row plus its last column's share of `total` (default: the rows' sum)."""
    if total is None:
        total = sum(to_float(r[-1]) or 0.0 for r in rows)
    return [(*r, (to_float(r[-1]) or 0.0) / total if total else None) for r in rows], total


def funnel_now(conn: sqlite3.Connection) -> list[tuple[str, float | None]]:
    """pipeline_stages: (stage, value), Leads..Won first, other stages after."""
    rows = select(conn, "pipeline_stages", "SELECT stage_name, value FROM pipeline_stages")
    order = {s: i for i, s in enumerate(STAGES)}
    return [(s, to_float(v)) for s, v in sorted(rows, key=lambda r: order.get(r[0], len(STAGES)))]


def funnel_by_day(conn: sqlite3.Connection, w: Window) -> list[tuple[str, dict[str, float | None]]]:
    """(YYYY-MM-DD, {stage: value}) per day in W, oldest first.

    A stage's value is a stock, so a second row for the same day replaces the
    first (as the forecast reads it), never adds to it.
    """
    raw = select(conn, "pipeline_stages_daily",
                 "SELECT substr(period, 1, 10), stage_name, value FROM pipeline_stages_daily "
                 "WHERE period >= ? AND period < ? ORDER BY period", _bounds(w))
    days: dict[str, dict] = {}
    for day, stage, value in raw:
        if stage in STAGES and mo.parse_month(day) is not None:
            days.setdefault(day, {})[stage] = to_float(value)
    return list(days.items())


def cogs_breakdown(conn: sqlite3.Connection) -> tuple[list[tuple[str, float | None, float | None]], float]:
    """(component, cost, share), largest first, and the total cost."""
    rows = select(conn, "supply_cogs_breakdown",
                  "SELECT component, cost FROM supply_cogs_breakdown ORDER BY cost DESC, component")
    return _with_shares([(c, to_float(v)) for c, v in rows])


def at_risk(conn: sqlite3.Connection) -> list[tuple]:
    """(customer, mrr, risk 0-1, mrr x risk, reason), highest exposure first."""
    raw = select(conn, "retention_at_risk", "SELECT customer, mrr, risk, reason FROM retention_at_risk")
    rows = []
    for customer, mrr, risk, reason in raw:
        m, r = to_float(mrr), ratio01(risk)
        rows.append((customer, m, r, m * r if m is not None and r is not None else None, reason))
    rows.sort(key=lambda x: -(x[3] or 0.0))
    return rows


def orders_by_type(conn: sqlite3.Connection, src: ExecSource, w: Window) -> list[tuple]:
    """(type, amount, profit, amount with a profit, orders) summed over W, largest first.

    From the rollup's per-type sums (computed once per file version).
    """
    months = [m for m in w.months if m in src.orders]
    by_type = rollup.orders_by_type(src.path, conn, months) if months else {}
    acc: dict[str, list[float]] = {}
    for m in months:
        for t, amount, profit, amount_wp, n in by_type[m]:
            a = acc.setdefault(t if t is not None else "(none)", [0.0, 0.0, 0.0, 0])
            a[0] += amount
            a[1] += profit
            a[2] += amount_wp
            a[3] += n
    return [(t, a[0], a[1], a[2], int(a[3])) for t, a in sorted(acc.items(), key=lambda kv: -kv[1][0])]


@dataclass(frozen=True)
class TopProducts:
    table: str  # the table read
    rows: list[tuple[str, float | None, float | None]]  # name, revenue, share of all revenue
    total: float
    note: str | None


def top_products(conn: sqlite3.Connection, w: Window, limit: int) -> TopProducts:
    """Top products by revenue in W; without the daily table, all-time totals (said in `note`)."""
    have = table_names(conn)
    if "top_products_daily" in have:
        table, where, params, note = "top_products_daily", "WHERE period >= ? AND period < ?", _bounds(w), None
    elif "top_products" in have:
        table, where, params = "top_products", "", ()
        note = "no top_products_daily: all-time totals, not the window"
    else:
        raise TableMissing(db_path(conn), "top_products_daily")
    raw = select(conn, table, f"SELECT name, sum(revenue) AS r FROM {table} {where} "
                 "GROUP BY name ORDER BY r DESC, name LIMIT ?", (*params, limit))
    total = to_float(select(conn, table, f"SELECT sum(revenue) FROM {table} {where}", params)[0][0])
    rows, total = _with_shares([(n, to_float(r)) for n, r in raw], total or 0.0)
    return TopProducts(table, rows, total, note)


def feedback_by_type(conn: sqlite3.Connection, w: Window) -> tuple[list[tuple[str, int, float | None]], int]:
    """(type, count, share) of feedback created in W, most first, and the count."""
    raw = select(conn, "feedback", "SELECT type, count(*) AS n FROM feedback WHERE created_at >= ? "
                 "AND created_at < ? GROUP BY type ORDER BY n DESC, type", _bounds(w))
    return _with_shares(raw, sum(n for _, n in raw))


def feedback_scores(conn: sqlite3.Connection, w: Window) -> list[tuple[str, float | None, int]]:
    """(aspect, mean score, responses) for scores given in W."""
    raw = select(conn, "feedback_scores", "SELECT aspect, avg(score), count(*) FROM feedback_scores "
                 "WHERE created_at >= ? AND created_at < ? GROUP BY aspect ORDER BY aspect", _bounds(w))
    return [(a, to_float(s), n) for a, s, n in raw]


def product_feedback(conn: sqlite3.Connection, w: Window) -> list[tuple[str, str, int]]:
    """(category, type, count) of product feedback created in W, most first."""
    return select(conn, "product_feedback",
                  "SELECT category, type, count(*) AS n FROM product_feedback WHERE created_at >= ? "
                  "AND created_at < ? GROUP BY category, type ORDER BY n DESC, category, type", _bounds(w))
