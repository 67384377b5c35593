"""KPI entries for every dashboard: delta, direction and polarity (kpi-definitions.md)."""

from __future__ import annotations

import math

DIRECTION_THRESHOLD = 0.001


def finite(value: float | None) -> float | None:
    """None for NaN and infinities (JSON has neither)."""
    return value if value is None or math.isfinite(value) else None


def delta_of(current: float | None, previous: float | None) -> float | None:
    """(now - then) / |then|; None when either is missing or `then` is 0."""
    if current is None or previous is None or previous == 0:
        return None
    delta = (current - previous) / abs(previous)
    return delta if math.isfinite(delta) else None


def direction_of(delta: float | None) -> str:
    if delta is None:
        return "flat"
    if delta > DIRECTION_THRESHOLD:
        return "up"
    if delta < -DIRECTION_THRESHOLD:
        return "down"
    return "flat"


def tone_of(delta: float | None, polarity: str) -> str:
    """good | bad | neutral: whether this change is good for a KPI whose good way is `polarity`."""
    direction = direction_of(delta)
    if direction == "flat":
        return "neutral"
    return "good" if direction == polarity else "bad"


def entry(key: str, label: str, value: float | None, previous: float | None, unit: str | None,
          **extra) -> dict:
    """{key, label, value, unit, delta, direction, **extra}: one KPI as the payloads list it."""
    value = finite(value)
    delta = delta_of(value, finite(previous))
    return {"key": key, "label": label, "value": value, "unit": unit, "delta": delta,
            "direction": direction_of(delta), **extra}
