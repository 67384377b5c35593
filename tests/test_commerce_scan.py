"""The Commerce big-table scans (packs/commerce/scan.py): their cheap SQL readings equal the plain ones
(sqlread) on messy values, and the packed one-pass reads equal a row-by-row read of the same rows."""

from __future__ import annotations

import sqlite3
from importlib import resources

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execdash_desktop.packs.commerce import catalogue as cat
from execdash_desktop.packs.commerce import quality_sql, scan, stock
from execdash_desktop.packs.commerce.source import _inventory_rows, load_source
from execdash_desktop.packs.commerce.sqlread import boolean, boolean_fast, day, day_fast, enum, enum_case, num, num_fast

SCHEMA = resources.files("execdash_desktop.data").joinpath("commerce_schema.sql").read_text()

# timestamps as files hold them: T or space, Z / z / an offset / nothing, fractions, dates alone,
# padding on either side, julian day numbers, junk
_MOMENTS = ["2026-03-05T10:00:00Z", "2026-03-05 10:00:00", "2026-03-05T10:00:00.25Z", "2026-03-05T23:30:00-05:00",
            "2026-03-06 01:00:00+02:00", "2026-03-05", "2026-03-05T10:00:00z", "2026-03-05T10:00",
            "2026-03-04T10:00:00Z", "2026-03-05T09:59:59Z", "1969-12-31T23:00:00Z", "2461000", "2461000.5", "x", ""]
moment = st.one_of(st.none(), st.integers(2440000, 2462000),
                   st.builds(lambda m, l, r: " " * l + m + " " * r, st.sampled_from(_MOMENTS),
                             st.integers(0, 2), st.integers(0, 2)))
word = st.one_of(st.none(), st.integers(-1, 2), st.builds(
    lambda w, up, l, r: " " * l + (w.upper() if up else w) + " " * r,
    st.sampled_from(["fulfilled", "cancelled", "partial", "unfulfilled", "resolved", "closed", "open", "pending",
                     "Delayed_Shipping", "missing_items", "high", "critical", "low", "positive", "very_negative",
                     "other", "", "yes", "TRUE", "t", "1", "0", "no", "f"]),
    st.booleans(), st.integers(0, 1), st.integers(0, 1)))
number = st.one_of(st.none(), st.integers(-5, 5000), st.floats(-10, 10, allow_nan=False),
                   st.sampled_from(["3", " 4 ", "2.5", "abc", "", "1e2", "-1", float("inf"), float("-inf"), 1e300,
                                    -2 ** 63, 2 ** 63 - 1, b"7"]))


def _memory() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    return conn


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(word, word, word, word, number, moment, moment), min_size=1, max_size=25))
def test_fast_readings_equal_the_plain_ones(rows):
    conn = _memory()
    conn.executemany("INSERT INTO fulfillment_tracking (id, fulfillment_status, is_sla_breach, issue_type,"
                     " issue_severity, days_to_fulfill, order_created_at, fulfilled_at) VALUES (?,?,?,?,?,?,?,?)",
                     [(str(i), *r) for i, r in enumerate(rows)])
    st_cases = {"fulfilled": "0", "cancelled": "1", "unfulfilled": "2"}
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in st_cases.items())
    pairs = [
        (day_fast("order_created_at"), day("order_created_at")),
        (day_fast("fulfilled_at"), day("fulfilled_at")),
        (boolean_fast("is_sla_breach"), boolean("is_sla_breach")),
        (num_fast("days_to_fulfill"), num("days_to_fulfill")),
        (num_fast("issue_type"), num("issue_type")),
        (boolean_fast("fulfillment_status"), boolean("fulfillment_status")),
        (enum_case("fulfillment_status", st_cases, "2"), f"(CASE {enum('fulfillment_status')} {whens} ELSE 2 END)"),
        (scan._code("issue_type", cat.ISSUE_TYPES), _plain_code("issue_type", cat.ISSUE_TYPES)),
        (f"NOT NOT {quality_sql.FULFILLMENT_TIMES_FAST[0]}", f"NOT NOT {quality_sql.FULFILLMENT_TIMES[0]}"),
    ]
    for fast, plain in pairs:
        got = conn.execute(f"SELECT {fast}, {plain}, order_created_at, fulfilled_at FROM fulfillment_tracking").fetchall()
        for a, b, *row in got:
            assert (a or 0) == (b or 0) if "NOT NOT" in fast else a == b, (fast[:60], row)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(moment, moment, number), min_size=1, max_size=25))
def test_fast_response_check_flags_the_same_rows(rows):
    conn = _memory()
    conn.executemany("INSERT INTO cx_conversations (id, conversation_created_at, first_response_at,"
                     " first_response_time_minutes) VALUES (?,?,?,?)", [(str(i), *r) for i, r in enumerate(rows)])
    fast, plain = quality_sql.RESPONSE_TIMES_FAST[0], quality_sql.RESPONSE_TIMES[0]
    for a, b in conn.execute(f"SELECT {fast}, {plain} FROM cx_conversations"):
        assert bool(a) == bool(b)


def _plain_code(col: str, names: tuple[str, ...]) -> str:
    whens = " ".join(f"WHEN '{n}' THEN {i + 1}" for i, n in enumerate(names))
    return f"(CASE WHEN {col} IS NULL THEN 0 ELSE (CASE {enum(col)} WHEN '' THEN 0 {whens} ELSE {len(names) + 1} END) END)"


@pytest.mark.parametrize("chunk,parts", [(3, 1), (1000, 1), (3, 3), (7, 2), (1000, 2)])
def test_packed_fulfilment_read_equals_the_rows(monkeypatch, chunk, parts):
    """Day, codes and days to ship of every row, as a row-by-row read gives them; several chunks and
    values outside the packed slot (text, fractions, big, negative) included; read in `parts` parts
    (each on its own thread in source.py) and joined, in row order, with the failing rows of check 6."""
    monkeypatch.setattr(scan, "CHUNK_ROWS", chunk)
    conn = _memory()
    rng = np.random.default_rng(3)
    statuses = ["fulfilled", " FULFILLED", "cancelled", "partial", "Unfulfilled ", None, "odd"]
    moments = ["2026-03-05T10:00:00Z", " 2026-03-06 01:00:00+02:00", "2026-03-07T23:00:00-05:00", "bad", None]
    dtfs = [0, 1, 3, 4093, 4094, 9999, -2, 2.5, "3", " 7 ", "x", None]
    rows = [(str(i), statuses[rng.integers(len(statuses))], int(rng.integers(2)), ["yes", "FALSE", 1, 0][i % 4],
             [None, "delayed_shipping", "MISSING_ITEMS", "other"][i % 4], [None, "High", " low", "x"][i % 4],
             dtfs[i % len(dtfs)], moments[rng.integers(len(moments))]) for i in range(60)]
    conn.executemany("INSERT INTO fulfillment_tracking (id, fulfillment_status, is_sla_breach, has_issue, issue_type,"
                     " issue_severity, days_to_fulfill, order_created_at) VALUES (?,?,?,?,?,?,?,?)", rows)
    conn.execute("UPDATE fulfillment_tracking SET fulfilled_at = '2026-03-01', order_number = '#' || id"
                 " WHERE CAST(id AS INTEGER) % 5 = 0")
    conn.execute("DELETE FROM fulfillment_tracking WHERE CAST(id AS INTEGER) % 9 = 4")  # gaps in the rowids
    got = scan.joined([scan.fulfilment(conn, i, parts) for i in range(parts)])
    check, key = quality_sql.FULFILLMENT_TIMES
    assert got["failing"] == sorted(str(k) for k, in conn.execute(
        f"SELECT {key} FROM fulfillment_tracking WHERE {check}")) and got["failing"]
    st_ = f"(CASE {enum('fulfillment_status')} WHEN 'fulfilled' THEN 0 WHEN 'cancelled' THEN 1 ELSE 2 END)"
    want = conn.execute(
        f"SELECT ifnull({day('order_created_at')}, {scan.NO_DAY}), {st_} + 4 * {boolean('is_sla_breach')}"
        f" + 8 * {boolean('has_issue')} + 16 * {_plain_code('issue_type', cat.ISSUE_TYPES)}"
        f" + 128 * {_plain_code('issue_severity', cat.SEVERITIES)}, {num('days_to_fulfill')}, rowid"
        " FROM fulfillment_tracking ORDER BY rowid").fetchall()
    assert got["days"].tolist() == [w[0] for w in want]
    # the first pass gives each row's day and rowid; the codes and days to ship are read by rowid for
    # the rows a window holds: all of them (one range), or every other one (a list)
    assert got["rowids"].tolist() == [w[3] for w in want]
    for pick in (slice(None), slice(None, None, 2)):
        days, codes, dtf = scan.fulfilment_rows(conn, got["rowids"][pick])
        assert days.tolist() == [w[0] for w in want[pick]]
        assert codes.tolist() == [w[1] for w in want[pick]]
        assert [None if np.isnan(v) else v for v in dtf.tolist()] == [w[2] for w in want[pick]]


_STOCK_ROWS = [("HR-1", "2026-03-01", "low_stock", 5, 3), (" HR-1 ", "2026-03-01T00:00:00Z", "LOW_STOCK", "5", 2.5),
               ("HR-2", "2026-03-01", "out_of_stock", 0, 0), ("HR-2", "2026-03-02", " Overstock", 0.1 + 0.2, None),
               (None, "2026-03-02", "low_stock", -3, 1), (None, "2026-03-02", "in_stock", "-1.5", 40),
               ("HR-3", "bad", "low_stock", 1, 1), ("HR-3", " 2026-03-02", "low_stock", 1e20, "7"),
               ("HR-4", "2026-03-03", "odd", 2, 2), ("HR-4", "2026-03-03", "low_stock", None, "x")]
# SKUs of one length (numbered by numpy): padded ones that trim alike, a non-ASCII one, 8 bytes
_SAME_WIDTH = [(sku, *r[1:]) for sku, r in zip(["HR-1 ", " HR-1", "HR-2 ", "HR-2 ", "Ré-3", "Ré-3",
                                                "HR-4 ", "HR-4 ", "HR-1 ", "HR-5 "], _STOCK_ROWS)]
_LONG = [(None if sku is None else sku + "-LONG-SKU", *r) for sku, *r in _STOCK_ROWS]
# dates all 'YYYY-MM-DD' (or NULL): read as a block, the other columns as messy as above
_DATES = [(sku, [f"2026-03-0{i % 3 + 1}", None][i == 6], *r[1:]) for i, (sku, *r) in enumerate(_STOCK_ROWS)]


@pytest.mark.parametrize("rows", [_STOCK_ROWS, _SAME_WIDTH, _LONG, [(s.ljust(8, "x"), *r[1:]) for s, r in zip(
    ["A1", "A1", "B2", "C3", "C3", "D4", "E5", "E5", "F6", "A1"], _STOCK_ROWS)], _DATES],
    ids=["messy", "one-width", "long", "8", "dates"])
@pytest.mark.parametrize("on_file", [False, True])
def test_packed_inventory_read_equals_the_row_by_row_read(monkeypatch, tmp_path, rows, on_file):
    """Snapshot days, checks 5 and 8, and every day's alerts as a row-by-row read gives them: SKUs numbered
    by numpy (one width) or by Python; the alerts' numbers read in the pass (no file) or by rowid when
    their day is asked (a file, with rowids: then a chunk of plain dates lists only its unusual rows'
    codes), gaps in the rowids included."""
    monkeypatch.setattr(scan, "CHUNK_ROWS", 4)
    path = tmp_path / "s.sqlite"
    conn = sqlite3.connect(path) if on_file else _memory()
    if on_file:
        conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO inventory_snapshots (id, sku, snapshot_date, stock_status, quantity_available,"
                     " days_of_cover) VALUES (?,?,?,?,?,?)", [(str(i), *r) for i, r in enumerate(rows * 2)])
    conn.execute("DELETE FROM inventory_snapshots WHERE rowid IN (12, 13)")
    conn.commit()
    sparse = []
    sparse_chunk = stock._sparse_chunk
    monkeypatch.setattr(stock, "_sparse_chunk", lambda *a: sparse.append(sparse_chunk(*a)) or sparse[-1])
    fast, plain = stock.inventory(conn, str(path) if on_file else None), _inventory_rows(conn)
    assert (on_file and rows is _DATES) == (len(sparse) > 0 and all(x is not None for x in sparse))
    assert fast["rows"] == plain["rows"] == 2 * len(rows) - 2
    assert fast["days"].tolist() == plain["days"].tolist()
    assert sorted(fast["negative"], key=repr) == sorted(plain["negative"], key=repr)
    assert sorted(fast["dups"], key=repr) == sorted(plain["dups"], key=repr) and fast["dups"]
    for d in plain["days"].tolist():
        a, b = fast["alerts"].get(d, ()), plain["alerts"].get(d, ())
        assert [tuple(map(repr, x)) for x in a] == [tuple(map(repr, x)) for x in b]  # 5 stays an int, 0.3... exact
        assert fast["alerts"].get(d, ()) == a  # asked again: kept
    block, n = conn.execute("SELECT CAST(group_concat(ifnull(sku, ''), char(31)) AS BLOB), count(*)"
                            " FROM inventory_snapshots").fetchone()
    assert (stock._numbered(block, n) is not None) == (rows in (_SAME_WIDTH,) or len(rows[0][0]) == 8)


def test_a_sku_holding_the_separator_is_read_row_by_row():
    conn = _memory()
    conn.execute("INSERT INTO inventory_snapshots (id, sku, snapshot_date, stock_status) VALUES"
                 " ('a', 'HR' || char(31) || '1', '2026-03-01', 'low_stock')")
    assert stock.inventory(conn) is None  # the caller (source._inventory) then reads the rows one by one


def test_a_conversation_without_status_counts_as_not_resolved(tmp_path):
    """A NULL status used to drop that row's codes only (the columns then misaligned and the load failed)."""
    path = tmp_path / "c.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.execute("INSERT INTO sales_metrics_daily (id, date, total_revenue, total_orders) VALUES ('s', '2026-03-10',"
                 " 100, 2)")
    conn.executemany("INSERT INTO cx_conversations (id, chatwoot_conversation_id, status, conversation_created_at,"
                     " first_response_time_minutes) VALUES (?,?,?,?,?)",
                     [("a", 1, None, "2026-03-10T09:00:00Z", 10), ("b", 2, "resolved", "2026-03-10T10:00:00Z", 20)])
    conn.commit()
    conn.close()
    from execdash_desktop.dashboards import get

    p = get("commerce").payload(load_source(path), "12m", "month", None)
    assert p["cx"]["resolution_rate"] == pytest.approx(0.5) and p["cx"]["first_response_p50"] == pytest.approx(15)


def test_sparse_rowids_are_read_in_one_pass(monkeypatch):
    """Large ids as the rowid (1 and 10^15): rowid ranges would be nearly all empty, so one pass."""
    monkeypatch.setattr(scan, "CHUNK_ROWS", 3)
    conn = _memory()
    conn.execute("INSERT INTO fulfillment_tracking (rowid, id, order_created_at) VALUES (1, 'a', '2026-03-05'),"
                 " (1000000000000000, 'b', '2026-03-06')")
    assert scan._chunks(conn, "fulfillment_tracking") == [""]
    assert scan.fulfilment(conn)["days"].tolist() == [20517, 20518]


def test_conversations_read_in_parts_equal_the_whole_read(monkeypatch):
    """Parts (consecutive rowid ranges, one thread each in source.py) joined give the one-part read:
    the same rows in order, the escalated ones in row order, the failing rows of check 7 sorted."""
    monkeypatch.setattr(scan, "CHUNK_ROWS", 4)
    conn = _memory()
    moments = ["2026-03-05T10:00:00Z", "2026-03-06 01:00:00+02:00", "bad", None, "2026-03-07T08:00:00Z"]
    conn.executemany("INSERT INTO cx_conversations (id, chatwoot_conversation_id, status, is_sla_breach, is_escalated,"
                     " sentiment, first_response_time_minutes, conversation_created_at, first_response_at)"
                     " VALUES (?,?,?,?,?,?,?,?,?)",
                     [(f"c{i}", i, ["open", "RESOLVED", None][i % 3], i % 2, ["yes", 0, 1, "no"][i % 4],
                       ["positive", "odd", None][i % 3], [5, -1, "7", None, 2.5][i % 5], moments[i % 5],
                       ["2026-03-01T00:00:00Z", None, "2026-03-08T00:00:00Z"][i % 3]) for i in range(40)])
    whole = scan.conversations(conn)
    assert whole["escalated"] and whole["failing"]
    for parts in (2, 3):
        got = scan.joined([scan.conversations(conn, i, parts) for i in range(parts)])
        assert sorted(whole["failing"]) == got["failing"]
        assert got["escalated"] == whole["escalated"]
        for k in ("days", "rowids"):
            assert got[k].tolist() == whole[k].tolist()
    days, codes, frt = scan.conversations_rows(conn, whole["rowids"])
    want = conn.execute(f"SELECT ifnull({day('conversation_created_at')}, {scan.NO_DAY}),"
                        f" {num('first_response_time_minutes')} FROM cx_conversations ORDER BY rowid").fetchall()
    assert days.tolist() == whole["days"].tolist() == [w[0] for w in want]
    assert [None if np.isnan(v) else v for v in frt.tolist()] == [w[1] for w in want]


def test_the_scans_start_without_numpy():
    """source.py starts the big tables' scans before numpy is imported (a cold process, the CLI or the
    API, imports it while SQLite reads): the modules it loads may not import numpy, even indirectly."""
    import subprocess
    import sys

    code = ("import sys; import execdash_desktop.packs.commerce.source, execdash_desktop.packs.commerce.scan, "
            "execdash_desktop.packs.commerce.rows, execdash_desktop.packs.commerce.stock, "
            "execdash_desktop.packs.commerce.stamps; print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_windows_read_when_asked_equal_the_rows_read_whole(tmp_path):
    """The load keeps each row's day and rowid; a window's rows read later by rowid (one range, or a list
    when rows are out of time order or deleted) equal those windows of every row read at once."""
    from execdash_desktop.packs.commerce.demo import build_into
    from execdash_desktop.packs.commerce.rows import DayRows, Grouped, cx_columns, ful_columns

    path = tmp_path / "d.sqlite"
    conn = sqlite3.connect(path)
    build_into(conn, end="2026-10", orders=3000, conversations=1200, days=60, seed=3)
    conn.execute("DELETE FROM fulfillment_tracking WHERE rowid % 7 = 3")
    conn.execute("UPDATE fulfillment_tracking SET order_created_at = '2026-10-02T10:00:00+05:00' WHERE rowid % 11 = 5")
    conn.execute("UPDATE cx_conversations SET conversation_created_at = ' 2026-09-20 23:30:00-02:00'"
                 " WHERE rowid % 13 = 1")
    conn.commit()
    src = load_source(path)
    assert isinstance(src.ful, DayRows) and isinstance(src.cx, DayRows)
    for lazy, table, day_col, code, bits, value_col, columns in (
            (src.ful, "fulfillment_tracking", "order_created_at", scan._ful_code(), 10, "days_to_fulfill", ful_columns),
            (src.cx, "cx_conversations", "conversation_created_at", scan._cx_code(), 6, "first_response_time_minutes",
             cx_columns)):
        d, c, v, _, _ = scan._packed(conn, table, [""], day_col, code, bits, value_col)
        keep = d != scan.NO_DAY
        whole = Grouped.by_day(columns(d[keep], c[keep], v[keep]))
        assert lazy.first_day == whole.first_day
        for lo in range(int(whole["day"][0]) - 3, int(whole["day"][-1]) + 3, 4):
            got, want = lazy.window(lo, lo + 6), whole.window(lo, lo + 6)
            assert got.cols.keys() == want.cols.keys()
            for k in want.cols:
                assert np.array_equal(got[k], want[k], equal_nan=want[k].dtype.kind == "f"), (table, lo, k)
            assert lazy.window(lo, lo + 6) is got  # kept: the next payload at that day reads nothing


def test_parallel_hands_each_result_as_it_lands_and_the_first_error():
    """source.py's scans run on a few threads (parallel.Parallel): results in the order the jobs end, the
    first error raised in the caller, and no job started after it (workers=1: one at a time, in order)."""
    import threading

    from execdash_desktop.packs.commerce.parallel import Parallel

    second_done = threading.Event()
    jobs = [lambda: second_done.wait(5) and "first", lambda: second_done.set() or "second"]
    with Parallel(jobs, 2) as pool:
        assert list(pool.results()) == [(1, "second"), (0, "first")]
    ran = []

    def boom():
        raise ValueError("bad row")

    jobs = [lambda: ran.append(0), boom, lambda: ran.append(2)]
    with pytest.raises(ValueError, match="bad row"):
        with Parallel(jobs, 1) as pool:
            for _ in pool.results():
                pass
    assert ran == [0]
    with Parallel([], 2) as pool:
        assert list(pool.results()) == []
