"""The Now / Reason / Action summary: pinned text for a known file, and no wrong sentence without data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import shutil
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execdash_desktop.engine import Engine
from execdash_desktop.packs.executive import narrative as nv
from execdash_desktop.packs.executive.anomalies import Anomaly
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.packs.executive.kpis import KPIS
from execdash_desktop.packs.executive.payload import build_payload
from execdash_desktop.store import open_reader
from tests.conftest import trend

TODAY = dt.date(2026, 11, 23)  # risks are overdue relative to the as-of month or today


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("nv") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=2_000, seed=7)
    return path


def summarize(path, range_="12m") -> nv.Summary:
    src = Engine().source(path)
    payload = build_payload(src, range_, today=TODAY)
    conn = open_reader(path)
    try:
        summary = nv.build_summary(conn, src, payload)
    finally:
        conn.close()
    check_sentences(summary)
    return summary


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"


def check_sentences(summary: nv.Summary) -> None:
    """What holds for every summary: figures in the text, every other number accounted for."""
    assert len(summary.sentences) <= nv.MAX_SENTENCES
    order = [s.section for s in summary.sentences]
    assert order == sorted(order, key=["now", "reason", "action"].index)
    for s in summary.sentences:
        assert s.text and s.text.endswith(".") and s.source
        assert all(f in s.text for f in s.figures), s
        rest = re.sub("\u201c[^\u201d]*\u201d", "", s.text)  # titles quoted verbatim from the panels
        for bad in ("None", "nan", "inf", "\u2014", "{", "}"):
            assert bad not in rest, s
        rest = re.sub(rf"\b(?:\d{{1,2}} )?{_MONTH} \d{{4}}\b", "", rest)  # months and due dates
        for f in sorted(s.figures, key=len, reverse=True):
            rest = rest.replace(f, "")
        assert not re.search(r"\d", rest), (s.text, rest)


def test_the_summary_of_the_demo_file(demo):
    s = summarize(demo)
    assert [(x.section, x.text, x.source) for x in s.sentences] == [
        ("now", "Backlog moved most, for the better: £8.2M, \u25b2 +58.3%.", "card:backlog"),
        ("now", "The largest move for the worse: NRR, 105.5%, \u25bc -1.0 pp.", "card:nrr"),
        ("reason", "Backlog rose most in Aug 2026, from £6.5M to £8.8M, above its usual range (up to £7.3M).",
         "trend"),
        ("reason", "In Oct 2026 expansion of 8.0% outweighed gross churn of 2.5%, for an NRR of 105.5%.",
         "drilldown:finance/nrr"),
        ("action", "2 high alerts need an owner: \u201cBacklog up 35% in 2026-08\u201d and "
                   "\u201cUptime dipped to 97.7% in 2026-09\u201d.", "alerts"),
        ("action", "3 risks are overdue: \u201cFreight rate volatility\u201d (Head of Supply, due 4 Sep 2026), "
                   "\u201cBacklog exceeds assembly capacity\u201d (COO, due 7 Sep 2026) and "
                   "\u201cData-protection audit findings\u201d (General Counsel, due 24 Sep 2026).", "risks"),
    ]
    assert s.sentences[2].figures == ("£6.5M", "£8.8M", "£7.3M")
    assert [x.text for x in s.section("action")] == [x.text for x in s.sentences[4:]]
    # every anomaly is listed, the uptime dip of the Uptime drill-down too
    assert {(a.series, a.period) for a in s.anomalies} >= {("backlog", "2026-08"), ("booked", "2026-08"),
                                                           ("uptime", "2026-09")}


def test_the_summary_of_the_last_three_months(demo):
    texts = [x.text for x in summarize(demo, "3m").sentences]
    assert texts[:4] == [
        "ARR moved most, for the better: £6.0M, \u25b2 +102.5%.",
        "The largest move for the worse: NRR, 105.5%, \u25bc -1.3 pp.",
        "Backlog in Aug 2026 was £8.8M, above its usual range (up to £7.3M).",
        "In Oct 2026 expansion of 8.0% outweighed gross churn of 2.5%, for an NRR of 105.5%.",
    ]


def test_the_uptime_reason_names_the_dip_of_the_uptime_drilldown(demo):
    from execdash_desktop.packs.executive.anomalies import uptime_anomalies
    src = Engine().source(demo)
    payload = build_payload(src, "3m", today=TODAY)
    payload["executiveKpis"] = [k for k in payload["executiveKpis"] if k["key"] == "uptime"]
    w = nv.window_of(payload)
    conn = open_reader(demo)
    s = nv.compose(payload, nv.read_drivers(conn, src, w), uptime_anomalies(src, w))
    conn.close()
    check_sentences(s)
    assert [(x.text, x.source) for x in s.sentences[:2]] == [
        ("Uptime moved most, for the worse: 99.1%, \u25bc -0.7 pp.", "card:uptime"),
        ("Uptime was lowest in Sep 2026, at 97.7%, below its usual range (down to 98.8%).",
         "drilldown:operations/uptime")]


def test_an_anomaly_that_prints_like_its_bound_is_not_voiced():
    payload = {"executiveKpis": [], "revenueTrend": [], "alerts": [], "risks": [],
               "timeframe": {"granularity": "month", "start_date": "2025-04-01", "end_date": "2025-06-30"}}
    near = Anomaly("backlog", "Backlog", "2025-05", 4_612_000.0, 4_100_000.0, 140_000.0, 3_610_000.0,
                   4_590_000.0, "high", "currency")
    assert nv.compose(payload, None, [near]).sentences == ()
    far = dataclasses.replace(near, value=5_612_000.0)
    assert [x.text for x in nv.compose(payload, None, [far]).sentences] == [
        "Backlog in May 2025 was \u00a35.6M, above its usual range (up to \u00a34.6M)."]


def test_figures_are_formatted_as_the_cards_show_them(demo):
    from execdash_desktop.format import format_change, format_value
    src = Engine().source(demo)
    cards = {k["key"]: k for k in build_payload(src, "12m", today=TODAY)["executiveKpis"]}
    s = summarize(demo)
    for x in s.section("now"):
        k = cards[x.source.split(":")[1]]
        assert x.figures == (format_value(k["value"], k["format"], k["unit"]), format_change(k))


def _copy(demo, tmp_path, *sql: str):
    path = tmp_path / "changed.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.executescript(";\n".join(sql))
    conn.commit()
    conn.close()
    return path


def _loose(table: str) -> str:
    """SQL that rebuilds `table` without its NOT NULL constraints, so a test can store NULLs."""
    return f"CREATE TABLE _t AS SELECT * FROM {table}; DROP TABLE {table}; ALTER TABLE _t RENAME TO {table}"


def _outside_titles(s: nv.Summary) -> str:
    return " ".join(re.sub("\u201c[^\u201d]*\u201d", "", x.text) for x in s.sentences)


def test_without_retention_nrr_nothing_mentions_nrr(demo, tmp_path):
    s = summarize(_copy(demo, tmp_path, "DROP TABLE retention_nrr"))
    assert s.sentences and "NRR" not in _outside_titles(s) and "churn" not in _outside_titles(s)
    assert not [x for x in s.sentences if "nrr" in x.source]


def test_without_alerts_and_risks_there_is_no_action(demo, tmp_path):
    s = summarize(_copy(demo, tmp_path, "DELETE FROM alerts", "DELETE FROM risks"))
    assert s.section("action") == () and 3 <= len(s.sentences) <= 6


def test_without_the_tables_at_all_no_action_and_no_exception(demo, tmp_path):
    s = summarize(_copy(demo, tmp_path, "DROP TABLE alerts", "DROP TABLE risks", "DROP TABLE retention_nrr",
                        "DROP TABLE ops_uptime"))
    assert s.section("action") == () and s.section("now")


def test_null_kpi_values_are_left_out(demo, tmp_path):
    s = summarize(_copy(demo, tmp_path, _loose("revenue_trend"), "UPDATE revenue_trend SET backlog = NULL",
                        _loose("retention_nrr"), "UPDATE retention_nrr SET nrr = NULL, gross_churn = NULL",
                        "DELETE FROM ops_uptime", "DELETE FROM executive_kpis", "DELETE FROM orders"))
    text = _outside_titles(s)
    for word in ("Backlog", "NRR", "churn", "Uptime", "ARR", "Gross margin", "CAC payback", "Coverage"):
        assert word not in text, text
    assert s.section("now")  # revenue, book-to-bill and forecast still moved


def test_an_nrr_month_with_a_null_part_gives_no_nrr_reason(demo, tmp_path):
    path = _copy(demo, tmp_path, _loose("retention_nrr"),
                 "UPDATE retention_nrr SET expansion = NULL WHERE period = '2026-10'")
    src = Engine().source(path)
    payload = build_payload(src, "3m", today=TODAY)
    conn = open_reader(path)
    drivers = nv.read_drivers(conn, src, nv.window_of(payload))
    conn.close()
    assert drivers.nrr[-1].expansion is None and drivers.nrr[-2].expansion is not None
    s = nv.compose(payload, drivers, ())
    check_sentences(s)
    assert not [x for x in s.sentences if x.source == "drilldown:finance/nrr"]


def test_an_empty_file_has_an_empty_summary(db_factory):
    path = db_factory({"revenue_trend": trend("2026-01", [(1.0, 1.0, 1.0)])})
    s = summarize(path)
    assert s.sentences == () and s.anomalies == ()


def test_a_planted_spike_is_listed_in_the_summary(demo, tmp_path):
    path = _copy(demo, tmp_path, "UPDATE revenue_trend SET recognized = recognized * 4 WHERE period = '2026-05'")
    s = summarize(path)
    (spike,) = [a for a in s.anomalies if (a.series, a.period) == ("recognized", "2026-05")]
    (line,) = [x for x in s.sentences if "May 2026" in x.text]
    assert line.section == "reason" and line.source == "trend"
    assert line.text.startswith(f"Recognized in May 2026 was {line.figures[0]}, above its usual range (up to ")
    assert line.figures[0] == nv.format_value(spike.value, "currency", "£")


def test_a_quarter_payload_says_nothing_about_trend_months(demo):
    from execdash_desktop.packs.executive.payload import rebucket
    src = Engine().source(demo)
    monthly = build_payload(src, "12m", today=TODAY)
    conn = open_reader(demo)
    drivers = nv.read_drivers(conn, src, nv.window_of(monthly))
    conn.close()
    s = nv.compose(rebucket(monthly, "quarter"), drivers, [])
    check_sentences(s)
    assert not [x for x in s.sentences if x.source == "trend"]


def test_compose_is_deterministic(demo):
    assert summarize(demo) == summarize(demo)


# -- any payload: never an exception, never a half-filled sentence -------------------------

_num = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                 st.floats(min_value=-1e9, max_value=1e9))
_titles = st.one_of(st.none(), st.sampled_from(["", "  ", "Backlog up 35%", "Churn \u201cspike\u201d", "Q3"]))


@st.composite
def payloads(draw):
    kpis = [{"key": k.key, "label": k.label, "value": draw(_num), "delta": draw(_num), "better": k.better,
             "format": k.fmt, "unit": "£" if k.unit == "currency" else k.unit} for k in KPIS]
    n = draw(st.integers(0, 14))
    trend = [{"period": f"2026-{m:02d}" if m <= 12 else draw(st.sampled_from(["bad", None, "2027-01"])),
              "recognized": draw(_num), "booked": draw(_num), "backlog": draw(_num)} for m in range(1, n + 1)]
    alerts = draw(st.lists(st.fixed_dictionaries({"title": _titles, "severity": st.sampled_from(
        ["high", "HIGH", "medium", None, "x"])}), max_size=6))
    risks = draw(st.lists(st.fixed_dictionaries({
        "title": _titles, "owner": st.one_of(st.none(), st.just(""), st.just("CFO")),
        "due": st.one_of(st.none(), st.just("2026-09-04"), st.just("soon"), st.just("2026-09-04T10:00:00")),
        "overdue": st.booleans()}), max_size=6))
    return {"executiveKpis": kpis, "revenueTrend": trend, "alerts": alerts, "risks": risks,
            "timeframe": {"range": "12m", "granularity": draw(st.sampled_from(["month", "quarter"])),
                          "start_date": "2026-01-01", "end_date": "2026-12-31"}, "meta": {"currency": "£"}}


_some = _num.filter(lambda v: v is not None)
_anomalies = st.lists(st.builds(
    Anomaly, series=st.sampled_from(["recognized", "booked", "backlog", "uptime", "turns"]), label=st.just("X"),
    period=st.sampled_from(["2026-03", "2026-08", "2026-11"]), value=_some, median=st.floats(allow_nan=True),
    mad=st.one_of(st.floats(min_value=0, max_value=1e9), st.just(math.nan)), low=_some, high=_some,
    direction=st.sampled_from(["high", "low"]), fmt=st.sampled_from(["currency", "ratio", "int"])), max_size=5)

_drivers = st.one_of(st.none(), st.builds(
    nv.Drivers,
    nrr=st.one_of(st.none(), st.lists(st.builds(nv.NrrMonth, period=st.just("2026-10"), nrr=_num,
                                                gross_churn=_num, expansion=_num), max_size=2).map(tuple)),
    uptime=st.one_of(st.none(), st.lists(st.tuples(st.just("2026-09"), st.floats(0, 1)), min_size=1,
                                         max_size=3).map(tuple))))


@settings(max_examples=300, deadline=None)
@given(payload=payloads(), drivers=_drivers, anomalies=_anomalies)
def test_any_payload_gives_whole_sentences(payload, drivers, anomalies):
    s = nv.compose(payload, drivers, anomalies)
    check_sentences(s)
    assert s.anomalies == tuple(anomalies)
    assert all(f and f.strip() == f for x in s.sentences for f in x.figures)
