"""The ten data-quality checks of commerce-pack.md, in order, at the as-of day D.

Checks 3-10 were counted when the file was read (quality_sql.py); freshness
and completeness depend on D and are counted here.
"""

from __future__ import annotations

import numpy as np

from . import catalogue as cat
from . import rules as r
from .quality_sql import EXAMPLES


def status_of(failing: int | None, checked: int) -> str:
    if failing is None:
        return "fail"
    if failing == 0:
        return "pass"
    return "warn" if failing <= 0.01 * checked else "fail"


def _days(src, table: str) -> np.ndarray | None:
    if table not in src.tables:
        return None
    if table == "sales_metrics_daily":
        return src.sales_days
    if table == "inventory_snapshots":
        return src.snapshot_days
    if table == "shop_activation_metrics":
        return np.array(sorted(src.activation), dtype=np.int64)
    if table == "ceo_time_savings":
        return np.array(sorted(src.time_saved), dtype=np.int64)
    return np.array(sorted({o[1] for o in src.operators}), dtype=np.int64)


def freshness(src, d: int) -> dict:
    worst, failing, examples = "pass", 0, []
    order = ("pass", "warn", "fail")
    for table in cat.DAILY_TABLES:
        days = _days(src, table)
        latest = None
        if days is not None and len(days):
            i = int(np.searchsorted(days, d, side="right"))
            latest = int(days[i - 1]) if i else None
        if days is None:
            st, note = "fail", f"{table}: missing"
        elif latest is None:
            st, note = "fail", f"{table}: no rows"
        else:
            lag = d - latest
            st = "pass" if lag <= 1 else "warn" if lag <= 3 else "fail"
            note = f"{table}: latest {r.iso(latest)}"
        if st != "pass":
            failing += 1
            examples.append(note)
        worst = max(worst, st, key=order.index)
    return {"check": "freshness", "status": worst, "failing": failing, "examples": examples}


def completeness(src, d: int) -> dict:
    have = set(int(x) for x in src.sales_days)
    missing = [r.iso(x) for x in range(d - 29, d + 1) if x not in have]
    return {"check": "completeness", "status": status_of(len(missing), 30), "failing": len(missing),
            "examples": missing[:EXAMPLES]}


def data_quality(src, d: int) -> list[dict]:
    out = [freshness(src, d), completeness(src, d)]
    for check in cat.CHECKS[2:]:
        failing, checked, examples = src.quality[check]
        out.append({"check": check, "status": status_of(failing, checked), "failing": failing,
                    "examples": list(examples)})
    return out
