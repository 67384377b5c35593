"""Months, windows and quarter bucketing: small pure functions.

A month is held as an int index (year * 12 + month - 1) so windows are ranges
and arithmetic is exact; text is `YYYY-MM`, quarters `YYYY-Qn`.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass

from .errors import InvalidRequestError

RANGES: dict[str, int | None] = {"3m": 3, "6m": 6, "12m": 12, "24m": 24, "ytd": None}
GRANULARITIES = ("month", "quarter")

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})")


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def parse_month(text: object) -> int | None:
    """`YYYY-MM`, `YYYY-MM-DD` or a timestamp -> month index; None if unreadable."""
    if not isinstance(text, str):
        return None
    m = _MONTH_RE.match(text.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return month_index(year, month)


def require_month(text: object, parameter: str = "as_of") -> int:
    """Parse a user-given `YYYY-MM`, or raise InvalidRequestError naming it."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}", text.strip()):
        raise InvalidRequestError(parameter, text, "a month as YYYY-MM")
    idx = parse_month(text)
    if idx is None:
        raise InvalidRequestError(parameter, text, "a month as YYYY-MM (month 01-12)")
    return idx


def fmt_month(idx: int) -> str:
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def quarter_of(idx: int) -> tuple[int, int]:
    return idx // 12, (idx % 12) // 3 + 1


def fmt_quarter(idx: int) -> str:
    year, q = quarter_of(idx)
    return f"{year:04d}-Q{q}"


def days_in_month(idx: int) -> int:
    return calendar.monthrange(idx // 12, idx % 12 + 1)[1]


def first_day(idx: int) -> str:
    return f"{fmt_month(idx)}-01"


def last_day(idx: int) -> str:
    return f"{fmt_month(idx)}-{days_in_month(idx):02d}"


def check_range(range_: object) -> str:
    if range_ not in RANGES:
        raise InvalidRequestError("range", range_, "one of " + ", ".join(RANGES))
    return range_  # type: ignore[return-value]


def check_granularity(granularity: object) -> str:
    if granularity not in GRANULARITIES:
        raise InvalidRequestError("granularity", granularity, "one of " + ", ".join(GRANULARITIES))
    return granularity  # type: ignore[return-value]


@dataclass(frozen=True)
class Window:
    """Whole months `start`..`end` inclusive (month indexes)."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def months(self) -> range:
        return range(self.start, self.end + 1)

    def previous(self) -> "Window":
        """The window of the same length immediately before this one."""
        return Window(self.start - self.length, self.start - 1)

    def __contains__(self, idx: object) -> bool:
        return isinstance(idx, int) and self.start <= idx <= self.end

    def label(self) -> str:
        return f"{fmt_month(self.start)}..{fmt_month(self.end)}"


def window_for(range_: str, as_of: int, pinned: tuple[int, int] | None = None) -> Window:
    """The window W of kpi-definitions.md for a range ending at `as_of`.

    `pinned` is a `timeframe_window` row (start, end months) for this range;
    when given it is the window, and its end is the as-of month.
    """
    check_range(range_)
    if pinned is not None and pinned[0] <= pinned[1]:
        return Window(pinned[0], pinned[1])
    n = RANGES[range_]
    if n is None:  # ytd: January of the as-of year to the as-of month
        return Window(as_of - as_of % 12, as_of)
    return Window(as_of - n + 1, as_of)


def bucket_trend(rows: list[dict], window: Window, granularity: str) -> list[dict]:
    """Monthly trend rows -> rows for the granularity (kpi-definitions.md, Trend).

    Quarters sum flows (recognized, booked) and take the backlog of the last
    month of the quarter present in W; a quarter only partly inside W is kept
    and marked `partial`. Pure and cheap: switching granularity never queries.
    """
    check_granularity(granularity)
    if granularity == "month":
        return [dict(r) for r in rows]
    out: list[dict] = []
    current_q = None
    for r in rows:
        idx = parse_month(r["period"])
        if idx is None:
            continue
        q_label = fmt_quarter(idx)
        if q_label != current_q:
            q_start = idx - idx % 3
            partial = q_start < window.start or q_start + 2 > window.end
            out.append({"period": q_label, "recognized": None, "booked": None,
                        "backlog": None, "partial": partial})
            current_q = q_label
        q = out[-1]
        for key in ("recognized", "booked"):
            v = r.get(key)
            if v is not None:
                q[key] = v if q[key] is None else q[key] + v
        if r.get("backlog") is not None:
            q["backlog"] = r["backlog"]
    for q in out:  # months too large to add up: no number rather than "inf"
        for key in ("recognized", "booked"):
            if q[key] is not None and not math.isfinite(q[key]):
                q[key] = None
    return out
