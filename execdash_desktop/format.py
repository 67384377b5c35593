"""How numbers read: one set of formatters for the window, the table and exports."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from .kpi import direction_of, tone_of

EM_DASH = "\u2014"
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_name(period: str) -> str:
    """'2026-08' -> 'Aug 2026' (fixed English: the window, the summary and the pack agree)."""
    try:
        y, m = int(str(period)[:4]), int(str(period)[5:7])
    except ValueError:
        return str(period)
    return f"{MONTH_ABBR[m - 1]} {y}" if 1 <= m <= 12 else str(period)


def period_name(period: object) -> str:
    """A period as the app says it: '2026-08' -> 'Aug 2026', '2026-Q3' -> 'Q3 2026',
    '2026-08-15' -> '15 Aug 2026'; anything else as it is."""
    text = str(period or "")
    kind, year, part = _period_parts(text)
    if kind == "month":
        return f"{MONTH_ABBR[part - 1]} {year}"
    if kind == "quarter":
        return f"Q{part} {year}"
    if kind == "day":
        return short_date(text[:10])
    return text


def _period_parts(text: str) -> tuple[str, int, int]:
    """('month' | 'quarter' | 'day' | '', year, month or quarter)."""
    try:
        year = int(text[:4])
        if len(text) >= 7 and text[4] == "-" and text[5] in "Qq" and 1 <= int(text[6]) <= 4 and len(text) == 7:
            return "quarter", year, int(text[6])
        month = int(text[5:7])
    except (ValueError, IndexError):
        return "", 0, 0
    if text[4:5] != "-" or not 1 <= month <= 12:
        return "", 0, 0
    if len(text) == 7:
        return "month", year, month
    if len(text) >= 10 and text[7] == "-" and text[8:10].isdigit():
        return "day", year, month
    return "", 0, 0


def axis_labels(periods: list) -> list[str]:
    """The labels of a chart's shown ticks, in order: months 'Aug 2026', 'Sep', ... 'Jan 2027'
    (the year once, where it changes), days '15 Aug 2026', '22 Aug'..., quarters 'Q3 2026'."""
    out: list[str] = []
    last_year = None
    for period in periods:
        text = str(period or "")
        kind, year, part = _period_parts(text)
        if kind == "quarter":
            out.append(f"Q{part} {year}")
        elif kind == "month":
            out.append(MONTH_ABBR[part - 1] + (f" {year}" if year != last_year else ""))
        elif kind == "day":
            day = int(text[8:10])
            out.append(f"{day} {MONTH_ABBR[part - 1]}" + (f" {year}" if year != last_year else ""))
        else:
            out.append(text)
        last_year = year if kind else last_year
    return out


AREAS = {"ops": "Operations", "operations": "Operations", "supply": "Supply", "sales": "Sales",
         "marketing": "Marketing", "finance": "Finance", "customers": "Customers", "customer": "Customers",
         "quality": "Quality", "telemetry": "Telemetry", "retention": "Retention", "churn": "Retention",
         "pipeline": "Sales", "revenue": "Finance", "inventory": "Supply", "backlog": "Supply",
         "uptime": "Operations"}


def area_name(kind: object) -> str:
    """An alert's type as an executive says it: 'ops' -> 'Operations', 'supply' -> 'Supply'."""
    k = str(kind or "").strip()
    return AREAS.get(k.lower(), k[:1].upper() + k[1:])


def short_date(text: object) -> str:
    """'2026-10-09 15:57:44' -> '9 Oct 2026'; an em dash if empty, the text itself if unreadable."""
    if not text:
        return EM_DASH
    s = str(text).strip().replace("T", " ")
    try:
        d = datetime.fromisoformat(s[:19] if len(s) > 10 else s[:10])
    except ValueError:
        return s
    return f"{d.day} {MONTH_ABBR[d.month - 1]} {d.year}"
def finite_json(value: Any) -> Any:
    """`value` with every NaN or infinity replaced by None: JSON has neither."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    return value


def json_text(doc: Any) -> str:
    """The app's JSON (command line, API): never `NaN` or `Infinity`, which are not JSON."""
    return json.dumps(finite_json(doc), ensure_ascii=False, allow_nan=False)


NUMERIC = frozenset({"currency", "ratio", "number", "int", "months", "multiple", "hours", "days", "count",
                     "percent", "duration"})
_UNITS = {"hours": "h", "days": "days"}  # column formats the API names (schemas.Column)


def compact_currency(value: float, unit: str = "£") -> str:
    sign = "-" if value < 0 else ""
    v = abs(value)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            text = f"{v / div:.1f}" if v / div < 100 else f"{v / div:.0f}"
            return f"{sign}{unit}{text}{suffix}"
    return f"{sign}{unit}{v:,.0f}"


def format_value(value: float | None, fmt: str, unit: str | None = None) -> str:
    """Format a KPI value by its kind: currency | ratio | months | multiple | count | percent | duration."""
    if value is None:
        return EM_DASH
    if fmt == "currency":
        return compact_currency(value, unit or "£")
    if fmt == "ratio":
        return f"{value * 100:.1f}%"
    if fmt == "months":
        return f"{value:.1f} mo"
    if fmt == "multiple":
        return f"{value:.2f}x"
    if fmt == "count":
        return f"{int(round(value)):,}"
    if fmt == "percent":  # already in percent (0-100)
        return f"{value:.1f}%"
    if fmt == "duration":  # hours
        return f"{value:,.1f} h" if abs(value) < 48 else f"{value / 24:,.1f} days"
    return f"{value:,.2f}"


UNCHANGED = "unchanged"  # no arrow: as short as a change, so a card's pill never clips
_ARROWS = {"up": "\u25b2", "down": "\u25bc", "flat": "\u25ac"}


def format_delta(delta: float | None) -> str:
    """Signed percentage with an arrow by the KPI's direction: '▲ +4.2%', '▼ -1.0%';
    a change that rounds to zero reads 'unchanged' (never '-0.0%'); from 1,000% on, whole
    percents with separators ('▲ +9,200%', not '+9200.0%': a tenth is noise there)."""
    if delta is None:
        return EM_DASH
    if round(delta * 100, 1) == 0:
        return UNCHANGED
    if abs(delta) >= 10:
        return f"{_ARROWS[direction_of(delta)]} {delta * 100:+,.0f}%"
    return f"{_ARROWS[direction_of(delta)]} {delta * 100:+.1f}%"


def format_pp(pp: float | None) -> str:
    """A change in percentage points: '▲ +0.2 pp' ('unchanged' when it rounds to zero)."""
    if pp is None:
        return EM_DASH
    if round(pp, 1) == 0:
        return UNCHANGED
    return f"{_ARROWS['up' if pp > 0 else 'down']} {pp:+.1f} pp"


def format_change(entry: dict) -> str:
    """A KPI entry's change as the window, the pack and the summary show it: points for
    the ratio KPIs that carry `delta_pp`, else the relative change."""
    if "delta_pp" in entry and entry.get("delta") is not None:
        return format_pp(entry["delta_pp"])
    return format_delta(entry.get("delta"))


def change_tone(entry: dict) -> str:
    """good | bad | neutral for a KPI entry; neutral whenever its change reads 'unchanged'."""
    if format_change(entry) == UNCHANGED:
        return "neutral"
    return delta_tone(entry.get("delta"), entry.get("better", "up"))


def compare_text(entry: dict, months: int | None, usual: str | None = None) -> str:
    """What a card's change is measured against, in an executive's words (`usual`: the
    dashboard's own words for an ordinary comparison, e.g. "vs 30 days before")."""
    comparison = entry.get("comparison")
    if comparison == "entered":  # no comparison of its own: the tooltip says it is entered
        return ""
    if comparison == "no_full_prior":
        return "no full prior period"
    if entry.get("delta") is None:
        return "no comparison"
    if usual is not None:
        return usual
    return f"vs prior {months} mo" if months else "vs prior window"


def skipped_text(entry: dict) -> str:
    """'2 rows skipped: an order amount that is not a number' lines, or ''."""
    return "; ".join(f"{s['rows']:,} row{'s' if s['rows'] != 1 else ''} skipped: {s['why']}"
                     for s in entry.get("skipped") or ())


def delta_tone(delta: float | None, better: str) -> str:
    """good | bad | neutral: whether this change is good for this KPI."""
    return tone_of(delta, better)


def format_cell(value, fmt: str, unit: str = "£") -> str:
    """A table cell: full precision for money (cards show the compact form)."""
    if value is None or value == "":
        return EM_DASH if fmt in NUMERIC else ""
    if isinstance(value, float) and not math.isfinite(value):
        return EM_DASH
    if fmt in ("ratio", "months", "multiple", "percent", "duration"):
        return format_value(float(value), fmt, unit)
    if fmt == "count":
        fmt = "int"
    if fmt == "currency":
        v = float(value)
        return f"-{unit}{abs(v):,.0f}" if v < 0 else f"{unit}{v:,.0f}"
    if fmt == "int":
        return f"{int(round(float(value))):,}"
    if fmt == "number":
        return f"{float(value):,.2f}"
    if fmt in _UNITS:
        return f"{float(value):,.1f} {_UNITS[fmt]}"
    if fmt == "date":
        return str(value)[:10]
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def payload_table(payload: dict) -> str:
    """A readable plain-text rendering of the payload for the terminal."""
    tf = payload["timeframe"]
    lines = [f"Executive KPIs  {tf['start_date']} .. {tf['end_date']}  "
             f"(range {tf['range']}, as of {tf.get('as_of', tf['end_date'][:7])})", ""]
    lines.append(f"{'KPI':<16}{'value':>14}{'delta':>14}  note")
    for k in payload["executiveKpis"]:
        note = k.get("reason") or ""
        note = "; ".join(n for n in (note, skipped_text(k)) if n)
        if k.get("comparison") == "no_full_prior":
            note = "; ".join(n for n in ("no full prior period", note) if n)
        lines.append(f"{k['label']:<16}{format_value(k['value'], k['format'], k['unit']):>14}"
                     f"{format_change(k):>14}  {note}")
    lines += ["", f"Revenue trend ({tf['granularity']})",
              f"{'period':<10}{'recognized':>14}{'booked':>14}{'backlog':>14}"]
    unit = payload.get("meta", {}).get("currency", "£")
    for r in payload["revenueTrend"]:
        cells = [format_value(r[c], "currency", unit) for c in ("recognized", "booked", "backlog")]
        mark = " (partial)" if r.get("partial") else ""
        lines.append(f"{r['period']:<10}{cells[0]:>14}{cells[1]:>14}{cells[2]:>14}{mark}")
    lines += ["", f"Alerts ({len(payload['alerts'])})"]
    for a in payload["alerts"]:
        lines.append(f"  [{(a.get('severity') or '?'):<6}] {a.get('title')}")
    lines += ["", f"Open risks ({len(payload['risks'])})"]
    for r in payload["risks"]:
        flag = "  OVERDUE" if r.get("overdue") else ""
        lines.append(f"  {r.get('title')}  owner {r.get('owner') or EM_DASH}, due {r.get('due') or EM_DASH}{flag}")
    meta = payload.get("meta", {})
    skipped = meta.get("skipped_rows") or {}
    if skipped:
        lines += ["", "Skipped unreadable rows: " + ", ".join(f"{t} {n}" for t, n in skipped.items())]
    for note in meta.get("notes") or ():
        lines += ["", f"Note: {note}"]
    return "\n".join(lines)


def dashboard_text(dash, payload: dict) -> str:
    """Any dashboard's payload as terminal text, from its declaration (dashboards.spec.Dashboard)."""
    tf = payload["timeframe"]
    entries = {e["key"]: e for e in payload.get(dash.kpis_key, [])}
    money = [entries[k.key].get("unit") for k in dash.kpis if k.format == "currency" and k.key in entries]
    # the payload's meta currency, else its first money KPI's unit (a payload without meta)
    unit = (payload.get("meta") or {}).get("currency") or next((u for u in money if u), "\u00a3")
    width = max([20] + [len(k.label) + 1 for k in dash.kpis if len(k.label) > 20])
    lines = [f"{dash.title} KPIs  {tf['start_date']} .. {tf['end_date']}  "
             f"(range {tf['range']}, as of {tf.get('as_of')})", ""]
    lines.append(f"{'KPI':<{width}}{'value':>14}{'delta':>14}  note")
    for card in dash.kpis:
        e = entries.get(card.key)
        if e is None:
            continue
        cell = format_value(e["value"], card.format, unit if card.format == "currency" else card.unit)
        lines.append(f"{card.label:<{width}}{cell:>14}{format_delta(e['delta']):>14}  {e.get('reason') or ''}")
    trend = dash.trend
    lines += ["", f"{trend.title} ({tf['granularity']})",
              f"{'period':<10}" + "".join(f"{s.label:>14}" for s in trend.series)]
    for r in payload.get(trend.payload_key, []):
        cells = [format_value(r.get(s.key), s.format, unit) for s in trend.series]
        mark = " (partial)" if r.get("partial") else ""
        lines.append(f"{r['period']:<10}" + "".join(f"{c:>14}" for c in cells) + mark)
    for panel in dash.panels:
        rows = payload.get(panel.payload_key) if panel.payload_key else None
        if isinstance(rows, list):
            lines += ["", f"{panel.title} ({len(rows):,})"]
            for row in rows[:10]:
                cells = (f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row.values()
                         if v is not None and v != "")
                lines.append(("  " + "  ".join(cells))[:120])
            if len(rows) > 10:
                lines.append(f"  ... and {len(rows) - 10:,} more")
    return "\n".join(lines)
