"""The "Now / Reason / Action" summary (seed 002 P2 "AI summary", done offline).

Three to six plain sentences written from the payload and a few small reads,
by fixed rules: no model, no network, the same file gives the same text. Each
sentence quotes only numbers the window shows (cards, trend, drill-down tables,
alerts and risks panels), formatted by format.py as they are shown, and names
them in `figures` with the `source` they are read from. A part whose data is
missing is left out: fewer sentences, never a wrong or half-filled one.

Alert and risk titles and owners are quoted verbatim (between quotes), as the
panels show them; `figures` holds the numbers (amounts, rates, changes,
counts), not months or dates.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Sequence

from ... import months as mo
from ...errors import DataFileError
from ...format import change_tone, format_change, format_value, month_name, short_date
from ...months import Window
from ...narrative import MAX_SENTENCES, Sentence, SentenceWriter, Summary, is_num, listing  # noqa: F401
from .anomalies import Anomaly, band_clause, trend_anomalies, uptime_anomalies
from .series import SERIES, read_monthly
from .source import ExecSource

MAX_NAMED = 3  # alerts or risks named in one sentence; the rest are counted
# where each series an anomaly can come from is shown
ANOMALY_SOURCE = {"recognized": "trend", "booked": "trend", "backlog": "trend",
                  "uptime": "drilldown:operations/uptime"}


@dataclass(frozen=True)
class NrrMonth:
    period: str  # YYYY-MM
    nrr: float | None
    gross_churn: float | None
    expansion: float | None


@dataclass(frozen=True)
class Drivers:
    """What the payload does not hold: the drill-down rows a reason quotes."""

    nrr: tuple[NrrMonth, ...] | None  # the Finance > NRR table's rows in the window
    uptime: tuple[tuple[str, float], ...] | None  # (period, uptime) of the window's months with a row


# -- reading -----------------------------------------------------------------------

def read_drivers(conn: sqlite3.Connection, src: ExecSource, window: Window) -> Drivers:
    """The NRR drill-down's rows (one query) and the uptime months; None for what is missing."""
    nrr = None
    try:
        rows = read_monthly(conn, SERIES["finance"]["nrr"], window).rows
        nrr = tuple(NrrMonth(mo.fmt_month(m), *vals) for m, vals in rows) or None
    except (DataFileError, sqlite3.Error):  # a missing table or column: no NRR reason
        nrr = None
    uptime = tuple((mo.fmt_month(m), src.uptime[m]) for m in window.months
                   if _num(src.uptime.get(m))) or None
    return Drivers(nrr=nrr, uptime=uptime)


def window_of(payload: dict) -> Window | None:
    tf = payload.get("timeframe") or {}
    start, end = mo.parse_month(tf.get("start_date")), mo.parse_month(tf.get("end_date"))
    return Window(start, end) if start is not None and end is not None and start <= end else None


def build_summary(conn: sqlite3.Connection, src: ExecSource, payload: dict,
                  sensitivity: str = "normal") -> Summary:
    """The summary of a month-granularity payload built from `src`; `sensitivity` is the
    unusual-months setting (anomalies.SENSITIVITY)."""
    w = window_of(payload)
    if w is None:
        return Summary((), ())
    anomalies = trend_anomalies(src, w, sensitivity) + uptime_anomalies(src, w, sensitivity)
    return compose(payload, read_drivers(conn, src, w), anomalies)


# -- writing ------------------------------------------------------------------------

_num = is_num
_listing = listing


class _Writer(SentenceWriter):
    """Candidate sentences with a priority (lower first); the first MAX_SENTENCES are kept.

    Anomalies are ranked by how far outside they are; a reason sentence that
    voices one (its month is flagged) takes the priority the anomaly's own
    sentence would have had, if higher, and that sentence is not written.
    """

    def __init__(self, payload: dict, anomalies: Sequence[Anomaly]):
        super().__init__(MAX_SENTENCES)
        self.payload = payload
        self.unit = (payload.get("meta") or {}).get("currency") or "\u00a3"
        self.monthly = (payload.get("timeframe") or {}).get("granularity", "month") == "month"
        usable = [a for a in anomalies if a.series in ANOMALY_SOURCE
                  and all(_num(v) for v in (a.value, a.median, a.mad, a.low, a.high))
                  and (self.monthly or ANOMALY_SOURCE[a.series] != "trend")]
        self.ranked = sorted(usable, key=lambda a: (-a.score, a.period, a.series))
        self.rank = {(a.series, a.period): i for i, a in enumerate(self.ranked)}
        self.voiced: set[tuple[str, str]] = set()

    def add(self, priority: int, section: str, text: str, figures: Sequence[str], source: str,
            voices: tuple[str, str] | None = None) -> None:
        if any("inf" in f or "nan" in f for f in figures):  # a finite value too large to print
            return
        if voices is not None:
            self.voiced.add(voices)
            priority = min(priority, anomaly_priority(self.rank[voices]))
        super().add(priority, section, text, figures, source)

    def money(self, v: float) -> str:
        return format_value(v, "currency", self.unit)

    def value(self, a: Anomaly, v: float) -> str:
        return format_value(v, a.fmt, self.unit if a.fmt == "currency" else None)

    def flagged(self, series: str, period: str) -> Anomaly | None:
        i = self.rank.get((series, period))
        return None if i is None else self.ranked[i]

    def band(self, a: Anomaly) -> tuple[str, str] | None:
        """'above its usual range (up to £7.5M)' and the bound it quotes: only the side crossed.

        None when value and bound print the same ("£4.6M, above ... up to £4.6M" would read wrong).
        """
        clause, bound = band_clause(a, self.unit)
        return None if bound is None else (clause, bound)


def anomaly_priority(rank: int) -> int:
    # the farthest anomaly right after the main reason; the others after every other part
    return 4 if rank == 0 else 7 + rank


def _movers(w: _Writer) -> list[dict]:
    """KPIs with a value and a change that is good or bad, largest change first (ties: card order).

    An entered value (CAC payback: a figure typed into the file with its own
    change) did not move over the window, so it is not ranked against those that did.
    """
    out = []
    for i, k in enumerate(w.payload.get("executiveKpis") or ()):
        if not (_num(k.get("value")) and _num(k.get("delta")) and k.get("label")):
            continue
        if k.get("comparison") == "entered":
            continue
        if change_tone(k) != "neutral":
            out.append((-abs(k["delta"]), i, k))
    return [k for *_, k in sorted(out, key=lambda t: t[:2])]


def _card(k: dict) -> tuple[str, str]:
    return format_value(k["value"], k.get("format", ""), k.get("unit")), format_change(k)


def _now(w: _Writer) -> list[dict]:
    """The largest move, and the largest the other way (so bad news is never left out)."""
    movers = _movers(w)
    if not movers:
        return []
    top = movers[0]
    good = change_tone(top) == "good"
    v, d = _card(top)
    w.add(0, "now", f"{top['label']} moved most, for the {'better' if good else 'worse'}: {v}, {d}.",
          (v, d), f"card:{top['key']}")
    other = next((k for k in movers[1:] if (change_tone(k) == "good") != good),
                 None)
    if other is None:
        return [top]
    v, d = _card(other)
    w.add(5, "now", f"The largest move for the {'worse' if good else 'better'}: {other['label']}, {v}, {d}.",
          (v, d), f"card:{other['key']}")
    return [top, other]


def _with_band(w: _Writer, priority: int, text: str, figures: list[str], source: str, series: str,
               period: str) -> None:
    """A reason about one month, saying so when that month is flagged."""
    a = w.flagged(series, period)
    band = w.band(a) if a is not None else None
    if band is None:
        w.add(priority, "reason", text + ".", figures, source)
        return
    clause, bound = band
    w.add(priority, "reason", f"{text}, {clause}.", [*figures, bound], source, voices=(series, period))


def _backlog_reason(w: _Writer, kpi: dict, priority: int) -> None:
    """The month of the window with the largest period-end change in the card's direction."""
    if not w.monthly:
        return
    rows = [(mo.parse_month(r.get("period")), r.get("backlog")) for r in w.payload.get("revenueTrend") or ()]
    sign = 1 if kpi["delta"] > 0 else -1
    best = None
    for (m0, b0), (m1, b1) in zip(rows, rows[1:]):
        if m0 is None or m1 != m0 + 1 or not (_num(b0) and _num(b1)):
            continue
        change = sign * (b1 - b0)
        if change > 0 and (best is None or change > best[0]):
            best = (change, m1, b0, b1)
    if best is None:
        return
    _, m, b0, b1 = best
    period = mo.fmt_month(m)
    v0, v1 = w.money(b0), w.money(b1)
    if v0 == v1:  # a change too small to show: "from £6.5M to £6.5M" says nothing
        return
    text = f"Backlog {'rose' if sign > 0 else 'fell'} most in {month_name(period)}, from {v0} to {v1}"
    _with_band(w, priority, text, [v0, v1], "trend", "backlog", period)


def _nrr_reason(w: _Writer, drivers: Drivers | None, priority: int) -> None:
    """Churn against expansion in the NRR table's latest month."""
    if drivers is None or not drivers.nrr:
        return
    last = drivers.nrr[-1]
    if not (_num(last.nrr) and _num(last.gross_churn) and _num(last.expansion)):
        return
    churn, exp, nrr = (format_value(v, "ratio") for v in (last.gross_churn, last.expansion, last.nrr))
    if churn == exp:
        body = f"expansion of {exp} matched gross churn of {churn}"
    elif last.expansion > last.gross_churn:
        body = f"expansion of {exp} outweighed gross churn of {churn}"
    else:
        body = f"gross churn of {churn} outweighed expansion of {exp}"
    w.add(priority, "reason", f"In {month_name(last.period)} {body}, for an NRR of {nrr}.",
          (exp, churn, nrr), "drilldown:finance/nrr")


def _uptime_reason(w: _Writer, kpi: dict, drivers: Drivers | None, priority: int) -> None:
    """The window's lowest (or, when uptime rose, highest) month of the Uptime table."""
    if drivers is None or not drivers.uptime or len(drivers.uptime) < 2:  # "lowest" of one month says nothing
        return
    pick = min if kpi["delta"] < 0 else max
    period, value = pick(drivers.uptime, key=lambda pv: pv[1])
    v = format_value(value, "ratio")
    text = f"Uptime was {'lowest' if pick is min else 'highest'} in {month_name(period)}, at {v}"
    _with_band(w, priority, text, [v], "drilldown:operations/uptime", "uptime", period)


def _reason_for(w: _Writer, kpi: dict, drivers: Drivers | None, priority: int) -> None:
    key = kpi.get("key")
    if key == "backlog":
        _backlog_reason(w, kpi, priority)
    elif key == "nrr":
        _nrr_reason(w, drivers, priority)
    elif key == "uptime":
        _uptime_reason(w, kpi, drivers, priority)


def _anomaly_sentences(w: _Writer) -> None:
    """One sentence per anomaly no reason voiced, by rank."""
    for i, a in enumerate(w.ranked):
        if (a.series, a.period) in w.voiced:
            continue
        v, band = w.value(a, a.value), w.band(a)
        if band is None:
            continue
        clause, bound = band
        w.add(anomaly_priority(i), "reason", f"{a.label} in {month_name(a.period)} was {v}, {clause}.",
              (v, bound), ANOMALY_SOURCE[a.series])


def _title(row: dict) -> str | None:
    t = row.get("title")
    return f"\u201c{str(t).strip()}\u201d" if t is not None and str(t).strip() else None


def _named(titles: list[str], total: int) -> tuple[str, list[str]]:
    """'“A”, “B” and 2 more' and the figures it quotes."""
    shown = titles[:MAX_NAMED]
    more = total - len(shown)
    if not shown:
        return "", []
    if more > 0:
        return ", ".join(shown) + f" and {more} more", [str(more)]
    return _listing(shown), []


def _alerts_action(w: _Writer, priority: int) -> None:
    high = [a for a in w.payload.get("alerts") or () if str(a.get("severity") or "").strip().lower() == "high"]
    if not high:
        return
    n = str(len(high))
    names, figs = _named([t for a in high if (t := _title(a))], len(high))
    head = f"{n} high alert{'s need' if len(high) > 1 else ' needs'} an owner"
    w.add(priority, "action", head + (f": {names}." if names else "."), (n, *figs), "alerts")


def _risks_action(w: _Writer, priority: int) -> None:
    overdue = [r for r in w.payload.get("risks") or () if r.get("overdue")]
    if not overdue:
        return
    n = str(len(overdue))
    items = []
    for r in overdue:
        t = _title(r)
        if t is None:
            continue
        owner = str(r.get("owner") or "").strip() or "no owner"
        due = f", due {short_date(r['due'])}" if r.get("due") else ""
        items.append(f"{t} ({owner}{due})")
    names, figs = _named(items, len(overdue))
    head = f"{n} risk{'s are' if len(overdue) > 1 else ' is'} overdue"
    w.add(priority, "action", head + (f": {names}." if names else "."), (n, *figs), "risks")


def compose(payload: dict, drivers: Drivers | None, anomalies: Sequence[Anomaly]) -> Summary:
    """The summary's sentences, by fixed rules; pure and deterministic.

    Priorities when there are more than six: the largest move, the high alerts,
    the overdue risks, the reason for the largest move, the farthest anomaly,
    the largest move the other way, its reason, then the other anomalies.
    """
    w = _Writer(payload, anomalies)
    now = _now(w)  # priorities 0 and 5
    _alerts_action(w, 1)
    _risks_action(w, 2)
    for kpi, priority in zip(now, (3, 6)):
        _reason_for(w, kpi, drivers, priority)
    _anomaly_sentences(w)  # after the reasons, which may voice some
    return w.result(anomalies)
