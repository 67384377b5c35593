"""The `execdash` command line on good and bad input, as a user runs it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from execdash_desktop.engine import Engine
from execdash_desktop.packs.executive.demo import generate


def run(*args, env_extra=None, user=None, timeout=60):
    env = dict(os.environ, **(env_extra or {}))
    cmd = [sys.executable, "-m", "execdash_desktop", *args]
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=20_000, seed=7)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_then_kpis_json_matches_engine(tmp_path):
    db = tmp_path / "d.sqlite"
    r = run("demo", "--db", str(db), "--end", "2026-10", "--months", "12", "--orders", "3000",
            "--shipments", "3000", "--conversations", "2000", "--days", "90")
    assert r.returncode == 0, r.stderr
    for rng in ("3m", "12m", "ytd"):
        for gran in ("month", "quarter"):
            r = run("kpis", "--db", str(db), "--range", rng, "--granularity", gran, "--json")
            assert r.returncode == 0, r.stderr
            assert json.loads(r.stdout) == json.loads(json.dumps(Engine().payload(db, rng, gran)))


def test_kpis_table_is_readable(demo_db):
    r = run("kpis", "--db", str(demo_db), "--range", "6m")
    assert r.returncode == 0, r.stderr
    assert "Revenue" in r.stdout and "Revenue trend (month)" in r.stdout and "Alerts" in r.stdout


def test_as_of_is_honoured(demo_db):
    r = run("kpis", "--db", str(demo_db), "--as-of", "2026-03", "--range", "3m", "--json")
    assert json.loads(r.stdout)["timeframe"]["end_date"] == "2026-03-31"


@pytest.mark.parametrize("args, needle", [
    (["--range", "5m"], "range"),
    (["--granularity", "week"], "granularity"),
    (["--as-of", "2026-13"], "as_of"),
    (["--as-of", "1999-01"], "as_of"),
])
def test_bad_parameters_exit_2_with_one_line(demo_db, args, needle):
    before = digest(demo_db)
    r = run("kpis", "--db", str(demo_db), *args, "--json")
    assert r.returncode == 2
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == ""
    assert digest(demo_db) == before


def test_missing_path(tmp_path):
    r = run("kpis", "--db", str(tmp_path / "nope.sqlite"))
    assert r.returncode == 2 and "not found" in r.stderr and "nope.sqlite" in r.stderr
    assert not (tmp_path / "nope.sqlite").exists()


def test_not_sqlite(tmp_path):
    f = tmp_path / "notes.sqlite"
    f.write_text("quarterly notes, not a database\n" * 50)
    before = digest(f)
    r = run("kpis", "--db", str(f))
    assert r.returncode == 2 and "not a SQLite database" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert digest(f) == before


def test_sqlite_without_tables_names_them(tmp_path):
    f = tmp_path / "other.sqlite"
    conn = sqlite3.connect(f)
    conn.execute("CREATE TABLE something (x)")
    conn.commit()
    conn.close()
    r = run("kpis", "--db", str(f))
    assert r.returncode == 2
    assert "revenue_trend" in r.stderr and "orders" in r.stderr


def test_locked_by_another_writer(tmp_path, demo_db):
    f = tmp_path / "locked.sqlite"
    shutil.copy(demo_db, f)
    holder = sqlite3.connect(f, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO alerts (type, title, severity) VALUES ('ops', 'x', 'low')")
    try:
        r = run("kpis", "--db", str(f), env_extra={"EDB_BUSY_TIMEOUT_MS": "300"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 2, r.stdout
    assert "locked" in r.stderr and "Traceback" not in r.stderr


def test_empty_tables_give_nulls_with_reasons_not_errors(tmp_path):
    from tests.conftest import make_db
    db = make_db(tmp_path / "empty.sqlite")
    r = run("kpis", "--db", str(db), "--json")
    assert r.returncode == 0, r.stderr
    p = json.loads(r.stdout)
    assert all(k["value"] is None and k["reason"] for k in p["executiveKpis"])
    assert p["revenueTrend"] == [] and p["alerts"] == []


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to drop to another user")
def test_read_only_file_and_folder_still_open(demo_db):
    import tempfile
    tmp_path = Path(tempfile.mkdtemp(prefix="execdash-ro-"))
    tmp_path.chmod(0o755)
    ro = tmp_path / "ro"
    ro.mkdir()
    f = ro / "board.sqlite"
    shutil.copy(demo_db, f)
    f.chmod(0o444)
    ro.chmod(0o555)
    tmp_path.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    env = {"EXECDASH_CACHE_DIR": str(home / "c"), "EXECDASH_DATA_DIR": str(home / "d"),
           "HOME": str(home)}
    r = run("kpis", "--db", str(f), "--json", env_extra=env, user=65534)
    left_beside = sorted(p.name for p in ro.iterdir())
    ro.chmod(0o755)
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["executiveKpis"][0]["value"] > 0
    assert left_beside == ["board.sqlite"]  # nothing written beside a read-only file


def test_unreadable_file_is_one_line(tmp_path):
    r = run("kpis", "--db", str(tmp_path))
    assert r.returncode == 2 and "folder" in r.stderr


def test_rollup_side_file_is_reused_and_invalidated_on_change(tmp_path, demo_db):
    f = tmp_path / "r.sqlite"
    shutil.copy(demo_db, f)
    first = Engine().payload(f, "12m")
    assert Engine().payload(f, "12m") == first  # from the side file
    conn = sqlite3.connect(f)
    conn.execute("INSERT INTO orders (amount, profit, order_date, type) "
                 "VALUES (1000000, 1000000, '2026-10-15', 'subscription')")
    conn.commit()
    conn.close()
    arr = {k["key"]: k for k in Engine().payload(f, "12m")["executiveKpis"]}["arr"]["value"]
    old = {k["key"]: k for k in first["executiveKpis"]}["arr"]["value"]
    assert arr == pytest.approx(old + 12_000_000)


def test_rollup_is_the_same_in_any_row_order(tmp_path, demo_db):
    """A file whose rows are not in date order gives the same sums."""
    from execdash_desktop import rollup
    from execdash_desktop.store import open_reader

    shuffled = tmp_path / "shuffled.sqlite"
    shutil.copy(demo_db, shuffled)
    conn = sqlite3.connect(shuffled)
    # move one late order to the front of the table (a new, smaller rowid)
    conn.execute("UPDATE orders SET id = -1 WHERE id = (SELECT max(id) FROM orders)")
    conn.commit()
    conn.close()
    results = []
    for path in (demo_db, shuffled):
        reader = open_reader(path)
        results.append(rollup.compute(reader))
        reader.close()
    first = results[0]
    for other in results[1:]:
        assert first.months.keys() == other.months.keys() and other.undated == 0
        for m in first.months:
            assert first.months[m].count == other.months[m].count
            assert first.months[m].amount == pytest.approx(other.months[m].amount)
            assert first.months[m].recurring == pytest.approx(other.months[m].recurring)


def test_a_closed_pipe_is_not_an_error(demo_db):
    # head exits before reading: the write meets a closed pipe (was "error: Broken pipe", exit 2)
    cmd = f"{sys.executable} -m execdash_desktop kpis --db {demo_db} --json | head -c 0"
    r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_open_checks_the_file_before_any_window(tmp_path):
    """Not SQLite, empty, no dashboard tables: one line naming the file, exit 2, no window."""
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    csv = tmp_path / "sales.csv"
    csv.write_text("month,revenue\n2026-01,100\n" * 50)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE contacts (name TEXT)")
    before = digest(other)
    for path, words in ((empty, "is empty"), (csv, "not a SQLite database"),
                        (other, "not an executive data file: missing table(s) revenue_trend"),
                        (tmp_path / "gone.sqlite", "not found")):
        out = run("open", str(path), env_extra={"QT_QPA_PLATFORM": "offscreen"}, timeout=30)
        assert out.returncode == 2, (path, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path.name) in lines[0] and words in lines[0], out.stderr
    assert digest(other) == before  # only read
