"""The one executive payload (kpi-definitions.md, "The payload").

`build_payload` is pure: an ExecSource in, the dict the command line prints,
the API serves and the window renders. Granularity only re-buckets the trend.
"""

from __future__ import annotations

import math
from datetime import date

from ... import months as mo
from ...errors import InvalidRequestError
from ...months import Window
from .kpis import BY_KEY, KPIS, PP_KEYS, delta_of, direction_of
from .source import ExecSource


def resolve_as_of(src: ExecSource, as_of: str | None) -> int:
    """The as-of month: the user's (any month from the first to the last
    revenue_trend period, a gap month included) or the latest."""
    if as_of is not None:
        idx = mo.require_month(as_of)
        if idx not in as_of_months(src):
            span = (f"{mo.fmt_month(min(src.revenue))}..{mo.fmt_month(max(src.revenue))}"
                    if src.revenue else "none")
            raise InvalidRequestError("as_of", as_of, f"a month within the revenue_trend periods ({span})")
        return idx
    if src.revenue:
        return max(src.revenue)
    if src.orders:
        return max(src.orders)
    today = date.today()
    return mo.month_index(today.year, today.month)


def as_of_months(src: ExecSource) -> range:
    """Every valid as-of month: the first to the last revenue_trend period, gaps included."""
    return range(min(src.revenue), max(src.revenue) + 1) if src.revenue else range(0)


def resolve_window(src: ExecSource, range_: str, as_of: str | None) -> Window:
    mo.check_range(range_)
    m = resolve_as_of(src, as_of)
    pinned = src.pinned.get(range_) if as_of is None else None
    return mo.window_for(range_, m, pinned)


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def full_prior(src: ExecSource, w: Window) -> bool:
    """Whether the previous window lies wholly inside the file's revenue_trend months."""
    return bool(src.revenue) and w.previous().start >= min(src.revenue)


def kpi_entry(src: ExecSource, key: str, w: Window, with_history: bool = True) -> dict:
    spec = BY_KEY[key]
    value, reason = spec.compute(src, w)
    if _finite(value) is None and value is not None:  # JSON has no inf/nan
        value, reason = None, f"{spec.label} is not a finite number in {w.label()}"
    prev = None
    if key == "payback":  # entered in executive_kpis with its own change: nothing to compare
        delta, comparison = (src.payback[1] if src.payback else None), "entered"
    elif not spec.point_in_time and not full_prior(src, w):
        # a sum or mean over a partial previous window is not a like-for-like comparison
        delta, comparison = None, "no_full_prior"
    else:
        prev, _ = spec.compute(src, w.previous())
        delta, comparison = delta_of(value, prev), "prior_window"
    unit = src.currency if spec.unit == "currency" else spec.unit
    out = {"key": key, "label": spec.label, "value": value, "unit": unit, "delta": delta,
           "direction": direction_of(delta), "better": spec.better, "format": spec.fmt,
           "comparison": comparison}
    if key in PP_KEYS:
        pp = None if value is None or _finite(prev) is None else (value - prev) * 100.0
        out["delta_pp"] = pp
    if value is None:
        out["reason"] = reason
    skipped = src.skipped_for(key, w)
    if skipped:
        out["skipped"] = skipped
    if with_history:
        out["history"] = [{"period": mo.fmt_month(m), "value": _finite(spec.compute(src, Window(m, m))[0])}
                          for m in w.months]
    return out


def monthly_trend(src: ExecSource, w: Window) -> list[dict]:
    rows = []
    for m in w.months:
        r = src.revenue.get(m)
        if r is not None:
            rows.append({"period": mo.fmt_month(m), "recognized": r[0], "booked": r[1], "backlog": r[2]})
    return rows


def alerts_known_at(src: ExecSource, w: Window) -> list[dict]:
    """Alerts created on or before the last day of the as-of month (no date: always shown):
    an as-of month shows what was known then."""
    end = mo.last_day(w.end)
    return [dict(a) for a in src.alerts
            if a.get("created_at") is None or str(a["created_at"]).strip()[:10] <= end]


def _risk_rows(src: ExecSource, w: Window, today: date | None) -> list[dict]:
    # Overdue as of the as-of month's end, or today when that is earlier.
    ref = mo.last_day(w.end)
    today_s = (today or date.today()).isoformat()
    ref = min(ref, today_s)
    out = []
    for r in src.risks:
        due = r.get("due")
        due_day = str(due)[:10] if due else None
        out.append({**r, "overdue": bool(due_day and due_day < ref)})
    return out


def build_payload(src: ExecSource, range_: str = "12m", granularity: str = "month",
                  as_of: str | None = None, today: date | None = None) -> dict:
    """The payload for a range, granularity and optional as-of month `YYYY-MM`."""
    mo.check_granularity(granularity)
    w = resolve_window(src, range_, as_of)
    trend = monthly_trend(src, w)
    return {
        "executiveKpis": [kpi_entry(src, spec.key, w) for spec in KPIS],
        "revenueTrend": mo.bucket_trend(trend, w, granularity),
        "alerts": alerts_known_at(src, w),
        "risks": _risk_rows(src, w, today),
        "timeframe": {"range": range_, "granularity": granularity,
                      "start_date": mo.first_day(w.start), "end_date": mo.last_day(w.end),
                      "as_of": mo.fmt_month(w.end)},
        "meta": {"currency": src.currency, "as_of": mo.fmt_month(w.end),
                 "months": w.length, "unusable": dict(src.reasons),
                 "skipped_rows": dict(src.skipped_rows),
                 **({"notes": list(src.notes)} if src.notes else {})},
    }


def rebucket(payload: dict, granularity: str) -> dict:
    """The same payload at another granularity, without any query (window switch).

    Needs the monthly trend; the window keeps the monthly payload and calls this.
    """
    mo.check_granularity(granularity)
    tf = payload["timeframe"]
    w = Window(mo.parse_month(tf["start_date"]), mo.parse_month(tf["end_date"]))
    monthly = payload["revenueTrend"]
    if tf["granularity"] != "month":
        raise ValueError("rebucket needs the monthly payload")
    out = dict(payload)
    out["revenueTrend"] = mo.bucket_trend(monthly, w, granularity)
    out["timeframe"] = {**tf, "granularity": granularity}
    return out
