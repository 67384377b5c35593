"""The panels of a dashboard page as the board pack prints them: items of words.

The window draws each panel with a widget of its own; paper needs only the
words, whole: a title, a coloured pill (severity, status), a line of detail
and a muted line of who and when. `panel_items` turns a declared panel's data
(`Dashboard.board_pack.panels`: the payload's rows, or what its query returned)
into such items, by the panel's name where the window has a widget for it and
by its kind ("table", "checks", "progress") for the generic panels, so a new
dashboard's generic panels print with no code of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .format import EM_DASH, area_name, compact_currency, short_date
from .words import months_in_words


@dataclass(frozen=True)
class PrintItem:
    title: str
    pill: str = ""  # "HIGH", "OVERDUE", "FAIL"...
    tone: str = "neutral"  # high | medium | low | bad | warn | good | neutral: the stripe and pill
    body: str = ""
    meta: str = ""  # muted: area, owner, dates


@dataclass(frozen=True)
class PrintPanel:
    title: str  # "Alerts · 7 (2 high)"
    items: tuple[PrintItem, ...]
    empty: str = "Nothing to report"  # said when there are no items


def _hours(hours: Any) -> str:
    if hours is None:
        return EM_DASH
    h = float(hours)
    return f"{int(h // 24)} d {int(h % 24)} h" if h >= 48 else f"{h:.1f} h"


def _severity_count(rows: list[dict], key: str = "severity") -> str:
    counts: dict[str, int] = {}
    for r in rows:
        s = str(r.get(key) or "low").lower()
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{counts[s]} {s}" for s in ("high", "medium", "low") if counts.get(s))


def _alerts(rows: list[dict], title: str) -> PrintPanel:
    items = []
    for a in rows:
        sev = str(a.get("severity") or "low").lower()
        meta = " \u00b7 ".join(x for x in (area_name(a.get("type")),
                                          f"raised {short_date(a.get('created_at'))}" if a.get("created_at") else "")
                               if x)
        items.append(PrintItem(months_in_words(str(a.get("title") or "")), sev.upper(), sev,
                               months_in_words(str(a.get("description") or "")), meta))
    counts = _severity_count(rows)
    return PrintPanel(f"{title} \u00b7 {len(rows)}" + (f" ({counts})" if counts else ""), tuple(items), "No alerts")


def _risks(rows: list[dict], title: str) -> PrintPanel:
    items = []
    for r in rows:
        due = f"due {short_date(r.get('due'))}" if r.get("due") else "no due date"
        mitigation = f"Mitigation: {r.get('mitigation')}" if r.get("mitigation") else "No mitigation yet"
        overdue = bool(r.get("overdue"))
        items.append(PrintItem(str(r.get("title") or ""), "OVERDUE" if overdue else "", "bad" if overdue else "neutral",
                               mitigation, f"{r.get('owner') or 'No owner named'}, {due}"))
    late = sum(1 for r in rows if r.get("overdue"))
    return PrintPanel(f"Open risks \u00b7 {len(rows)}" + (f" ({late} overdue)" if rows else ""), tuple(items),
                      "No open risks")


def _sla_breaches(rows: list[dict], title: str) -> PrintPanel:
    items = []
    for r in rows:
        money = r.get("revenue_impact_daily") or 0
        who = " \u00b7 ".join(str(x) for x in (str(r.get("severity") or "").capitalize(), r.get("project"),
                                                r.get("assignee") or "unassigned") if x)
        items.append(PrintItem(f"{r.get('bug_number') or ''} {r.get('title') or ''}".strip(),
                               f"{_hours(r.get('hours_overdue'))} over", "bad",
                               f"{compact_currency(money)}/day at risk" if money else "", who))
    return PrintPanel(f"{title} \u00b7 {len(rows)}", tuple(items), "No bug is past its SLA")


def _top_risks(rows: list[dict], title: str) -> PrintPanel:
    items = []
    for r in rows:
        level = str(r.get("risk_level") or "")
        dcf = r.get("dcf_valuation")
        worth = f"worth {compact_currency(dcf)}" if dcf else "no valuation"
        items.append(PrintItem(str(r.get("name") or ""), level, "high" if level == "HIGH" else "medium",
                               f"{r.get('reason') or ''} \u00b7 {worth}".strip(" \u00b7")))
    return PrintPanel(f"{title} \u00b7 {len(rows)}", tuple(items), "No project is at risk")


BY_NAME: dict[str, Callable[[list[dict], str], PrintPanel]] = {
    "alerts": _alerts, "risks": _risks, "sla_breaches": _sla_breaches, "top_risks": _top_risks,
}


def cell_text(value: Any, fmt: str, currency: str = "\u00a3") -> str:
    """A generic panel's cell, in the window and on paper."""
    if value is None:
        return EM_DASH
    if fmt == "ratio":
        return f"{value * 100:.1f}%"
    if fmt == "currency":
        return compact_currency(value, currency)
    if fmt == "int":
        return f"{int(round(value)):,}"
    if fmt == "minutes":
        return f"{value:,.0f} min"
    if fmt in ("number", "days"):
        return f"{value:,.1f}"
    return months_in_words(str(value))  # '2026-10-26' -> '26 Oct 2026', as everywhere on screen and paper


_TONES = {"bad": "bad", "warn": "warn", "good": "good"}


def _table(data: dict, title: str) -> PrintPanel:
    cur = data.get("currency") or "\u00a3"
    cols, fmts = list(data.get("columns") or []), list(data.get("formats") or [])
    tones = list(data.get("tones") or [])
    items = []
    for i, row in enumerate(data.get("rows") or []):
        cells = [cell_text(v, fmts[j] if j < len(fmts) else "text", cur) for j, v in enumerate(row)]
        body = " \u00b7 ".join(f"{c}: {v}" for c, v in zip(cols[1:], cells[1:]))
        tone = _TONES.get(tones[i] if i < len(tones) else None, "neutral")
        items.append(PrintItem(cells[0] if cells else "", "", tone, body))
    stats = " \u00b7 ".join(f"{label} {cell_text(value, fmt, cur)}" for label, value, fmt, _tone
                            in data.get("stats") or [])
    if stats:
        items.insert(0, PrintItem(stats))
    return PrintPanel(title, tuple(items), data.get("note") or "Nothing to report")


def _checks(data: dict, title: str) -> PrintPanel:
    rows = list(data.get("rows") or [])
    order = {"fail": 0, "warn": 1, "pass": 2}  # what needs attention first
    items = []
    for r in sorted(rows, key=lambda r: order.get(str(r.get("status")), 3)):
        status = str(r.get("status") or "")
        failing = r.get("failing")
        examples = months_in_words(", ".join(str(e) for e in (r.get("examples") or [])[:3]))
        body = (f"{failing:,} failing" if isinstance(failing, int) and failing else "")
        body += (f" (e.g. {examples})" if examples and body else "")
        items.append(PrintItem(str(r.get("title") or r.get("check") or ""), status.upper(),
                               {"fail": "bad", "warn": "warn", "pass": "good"}.get(status, "neutral"), body))
    bad = sum(1 for r in rows if r.get("status") != "pass")
    return PrintPanel(f"{title} \u00b7 {len(rows) - bad} of {len(rows)} pass", tuple(items), "No checks")


def _progress(data: dict, title: str) -> PrintPanel:
    value, top = data.get("value"), data.get("maximum")
    share = data.get("progress")
    body = f"{data.get('label') or ''}".strip()
    if share is not None:
        body = f"{body} ({share * 100:.0f}%)" if body else f"{share * 100:.0f}%"
    head = f"{value:,.0f} of {top:,.0f}" if isinstance(value, (int, float)) and isinstance(top, (int, float)) else ""
    return PrintPanel(title, (PrintItem(head or body, "", "neutral", body if head else ""),))


BY_KIND: dict[str, Callable[[dict, str], PrintPanel]] = {"table": _table, "checks": _checks, "progress": _progress}


def panel_items(name: str, kind: str | None, title: str, data: Any) -> PrintPanel | None:
    """A declared panel's data as printable items; None when the pack cannot print it."""
    if isinstance(data, dict) and "disabled" in data:
        return PrintPanel(title, (), str(data["disabled"]))
    if kind in BY_KIND:
        return BY_KIND[kind](data if isinstance(data, dict) else {}, title)
    if name in BY_NAME:
        return BY_NAME[name]([dict(r) for r in data or []], title)
    return None
