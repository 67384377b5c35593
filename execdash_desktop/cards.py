"""A dashboard's KPI cards in words: what the window's cards and the pack's print the same.

`card_texts(dashboard, payload)` reads the payload's KPI entries in the order
the dashboard declares its cards, adds what the declaration says (format,
which way is good, target) and returns the words a card shows: the value, the
change, whether the change is good, what it compares with, and, for a figure
without a value, why in an executive's words (the payload keeps the data
team's reason for the API).
"""

from __future__ import annotations

from dataclasses import dataclass

from .format import EM_DASH, change_tone, compare_text, format_change, format_value
from .words import plain_reason


@dataclass(frozen=True)
class CardText:
    key: str
    label: str
    tier: str  # card | highlight
    entry: dict  # the payload's entry with the declaration's format, better, history, target
    value: str  # "£12.4M", or an em dash
    change: str  # "▲ +4.2%", "+1.2 pts", an em dash
    tone: str  # good | bad | neutral
    compare: str  # "vs prior 12 mo", "no full prior period", "" for an entered figure
    why: str = ""  # no value: why, in plain words
    target: str = ""  # "target $250"
    history: tuple = ()  # the sparkline's values (None: a gap)


def usual_compare(dashboard, payload: dict) -> tuple[int | None, str]:
    """(months of the window, the dashboard's usual words for a change)."""
    n = payload.get("meta", {}).get("months")
    usual = f"vs prior {n} mo" if n else ("vs 30 days before" if dashboard.as_of == "timestamp" else "vs prior window")
    return n, usual


def full_entry(spec, entry: dict, history: dict) -> dict:
    """The payload's entry with the declaration's format, good way and target (the payload may say too)."""
    return {"format": spec.format, "better": spec.polarity, "history": history.get(spec.key),
            "target": spec.target, **entry}


def card_texts(dashboard, payload: dict) -> list[CardText]:
    """Every declared card the payload has an entry for, in the declaration's order."""
    n, usual = usual_compare(dashboard, payload)
    history = payload.get("meta", {}).get("history") or {}
    entries = {e.get("key"): e for e in payload.get(dashboard.kpis_key, []) if isinstance(e, dict)}
    out = []
    for spec in dashboard.kpis:
        entry = entries.get(spec.key)
        if entry is None:
            continue
        full = full_entry(spec, entry, history)
        value = full.get("value")
        label = str(full.get("label") or spec.label)
        hist = () if full.get("comparison") == "entered" else tuple(
            h.get("value") for h in full.get("history") or [] if isinstance(h, dict))
        out.append(CardText(
            spec.key, spec.label, spec.tier, full,
            format_value(value, full.get("format", ""), full.get("unit")) if value is not None else EM_DASH,
            format_change(full), change_tone(full),
            # paper has no tooltip: an entered figure says so where a comparison would be
            "entered by hand" if full.get("comparison") == "entered" else (spec.compare or compare_text(full, n, usual)),
            plain_reason(full.get("reason"), label) if value is None else "",
            str(full.get("target") or ""), hist))
    return out
