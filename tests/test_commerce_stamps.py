"""Timestamps read as blocks by numpy (packs/commerce/stamps.py) give what SQLite's date functions give:
the UTC day of each value and the data-quality checks' "before" on clean values; a block holding any
other form is not read, and the scans then read that chunk with SQLite (the same numbers either way)."""

from __future__ import annotations

import sqlite3
from importlib import resources

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execdash_desktop.packs.commerce import quality_sql, scan, stamps
from execdash_desktop.packs.commerce.sqlread import before, day, num

SCHEMA = resources.files("execdash_desktop.data").joinpath("commerce_schema.sql").read_text()

# the usual form, fields at and past their limits (Feb 31, hour 23 / 24, minute 60, 1969 / 1970, year 0)
clean = st.builds(lambda y, mo, d, h, mi, s: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
                  st.sampled_from([0, 1969, 1970, 2000, 2024, 2026, 9999]), st.integers(0, 13), st.integers(0, 32),
                  st.integers(0, 24), st.integers(0, 60), st.integers(0, 60))
usual = st.builds(lambda d, s: f"2026-03-{d:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z",
                  st.integers(1, 31), st.integers(0, 86399))
# other forms: a space, an offset, a fraction, lower-case z, a date alone, padding, other lengths, the
# separator inside a value, numbers, blank
other = st.one_of(
    st.sampled_from(["2026-03-05 10:00:00Z", "2026-03-05T10:00:00+02:00", "2026-03-05T10:00:00.5Z",
                     "2026-03-05T10:00:00z", "2026-03-05", " 2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z ",
                     "2026-03-05T10:00:0Z", "2026-03-05T10:00:000Z", "2026-03-05T10:00:00Z||||2026-03-05T10:00:00Z",
                     "2026-03-05T10|00:00Z", "||||||||||||||||||||", "2026-03-0ST10:00:00Z", "", " " * 20, " ", "!" * 20,
                     "!" * 19 + "Z",
                     "２026-03-05T10:00:00Z"]),
    st.integers(2440000, 2462000), st.floats(2440000, 2462000))
moment = st.one_of(st.none(), usual, clean, other)


def _memory() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    return conn


def _read(conn, col: str, days: bool = True):
    n, block = conn.execute(f"SELECT count(*), {stamps.block_sql(col)} FROM fulfillment_tracking NOT INDEXED").fetchone()
    return stamps.read(block, n, days)


_MARKS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 19: "Z"}


def _form(v) -> bool:
    """NULL, the NULL marks or 'YYYY-MM-DDTHH:MM:SSZ' (ASCII digits, the marks where they belong)."""
    return v is None or v == "!" * 20 or (isinstance(v, str) and len(v) == 20 and all(
        c == _MARKS[i] if i in _MARKS else (c.isascii() and c.isdigit()) for i, c in enumerate(v)))


def _fields(v) -> bool:
    """_form, with fields SQLite reads as written and a day from 1970."""
    if v is None or v == "!" * 20:
        return True
    y, mo, d, h, mi, s = (int(v[i:i + w]) for i, w in ((0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2)))
    return y >= 1970 and 1 <= mo <= 12 and 1 <= d <= 31 and h <= 23 and mi <= 59 and s <= 59


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(moment, moment), min_size=1, max_size=20))
def test_a_block_reads_as_sqlite_does_or_not_at_all(pairs):
    """A block is read exactly when every value is NULL, the NULL marks (no time to SQLite) or the usual
    form (for days: with fields SQLite reads as written, from 1970); then each day is SQLite's and
    "before" is sqlread.before. A blank text is not read (a check reads it otherwise than a NULL)."""
    conn = _memory()
    conn.executemany("INSERT INTO fulfillment_tracking (id, order_created_at, fulfilled_at) VALUES (?,?,?)",
                     [(str(i), a, b) for i, (a, b) in enumerate(pairs)])
    first, later = _read(conn, "order_created_at"), _read(conn, "fulfilled_at", days=False)
    assert (first is not None) == all(_form(a) and _fields(a) for a, _ in pairs)
    assert (later is not None) == all(_form(b) for _, b in pairs)
    want = conn.execute(f"SELECT {day('order_created_at')}, NOT NOT {before('fulfilled_at', 'order_created_at')}"
                        " FROM fulfillment_tracking ORDER BY rowid").fetchall()
    if first is not None:
        blank = np.zeros(len(pairs), bool) if first.blank is None else first.blank
        assert [None if b else int(d) for d, b in zip(first.day, blank)] == [w[0] for w in want]
        if later is not None:
            assert stamps.earlier(later, first).tolist() == [bool(w[1]) for w in want]


def test_an_odd_value_means_the_block_is_not_read():
    for odd in ["2026-03-05 10:00:00Z", "2026-03-05T10:00:00+02:00", "2026-03-05T24:00:00Z", "2026-02-00T10:00:00Z",
                "1969-12-31T23:00:00Z", "2026-03-05T10:00:0Z", "2026-03-05T10:00:000Z", 2461000, ""]:
        conn = _memory()
        conn.executemany("INSERT INTO fulfillment_tracking (id, order_created_at) VALUES (?,?)",
                         [("a", "2026-03-05T10:00:00Z"), ("b", odd), ("c", None)])
        assert _read(conn, "order_created_at") is None, odd
    # the first value one byte short and the second one long: the lengths add up, the separators do not
    conn = _memory()
    conn.executemany("INSERT INTO fulfillment_tracking (id, order_created_at) VALUES (?,?)",
                     [("a", "2026-03-05T10:00:00"), ("b", "Z2026-03-05T10:00:00Z")])
    assert _read(conn, "order_created_at") is None


def _fulfilment_rows(rng, n: int, clean_share: float) -> list[tuple]:
    statuses = ["fulfilled", " FULFILLED", "cancelled", "partial", "Unfulfilled ", None, "odd"]
    odd = ["2026-03-05 10:00:00", " 2026-03-06T01:00:00+02:00", "2026-03-07T23:00:00-05:00", "bad", " " * 20, ""]

    def stamp(d):
        if rng.random() < clean_share:
            if rng.random() < 0.03:
                return "!" * 20  # reads as NULL in a block, and as no time to SQLite
            return None if rng.random() < 0.1 else f"2026-03-{d:02d}T{int(rng.integers(24)):02d}:{int(rng.integers(60)):02d}:00Z"
        return odd[int(rng.integers(len(odd)))]

    rows = []
    for i in range(n):
        d = int(rng.integers(1, 28))
        rows.append((f"f{i}", [f"#{i}", None][i % 7 == 3], statuses[int(rng.integers(len(statuses)))],
                     stamp(d), stamp(d + int(rng.integers(-1, 3)))))
    return rows


@pytest.mark.parametrize("clean_share", [1.0, 0.97, 0.5])
@pytest.mark.parametrize("chunk,parts", [(5, 1), (16, 2), (1000, 1)])
def test_fulfilment_read_by_blocks_equals_sqlite_read(monkeypatch, chunk, parts, clean_share):
    """Every chunk read by blocks or by SQLite (the general path) gives the same days, rowids and failing
    rows of check 6 as the plain SQL of commerce-pack.md; with mostly clean values both paths are taken."""
    monkeypatch.setattr(scan, "CHUNK_ROWS", chunk)
    conn = _memory()
    rng = np.random.default_rng(int(clean_share * 100) + chunk)
    conn.executemany("INSERT INTO fulfillment_tracking (id, order_number, fulfillment_status, order_created_at,"
                     " fulfilled_at) VALUES (?,?,?,?,?)", _fulfilment_rows(rng, 80, clean_share))
    conn.execute("DELETE FROM fulfillment_tracking WHERE rowid % 13 = 6")  # gaps: rowids listed, not a range
    used = []
    block_chunk = scan._block_chunk
    monkeypatch.setattr(scan, "_block_chunk", lambda *a: used.append(block_chunk(*a) is not None) or block_chunk(*a))
    got = scan.joined([scan.fulfilment(conn, i, parts) for i in range(parts)])
    check, key = quality_sql.FULFILLMENT_TIMES
    assert got["failing"] == sorted(str(k) for k, in conn.execute(
        f"SELECT {key} FROM fulfillment_tracking WHERE {check} AND {key} IS NOT NULL"))
    want = conn.execute(f"SELECT ifnull({day('order_created_at')}, {scan.NO_DAY}), rowid FROM fulfillment_tracking"
                        " ORDER BY rowid").fetchall()
    assert got["days"].tolist() == [w[0] for w in want]
    assert got["rowids"].tolist() == [w[1] for w in want]
    if clean_share == 1.0:
        assert all(used) and got["failing"]
    elif clean_share == 0.97 and chunk == 5:
        assert any(used) and not all(used)


@pytest.mark.parametrize("chunk", [4, 1000])
def test_conversations_read_by_blocks_equal_sqlite_read(monkeypatch, chunk):
    monkeypatch.setattr(scan, "CHUNK_ROWS", chunk)
    conn = _memory()
    rng = np.random.default_rng(chunk)
    rows = []
    for i in range(60):
        created = f"2026-03-{int(rng.integers(2, 9)):02d}T{int(rng.integers(24)):02d}:00:00Z"
        first = [f"2026-03-{int(rng.integers(1, 10)):02d}T10:30:00Z", None, "2026-03-04 10:00:00"][min(2, i // 50 + (i % 9 == 0))]
        rows.append((f"c{i}", [i, None][i % 11 == 5], ["yes", 0, 1, "TRUE", None][i % 5],
                     [5, -1, "-3", None, 2.5, " 7 "][i % 6], [created, None][i % 17 == 8], first))
    conn.executemany("INSERT INTO cx_conversations (id, chatwoot_conversation_id, is_escalated,"
                     " first_response_time_minutes, conversation_created_at, first_response_at) VALUES (?,?,?,?,?,?)",
                     rows)
    got = scan.conversations(conn)
    check, key = quality_sql.RESPONSE_TIMES
    assert sorted(got["failing"]) == sorted(str(k) for k, in conn.execute(
        f"SELECT {key} FROM cx_conversations WHERE {check} AND {key} IS NOT NULL")) and got["failing"]
    want = conn.execute(f"SELECT ifnull({day('conversation_created_at')}, {scan.NO_DAY}), rowid, {num('is_escalated')}"
                        " FROM cx_conversations ORDER BY rowid").fetchall()
    assert got["days"].tolist() == [w[0] for w in want]
    assert got["rowids"].tolist() == [w[1] for w in want]
    monkeypatch.setattr(scan, "_block_chunk", lambda *a: None)  # every chunk by SQLite's date functions
    plain = scan.conversations(conn)
    assert sorted(plain["failing"]) == sorted(got["failing"]) and plain["escalated"] == got["escalated"]
    assert plain["days"].tolist() == got["days"].tolist()


date = st.one_of(st.none(), st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.sampled_from([0, 1969, 1970, 2026]),
                                      st.integers(0, 13), st.integers(0, 32)),
                 st.sampled_from(["2026-03-05", "2026-03-05T00:00:00Z", " 2026-03-05", "2026-03-05 ", "2026-3-05",
                                  "!" * 10, " " * 10, "2026/03/05", "", 2461000]))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(date, min_size=1, max_size=15))
def test_a_block_of_dates_reads_as_sqlite_does_or_not_at_all(values):
    """The stock counts' dates ('YYYY-MM-DD', stamps.DATE): read exactly when every value is NULL, the
    NULL marks or a plain date SQLite reads as written (from 1970), each day then SQLite's own."""
    conn = _memory()
    conn.executemany("INSERT INTO inventory_snapshots (id, snapshot_date) VALUES (?, ?)",
                     [(str(i), v) for i, v in enumerate(values)])
    n, block = conn.execute(f"SELECT count(*), {stamps.block_sql('snapshot_date', stamps.DATE)}"
                            " FROM inventory_snapshots NOT INDEXED").fetchone()  # rowid order (an index holds the dates)
    got = stamps.read(block, n, shape=stamps.DATE)

    def plain(v):
        if v is None or v == "!" * 10:
            return True
        ok = isinstance(v, str) and len(v) == 10 and v[4] == v[7] == "-" and (v[:4] + v[5:7] + v[8:]).isdigit()
        return ok and int(v[:4]) >= 1970 and 1 <= int(v[5:7]) <= 12 and 1 <= int(v[8:]) <= 31

    assert (got is not None) == all(plain(v) for v in values)
    if got is not None:
        want = [d for d, in conn.execute(f"SELECT {day('snapshot_date')} FROM inventory_snapshots ORDER BY rowid")]
        blank = np.zeros(n, bool) if got.blank is None else got.blank
        assert [None if b else int(d) for d, b in zip(got.day, blank)] == want
