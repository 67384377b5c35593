"""The ten executive KPIs of kpi-definitions.md, as pure functions of ExecSource.

Each `*_over(src, window)` returns (value, reason): the value, or None and a
one-line reason saying why it cannot be computed. No I/O here.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Callable

from ... import months as mo
from ...kpi import delta_of, direction_of  # noqa: F401  (the core's; re-exported)
from ...months import Window
from .source import ExecSource

Result = tuple[float | None, str | None]


@dataclass(frozen=True)
class KpiSpec:
    key: str
    label: str
    unit: str | None  # "currency" is replaced by the file's currency symbol
    better: str  # "up" or "down": which way is good, a property of the KPI
    fmt: str  # currency | ratio | months | multiple
    compute: Callable[[ExecSource, Window], Result]
    point_in_time: bool  # value is "at the window's last month" (nrr, backlog, arr...)


def _rev_rows(src: ExecSource, w: Window, col: int) -> list[float]:
    out = []
    for m in w.months:
        row = src.revenue.get(m)
        if row is not None and row[col] is not None:
            out.append(row[col])
    return out


def revenue_over(src: ExecSource, w: Window) -> Result:
    vals = _rev_rows(src, w, 0)
    if not vals:
        return None, src.reasons.get("revenue_trend") or f"no revenue_trend row in {w.label()}"
    return math.fsum(vals), None


def backlog_over(src: ExecSource, w: Window) -> Result:
    for m in reversed(w.months):
        row = src.revenue.get(m)
        if row is not None and row[2] is not None:
            return row[2], None
    return None, f"no revenue_trend backlog in {w.label()}"


def uptime_over(src: ExecSource, w: Window) -> Result:
    num = den = 0.0
    for m in w.months:
        v = src.uptime.get(m)
        if v is not None:
            d = mo.days_in_month(m)
            num += v * d
            den += d
    if not den:
        why = src.reasons.get("ops_uptime") or f"no ops_uptime row in {w.label()}"
        return None, why
    return num / den, None


def _latest_at_or_before(series: dict[int, float], m: int) -> tuple[int, float] | None:
    best = None
    for k, v in series.items():
        if k <= m and (best is None or k > best[0]):
            best = (k, v)
    return best


def nrr_over(src: ExecSource, w: Window) -> Result:
    hit = _latest_at_or_before(src.nrr, w.end)
    if hit is None:
        why = src.reasons.get("retention_nrr") or f"no retention_nrr row on or before {mo.fmt_month(w.end)}"
        return None, why
    return hit[1], None


def _orders_reason(src: ExecSource) -> str | None:
    if not src.orders_present:
        return src.reasons.get("orders", "table orders is empty")
    return None


def gm_over(src: ExecSource, w: Window) -> Result:
    why = _orders_reason(src)
    if why:
        return None, why
    profit = amount = 0.0
    for m in w.months:
        o = src.orders.get(m)
        if o is not None:
            profit += o.profit
            amount += o.amount_with_profit
    if amount == 0:
        return None, f"no order amount in {w.label()}"
    return profit / amount, None


def payback_over(src: ExecSource, w: Window) -> Result:
    if src.payback is None or src.payback[0] is None:
        why = src.reasons.get("executive_kpis") or "no executive_kpis row for payback"
        return None, why
    return src.payback[0], None


def book_to_bill_over(src: ExecSource, w: Window) -> Result:
    booked = recognized = 0.0
    seen = False
    for m in w.months:
        row = src.revenue.get(m)
        if row is not None and row[0] is not None and row[1] is not None:
            recognized += row[0]
            booked += row[1]
            seen = True
    if not seen:
        return None, f"no revenue_trend row in {w.label()}"
    if recognized == 0:
        return None, f"recognized revenue is 0 in {w.label()}"
    return booked / recognized, None


def _mean_recognized(src: ExecSource, end: int, n: int) -> float | None:
    vals = _rev_rows(src, Window(end - n + 1, end), 0)
    return math.fsum(vals) / len(vals) if vals else None


def coverage_over(src: ExecSource, w: Window) -> Result:
    backlog, why = backlog_over(src, w)
    if backlog is None:
        return None, why
    mean6 = _mean_recognized(src, w.end, 6)
    if not mean6:
        return None, f"no recognized revenue in the 6 months ending {mo.fmt_month(w.end)}"
    return backlog / mean6, None


def arr_over(src: ExecSource, w: Window) -> Result:
    why = _orders_reason(src)
    if why:
        return None, why
    o = src.orders.get(w.end)
    return 12.0 * (o.recurring if o is not None else 0.0), None


def forecast_parts(src: ExecSource, m: int) -> dict:
    """How the forecast at month m is computed (shown in the Sales > Revenue tab)."""
    pipeline = None
    pipeline_from = None
    if src.sql_daily:
        days = [d for d, _ in src.sql_daily]
        i = bisect.bisect_right(days, mo.last_day(m))
        if i:
            pipeline, pipeline_from = src.sql_daily[i - 1][1], f"pipeline_stages_daily {days[i - 1]}"
    if pipeline is None and src.sql_stage is not None:
        pipeline, pipeline_from = src.sql_stage, "pipeline_stages"
    hit = _latest_at_or_before(src.winrate, m)
    win = hit[1] if hit else None
    if pipeline and win:
        return {"method": "pipeline x win rate", "pipeline": pipeline, "pipeline_from": pipeline_from,
                "win_rate": win, "win_rate_period": mo.fmt_month(hit[0]), "value": pipeline * win}
    mean3 = _mean_recognized(src, m, 3)
    return {"method": "1.02 x mean recognized of the last 3 months", "pipeline": pipeline,
            "pipeline_from": pipeline_from, "win_rate": win, "mean_recognized_3m": mean3,
            "value": None if mean3 is None else 1.02 * mean3}


def forecast_over(src: ExecSource, w: Window) -> Result:
    parts = forecast_parts(src, w.end)
    if parts["value"] is None:
        return None, f"no pipeline x win rate and no recognized revenue in the 3 months ending {mo.fmt_month(w.end)}"
    return parts["value"], None


def _finite(compute: Callable[[ExecSource, Window], Result], table: str
            ) -> Callable[[ExecSource, Window], Result]:
    """`compute`, but a sum too large for a float gives None and says so.

    Each stored value is finite (to_float), yet values near 1e308 add up to
    infinity (math.fsum raises OverflowError) and inf/inf is NaN.
    """
    def guarded(src: ExecSource, w: Window) -> Result:
        try:
            value, reason = compute(src, w)
        except OverflowError:
            value, reason = math.inf, None
        if value is not None and not math.isfinite(value):
            return None, f"the {table} values in {w.label()} are too large to add up"
        return value, reason

    guarded.__name__ = compute.__name__
    return guarded


_KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("revenue", "Revenue", "currency", "up", "currency", revenue_over, False),
    KpiSpec("backlog", "Backlog", "currency", "up", "currency", backlog_over, True),
    KpiSpec("uptime", "Uptime", None, "up", "ratio", uptime_over, False),
    KpiSpec("nrr", "NRR", None, "up", "ratio", nrr_over, True),
    KpiSpec("gm", "Gross margin", None, "up", "ratio", gm_over, False),
    KpiSpec("payback", "CAC payback", "mo", "down", "months", payback_over, True),
    KpiSpec("book_to_bill", "Book-to-bill", None, "up", "multiple", book_to_bill_over, False),
    KpiSpec("coverage_months", "Coverage", "mo", "up", "months", coverage_over, True),
    KpiSpec("arr", "ARR", "currency", "up", "currency", arr_over, True),
    KpiSpec("forecast", "Forecast", "currency", "up", "currency", forecast_over, True),
)
_TABLE_OF = {"gm": "orders", "arr": "orders", "uptime": "ops_uptime", "nrr": "retention_nrr",
             "payback": "executive_kpis"}
KPIS: tuple[KpiSpec, ...] = tuple(
    KpiSpec(k.key, k.label, k.unit, k.better, k.fmt,
            _finite(k.compute, _TABLE_OF.get(k.key, "revenue_trend")), k.point_in_time)
    for k in _KPIS)
KPI_KEYS = tuple(k.key for k in KPIS)
# ratio KPIs whose change executives read in percentage points (payload `delta_pp`)
PP_KEYS = ("uptime", "nrr", "gm")
BY_KEY = {k.key: k for k in KPIS}
