"""The revenue curve and the orders that realise it, vectorised with numpy.

The curve (about 1.5-3 M a month, +2%/month, seasonal) does not depend on the
order count; each month's orders are scaled so that they sum to the curve, and
the month totals come back for the tables derived from them.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .timeline import S_CURVE, S_ORDERS, SEASON, Calendar, clock, rng

ORDER_TYPES = ("recognized", "booked", "subscription", "recurring")
TYPE_SHARE = np.array([0.55, 0.15, 0.20, 0.10])
TYPE_SIZE = np.array([1.30, 1.10, 0.60, 0.50])     # relative order size by type
TYPE_MARGIN = np.array([0.40, 0.37, 0.46, 0.44])   # gross margin by type
TIMESTAMP_SHARE = 0.03                              # orders dated with a time of day
CHUNK = 100_000                                     # rows per executemany

REVENUE_AT_END = 2_500_000.0   # the curve's level at `end` before seasonality
GROWTH = 1.02                  # per month
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 1.0, 0.55, 0.45)  # Mon..Sun


def revenue_curve(seed: int, cal: Calendar) -> np.ndarray:
    r = rng(seed, S_CURVE)
    k = np.arange(cal.months)
    season = np.array([SEASON[ym % 12] for ym in cal.yms])
    noise = 1.0 + r.normal(0.0, 0.02, cal.months)
    return REVENUE_AT_END * GROWTH ** (k - (cal.months - 1)) * season * noise


def _split_counts(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers >= 1 summing to `total`, proportional to weights (largest remainder)."""
    n = len(weights)
    spare = total - n
    w = weights / weights.sum()
    raw = w * spare
    base = np.floor(raw).astype(np.int64)
    rest = spare - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base + 1


class MonthTotals:
    """Per-month sums of the orders (and per-day revenue), exact via math.fsum."""

    def __init__(self, months: int, total_days: int):
        self.amount = np.zeros(months)
        self.profit = np.zeros(months)
        self.mrr = np.zeros(months)
        self.daily = np.zeros(total_days)


def insert(conn, seed: int, cal: Calendar, orders: int, curve: np.ndarray,
           avail: np.ndarray, progress: Callable[[float, str], None]) -> MonthTotals:
    """Insert the orders month by month, in date order; return the monthly sums.

    A month is drawn in blocks of CHUNK rows, each from its own random stream,
    so memory stays flat whatever the month's size (10 M orders in one month
    included): only the month's raw sizes and types are held in full, to scale
    the month to its revenue target. Sums use math.fsum (exact, platform-free).
    """
    counts = _split_counts(orders, curve)
    tot = MonthTotals(cal.months, cal.total_days)
    types_obj = np.array(ORDER_TYPES, dtype=object)
    cum = np.cumsum(TYPE_SHARE)
    cum[-1] = 1.0
    wday_w = np.array(WEEKDAY_WEIGHT)[cal.weekday]
    sql = "INSERT INTO orders(customer_id, amount, profit, order_date, type) VALUES (?,?,?,?,?)"
    done = 0
    for k in range(cal.months):
        n = int(counts[k])
        days = cal.day_range(k)
        p = wday_w[days.start:days.stop]
        day_counts = rng(seed, S_ORDERS, k).multinomial(n, p / p.sum())
        day_end = np.cumsum(day_counts)            # rows [day_end[d-1], day_end[d]) on day d
        blocks = [(a, min(n, a + CHUNK)) for a in range(0, n, CHUNK)]
        # pass 1: types and raw sizes, to scale the month to its revenue target
        t = np.empty(n, dtype=np.int8)
        raw = np.empty(n)
        raw_parts = []
        for j, (a, b) in enumerate(blocks):
            rb = rng(seed, S_ORDERS, k, j)
            t[a:b] = np.minimum(np.searchsorted(cum, rb.random(b - a), side="right"), 3)
            raw[a:b] = rb.lognormal(0.0, 0.8, b - a) * TYPE_SIZE[t[a:b]]
            raw_parts.append(math.fsum(raw[a:b].tolist()))
        scale = curve[k] / math.fsum(raw_parts)
        # pass 2: the rows
        amount_parts, profit_parts, mrr_parts = [], [], []
        daily = tot.daily[days.start:days.stop]
        for j, (a, b) in enumerate(blocks):
            rb = rng(seed, S_ORDERS, k, j, 1)
            m = b - a
            tb = t[a:b]
            amount = np.maximum(np.round(raw[a:b] * scale, 2), 0.01)
            margin = np.clip(TYPE_MARGIN[tb] + rb.normal(0.0, 0.018, m), 0.33, 0.50)
            profit = np.round(amount * margin, 2)
            local = np.searchsorted(day_end, np.arange(a, b), side="right")
            gday = days.start + local
            have = avail[gday]
            cust = np.minimum(1 + np.floor(have * rb.random(m) ** 1.4).astype(np.int64), have)
            dates = cal.dates_obj[gday].tolist()
            stamped = np.flatnonzero(rb.random(m) < TIMESTAMP_SHARE)
            secs = rb.integers(0, 86_400, len(stamped))
            for i, sec in zip(stamped.tolist(), secs.tolist()):
                dates[i] = f"{dates[i]} {clock(sec)}"
            amounts = amount.tolist()
            profits = profit.tolist()
            amount_parts.append(math.fsum(amounts))
            profit_parts.append(math.fsum(profits))
            mrr_parts.append(math.fsum(amount[tb >= 2].tolist()))
            daily += np.bincount(local, weights=amount, minlength=len(days))
            conn.executemany(sql, zip(cust.tolist(), amounts, profits, dates,
                                      types_obj[tb].tolist()))
            done += m
            progress(done / orders, f"orders {cal.periods[k]}")
        tot.amount[k] = math.fsum(amount_parts)
        tot.profit[k] = math.fsum(profit_parts)
        tot.mrr[k] = math.fsum(mrr_parts)
        del t, raw
    return tot
