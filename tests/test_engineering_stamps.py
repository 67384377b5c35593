"""The Engineering scan's timestamp reader (stamps.py) reads what SQLite reads, or declines."""

from __future__ import annotations

import re
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from execdash_desktop.packs.engineering import stamps

NULL = -(2 ** 62)
CANONICAL = re.compile(r"(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ")


def _field(lo: int, hi: int, width: int = 2):
    return st.integers(lo, hi).map(lambda v: str(v).zfill(width))


# near the form: every field a little out of its range now and then, a wrong mark, another form
stamp = st.one_of(
    st.builds(lambda y, m, d, h, mi, s, t, z: f"{y}-{m}-{d}{t}{h}:{mi}:{s}{z}",
              _field(1, 9999, 4), _field(0, 13), _field(0, 32), _field(0, 25), _field(0, 60), _field(0, 60),
              st.sampled_from(["T", "T", "T", " "]), st.sampled_from(["Z", "Z", "Z", "z", "+"])),
    st.sampled_from(["2026-10-31T23:41:43Z", "2026-02-30T00:00:00Z", "2026-04-31T12:00:00Z",
                     "2024-02-29T23:59:59Z", "1969-12-31T23:59:59Z", "2026-10-31 23:41:43",
                     "2026-10-31T23:41:43.5Z", "2026-10-31", "2026-10-31T23:41:43+02:00"]),
    st.text(min_size=0, max_size=22),
    st.integers(-10, 10 ** 12),
)


def sqlite_ms(conn) -> list:
    return [r[0] for r in conn.execute(
        "SELECT CASE WHEN v IS NULL THEN NULL ELSE unixepoch(v) * 1000 END FROM t ORDER BY rowid")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), stamp), min_size=0, max_size=30))
def test_stamps_read_as_sqlite_reads_them_or_decline(values):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (v)")
    conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    block, n = conn.execute(f"SELECT {stamps.block_sql('v')}, count(*) FROM t").fetchone()
    got = stamps.epoch_ms(block, n, NULL)
    canonical = all(v is None or (isinstance(v, str) and CANONICAL.fullmatch(v)) for v in values)
    if got is None:
        assert not canonical  # it declines only what it does not read itself
        return
    assert canonical  # never reads another form (SQLite's functions do, the same way for every row)
    assert [None if g == NULL else int(g) for g in got] == sqlite_ms(conn)


def test_a_block_of_the_wrong_length_is_declined():
    assert stamps.epoch_ms(b"2026-10-31T23:41:43Z", 2, NULL) is None
    assert stamps.epoch_ms(None, 1, NULL) is None
    stamp_and_null = b"2026-10-31T23:41:43Z|" + stamps.BLANK.encode()
    assert stamps.epoch_ms(stamp_and_null, 2, NULL).tolist() == [1793490103000, NULL]
    assert stamps.epoch_ms(stamp_and_null.replace(b"|", b" "), 2, NULL) is None  # no separator


def _block(values):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (v)")
    conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    return conn.execute(f"SELECT {stamps.block_sql('v')}, count(*) FROM t").fetchone()


def test_values_that_only_line_up_together_are_declined():
    block, n = _block(["2026-10-31", "T23:41:43Z2026-10-31T23:41:43Z"])
    assert len(block) == 41 and n == 2  # as long as two stamps and their separator
    assert stamps.epoch_ms(block, n, NULL) is None


def test_a_value_holding_the_separator_is_declined():
    # 41 bytes with '|' where a separator goes, then an empty value and a 19-byte one: every
    # separator position holds '|' and the lengths add up, but the values are not the blocks
    block, n = _block(["2026-10-31T23:41:43Z|2026-10-31T23:41:43Z", "", "026-10-31T23:41:43Z"])
    assert len(block) == 21 * n - 1 and block[20:21] == b"|" and block[41:42] == b"|"
    assert stamps.epoch_ms(block, n, NULL) is None
    block, n = _block(["2026-10-31T23:41:43Z|2026-10-31T23:41:43Z", ""])
    assert stamps.epoch_ms(block, n, NULL) is None
