"""Hostile data files (issue 12, items 1-6 and 9): bad data degrades only the number
or panel it feeds, with the reason shown; nothing else stops, no output holds NaN.

The files come from tests/hostile_corpus.py, generated from a small demo file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from execdash_desktop.api.app import create_app
from execdash_desktop.packs.executive.demo import generate
from tests import hostile_corpus as corpus

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def strict_json(text: str):
    """json.loads that refuses NaN / Infinity, which Python writes but JSON has not."""
    def refuse(word):
        raise ValueError(f"not JSON: {word}")
    return json.loads(text, parse_constant=refuse)


def run(*args, env_extra=None, drop=(), timeout=120, preexec_fn=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    for name in drop:
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "execdash_desktop", *args], capture_output=True,
                          text=True, env=env, timeout=timeout, preexec_fn=preexec_fn)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=3000, seed=7)
    return path


@pytest.fixture(scope="module")
def hostile(demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = corpus.build(name, demo, folder)
        return made[name]

    return get


def kpis_json(path: Path, *extra) -> dict:
    r = run("kpis", "--db", str(path), "--json", *extra)
    assert r.returncode == 0, r.stderr
    return strict_json(r.stdout)


def by_key(payload: dict) -> dict:
    return {k["key"]: k for k in payload["executiveKpis"]}


def get_routes(client: TestClient) -> list[str]:
    """Every GET route of the API, each path parameter filled with every value its schema allows."""
    out = []
    for path, item in client.get("/openapi.json").json()["paths"].items():
        if "get" not in item or path == "/openapi.json":
            continue
        routes = [path]
        for param in item["get"].get("parameters", []):
            if param["in"] == "path":
                name = "{" + param["name"] + "}"
                routes = [r.replace(name, v) for r in routes for v in param["schema"]["enum"]]
        out += routes
    return out


def answers(path: Path, **params) -> dict[str, tuple[int, object]]:
    """Status and strict-JSON body of every GET route over `path`."""
    out = {}
    with TestClient(create_app(path), raise_server_exceptions=False) as c:
        for route in get_routes(c):
            r = c.get(route, params=params)
            out[route] = (r.status_code, strict_json(r.text) if r.text else None)
    return out


# -- 1. non-finite numbers ---------------------------------------------------------
@pytest.mark.parametrize("name", ["nan_inf_text", "text_1e400", "real_infinity"])
def test_non_finite_values_are_skipped_like_unreadable_ones(hostile, name):
    path = hostile(name)
    for granularity in ("month", "quarter"):
        p = kpis_json(path, "--granularity", granularity)  # strict: no NaN / Infinity in the text
        for k in p["executiveKpis"]:
            assert k["value"] is None or abs(k["value"]) < 1e300, (k["key"], k["value"])
        for row in p["revenueTrend"]:
            for col in ("recognized", "booked", "backlog"):
                assert row[col] is None or abs(row[col]) < 1e300
    if name == "text_1e400":  # every recognized value unreadable: revenue has no number, and says why
        k = by_key(p)["revenue"]
        assert k["value"] is None and k["reason"]
        assert p["meta"]["skipped_rows"]["revenue_trend"] == 24


@pytest.mark.parametrize("name", ["nan_inf_text", "text_1e400", "real_infinity", "sum_overflows",
                                  "orders_overflow"])
def test_no_api_route_answers_500_or_non_json_on_non_finite_numbers(hostile, name):
    for route, (status, body) in answers(hostile(name)).items():
        assert status in (200, 503), (route, status, body)


def test_a_sum_that_overflows_is_null_with_a_reason(hostile):
    p = kpis_json(hostile("sum_overflows"))
    k = by_key(p)
    assert k["revenue"]["value"] is None and "too large to add up" in k["revenue"]["reason"]
    assert k["book_to_bill"]["value"] is None and k["book_to_bill"]["reason"]
    assert k["uptime"]["value"] is not None  # the other KPIs are untouched
    q = kpis_json(hostile("sum_overflows"), "--granularity", "quarter")
    full = [r for r in q["revenueTrend"] if not r.get("partial")]
    assert full and all(r["booked"] is None for r in full)  # 3 x 1.7e308 has no number
    table = run("kpis", "--db", str(hostile("sum_overflows")))
    assert table.returncode == 0 and "too large to add up" in table.stdout
    orders = by_key(kpis_json(hostile("orders_overflow")))
    for key in ("gm", "arr"):
        assert orders[key]["value"] is None and "orders" in orders[key]["reason"]
    assert orders["revenue"]["value"] is not None


@pytest.mark.gui
@pytest.mark.parametrize("name", ["nan_inf_text", "text_1e400", "sum_overflows", "orders_overflow"])
def test_board_pack_is_written_despite_non_finite_numbers(hostile, tmp_path, name):
    out = tmp_path / "pack.pdf"
    r = run("pack", "--db", str(hostile(name)), "--out", str(out),
            "--drilldowns", "finance/revenue,finance/gm,finance/arr")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:5] == b"%PDF-"


# -- 2. views and WITHOUT ROWID tables ----------------------------------------------
@pytest.mark.parametrize("name", ["orders_view", "orders_without_rowid"])
def test_orders_as_a_view_or_without_rowid_gives_the_same_numbers(demo, hostile, name):
    plain, odd = by_key(kpis_json(demo)), by_key(kpis_json(hostile(name)))
    for key in ("gm", "arr", "revenue"):
        assert odd[key]["value"] == pytest.approx(plain[key]["value"]), key
    assert odd["gm"]["value"] is not None
    for route, (status, body) in answers(hostile(name)).items():
        assert status == 200, (route, status, body)


@pytest.mark.gui
def test_board_pack_reads_orders_from_a_view(hostile, tmp_path):
    r = run("pack", "--db", str(hostile("orders_view")), "--out", str(tmp_path / "p.pdf"),
            "--drilldowns", "finance/gm")
    assert r.returncode == 0, r.stderr


# -- 3. one bad row, one broken object ------------------------------------------------
def test_invalid_utf8_is_shown_replaced_not_refused(hostile):
    p = kpis_json(hostile("alert_invalid_utf8"))
    assert any("\ufffd" in (a["description"] or "") for a in p["alerts"])
    assert by_key(p)["revenue"]["value"] is not None
    for route, (status, body) in answers(hostile("alert_invalid_utf8")).items():
        assert status == 200, (route, status, body)


def test_a_broken_view_degrades_only_its_kpi(hostile):
    p = kpis_json(hostile("nrr_broken_view"))
    k = by_key(p)
    assert k["nrr"]["value"] is None and "retention_nrr" in k["nrr"]["reason"]
    assert k["revenue"]["value"] is not None and k["gm"]["value"] is not None
    assert "retention_nrr" in p["meta"]["unusable"]
    got = answers(hostile("nrr_broken_view"))
    assert got["/api/executive-dashboard"][0] == 200
    assert got["/api/kpis/nrr"][0] == 200 and got["/api/kpis/nrr"][1]["value"] is None
    assert all(status in (200, 503) for status, _ in got.values())


# -- 4. a damaged page in one table -------------------------------------------------
def test_a_damaged_table_fails_only_its_drilldown_and_health_says_degraded(hostile):
    got = answers(hostile("damaged_top_products_daily"))
    status, body = got["/api/customers/top-products"]
    assert status == 503 and body["error"] == "damaged_table" and body["table"] == "top_products_daily"
    assert "damaged" in body["detail"]
    health = got["/api/health"][1]
    assert got["/api/health"][0] == 200 and health["status"] == "degraded"
    assert "top_products_daily" in health["unreadable_tables"]
    others = {r: s for r, (s, _) in got.items() if r != "/api/customers/top-products"}
    assert set(others.values()) == {200}, others


def test_a_damaged_table_is_a_note_in_its_drilldown(hostile):
    from execdash_desktop.engine import Engine
    from execdash_desktop.packs.executive.drilldowns import build_drilldown
    from execdash_desktop.packs.executive.payload import resolve_window
    from execdash_desktop.store import open_reader

    path = hostile("damaged_top_products_daily")
    src = Engine().source(path)
    conn = open_reader(path)
    try:
        d = build_drilldown("customers", conn, src, resolve_window(src, "12m", None))
    finally:
        conn.close()
    assert any("top_products_daily" in n and "damaged" in n for n in d.notes), d.notes


@pytest.mark.gui
def test_board_pack_with_a_damaged_table_is_written(hostile, tmp_path):
    r = run("pack", "--db", str(hostile("damaged_top_products_daily")), "--drilldowns", "customers",
            "--out", str(tmp_path / "p.pdf"))
    assert r.returncode == 0, r.stderr


# -- 5. symlink loops ---------------------------------------------------------------
def _loop(folder: Path) -> Path:
    a, b = folder / "loop-a", folder / "loop-b"
    a.symlink_to(b)
    b.symlink_to(a)
    return a


@pytest.mark.parametrize("command", ["kpis", "pack"])
def test_a_symlink_loop_as_db_is_one_line_exit_2(tmp_path, command):
    loop = _loop(tmp_path)
    args = ["--out", str(tmp_path / "x.pdf")] if command == "pack" else []
    r = run(command, "--db", str(loop), *args)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "symbolic links" in r.stderr and "loop-a" in r.stderr


def test_a_symlink_loop_as_out_is_one_line_exit_2(demo, tmp_path):
    r = run("pack", "--db", str(demo), "--out", str(_loop(tmp_path)))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "symbolic links" in r.stderr, r.stderr


# -- 6. special files as --out --------------------------------------------------------
def _device_copy(folder: Path) -> Path:
    node = folder / "null-copy"
    st = os.stat("/dev/null")
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, st.st_rdev)
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return node


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_special_files_are_refused_as_out_and_left_alone(demo, tmp_path, kind):
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
        check = stat.S_ISFIFO
    else:
        target = _device_copy(tmp_path)
        check = stat.S_ISCHR
    r = run("pack", "--db", str(demo), "--out", str(target))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not a regular file" in r.stderr, r.stderr
    assert check(os.lstat(target).st_mode)  # still the node, not a PDF


def test_a_trailing_slash_means_a_folder(demo, tmp_path):
    r = run("pack", "--db", str(demo), "--out", f"{tmp_path / 'newdir'}/")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "folder" in r.stderr, r.stderr
    assert not (tmp_path / "newdir").exists()


# -- 9. no cache folder ---------------------------------------------------------------
@pytest.fixture
def read_only_mount(tmp_path):
    """An empty read-only tmpfs (root only: skipped with the reason otherwise)."""
    mnt = tmp_path / "ro"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs (needs root): {r.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.parametrize("how", ["a file", "read-only mount"])
def test_without_a_cache_folder_it_runs_uncached_and_says_so(demo, tmp_path, how, request):
    if how == "a file":
        cache = tmp_path / "cache"
        cache.write_text("not a folder")
    else:
        cache = request.getfixturevalue("read_only_mount")
    r = run("kpis", "--db", str(demo), "--json", env_extra={"XDG_CACHE_HOME": str(cache)},
            drop=("EXECDASH_CACHE_DIR",))
    assert r.returncode == 0, r.stderr
    p = strict_json(r.stdout)
    assert by_key(p)["gm"]["value"] == pytest.approx(by_key(kpis_json(demo))["gm"]["value"])
    notes = p["meta"]["notes"]
    assert len(notes) == 1 and "running uncached" in notes[0] and str(cache) in notes[0]


@pytest.mark.gui
def test_board_pack_without_a_cache_folder_says_once_it_runs_uncached(demo, tmp_path):
    cache = tmp_path / "cache"
    cache.write_text("not a folder")
    r = run("pack", "--db", str(demo), "--out", str(tmp_path / "p.pdf"), "--drilldowns", "finance/gm",
            env_extra={"XDG_CACHE_HOME": str(cache)}, drop=("EXECDASH_CACHE_DIR",))
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("running uncached") == 1


def test_drilldown_csv_never_holds_nan_or_inf(hostile):
    from execdash_desktop.engine import Engine
    from execdash_desktop.packs.executive.drilldowns import build_drilldown, to_csv
    from execdash_desktop.packs.executive.payload import resolve_window
    from execdash_desktop.store import open_reader

    path = hostile("orders_overflow")
    src = Engine().source(path)
    conn = open_reader(path)
    try:
        for key in ("finance/gm", "finance/arr", "sales/revenue", "finance/revenue"):
            d = build_drilldown(key, conn, src, resolve_window(src, "12m", None))
            for table in d.tables:
                cells = {c.lower() for row in csv.reader(io.StringIO(to_csv(table))) for c in row}
                assert not cells & {"nan", "inf", "-inf"}, (key, table.title)
    finally:
        conn.close()
