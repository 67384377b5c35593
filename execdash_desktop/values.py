"""Reading stored values that may be messy: numbers as text, rates as percents.

Shared by every dashboard (kpi-definitions.md "Rates"; engineering-pack.md
"Reading messy data").
"""

from __future__ import annotations

import math


def to_float(value: object) -> float | None:
    """A stored number, tolerating text such as '98.5' or '98.5%'; None if unreadable.

    Not-a-number and infinities (text 'nan', 'inf', '1e400', a REAL Inf) are
    unreadable too: they would poison every sum and cannot be written as JSON.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            v = float(value)
        except OverflowError:  # an integer beyond a float's range
            return None
    elif isinstance(value, str):
        text = value.strip().rstrip("%").replace(",", "")
        try:
            v = float(text)
        except ValueError:
            return None
    else:
        return None
    return v if math.isfinite(v) else None


def ratio01(value: object) -> float | None:
    """A 0-1 rate; above 1 it was stored as a percent."""
    v = to_float(value)
    if v is None:
        return None
    return v / 100.0 if v > 1 else v


def ratio_nrr(value: object) -> float | None:
    """NRR may pass 1; above 3 it was stored as a percent (104 -> 1.04)."""
    v = to_float(value)
    if v is None:
        return None
    return v / 100.0 if v > 3 else v
