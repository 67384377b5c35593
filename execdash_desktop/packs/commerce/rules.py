"""The Commerce rules of commerce-pack.md as small pure functions over a loaded source.

Days are UTC epoch days (int). A span is (lo, hi), both inclusive.
"""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

import numpy as np

from . import catalogue as cat

_EPOCH = date(1970, 1, 1)


def to_date(d: int) -> date:
    return _EPOCH + timedelta(days=int(d))


def to_day(x: date) -> int:
    return (x - _EPOCH).days


def iso(d: int) -> str:
    return to_date(d).isoformat()


# ---- percentiles: PostgreSQL percentile_cont (linear interpolation between closest ranks)
def percentile_cont(values, p: float) -> float | None:
    v = sorted(float(x) for x in values)
    if not v:
        return None
    pos = p * (len(v) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def hist_percentile(values: np.ndarray, counts: np.ndarray, p: float) -> float | None:
    """percentile_cont of a multiset given as distinct-or-not values with counts (a GROUP BY's rows)."""
    keep = ~np.isnan(values) & (counts > 0)
    values, counts = values[keep], counts[keep]
    if not len(values):
        return None
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    cum = np.cumsum(counts)
    pos = p * (int(cum[-1]) - 1)
    lo = math.floor(pos)

    def at(rank: int) -> float:  # 0-based rank in the sorted multiset
        return float(values[int(np.searchsorted(cum, rank, side="right"))])

    a = at(lo)
    b = at(min(lo + 1, int(cum[-1]) - 1))
    return a + (b - a) * (pos - lo)


# ---- windows
def last_n(d: int, n: int) -> tuple[int, int]:
    return d - n + 1, d


def mtd(d: int) -> tuple[int, int]:
    x = to_date(d)
    return to_day(x.replace(day=1)), d


def mtd_before(d: int) -> tuple[int, int]:
    """The same days of the previous month, clipped to its length."""
    x = to_date(d)
    y, m = (x.year, x.month - 1) if x.month > 1 else (x.year - 1, 12)
    start = date(y, m, 1)
    return to_day(start), to_day(start) + min(x.day, calendar.monthrange(y, m)[1]) - 1


def ytd(d: int) -> tuple[int, int]:
    return to_day(date(to_date(d).year, 1, 1)), d


def ytd_before(d: int) -> tuple[int, int]:
    x = to_date(d)
    y = x.year - 1
    end = date(y, x.month, min(x.day, calendar.monthrange(y, x.month)[1]))
    return to_day(date(y, 1, 1)), to_day(end)


def covered(span: tuple[int, int], first: int | None) -> bool:
    """A comparison span is honest only when the table's data starts on or before its first day."""
    return first is not None and span[0] >= first


# ---- daily tables
def sales_sum(sales: dict[int, dict], span: tuple[int, int], key: str) -> float | None:
    vals = [sales[d][key] for d in range(span[0], span[1] + 1) if d in sales and sales[d][key] is not None]
    return float(sum(vals)) if vals else None


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def mean_over(values: dict[int, float | None], span: tuple[int, int]) -> float | None:
    vals = [values[d] for d in range(span[0], span[1] + 1) if values.get(d) is not None]
    return sum(vals) / len(vals) if vals else None


# ---- inventory
def severity(status: str, days_of_cover: float | None) -> str | None:
    if status == "out_of_stock":
        return "critical"
    if status == "low_stock":
        return "high" if days_of_cover is not None and days_of_cover < 7 else "medium"
    if status == "overstock":
        return "low"
    return None


def snapshot_on_or_before(snapshot_days: np.ndarray, d: int) -> int | None:
    i = int(np.searchsorted(snapshot_days, d, side="right"))
    return int(snapshot_days[i - 1]) if i else None


def alerts_at(alert_rows: dict[int, list[tuple]], snapshot_days: np.ndarray, d: int) -> list[dict] | None:
    """The alert list of the latest snapshot on or before d (None without one), ordered as pinned."""
    s = snapshot_on_or_before(snapshot_days, d)
    if s is None:
        return None
    out = []
    for day_, sku, status, qty, cover in alert_rows.get(s, ()):
        if day_ == s:
            sev = severity(status, cover)
            out.append({"sku": sku, "severity": sev, "stock_status": status,
                        "quantity_available": qty, "days_of_cover": cover})
    rank = {s: i for i, s in enumerate(cat.SEVERITIES)}
    out.sort(key=lambda a: (rank[a["severity"]], a["days_of_cover"] is None,
                            a["days_of_cover"] if a["days_of_cover"] is not None else 0, a["sku"] or ""))
    return out


def urgent_count(alerts: list[dict] | None) -> int | None:
    return None if alerts is None else sum(1 for a in alerts if a["severity"] in ("critical", "high"))


# ---- conversations
def open_escalations(escalated: list[dict], first_day: int | None, d: int) -> list[dict] | None:
    """Escalated conversations open at the end of day d (None before the first conversation)."""
    if first_day is None or d < first_day:
        return None
    end = (d + 1) * 86400
    out = [e for e in escalated if e["created"] < end and (
        e["status"] in cat.OPEN_CX or (e["resolved"] is not None and e["resolved"] >= end))]
    rank = {p: i for i, p in enumerate(cat.PRIORITIES)}
    out.sort(key=lambda e: (rank.get(e["priority"], len(rank)), e["created"], str(e["conversation"])))
    return out
