"""metrics.py: the RUM writer (data file or side file, one transaction) and the P95 gates."""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from execdash_desktop import metrics, rollup
from execdash_desktop.engine import Engine
from execdash_desktop.errors import DataFileError
from execdash_desktop.metrics import EVENT_TYPES, METRIC_KEYS, TARGETS, MetricsWriter, quality_gates
from tests.conftest import trend

NOW = datetime(2026, 10, 31, 12, 0, 0, tzinfo=timezone.utc)


def rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def schema_of(path) -> list:
    return rows(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name")


@pytest.fixture
def db(db_factory):
    return db_factory({"revenue_trend": trend("2026-01", [(10.0, 11.0, 5.0)] * 10)})


def test_constants_match_the_seed():
    assert {"switch_range_or_granularity", "drilldown", "alert_click", "export_csv"} <= EVENT_TYPES
    assert {"page_load", "refresh", "switch", "alerts_poll", "drilldown_timing", "app_start"} <= EVENT_TYPES
    assert METRIC_KEYS == ("ttfb_ms", "render_total_ms", "switch_latency_ms", "alerts_poll_interval_ms",
                           "drilldown_duration_ms", "drilldown_clicks")
    assert set(TARGETS) == set(METRIC_KEYS)
    assert metrics.passes("ttfb_ms", 299.9) and not metrics.passes("ttfb_ms", 300)
    assert metrics.passes("render_total_ms", 999) and not metrics.passes("render_total_ms", 1000)
    assert metrics.passes("switch_latency_ms", 199) and not metrics.passes("switch_latency_ms", 200)
    assert metrics.passes("alerts_poll_interval_ms", 30000)
    assert metrics.passes("alerts_poll_interval_ms", 25000) and metrics.passes("alerts_poll_interval_ms", 35000)
    assert not metrics.passes("alerts_poll_interval_ms", 24999) and not metrics.passes("alerts_poll_interval_ms", 35001)
    assert metrics.passes("drilldown_clicks", 2) and not metrics.passes("drilldown_clicks", 3)
    assert metrics.passes("ttfb_ms", None) is None


def test_record_writes_event_and_meta_rows_in_the_data_file(db):
    with MetricsWriter(db) as w:
        assert w.target_path == db.resolve()
        eid = w.record("page_load", {"ttfb_ms": 123, "render_total_ms": 860.5},
                       event_time="2026-10-31T09:30:00.1234+02:00")
        eid2 = w.record("drilldown", {"metric": "drilldown_clicks", "v": 2})
        eid3 = w.record("alert_click")
    assert eid2 == eid + 1 and eid3 == eid + 2
    assert rows(db, "SELECT id, event_type, event_time FROM user_events WHERE id = ?", (eid,)) == [
        (eid, "page_load", "2026-10-31 07:30:00.123")]
    assert sorted(rows(db, "SELECT metric, v FROM user_event_meta WHERE event_id = ?", (eid,))) == [
        ("render_total_ms", 860.5), ("ttfb_ms", 123.0)]
    assert rows(db, "SELECT metric, v FROM user_event_meta WHERE event_id = ?", (eid2,)) == [
        ("drilldown_clicks", 2.0)]
    assert rows(db, "SELECT count(*) FROM user_event_meta WHERE event_id = ?", (eid3,)) == [(0,)]
    # default time is now, in UTC, with milliseconds
    t = rows(db, "SELECT event_time FROM user_events WHERE id = ?", (eid2,))[0][0]
    stored = datetime.strptime(t, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - stored).total_seconds()) < 60
    assert len(t) == 23


def test_naive_times_are_taken_as_utc_and_old_years_keep_four_digits(db):
    with MetricsWriter(db) as w:
        a = w.record("refresh", None, datetime(2026, 1, 2, 3, 4, 5, 678901))
        b = w.record("refresh", None, "0269-04-27T09:34:44.679-07:53")
    got = dict(rows(db, "SELECT id, event_time FROM user_events"))
    assert got[a] == "2026-01-02 03:04:05.678"
    assert got[b] == "0269-04-27 17:27:44.679"


@pytest.mark.parametrize("event_type, meta, needle", [
    ("page_loaded", {"ttfb_ms": 1}, "page_loaded"),
    ("page_load", {"ttfb": 1}, "ttfb"),
    ("page_load", {"ttfb_ms": "12"}, "'12'"),
    ("page_load", {"ttfb_ms": True}, "True"),
    ("page_load", {"ttfb_ms": math.nan}, "nan"),
    ("page_load", {"ttfb_ms": math.inf}, "inf"),
    ("page_load", {"ttfb_ms": -1}, "-1"),
    ("page_load", {"metric": "ttfb_ms"}, "'v'"),
    ("page_load", ["ttfb_ms", 1], "meta"),
])
def test_invalid_events_name_the_problem_and_store_nothing(db, event_type, meta, needle):
    with MetricsWriter(db) as w:
        with pytest.raises(ValueError, match=None) as err:
            w.record(event_type, meta)
    assert needle in str(err.value)
    assert rows(db, "SELECT count(*) FROM user_events") == [(0,)]


def test_invalid_event_time_is_rejected(db):
    with MetricsWriter(db) as w:
        with pytest.raises(ValueError, match="event_time"):
            w.record("refresh", None, "yesterday")


def test_record_many_is_one_transaction_all_or_nothing(db):
    with MetricsWriter(db) as w:
        with pytest.raises(ValueError, match="event #1"):
            w.record_many([("refresh", {"ttfb_ms": 1}, None), ("nope", None, None)])
        assert rows(db, "SELECT count(*) FROM user_events") == [(0,)]
        ids = w.record_many([("refresh", {"ttfb_ms": i}, None) for i in range(50)])
    assert ids == list(range(ids[0], ids[0] + 50))
    assert rows(db, "SELECT count(*) FROM user_event_meta") == [(50,)]


def test_a_failing_meta_insert_rolls_back_and_the_event_goes_to_the_side_file(db):
    conn = sqlite3.connect(db)
    conn.execute("CREATE TRIGGER no_meta BEFORE INSERT ON user_event_meta "
                 "BEGIN SELECT RAISE(ABORT, 'meta refused'); END")
    conn.commit()
    conn.close()
    with MetricsWriter(db) as w:
        eid = w.record("page_load", {"ttfb_ms": 5})
        side = w.target_path
    assert side == metrics.side_file_for(db)
    assert rows(db, "SELECT count(*) FROM user_events") == [(0,)]  # no orphan event row
    assert rows(side, "SELECT m.v FROM user_events e JOIN user_event_meta m ON m.event_id = e.id "
                      "WHERE e.id = ?", (eid,)) == [(5.0,)]


def _read_only_checks(db):
    before = sha(db)
    with MetricsWriter(db) as w:
        ids = [w.record("page_load", {"ttfb_ms": v}, NOW - timedelta(hours=1)) for v in (100, 200)]
        assert w.uses_side_file
    assert sha(db) == before
    side = metrics.side_file_for(db)
    assert side.parent.parent == metrics.user_data_dir()
    assert rows(side, "SELECT id FROM user_events ORDER BY id") == [(i,) for i in ids]
    gate = {g["metric"]: g for g in quality_gates(db, now=NOW)}["ttfb_ms"]
    assert gate["samples_7d"] == 2 and gate["p95_7d"] == 200.0


def test_file_without_write_permission_goes_to_the_side_file(db, monkeypatch):
    os.chmod(db, 0o444)
    try:
        if os.access(db, os.W_OK):  # root ignores the mode bits: play the permission check
            monkeypatch.setattr(metrics.store, "is_writable", lambda p: False)
        _read_only_checks(db)
    finally:
        os.chmod(db, 0o644)


def test_readonly_database_error_while_writing_goes_to_the_side_file(db, monkeypatch):
    real = metrics.store.open_writer
    # a file that looks writable but is not (read-only mount, immutable file)
    monkeypatch.setattr(metrics.store, "open_writer",
                        lambda p, **kw: sqlite3.connect(metrics.store._uri(p, mode="ro"), uri=True,
                                                  isolation_level=None, check_same_thread=False)
                        if str(p) == str(db.resolve()) else real(p, **kw))
    _read_only_checks(db)


def test_file_without_metrics_tables_is_never_given_them(db_factory):
    path = db_factory(schema=False)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE revenue_trend (period TEXT PRIMARY KEY, recognized REAL, booked REAL, backlog REAL)")
    conn.commit()
    conn.close()
    schema = schema_of(path)
    with MetricsWriter(path) as w:
        w.record("app_start", {"render_total_ms": 700})
        assert w.uses_side_file
    assert schema_of(path) == schema
    assert {n for _, n, _ in schema_of(metrics.side_file_for(path))} >= {
        "user_events", "user_event_meta", "idx_user_events_time", "idx_eventmeta_metric"}


def test_data_file_and_side_file_samples_combine(db):
    with MetricsWriter(db) as w:
        w.record("page_load", {"ttfb_ms": 100}, NOW - timedelta(days=1))
    side = metrics.side_file_for(db)
    conn = sqlite3.connect(side)
    conn.executescript(metrics.metrics_schema_sql())
    conn.execute("INSERT INTO user_events(id, event_type, event_time) VALUES (1, 'page_load', ?)",
                 (metrics.to_utc_text(NOW - timedelta(days=2)),))
    conn.execute("INSERT INTO user_event_meta(event_id, metric, v) VALUES (1, 'ttfb_ms', 400)")
    conn.commit()
    conn.close()
    gate = {g["metric"]: g for g in quality_gates(db, now=NOW)}["ttfb_ms"]
    assert gate["samples_7d"] == 2 and gate["p95_7d"] == 400.0 and gate["pass_7d"] is False


def test_p95_is_nearest_rank_over_7_and_30_days(db):
    with MetricsWriter(db) as w:
        # 100 samples 1..100 within the last 7 days, 20 samples of 1000 at 10-20 days, 5 older than 30
        events = [("page_load", {"ttfb_ms": v, "switch_latency_ms": v}, NOW - timedelta(hours=v))
                  for v in range(1, 101)]
        events += [("page_load", {"ttfb_ms": 1000}, NOW - timedelta(days=10 + i % 10)) for i in range(20)]
        events += [("page_load", {"ttfb_ms": 5000}, NOW - timedelta(days=31 + i)) for i in range(5)]
        events += [("page_load", {"ttfb_ms": 7000}, NOW + timedelta(days=1))]  # future: not counted
        events += [("alerts_poll", {"alerts_poll_interval_ms": v}, NOW - timedelta(minutes=i))
                   for i, v in enumerate((29000, 30000, 31000, 30500))]
        events += [("drilldown", {"drilldown_clicks": None}, NOW)]  # NULL: not a sample
        w.record_many(events)
    gates = {g["metric"]: g for g in quality_gates(db, now=NOW)}
    assert [g["metric"] for g in quality_gates(db, now=NOW)] == list(METRIC_KEYS)
    t = gates["ttfb_ms"]
    assert (t["samples_7d"], t["p95_7d"]) == (100, 95.0)  # ceil(0.95 * 100) = 95th value
    vals = sorted(list(range(1, 101)) + [1000] * 20)
    assert (t["samples_30d"], t["p95_30d"]) == (120, float(vals[math.ceil(0.95 * 120) - 1]))
    assert t["pass_7d"] is True and t["pass_30d"] is False
    assert gates["switch_latency_ms"]["p95_7d"] == 95.0
    assert gates["alerts_poll_interval_ms"]["p95_7d"] == 31000.0
    assert gates["alerts_poll_interval_ms"]["pass_7d"] is True
    d = gates["drilldown_clicks"]
    assert (d["samples_7d"], d["p95_7d"], d["pass_7d"]) == (0, None, None)
    assert set(t) >= {"metric", "target", "samples_7d", "p95_7d", "samples_30d", "p95_30d",
                      "pass_7d", "pass_30d"}


def test_p95_of_one_sample_and_of_few(db):
    with MetricsWriter(db) as w:
        w.record("switch", {"switch_latency_ms": 150}, NOW)
        for v in (10, 20, 30):
            w.record("page_load", {"render_total_ms": v}, NOW)
    gates = {g["metric"]: g for g in quality_gates(db, now=NOW)}
    assert gates["switch_latency_ms"]["p95_7d"] == 150.0
    assert gates["render_total_ms"]["p95_7d"] == 30.0


def test_own_writes_keep_the_orders_rollup_valid(db_factory, monkeypatch):
    db = db_factory({"revenue_trend": trend("2026-01", [(10.0, 11.0, 5.0)] * 3),
                     "orders": [{"amount": 10.0, "profit": 4.0, "order_date": "2026-02-03",
                                 "type": "subscription"}]})
    Engine().source(db)  # computes the rollup and keeps it beside the file
    computed = []
    real = rollup.compute
    monkeypatch.setattr(rollup, "compute", lambda *a, **k: computed.append(1) or real(*a, **k))
    w = MetricsWriter(db)
    for i in range(5):
        w.record("refresh", {"ttfb_ms": i})
    Engine().source(db)
    assert not computed, "a metrics write invalidated the rollup"
    w.close()  # the last connection closes: the WAL checkpoint changes the file
    Engine().source(db)
    assert not computed, "close() invalidated the rollup"
    conn = sqlite3.connect(db)  # a real change to the file is still seen
    conn.execute("INSERT INTO orders(amount, profit, order_date, type) VALUES (1, 1, '2026-03-01', 'x')")
    conn.commit()
    conn.close()
    Engine().source(db)
    assert computed


def test_listeners_hear_own_writes(db):
    heard = []
    with MetricsWriter(db) as w:
        w.listeners.append(lambda before, after: heard.append((before, after)))
        w.record("refresh")
    assert heard and heard[0][0] != heard[0][1]
    assert heard[-1][1] == rollup.file_stamp(db)


def test_thread_safe_one_connection_many_threads(db):
    w = MetricsWriter(db)
    ids: list[int] = []
    lock = threading.Lock()

    def work(n):
        for i in range(50):
            eid = w.record("refresh", {"ttfb_ms": n * 100 + i})
            with lock:
                ids.append(eid)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    w.close()
    assert len(set(ids)) == 200
    assert rows(db, "SELECT count(*) FROM user_event_meta") == [(200,)]


def test_locked_file_waits_for_busy_timeout_then_names_the_lock(db, monkeypatch):
    monkeypatch.setenv("EDB_BUSY_TIMEOUT_MS", "300")
    w = MetricsWriter(db)
    w.record("refresh")  # opens the writer (WAL)
    blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.1, lambda: blocker.execute("COMMIT"))
    released.start()
    t0 = time.perf_counter()
    w.record("refresh")  # waits for the lock, inside the busy timeout
    assert time.perf_counter() - t0 < 0.3 + 0.5
    released.join()
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DataFileError, match="locked"):
            w.record("refresh", {"ttfb_ms": 1})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert w.record("refresh") > 0
    w.close()
    assert rows(db, "SELECT count(*) FROM user_events") == [(3,)]


def test_closed_writer_refuses(db):
    w = MetricsWriter(db)
    w.close()
    with pytest.raises(RuntimeError):
        w.record("refresh")


def test_quality_gates_on_a_missing_file_raise(tmp_path):
    with pytest.raises(DataFileError):
        quality_gates(tmp_path / "nope.sqlite")


def test_waits_that_could_not_be_timed_are_counted_not_made_up(db):
    with MetricsWriter(db) as w:
        for v in (100, 120, 140):
            w.record("switch", {"switch_latency_ms": v}, NOW - timedelta(days=1))
        w.record("switch", {"switch_latency_ms": None}, NOW - timedelta(days=1))  # never painted
        w.record("switch", {"switch_latency_ms": None}, NOW - timedelta(days=20))
    gate = {g["metric"]: g for g in quality_gates(db, now=NOW)}["switch_latency_ms"]
    assert (gate["samples_7d"], gate["p95_7d"], gate["pass_7d"]) == (3, 140.0, True)
    assert (gate["unmeasured_7d"], gate["unmeasured_30d"]) == (1, 2)
    ttfb = {g["metric"]: g for g in quality_gates(db, now=NOW)}["ttfb_ms"]
    assert (ttfb["unmeasured_7d"], ttfb["unmeasured_30d"]) == (0, 0)
