"""`execdash import` and `execdash export` as a user runs them (issue 16): every source
kind, the modes, the report, the exit codes, all-or-nothing, a killed import, and the
round trip through an .xlsx with `kpis --json` byte-equal."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from execdash_desktop.packs.executive.demo import generate


def run(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "execdash_desktop", *args], capture_output=True,
                          text=True, timeout=timeout)


def q(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("imp") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=5_000, seed=7)
    return path


ORDERS = "id,customer_id,amount,profit,order_date,type\n1,1,100,10,2024-01-05,subscription\n2,1,50,5,2024-01-06,one-off\n"
CUSTOMERS = "id,name\n1,Acme\n"


def test_round_trip_through_xlsx_keeps_every_number(tmp_path):
    """Every dashboard's tables out to a workbook and back into an empty file: identical rows,
    `kpis --json` byte-equal (a dashboard added later is covered without a change here)."""
    from execdash_desktop.dataio.schema import NOT_IMPORTABLE, dashboards

    names = [d.name for d in dashboards()]
    demo = tmp_path / "demo.db"
    assert run("demo", "--db", str(demo), "--orders", "3000", "--shipments", "3000", "--conversations", "1000",
               "--days", "120", timeout=300).returncode == 0
    new = tmp_path / "new.db"
    for name in names:
        book = tmp_path / f"{name}.xlsx"
        r = run("export", "--db", str(demo), "--dashboard", name, "--out", str(book))
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(f"wrote {book}: ") and f"({name})" in r.stdout
        r = run("import", "--db", str(new), str(book))
        assert r.returncode == 0, r.stdout + r.stderr
    for name in names:
        pick = ["--dashboard", name] if len(names) > 1 else []
        for rng in ("12m", "3m"):
            before = run("kpis", "--db", str(demo), "--json", "--range", rng, *pick)
            after = run("kpis", "--db", str(new), "--json", "--range", rng, *pick)
            assert before.returncode == 0 and before.stdout == after.stdout and len(before.stdout) > 1000
    # every row of every table, not only what the KPIs read
    for d in dashboards():
        for t in d.tables:
            if t.name not in NOT_IMPORTABLE:
                sql = f'SELECT * FROM "{t.name}" ORDER BY 1, 2'
                assert q(demo, sql) == q(new, sql), t.name


def test_new_file_gets_the_schema_and_a_log_row(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "customers.csv").write_text(CUSTOMERS)
    db = tmp_path / "new.db"
    r = run("import", "--db", str(db), str(tmp_path))  # a folder
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().startswith(f"imported 3 of 3 rows into {db}")
    tables = {t for (t,) in q(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"orders", "customers", "revenue_trend", "user_events", "import_logs"} <= tables
    ((source, imported, failed, errors, meta),) = q(
        db, "SELECT source, records_imported, records_failed, errors, metadata FROM import_logs")
    assert (source, imported, failed, json.loads(errors)) == ("csv", 3, 0, [])
    meta = json.loads(meta)
    assert meta["mode"] == "append" and {p["table"] for p in meta["parts"]} == {"orders", "customers"}
    assert all(p["checksum"].startswith("sha256:") for p in meta["parts"])


def test_bad_input_exits_2_shows_20_lines_and_writes_nothing(tmp_path, demo_db):
    db = tmp_path / "d.db"
    db.write_bytes(demo_db.read_bytes())
    before = q(db, "SELECT count(*), sum(amount) FROM orders")
    body = "".join(f"{900000 + i},1,{'x' if i % 2 else 5},1,2024-01-05\n" for i in range(60))
    (tmp_path / "orders.csv").write_text("id,customer_id,amount,profit,order_date\n" + body)
    report = tmp_path / "report.json"
    r = run("import", "--db", str(db), str(tmp_path / "orders.csv"), "--report", str(report))
    assert r.returncode == 2
    out = r.stdout.splitlines()
    assert len(out) == 22 and out[20] == "... and 10 more" and "30 wrong type" in out[21]
    assert out[21].startswith(f"nothing written to {db}: 60 rows checked")
    assert q(db, "SELECT count(*), sum(amount) FROM orders") == before
    data = json.loads(report.read_text())
    assert data["counts"] == {"type": 30} and len(data["problems"]) == 30
    assert data["problems"][0] == {"kind": "type", "file": str(tmp_path / "orders.csv"), "sheet": None,
                                   "row": 3, "column": "amount", "value": "x", "expected": "a number",
                                   "table": "orders", "severity": "error"}
    # the failed run is logged too
    assert q(db, "SELECT records_imported, records_failed FROM import_logs") == [(0, 60)]


def test_skip_bad_rows_dry_run_and_modes(tmp_path, demo_db):
    db = tmp_path / "d.db"
    db.write_bytes(demo_db.read_bytes())
    src = tmp_path / "orders.csv"
    src.write_text("id,amount,profit,order_date\n900001,5,1,2024-01-05\n900002,x,1,2024-01-05\n")
    h = digest(db)
    r = run("import", "--db", str(db), str(src), "--dry-run")
    assert r.returncode == 2 and "dry run: 2 rows checked, nothing written" in r.stdout
    assert digest(db) == h  # not even a log row
    r = run("import", "--db", str(db), str(src), "--skip-bad-rows")
    assert r.returncode == 0 and "imported 1 of 2 rows" in r.stdout and "(1 bad rows skipped)" in r.stdout
    assert q(db, "SELECT amount FROM orders WHERE id >= 900000") == [(5.0,)]
    src.write_text("id,amount,profit,order_date\n900001,7,1,2024-01-05\n900003,8,1,2024-01-05\n")
    r = run("import", "--db", str(db), str(src), "--mode", "upsert")
    assert r.returncode == 0, r.stdout
    assert q(db, "SELECT id, amount FROM orders WHERE id >= 900000 ORDER BY id") == [(900001, 7.0), (900003, 8.0)]
    r = run("import", "--db", str(db), str(src), "--mode", "replace")
    assert r.returncode == 0, r.stdout
    assert q(db, "SELECT count(*) FROM orders") == [(2,)]
    assert q(db, "SELECT count(*) FROM import_logs") == [(3,)]


def test_replace_refuses_to_orphan_rows_that_point_at_replaced_ones(tmp_path, demo_db):
    db = tmp_path / "d.db"
    db.write_bytes(demo_db.read_bytes())
    (tmp_path / "customers.csv").write_text(CUSTOMERS)
    before = q(db, "SELECT count(*), (SELECT count(customer_id) FROM orders) FROM customers")
    r = run("import", "--db", str(db), str(tmp_path / "customers.csv"), "--mode", "replace")
    assert r.returncode == 2 and "refers to a missing row" in r.stdout and "(replace orders too)" in r.stdout
    assert q(db, "SELECT count(*), (SELECT count(customer_id) FROM orders) FROM customers") == before


def _ods(path: Path, sheet: str, table: list[list[str]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no ODS writer is a dependency)."""
    cells = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>" for row in table)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{cells}'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


def test_tsv_ods_zip_and_sheet_selection(tmp_path):
    import xlsxwriter

    (tmp_path / "customers.tsv").write_text("id\tname\n1\tAcme\n2\tGlobex\n")
    ods = _ods(tmp_path / "deals.ods", "deals", [["id", "type"], ["1", "new"], ["2", "renewal"]])
    with zipfile.ZipFile(tmp_path / "more.zip", "w") as z:
        z.writestr("export/expenses.csv", "id,cost,date\n1,12.5,2024-02-01\n")
    book = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(book)
    ws = wb.add_worksheet("Risks")
    ws.write_row(0, 0, ["Title", "Owner", "Due"])
    ws.write_row(1, 0, ["Supplier delay", "COO"])
    ws.write_datetime(1, 2, __import__("datetime").datetime(2026, 12, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws2 = wb.add_worksheet("Notes")
    ws2.write(0, 0, "not a table")
    wb.close()
    db = tmp_path / "d.db"
    r = run("import", "--db", str(db), str(tmp_path / "customers.tsv"), str(ods), str(tmp_path / "more.zip"))
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("import", "--db", str(db), str(book), "--sheet", "risks")
    assert r.returncode == 0, r.stdout + r.stderr
    assert q(db, "SELECT name FROM customers ORDER BY id") == [("Acme",), ("Globex",)]
    assert q(db, "SELECT type FROM deals ORDER BY id") == [("new",), ("renewal",)]
    assert q(db, "SELECT cost, date FROM expenses") == [(12.5, "2024-02-01")]
    assert q(db, "SELECT title, owner, due, status FROM risks") == [("Supplier delay", "COO", "2026-12-01", "open")]
    # without --sheet the Notes sheet names no table: reported, exit 2, nothing written
    r = run("import", "--db", str(tmp_path / "e.db"), str(book))
    assert r.returncode == 2 and "[Notes]" in r.stdout and "no table to import into" in r.stdout


def test_unreadable_sources_are_one_line(tmp_path):
    (tmp_path / "x.pdf").write_text("hello")
    r = run("import", "--db", str(tmp_path / "d.db"), str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and r.stderr.strip().endswith("x.pdf: not a spreadsheet (expected .csv, .tsv, "
                                                           ".xlsx, .xlsm or .ods)")
    (tmp_path / "bad.xlsx").write_text("not a zip")
    r = run("import", "--db", str(tmp_path / "d.db"), str(tmp_path / "bad.xlsx"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "not a readable workbook" in r.stderr
    r = run("import", "--db", str(tmp_path / "d.db"), str(tmp_path / "nope.csv"))
    assert r.returncode == 2 and "nope.csv: not found" in r.stderr
    r = run("import", "--db", str(tmp_path / "d.db"), str(tmp_path / "x.pdf"), "--table", "nosuch")
    assert r.returncode == 2 and "no table named 'nosuch'" in r.stderr
    assert not (tmp_path / "d.db").exists()


KILL_SCRIPT = """
import sys
from execdash_desktop.dataio import run_import

def progress(fraction, message):
    print(message, flush=True)

run_import(sys.argv[1], [sys.argv[2]], progress=progress, chunk_rows=2000)
"""


@pytest.mark.parametrize("existing", [True, False], ids=["existing-file", "new-file"])
def test_a_killed_import_leaves_the_file_as_it_was(tmp_path, demo_db, existing):
    db = tmp_path / "d.db"
    if existing:
        db.write_bytes(demo_db.read_bytes())
        before = q(db, "SELECT count(*), sum(amount) FROM orders")
    src = tmp_path / "orders.csv"
    with open(src, "w") as f:
        f.write("id,amount,profit,order_date\n")
        for i in range(1_000_001, 1_300_001):
            f.write(f"{i},5,1,2024-01-05\n")
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(db), str(src)], stdout=subprocess.PIPE,
                            text=True)
    for line in proc.stdout:  # wait until rows are being written, then kill it
        if "20,000 rows" in line:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    if existing:
        assert q(db, "PRAGMA integrity_check") == [("ok",)]
        assert q(db, "SELECT count(*), sum(amount) FROM orders") == before
        assert q(db, "SELECT name FROM sqlite_master WHERE name = 'import_logs'") == []
    else:
        assert not db.exists()


def test_core_and_command_line_load_pandas_only_to_import():
    code = ("import sys, execdash_desktop.cli, execdash_desktop.dataio, execdash_desktop.dataio.export; "
            "print(sorted(m for m in ('pandas', 'numpy', 'python_calamine', 'xlsxwriter') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stderr


def test_cancel_rolls_back_and_logs_the_attempt(tmp_path, demo_db):
    from execdash_desktop.dataio import run_import

    db = tmp_path / "d.db"
    db.write_bytes(demo_db.read_bytes())
    before = q(db, "SELECT count(*), sum(amount) FROM orders")
    src = tmp_path / "orders.csv"
    src.write_text("id,amount,profit,order_date\n" + "".join(f"{800000 + i},5,1,2024-01-05\n" for i in range(50_000)))
    seen = []
    report = run_import(db, [str(src)], chunk_rows=5_000, progress=lambda f, m: seen.append(m),
                        cancelled=lambda: sum("rows" in m for m in seen) >= 2)  # after two chunks
    assert report.cancelled and not report.written and not report.ok
    assert report.summary().startswith("cancelled: nothing written")
    assert q(db, "SELECT count(*), sum(amount) FROM orders") == before
    ((meta,),) = q(db, "SELECT metadata FROM import_logs")
    assert json.loads(meta)["cancelled"] is True


def test_a_failed_import_into_a_new_file_creates_nothing(tmp_path):
    (tmp_path / "orders.csv").write_text("id,amount,profit,order_date\n1,x,1,2024-01-05\n")
    r = run("import", "--db", str(tmp_path / "new.db"), str(tmp_path / "orders.csv"))
    assert r.returncode == 2 and "wrong type" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]  # no file, no temporary left


def test_tables_a_file_lacks_are_added_in_the_same_transaction(tmp_path):
    """A file without the customers table: a dry run leaves it without; an import adds it."""
    db = tmp_path / "d.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE revenue_trend (period TEXT PRIMARY KEY, recognized REAL NOT NULL DEFAULT 0, "
                 "booked REAL NOT NULL DEFAULT 0, backlog REAL NOT NULL DEFAULT 0)")
    conn.commit()
    conn.close()
    (tmp_path / "customers.csv").write_text(CUSTOMERS)
    h = digest(db)
    assert run("import", "--db", str(db), str(tmp_path / "customers.csv"), "--dry-run").returncode == 0
    assert digest(db) == h
    assert run("import", "--db", str(db), str(tmp_path / "customers.csv")).returncode == 0
    assert q(db, "SELECT name FROM customers") == [("Acme",)]
