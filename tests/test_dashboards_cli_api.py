"""Several dashboards in one file: the command line and the API (design/dashboards.md)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from execdash_desktop.api.app import create_app
from execdash_desktop.engine import Engine


def run(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "execdash_desktop", *args], capture_output=True, text=True,
                          timeout=timeout)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """`execdash demo` with no choice: every dashboard's tables in one file."""
    path = tmp_path_factory.mktemp("both") / "both.sqlite"
    r = run("demo", "--db", str(path), "--end", "2026-10", "--orders", "3000", "--months", "12", "--bugs", "1500",
            "--shipments", "5000", "--conversations", "2000", "--days", "120")
    assert r.returncode == 0, r.stderr
    assert "1,500 bugs" in r.stdout and "3,000 orders" in r.stdout
    return path


@pytest.fixture(scope="module")
def eng_only(tmp_path_factory):
    path = tmp_path_factory.mktemp("eng") / "eng.sqlite"
    r = run("demo", "--db", str(path), "--end", "2026-10", "--dashboards", "engineering", "--bugs", "800")
    assert r.returncode == 0, r.stderr
    return path


def test_dashboards_lists_what_a_file_holds(both, eng_only):
    r = run("dashboards", "--db", str(both), "--json")
    assert r.returncode == 0, r.stderr
    held = {d["name"]: d for d in json.loads(r.stdout)}
    assert held["executive"]["present"] and held["engineering"]["present"]
    assert "bugs" in held["engineering"]["tables_found"] and not held["engineering"]["tables_missing"]
    r = run("dashboards", "--db", str(eng_only))
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and any(ln.startswith("engineering") and "present" in ln for ln in lines)
    assert any(ln.startswith("executive") and "absent" in ln for ln in lines)
    assert "needs: revenue_trend" in r.stdout


def test_kpis_default_dashboard_and_choice(both, eng_only):
    # several in the file: executive unless asked; one: that one
    r = run("kpis", "--db", str(both), "--json")
    assert "executiveKpis" in json.loads(r.stdout)
    r = run("kpis", "--db", str(eng_only), "--json")
    assert json.loads(r.stdout)["pack"] == "engineering"
    for rng, gran in (("12m", "month"), ("6m", "quarter")):
        r = run("kpis", "--db", str(both), "--dashboard", "engineering", "--range", rng, "--granularity", gran,
                "--as-of", "2026-09-15", "--json")
        assert r.returncode == 0, r.stderr
        want = Engine().payload(both, rng, gran, "2026-09-15", dashboard="engineering")
        assert json.loads(r.stdout) == json.loads(json.dumps(want))
        assert json.loads(r.stdout)["asOf"] == "2026-09-15T23:59:59Z"
    r = run("kpis", "--db", str(both), "--dashboard", "engineering", "--range", "3m")
    assert r.returncode == 0 and "Engineering KPIs" in r.stdout and "SLA breaches" in r.stdout


@pytest.mark.parametrize("args, needle", [
    (("--dashboard", "engineering", "--as-of", "2031-01-01"), "as_of"),
    (("--dashboard", "engineering", "--as-of", "2020-01-01T00:00:00Z"), "as_of"),
    (("--dashboard", "engineering", "--as-of", "soon"), "as_of"),
    (("--dashboard", "sales"), "dashboard"),
])
def test_bad_requests_exit_2_with_one_line_and_leave_the_file(both, args, needle):
    before = digest(both)
    r = run("kpis", "--db", str(both), *args)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr
    assert digest(both) == before


def test_demo_refuses_an_unknown_dashboard_and_an_existing_file(both, tmp_path):
    r = run("demo", "--db", str(tmp_path / "x.sqlite"), "--dashboards", "sales")
    assert r.returncode == 2 and "unknown dashboard" in r.stderr and not (tmp_path / "x.sqlite").exists()
    r = run("demo", "--db", str(both), "--dashboards", "engineering")
    assert r.returncode == 2 and "already exists" in r.stderr
    assert not [p for p in tmp_path.iterdir()]  # no temporary file left behind


def test_api_serves_every_dashboard_beside_the_old_routes(both, eng_only):
    with TestClient(create_app(both)) as c:
        h = c.get("/api/health").json()
        assert h["packs"] == ["executive", "engineering", "commerce"] and h["missing_tables"] == []
        assert [d["route"] for d in h["dashboards"]] == ["/api/executive-dashboard", "/api/engineering-dashboard",
                                                         "/api/commerce-dashboard"]
        r = c.get("/api/engineering-dashboard", params={"range": "6m", "as_of": "2026-10-01"})
        assert r.status_code == 200
        cli = run("kpis", "--db", str(both), "--dashboard", "engineering", "--range", "6m", "--as-of", "2026-10-01",
                  "--json")
        assert r.content == cli.stdout.rstrip("\n").encode()  # byte for byte
        again = c.get("/api/engineering-dashboard", params={"range": "6m", "as_of": "2026-10-01"},
                      headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304
        bad = c.get("/api/engineering-dashboard", params={"as_of": "1999-01-01"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["parameter"] == "as_of"
        assert c.get("/api/engineering-dashboard", params={"range": "5m"}).status_code == 422
        dd = c.get("/api/engineering/sla/breaches").json()
        assert dd["title"].endswith("Breaches") and dd["tables"][0]["columns"][0] == "Bug"
        assert c.get("/api/executive/finance/revenue").status_code == 200
        assert c.get("/api/executive-dashboard").status_code == 200
    with TestClient(create_app(eng_only)) as c:
        h = c.get("/api/health").json()
        assert h["status"] == "ok" and h["packs"] == ["engineering"]
        assert "revenue_trend" not in h["missing_tables"]  # an absent dashboard is not "missing"
        assert c.get("/api/engineering-dashboard").status_code == 200
        assert c.get("/api/executive-dashboard").status_code == 503


def test_board_pack_data_takes_sections_from_any_dashboard(both):
    from execdash_desktop import boardpack as bp
    from execdash_desktop.dashboards import registry
    from execdash_desktop.store import open_reader

    assert bp.parse_keys(None, "engineering") == registry.get("engineering").board_pack.drilldowns
    keys = bp.parse_keys("sla/breaches,executive:finance/revenue", "engineering")
    with pytest.raises(KeyError, match="finance/bogus"):
        bp.parse_keys("executive:finance/bogus", "engineering")
    engine = Engine()
    eng = registry.get("engineering")
    src = engine.source(both, dashboard="engineering")
    payload = eng.payload(src, "12m", "month", None)

    def others(name):
        osrc = engine.source(both, dashboard=name)
        return osrc, registry.get(name).payload(osrc, "12m", "month", None)

    conn = open_reader(both)
    try:
        data = bp.gather(conn, src, payload, None, keys, str(both), dashboard="engineering", others=others)
    finally:
        conn.close()
    assert data.title == "Engineering" and data.has_summary
    assert [d.key for d in data.drilldowns] == ["sla/breaches", "executive:finance/revenue"]
    assert data.drilldowns[1].title.startswith("Executive \u203a ")
    assert data.months and data.months[-1] == payload["asOf"]
