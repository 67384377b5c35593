"""The numbers the Engineering scan leaves out (extras.py): read by row id or whole, the same either way."""

from __future__ import annotations

import shutil
import sqlite3
import threading

import numpy as np
import pytest

from execdash_desktop.errors import DataFileError
from execdash_desktop.packs.engineering import extras as ex
from execdash_desktop.packs.engineering.demo import build_into
from execdash_desktop.packs.engineering.payload import build_payload
from execdash_desktop.packs.engineering.source import load_source


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's bugs with holes in the row ids, and messy values in the two columns."""
    path = tmp_path_factory.mktemp("extras") / "eng.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    build_into(conn, end="2026-10", bugs=5000, seed=7)
    conn.execute("DELETE FROM bugs WHERE rowid BETWEEN 1000 AND 1200 OR rowid % 97 = 0")
    conn.execute("UPDATE bugs SET revenue_impact_daily = '1,250.5' WHERE rowid % 10 = 1")
    conn.execute("UPDATE bugs SET actual_hours = NULL WHERE rowid % 10 = 2")
    conn.execute("UPDATE bugs SET actual_hours = ' 7 ' WHERE rowid % 10 = 3")
    conn.close()
    return path


def _sql_values(path, name: str) -> dict[int, float]:
    """Each bug's value as SQLite reads the column with the scan's own rule, row by row."""
    with sqlite3.connect(path) as conn:
        return {r: (0.0 if v == ex.NULL else v / 1000)
                for r, v in conn.execute(f"SELECT rowid, {ex.EXPRS[name]} FROM bugs")}


@pytest.mark.parametrize("name", ["revenue", "actual_hours"])
def test_a_few_bugs_by_row_id_and_the_whole_column_agree_with_sqlite(demo, name):
    want = _sql_values(demo, name)
    src = load_source(demo)
    rowid = src.bugs.rowid
    rng = np.random.default_rng(3)
    # scattered bugs (sought one by one), a dense run of recent ones with holes (read as one range, row ids
    # read too), and a run with none (values by position)
    whole_run = np.flatnonzero((rowid >= 2038) & (rowid < 2134))  # between two deleted rows (97 x 21, 97 x 22)
    idx = np.concatenate([rng.choice(len(rowid), 60, replace=False), np.arange(len(rowid) - 200, len(rowid)),
                          whole_run])
    assert len(idx) * ex.BY_ROW_SHARE < len(rowid)  # by row id, not the whole column
    got = src.bugs.extras.of(name, idx)
    assert got.tolist() == [want[r] for r in rowid[idx].tolist()]
    whole = src.bugs.extras.column(name)
    assert whole.tolist() == [want[r] for r in rowid.tolist()]
    assert src.bugs.extras.of(name, idx).tolist() == whole[idx].tolist()


def test_rows_changed_since_the_scan_keep_each_value_with_its_bug(demo, tmp_path):
    path = tmp_path / "changed.sqlite"
    shutil.copy(demo, path)
    src = load_source(path)
    before = _sql_values(path, "revenue")
    rowid = src.bugs.rowid.tolist()
    # a bug with revenue whose next bug has another amount: its value must not slide onto a neighbour
    at = next(i for i in range(len(rowid) - 1) if before[rowid[i]] and before[rowid[i + 1]] != before[rowid[i]])
    with sqlite3.connect(path) as conn:  # after the scan: one bug gone, one new
        gone = rowid[at]
        conn.execute("DELETE FROM bugs WHERE rowid = ?", (gone,))
        conn.execute("INSERT INTO bugs (rowid, id, bug_number, title, severity, status, revenue_impact_daily, "
                     "created_at) VALUES (?, 'new', 'BUG-NEW', 'new', 'low', 'pending', 99, '2026-10-01T00:00:00Z')",
                     (int(src.bugs.rowid[-1]) + 1,))
    want = _sql_values(path, "revenue")
    whole = src.bugs.extras.column("revenue")
    assert whole.tolist() == [want.get(r, 0.0) for r in src.bugs.rowid.tolist()]
    assert whole[at] == 0.0 and whole[at + 1] == before[rowid[at + 1]]


def test_a_failed_read_ahead_is_read_again_and_a_failed_read_is_named(demo, tmp_path, monkeypatch):
    """The default payload's hours are read on a thread while the numbers are worked out; if that read
    fails the payload reads them itself, and an error there reaches the caller with the file's name."""
    want = build_payload(load_source(demo))["bugTrend"]
    real, tried = ex.Extras.of, threading.Event()

    def fail_on_the_thread(self, name, idx):
        if threading.current_thread() is not threading.main_thread():
            tried.set()
            raise sqlite3.OperationalError("disk I/O error")
        assert tried.wait(30)  # the read ahead has failed before the payload reads
        return real(self, name, idx)

    monkeypatch.setattr(ex.Extras, "of", fail_on_the_thread)
    assert build_payload(load_source(demo))["bugTrend"] == want
    monkeypatch.setattr(ex.Extras, "of", real)

    path = tmp_path / "gone.sqlite"
    shutil.copy(demo, path)
    src = load_source(path)
    path.write_bytes(b"not a database any more" * 100)
    with pytest.raises(DataFileError, match="gone.sqlite"):
        src.bugs.extras.column("actual_hours")
