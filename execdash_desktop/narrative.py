"""The Now / Reason / Action sentence writer every dashboard's summary uses.

A dashboard's rules propose candidate sentences with a priority (lower
first); the writer keeps the first `limit`, then orders them by section
(now, reason, action) and priority. Each sentence names the figures it
quotes, formatted exactly as the screen shows them, and where they are read
(`source`), so a test can check every number against the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

SECTIONS = ("now", "reason", "action")
MAX_SENTENCES = 6


@dataclass(frozen=True)
class Sentence:
    section: str  # "now" | "reason" | "action"
    text: str
    figures: tuple[str, ...]  # every number quoted, formatted exactly as the screen shows it
    source: str  # "card:<kpi key>", "trend", "drilldown:<key>", "alerts", "panel:<name>"...


@dataclass(frozen=True)
class Summary:
    sentences: tuple[Sentence, ...]
    anomalies: tuple[Any, ...] = ()  # anomalies.Anomaly: all of them (the sentences name the largest)

    def section(self, name: str) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if s.section == name)


def is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def listing(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class SentenceWriter:
    """Candidate sentences with a priority; `result` keeps the first `limit`."""

    def __init__(self, limit: int = MAX_SENTENCES):
        self.limit = limit
        self.items: list[tuple[int, int, Sentence]] = []

    def add(self, priority: int, section: str, text: str, figures: Sequence[str], source: str) -> None:
        if section not in SECTIONS:
            raise ValueError(f"section {section!r} is not one of {SECTIONS}")
        if any("inf" in f or "nan" in f for f in figures):  # a finite value too large to print
            return
        self.items.append((priority, len(self.items), Sentence(section, text, tuple(figures), source)))

    def sentences(self) -> tuple[Sentence, ...]:
        kept = sorted(self.items)[:self.limit]
        order = {s: i for i, s in enumerate(SECTIONS)}
        kept.sort(key=lambda it: (order[it[2].section], it[0], it[1]))
        return tuple(s for _, _, s in kept)

    def result(self, anomalies: Sequence[Any] = ()) -> Summary:
        return Summary(self.sentences(), tuple(anomalies))
