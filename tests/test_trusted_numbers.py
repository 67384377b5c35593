"""Issue 11: comparisons, as-of, entered values, unreadable numbers and fresh rollups.

Each test reproduces one defect of the issue on a real SQLite file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import warnings

import pytest

from execdash_desktop import rollup
from execdash_desktop.engine import Engine
from execdash_desktop.errors import InvalidRequestError
from execdash_desktop.format import (UNCHANGED, compare_text, format_change, format_delta, format_pp,
                                     payload_table)
from execdash_desktop.packs.executive import narrative as nv
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.packs.executive.drilldowns import build_drilldown
from execdash_desktop.packs.executive.payload import build_payload, resolve_window
from execdash_desktop.store import open_reader
from tests.conftest import trend


def kpis(payload):
    return {k["key"]: k for k in payload["executiveKpis"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Data from Nov 2024 to Oct 2026, the issue's demo file."""
    path = tmp_path_factory.mktemp("trust") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=3_000, seed=7)
    return path


def summary_of(path, payload):
    conn = open_reader(path)
    try:
        return nv.build_summary(conn, Engine().source(path), payload)
    finally:
        conn.close()


# -- 1. a partial previous window -------------------------------------------------------

def test_a_previous_window_before_the_first_month_gives_no_change(demo):
    p = Engine().payload(demo, "12m", as_of="2026-06")  # P = 2024-07..2025-06, data from 2024-11
    k = kpis(p)
    for key in ("revenue", "uptime", "gm", "book_to_bill"):
        assert k[key]["value"] is not None
        assert (k[key]["delta"], k[key]["direction"], k[key]["comparison"]) == (None, "flat", "no_full_prior")
        assert compare_text(k[key], 12) == "no full prior period"
    for key in ("backlog", "nrr", "arr"):  # point-in-time: P's last month is in the file
        assert k[key]["delta"] is not None and k[key]["comparison"] == "prior_window"
    assert "no full prior period" in payload_table(p)
    s = summary_of(demo, p)
    ranked = {x.source for x in s.sentences if x.section == "now"}
    assert not ranked & {"card:revenue", "card:uptime", "card:gm", "card:book_to_bill"}
    # a whole previous window still compares
    full = kpis(Engine().payload(demo, "6m", as_of="2026-06"))
    assert full["revenue"]["delta"] is not None and full["revenue"]["comparison"] == "prior_window"


# -- 2. ratio changes in points ---------------------------------------------------------

def test_ratio_changes_read_in_points_and_never_minus_zero(db_factory):
    # gross margin 30.00% over the previous 3 months, 30.16% over the last 3
    orders = [{"amount": 1000.0, "profit": 300.0, "order_date": f"2025-0{m}-10", "type": "x"} for m in (1, 2, 3)]
    orders += [{"amount": 1000.0, "profit": 301.6, "order_date": f"2025-0{m}-10", "type": "x"} for m in (4, 5, 6)]
    db = db_factory({"revenue_trend": trend("2025-01", [(100.0, 100.0, 10.0)] * 6), "orders": orders,
                     "ops_uptime": [{"period": f"2025-0{m}", "uptime": 0.995} for m in range(1, 7)]})
    k = kpis(Engine().payload(db, "3m"))
    gm = k["gm"]
    assert gm["delta_pp"] == pytest.approx(0.16) and gm["delta"] == pytest.approx(0.16 / 30)
    assert format_change(gm) == "\u25b2 +0.2 pp"
    assert format_delta(gm["delta"]) == "\u25b2 +0.5%"  # the relative change stays for the seed's clients
    assert k["uptime"]["delta_pp"] == pytest.approx(0.0) and format_change(k["uptime"]) == UNCHANGED
    assert "delta_pp" not in k["revenue"] and "delta_pp" in k["nrr"]
    assert format_delta(-0.0004) == UNCHANGED and format_pp(-0.04) == UNCHANGED
    assert format_pp(-1.26) == "\u25bc -1.3 pp" and format_delta(-0.012) == "\u25bc -1.2%"


def test_the_summary_and_the_terminal_show_points(demo):
    p = Engine().payload(demo, "12m")
    nrr = kpis(p)["nrr"]
    assert format_change(nrr).endswith(" pp")
    s = summary_of(demo, p)
    nrr_sentences = [x for x in s.sentences if x.source == "card:nrr"]
    assert nrr_sentences and nrr_sentences[0].figures[1] == format_change(nrr)
    assert all("-0.0" not in x.text for x in s.sentences)
    assert format_change(nrr) in payload_table(p)


# -- 3. as-of on a gap month ------------------------------------------------------------

def test_any_month_of_the_span_is_a_valid_as_of(db_factory):
    rows = [r for r in trend("2023-04", [(10.0, 11.0, 5.0)] * 30) if r["period"] != "2024-11"]
    db = db_factory({"revenue_trend": rows})
    p = Engine().payload(db, "3m", as_of="2024-11")
    assert (p["timeframe"]["start_date"], p["timeframe"]["end_date"]) == ("2024-09-01", "2024-11-30")
    assert kpis(p)["revenue"]["value"] == pytest.approx(20.0)  # the gap month is missing data, not 0
    for outside in ("2023-03", "2025-10"):
        with pytest.raises(InvalidRequestError, match="2023-04..2025-09"):
            Engine().payload(db, "3m", as_of=outside)


# -- 4. alerts from the future ----------------------------------------------------------

def test_alerts_created_after_the_as_of_month_are_not_shown(demo):
    from execdash_desktop.api.app import create_app
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    latest = Engine().payload(demo, "12m")
    assert latest["alerts"] and all(a["created_at"] >= "2026-10" for a in latest["alerts"])
    early = Engine().payload(demo, "12m", as_of="2026-06")
    assert early["alerts"] == []
    assert not [s for s in summary_of(demo, early).sentences if s.source == "alerts"]
    with TestClient(create_app(demo)) as client:
        body = client.get("/api/executive-dashboard", params={"range": "12m", "as_of": "2026-06"}).json()
        assert body["alerts"] == []
        assert len(client.get("/api/executive-dashboard").json()["alerts"]) == len(latest["alerts"])
    # an alert without a date is always known; one on the as-of month's last day is known then
    conn = sqlite3.connect(demo.parent / "copy.sqlite")
    conn.close()
    copy = demo.parent / "copy.sqlite"
    shutil.copy(demo, copy)
    conn = sqlite3.connect(copy)
    conn.execute("INSERT INTO alerts(type, title, severity, created_at) VALUES "
                 "('ops', 'undated', 'low', NULL), ('ops', 'end of June', 'low', '2026-06-30 23:59:59'), "
                 "('ops', 'first of July', 'low', '2026-07-01 00:00:00')")
    conn.commit()
    conn.close()
    titles = [a["title"] for a in Engine().payload(copy, "12m", as_of="2026-06")["alerts"]]
    assert sorted(titles) == ["end of June", "undated"]


# -- 5. CAC payback is an entered value -------------------------------------------------

def test_payback_is_an_entered_value_left_out_of_the_ranking(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(100.0, 100.0, 10.0)] * 6),
                     "executive_kpis": [{"key": "payback", "label": "CAC payback", "value": 14.0,
                                         "unit": "mo", "delta": -0.9, "direction": "down"}]})
    p = Engine().payload(db, "3m")
    k = kpis(p)["payback"]
    assert (k["value"], k["delta"], k["comparison"]) == (14.0, -0.9, "entered")
    assert compare_text(k, 3) == ""  # no "vs prior 3 mo": the card's tooltip says it is entered
    # a -90% change as entered is the largest in the payload, but it did not move over the window
    s = nv.compose(p, None, [])
    assert not [x for x in s.sentences if x.source == "card:payback"]
    conn = open_reader(db)
    try:
        dd = build_drilldown("finance/payback", conn, Engine().source(db), resolve_window(Engine().source(db), "3m", None))
    finally:
        conn.close()
    words = " ".join(dd.notes)
    assert "entered in the data file" in words and "executive_kpis" not in words
    assert dd.tables[0].title == "CAC payback, as entered" and dd.tables[0].rows[0][1] == 14.0
    assert all("executive_kpis" not in t.title for t in dd.tables)


# -- 9. a stale rollup ------------------------------------------------------------------

def _truth_arr(path, month: str) -> float:
    conn = sqlite3.connect(path)
    try:
        return 12 * conn.execute("SELECT total(amount) FROM orders WHERE type IN ('subscription', 'recurring') "
                                 "AND substr(order_date, 1, 7) = ?", (month,)).fetchone()[0]
    finally:
        conn.close()


def test_an_in_place_edit_with_its_mtime_restored_rebuilds_the_rollup(demo, tmp_path):
    path = tmp_path / "edited.sqlite"
    shutil.copy(demo, path)
    before = kpis(Engine().payload(path, "12m"))["arr"]["value"]  # rollup computed and kept
    assert before == pytest.approx(_truth_arr(path, "2026-10"))
    st = os.stat(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE orders SET amount = amount * 10 WHERE order_date >= '2026-10'")
    conn.commit()
    conn.close()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -r
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns
    after = kpis(Engine().payload(path, "12m"))["arr"]["value"]
    assert after == pytest.approx(_truth_arr(path, "2026-10")) == pytest.approx(10 * before)


def test_the_change_counter_alone_tells_a_commit(demo, tmp_path):
    """Size, mtime and ctime aside, the stamp holds the header's change counter."""
    path = tmp_path / "counter.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")  # a rollback-journal file: its header counts commits
    conn.close()
    a = rollup.file_stamp(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE orders SET amount = amount + 1 WHERE id = 1")
    conn.commit()
    conn.close()
    b = rollup.file_stamp(path)
    assert a[0][3:] != b[0][3:]  # the header bytes differ, whatever the times


def _commit_right_after_the_first_stamp(monkeypatch, db):
    """Another connection commits an order just after the writer reads its first stamp:
    the moment a writer that re-stamps without checking credits that commit to itself."""
    real = rollup.file_stamp
    done = []

    def stamp_then_commit(path):
        out = real(path)
        if not done and os.fspath(path) == os.fspath(db):
            done.append(1)
            other = sqlite3.connect(db)
            other.execute("INSERT INTO orders(amount, profit, order_date, type) "
                          "VALUES (1000, 1, '2026-03-05', 'subscription')")
            other.commit()
            other.close()
        return out

    monkeypatch.setattr(rollup, "file_stamp", stamp_then_commit)
    return done


@pytest.mark.parametrize("moment", ["close", "open"])
def test_the_writer_never_credits_another_commit_to_itself(db_factory, monkeypatch, moment):
    from execdash_desktop.metrics import MetricsWriter

    db = db_factory({"revenue_trend": trend("2026-01", [(10.0, 11.0, 5.0)] * 3),
                     "orders": [{"amount": 10.0, "profit": 4.0, "order_date": "2026-03-03",
                                 "type": "subscription"}]},
                    name="race.sqlite")
    w = MetricsWriter(db)
    if moment == "close":
        w.record("refresh", {"ttfb_ms": 1})
    Engine().source(db)  # the rollup, valid for the file as it is now
    done = _commit_right_after_the_first_stamp(monkeypatch, db)
    if moment == "close":
        w.close()
    else:
        w.record("refresh", {"ttfb_ms": 1})  # the first write opens the connection (and switches to WAL)
        w.close()
    assert done
    monkeypatch.undo()
    assert kpis(Engine().payload(db, "3m"))["arr"]["value"] == pytest.approx(12 * 1010.0)


# -- 10, 11. numbers that cannot be read, integer dates, the year 9999 ----------------------

def _orders_db(path, rows):
    conn = sqlite3.connect(path)
    from execdash_desktop.store import create_schema
    create_schema(conn)
    conn.executemany("INSERT INTO revenue_trend(period, recognized, booked, backlog) VALUES (?, 1, 1, 1)",
                     [(p,) for p in ("2025-10", "2025-11", "2025-12")])
    conn.executemany("INSERT INTO orders(amount, profit, order_date, type) VALUES (?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


def test_unreadable_numbers_are_skipped_and_counted(tmp_path):
    rows = [(1000.0, 400.0, "2025-12-01", "subscription"), (1000.0, 200.0, "2025-12-02", "recognized"),
            (500.0, "n/a", "2025-12-03", "recognized"),  # profit unreadable: out of the margin
            ("9" * 400, 1.0, "2025-12-04", "subscription"),  # an amount too large to be finite
            ("twelve", 1.0, "2025-12-05", "subscription"),
            (100.0, 50.0, "not a date", "subscription")]
    path = _orders_db(tmp_path / "messy.sqlite", rows)
    k = kpis(Engine().payload(path, "3m"))
    assert k["gm"]["value"] == pytest.approx(600.0 / 2000.0)
    assert k["arr"]["value"] == pytest.approx(12 * 1000.0)
    why = {s["why"]: s["rows"] for s in k["gm"]["skipped"]}
    assert why == {"an order amount that is not a number": 2, "an order profit that is not a number": 1,
                   "an order date that is not a date": 1}
    assert {s["why"] for s in k["arr"]["skipped"]} == {"an order amount that is not a number",
                                                        "an order date that is not a date"}
    assert "skipped" not in k["revenue"]
    assert "2 rows skipped: an order amount that is not a number" in payload_table(Engine().payload(path, "3m"))


def test_integer_order_dates_are_unix_seconds(tmp_path):
    dec = 1764547200  # 2025-12-01 00:00:00 UTC
    rows = [(1000.0, 300.0, "2025-12-01", "subscription"), (2000.0, 600.0, dec + 86400, "subscription"),
            (4000.0, 1200.0, float(dec + 2 * 86400), "recurring"), (8000.0, 1.0, dec - 1, "subscription")]
    path = _orders_db(tmp_path / "epoch.sqlite", rows)
    src = Engine().source(path)
    k = kpis(build_payload(src, "3m"))
    assert k["arr"]["value"] == pytest.approx(12 * 7000.0)  # dec - 1 is 30 Nov
    assert "skipped" not in k["arr"]
    conn = open_reader(path)
    try:
        w = resolve_window(src, "3m", None)
        by_type = {r[0]: r[1] for r in build_drilldown("finance/revenue", conn, src, w).tables[1].rows}
    finally:
        conn.close()
    assert by_type == {"subscription": 11000.0, "recurring": 4000.0}


def test_an_order_on_9999_12_31_is_counted(tmp_path):
    path = tmp_path / "far.sqlite"
    conn = sqlite3.connect(path)
    from execdash_desktop.store import create_schema
    create_schema(conn)
    conn.executemany("INSERT INTO revenue_trend(period, recognized, booked, backlog) VALUES (?, 1, 1, 1)",
                     [("9999-11",), ("9999-12",)])
    conn.execute("INSERT INTO orders(amount, profit, order_date, type) VALUES (100, 25, '9999-12-31', 'subscription')")
    conn.commit()
    conn.close()
    src = Engine().source(path)
    k = kpis(build_payload(src, "3m"))
    assert k["arr"]["value"] == 1200.0 and k["gm"]["value"] == 0.25
    conn = open_reader(path)
    try:
        rows = build_drilldown("finance/gm", conn, src, resolve_window(src, "3m", None)).tables[1].rows
    finally:
        conn.close()
    assert rows == (("subscription", 100.0, 25.0, 0.25, 1),)
