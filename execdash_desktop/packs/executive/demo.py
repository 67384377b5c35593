"""The deterministic demo data generator: a coherent executive data file.

`generate(path, end="2026-10", months=24, orders=100_000, seed=7)` writes a
SQLite file with every table of the seed-000 schema filled (except the app's
own `user_events` / `user_event_meta`, left empty). The same arguments and
seed give byte-for-byte the same data: nothing reads the clock except the
default `end` (the month before today's), and every date derives from `end`.

The story the data tells (tests rely on it):
- monthly revenue follows a curve that does not depend on the order count
  (about 1.5-3 M a month, +2%/month, Q4 high, summer dip); each month's
  `revenue_trend.recognized` is the exact sum of that month's `orders.amount`;
- the backlog spikes 2 months before `end`, uptime dips the month before
  `end`, and the alerts name both (with the numbers of the file).

Built for size: 10 M orders in well under 3 minutes and a few hundred MB of
memory. The file is written under a temporary name in the same folder and
moved into place only when complete. No Qt, no pandas: numpy and sqlite3.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import os
import re
import sqlite3
import secrets
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...errors import DataFileError
from ...store import SCHEMA_VERSION, create_schema, schema_sql

__all__ = ["generate"]

ProgressFn = Callable[[float, str], None]

# Orders --------------------------------------------------------------------
ORDER_TYPES = ("recognized", "booked", "subscription", "recurring")
TYPE_SHARE = np.array([0.55, 0.15, 0.20, 0.10])
TYPE_SIZE = np.array([1.30, 1.10, 0.60, 0.50])     # relative order size by type
TYPE_MARGIN = np.array([0.40, 0.37, 0.46, 0.44])   # gross margin by type
TIMESTAMP_SHARE = 0.03                              # orders dated with a time of day
CHUNK = 100_000                                     # rows per executemany
N_CUSTOMERS = 3_000

REVENUE_AT_END = 2_500_000.0   # the curve's level at `end` before seasonality
GROWTH = 1.02                  # per month
# Calendar-month seasonality: Q4 high, summer dip.
SEASON = (0.95, 0.93, 1.00, 0.98, 0.99, 0.97, 0.90, 0.88, 0.98, 1.06, 1.10, 1.14)
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 1.0, 0.55, 0.45)  # Mon..Sun

# RNG streams: one per table so that each table's rows depend on the seed and
# the calendar only (changing one table never reshuffles another).
(_S_CURVE, _S_ORDERS, _S_CUSTOMERS, _S_REVENUE, _S_OPS, _S_SUPPLY, _S_TELEMETRY,
 _S_PRODUCTS, _S_PIPELINE, _S_RETENTION, _S_ALERTS, _S_RISKS, _S_MISC,
 _S_EXPENSES, _S_FEEDBACK, _S_VISITS) = range(16)

_END_RE = re.compile(r"^(\d{4})-(\d{2})$")
_MAX_MONTHS = 600


# Calendar helpers ------------------------------------------------------------
def _ym(year: int, month: int) -> int:
    return year * 12 + (month - 1)


def _period(ym: int) -> str:
    return f"{ym // 12:04d}-{ym % 12 + 1:02d}"


def _first_day(ym: int) -> _dt.date:
    return _dt.date(ym // 12, ym % 12 + 1, 1)


def _days_in(ym: int) -> int:
    return calendar.monthrange(ym // 12, ym % 12 + 1)[1]


def _last_day(ym: int) -> _dt.date:
    return _dt.date(ym // 12, ym % 12 + 1, _days_in(ym))


def _default_end(today: _dt.date | None = None) -> str:
    today = today or _dt.date.today()
    return _period(_ym(today.year, today.month) - 1)


def _rng(seed: int, stream: int, *extra: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream, *extra])


def _clock(seconds: int) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _money(x: float) -> str:
    return f"£{x / 1e6:.2f}M" if abs(x) >= 1e6 else f"£{x / 1e3:.0f}k"


# Validation -----------------------------------------------------------------
def _is_int(x: object) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _validate(path, end, months, orders, seed) -> tuple[Path, int]:
    if end is None:
        end = _default_end()
    if not isinstance(end, str) or not _END_RE.match(end):
        raise DataFileError(f"invalid end {end!r}: expected a month as YYYY-MM")
    year, month = (int(p) for p in end.split("-"))
    if not (1 <= month <= 12) or not (1900 <= year <= 9999):
        raise DataFileError(f"invalid end {end!r}: expected a month as YYYY-MM (1900-01 to 9999-12)")
    end_ym = _ym(year, month)
    if not _is_int(months) or not (1 <= months <= _MAX_MONTHS):
        raise DataFileError(f"invalid months {months!r}: expected an integer from 1 to {_MAX_MONTHS}")
    if end_ym - (months - 1) - 12 < _ym(1900, 1):
        raise DataFileError(f"invalid months {months!r}: history would start before 1901 (end {end})")
    if not _is_int(orders) or orders < months:
        raise DataFileError(
            f"invalid orders {orders!r}: expected an integer >= months ({months}), "
            "at least one order a month"
        )
    if not _is_int(seed) or seed < 0:
        raise DataFileError(f"invalid seed {seed!r}: expected an integer >= 0")
    p = Path(os.fspath(path)).expanduser()
    if p.is_dir():
        raise DataFileError(f"{p}: is a folder, not a data file")
    if not p.parent.is_dir():
        raise DataFileError(f"{p}: folder {p.parent} does not exist")
    return p, end_ym


# The generator ----------------------------------------------------------------
class _Calendar:
    """Every day of the history, as strings, with per-month offsets."""

    def __init__(self, start_ym: int, months: int):
        self.start_ym = start_ym
        self.months = months
        self.yms = [start_ym + k for k in range(months)]
        self.periods = [_period(ym) for ym in self.yms]
        self.ndays = np.array([_days_in(ym) for ym in self.yms], dtype=np.int64)
        self.offset = np.concatenate([[0], np.cumsum(self.ndays)[:-1]]).astype(np.int64)
        self.total_days = int(self.ndays.sum())
        d0 = _first_day(start_ym)
        self.day0 = d0
        days = [d0 + _dt.timedelta(days=i) for i in range(self.total_days)]
        self.dates = [d.isoformat() for d in days]
        self.dates_obj = np.array(self.dates, dtype=object)
        self.weekday = np.array([d.weekday() for d in days], dtype=np.int64)
        self.month_of_day = np.repeat(np.arange(months), self.ndays)

    def day_range(self, k: int) -> range:
        o = int(self.offset[k])
        return range(o, o + int(self.ndays[k]))


def _revenue_curve(seed: int, cal: _Calendar) -> np.ndarray:
    r = _rng(seed, _S_CURVE)
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


def _customers(conn, seed: int, cal: _Calendar) -> np.ndarray:
    """Insert the customers; return, per day of history, how many exist by then."""
    r = _rng(seed, _S_CUSTOMERS)
    prefixes = ("Apex", "Northwind", "Bluebird", "Cedar", "Summit", "Harbour", "Meridian",
                "Oakridge", "Pinnacle", "Riverside", "Sterling", "Thistle", "Vanguard",
                "Willow", "Beacon", "Copper", "Driftwood", "Evergreen", "Falcon", "Granite",
                "Hawthorn", "Ironbridge", "Juniper", "Kestrel", "Lakeside", "Marlow",
                "Nimbus", "Orchard", "Parkside", "Quayside", "Redwood", "Saffron", "Tamar",
                "Upland", "Valley", "Westbrook", "Yarrow", "Zenith", "Aldgate", "Brookfield")
    cores = ("Logistics", "Foods", "Retail", "Health", "Systems", "Hospitality", "Coffee",
             "Labs", "Hotels", "Offices", "Studios", "Fitness", "Motors", "Education",
             "Clinics", "Partners", "Kitchens", "Markets", "Energy", "Media", "Leisure",
             "Care", "Estates", "Dining", "Workspace", "Travel", "Bakeries", "Pharmacy",
             "Engineering", "Consulting")
    forms = ("Ltd", "plc", "Group", "& Co", "LLP")
    combos = len(prefixes) * len(cores) * len(forms)
    picks = r.permutation(combos)[:N_CUSTOMERS]
    names = []
    for c in picks.tolist():
        p, rest = divmod(c, len(cores) * len(forms))
        co, f = divmod(rest, len(forms))
        names.append(f"{prefixes[p]} {cores[co]} {forms[f]}")
    industries = ("Hospitality", "Retail", "Healthcare", "Education", "Corporate offices",
                  "Fitness", "Transport", "Public sector")
    ind_p = np.array([0.24, 0.18, 0.12, 0.10, 0.20, 0.06, 0.05, 0.05])
    sources = ("referral", "web", "partner", "outbound", "event", "paid search")
    src_p = np.array([0.22, 0.28, 0.16, 0.14, 0.08, 0.12])
    # 35% were customers before the history starts (over the year before);
    # the rest arrive over the history, more of them later (growth).
    pre = int(N_CUSTOMERS * 0.35)
    pre_days = r.integers(-365, 0, pre)
    u = r.random(N_CUSTOMERS - pre)
    new_days = np.floor(cal.total_days * u ** 0.8).astype(np.int64)
    created = np.sort(np.concatenate([pre_days, new_days]))
    ind = r.choice(len(industries), N_CUSTOMERS, p=ind_p)
    src = r.choice(len(sources), N_CUSTOMERS, p=src_p)
    rows = []
    for i in range(N_CUSTOMERS):
        d = cal.day0 + _dt.timedelta(days=int(created[i]))
        rows.append((i + 1, names[i], industries[ind[i]], sources[src[i]], d.isoformat()))
    conn.executemany("INSERT INTO customers(id, name, industry, source, created_at) "
                     "VALUES (?,?,?,?,?)", rows)
    # customers existing at the end of each day of the history
    return np.searchsorted(created, np.arange(cal.total_days), side="right").astype(np.int64)


class _MonthTotals:
    def __init__(self, months: int, total_days: int):
        self.amount = np.zeros(months)
        self.profit = np.zeros(months)
        self.mrr = np.zeros(months)
        self.daily = np.zeros(total_days)


def _orders(conn, seed: int, cal: _Calendar, orders: int, curve: np.ndarray,
            avail: np.ndarray, progress: Callable[[float, str], None]) -> _MonthTotals:
    """Insert the orders month by month, in date order; return the monthly sums.

    A month is drawn in blocks of CHUNK rows, each from its own random stream,
    so memory stays flat whatever the month's size (10 M orders in one month
    included): only the month's raw sizes and types are held in full, to scale
    the month to its revenue target. Sums use math.fsum (exact, platform-free).
    """
    counts = _split_counts(orders, curve)
    tot = _MonthTotals(cal.months, cal.total_days)
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
        day_counts = _rng(seed, _S_ORDERS, k).multinomial(n, p / p.sum())
        day_end = np.cumsum(day_counts)            # rows [day_end[d-1], day_end[d]) on day d
        blocks = [(a, min(n, a + CHUNK)) for a in range(0, n, CHUNK)]
        # pass 1: types and raw sizes, to scale the month to its revenue target
        t = np.empty(n, dtype=np.int8)
        raw = np.empty(n)
        raw_parts = []
        for j, (a, b) in enumerate(blocks):
            rb = _rng(seed, _S_ORDERS, k, j)
            t[a:b] = np.minimum(np.searchsorted(cum, rb.random(b - a), side="right"), 3)
            raw[a:b] = rb.lognormal(0.0, 0.8, b - a) * TYPE_SIZE[t[a:b]]
            raw_parts.append(math.fsum(raw[a:b].tolist()))
        scale = curve[k] / math.fsum(raw_parts)
        # pass 2: the rows
        amount_parts, profit_parts, mrr_parts = [], [], []
        daily = tot.daily[days.start:days.stop]
        for j, (a, b) in enumerate(blocks):
            rb = _rng(seed, _S_ORDERS, k, j, 1)
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
                dates[i] = f"{dates[i]} {_clock(sec)}"
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


def _revenue_trend(conn, seed: int, cal: _Calendar, tot: _MonthTotals) -> dict:
    """Recognized = the orders; booked by book-to-bill; backlog = running stock."""
    r = _rng(seed, _S_REVENUE)
    m = cal.months
    recognized = np.round(tot.amount, 2)
    btb = r.uniform(0.95, 1.15, m)
    spike = m - 3 if m >= 3 else None      # 2 months before end
    if spike is not None:
        btb[spike] = r.uniform(1.95, 2.15)
        if spike + 1 < m:
            btb[spike + 1] = r.uniform(0.78, 0.86)   # partly works off again
        if spike + 2 < m:
            btb[spike + 2] = r.uniform(0.90, 0.96)
    booked = np.round(recognized * btb, 2)
    start_backlog = round(float(recognized[0]) * r.uniform(1.9, 2.1), 2)
    backlog = np.empty(m)
    prev = start_backlog
    for k in range(m):
        prev = round(prev + float(booked[k]) - float(recognized[k]), 2)
        backlog[k] = prev
    conn.executemany(
        "INSERT INTO revenue_trend(period, recognized, booked, backlog) VALUES (?,?,?,?)",
        zip(cal.periods, recognized.tolist(), booked.tolist(), backlog.tolist()))
    info = {"recognized": recognized, "booked": booked, "backlog": backlog, "spike": spike}
    if spike is not None:
        before = start_backlog if spike == 0 else float(backlog[spike - 1])
        info["spike_before"] = before
        info["spike_pct"] = float(backlog[spike]) / before - 1.0
    return info


def _ops(conn, seed: int, cal: _Calendar) -> dict:
    r = _rng(seed, _S_OPS)
    m = cal.months
    uptime = np.round(r.uniform(0.993, 0.999, m), 4)
    dip = m - 2 if m >= 2 else None        # the month before end
    if dip is not None:
        uptime[dip] = round(r.uniform(0.973, 0.977), 4)
    mtbf = r.uniform(620, 880, m)
    mttr = r.uniform(2.0, 4.5, m)
    doa = r.uniform(0.005, 0.012, m)
    defect = r.uniform(0.010, 0.025, m)
    warranty = r.uniform(0.020, 0.040, m)
    if dip is not None:
        mtbf[dip] = r.uniform(260, 320)
        mttr[dip] = r.uniform(9.0, 12.0)
        defect[dip] = r.uniform(0.030, 0.036)
    cost = 21.0 * 0.995 ** np.arange(m)[::-1] * (1 + r.normal(0, 0.03, m))
    if dip is not None:
        cost[dip] *= 1.18
    p = cal.periods
    conn.executemany("INSERT INTO ops_uptime(period, uptime) VALUES (?,?)",
                     zip(p, uptime.tolist()))
    conn.executemany("INSERT INTO ops_reliability(period, mtbf_hours, mttr_hours) VALUES (?,?,?)",
                     zip(p, np.round(mtbf, 1).tolist(), np.round(mttr, 2).tolist()))
    conn.executemany("INSERT INTO ops_quality(period, doa_pct, defect_pct, warranty_pct) "
                     "VALUES (?,?,?,?)", zip(p, np.round(doa, 4).tolist(),
                                            np.round(defect, 4).tolist(),
                                            np.round(warranty, 4).tolist()))
    conn.executemany("INSERT INTO ops_service_cost(period, cost_per_device) VALUES (?,?)",
                     zip(p, np.round(cost, 2).tolist()))
    return {"uptime": uptime, "dip": dip, "mttr": mttr, "doa": doa}


def _supply(conn, seed: int, cal: _Calendar, tot: _MonthTotals) -> dict:
    r = _rng(seed, _S_SUPPLY)
    m = cal.months
    components = ["Brewing unit", "Grinder assembly", "Electronics & PCB", "Housing & panels",
                  "Water system", "Packaging", "Freight & logistics", "Assembly labour"]
    n = int(r.integers(6, 9))
    components = components[:n]
    shares = r.dirichlet(np.linspace(4.0, 1.5, n))
    cogs_end = float(tot.amount[-1] - tot.profit[-1])
    conn.executemany("INSERT INTO supply_cogs_breakdown(id, component, cost) VALUES (?,?,?)",
                     [(i + 1, c, round(cogs_end * float(s), 2))
                      for i, (c, s) in enumerate(zip(components, shares))])
    variance = np.round(np.abs(r.normal(0.02, 0.01, m)) + 0.002, 4)
    lead = 24 + np.cumsum(r.normal(0, 0.8, m)) * 0.5 + r.normal(0, 1.2, m)
    lead = np.clip(lead, 18, 34)
    # the last month: supplier trouble (an alert names it)
    lead[-1] = max(float(lead[-1]), 0.0) + r.uniform(9, 13)
    variance[-1] = round(float(r.uniform(0.055, 0.075)), 4)
    turns = np.clip(6.5 + r.normal(0, 0.35, m), 5.2, 7.8)
    turns[-1] = r.uniform(4.6, 5.0)
    p = cal.periods
    conn.executemany("INSERT INTO supply_cogs_variance(period, variance_pct) VALUES (?,?)",
                     zip(p, variance.tolist()))
    conn.executemany("INSERT INTO supply_lead_time(period, lead_time_days) VALUES (?,?)",
                     zip(p, np.round(lead, 1).tolist()))
    conn.executemany("INSERT INTO supply_inventory_turns(period, turns_per_year) VALUES (?,?)",
                     zip(p, np.round(turns, 2).tolist()))
    return {"lead": np.round(lead, 1), "variance": variance, "turns": np.round(turns, 2)}


def _telemetry(conn, seed: int, cal: _Calendar) -> None:
    r = _rng(seed, _S_TELEMETRY)
    m = cal.months
    season = np.array([SEASON[ym % 12] for ym in cal.yms])
    hours = 6.2 * season ** 0.5 + r.normal(0, 0.15, m)
    grams = 17.5 + r.normal(0, 0.35, m)
    devices = np.round(9_000 * 1.025 ** np.arange(m) * (1 + r.normal(0, 0.004, m)))
    devices = np.maximum.accumulate(devices).astype(np.int64)   # growing
    p = cal.periods
    conn.executemany("INSERT INTO telemetry_utilization(period, avg_hours_per_device) "
                     "VALUES (?,?)", zip(p, np.round(hours, 2).tolist()))
    conn.executemany("INSERT INTO telemetry_consumption(period, grams_per_cycle) VALUES (?,?)",
                     zip(p, np.round(grams, 2).tolist()))
    conn.executemany("INSERT INTO telemetry_active_devices(period, active_devices) VALUES (?,?)",
                     zip(p, devices.tolist()))


def _products(conn, seed: int, cal: _Calendar, tot: _MonthTotals) -> None:
    """Top products: a share (about 85%) of each day's order revenue."""
    r = _rng(seed, _S_PRODUCTS)
    names = ["Barista Pro 2", "CafeLine 500", "CafeLine 300", "Office Brew XL",
             "Cold Brew Tower", "Barista Mini", "Bean Subscription", "Milk Module",
             "Service Plan Gold", "Filter Pack 12", "Grinder G7", "Descaler Kit"]
    n = 10 + int(r.integers(0, 3))
    names = names[:n]
    base = np.sort(r.dirichlet(np.full(n, 2.0)))[::-1] * 0.85
    trend = r.uniform(-0.01, 0.02, n)                     # per month
    months = cal.month_of_day.astype(float)
    share = base[None, :] * (1 + trend[None, :]) ** months[:, None]
    share *= r.lognormal(0.0, 0.08, (cal.total_days, n))
    share *= r.uniform(0.82, 0.88, (cal.total_days, 1)) / share.sum(axis=1, keepdims=True)
    revenue = np.round(tot.daily[:, None] * share, 2)
    rows = ((cal.dates[d], names[i], v)
            for d, row in enumerate(revenue.tolist()) for i, v in enumerate(row))
    conn.executemany("INSERT INTO top_products_daily(period, name, revenue) VALUES (?,?,?)", rows)
    totals = [(names[i], round(math.fsum(revenue[:, i].tolist()), 2)) for i in range(n)]
    conn.executemany("INSERT INTO top_products(name, revenue) VALUES (?,?)", totals)


def _pipeline(conn, seed: int, cal: _Calendar, curve: np.ndarray) -> None:
    r = _rng(seed, _S_PIPELINE)
    m = cal.months
    wr = np.empty(m)
    x = r.uniform(0.22, 0.28)
    for k in range(m):
        x = float(np.clip(x + r.normal(0, 0.015), 0.18, 0.32))
        wr[k] = round(x, 4)
    cycle = np.clip(np.round(52 + np.cumsum(r.normal(0, 2.0, m)) * 0.6 + r.normal(0, 3, m)),
                    35, 70).astype(np.int64)
    conn.executemany("INSERT INTO pipeline_winrate(period, win_rate_pct, sales_cycle_days) "
                     "VALUES (?,?,?)", zip(cal.periods, wr.tolist(), cycle.tolist()))
    # Stage values are pipeline value (currency) at each stage, a daily snapshot:
    # SQL x win rate is about a month's revenue (the forecast KPI).
    mk = cal.month_of_day
    t = np.arange(cal.total_days)
    wave = 1.0 + 0.04 * np.sin(2 * np.pi * t / 91.0) + r.normal(0, 0.015, cal.total_days)
    sql_v = curve[mk] / wr[mk] * 1.02 * wave
    leads = sql_v * r.uniform(3.6, 4.4, cal.total_days)
    mql = sql_v * r.uniform(1.8, 2.2, cal.total_days)
    won = sql_v * wr[mk] * r.uniform(0.9, 1.1, cal.total_days)
    stages = ("Leads", "MQL", "SQL", "Won")
    vals = np.round(np.stack([leads, mql, sql_v, won], axis=1)).astype(np.int64).tolist()
    conn.executemany("INSERT INTO pipeline_stages_daily(period, stage_name, value) VALUES (?,?,?)",
                     ((cal.dates[d], stages[i], v)
                      for d, row in enumerate(vals) for i, v in enumerate(row)))
    conn.executemany("INSERT INTO pipeline_stages(stage_name, value) VALUES (?,?)",
                     zip(stages, vals[-1]))


def _retention(conn, seed: int, cal: _Calendar, customer_names: Sequence[str]) -> None:
    r = _rng(seed, _S_RETENTION)
    m = cal.months
    churn = np.round(np.clip(0.018 + r.normal(0, 0.004, m), 0.01, 0.03), 4)
    expansion = np.round(np.clip(0.075 + np.cumsum(r.normal(0, 0.004, m)) + r.normal(0, 0.008, m),
                                 0.04, 0.12), 4)
    nrr = np.round(1.0 - churn + expansion, 4)
    conn.executemany("INSERT INTO retention_nrr(period, nrr, gross_churn, expansion) "
                     "VALUES (?,?,?,?)", zip(cal.periods, nrr.tolist(), churn.tolist(),
                                             expansion.tolist()))
    reasons = ("Usage down 40% in 60 days", "Champion left the company",
               "Open P1 support tickets", "Evaluating a competitor", "Budget freeze announced",
               "Late payments (60+ days)", "Price increase pushback", "Low NPS (<= 5)",
               "Contract renewal in 30 days, no QBR", "Devices idle at 3 sites")
    n = 25
    picks = r.choice(len(customer_names), n, replace=False)
    risk = np.round(r.uniform(0.25, 0.95, n), 2)
    mrr = np.round(r.lognormal(np.log(6_000), 0.7, n), 2)
    order = np.argsort(-risk * mrr, kind="stable")
    rows = [(customer_names[int(picks[i])], float(mrr[i]), float(risk[i]),
             reasons[int(r.integers(0, len(reasons)))]) for i in order.tolist()]
    conn.executemany("INSERT INTO retention_at_risk(customer, mrr, risk, reason) VALUES (?,?,?,?)",
                     rows)


def _executive(conn, seed: int, cal: _Calendar, end_ym: int) -> None:
    r = _rng(seed, _S_MISC)
    value = round(14.2 + float(r.uniform(-0.3, 0.3)), 1)
    delta = round(-0.04 + float(r.uniform(-0.01, 0.01)), 3)
    conn.execute("INSERT INTO executive_kpis(key, label, value, unit, delta, direction) "
                 "VALUES ('payback', 'CAC payback', ?, 'mo', ?, 'down')", (value, delta))
    end_day = _last_day(end_ym).isoformat()
    conn.executemany(
        "INSERT INTO timeframe_window(id, range, start_date, end_date, granularity) "
        "VALUES (?,?,?,?,'month')",
        [(1, "6m", _first_day(end_ym - 5).isoformat(), end_day),
         (2, "12m", _first_day(end_ym - 11).isoformat(), end_day)])


def _alerts(conn, seed: int, cal: _Calendar, end_ym: int, rev: dict, ops: dict,
            supply: dict) -> None:
    r = _rng(seed, _S_ALERTS)
    m = cal.months
    alerts: list[tuple[str, str, str, str]] = []   # type, title, description, severity
    if rev["spike"] is not None:
        k = rev["spike"]
        pct = rev["spike_pct"] * 100
        btb = float(rev["booked"][k] / rev["recognized"][k])
        alerts.append(("ops", f"Backlog up {pct:.0f}% in {cal.periods[k]}",
                       f"Period-end backlog rose from {_money(rev['spike_before'])} to "
                       f"{_money(float(rev['backlog'][k]))}: bookings ran at {btb:.2f}x billings "
                       "after two large fleet contracts; assembly capacity is the constraint.",
                       "high"))
    if ops["dip"] is not None:
        k = ops["dip"]
        prev = float(ops["uptime"][k - 1]) if k > 0 else None
        frm = f" from {prev * 100:.1f}%" if prev is not None else ""
        alerts.append(("ops", f"Uptime dipped to {ops['uptime'][k] * 100:.1f}% in {cal.periods[k]}",
                       f"Fleet uptime fell{frm}: the firmware 4.2 rollout caused restart loops "
                       f"on CafeLine 500 units; mean time to repair rose to "
                       f"{ops['mttr'][k]:.1f} h. Rolled back; monitoring.", "high"))
    end_p = cal.periods[-1]
    lead = supply["lead"]
    lead_prev = float(lead[-2]) if m >= 2 else float(lead[-1]) - 10
    alerts.append(("supply", f"Supplier lead time up to {lead[-1]:.0f} days",
                   f"Brewing-unit lead time rose from {lead_prev:.0f} to {lead[-1]:.0f} days in "
                   f"{end_p}; the single-source supplier is capacity-constrained.", "medium"))
    alerts.append(("supply", f"COGS variance {supply['variance'][-1] * 100:.1f}% over plan",
                   f"Component costs ran {supply['variance'][-1] * 100:.1f}% above standard in "
                   f"{end_p}, driven by expedited freight and PCB spot buys.", "medium"))
    cac_up = int(r.integers(14, 24))
    alerts.append(("marketing", f"Paid search CAC up {cac_up}% month on month",
                   f"Cost per acquired customer on paid search rose {cac_up}% in {end_p}; "
                   "competitor bidding on brand terms.", "medium"))
    short = int(r.integers(20, 35))
    alerts.append(("marketing", f"Webinar leads {short}% below target",
                   f"The {end_p} webinar series produced {short}% fewer MQLs than planned.",
                   "low"))
    extras = [
        ("supply", f"Inventory turns slowed to {supply['turns'][-1]:.1f}",
         f"Turns fell to {supply['turns'][-1]:.1f} a year in {end_p} as safety stock was built "
         "ahead of the lead-time increase.", "low"),
        ("ops", f"DOA rate {ops['doa'][-1] * 100:.1f}% on new installs",
         f"Dead-on-arrival units ran at {ops['doa'][-1] * 100:.1f}% in {end_p}; "
         "courier handling under review.", "low"),
        ("marketing", "Referral share of new customers down",
         f"Referrals made up a smaller share of new customers in {end_p}; "
         "the partner incentive ended last quarter.", "low"),
        ("supply", "Freight rates up on Asia lanes",
         "Container rates on inbound components rose for the third month running.", "medium"),
    ]
    want = 6 + int(r.integers(0, 5))            # 6..10
    for i in r.permutation(len(extras)).tolist():
        if len(alerts) >= want:
            break
        alerts.append(extras[i])
    ndays = _days_in(end_ym)
    day = r.integers(1, ndays + 1, len(alerts))
    secs = r.integers(7 * 3600, 19 * 3600, len(alerts))
    first = _first_day(end_ym)
    rows = []
    for (typ, title, desc, sev), d, s in zip(alerts, day.tolist(), secs.tolist()):
        stamp = f"{first.replace(day=d).isoformat()} {_clock(s)}"
        rows.append((typ, title, desc, sev, stamp))
    conn.executemany("INSERT INTO alerts(type, title, description, severity, created_at) "
                     "VALUES (?,?,?,?,?)", rows)


def _risks(conn, seed: int, end_ym: int) -> None:
    r = _rng(seed, _S_RISKS)
    templates = [
        ("Single-source brewing unit supplier", "Head of Supply",
         "Qualify a second supplier; hold 6 weeks of safety stock"),
        ("Firmware 4.2 restart loop recurs", "VP Engineering",
         "Staged rollouts with automatic rollback; soak tests on 50 units"),
        ("Backlog exceeds assembly capacity", "COO",
         "Add a second assembly shift; prioritise contracted deliveries"),
        ("Renewal of the two largest fleet contracts", "CRO",
         "Executive sponsors and quarterly business reviews booked"),
        ("GBP/EUR exposure on component purchases", "CFO",
         "Hedge 60% of the next two quarters' euro spend"),
        ("Field service staffing in the North", "Head of Service",
         "Contractor pool and cross-training of installers"),
        ("Data-protection audit findings", "General Counsel",
         "Close the three open findings; DPIA for telemetry"),
        ("Churn after the price increase", "CMO",
         "Grandfather annual contracts; value messaging to at-risk accounts"),
        ("Warehouse lease renewal", "COO", "Negotiate a 3-year extension; scout alternatives"),
        ("ERP migration slippage", "CIO", "Descoped phase 2; weekly steering committee"),
        ("Paid search CAC inflation", "CMO", "Shift budget to partners and referrals"),
        ("Freight rate volatility", "Head of Supply", "Fixed-rate contract for Q1 volumes"),
    ]
    n = 8 + int(r.integers(0, 5))               # 8..12
    picks = r.permutation(len(templates))[:n].tolist()
    end_first = _first_day(end_ym)
    # roles: 1 without due date, 2-3 closed, 2-3 overdue, the rest due later
    n_closed = 2 + int(r.integers(0, 2))
    n_overdue = 2 + int(r.integers(0, 2))
    roles = (["nodue"] + ["closed"] * n_closed + ["overdue"] * n_overdue
             + ["future"] * (n - 1 - n_closed - n_overdue))
    roles = [roles[i] for i in r.permutation(n).tolist()]
    rows = []
    for idx, role in zip(picks, roles):
        title, owner, mitigation = templates[idx]
        if role == "nodue":
            due, status = None, "open"
        elif role == "closed":
            due = (end_first - _dt.timedelta(days=int(r.integers(10, 120)))).isoformat()
            status = "closed"
        elif role == "overdue":
            due = (end_first - _dt.timedelta(days=int(r.integers(3, 45)))).isoformat()
            status = ("open", "in_progress")[int(r.integers(0, 2))]
        else:
            due = (end_first + _dt.timedelta(days=int(r.integers(20, 150)))).isoformat()
            status = ("open", "in_progress")[int(r.integers(0, 2))]
        rows.append((title, owner, due, mitigation, status))
    conn.executemany("INSERT INTO risks(title, owner, due, mitigation, status) VALUES (?,?,?,?,?)",
                     rows)


def _stamps(r: np.random.Generator, cal: _Calendar, per_day: np.ndarray) -> list[str]:
    """Sorted 'YYYY-MM-DD HH:MM:SS' timestamps, `per_day[d]` of them on day d."""
    days = np.repeat(np.arange(cal.total_days), per_day)
    secs = r.integers(6 * 3600, 23 * 3600, len(days))
    order = np.lexsort((secs, days))
    return [f"{cal.dates[d]} {_clock(s)}" for d, s in zip(days[order].tolist(),
                                                           secs[order].tolist())]


def _expenses(conn, seed: int, cal: _Calendar, tot: _MonthTotals) -> None:
    r = _rng(seed, _S_EXPENSES)
    per_day = 1 + r.poisson(0.9, cal.total_days)
    per_day[cal.weekday >= 5] = np.minimum(per_day[cal.weekday >= 5], 1)
    days = np.repeat(np.arange(cal.total_days), per_day)
    weight = r.lognormal(0.0, 0.6, len(days))
    # operating expenses about 22% of each month's revenue
    mk = cal.month_of_day[days]
    month_w = np.bincount(mk, weights=weight, minlength=cal.months)
    cost = np.round(weight * (0.22 * tot.amount[mk]) / month_w[mk], 2)
    dates = [cal.dates[d] for d in days.tolist()]
    for i in np.flatnonzero(r.random(len(days)) < 0.03).tolist():
        dates[i] = f"{dates[i]} {_clock(int(r.integers(8 * 3600, 18 * 3600)))}"
    conn.executemany("INSERT INTO expenses(cost, date) VALUES (?,?)", zip(cost.tolist(), dates))


def _misc(conn, seed: int, cal: _Calendar, n_customers: int) -> None:
    r = _rng(seed, _S_FEEDBACK)
    # deals
    deal_types = ("new business", "renewal", "expansion", "upsell")
    dt = r.choice(len(deal_types), 2_000, p=[0.40, 0.30, 0.18, 0.12])
    conn.executemany("INSERT INTO deals(type) VALUES (?)", ((deal_types[i],) for i in dt.tolist()))
    # devices and repurchases
    device_types = ("Barista Pro 2", "Barista Mini", "CafeLine 300", "CafeLine 500",
                    "Office Brew XL", "Cold Brew Tower")
    faults = ("pump failure", "heater fault", "sensor drift", "firmware crash", "water leak",
              "grinder jam")
    n_dev = 5_000
    dtp = r.choice(len(device_types), n_dev, p=[0.22, 0.18, 0.2, 0.2, 0.12, 0.08])
    faulty = r.random(n_dev) < 0.12
    fk = r.choice(len(faults), n_dev, p=[0.22, 0.18, 0.2, 0.2, 0.12, 0.08])
    conn.executemany("INSERT INTO devices(type, fault_type) VALUES (?,?)",
                     ((device_types[d], faults[f] if bad else None)
                      for d, f, bad in zip(dtp.tolist(), fk.tolist(), faulty.tolist())))
    conn.executemany("INSERT INTO repurchases(device_type, repurchase_rate) VALUES (?,?)",
                     ((t, round(float(v), 3)) for t, v in
                      zip(device_types, r.uniform(0.22, 0.62, len(device_types)))))
    # product feedback
    cats = ("Hardware", "Software", "Service", "Billing", "Delivery")
    ftypes = ("bug", "feature request", "praise", "complaint")
    per_day = r.poisson(4.0, cal.total_days)
    stamps = _stamps(r, cal, per_day)
    c = r.choice(len(cats), len(stamps), p=[0.3, 0.25, 0.2, 0.1, 0.15])
    t = r.choice(len(ftypes), len(stamps), p=[0.3, 0.25, 0.25, 0.2])
    conn.executemany("INSERT INTO product_feedback(category, type, created_at) VALUES (?,?,?)",
                     ((cats[a], ftypes[b], s) for a, b, s in zip(c.tolist(), t.tolist(), stamps)))
    # feedback scores (1-5)
    aspects = ("Ease of use", "Reliability", "Support", "Value for money", "Coffee quality",
               "Delivery")
    means = np.array([4.2, 3.9, 4.0, 3.6, 4.4, 3.8])
    per_day = r.poisson(3.0, cal.total_days)
    stamps = _stamps(r, cal, per_day)
    a = r.integers(0, len(aspects), len(stamps))
    score = np.clip(np.round(means[a] + r.normal(0, 0.9, len(stamps))), 1, 5)
    conn.executemany("INSERT INTO feedback_scores(aspect, score, created_at) VALUES (?,?,?)",
                     ((aspects[x], float(s), st)
                      for x, s, st in zip(a.tolist(), score.tolist(), stamps)))
    # customer feedback messages
    fb_types = ("complaint", "suggestion", "praise", "question")
    messages = {
        "complaint": ("Machine stopped mid-cycle twice this week.",
                      "Engineer visit was rescheduled without notice.",
                      "Invoice did not match the quote.",
                      "Beans delivery arrived two days late."),
        "suggestion": ("Would like usage reports by site.", "Please add oat milk presets.",
                       "An app notification before descaling would help."),
        "praise": ("Staff love the new CafeLine units.", "Very quick response from support.",
                   "Installation was smooth and on time."),
        "question": ("Can we move a unit to another floor ourselves?",
                     "How do we add a new site to the contract?",
                     "Is there a discount for annual billing?"),
    }
    per_day = r.poisson(2.0, cal.total_days)
    stamps = _stamps(r, cal, per_day)
    n = len(stamps)
    ft = r.choice(len(fb_types), n, p=[0.35, 0.25, 0.25, 0.15])
    cust = 1 + r.integers(0, n_customers, n)
    rows = []
    for i in range(n):
        typ = fb_types[int(ft[i])]
        msgs = messages[typ]
        rows.append((int(cust[i]), typ, msgs[int(r.integers(0, len(msgs)))], stamps[i]))
    conn.executemany("INSERT INTO feedback(customer_id, type, message, created_at) "
                     "VALUES (?,?,?,?)", rows)


def _page_visits(conn, seed: int, cal: _Calendar) -> None:
    r = _rng(seed, _S_VISITS)
    pages = ("Executive", "Revenue", "Operations", "Supply Chain", "Telemetry", "Customers",
             "Pipeline", "Settings")
    p = np.array([0.30, 0.18, 0.12, 0.10, 0.08, 0.10, 0.09, 0.03])
    lam = 40 * 1.015 ** cal.month_of_day * np.where(cal.weekday >= 5, 0.3, 1.0)
    per_day = r.poisson(lam)
    days = np.repeat(np.arange(cal.total_days), per_day)
    pg = r.choice(len(pages), len(days), p=p)
    conn.executemany("INSERT INTO page_visits(visit_date, page_name) VALUES (?,?)",
                     ((cal.dates[d], pages[x]) for d, x in zip(days.tolist(), pg.tolist())))


def _build(conn: sqlite3.Connection, *, seed: int, end_ym: int, months: int, orders: int,
           progress: Callable[[float, str], None]) -> None:
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-65536")        # 64 MB
    create_schema(conn)
    # the two orders indexes are built after the bulk insert (much faster)
    conn.execute("DROP INDEX IF EXISTS idx_orders_order_date")
    conn.execute("DROP INDEX IF EXISTS idx_orders_customer_id")
    conn.execute("PRAGMA foreign_keys=OFF")         # the generator keeps references valid

    cal = _Calendar(end_ym - (months - 1), months)
    curve = _revenue_curve(seed, cal)
    conn.execute("BEGIN")
    progress(0.01, "customers")
    avail = _customers(conn, seed, cal)
    names = [row[0] for row in conn.execute("SELECT name FROM customers ORDER BY id")]
    conn.execute("COMMIT")

    # orders: 2% .. 85% of the progress bar
    def order_progress(frac: float, msg: str) -> None:
        progress(0.02 + 0.83 * frac, msg)

    conn.execute("BEGIN")
    tot = _orders(conn, seed, cal, orders, curve, avail, order_progress)
    conn.execute("COMMIT")

    progress(0.86, "monthly tables")
    conn.execute("BEGIN")
    rev = _revenue_trend(conn, seed, cal, tot)
    ops = _ops(conn, seed, cal)
    supply = _supply(conn, seed, cal, tot)
    _telemetry(conn, seed, cal)
    _pipeline(conn, seed, cal, curve)
    _retention(conn, seed, cal, names)
    _executive(conn, seed, cal, end_ym)
    _alerts(conn, seed, cal, end_ym, rev, ops, supply)
    _risks(conn, seed, end_ym)
    progress(0.88, "daily tables")
    _products(conn, seed, cal, tot)
    _expenses(conn, seed, cal, tot)
    _misc(conn, seed, cal, N_CUSTOMERS)
    _page_visits(conn, seed, cal)
    conn.execute("COMMIT")

    # the orders indexes of the schema, one at a time (the slow step), then the
    # whole schema script again: all IF NOT EXISTS, so it adds nothing else
    ddl = [s for s in schema_sql().split(";") if "CREATE INDEX" in s and " ON orders(" in s]
    for i, stmt in enumerate(ddl):
        progress(0.90 + 0.08 * i / max(1, len(ddl)), "indexes")
        conn.execute(stmt)
    create_schema(conn)
    progress(0.98, "analyze")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")


def _new_temp(p: Path) -> str:
    """An empty, new file beside `p` (mode 0666 less the umask, like any new file)."""
    for _ in range(100):
        tmp = str(p.parent / f".{p.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise DataFileError(f"{p}: cannot write in {p.parent} ({exc.strerror})") from exc
        os.close(fd)
        return tmp
    raise DataFileError(f"{p}: cannot create a temporary file in {p.parent}")


def _remove(path: str) -> None:
    for p in (path, path + "-journal", path + "-wal", path + "-shm"):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def generate(path, *, end: str | None = None, months: int = 24, orders: int = 100_000,
             seed: int = 7, force: bool = False, progress: ProgressFn | None = None) -> dict:
    """Write a demo data file at `path`; return {path, months, orders, end, seconds, ...}.

    `end` is the last month of data ("YYYY-MM"; default: the month before
    today's). Raises DataFileError (one line) if `path` exists and `force` is
    False, or if end/months/orders/seed are invalid. The file is built under a
    temporary name in the same folder and moved into place when complete.
    """
    t0 = time.perf_counter()
    if end is None:
        end = _default_end()
    p, end_ym = _validate(path, end, months, orders, seed)
    if (p.exists() or p.is_symlink()) and not force:
        raise DataFileError(f"{p}: already exists; pass --force to replace it")
    report: ProgressFn = progress if progress is not None else (lambda f, m: None)

    tmp = _new_temp(p)
    conn = None
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        _build(conn, seed=int(seed), end_ym=end_ym, months=int(months), orders=int(orders),
               progress=report)
        conn.close()                                  # checkpoints; no -wal left behind
        conn = None
        _fsync_file(tmp)
        if p.exists() and not force:                  # appeared while we were writing
            raise DataFileError(f"{p}: already exists; pass --force to replace it")
        # a stale -wal/-shm of the replaced file would be replayed onto the new one
        for side in ("-wal", "-shm", "-journal"):
            try:
                os.remove(str(p) + side)
            except FileNotFoundError:
                pass
        os.replace(tmp, p)
        _fsync_dir(p.parent)
    except BaseException:
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        _remove(tmp)
        raise
    seconds = round(time.perf_counter() - t0, 2)
    report(1.0, "done")
    return {"path": str(p), "months": int(months), "orders": int(orders), "end": end,
            "start": _period(end_ym - (int(months) - 1)), "seed": int(seed),
            "schema_version": SCHEMA_VERSION, "seconds": seconds}
