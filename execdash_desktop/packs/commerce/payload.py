"""The Commerce payload (commerce-pack.md "The payload").

`build_payload(src, range_, granularity, as_of)` is what `execdash kpis
--dashboard commerce --json` prints and `GET /api/commerce-dashboard`
serves. Pure over the loaded source (which reads a fulfilment or
conversations window's rows on first use: rows.DayRows); memoised per
(range, granularity, D), so a repeat is a dictionary lookup.
"""

from __future__ import annotations

from collections import Counter

from ... import months as mo
from ...errors import InvalidRequestError
from ...kpi import entry
from . import catalogue as cat
from . import rules as r
from .quality import data_quality
from .rows import distinct
from .source import ComSource, parse_day


def resolve_as_of(src: ComSource, as_of: str | None) -> int:
    """D: the latest sales day, or the user's date (a timestamp means its UTC day) inside the sales days."""
    days = src.sales_days
    if not len(days):
        raise InvalidRequestError("as_of", as_of, "a file with at least one dated sales day")
    if as_of is None:
        return int(days[-1])
    d = parse_day(as_of) if isinstance(as_of, str) else None
    if d is None:
        raise InvalidRequestError("as_of", as_of, "a date YYYY-MM-DD (one the calendar has)")
    if d < days[0] or d > days[-1]:
        raise InvalidRequestError("as_of", as_of, f"a date from {r.iso(days[0])} to {r.iso(days[-1])}"
                                  " (the file's sales days)")
    return d


def _first(src: ComSource, table: str) -> int | None:
    if table == "sales_metrics_daily":
        return int(src.sales_days[0]) if len(src.sales_days) else None
    if table == "activation":
        return min(src.activation) if src.activation else None
    if table == "cx":
        return src.cx.first_day if src.cx is not None else None
    raise KeyError(table)


def kpis(src: ComSource, d: int) -> list[dict]:
    s, first = src.sales, _first(src, "sales_metrics_daily")

    def then(span, value):  # the comparison only when the table covers its span
        return value if r.covered(span, first) else None

    vals, prev = {}, {}
    vals["revenue_mtd"] = r.sales_sum(s, r.mtd(d), "revenue")
    sp = r.mtd_before(d)
    prev["revenue_mtd"] = then(sp, r.sales_sum(s, sp, "revenue"))
    vals["revenue_ytd"] = r.sales_sum(s, r.ytd(d), "revenue")
    sp = r.ytd_before(d)
    prev["revenue_ytd"] = then(sp, r.sales_sum(s, sp, "revenue"))

    def aov(span):
        return r.ratio(r.sales_sum(s, span, "revenue"), r.sales_sum(s, span, "orders"))

    def ful_rate(span):
        return r.ratio(r.sales_sum(s, span, "fulfilled"), r.sales_sum(s, span, "orders"))

    vals["aov_30d"], sp = aov(r.last_n(d, 30)), r.last_n(d - 30, 30)
    prev["aov_30d"] = then(sp, aov(sp))
    vals["fulfillment_rate_7d"], sp = ful_rate(r.last_n(d, 7)), r.last_n(d - 7, 7)
    prev["fulfillment_rate_7d"] = then(sp, ful_rate(sp))
    vals["inventory_alerts"] = r.urgent_count(alerts(src, d))
    prev["inventory_alerts"] = r.urgent_count(alerts(src, d - 7))
    cx_first = _first(src, "cx")
    now_open, then_open = (r.open_escalations(src.escalated, cx_first, x) for x in (d, d - 7))
    vals["open_escalations"] = None if now_open is None else len(now_open)
    prev["open_escalations"] = None if then_open is None else len(then_open)
    vals["first_response_p50_7d"] = frt(src, r.last_n(d, 7), 0.5)
    sp = r.last_n(d - 7, 7)
    prev["first_response_p50_7d"] = frt(src, sp, 0.5) if r.covered(sp, cx_first) else None
    act_first = _first(src, "activation")
    vals["activation_rate_7d"] = r.mean_over(src.activation, r.last_n(d, 7)) if src.activation else None
    prev["activation_rate_7d"] = r.mean_over(src.activation, sp) if r.covered(sp, act_first) else None
    out = []
    for card in cat.KPI_CARDS:
        unit = cat.CURRENCY if card.format == "currency" else ("ratio" if card.format == "ratio" else card.unit)
        out.append(entry(card.key, card.label, vals[card.key], prev[card.key], unit))
    return out


def alerts(src: ComSource, d: int) -> list[dict] | None:
    if "inventory_snapshots" not in src.tables:
        return None
    return r.alerts_at(src.stock_alerts, src.snapshot_days, d)


def frt(src: ComSource, span: tuple[int, int], p: float) -> float | None:
    if src.cx_frt is None:
        return None
    w = src.cx_frt.window(*span)
    return r.hist_percentile(w["frt"], w["n"], p)


def _name(names: tuple[str, ...], code: int) -> str | None:
    """The name behind a source code (source._code): None for none, "other" for an unknown value."""
    return None if code == 0 else names[code - 1] if code <= len(names) else "other"


def sales_pulse(src: ComSource, d: int) -> dict:
    today, week = src.sales.get(d), src.sales.get(d - 7)

    def get(row, key):
        return None if row is None else row[key]

    def wow(key):
        now, before = get(today, key), get(week, key)
        return None if now is None or not before else (now - before) / before

    rev, orders = get(today, "revenue"), get(today, "orders")
    skus = [s for s in src.skus if s["revenue_30d"] is not None and s["sku"]]
    skus.sort(key=lambda s: (-s["revenue_30d"], s["sku"]))
    return {"revenue": rev, "orders": orders, "aov": r.ratio(rev, orders),
            "revenue_wow": wow("revenue"), "orders_wow": wow("orders"),
            "fulfilled_pct": r.ratio(get(today, "fulfilled"), orders),
            "top_skus": [{"sku": s["sku"], "revenue_30d": s["revenue_30d"], "units_sold_30d": s["units_sold_30d"]}
                         for s in skus[:5]]}


def fulfillment(src: ComSource, d: int) -> dict | None:
    if src.ful is None:
        return None
    w = src.ful.window(*r.last_n(d, 7))
    keep = ~w["cancelled"]
    n = w["n"][keep]
    total = int(n.sum())
    fulfilled = w["fulfilled"][keep]
    dtf, dn = w["dtf"][keep][fulfilled], n[fulfilled]
    issues: Counter = Counter()
    oi = w["open_issue"] & keep
    for t, sev, cnt in zip(w["issue_type"][oi].tolist(), w["issue_severity"][oi].tolist(), w["n"][oi].tolist()):
        issues[(_name(cat.ISSUE_TYPES, t), _name(cat.SEVERITIES, sev))] += int(cnt)
    open_issues = [{"issue_type": t, "issue_severity": s, "count": c} for (t, s), c in issues.items()]
    open_issues.sort(key=lambda i: (-i["count"], i["issue_type"] or "", i["issue_severity"] or ""))
    return {"rate": r.ratio(float(n[fulfilled].sum()), total),
            "sla_breach_rate": r.ratio(float(n[w["breach"][keep]].sum()), total),
            "days_p50": r.hist_percentile(dtf, dn, 0.5), "days_p90": r.hist_percentile(dtf, dn, 0.9),
            "open_issues": open_issues}


def cx(src: ComSource, d: int) -> dict | None:
    if src.cx is None:
        return None
    span = r.last_n(d, 7)
    w = src.cx.window(*span)
    n = w["n"]
    total = int(n.sum())
    sentiment = {s: 0 for s in cat.SENTIMENTS}
    for code in distinct(w["sentiment"]).tolist():
        key = _name(cat.SENTIMENTS, code) or "unknown"
        sentiment[key] = sentiment.get(key, 0) + int(n[w["sentiment"] == code].sum())
    return {"first_response_p50": frt(src, span, 0.5), "first_response_p90": frt(src, span, 0.9),
            "sla_breach_rate": r.ratio(float(n[w["breach"]].sum()), total),
            "escalations": int(n[w["escalated"]].sum()),
            "resolution_rate": r.ratio(float(n[w["resolved"]].sum()), total),
            "sentiment": sentiment}


def milestones(ytd: float | None) -> dict:
    value = ytd or 0.0
    reached = [m for m in cat.MILESTONES if value >= m]
    nxt = next((m for m in cat.MILESTONES if value < m), None)
    return {"ytd_revenue": ytd, "reached": reached, "next": nxt,
            "progress": 1.0 if nxt is None else value / nxt}


def _d_month(d: int) -> int:
    x = r.to_date(d)
    return mo.month_index(x.year, x.month)


def trend(src: ComSource, d: int, window: mo.Window) -> list[dict]:
    """Monthly rows over the window ending at D's month; months without rows left out."""
    sums: dict[int, list[float]] = {}
    lo = r.to_day(r.to_date(0).replace(year=window.start // 12, month=window.start % 12 + 1, day=1))
    for day_ in src.sales_days[(src.sales_days >= lo) & (src.sales_days <= d)]:
        row = src.sales[int(day_)]
        m = _d_month(int(day_))
        acc = sums.setdefault(m, [0.0, 0.0])
        acc[0] += row["revenue"] or 0.0
        acc[1] += row["orders"] or 0.0
    last = r.to_date(d)
    is_last_day = r.to_date(d + 1).month != last.month
    out = []
    for m in sorted(sums):
        rev, orders = sums[m]
        out.append({"period": mo.fmt_month(m), "revenue": rev, "orders": orders, "aov": r.ratio(rev, orders),
                    "partial": m == _d_month(d) and not is_last_day})
    return out


def quarters(rows: list[dict], window: mo.Window) -> list[dict]:
    out: list[dict] = []
    for row in rows:
        idx = mo.parse_month(row["period"])
        label = mo.fmt_quarter(idx)
        if not out or out[-1]["period"] != label:
            q0 = idx - idx % 3
            out.append({"period": label, "revenue": 0.0, "orders": 0.0, "aov": None,
                        "partial": q0 < window.start or q0 + 2 > window.end})
        q = out[-1]
        q["revenue"] += row["revenue"]
        q["orders"] += row["orders"]
        q["aov"] = r.ratio(q["revenue"], q["orders"])
        q["partial"] = q["partial"] or row["partial"]
    return out


def build_payload(src: ComSource, range_: str = "12m", granularity: str = "month", as_of: str | None = None) -> dict:
    mo.check_range(range_)
    mo.check_granularity(granularity)
    d = resolve_as_of(src, as_of)
    key = (range_, granularity, d)
    if key in src.memo:
        return src.memo[key]
    window = mo.window_for(range_, _d_month(d))
    cards = kpis(src, d)
    monthly = trend(src, d, window)
    payload = {
        "pack": "commerce",
        "asOf": r.iso(d),
        "commerceKpis": cards,
        "salesPulse": sales_pulse(src, d),
        "inventoryAlerts": alerts(src, d),
        "fulfillment": fulfillment(src, d),
        "cx": cx(src, d),
        "milestones": milestones(cards[1]["value"]),
        "revenueTrend": monthly if granularity == "month" else quarters(monthly, window),
        "dataQuality": data_quality(src, d),
        "timeframe": {"range": range_, "granularity": granularity, "start_date": mo.first_day(window.start),
                      "end_date": r.iso(d), "as_of": r.iso(d)},
    }
    src.memo[key] = payload
    return payload


def rebucket(payload: dict, granularity: str) -> dict:
    """The trend re-bucketed from a monthly payload (no query)."""
    mo.check_granularity(granularity)
    tf = payload["timeframe"]
    start = mo.parse_month(tf["start_date"])
    window = mo.Window(start, mo.parse_month(tf["end_date"]))
    out = dict(payload)
    out["revenueTrend"] = payload["revenueTrend"] if granularity == "month" else quarters(payload["revenueTrend"], window)
    out["timeframe"] = {**tf, "granularity": granularity}
    return out


__all__ = ["build_payload", "rebucket", "resolve_as_of"]
