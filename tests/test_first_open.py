"""Issue 11 item 12: the first open of a file costs no more than one GROUP BY pass, in any row order.

Speed itself is measured by benchmarks/bench_first_open.py (no timing here).
These tests pin what makes it fast and keep it exact: the orders are summed
through the order_date index with no sort of the rows, and the index walk reads
every kind of date and number exactly as the one sorted pass does.
"""

from __future__ import annotations

import math
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execdash_desktop import order_sums, rollup
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.packs.executive.source import load_source
from execdash_desktop.store import open_reader


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory):
    """The demo file, and a copy whose orders are in no date order (an import, a merge)."""
    d = tmp_path_factory.mktemp("first_open")
    ordered = d / "ordered.sqlite"
    generate(ordered, end="2026-10", months=24, orders=20_000, seed=7)
    shuffled = d / "shuffled.sqlite"
    conn = sqlite3.connect(shuffled)
    conn.execute(f"ATTACH DATABASE '{ordered}' AS src")
    schema = conn.execute("SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index'").fetchall()
    for kind, name, sql in schema:
        conn.execute(sql)
        if kind == "table" and name == "orders":  # new ids in a scrambled order (7919 * id mod a prime)
            conn.execute("INSERT INTO main.orders (customer_id, amount, profit, order_date, type) "
                         "SELECT customer_id, amount, profit, order_date, type FROM src.orders "
                         "ORDER BY (id * 7919) % 20011")
        elif kind == "table":
            conn.execute(f"INSERT INTO main.{name} SELECT * FROM src.{name}")
    conn.commit()
    conn.close()
    return ordered, shuffled


def _plans_of_first_open(path) -> list[tuple[str, str]]:
    """(statement, its query plan) for every statement on `orders` the first open runs."""
    seen: list[str] = []
    conn = open_reader(path)
    try:
        conn.set_trace_callback(seen.append)
        load_source(path, conn=conn)
        conn.set_trace_callback(None)
        return [(sql, " | ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql)))
                for sql in seen if "orders" in sql and not sql.startswith(("PRAGMA", "EXPLAIN", "BEGIN", "--"))]
    finally:
        conn.close()


@pytest.mark.parametrize("which", [0, 1], ids=["date order", "no date order"])
def test_the_first_open_sorts_no_order_row(demo_pair, which):
    """Was one GROUP BY over the whole table: a scan, then a sort of every row."""
    plans = _plans_of_first_open(demo_pair[which])
    assert plans
    plans = [(sql, plan) for sql, plan in plans if "FROM orders" in sql]
    for sql, plan in plans:
        assert "TEMP B-TREE" not in plan, (sql, plan)
        # a full scan of the table only to see whether it has a row at all
        assert "SCAN orders" not in plan.replace("USING COVERING INDEX", "") or "LIMIT 1" in sql, (sql, plan)
    sums = [p for s, p in plans if s.startswith("SELECT total(amount)")]
    assert len(sums) == 24 and all("USING INDEX idx_orders_order_date" in p for p in sums)


def test_the_row_order_changes_no_number(demo_pair):
    results = []
    for path in demo_pair:
        reader = open_reader(path)
        try:
            results.append(rollup.compute(reader))
            assert not reader.in_transaction  # its own read transaction, closed
        finally:
            reader.close()
    a, b = results
    assert a.undated == b.undated == 0 and a.months.keys() == b.months.keys()
    for m, x in a.months.items():
        y = b.months[m]
        assert (x.count, x.bad_amount, x.bad_profit) == (y.count, y.bad_amount, y.bad_profit)
        for f in ("amount", "profit", "amount_with_profit", "recurring"):
            assert getattr(x, f) == pytest.approx(getattr(y, f), rel=1e-12)


def _orders(rows, date_type: str = "DATE", index: str | None = "order_date") -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL, profit REAL, "
                 f"order_date {date_type}, type TEXT)")
    if index:
        conn.execute(f"CREATE INDEX idx_orders_order_date ON orders({index})")
    conn.executemany("INSERT INTO orders (amount, profit, order_date, type) VALUES (?, ?, ?, ?)", rows)
    return conn


def _same(conn: sqlite3.Connection, how: str) -> None:
    """The index walk (or its fallback) gives what the one sorted pass gives."""
    months, undated, used = order_sums.month_sums(conn)
    assert used == how
    ref, ref_undated = order_sums._grouped(conn)
    assert undated == ref_undated and months.keys() == ref.keys()
    for m, sums in months.items():
        assert sums[4:] == ref[m][4:], m  # rows, unreadable amounts, unreadable profits
        for x, y in zip(sums[:4], ref[m][:4]):
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12), m


MESSY_DATES = ["2025-11-03", "2025-11", "2025-12-31 23:59:59", "9999-12-31", 1764547200, 1764720000.5,
               -1e20, None, b"2025-11", "", "not a date", "2025-11\u00e9", "2025-11\x7f", " 2025-11-01",
               "\u0662\u0660\u0662\u0665-\u0661\u0661-\u0660\u0661", "2025-13-01", "2025/11/01", "\U0010ffff",
               "2025-11-\U0010ffff"]
MESSY_NUMBERS = [(100.0, 40.0), (2.5, 1), ("n/a", 1.0), (7.0, None), (None, None), (float("inf"), 1.0),
                 ("9" * 400, 1.0), (1e308, 1.0), (3, "12abc"), (b"\x01", 2.0)]


@pytest.mark.parametrize("date_type", ["DATE", "TEXT", ""], ids=["numeric", "text", "no affinity"])
def test_messy_dates_and_numbers_read_as_in_the_sorted_pass(date_type):
    rows = [(a, p, d, t) for i, d in enumerate(MESSY_DATES) for j, (a, p) in enumerate(MESSY_NUMBERS)
            for t in (("subscription", "recognized")[(i + j) % 2],)]
    rows += [(10.0, 4.0, "2025-10-0%d" % (i % 9 + 1), "recurring") for i in range(50)]  # a plain month
    conn = _orders(rows, date_type)
    _same(conn, "index")
    months, undated, _ = order_sums.month_sums(conn)
    assert months[2025 * 12 + 9] == [500.0, 200.0, 500.0, 500.0, 50, 0, 0]  # October: plain sums
    assert 9999 * 12 + 11 in months  # 9999-12-31 is a month like any other


@pytest.mark.parametrize("date", ["1234567x", "12345.6 days", "+1.5e10abc"])
def test_a_key_sqlite_would_compare_as_a_number_takes_the_sorted_pass(date):
    # a NUMERIC column (DATE) compares a number-like text bound as a number: never used as a bound
    rows = [(1.0, 1.0, date, "booked"), (2.0, 1.0, "2025-11-01", "booked")]
    _same(_orders(rows), "sorted")
    _same(_orders(rows, "TEXT"), "index")  # a TEXT column compares it as text


@pytest.mark.parametrize("date, how", [("323032352d3131c328", "index"), ("3230c3282d3131", "sorted")],
                         ids=["after the month", "in the month"])
def test_text_that_is_not_utf8(date, how):
    """Bytes that are not UTF-8 in a date's first 7 characters: Python would read the key
    differently from SQLite, so the index is not walked by it."""
    conn = _orders([(1.0, 1.0, "2025-11-01", "booked")])
    conn.execute(f"INSERT INTO orders (amount, profit, order_date) VALUES (5, 1, CAST(x'{date}' AS TEXT))")
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    _same(conn, how)


@pytest.mark.parametrize("index", [None, "order_date COLLATE NOCASE", "type, order_date"])
def test_without_a_usable_order_date_index_one_sorted_pass(index):
    conn = _orders([(1.0, 1.0, "2025-11-01", "booked"), (2.0, 1.0, "2025-12-01", "recurring")], index=index)
    _same(conn, "sorted")


def test_thousands_of_keys_that_are_no_month_take_the_sorted_pass(monkeypatch):
    monkeypatch.setattr(order_sums, "_MAX_RANGES", 20)
    conn = _orders([(1.0, 1.0, f"j{i:03d}xyz", "booked") for i in range(30)] + [(2.0, 1.0, "2025-11-01", "x")])
    _same(conn, "sorted")
    monkeypatch.setattr(order_sums, "_MAX_RANGES", 40)
    _same(conn, "index")


_dates = st.one_of(st.sampled_from(MESSY_DATES),
                   st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(1, 9999), st.integers(0, 13),
                             st.integers(0, 31)),
                   st.integers(-2**40, 2**40), st.text(max_size=9))
_numbers = st.one_of(st.floats(allow_nan=False, width=32), st.integers(-10**6, 10**6), st.none(),
                     st.sampled_from(["n/a", "12.5", "1e999", ""]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_numbers, _numbers, _dates, st.sampled_from(["subscription", "recurring", "booked", None])),
                max_size=40),
       st.sampled_from(["DATE", "TEXT", ""]))
def test_any_rows_read_as_in_the_sorted_pass(rows, date_type):
    conn = _orders(rows, date_type)
    months, undated, how = order_sums.month_sums(conn)
    _same(conn, how)
