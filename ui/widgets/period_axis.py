"""The time axis of every chart: periods in the app's one date style, never overlapping.

Months read "Aug 2026", "Sep", ... "Jan 2027" (the year once, where it changes),
quarters "Q3 2026", days "15 Aug 2026", "22 Aug"; a partial period keeps its "*".
Every period that fits is labelled, the latest always (core: format.axis_labels).
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

from execdash_desktop.format import axis_labels

from .. import theme

GAP_PX = 10  # between two labels


def period_ticks(periods: list, partial: list[bool], width: float) -> tuple[list, list]:
    """(major ticks [(index, label)], minor ticks [(index, '')]) for `periods` spread over
    `width` px: the smallest step whose labels do not touch (counted back from the latest)."""
    n = len(periods)
    if not n:
        return [], []
    fm = QFontMetrics(theme.font("caption"))
    px: dict[str, int] = {}

    def w(text: str) -> int:
        if text not in px:
            px[text] = fm.horizontalAdvance(text)
        return px[text]

    width = max(float(width), 50.0)
    for step in range(1, n + 1):
        shown = [i for i in range(n) if (n - 1 - i) % step == 0]
        labels = [t + ("*" if partial[i] else "") for i, t in zip(shown, axis_labels([periods[i] for i in shown]))]
        slot = width * step / n  # px between two shown ticks
        if all((w(a) + w(b)) / 2 + GAP_PX <= slot for a, b in zip(labels, labels[1:])):
            break
    major = list(zip(shown, labels))
    minor = [(i, "") for i in range(n) if (n - 1 - i) % step]
    return major, minor
