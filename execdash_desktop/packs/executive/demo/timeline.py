"""The calendar of the history, and the seeded random streams the tables draw from.

Every date of the demo file derives from `end` through these helpers (months
are counted as `year * 12 + month - 1`), never from the clock.
"""

from __future__ import annotations

import calendar
import datetime as _dt

import numpy as np

# Calendar-month seasonality: Q4 high, summer dip (revenue and telemetry).
SEASON = (0.95, 0.93, 1.00, 0.98, 0.99, 0.97, 0.90, 0.88, 0.98, 1.06, 1.10, 1.14)

# RNG streams: one per table so that each table's rows depend on the seed and
# the calendar only (changing one table never reshuffles another).
(S_CURVE, S_ORDERS, S_CUSTOMERS, S_REVENUE, S_OPS, S_SUPPLY, S_TELEMETRY,
 S_PRODUCTS, S_PIPELINE, S_RETENTION, S_ALERTS, S_RISKS, S_MISC,
 S_EXPENSES, S_FEEDBACK, S_VISITS) = range(16)


def month_index(year: int, month: int) -> int:
    return year * 12 + (month - 1)


def period(ym: int) -> str:
    return f"{ym // 12:04d}-{ym % 12 + 1:02d}"


def first_day(ym: int) -> _dt.date:
    return _dt.date(ym // 12, ym % 12 + 1, 1)


def days_in(ym: int) -> int:
    return calendar.monthrange(ym // 12, ym % 12 + 1)[1]


def last_day(ym: int) -> _dt.date:
    return _dt.date(ym // 12, ym % 12 + 1, days_in(ym))


def rng(seed: int, stream: int, *extra: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream, *extra])


def clock(seconds: int) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Calendar:
    """Every day of the history, as strings, with per-month offsets."""

    def __init__(self, start_ym: int, months: int):
        self.start_ym = start_ym
        self.months = months
        self.yms = [start_ym + k for k in range(months)]
        self.periods = [period(ym) for ym in self.yms]
        self.ndays = np.array([days_in(ym) for ym in self.yms], dtype=np.int64)
        self.offset = np.concatenate([[0], np.cumsum(self.ndays)[:-1]]).astype(np.int64)
        self.total_days = int(self.ndays.sum())
        d0 = first_day(start_ym)
        self.day0 = d0
        days = [d0 + _dt.timedelta(days=i) for i in range(self.total_days)]
        self.dates = [d.isoformat() for d in days]
        self.dates_obj = np.array(self.dates, dtype=object)
        self.weekday = np.array([d.weekday() for d in days], dtype=np.int64)
        self.month_of_day = np.repeat(np.arange(months), self.ndays)

    def day_range(self, k: int) -> range:
        o = int(self.offset[k])
        return range(o, o + int(self.ndays[k]))
