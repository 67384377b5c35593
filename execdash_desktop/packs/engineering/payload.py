"""The Engineering payload (engineering-pack.md "The payload").

`build_payload(src, range_, granularity, as_of)` is what `execdash kpis
--dashboard engineering --json` prints and `GET /api/engineering-dashboard`
serves. The SLA breach rows need each bug's text (title, assignee, project)
and revenue, and the trend's months that monthly_metrics does not cover need
the hours of the bugs resolved in them: read by row id for those bugs only,
once per as-of moment, and kept in the source. The default as-of's are read
ahead (`read_ahead`, started by `load_source`) while its numbers are worked
out.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from ... import moments
from ... import months as mo
from ...errors import InvalidRequestError
from ...kpi import entry
from ...months import Window
from . import catalogue as cat
from . import rules
from .source import EngSource
from .texts import breach_texts, read_breach_texts_ahead

DEFAULT_RANGE = "12m"


def resolve_as_of(src: EngSource, as_of: str | None) -> float:
    """T: the user's (a date means the end of that day) or the file's latest moment."""
    if src.latest is None:
        raise InvalidRequestError("as_of", as_of, "a file with at least one dated bug")
    if as_of is None:
        return src.latest
    t = moments.require(as_of)
    if moments.is_date_only(as_of) and moments.day(t) == moments.day(src.latest) and t > src.latest:
        t = src.latest  # the data's last day: as far as the data goes
    first = src.first if src.first is not None else src.latest
    # the payload prints whole seconds: the second of the first or latest moment means that moment
    if math.floor(t) == math.floor(src.latest):
        t = src.latest
    elif math.floor(t) == math.floor(first):
        t = max(t, first)
    if t < first or t > src.latest:
        raise InvalidRequestError("as_of", as_of, f"a moment from {moments.fmt(first)} to {moments.fmt(src.latest)}"
                                  " (the file's bugs)")
    return t


def resolve_window(src: EngSource, range_: str, t: float) -> Window:
    mo.check_range(range_)
    return mo.window_for(range_, moments.month_index(t))


def kpis_at(src: EngSource, t: float) -> list[dict]:
    now, then = rules.facts(src, t), rules.facts(src, t - cat.DELTA_DAYS * moments.DAY)
    values = dict(zip(cat.KPI_KEYS[:4], now.counts))
    before = dict(zip(cat.KPI_KEYS[:4], then.counts))
    values["open_blockers"], before["open_blockers"] = now.blockers, then.blockers
    values["sla_breaches"], before["sla_breaches"] = len(now.breached), len(then.breached)
    pv_then, cost_then = rules.portfolio_then(src, t - cat.DELTA_DAYS * moments.DAY)
    values["portfolio_value"], before["portfolio_value"] = rules.portfolio_value(src), pv_then
    values["monthly_infra_cost"], before["monthly_infra_cost"] = rules.infra_cost(src), cost_then
    out = []
    for card in cat.KPI_CARDS:
        unit = src.currency if card.format == "currency" else "bugs"
        out.append(entry(card.key, card.label, values[card.key], before[card.key], unit))
    return out


def history(src: EngSource, w: Window, t: float) -> dict[str, list[dict]]:
    """Month-end values of the KPIs over the window (the cards' sparklines); T for T's month. The money
    KPIs' are the portfolio_metrics totals on or before each month end (None without a snapshot)."""
    series: dict[str, list[dict]] = {k: [] for k in cat.KPI_KEYS}
    ends = [min(moments.month_start(m + 1) - 1, t) for m in w.months]
    b = rules.may_be_open(src.bugs, min(ends), max(ends)) if ends else src.bugs
    for m, at in zip(w.months, ends):
        counts, blockers, op = rules.counts_at(b, at)
        dcf, cost = rules.portfolio_then(src, at)  # the money cards: the snapshots' totals
        vals = list(counts) + [blockers, int(rules.breached_at(b, at, op).sum()), dcf, cost]
        for key, v in zip(cat.KPI_KEYS, vals):
            series[key].append({"period": mo.fmt_month(m), "value": v})
    return series


def breach_rows(src: EngSource, t: float) -> list[dict]:
    f = rules.facts(src, t)
    texts = breach_texts(src, t, f)
    b, idx = src.bugs, f.breached
    rows = []
    # whole columns to Python lists first: one conversion per column, not one numpy scalar per cell
    for rowid, sev, sla, hours in zip(b.rowid[idx].tolist(), b.sev[idx].tolist(), b.sla[idx].tolist(),
                                      f.hours_open.tolist()):
        text = texts.get(rowid, {})
        revenue = text.get("revenue", 0.0)
        rows.append({"bug_number": text.get("bug_number"), "title": text.get("title"),
                     "severity": cat.SEVERITIES[sev] if sev >= 0 else text.get("severity"),
                     "project": text.get("project"), "assignee": text.get("assignee"),
                     "hours_open": hours, "sla_hours": sla, "hours_overdue": hours - sla,
                     "revenue_impact_daily": revenue})
    # the rule's tie-break is bug_number (rows are read in row order; re-sort on the text)
    rows.sort(key=lambda r: (-r["hours_overdue"], r["bug_number"] or ""))
    return rows


def revenue_at_risk(src: EngSource, t: float) -> float:
    """The daily revenue impact of the bugs breached at t (read with their texts), summed in row order."""
    f = rules.facts(src, t)
    texts = breach_texts(src, t, f)
    rowids = src.bugs.rowid[np.sort(f.breached)].tolist()
    return float(np.array([texts.get(r, {}).get("revenue", 0.0) for r in rowids], dtype=np.float64).sum())


def _trend_months(w: Window, t: float) -> range:
    return range(w.start, min(w.end, moments.month_index(t)) + 1)


def trend(src: EngSource, w: Window, t: float) -> list[dict]:
    return rules.trend_months(src, t, _trend_months(w, t))


def read_ahead(src: EngSource) -> None:
    """Start reading what the default payload reads from the file (the hours of the bugs resolved in months
    monthly_metrics does not cover; the breached bugs' texts and revenue), each on a thread of its own,
    while the caller works out the payload's numbers. load_source calls it."""
    t = src.latest
    if t is None:
        return
    # the hours first: the longer read; the texts on a thread of their own, so neither waits for the other.
    # Not daemons: a process that stops at once (`execdash kpis` refusing an as-of) waits for these short
    # reads instead of finalising under them.
    # T's facts before either thread starts: a thread starting takes the interpreter lock in 5 ms turns,
    # and these 1 ms of numpy took 15 ms beside one
    f = rules.facts(src, t)
    hours = rules.resolved_from_bugs(src, t, _trend_months(resolve_window(src, DEFAULT_RANGE, t), t))
    threading.Thread(target=_quietly, args=(src.bugs.extras.of, "actual_hours", hours)).start()
    read_breach_texts_ahead(src, t, f)


def _quietly(read, *args) -> None:
    """A read ahead: its failure is left for the caller's own read to meet, where it is reported."""
    try:
        read(*args)
    except Exception:  # noqa: BLE001 - see above
        pass


def bucket(rows: list[dict], w: Window, granularity: str) -> list[dict]:
    """Quarters: sums, avg resolution days weighted by resolved count; partial quarters marked."""
    mo.check_granularity(granularity)
    if granularity == "month":
        return [dict(r) for r in rows]
    out: list[dict] = []
    for r in rows:
        m = mo.parse_month(r["period"])
        label = mo.fmt_quarter(m)
        if not out or out[-1]["period"] != label:
            q0 = m - m % 3
            out.append({"period": label, "created": 0, "resolved": 0, "avg_resolution_days": None,
                        "eng_hours": 0.0, "cost": 0.0, "source": r["source"],
                        "partial": q0 < w.start or q0 + 2 > w.end, "_days": 0.0, "_n": 0})
        q = out[-1]
        for k in ("created", "resolved", "eng_hours", "cost"):
            if r[k] is not None:
                q[k] += r[k]
        if r["avg_resolution_days"] is not None and r["resolved"]:
            q["_days"] += r["avg_resolution_days"] * r["resolved"]
            q["_n"] += r["resolved"]
        if r["source"] != q["source"]:
            q["source"] = "mixed"
    for q in out:
        q["avg_resolution_days"] = q.pop("_days") / q["_n"] if q["_n"] else None
        q.pop("_n")
    return out


def _memo(src: EngSource, key: tuple, compute):
    """A part of the payload, computed once per source and key (a repeat payload is a dict build)."""
    with src._lock:
        hit = src._memo.get(key)
    if hit is None:
        hit = compute()
        with src._lock:
            src._memo[key] = hit
    return hit


def build_payload(src: EngSource, range_: str = DEFAULT_RANGE, granularity: str = "month",
                  as_of: str | None = None) -> dict:
    """The payload; its lists are shared with later calls for the same source: treat it as read-only."""
    mo.check_granularity(granularity)
    mo.check_range(range_)
    t = resolve_as_of(src, as_of)
    w = resolve_window(src, range_, t)
    f = rules.facts(src, t)
    # what needs no read first: the reads (breaches, then the trend's hours) may still be under way (read_ahead)
    kpis = _memo(src, ("kpis", t), lambda: kpis_at(src, t))
    projects = _memo(src, ("projects", t), lambda: rules.project_rows(src, f))
    sparklines = _memo(src, ("history", t, w), lambda: history(src, w, t))
    breaches = _memo(src, ("breaches", t), lambda: breach_rows(src, t))
    monthly = _memo(src, ("trend", t, w), lambda: trend(src, w, t))
    return {
        "pack": "engineering",
        "asOf": moments.fmt(t),
        "engineeringKpis": kpis,
        "revenueAtRisk": _memo(src, ("risk", t), lambda: revenue_at_risk(src, t)),
        "slaBreaches": breaches,
        "bugTrend": monthly if granularity == "month" else _memo(
            src, ("trend", t, w, granularity), lambda: bucket(monthly, w, granularity)),
        "projects": projects,
        "timeframe": {"range": range_, "granularity": granularity, "start_date": mo.first_day(w.start),
                      "end_date": mo.last_day(w.end), "as_of": moments.fmt(t)},
        "meta": {"currency": src.currency, "as_of": moments.fmt(t), "notes": list(src.notes),
                 "unusable": dict(src.reasons), "severityMix": dict(zip(cat.SEVERITIES, f.counts)),
                 "history": sparklines},
    }


def rebucket(payload: dict, granularity: str) -> dict:
    """The same payload at another granularity, from the monthly payload, with no query."""
    mo.check_granularity(granularity)
    tf = payload["timeframe"]
    if tf["granularity"] != "month":
        raise ValueError("rebucket needs the monthly payload")
    w = Window(mo.parse_month(tf["start_date"]), mo.parse_month(tf["end_date"]))
    out = dict(payload)
    out["bugTrend"] = bucket(payload["bugTrend"], w, granularity)
    out["timeframe"] = {**tf, "granularity": granularity}
    return out
