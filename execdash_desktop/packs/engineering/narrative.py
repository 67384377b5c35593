"""The Engineering Now / Reason / Action summary, written offline by fixed rules.

From the payload alone (no query): which severities moved over 30 days, the
breaches that cost the most per day, the projects at HIGH risk and why, and
whether bugs arrive faster than they are resolved. Every figure is formatted
as the screen shows it and named in `figures`; a part without data is left out.
"""

from __future__ import annotations

from ...format import format_value, month_name
from ...narrative import SentenceWriter, Summary, is_num, listing
from . import catalogue as cat

MAX_NAMED = 3


def _count(n) -> str:
    return format_value(n, "count")


def _now(w: SentenceWriter, payload: dict, unit: str) -> None:
    k = {e["key"]: e for e in payload["engineeringKpis"]}
    crit, high, breaches = (k[x]["value"] for x in ("open_critical", "open_high", "sla_breaches"))
    if is_num(crit) and is_num(high) and is_num(breaches):
        risk = format_value(payload["revenueAtRisk"], "currency", unit)
        past = "bugs are past their SLA" if breaches != 1 else "bug is past its SLA"
        text = (f"{_count(crit)} critical and {_count(high)} high bugs are open; {_count(breaches)} {past}, "
                f"with {risk} a day of revenue at risk.")
        w.add(0, "now", text, [_count(crit), _count(high), _count(breaches), risk], "card:sla_breaches")
    moved = [e for e in payload["engineeringKpis"][:4] if is_num(e["delta"]) and e["direction"] != "flat"]
    moved.sort(key=lambda e: (-abs(e["delta"]), cat.KPI_KEYS.index(e["key"])))
    for rank, e in enumerate(moved[:2]):
        verb = "rose" if e["direction"] == "up" else "fell"
        pct = f"{abs(e['delta']) * 100:.0f}%"
        text = f"{e['label']} {verb} {pct} to {_count(e['value'])} over 30 days."
        w.add(1 + rank, "now", text, [pct, _count(e["value"])], f"card:{e['key']}")


def _reasons(w: SentenceWriter, payload: dict, unit: str) -> None:
    costly = sorted((r for r in payload["slaBreaches"] if is_num(r["revenue_impact_daily"])
                     and r["revenue_impact_daily"] > 0),
                    key=lambda r: (-r["revenue_impact_daily"], r["bug_number"] or ""))[:MAX_NAMED]
    if costly:
        parts, figs = [], []
        for r in costly:
            money = format_value(r["revenue_impact_daily"], "currency", unit)
            parts.append(f"{r['bug_number']} \u201c{r['title']}\u201d ({money} a day)")
            figs.append(money)
        text = f"The costliest breaches per day: {listing(parts)}."
        w.add(3, "reason", text, figs, "panel:sla_breaches")
    high = [p for p in payload["projects"] if p["risk_level"] == "HIGH"]
    if high:
        names = [f"{p['name']} ({_count(p['blocker_count'])} open blocker{'s' if p['blocker_count'] != 1 else ''})"
                 for p in high[:MAX_NAMED]]
        more = f" and {len(high) - MAX_NAMED} more" if len(high) > MAX_NAMED else ""
        verb = "is" if len(high) == 1 else "are"
        text = f"{listing(names)}{more} {verb} at high risk because of open blockers."
        w.add(4, "reason", text, [_count(p["blocker_count"]) for p in high[:MAX_NAMED]], "panel:top_risks")


def _actions(w: SentenceWriter, payload: dict, unit: str) -> None:
    high = [p for p in payload["projects"] if p["risk_level"] == "HIGH"]
    if high:
        p = high[0]
        n = _count(p["blocker_count"])
        w.add(2, "action", f"Clear the {n} open blocker{'s' if p['blocker_count'] != 1 else ''} on {p['name']} first.",
              [n], "panel:top_risks")
    full = [r for r in payload["bugTrend"][:-1] if r["period"][4:5] == "-" and len(r["period"]) == 7]
    if full:
        last = full[-1]
        if is_num(last["created"]) and is_num(last["resolved"]) and last["created"] > last["resolved"]:
            c, r = _count(last["created"]), _count(last["resolved"])
            text = (f"Bugs arrived faster than they were resolved in {month_name(last['period'])} "
                    f"({c} created, {r} resolved): plan time to catch up.")
            w.add(5, "action", text, [c, r], "trend")
    crit = [r for r in payload["slaBreaches"] if r["severity"] == "critical"]
    if crit:
        n = _count(len(crit))
        w.add(3, "action", f"Resolve the {n} critical bug{'s' if len(crit) != 1 else ''} past their 4-hour SLA.",
              [n], "panel:sla_breaches")


def compose(payload: dict) -> Summary:
    unit = (payload.get("meta") or {}).get("currency") or cat.CURRENCY
    w = SentenceWriter()
    _now(w, payload, unit)
    _reasons(w, payload, unit)
    _actions(w, payload, unit)
    return w.result()


def build_summary(conn, src, payload: dict) -> Summary:
    """The summary of an Engineering payload (conn and src unused: the payload holds it all)."""
    return compose(payload)
