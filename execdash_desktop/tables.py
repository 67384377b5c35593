"""What a drill-down shows, for every dashboard: titled tables, a chart, notes; CSV out.

Also `PagedQuery`, the shape of a query a lazy table model pages through
(a bug table of a million rows asks for the rows it shows, never all).
"""

from __future__ import annotations

import csv
import io
import math
import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

from .anomalies import Anomaly


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    formats: tuple[str, ...]  # per column: text|date|period|currency|ratio|number|int|months|multiple|hours|days
    # a day-by-day table's values: "level" (a balance: a month reads as its last day) or
    # "flow" (a day's sales: a month's last day would mislead, so paper shows the latest days)
    daily: str = "level"


@dataclass(frozen=True)
class Drilldown:
    key: str
    title: str
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = ()
    chart: Table | None = None  # first column period, the others numeric series
    anomalies: tuple[Anomaly, ...] = ()  # the chart's unusual months (anomalies.py), by column then period


def to_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    # an empty cell, never "nan" or "inf" (sums of values near 1e308 overflow)
    writer.writerows([("" if isinstance(v, float) and not math.isfinite(v) else v for v in row)
                      for row in table.rows])
    return buf.getvalue()


def column_key(label: str) -> str:
    """'Turns per year' -> 'turns_per_year' (the catalogue's key for its columns)."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


@dataclass(frozen=True)
class Page:
    """Rows `offset`.. of a paged query, with the total the filters match."""

    columns: tuple[str, ...]
    formats: tuple[str, ...]
    rows: tuple[tuple, ...]
    offset: int
    total: int


class PagedQuery(Protocol):
    """A filtered, sorted query a lazy model pages through (run on a worker thread).

    `filters` maps a filter name (as `choices` lists them, plus "search") to a
    value; an empty or missing value does not filter.
    """

    columns: tuple[str, ...]
    formats: tuple[str, ...]

    def choices(self, conn: sqlite3.Connection) -> Mapping[str, Sequence[str]]: ...

    def count(self, conn: sqlite3.Connection, filters: Mapping[str, Any]) -> int: ...

    def page(self, conn: sqlite3.Connection, filters: Mapping[str, Any], offset: int, limit: int) -> Page: ...
