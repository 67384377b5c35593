"""The board pack's Qt-free half: the page plan, the defaults, the data and the atomic write."""

from __future__ import annotations

import os

import pytest

from execdash_desktop import boardpack as bp
from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS, Drilldown, Table

GEO = bp.Geometry(body=600, chart=250, table_head=60, row=20, gap=10, min_rows=3)


def table(title: str, n: int) -> Table:
    return Table(title, ("Day", "Value"), tuple((f"d{i}", float(i)) for i in range(n)), ("text", "currency"))


def drill(key: str, *tables: Table, chart: bool = True) -> Drilldown:
    return Drilldown(key, DRILLDOWNS[key], tables, (), tables[0] if chart and tables else None)


def heights(page: bp.Page) -> float:
    used = (GEO.chart + GEO.gap) if page.chart else 0.0
    return used + sum(GEO.table_head + max(s.stop - s.start, 1) * GEO.row + GEO.gap for s in page.slices)


def test_fixed_pages_come_first_and_summary_is_optional():
    pages = bp.plan([], GEO, summary=True)
    assert [p.kind for p in pages] == ["cover", "dashboard", "summary"]
    assert [p.kind for p in bp.plan([], GEO, summary=False)] == ["cover", "dashboard"]


def test_a_short_drilldown_is_one_page_with_its_chart_and_tables():
    geo = bp.Geometry(body=720, chart=250, table_head=60, row=20, gap=10)
    pages = bp.plan([drill("finance/revenue", table("Trend", 12), table("By type", 4))], geo)[3:]
    assert len(pages) == 1
    page = pages[0]
    assert page.chart and page.key == "finance/revenue" and (page.part, page.parts) == (1, 1)
    assert [(s.table, s.start, s.stop) for s in page.slices] == [(0, 0, 12), (1, 0, 4)]
    assert heights(page) <= geo.body + geo.gap


def test_a_table_that_fits_one_page_is_not_split():
    # 130 left below chart and table: 3 of the 4 rows would fit, so the table moves on whole
    geo = bp.Geometry(body=700, chart=250, table_head=60, row=20, gap=10)
    pages = bp.plan([drill("finance/revenue", table("Trend", 12), table("By type", 5))], geo, False)[2:]
    assert [[(s.table, s.start, s.stop) for s in p.slices] for p in pages] == [[(0, 0, 12)], [(1, 0, 5)]]

def test_a_long_table_continues_over_pages_every_row_once_in_order():
    dd = drill("sales/pipeline", table("Funnel", 4), table("Funnel by day", 365), table("Win rate", 12))
    pages = bp.plan([dd], GEO, summary=False)[2:]
    assert len(pages) > 3 and all(p.key == "sales/pipeline" for p in pages)
    assert [p.part for p in pages] == list(range(1, len(pages) + 1))
    assert {p.parts for p in pages} == {len(pages)}
    assert pages[0].chart and not any(p.chart for p in pages[1:])
    rows: dict[int, list[int]] = {0: [], 1: [], 2: []}
    for p in pages:
        assert heights(p) <= GEO.body + GEO.gap  # nothing runs into the footer
        for s in p.slices:
            rows[s.table] += list(range(s.start, s.stop))
    assert rows == {0: list(range(4)), 1: list(range(365)), 2: list(range(12))}
    long_slices = [s for p in pages for s in p.slices if s.table == 1]
    assert [s.continued for s in long_slices] == [False] + [True] * (len(long_slices) - 1)
    full = bp.rows_per_page(GEO)
    assert all(s.stop - s.start == full for s in long_slices[1:-1])  # continuation pages are full


def test_a_table_starts_on_a_new_page_unless_a_few_rows_fit():
    # chart (260) + 12-row table (60 + 240 + 10) leaves 30: the next table's head alone does not fit
    pages = bp.plan([drill("finance/revenue", table("Trend", 12), table("By type", 4))],
                    bp.Geometry(body=600, chart=250, table_head=60, row=20, gap=10), summary=False)[2:]
    assert len(pages) == 2
    assert [(s.table, s.start) for s in pages[1].slices] == [(1, 0)]
    assert not pages[1].slices[0].continued


def test_empty_tables_and_no_tables_still_get_a_page():
    pages = bp.plan([drill("customers", table("Top products", 0), chart=False),
                     Drilldown("telemetry", DRILLDOWNS["telemetry"], (), ())], GEO, summary=False)[2:]
    assert [(p.key, [(s.start, s.stop) for s in p.slices]) for p in pages] == [("customers", [(0, 0)]),
                                                                                 ("telemetry", [])]


def test_contents_give_each_section_its_pages():
    dds = [drill("finance/nrr", table("NRR", 12)), drill("sales/pipeline", table("Funnel by day", 365))]
    pages = bp.plan(dds, GEO)
    toc = bp.contents(pages)
    n_pipeline = sum(p.key == "sales/pipeline" for p in pages)
    assert toc[:3] == [("Executive dashboard", "2"), ("Summary: now, reason, action", "3"),
                       (DRILLDOWNS["finance/nrr"], "4")]
    assert toc[3] == (DRILLDOWNS["sales/pipeline"], f"5\u2013{4 + n_pipeline}")
    assert len(pages) == 4 + n_pipeline


@pytest.mark.parametrize("name, paper", [("en_US", "letter"), ("en_CA", "letter"), ("fr_CA", "letter"),
                                         ("en-US", "letter"), ("en_US.UTF-8", "letter"), ("en_GB", "a4"),
                                         ("de_DE", "a4"), ("C", "a4"), ("", "a4"), (None, "a4")])
def test_default_paper_follows_the_locale(name, paper):
    assert bp.default_paper(name) == paper


def test_drilldown_keys_default_dedupe_and_name_bad_ones():
    assert bp.parse_keys(None) == bp.DEFAULT_DRILLDOWNS and len(bp.DEFAULT_DRILLDOWNS) == 5
    assert set(bp.DEFAULT_DRILLDOWNS) <= set(DRILLDOWNS)
    assert bp.parse_keys("supply, finance/nrr,supply") == ("supply", "finance/nrr")
    with pytest.raises(KeyError) as err:
        bp.parse_keys("supply,finance/bogus")
    assert "finance/bogus" in err.value.args[0] and "sales/pipeline" in err.value.args[0]


def test_write_atomic_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "pack.pdf"
    bp.write_atomic(target, b"%PDF-old")
    assert target.read_bytes() == b"%PDF-old"
    bp.write_atomic(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not the temp file's private mode
    with pytest.raises(TypeError):
        bp.write_atomic(target, "not bytes")  # fails while writing
    assert target.read_bytes() == b"%PDF-new" and sorted(os.listdir(tmp_path)) == ["pack.pdf"]


def test_check_target_names_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        bp.check_target(tmp_path / "missing" / "pack.pdf")
    assert err.value.filename == str(tmp_path / "missing")
    with pytest.raises(IsADirectoryError):
        bp.check_target(tmp_path)
    db = tmp_path / "exec.sqlite"
    db.write_bytes(b"")
    for target in (db, tmp_path / "exec.sqlite-wal", tmp_path / "." / "exec.sqlite"):
        with pytest.raises(FileExistsError, match="is the data file itself"):
            bp.check_target(target, db)
    assert bp.check_target(tmp_path / "exec.pdf", db) == tmp_path / "exec.pdf"


def test_gather_reads_the_view_and_the_summary(tmp_path):
    from execdash_desktop.engine import Engine
    from execdash_desktop.packs.executive.demo import generate
    from execdash_desktop.packs.executive.payload import build_payload, resolve_window
    from execdash_desktop.store import open_reader

    db = generate(tmp_path / "d.sqlite", end="2026-10", months=24, orders=5000, seed=7)["path"]
    src = Engine().source(db)
    payload = build_payload(src, "6m", "quarter", "2026-09")
    conn = open_reader(db)
    try:
        data = bp.gather(conn, src, payload, resolve_window(src, "6m", "2026-09"), ("supply", "finance/nrr"), db)
    finally:
        conn.close()
    assert [d.key for d in data.drilldowns] == ["supply", "finance/nrr"]
    assert data.as_of == "2026-09" and data.payload is payload and data.months[-1] == "2026-10"
    assert data.drilldowns[0].notes[0].startswith("Apr 2026 \u2013 Sep 2026")  # the view's window, not the latest
    assert data.demo  # the demo generator's file: "Demo data" on every page
    # the narrative is written from the monthly payload
    assert data.has_summary and all(s.section in ("now", "reason", "action") for s in data.summary.sentences)


# -- `execdash pack` on input it cannot serve: one line, exit 2, nothing written ------------------

@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    from execdash_desktop.packs.executive.demo import generate

    return generate(tmp_path_factory.mktemp("packcli") / "d.sqlite", end="2026-10", months=24, orders=3000,
                    seed=7)["path"]


def _pack(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "execdash_desktop", "pack", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("case, needles", [
    ("missing", ["nope.sqlite", "not found"]),
    ("not-sqlite", ["not a SQLite database"]),
    ("bad-key", ["finance/bogus", "sales/pipeline"]),
    ("bad-as-of", ["as_of", "2031-01"]),
    ("bad-folder", ["no such folder", "missing-folder"]),
])
def test_pack_errors_exit_2_naming_the_problem(small_db, tmp_path, case, needles):
    import hashlib
    from pathlib import Path

    db, out = Path(small_db), tmp_path / "pack.pdf"
    args = {"missing": ["--db", str(tmp_path / "nope.sqlite")],
            "not-sqlite": ["--db", str(tmp_path / "notes.sqlite")],
            "bad-key": ["--db", str(db), "--drilldowns", "supply,finance/bogus"],
            "bad-as-of": ["--db", str(db), "--as-of", "2031-01"],
            "bad-folder": ["--db", str(db)]}[case]
    if case == "not-sqlite":
        (tmp_path / "notes.sqlite").write_text("not a database\n" * 40)
    if case == "bad-folder":
        out = tmp_path / "missing-folder" / "pack.pdf"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    r = _pack(*args, "--out", str(out))
    assert r.returncode == 2, r.stdout + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert all(n in r.stderr for n in needles), r.stderr
    assert not out.exists() and r.stdout == ""
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_pack_never_writes_over_the_data_file(small_db, tmp_path):
    import hashlib
    import shutil

    db = tmp_path / "mine.sqlite"
    shutil.copyfile(small_db, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    r = _pack("--db", str(db), "--out", str(db))
    assert r.returncode == 2 and "is the data file itself" in r.stderr and str(db) in r.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
