"""The frozen declarations a dashboard pack makes (see the package docstring).

Everything here is data plus a few callables; nothing reads a file at import
time, so listing the dashboards costs no query and imports no heavy module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

# How a KPI value reads (format.format_value knows each one).
FORMATS = ("currency", "ratio", "count", "months", "duration", "percent", "multiple")
POLARITIES = ("up", "down")  # which way is good
TIERS = ("card", "highlight")
# What the window asks a file for: a month (YYYY-MM) or a moment (date or timestamp).
AS_OF_KINDS = ("month", "timestamp")

Progress = Callable[[float, str], None]


def snake_case(name: str) -> str:
    """'bugNumber' -> 'bug_number', 'isBlocker' -> 'is_blocker', 'id' -> 'id'."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


@dataclass(frozen=True)
class KpiCard:
    """One KPI of a dashboard, as the window and the board pack show it.

    The payload entry with the same `key` (in `Dashboard.kpis_key`) holds the
    numbers: value, unit, delta, direction (and, for some, reason/history).
    """

    key: str
    label: str
    format: str  # one of FORMATS
    polarity: str  # "up": up is good; "down": down is good (colours the delta)
    tier: str = "card"  # "card" (the top row) or "highlight" (the smaller row)
    drilldown: str | None = None  # key in Dashboard.drilldowns opened by a click
    unit: str | None = None  # fixed unit ("h", "mo"); currency comes from the payload
    target: str | None = None  # shown on the card when set: "Target 250"
    compare: str | None = None  # what the delta compares with, when the card's own: "vs same days last month"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"KPI {self.key}: format {self.format!r} is not one of {FORMATS}")
        if self.polarity not in POLARITIES:
            raise ValueError(f"KPI {self.key}: polarity {self.polarity!r} is not up or down")
        if self.tier not in TIERS:
            raise ValueError(f"KPI {self.key}: tier {self.tier!r} is not card or highlight")


@dataclass(frozen=True)
class TrendSeries:
    key: str  # column of each trend row
    label: str
    format: str  # one of FORMATS (the axis)
    kind: str = "line"  # line | bar | area
    polarity: str = "up"


@dataclass(frozen=True)
class TrendSpec:
    """The dashboard's trend chart: rows `payload[payload_key]`, one per period."""

    payload_key: str  # "revenueTrend", "bugTrend"
    title: str
    series: tuple[TrendSeries, ...]
    period_key: str = "period"  # "YYYY-MM" or "YYYY-Qn"; a quarter row may carry partial: true


@dataclass(frozen=True)
class DrilldownEntry:
    """One drill-down of the catalogue: `Dashboard.drilldown(key, ...)` builds its tables."""

    key: str  # "finance/revenue", "bugs/critical"
    title: str  # "Finance › Revenue" (the tab's title)
    board_pack: bool = True  # may be chosen for a board pack


@dataclass(frozen=True)
class Panel:
    """A panel of the page besides the cards and the trend.

    `name` is what the window maps to a widget ("alerts", "risks",
    "bug_table", "portfolio_bubbles", "sla_breaches", "severity_mix",
    "audit_log"...). Its data is `payload[payload_key]` when that is set, else
    `query(conn, source, payload)` run on a worker thread (never the GUI one).
    """

    name: str
    title: str
    payload_key: str | None = None
    query: Callable[..., Any] | None = field(default=None, compare=False)
    # a generic panel the window draws from the declaration alone (ui/dashboard/panels/generic.py):
    # "table" | "progress" | "checks"; None: the window has a widget for `name`
    kind: str | None = None
    placement: str | None = None  # "side" | "wide" | "half" (generic panels; default "half")


@dataclass(frozen=True)
class BoardPackDefaults:
    drilldowns: tuple[str, ...]  # chosen when the user names none
    panels: tuple[str, ...] = ()  # panels printed on the dashboard page


@dataclass(frozen=True)
class Dashboard:
    """Everything the shell needs to show a dashboard; see the package docstring."""

    name: str  # "executive", "engineering": --dashboard, routes, settings keys
    title: str  # "Executive", "Engineering": the sidebar and window title
    required: tuple[str, ...]  # tables without which the first screen cannot be served
    optional: tuple[str, ...]  # tables read when present (a missing one is a note)
    schema: str  # SQL file in execdash_desktop.data creating the dashboard's tables
    kpis_key: str  # payload key of the KPI list: "executiveKpis", "engineeringKpis"
    kpis: tuple[KpiCard, ...]
    trend: TrendSpec
    drilldowns: tuple[DrilldownEntry, ...]
    panels: tuple[Panel, ...]
    board_pack: BoardPackDefaults
    as_of: str  # one of AS_OF_KINDS
    api_route: str  # "/api/executive-dashboard"
    # the callables (lazy: each imports its pack's modules on first call)
    load: Callable[[str, Progress | None], Any] = field(compare=False)  # (path, progress) -> source
    payload: Callable[..., dict] = field(compare=False)  # (source, range, granularity, as_of) -> dict
    rebucket: Callable[[dict, str], dict] = field(compare=False)  # (monthly payload, granularity)
    drilldown: Callable[..., Any] = field(compare=False)  # (key, conn, source, payload, sensitivity='normal') -> tables.Drilldown
    summary: Callable[..., Any] | None = field(default=None, compare=False)  # (conn, source, payload, sensitivity='normal') -> narrative.Summary
    demo: Callable[..., dict] | None = field(default=None, compare=False)  # (conn, seed=, end=, progress=, **size) -> facts (with "summary")
    demo_options: Mapping[str, str] = field(default_factory=dict)  # `execdash demo --OPTION N` -> demo keyword
    alert_drilldown: Callable[[dict], str] | None = field(default=None, compare=False)
    as_of_options: Callable[[Any], list[str]] | None = field(default=None, compare=False)  # (source) -> picker values
    # (source, range, as_of) -> the polled alerts known at that as-of month (else all the source's alerts)
    alerts_at: Callable[[Any, str, str | None], list[dict]] | None = field(default=None, compare=False)
    text: Callable[[dict], str] | None = field(default=None, compare=False)  # payload -> terminal text (else format.dashboard_text)
    # snapshot mapping: a source database's table names -> this dashboard's (PostgreSQL "Bug" -> "bugs"),
    # and per table the column names that are not simply the snake_case of the source's
    source_tables: Mapping[str, str] = field(default_factory=dict)
    source_columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # the window reads the file in a process of its own (load_apart.py): its scans would hold the
    # interpreter lock long enough to stall the window; its source must pickle
    load_apart: bool = False

    def source_name(self, table: str, column: str | None = None) -> str:
        """This dashboard's name for a source table (or one of its columns): the mapping, else snake_case."""
        if column is None:
            return self.source_tables.get(table, snake_case(table))
        mine = self.source_tables.get(table, snake_case(table))
        return self.source_columns.get(mine, {}).get(column, snake_case(column))

    def __post_init__(self) -> None:
        keys = {d.key for d in self.drilldowns}
        for k in self.kpis:
            if k.drilldown is not None and k.drilldown not in keys:
                raise ValueError(f"dashboard {self.name}: KPI {k.key} opens unknown drill-down {k.drilldown}")
        for key in self.board_pack.drilldowns:
            if key not in keys:
                raise ValueError(f"dashboard {self.name}: board-pack default {key} is not a drill-down")
        if self.as_of not in AS_OF_KINDS:
            raise ValueError(f"dashboard {self.name}: as_of {self.as_of!r} is not month or timestamp")

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table it reads (required first)."""
        return self.required + tuple(t for t in self.optional if t not in self.required)

    @property
    def card_drilldown(self) -> dict[str, str]:
        """KPI key -> drill-down key, for the KPIs that open one."""
        return {k.key: k.drilldown for k in self.kpis if k.drilldown}

    @property
    def drilldown_titles(self) -> dict[str, str]:
        return {d.key: d.title for d in self.drilldowns}

    def kpi(self, key: str) -> KpiCard:
        for k in self.kpis:
            if k.key == key:
                return k
        raise KeyError(key)

    def tier(self, tier: str) -> tuple[KpiCard, ...]:
        return tuple(k for k in self.kpis if k.tier == tier)

    def panel(self, name: str) -> Panel:
        for p in self.panels:
            if p.name == name:
                return p
        raise KeyError(name)
