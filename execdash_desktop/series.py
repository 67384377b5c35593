"""Monthly series of `period`-keyed tables, defined once for the window and the API.

A `Series` is one `period`-keyed table: its SQL columns (constants, never
input), the API's keys and labels, each column's format and converter (rates
per kpi-definitions.md "Rates"), and how months make a quarter or the window.
`read_monthly` is the one query behind both the drill-down tables and the
/api/{group}/{metric} routes, so they show the same number.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Callable, NamedTuple

from . import months as mo
from .months import Window
from .store import select
from .values import to_float


@dataclass(frozen=True)
class Col:
    column: str  # SQL column
    key: str  # API key
    label: str
    fmt: str  # ratio | number | int | currency | hours | days (format.format_cell)
    convert: Callable[[object], float | None] = to_float


@dataclass(frozen=True)
class Series:
    title: str
    table: str
    cols: tuple[Col, ...]
    agg: str = "mean"  # months -> quarter or window: "mean" (day-weighted) | "last"


class Monthly(NamedTuple):
    rows: tuple[tuple[int, tuple], ...]  # (month index, values in `cols` order), oldest first
    skipped: int  # rows read but unreadable, a second row for a month, or outside W


def read_monthly(conn: sqlite3.Connection, spec: Series, w: Window) -> Monthly:
    """The series' rows inside W, one per month (the last by period wins, as for the KPIs).

    A period may be `YYYY-MM`, a date or a timestamp (text order keeps them in
    their month). Raises TableUnreadable (TableMissing when the table is
    missing): each caller decides what that means.
    """
    cols = ", ".join(c.column for c in spec.cols)
    raw = select(conn, spec.table, f"SELECT period, {cols} FROM {spec.table} "
                 "WHERE period >= ? AND period < ? ORDER BY period",
                 (mo.fmt_month(w.start), mo.fmt_month(w.end + 1)))
    by_month: dict[int, tuple] = {}
    for r in raw:
        idx = mo.parse_month(r[0])
        if idx is None or idx not in w:
            continue
        by_month[idx] = tuple(c.convert(v) for c, v in zip(spec.cols, r[1:]))
    return Monthly(tuple(sorted(by_month.items())), len(raw) - len(by_month))


def aggregate(rows, spec: Series) -> tuple:
    """One value per column over `rows` (month, values), by the series' `agg`; None if no value."""
    out = []
    for i in range(len(spec.cols)):
        vals = [(m, v[i]) for m, v in rows if v[i] is not None]
        if not vals:
            out.append(None)
        elif spec.agg == "last":
            out.append(vals[-1][1])
        else:
            days = [mo.days_in_month(m) for m, _ in vals]
            out.append(sum(d * v for d, (_, v) in zip(days, vals)) / sum(days))
    return tuple(out)


def by_quarter(rows, spec: Series, w: Window) -> list[tuple[int, tuple, bool]]:
    """(quarter's first month, aggregated values, partial) per quarter holding a row."""
    quarters: dict[int, list] = {}
    for m, vals in rows:
        quarters.setdefault(m - m % 3, []).append((m, vals))
    return [(q, aggregate(items, spec), q < w.start or q + 2 > w.end) for q, items in quarters.items()]
