"""Moments in time for dashboards that count at an instant (engineering-pack.md "Now").

A moment is epoch seconds (UTC, float). Text is read as the design pins:
`YYYY-MM-DD` (midnight, or the end of the day for a user's as-of), or
`YYYY-MM-DD HH:MM[:SS[.ffffff]]` with `T` or a space, optional `Z` or
`+hh:mm` (converted to UTC). SQL reads the same forms with julianday(), so
`SQL_EPOCH` and `parse` agree.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .errors import InvalidRequestError

_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
                 r"\s*(Z|z|[+-]\d{2}:\d{2})?\s*$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DAY = 86400.0
HOUR = 3600.0


def SQL_EPOCH(column: str) -> str:  # noqa: N802 (reads as a constant in SQL text)
    """SQL for a column's moment as epoch seconds (NULL when unreadable)."""
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def parse(text: object, end_of_day: bool = False) -> float | None:
    """Epoch seconds of a timestamp text; None when it is not one of the pinned forms."""
    if not isinstance(text, str):
        return None
    m = _RE.match(text)
    if not m:
        return None
    y, mo, d, hh, mm, ss, frac, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
                      int((frac or "0").ljust(6, "0")[:6]), tzinfo=timezone.utc)
    except ValueError:
        return None
    if hh is None and end_of_day:
        dt = dt.replace(hour=23, minute=59, second=59)
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        dt -= sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    return (dt - _EPOCH).total_seconds()


def is_date_only(text: str) -> bool:
    m = _RE.match(text or "")
    return bool(m) and m.group(4) is None


def fmt(epoch: float) -> str:
    """'2026-11-29T17:42:00Z' (UTC; fractions of a second are dropped)."""
    return datetime.fromtimestamp(int(epoch // 1), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch // 1), timezone.utc).strftime("%Y-%m-%d")


def month_index(epoch: float) -> int:
    """The month (months.month_index) a moment falls in."""
    dt = datetime.fromtimestamp(int(epoch // 1), timezone.utc)
    return dt.year * 12 + dt.month - 1


def month_start(idx: int) -> float:
    return (datetime(idx // 12, idx % 12 + 1, 1, tzinfo=timezone.utc) - _EPOCH).total_seconds()


def require(text: object, parameter: str = "as_of") -> float:
    """A user's as-of: a date (the end of that day) or a timestamp; InvalidRequestError otherwise."""
    value = parse(text, end_of_day=True)
    if value is None:
        raise InvalidRequestError(parameter, text, "a date YYYY-MM-DD or a timestamp YYYY-MM-DDTHH:MM:SS")
    return value


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date; linear in the day, so day 31 of a
    30-day month is the 1st of the next, as SQLite reads it. Integers or numpy arrays of them
    (arithmetic only: no numpy import here); the Engineering and Commerce timestamp blocks use it."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468
