"""The Engineering rules of engineering-pack.md as vector operations over an EngSource.

Which bugs are open at T, breached at T, their priority, project risk and
the monthly trend. Pure: no I/O. Each moment's facts are memoised in the
source (a repeat payload costs nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ...moments import DAY, HOUR, month_start
from . import catalogue as cat
from .source import Bugs, EngSource


@dataclass(frozen=True)
class Facts:
    t: float
    open: np.ndarray  # bool per bug
    counts: tuple[int, int, int, int]  # open by severity (SEVERITIES order)
    blockers: int
    breached: np.ndarray  # indices of the bugs breached at t, most overdue first (ties by bug row)
    hours_open: np.ndarray  # per breached bug


def open_at(b: Bugs, t: float) -> np.ndarray:
    exists = np.isnan(b.created) | (b.created <= t)
    countable = (b.status == cat.ST_ACTIVE) | (b.status == cat.ST_RESOLVED)
    return exists & countable & ~(b.resolution <= t)


def counts_at(b: Bugs, t: float) -> tuple[tuple[int, int, int, int], int, np.ndarray]:
    """Open counts by severity, open blockers, and the open mask."""
    op = open_at(b, t)
    sev = b.sev[op]
    counts = tuple(int(n) for n in np.bincount(sev[sev >= 0], minlength=4)[:4])
    return counts, int(np.count_nonzero(b.blocker & op)), op  # type: ignore[return-value]


def may_be_open(b: Bugs, lo: float, hi: float) -> Bugs:
    """The bugs that can be open at some moment from lo to hi; every other bug is open at none of
    them, so counts at many moments of that span read a fifth of the rows instead of all."""
    keep = (((b.status == cat.ST_ACTIVE) | (b.status == cat.ST_RESOLVED)) & ~(b.resolution <= lo)
            & (np.isnan(b.created) | (b.created <= hi)))
    idx = np.flatnonzero(keep)
    return Bugs(**{f.name: getattr(b, f.name)[idx] for f in fields(Bugs) if f.name != "extras"})


def breached_at(b: Bugs, t: float, op: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        age = (t - b.created) / HOUR
        return op & ~np.isnan(b.created) & (b.sla > 0) & (age > b.sla)


def facts(src: EngSource, t: float) -> Facts:
    with src._lock:
        hit = src._memo.get(("facts", t))
    if hit is not None:
        return hit
    b = src.bugs
    counts, blockers, op = counts_at(b, t)
    br = np.flatnonzero(breached_at(b, t, op))
    hours = (t - b.created[br]) / HOUR
    overdue = hours - b.sla[br]
    order = np.lexsort((b.rowid[br], -overdue))  # most overdue first, then by row (bug_number order in the demo)
    out = Facts(t, op, counts, blockers, br[order], hours[order])
    with src._lock:
        if len(src._memo) > 256:  # a long as-of session: start again rather than grow
            src._memo.clear()
        src._memo[("facts", t)] = out
    return out


def priority(b: Bugs, t: float, idx: np.ndarray | None = None) -> np.ndarray:
    """min(100, severity points + min(30, floor(revenue/1000)) + 20 if blocker + min(10, whole days open))."""
    sel = slice(None) if idx is None else idx
    pts = np.array([cat.SEVERITY_POINTS[s] for s in cat.SEVERITIES] + [0])[b.sev[sel]]
    rev = np.minimum(30, np.floor(np.maximum(b.revenue[sel], 0) / 1000))
    end = np.minimum(b.resolution[sel], t)
    with np.errstate(invalid="ignore"):
        days = np.floor((end - b.created[sel]) / DAY)
    days = np.clip(np.nan_to_num(days, nan=0.0), 0, 10)
    return np.minimum(100, pts + rev + 20 * b.blocker[sel] + days).astype(np.int64)


def project_rows(src: EngSource, f: Facts) -> list[dict]:
    """The projects with their open blockers / critical / high at T and risk, in the page's order."""
    b = src.bugs
    n = len(src.projects)
    linked = f.open & (b.project >= 0)
    proj = b.project[linked]
    blockers = np.bincount(proj[b.blocker[linked]], minlength=n)
    crit = np.bincount(proj[b.sev[linked] == 0], minlength=n)
    high = np.bincount(proj[b.sev[linked] == 1], minlength=n)
    rows = []
    for i, p in enumerate(src.projects):
        nb, nc, nh = int(blockers[i]), int(crit[i]), int(high[i])
        risk = "HIGH" if nb > 0 else "MEDIUM" if nc + nh > 3 else "LOW"
        total, current = p["total_milestones"] or 0, p["current_milestone"] or 0
        rows.append({"name": p["name"], "status": p["status"], "risk_level": risk, "blocker_count": nb,
                     "critical_count": nc, "high_count": nh, "dcf_valuation": p["dcf_valuation"],
                     "roi_score": p["roi_score"], "complexity": p["complexity"],
                     "client_appeal": p["client_appeal"],
                     "estimated_days_to_completion": max(0, total - current) * cat.MILESTONE_DAYS})
    rows.sort(key=lambda r: (cat.RISK_ORDER[r["risk_level"]], r["dcf_valuation"] is None,
                             -(r["dcf_valuation"] or 0.0), r["name"]))
    return rows


def portfolio_value(src: EngSource) -> float | None:
    vals = [p["dcf_valuation"] for p in src.projects if p["status"] != "cancelled" and p["dcf_valuation"] is not None]
    return float(sum(vals)) if vals else None


def infra_cost(src: EngSource) -> float | None:
    vals = [p["monthly_infra_cost"] for p in src.projects
            if p["status"] in ("active", "shipped") and p["monthly_infra_cost"] is not None]
    return float(sum(vals)) if vals else None


def portfolio_then(src: EngSource, t: float) -> tuple[float | None, float | None]:
    """(portfolio_dcf_total, monthly_deps_cost) of the latest snapshot on or before t."""
    best = None
    for row in src.portfolio:
        if row[0] <= t:
            best = row
    return (best[1], best[2]) if best else (None, None)


def _whole_month_row(src: EngSource, t: float, m: int) -> dict | None:
    """monthly_metrics' row for month m when it stands for the whole month (the month ended by t)."""
    row = src.monthly.get(m)
    return row if row is not None and month_start(m + 1) <= t + 1 else None


def _in_month(moment: np.ndarray, t: float, m: int) -> np.ndarray:
    """In month m and not after t. (Not `< min(month end, t + 1e-9)`: at today's epoch seconds a float
    cannot hold t + 1e-9, so a bug at exactly t was left out.)"""
    return (moment >= month_start(m)) & (moment < month_start(m + 1)) & (moment <= t)


def resolved_from_bugs(src: EngSource, t: float, months: range) -> np.ndarray:
    """The bugs whose hours trend_months adds up (resolved in a month of `months` that monthly_metrics
    does not cover): their hours can be read ahead."""
    masks = [_in_month(src.bugs.resolution, t, m) for m in months if _whole_month_row(src, t, m) is None]
    return np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.empty(0, np.intp)


def trend_months(src: EngSource, t: float, months: range) -> list[dict]:
    """One row per month of the window: monthly_metrics when it has a whole month's row, else from bugs."""
    b = src.bugs
    out = []
    for m in months:
        row = _whole_month_row(src, t, m)
        if row is not None:
            created, resolved = row["bugs_created"], row["bugs_resolved"]
            hours, cost = row["eng_hours"], row["total_cost"]
            out.append({"period": _period(m), "created": _int(created), "resolved": _int(resolved),
                        "avg_resolution_days": row["avg_resolution_days"], "eng_hours": hours,
                        "cost": cost, "source": "monthly_metrics"})
            continue
        c = np.count_nonzero(_in_month(b.created, t, m))
        res = _in_month(b.resolution, t, m)
        n = int(np.count_nonzero(res))
        with_created = res & ~np.isnan(b.created)
        days = (b.resolution[with_created] - b.created[with_created]) / DAY
        hours = float(b.extras.of("actual_hours", np.flatnonzero(res)).sum())
        out.append({"period": _period(m), "created": int(c), "resolved": n,
                    "avg_resolution_days": float(days.mean()) if days.size else None,
                    "eng_hours": hours, "cost": hours * cat.COST_PER_HOUR, "source": "bugs"})
    return out


def _int(v):
    return None if v is None else int(round(v))


def _period(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"
