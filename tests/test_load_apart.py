"""A Commerce source read in the loader process (load_apart.py) is the source read here: the same
payload, the same arrays, one object where two fields share one; errors come back as the same errors;
a child that stops mid-load says so (the caller then reads the file itself); the child runs below the
caller's priority."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass, field

import numpy as np
import pytest

from execdash_desktop import load_apart
from execdash_desktop.dashboards import registry
from execdash_desktop.errors import DataFileError, MissingTablesError
from execdash_desktop.load_apart import ApartLoader, LoaderUnavailable, pickled, unpickled

COMMERCE = registry.get("commerce")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    p = tmp_path_factory.mktemp("apart") / "commerce.sqlite"
    conn = sqlite3.connect(p)
    COMMERCE.demo(conn, end="2026-10", seed=3, orders=8000, conversations=4000, days=90)
    conn.commit()
    conn.close()
    return p


@pytest.fixture(scope="module")
def loader():
    got = ApartLoader()
    yield got
    got.close()


def _same_source(a, b) -> None:
    assert type(a) is type(b) and vars(a).keys() == vars(b).keys()
    for name, x in vars(a).items():
        y = getattr(b, name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y), name
        elif name in ("ful", "cx", "cx_frt", "stock_alerts"):
            for k, v in vars(x).items():
                if isinstance(v, np.ndarray):
                    assert np.array_equal(v, getattr(y, k)), (name, k)
        elif name != "memo":
            assert x == y, name


def test_the_source_read_apart_is_the_source_read_here(demo, loader):
    here = COMMERCE.load(str(demo), None)
    seen = []
    apart = loader.load("commerce", str(demo), ("12m", None), lambda f, m: seen.append((f, m)))
    _same_source(apart, here)
    assert apart.cx is apart.cx_frt  # one object, as loaded (one cache of windows read)
    assert seen and all(0 <= f <= 1 for f, _ in seen)  # the child's progress came back
    # the month payload was built there, for the state asked, and is what this process builds
    assert ("12m", "month") in {k[:2] for k in apart.memo}
    built_there = COMMERCE.payload(apart, "12m", "month", None)
    assert built_there == COMMERCE.payload(here, "12m", "month", None)
    apart.memo.clear()  # and every later read (windows by rowid, from the file) works as here
    assert COMMERCE.payload(apart, "ytd", "quarter", None) == COMMERCE.payload(here, "ytd", "quarter", None)


def test_errors_come_back_as_the_same_errors(demo, loader, tmp_path):
    with pytest.raises(DataFileError, match="cannot be read") as there:
        loader.load("commerce", str(tmp_path / "none.sqlite"))
    with pytest.raises(DataFileError) as here:
        COMMERCE.load(str(tmp_path / "none.sqlite"), None)
    assert str(there.value) == str(here.value)
    bare = tmp_path / "bare.sqlite"
    sqlite3.connect(bare).execute("CREATE TABLE other (x)").connection.close()
    with pytest.raises(MissingTablesError) as err:
        loader.load("commerce", str(bare))
    assert err.value.missing == ["sales_metrics_daily"] and str(bare) in str(err.value)
    assert loader.load("commerce", str(demo)).path == str(demo)  # and the child serves on


@dataclass
class Src:
    a: dict
    b: dict
    rows: list
    arr: np.ndarray
    memo: dict = field(default_factory=dict)


def test_pieces_keep_shared_objects_and_long_lists(monkeypatch):
    monkeypatch.setattr(load_apart, "PIECE", 3)
    shared = {"k": np.arange(5)}
    src = Src(shared, shared, [{"i": i} for i in range(10)], np.linspace(0, 1, 7))
    pieces, buffers = pickled(src)
    assert buffers  # the arrays' data travels out of band
    got = unpickled(pieces, [bytearray(b) for b in buffers])
    assert got.a is got.b and np.array_equal(got.a["k"], shared["k"])
    assert got.rows == src.rows and np.array_equal(got.arr, src.arr) and got.memo == {}
    assert unpickled(*pickled([1, 2])) == [1, 2]  # anything else: one pickle


def test_a_child_that_stops_mid_load_says_so(demo):
    mine = ApartLoader()
    started, stopped, outcome = threading.Event(), threading.Event(), []

    def progress(fraction, message):  # the first report: the load is under way; hold it until stopped
        started.set()
        stopped.wait(30)

    def run():
        try:
            outcome.append(mine.load("commerce", str(demo), None, progress))
        except BaseException as exc:
            outcome.append(exc)

    t = threading.Thread(target=run)
    t.start()
    assert started.wait(60)
    mine.close()  # as the window does when it closes during a load
    stopped.set()
    t.join(30)
    assert not t.is_alive() and isinstance(outcome[0], LoaderUnavailable)
    with pytest.raises(LoaderUnavailable):
        mine.load("commerce", str(demo))  # closed: the caller reads the file itself


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX priorities")
def test_the_child_runs_below_the_callers_priority(demo, loader):
    loader.load("commerce", str(demo))
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, loader._proc.pid) == min(19, mine + load_apart.NICENESS)
