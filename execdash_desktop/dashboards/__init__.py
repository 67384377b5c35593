"""Dashboards: what a dashboard pack declares, and which of them a file holds.

The app is a shell over dashboards (design/dashboards.md). Each pack under
`execdash_desktop/packs/<name>/` declares one `Dashboard` (spec.py) as the
module attribute `DASHBOARD`; the registry (registry.py) lists them in
sidebar order and tells which a data file holds. The shell (window, command
line, API, board pack) renders any dashboard from this declaration alone and
never imports a pack by name.

Rendering a dashboard `d` (all Qt-free; slow calls go on a worker thread)
-----------------------------------------------------------------------
- Which: `all_dashboards()`, `dashboards_in(path | conn | table names)`
  (the ones whose `d.required` tables are present), `default_for(...)` (the
  only one present, else "executive"), `get(name)`, `holdings(...)` (tables
  found and missing per dashboard, for `execdash dashboards`).
- Load once per file version: `src = d.load(path, progress)` (slow: worker
  thread; `engine.Engine().source(path, dashboard=d.name)` caches it by the
  file's stamp). Raises errors.DataFileError (one line) when the file is
  unusable; `MissingTablesError` when `d.required` tables are absent.
- The numbers: `payload = d.payload(src, range_, granularity, as_of)` (pure,
  cheap: fine on the GUI thread). `range_` in months.RANGES ("3m", "6m",
  "12m", "24m", "ytd"), granularity "month" | "quarter", `as_of` None (the
  file's latest) or, by `d.as_of`: "month" -> "YYYY-MM"; "timestamp" ->
  "YYYY-MM-DD" (end of that day) or an ISO timestamp. A bad value raises
  errors.InvalidRequestError (show its one line; CLI exit 2, API 422).
  `d.rebucket(monthly_payload, granularity)` re-buckets the trend with no
  query (a granularity switch). `d.as_of_options(src)` lists what the as-of
  picker offers (newest last).
- Cards: `d.kpis` (spec.KpiCard: key, label, format, polarity, tier "card" |
  "highlight", drilldown key). The numbers are the entries of
  `payload[d.kpis_key]` with the same key: {key, label, value, unit, delta,
  direction, ...}; `value` None means "cannot be computed" (an em dash;
  `reason` says why when present). Format with format.format_value(value,
  kpi.format, entry["unit"]) and format.format_delta / delta_tone(delta,
  kpi.polarity). `history` (when present) is the sparkline.
- The trend: `d.trend` (spec.TrendSpec): rows `payload[d.trend.payload_key]`,
  x = row["period"], one series per spec.TrendSeries (key, label, format,
  kind). Quarter rows may carry partial: true.
- Panels: `d.panels` (spec.Panel). The window maps `panel.name` to a widget
  (executive: "alerts", "risks", "summary"; engineering: "sla_breaches",
  "severity_mix", "bug_table", "portfolio_bubbles", "top_risks",
  "audit_log", "summary"). Data: `payload[panel.payload_key]` when set, else
  `panel.query(conn, src, payload)` on a worker thread. "summary" is
  `d.summary(conn, src, payload)` -> narrative.Summary (sentences in
  sections now / reason / action). A panel whose query returns a
  tables.PagedQuery ("bug_table") is paged: `choices(conn)` lists the
  filter values, `count(conn, filters)` and `page(conn, filters, offset,
  limit)` -> tables.Page (on a worker thread): a lazy model asks for the
  rows it shows, never for all of them. Filters: {"severity", "status",
  "project", "assignee", "search"}; an empty value does not filter.
  A panel declaring `kind` ("table" | "progress" | "checks", spec.Panel)
  needs no widget of its own: its query returns a plain dict the window's
  generic panel draws (columns/rows/tones, a progress bar, pass/warn/fail
  checks, {"disabled": why} for a missing table) with its `drilldown` one
  click away (ui/dashboard/panels/generic.py); Commerce declares all its
  panels that way. `KpiCard.target` / `.compare` label a card.
- Drill-downs: `d.drilldowns` (spec.DrilldownEntry: key, title). A click on
  card k opens `kpi.drilldown`; `d.drilldown(key, conn, src, payload)` ->
  tables.Drilldown (titled tables, an optional chart table whose first
  column is the period, notes, anomalies); tables.to_csv(table) exports one.
  An alert row opens `d.alert_drilldown(alert)` when that is set.
- Board pack: `d.board_pack.drilldowns` are its default sections;
  boardpack.gather(..., dashboard=d.name, others=...) builds PackData
  (PackData.dashboard / .title say whose page it is); a key "NAME:KEY" is
  another dashboard's drill-down, its title prefixed with that dashboard's.
- Snapshot names: `d.source_name(table[, column])` maps a source
  database's names (PostgreSQL, Prisma style) to the dashboard's tables.
- Terminal: `d.text(payload)` when set, else format.dashboard_text(d, payload).
- Demo: `d.demo(conn, seed=, end=, progress=, **options)` adds the
  dashboard's tables to an open file and returns facts with a "summary"
  line; `d.demo_options` maps `execdash demo --OPTION` to its keywords
  (demo.write_demo writes a whole file, atomically, every dashboard's
  tables by default).
- Payloads are shared with later calls for the same source (Engineering
  memoises its parts per as-of): treat them as read-only.
- API: `d.api_route` ("/api/<name>-dashboard") serves `d.payload`.
"""

from __future__ import annotations

from .registry import (DEFAULT, PACK_MODULES, Holding, all_dashboards, dashboards_in, default_for, get,
                       holdings, names)
from .spec import (AS_OF_KINDS, FORMATS, BoardPackDefaults, Dashboard, DrilldownEntry, KpiCard, Panel,
                   TrendSeries, TrendSpec)

__all__ = [
    "AS_OF_KINDS", "FORMATS", "BoardPackDefaults", "Dashboard", "DrilldownEntry", "KpiCard", "Panel",
    "TrendSeries", "TrendSpec", "DEFAULT", "PACK_MODULES", "Holding", "all_dashboards", "dashboards_in",
    "default_for", "get", "holdings", "names",
]
