"""`execdash snapshot` against a real PostgreSQL server the suite starts itself.

The fixtures load a demo data file's tables into PostgreSQL with its own types
(enums, numeric, date, timestamptz in a non-UTC server zone; uuid, text[],
jsonb in the typed table), in snake_case and Prisma camelCase; the snapshot's
dashboard must equal the one of the file the data came from.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from execdash_desktop import cli  # noqa: E402
from execdash_desktop.snapshot import SnapshotCancelled, SnapshotError, snapshot  # noqa: E402
from execdash_desktop.snapshot.targets import Dashboard, match_column, match_table  # noqa: E402
from tests.pg_fixtures import DB, PASSWORD, USER, _execdash, demo_file, pg  # noqa: E402,F401

def _kpis(path: Path, capsys, dashboard: str = "executive") -> dict:
    capsys.readouterr()
    assert cli.main(["kpis", "--json", "--db", str(path), "--dashboard", dashboard]) == 0
    return json.loads(capsys.readouterr().out)


DASHBOARDS = ("executive", "engineering", "commerce")


def _same_numbers(a, b) -> bool:
    """Equal, floats to 12 significant digits: the snapshot's order dates are dates
    (the file's have times), so a month's orders are added up in another order and
    a sum may differ in its 16th digit (the rollup reads each month in date order)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == pytest.approx(b, rel=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_numbers(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_numbers(x, y) for x, y in zip(a, b))
    return a == b


def _log_rows(path: Path) -> list[dict]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT source, records_imported, metadata, timestamp FROM import_logs "
                            "WHERE source = 'postgresql' ORDER BY timestamp, rowid").fetchall()
    finally:
        conn.close()
    return [{"source": s, "records": n, "meta": json.loads(m), "timestamp": t} for s, n, m, t in rows]


def test_snapshot_equals_the_source_file(pg, demo_file, tmp_path, capsys):
    out = tmp_path / "board.db"
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out))
    assert r.returncode == 0, r.stderr
    assert f"snapshot of {USER}@127.0.0.1/{DB} (executive, engineering, commerce)" in r.stdout
    for name in DASHBOARDS:  # every dashboard's numbers, as on the file the server was loaded from
        assert _same_numbers(_kpis(out, capsys, name), _kpis(demo_file, capsys, name)), name
    logs = _log_rows(out)
    assert len(logs) == 1 and logs[0]["source"] == "postgresql"
    meta = logs[0]["meta"]
    assert meta["from"] == f"{USER}@127.0.0.1/{DB}" and meta["mode"] == "full"
    src = sqlite3.connect(demo_file)
    assert meta["tables"]["orders"] == src.execute("SELECT count(*) FROM orders").fetchone()[0] == 3000
    assert meta["seconds"] > 0 and meta["source_time"].endswith("+00:00")
    # timestamps come back as the file had them although the server runs in New York time
    new = sqlite3.connect(out)
    assert (new.execute("SELECT created_at FROM alerts ORDER BY id").fetchall()
            == src.execute("SELECT created_at FROM alerts ORDER BY id").fetchall())
    assert new.execute("PRAGMA user_version").fetchone()[0] == src.execute("PRAGMA user_version").fetchone()[0]
    assert ({r[0] for r in new.execute("SELECT name FROM sqlite_master WHERE type='index'")}
            >= {"idx_orders_order_date", "idx_orders_customer_id"})


def test_prisma_camel_case_schema(pg, demo_file, tmp_path, capsys):
    out = tmp_path / "prisma.db"
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--schema", "prisma")
    assert r.returncode == 0, r.stderr
    for name in DASHBOARDS:
        assert _same_numbers(_kpis(out, capsys, name), _kpis(demo_file, capsys, name)), name


def test_password_is_nowhere_on_disk(pg, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "EXECDASH_DATA_DIR": str(tmp_path / "appdata"),
           "EXECDASH_CACHE_DIR": str(tmp_path / "appcache")}
    out = tmp_path / "board.db"
    runs = [_execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), env=env),
            _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--since", env=env),
            # a password written into the address is used, never recorded
            _execdash("snapshot", "--from", pg.url(USER, DB, PASSWORD), "--db", str(out), env=env, password=None),
            _execdash("snapshot", "--from", pg.url(USER, DB, PASSWORD + "x"), "--db", str(out), env=env,
                      password=None)]
    assert [r.returncode for r in runs] == [0, 0, 0, 2]
    assert "login refused" in runs[3].stderr
    secret = PASSWORD.encode()
    for r in runs:
        assert PASSWORD not in r.stdout + r.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert out in files
    for p in files:
        assert secret not in p.read_bytes(), p
    assert all(log["meta"]["from"] == f"{USER}@127.0.0.1/{DB}" for log in _log_rows(out))


def test_password_from_pgpass(pg, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    pgpass = home / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{pg.port}:{DB}:{USER}:{PASSWORD}\n")
    pgpass.chmod(0o600)
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(tmp_path / "b.db"),
                  env={"HOME": str(home), "PGPASSFILE": str(pgpass)}, password=None)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("address, expected", [
    ("postgresql://{u}@127.0.0.1:{p}/no_such_db", "database no_such_db does not exist on 127.0.0.1:{p}"),
    ("postgresql://intruder@127.0.0.1:{p}/{d}", "login refused for intruder@127.0.0.1/{d}"),
    ("postgresql://{u}@127.0.0.1:1/{d}", "cannot reach the PostgreSQL server at 127.0.0.1:1"),
    ("mysql://{u}@127.0.0.1/{d}", "--from must be a postgresql://"),
])
def test_connection_problems_are_one_line(pg, tmp_path, address, expected):
    out = tmp_path / "board.db"
    out.write_bytes(b"the old file")
    fmt = {"u": USER, "p": pg.port, "d": DB}
    r = _execdash("snapshot", "--from", address.format(**fmt), "--db", str(out))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and expected.format(**fmt) in r.stderr, r.stderr
    assert out.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["board.db"]


def test_wrong_password_is_refused(pg, tmp_path):
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(tmp_path / "b.db"), password="wrong")
    assert r.returncode == 2 and f"login refused for {USER}@127.0.0.1/{DB}" in r.stderr
    assert 'password authentication failed for user "reader"' in r.stderr
    assert not (tmp_path / "b.db").exists()


def test_missing_optional_table_stays_empty(pg, tmp_path):
    out = tmp_path / "b.db"
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--schema", "partial")
    assert r.returncode == 0, r.stderr
    assert "Executive: no table risks in schema partial; it stays empty" in r.stdout
    conn = sqlite3.connect(out)
    assert conn.execute("SELECT count(*) FROM risks").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 3000


def test_missing_required_table_skips_the_dashboard(pg, tmp_path):
    out = tmp_path / "b.db"
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--schema", "empty")
    assert r.returncode == 2 and not out.exists()
    assert r.stderr.count("\n") == 1
    # no revenue_trend: the Executive dashboard is skipped, the other two still copied
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--schema", "other")
    assert r.returncode == 0 and "(engineering, commerce)" in r.stdout
    assert ("skipped the Executive dashboard: reader@127.0.0.1/company has no table revenue_trend "
            "in schema other") in r.stdout + r.stderr
    out.unlink()
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--schema", "other",
                  "--dashboards", "executive")
    assert r.returncode == 2 and not out.exists()
    assert r.stderr.count("\n") == 1
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--dashboards", "sales")
    assert r.returncode == 2 and "unknown dashboard sales: expected executive" in r.stderr


def test_missing_required_column_fails_naming_it(pg, demo_file, tmp_path):
    out = tmp_path / "b.db"
    out.write_bytes(demo_file.read_bytes())
    before = out.read_bytes()
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--schema", "broken")
    assert r.returncode == 2
    assert "table orders has no column amount, which the Executive dashboard needs" in r.stderr
    assert out.read_bytes() == before


def test_failure_midway_leaves_the_old_file(pg, demo_file, tmp_path):
    out = tmp_path / "b.db"
    out.write_bytes(demo_file.read_bytes())
    before = out.read_bytes()
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--schema", "nulls")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "table orders: NOT NULL constraint failed: orders.amount" in r.stderr
    assert "the data file is unchanged" in r.stderr
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.db"]


def test_kill_midway_leaves_the_old_file(pg, demo_file, tmp_path):
    out = tmp_path / "b.db"
    out.write_bytes(demo_file.read_bytes())
    before = out.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PGPASSWORD": PASSWORD}
    proc = subprocess.Popen([sys.executable, "-m", "execdash_desktop", "snapshot", "--from", pg.url(USER, DB),
                             "--db", str(out), "--schema", "big"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait for the new file to be well under way (the orders streaming in), then kill -9
    deadline = time.monotonic() + 120
    temp = None
    while time.monotonic() < deadline and proc.poll() is None:
        temps = list(tmp_path.glob(".b.db.snapshot-*.tmp"))
        if temps and temps[0].stat().st_size > 4_000_000:
            temp = temps[0]
            break
        time.sleep(0.002)
    assert temp is not None, "the snapshot finished before it could be killed"
    at_kill = sorted(p.name for p in tmp_path.iterdir())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, at_kill
    print("files when killed:", at_kill, temp.stat().st_size)
    assert out.read_bytes() == before
    # the next snapshot clears the killed one's leftover and succeeds
    r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "snapshot" in p.name) == []


def test_cancel_leaves_the_old_file(pg, demo_file, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    out = tmp_path / "b.db"
    out.write_bytes(demo_file.read_bytes())
    before = out.read_bytes()
    seen = []
    with pytest.raises(SnapshotCancelled):
        snapshot(pg.url(USER, DB), out, schema="big", progress=lambda f, m: seen.append(m),
                 cancelled=lambda: any(m == "copying orders" for m in seen))
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.db"]


def _pg_orders(pg, schema: str) -> list[tuple]:
    with pg.admin(DB) as a:
        return [(i, float(amt)) for i, amt in a.execute(
            sql.SQL("SELECT id, amount FROM {}.orders ORDER BY id").format(sql.Identifier(schema)))]


def test_since_copies_only_the_changes(pg, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    out = tmp_path / "b.db"
    first = snapshot(pg.url(USER, DB), out, schema="live")
    assert first.mode == "full" and first.changed["orders"] == 3000
    with pg.admin(DB) as a:
        a.execute("UPDATE live.orders SET amount = amount + 1, updated_at = now() WHERE id <= 10")
        a.execute("INSERT INTO live.orders (id, customer_id, amount, profit, order_date, type) "
                  "VALUES (900001, 1, 5, 1, '2026-10-31', 'subscription')")
    second = snapshot(pg.url(USER, DB), out, schema="live", since=True)
    assert second.mode == "since" and second.changed["orders"] == 11
    assert second.changed["revenue_trend"] == 0  # no time stamps, unchanged (its fingerprint held)
    conn = sqlite3.connect(out)
    assert conn.execute("SELECT id, amount FROM orders ORDER BY id").fetchall() == _pg_orders(pg, "live")
    # a row deleted at the source: that table is copied whole again
    # a row deleted at the source: that table is copied whole again; so is a
    # table without time stamps that changed
    with pg.admin(DB) as a:
        a.execute("DELETE FROM live.orders WHERE id = 5")
        a.execute("UPDATE live.revenue_trend SET booked = 123.5 WHERE period = '2026-10'")
    third = snapshot(pg.url(USER, DB), out, schema="live", since=True)
    assert third.changed["orders"] == 3000
    assert third.changed["revenue_trend"] == third.rows["revenue_trend"] == 24
    assert third.changed["expenses"] == 0
    conn.close()
    conn = sqlite3.connect(out)  # the snapshot replaced the file: open the new one
    assert conn.execute("SELECT id, amount FROM orders ORDER BY id").fetchall() == _pg_orders(pg, "live")
    assert conn.execute("SELECT booked FROM revenue_trend WHERE period = '2026-10'").fetchone() == (123.5,)
    # one row deleted and one back-filled with an old time stamp (the merge cannot see it):
    # the count holds, the keys do not
    with pg.admin(DB) as a:
        a.execute("DELETE FROM live.orders WHERE id = 6")
        a.execute("INSERT INTO live.orders (id, customer_id, amount, profit, order_date, type, updated_at) "
                  "VALUES (900002, 1, 7, 1, '2026-10-31', 'subscription', now() - interval '10 days')")
    fourth = snapshot(pg.url(USER, DB), out, schema="live", since=True)
    assert fourth.changed["orders"] == 3000
    conn.close()
    conn = sqlite3.connect(out)
    assert conn.execute("SELECT id, amount FROM orders ORDER BY id").fetchall() == _pg_orders(pg, "live")
    assert [log["meta"]["mode"] for log in _log_rows(out)] == ["full", "since", "since", "since"]


TYPED_SCHEMA = """
CREATE TABLE tickets (
    id          TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    tags        TEXT,
    details     TEXT,
    is_blocker  INTEGER,
    cost        REAL,
    opened_at   TEXT,
    logged      DATETIME,
    due         DATE,
    assigned_to TEXT
);
"""


def test_postgresql_types_become_sqlite_values(pg, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    with pg.admin(DB) as a:
        a.execute("CREATE SCHEMA typed")
        a.execute("CREATE TYPE typed.\"TicketState\" AS ENUM ('open', 'closed')")
        a.execute('CREATE TABLE typed."Ticket" (id uuid PRIMARY KEY, state typed."TicketState" NOT NULL, '
                  'tags text[], details jsonb, "isBlocker" boolean, cost numeric(12,2), '
                  '"openedAt" timestamptz, logged timestamptz, due timestamptz, "assignedToId" uuid, '
                  '"updatedAt" timestamptz)')
        a.execute("""INSERT INTO typed."Ticket" VALUES
            ('6f1c2d3e-0000-4000-8000-000000000001', 'open', ARRAY['db','ui'], '{"k": [1, 2]}', true, 12.50,
             '2026-11-29 17:42:05.25+01', '2026-11-29 17:42:00+01', '2026-11-30 00:30:00+01',
             '6f1c2d3e-0000-4000-8000-0000000000ff', now()),
            ('6f1c2d3e-0000-4000-8000-000000000002', 'closed', NULL, NULL, false, NULL, NULL, NULL, NULL, NULL,
             now())""")
        a.execute(f"GRANT USAGE ON SCHEMA typed TO {USER}; GRANT SELECT ON ALL TABLES IN SCHEMA typed TO {USER}")
    board = Dashboard(name="tickets", title="Tickets", schema_sql=TYPED_SCHEMA, required=("tickets",))
    out = tmp_path / "t.db"
    done = snapshot(pg.url(USER, DB), out, schema="typed", catalogue=(board,))
    assert done.rows == {"tickets": 2}
    rows = sqlite3.connect(out).execute("SELECT * FROM tickets ORDER BY id").fetchall()
    assert rows == [
        ("6f1c2d3e-0000-4000-8000-000000000001", "open", '["db","ui"]', '{"k": [1, 2]}', 1, 12.5,
         "2026-11-29T16:42:05.25Z", "2026-11-29 16:42:00", "2026-11-29", "6f1c2d3e-0000-4000-8000-0000000000ff"),
        ("6f1c2d3e-0000-4000-8000-000000000002", "closed", None, None, 0, None, None, None, None, None),
    ]


def test_names_map_snake_case_and_prisma():
    tables = ["Bug", "BugHistory", "PipelineStageDaily", "Order", "audit_log", "Expense"]
    assert match_table("bugs", tables) == "Bug"
    assert match_table("bug_history", tables) == "BugHistory"
    assert match_table("pipeline_stages_daily", tables) == "PipelineStageDaily"
    assert match_table("orders", tables) == "Order"
    assert match_table("audit_log", tables) == "audit_log"
    assert match_table("expenses", tables) == "Expense"
    assert match_table("projects", tables) is None
    cols = ["id", "bugNumber", "assignedToId", "createdById", "isBlocker", "revenueImpact"]
    assert match_column("bug_number", cols) == "bugNumber"
    assert match_column("assigned_to", cols) == "assignedToId"
    assert match_column("created_by", cols) == "createdById"
    assert match_column("is_blocker", cols) == "isBlocker"
    assert match_column("revenue_impact_daily", cols) is None
    assert match_column("revenue_impact_daily", cols, ("revenueImpact",)) == "revenueImpact"
    with pytest.raises(SnapshotError):
        snapshot("postgres-ish", "/nonexistent/folder/x.db")


def test_password_from_the_prompt(pg, tmp_path):
    """No PGPASSWORD, no ~/.pgpass: the command asks on its terminal (a real pty)."""
    import pty

    out = tmp_path / "b.db"
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    env.update(PYTHONPATH=str(ROOT), HOME=str(tmp_path), PGPASSFILE=str(tmp_path / "none"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: execdash with the pty as its terminal
        os.execve(sys.executable, [sys.executable, "-m", "execdash_desktop", "snapshot", "--from",
                                   pg.url(USER, DB), "--db", str(out)], env)
    seen = b""
    try:
        while b"Password for" not in seen:
            seen += os.read(fd, 1024)
        assert f"Password for {USER}@127.0.0.1/{DB}:".encode() in seen
        os.write(fd, PASSWORD.encode() + b"\n")
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed its terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    assert PASSWORD.encode() not in seen  # not echoed
    assert PASSWORD.encode() not in out.read_bytes()


LOG_DASHBOARD_SCHEMA = """
CREATE TABLE bugs (id TEXT PRIMARY KEY, bug_number INTEGER NOT NULL UNIQUE, severity TEXT NOT NULL,
                   assigned_to TEXT, revenue_impact_daily REAL, created_at TEXT, updated_at TEXT);
CREATE TABLE import_logs (id TEXT PRIMARY KEY, source TEXT NOT NULL, records_imported INTEGER,
                          records_failed INTEGER, errors TEXT, metadata TEXT, timestamp TEXT);
CREATE TRIGGER bugs_touch AFTER UPDATE ON bugs BEGIN
    UPDATE bugs SET updated_at = 'touched' WHERE id = NEW.id; END;
"""


def test_a_dashboard_with_its_own_import_logs(pg, tmp_path, monkeypatch):
    """A Prisma CTO database (seed 003 names): its ImportLog rows join the file's own snapshot log."""
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    with pg.admin(DB) as a:
        a.execute("CREATE SCHEMA cto")
        a.execute('CREATE TYPE cto."Severity" AS ENUM (\'CRITICAL\', \'HIGH\', \'MEDIUM\', \'LOW\')')
        a.execute('CREATE TABLE cto."Bug" (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "bugNumber" int UNIQUE, '
                  'severity cto."Severity" NOT NULL, "assignedToId" uuid, "revenueImpact" numeric, '
                  '"createdAt" timestamptz DEFAULT now(), "updatedAt" timestamptz DEFAULT now())')
        a.execute('CREATE TABLE cto."ImportLog" (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), source text, '
                  '"recordsImported" int, "recordsFailed" int, errors text[], metadata jsonb, '
                  '"timestamp" timestamptz DEFAULT now())')
        a.execute('INSERT INTO cto."Bug" ("bugNumber", severity, "revenueImpact") '
                  "SELECT g, 'HIGH', g * 10 FROM generate_series(1, 50) g")
        a.execute('INSERT INTO cto."ImportLog" (source, "recordsImported", "recordsFailed", errors, metadata) '
                  "VALUES ('GITHUB', 12, 1, ARRAY['repo x: 404'], '{\"repos\": 12}')")
        a.execute(f"GRANT USAGE ON SCHEMA cto TO {USER}; GRANT SELECT ON ALL TABLES IN SCHEMA cto TO {USER}")
    board = Dashboard(name="cto", title="CTO", schema_sql=LOG_DASHBOARD_SCHEMA, required=("bugs",),
                      aliases={"bugs.revenue_impact_daily": ("revenueImpact",)})
    out = tmp_path / "cto.db"
    first = snapshot(pg.url(USER, DB), out, schema="cto", catalogue=(board,))
    assert first.rows == {"bugs": 50, "import_logs": 1}
    with pg.admin(DB) as a:
        a.execute('UPDATE cto."Bug" SET severity = \'CRITICAL\', "updatedAt" = now() WHERE "bugNumber" = 7')
    second = snapshot(pg.url(USER, DB), out, schema="cto", since=True, catalogue=(board,))
    assert second.changed == {"bugs": 1, "import_logs": 0}
    conn = sqlite3.connect(out)
    logs = conn.execute("SELECT source, errors, metadata FROM import_logs ORDER BY timestamp").fetchall()
    assert logs[0] == ("GITHUB", '["repo x: 404"]', '{"repos": 12}')
    assert [s for s, _, _ in logs] == ["GITHUB", "postgresql", "postgresql"]
    # the copied rows did not fire the file's trigger; the trigger is back for later writes
    assert conn.execute("SELECT severity, revenue_impact_daily, updated_at != 'touched' FROM bugs "
                        "WHERE bug_number = 7").fetchone() == ("CRITICAL", 70.0, 1)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone() == (1,)


def test_the_snapshot_log_is_the_import_log():
    """One import_logs table, whichever door creates it (import or snapshot)."""
    from execdash_desktop.dataio.logs import IMPORT_LOGS_SQL
    from execdash_desktop.snapshot.datafile import LOG_SCHEMA
    from execdash_desktop.snapshot.targets import read_schema

    assert read_schema(LOG_SCHEMA).tables[0].columns == read_schema(IMPORT_LOGS_SQL).tables[0].columns
    assert " ".join(LOG_SCHEMA.split()) == " ".join(IMPORT_LOGS_SQL.split())



def test_password_hashes_of_the_source_stay_on_the_server(pg, tmp_path):
    """The CTO schema's users.password_hash (no chart reads it) is never copied to a laptop."""
    with pg.admin(DB) as a:
        a.execute("UPDATE public.users SET password_hash = 'pbkdf2_sha256$600000$salt$' || id")
    try:
        out = tmp_path / "b.db"
        r = _execdash("snapshot", "--from", pg.url(USER, DB), "--db", str(out), "--dashboards", "engineering")
        assert r.returncode == 0, r.stderr
        conn = sqlite3.connect(out)
        try:
            assert conn.execute("SELECT count(*), count(password_hash) FROM users").fetchone()[0] > 0
            assert conn.execute("SELECT count(password_hash) FROM users").fetchone() == (0,)
        finally:
            conn.close()
        assert b"pbkdf2_sha256" not in out.read_bytes()
    finally:
        with pg.admin(DB) as a:
            a.execute("UPDATE public.users SET password_hash = NULL")
