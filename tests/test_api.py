"""The embedded API (issue 4): contract, numbers, guardrails, security, faults, the server."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import logging
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import warnings
from argparse import Namespace
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import schemathesis

with warnings.catch_warnings():  # starlette's notice about httpx, at import
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from execdash_desktop import metrics
from execdash_desktop.api import server as api_server
from execdash_desktop.api.app import create_app
from execdash_desktop.api.server import ApiServer, is_loopback, resolve_token
from execdash_desktop.engine import Engine
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.packs.executive.kpis import KPI_KEYS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:starlette.*",
                                        "ignore::DeprecationWarning:fastapi.*")

DRILLDOWNS = {"operations": ("uptime", "reliability", "quality", "service-cost"),
              "supply": ("cogs-breakdown", "cogs-variance", "lead-time", "inventory-turns"),
              "telemetry": ("utilization", "consumption", "active-devices"),
              "sales": ("pipeline", "winrate"),
              "customers": ("at-risk", "top-products", "feedback")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=20_000, seed=7)
    return path


@pytest.fixture
def work(demo, tmp_path):
    """A private copy of the demo file, for tests that write or change it."""
    path = tmp_path / "work.sqlite"
    shutil.copy(demo, path)
    return path


@pytest.fixture
def client(demo):
    with TestClient(create_app(demo)) as c:
        yield c


def count(path, table):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def kpis_of(payload):
    return {k["key"]: k for k in payload["executiveKpis"]}


# -- the contract -----------------------------------------------------------------
CONTRACT_CASES = [
    ("/api/executive-dashboard", "GET", {}, {}, 200),
    ("/api/executive-dashboard", "GET", {}, {"range": "6m", "granularity": "quarter"}, 200),
    ("/api/executive-dashboard", "GET", {}, {"range": "ytd", "as_of": "2026-03"}, 200),
    ("/api/executive-dashboard", "GET", {}, {"range": "9m"}, 422),
    ("/api/executive-dashboard", "GET", {}, {"as_of": "2019-01"}, 422),
    *[("/api/kpis/{key}", "GET", {"key": k}, {"granularity": g}, 200)
      for k in KPI_KEYS for g in ("month", "quarter")],
    ("/api/kpis/{key}", "GET", {"key": "profit"}, {}, 422),
    *[(f"/api/{group}/{{metric}}", "GET", {"metric": m}, {"granularity": g}, 200)
      for group, ms in DRILLDOWNS.items() for m in ms for g in ("month", "quarter")],
    ("/api/operations/{metric}", "GET", {"metric": "downtime"}, {}, 422),
    ("/api/customers/{metric}", "GET", {"metric": "top-products"}, {"limit": 0}, 422),
    ("/api/health", "GET", {}, {}, 200),
    ("/api/quality-gates", "GET", {}, {}, 200),
]


@pytest.fixture(scope="module")
def st_schema(demo, tmp_path_factory):
    copy = tmp_path_factory.mktemp("st") / "copy.sqlite"  # POST /api/events writes to it
    shutil.copy(demo, copy)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(copy))


@pytest.mark.parametrize("path, method, params, query, status", CONTRACT_CASES,
                         ids=[f"{c[0]}{c[2]}{c[3]}" for c in CONTRACT_CASES])
def test_route_matches_its_openapi_schema(st_schema, path, method, params, query, status):
    case = st_schema[path][method].Case(path_parameters=params, query=query)
    response = case.call()
    assert response.status_code == status, response.text
    case.validate_response(response, checks=[status_code_conformance, content_type_conformance,
                                             response_schema_conformance])


def test_post_events_matches_its_openapi_schema(st_schema):
    op = st_schema["/api/events"]["POST"]
    for body, status in (({"event_type": "page_load", "meta": {"ttfb_ms": 120}}, 200),
                         ({"event_type": "teleport"}, 422)):
        case = op.Case(body=body, media_type="application/json")
        response = case.call()
        assert response.status_code == status
        case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])


def test_openapi_documents_every_route_and_the_accepted_values(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {"/api/executive-dashboard", "/api/kpis/{key}", "/api/events", "/api/health",
                "/api/quality-gates", "/api/ai-summary", *(f"/api/{g}/{{metric}}" for g in DRILLDOWNS)}
    assert expected <= set(paths)
    params = {p["name"]: p for p in paths["/api/executive-dashboard"]["get"]["parameters"]}
    assert params["range"]["schema"]["enum"] == ["3m", "6m", "12m", "24m", "ytd"]
    assert params["granularity"]["schema"]["enum"] == ["month", "quarter"]
    key = paths["/api/kpis/{key}"]["get"]["parameters"][0]
    assert key["schema"]["enum"] == list(KPI_KEYS)
    for group, ms in DRILLDOWNS.items():
        metric = paths[f"/api/{group}/{{metric}}"]["get"]["parameters"][0]
        assert metric["schema"]["enum"] == list(ms)
    assert "securitySchemes" not in spec.get("components", {})


# -- numbers -------------------------------------------------------------------------
@pytest.mark.parametrize("args", [("12m", "month", None), ("6m", "quarter", None),
                                  ("ytd", "month", None), ("3m", "month", "2026-06"),
                                  ("24m", "quarter", None)])
def test_dashboard_is_byte_identical_to_the_command_line(demo, client, args):
    range_, granularity, as_of = args
    cmd = [sys.executable, "-m", "execdash_desktop", "kpis", "--db", str(demo), "--json",
           "--range", range_, "--granularity", granularity] + (["--as-of", as_of] if as_of else [])
    cli = subprocess.run(cmd, capture_output=True, check=True, timeout=60).stdout
    query = {"range": range_, "granularity": granularity, **({"as_of": as_of} if as_of else {})}
    r = client.get("/api/executive-dashboard", params=query)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.content == cli.rstrip(b"\n")
    assert [k["key"] for k in r.json()["executiveKpis"]] == list(KPI_KEYS)


def test_kpi_route_agrees_with_the_dashboard(client):
    dash = kpis_of(client.get("/api/executive-dashboard", params={"range": "12m"}).json())
    for key in KPI_KEYS:
        one = client.get(f"/api/kpis/{key}", params={"range": "12m"}).json()
        for field in ("value", "delta", "direction", "unit", "label"):
            assert one[field] == dash[key][field], (key, field)
        assert len(one["history"]) == 12
        assert one["timeframe"]["start_date"] == "2025-11-01"
    rev = client.get("/api/kpis/revenue").json()
    assert rev["breakdown"]["dimension"] == "order_type"
    # the demo's recognized revenue is exactly the orders' amount: the breakdown ties out
    assert sum(i["value"] for i in rev["breakdown"]["items"]) == pytest.approx(rev["value"], rel=1e-9)
    assert sum(h["value"] for h in rev["history"]) == pytest.approx(rev["value"])
    gm = client.get("/api/kpis/gm").json()
    assert {i["name"] for i in gm["breakdown"]["items"]} == {"recognized", "booked", "subscription", "recurring"}
    arr = client.get("/api/kpis/arr").json()
    assert sum(i["value"] for i in arr["breakdown"]["items"]) == pytest.approx(arr["value"])
    nrr = client.get("/api/kpis/nrr").json()
    items = nrr["breakdown"]["items"]
    assert nrr["breakdown"]["dimension"] == "customer" and items
    assert [i["value"] for i in items] == sorted((i["value"] for i in items), reverse=True)
    assert client.get("/api/kpis/backlog").json()["breakdown"] is None
    q = client.get("/api/kpis/revenue", params={"granularity": "quarter"}).json()
    assert [h["period"] for h in q["history"]] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [h["partial"] for h in q["history"]] == [True, False, False, False, True]
    assert sum(h["value"] for h in q["history"]) == pytest.approx(rev["value"])
    assert "detail" in client.get("/api/kpis/forecast").json()


def test_drilldowns_tie_out_and_follow_the_contract_style(client):
    dash = kpis_of(client.get("/api/executive-dashboard").json())
    up = client.get("/api/operations/uptime").json()
    assert [r["period"] for r in up["rows"]][0] == "2025-11" and len(up["rows"]) == 12
    assert up["summary"]["uptime"] == pytest.approx(dash["uptime"]["value"])  # day-weighted, as the KPI
    assert all(0 <= r["uptime"] <= 1 for r in up["rows"])
    upq = client.get("/api/operations/uptime", params={"granularity": "quarter", "range": "6m"}).json()
    assert [(r["period"], r["partial"]) for r in upq["rows"]] == [("2026-Q2", True), ("2026-Q3", False),
                                                                  ("2026-Q4", True)]
    risk = client.get("/api/customers/at-risk").json()["rows"]
    assert {"customer", "mrr", "risk", "reason"} <= set(risk[0])
    exposure = [r["mrr"] * r["risk"] for r in risk]
    assert exposure == sorted(exposure, reverse=True)
    top = client.get("/api/customers/top-products", params={"limit": 3}).json()
    assert len(top["rows"]) == 3 and top["rows"][0]["revenue"] >= top["rows"][1]["revenue"]
    cogs = client.get("/api/supply/cogs-breakdown").json()
    assert sum(r["share"] for r in cogs["rows"]) == pytest.approx(1.0)
    pipe = client.get("/api/sales/pipeline", params={"range": "3m"}).json()
    assert [r["period"] for r in pipe["rows"]] == ["2026-08", "2026-09", "2026-10"]
    assert [s["stage"] for s in pipe["extra"]["stages"]] == ["Leads", "MQL", "SQL", "Won"]
    fb = client.get("/api/customers/feedback").json()
    assert fb["rows"] and "scores" in fb["extra"] and "product" in fb["extra"]
    dev = client.get("/api/telemetry/active-devices", params={"granularity": "quarter"}).json()
    assert dev["aggregation"] == "last month"


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize("url, parameter, accepted", [
    ("/api/executive-dashboard?range=9m", "range", "3m, 6m, 12m, 24m, ytd"),
    ("/api/executive-dashboard?granularity=week", "granularity", "month, quarter"),
    ("/api/executive-dashboard?as_of=2026-13", "as_of", "YYYY-MM"),
    ("/api/executive-dashboard?as_of=1999-01", "as_of", "2024-11..2026-10"),
    ("/api/kpis/ebitda", "key", "revenue, backlog"),
    ("/api/supply/widgets", "metric", "cogs-breakdown, cogs-variance, lead-time, inventory-turns"),
    ("/api/operations/uptime?range=1y", "range", "ytd"),
    ("/api/customers/top-products?limit=1000", "limit", "1 to 100"),
])
def test_invalid_parameters_give_422_naming_them_and_what_is_accepted(client, url, parameter, accepted):
    r = client.get(url)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail[0]["parameter"] == parameter
    assert accepted in detail[0]["accepted"]
    assert parameter in detail[0]["msg"]


def test_missing_table_gives_503_naming_it_on_that_route_only(demo, tmp_path):
    path = tmp_path / "no_uptime.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE ops_uptime")
    conn.execute("DROP TABLE telemetry_consumption")
    conn.commit()
    conn.close()
    with TestClient(create_app(path)) as c:
        r = c.get("/api/operations/uptime")
        assert r.status_code == 503
        assert r.json()["table"] == "ops_uptime" and "ops_uptime" in r.json()["detail"]
        assert c.get("/api/telemetry/consumption").json()["table"] == "telemetry_consumption"
        assert c.get("/api/telemetry/utilization").status_code == 200
        assert c.get("/api/operations/reliability").status_code == 200
        dash = c.get("/api/executive-dashboard")
        assert dash.status_code == 200 and kpis_of(dash.json())["uptime"]["value"] is None
        assert c.get("/api/health").json()["packs"] == ["executive"]
        assert "ops_uptime" in c.get("/api/health").json()["missing_tables"]


def test_file_without_revenue_trend_fails_the_dashboard_only(db_factory):
    path = db_factory({"ops_uptime": [{"period": "2026-01", "uptime": 0.99}]})
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE revenue_trend")
    conn.commit()
    conn.close()
    with TestClient(create_app(path)) as c:
        r = c.get("/api/executive-dashboard")
        assert r.status_code == 503 and r.json()["table"] == "revenue_trend"
        assert c.get("/api/kpis/revenue").status_code == 503
        h = c.get("/api/health").json()
        assert h["status"] == "degraded" and "revenue_trend" in h["missing_tables"]
        assert h["packs"] == []  # without revenue_trend the Executive dashboard cannot be served
        up = c.get("/api/operations/uptime").json()  # window ends at the table's own latest month
        assert up["timeframe"]["as_of"] == "2026-01" and up["rows"][0]["uptime"] == 0.99


def test_malformed_requests_never_crash_the_server(demo):
    with ApiServer(demo) as srv:
        for garbage in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"GET /api/health HTTP/9.9\r\n\r\n",
                        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                        b"POST /api/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
                s.sendall(garbage)
                s.shutdown(socket.SHUT_WR)
                try:
                    s.recv(4096)
                except OSError:
                    pass
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        c.request("GET", "/api/health?x=" + "y" * 5000)
        assert c.getresponse().status == 200
        c.close()


# -- events -------------------------------------------------------------------------------
def test_events_both_meta_forms_are_stored_in_one_transaction(work):
    with TestClient(create_app(work)) as c:
        r1 = c.post("/api/events", json={"event_type": "page_load",
                                         "meta": {"ttfb_ms": 120, "render_total_ms": 860.5}})
        r2 = c.post("/api/events", json={"event_type": "drilldown", "event_time": "2026-10-31T09:30:00+01:00",
                                         "meta": {"metric": "drilldown_clicks", "v": 2}})
        r3 = c.post("/api/events", json={"event_type": "export_csv"})
    assert r1.status_code == r2.status_code == r3.status_code == 200
    assert r1.json() == {"status": "logged", "id": r1.json()["id"]}
    conn = sqlite3.connect(work)
    try:
        ev = conn.execute("SELECT id, event_type, event_time FROM user_events ORDER BY id").fetchall()
        meta = conn.execute("SELECT event_id, metric, v FROM user_event_meta ORDER BY event_id, metric").fetchall()
    finally:
        conn.close()
    assert [e[0] for e in ev] == [r1.json()["id"], r2.json()["id"], r3.json()["id"]]
    assert ev[1][1:] == ("drilldown", "2026-10-31 08:30:00.000")
    assert meta == [(ev[0][0], "render_total_ms", 860.5), (ev[0][0], "ttfb_ms", 120.0),
                    (ev[1][0], "drilldown_clicks", 2.0)]


@pytest.mark.parametrize("body, parameter", [
    ({"event_type": "teleport"}, "event_type"),
    ({"event_type": "page_load", "meta": {"ttfb_ms": "fast"}}, "meta.ttfb_ms"),
    ({"event_type": "page_load", "meta": {"ttfb_ms": True}}, "meta.ttfb_ms"),
    ({"event_type": "page_load", "meta": {"ttfb_ms": None}}, "meta.ttfb_ms"),
    ({"event_type": "page_load", "meta": {"ttfb_ms": -3}}, "meta.ttfb_ms"),
    ({"event_type": "page_load", "meta": {"metric": "ttfb_ms", "v": "1"}}, "meta.v"),
    # context keys are stored (api-contract.md); the caps on their number and length stay
    ({"event_type": "page_load", "meta": {f"k{i}": i for i in range(33)}}, "meta"),
    ({"event_type": "page_load", "meta": {"k" * 65: 1}}, "meta"),
    ({"event_type": "page_load", "meta": {"metric": "ttfb_ms", "v": None}}, "meta.v"),
    ({"event_type": "page_load", "event_time": 1700000000}, "event_time"),
    ({"event_type": "page_load", "event_time": "2026-02-30T10:00:00Z"}, "event_time"),
    ({"event_type": "page_load", "user": "x"}, "user"),
    ([1, 2], "body"),
])
def test_bad_events_give_422_and_store_nothing(work, body, parameter):
    with TestClient(create_app(work)) as c:
        r = c.post("/api/events", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["parameter"] == parameter
    assert count(work, "user_events") == 0


def test_non_json_and_oversized_bodies(work):
    with TestClient(create_app(work)) as c:
        assert c.post("/api/events", content=b"{not json",
                      headers={"content-type": "application/json"}).status_code == 422
        big = json.dumps({"event_type": "page_load", "pad": "x" * 70_000})
        r = c.post("/api/events", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"] == "payload_too_large"

        def chunks():  # no Content-Length: the cap counts the bytes as they come
            for _ in range(20):
                yield b"x" * 8192

        r = c.post("/api/events", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
    assert count(work, "user_events") == 0


def test_events_of_a_read_only_file_go_to_the_side_file(work, monkeypatch):
    monkeypatch.setattr(metrics.store, "is_writable", lambda p: False)
    before = hashlib.sha256(work.read_bytes()).hexdigest()
    with TestClient(create_app(work)) as c:
        for v in (100, 200, 300):
            assert c.post("/api/events", json={"event_type": "page_load", "meta": {"ttfb_ms": v}}).status_code == 200
        gates = {g["metric"]: g for g in c.get("/api/quality-gates").json()["gates"]}
        health = c.get("/api/health").json()
    assert hashlib.sha256(work.read_bytes()).hexdigest() == before
    assert gates["ttfb_ms"]["samples_7d"] == 3 and gates["ttfb_ms"]["p95_7d"] == 300.0
    assert health["events"]["side_file"] is True
    assert count(metrics.side_file_for(work), "user_event_meta") == 3


def test_quality_gates_route(work):
    with TestClient(create_app(work)) as c:
        for v in range(1, 21):
            c.post("/api/events", json={"event_type": "switch_range_or_granularity",
                                        "meta": {"switch_latency_ms": v * 10}})
        c.post("/api/events", json={"event_type": "alerts_poll", "meta": {"alerts_poll_interval_ms": 30050}})
        doc = c.get("/api/quality-gates").json()
    gates = {g["metric"]: g for g in doc["gates"]}
    assert list(gates) == list(metrics.METRIC_KEYS)
    s = gates["switch_latency_ms"]
    assert (s["samples_7d"], s["p95_7d"], s["pass_7d"], s["target"]) == (20, 190.0, True, "< 200 ms")
    assert gates["alerts_poll_interval_ms"]["pass_30d"] is True
    assert gates["ttfb_ms"]["pass_7d"] is None and doc["pass_7d"] is True


def test_async_event_writer_keeps_the_contract_and_loses_nothing(work, monkeypatch):
    monkeypatch.setenv("EDB_EVENTS_ASYNC", "1")
    with ApiServer(work) as srv:
        def post_many(n):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            ids = []
            for i in range(50):
                c.request("POST", "/api/events", json.dumps({"event_type": "refresh", "meta": {"ttfb_ms": i}}),
                          {"content-type": "application/json"})
                r = c.getresponse()
                body = json.loads(r.read())
                assert r.status == 200 and body["status"] == "logged"
                ids.append(body["id"])
            c.close()
            return ids

        with ThreadPoolExecutor(4) as pool:
            ids = [i for part in pool.map(post_many, range(4)) for i in part]
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        c.request("GET", "/api/health")
        events = json.loads(c.getresponse().read())["events"]
        c.close()
    assert len(set(ids)) == 200
    assert events["async"] is True and events["written"] == 200
    assert count(work, "user_events") == 200 and count(work, "user_event_meta") == 200


def test_a_locked_file_is_retried_within_busy_timeout(work, monkeypatch):
    monkeypatch.setenv("EDB_BUSY_TIMEOUT_MS", "2000")
    with TestClient(create_app(work)) as c:
        assert c.post("/api/events", json={"event_type": "refresh"}).status_code == 200
        blocker = sqlite3.connect(work, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, lambda: blocker.execute("COMMIT")).start()
        t0 = time.perf_counter()
        r = c.post("/api/events", json={"event_type": "refresh"})
        assert r.status_code == 200 and time.perf_counter() - t0 >= 0.2
        assert c.get("/api/executive-dashboard").status_code == 200  # readers never wait in WAL
        blocker.close()


@pytest.mark.parametrize("async_events", ["0", "1"])
def test_a_lock_held_past_busy_timeout_gives_503_then_recovers(work, monkeypatch, async_events):
    monkeypatch.setenv("EDB_BUSY_TIMEOUT_MS", "150")
    monkeypatch.setenv("EDB_EVENTS_ASYNC", async_events)
    with TestClient(create_app(work)) as c:
        assert c.post("/api/events", json={"event_type": "refresh"}).status_code == 200
        blocker = sqlite3.connect(work, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        r = c.post("/api/events", json={"event_type": "refresh"})
        assert r.status_code == 503 and "locked" in r.json()["detail"]
        blocker.execute("ROLLBACK")
        blocker.close()
        assert c.post("/api/events", json={"event_type": "refresh"}).status_code == 200
    assert count(work, "user_events") == 2


# -- caching, guardrails, observability -----------------------------------------------------
def test_cache_etag_304_and_server_timing(client):
    r1 = client.get("/api/executive-dashboard", params={"range": "6m"})
    r2 = client.get("/api/executive-dashboard", params={"range": "6m"})
    assert r1.content == r2.content and r1.headers["etag"] == r2.headers["etag"]
    assert 'cache;desc="miss"' in r1.headers["server-timing"]
    assert 'cache;desc="hit"' in r2.headers["server-timing"] and "app;dur=" in r2.headers["server-timing"]
    r3 = client.get("/api/executive-dashboard", params={"range": "6m"},
                    headers={"If-None-Match": r1.headers["etag"]})
    assert r3.status_code == 304 and r3.content == b"" and r3.headers["etag"] == r1.headers["etag"]
    assert client.get("/api/executive-dashboard", params={"range": "6m"},
                      headers={"If-None-Match": '"other"'}).status_code == 200
    health = client.get("/api/health").json()
    assert health["computations"] == 1 and health["cache"]["hits"] >= 2


def test_cache_hits_answer_the_same_with_or_without_the_router(client):
    from execdash_desktop.api.routes_dashboard import fast_key

    miss = client.get("/api/executive-dashboard", params={"range": "3m", "granularity": "quarter"})
    hit = client.get("/api/executive-dashboard", params={"range": "3m", "granularity": "quarter"})
    assert 'cache;desc="miss"' in miss.headers["server-timing"]
    assert 'cache;desc="hit"' in hit.headers["server-timing"]
    assert hit.content == miss.content
    for h in ("content-type", "content-length", "etag", "cache-control"):
        assert hit.headers[h] == miss.headers[h], h
    assert fast_key(b"") == "dash|12m|month|"
    assert fast_key(b"granularity=quarter&range=3m&as_of=2026-06") == "dash|3m|quarter|2026-06"
    for odd in (b"range=6m&range=12m", b"range=9m", b"foo=1", b"as_of=2026-13", b"range", b"as_of=",
                b"range=%FF", b"granularity=Month"):
        assert fast_key(odd) is None, odd  # the route decides these
    # ...and the route answers them as FastAPI would
    assert client.get("/api/executive-dashboard?range=6m&range=3m").json()["timeframe"]["range"] == "3m"
    assert client.get("/api/executive-dashboard?foo=1").status_code == 200
    assert client.get("/api/executive-dashboard?as_of=").status_code == 422


def test_own_event_writes_keep_the_cache_external_changes_drop_it(work):
    with TestClient(create_app(work)) as c:
        first = c.get("/api/executive-dashboard").json()
        for i in range(3):
            assert c.post("/api/events", json={"event_type": "refresh", "meta": {"ttfb_ms": i}}).status_code == 200
        r = c.get("/api/executive-dashboard")
        assert 'cache;desc="hit"' in r.headers["server-timing"]
        assert c.get("/api/health").json()["computations"] == 1
        conn = sqlite3.connect(work)  # another program edits the data
        conn.execute("UPDATE revenue_trend SET recognized = recognized + 1000 WHERE period = '2026-10'")
        conn.commit()
        conn.close()
        after = c.get("/api/executive-dashboard").json()
        assert kpis_of(after)["revenue"]["value"] == pytest.approx(kpis_of(first)["revenue"]["value"] + 1000)
        assert c.get("/api/health").json()["computations"] == 2


def test_ttl_zero_computes_every_time(demo, monkeypatch):
    monkeypatch.setenv("EDB_CACHE_TTL_SECONDS", "0")
    with TestClient(create_app(demo)) as c:
        for _ in range(3):
            c.get("/api/executive-dashboard")
        assert c.get("/api/health").json()["computations"] == 3


class SlowEngine(Engine):
    """An engine whose payload takes a while, counting how many run at once."""

    def __init__(self, delay=0.2):
        super().__init__()
        self.delay = delay
        self.calls = 0
        self.running = 0
        self.peak = 0
        self._guard = threading.Lock()

    def payload(self, *a, **k):
        with self._guard:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.delay)
            return super().payload(*a, **k)
        finally:
            with self._guard:
                self.running -= 1


async def _burst(app, n, vary=False):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
        ranges = ["3m", "6m", "12m", "24m", "ytd"]
        rs = await asyncio.gather(*(c.get("/api/executive-dashboard",
                                          params={"range": ranges[i % 5] if vary else "12m"})
                                    for i in range(n)))
    return rs


def test_50_identical_cold_requests_compute_once(demo):
    engine = SlowEngine()
    app = create_app(demo, engine=engine)
    rs = asyncio.run(_burst(app, 50))
    assert all(r.status_code == 200 for r in rs)
    assert len({r.content for r in rs}) == 1
    assert engine.calls == 1 and app.state.ctx.computations == 1


def test_without_singleflight_they_each_compute_within_the_concurrency_cap(demo, monkeypatch):
    monkeypatch.setenv("EDB_SINGLEFLIGHT", "0")
    monkeypatch.setenv("EDB_MAX_CONCURRENCY", "3")
    engine = SlowEngine(0.05)
    app = create_app(demo, engine=engine)
    rs = asyncio.run(_burst(app, 12, vary=True))
    assert all(r.status_code == 200 for r in rs)
    assert engine.calls == 12 and engine.peak <= 3


def test_requests_are_logged_as_json_lines(client, caplog):
    with caplog.at_level(logging.INFO, logger="execdash_desktop.api.access"):
        client.get("/api/executive-dashboard", params={"range": "3m"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "execdash_desktop.api.access"]
    assert lines and lines[-1]["path"] == "/api/executive-dashboard" and lines[-1]["status"] == 200
    assert lines[-1]["query"] == "range=3m" and lines[-1]["ms"] >= 0 and lines[-1]["cache"] in ("miss", "hit")


def test_every_get_uses_read_only_connections(work, monkeypatch):
    real = sqlite3.connect
    opened = []

    def spy(target, *a, **k):
        opened.append(str(target))
        return real(target, *a, **k)

    monkeypatch.setattr(sqlite3, "connect", spy)
    before = hashlib.sha256(work.read_bytes()).hexdigest()
    with TestClient(create_app(work)) as c:
        urls = ["/api/executive-dashboard", "/api/kpis/nrr", "/api/kpis/gm", "/api/health",
                "/api/quality-gates"] + [f"/api/{g}/{m}" for g, ms in DRILLDOWNS.items() for m in ms]
        for url in urls:
            assert c.get(url).status_code == 200, url
        assert not c.app.state.ctx.writer_opened
    data_conns = [t for t in opened if "work.sqlite" in t]
    assert data_conns and all(t.startswith("file:") and "mode=ro" in t for t in data_conns), data_conns
    assert hashlib.sha256(work.read_bytes()).hexdigest() == before


def test_cors_is_off_unless_origins_are_given(demo):
    with TestClient(create_app(demo)) as c:
        r = c.get("/api/health", headers={"Origin": "https://board.example"})
        assert "access-control-allow-origin" not in r.headers
    with TestClient(create_app(demo, cors_origins=["https://board.example"], token="t0k")) as c:
        pre = c.options("/api/executive-dashboard", headers={
            "Origin": "https://board.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "https://board.example"
        r = c.get("/api/health", headers={"Origin": "https://board.example", "Authorization": "Bearer t0k"})
        assert r.headers["access-control-allow-origin"] == "https://board.example"
        other = c.get("/api/health", headers={"Origin": "https://evil.example", "Authorization": "Bearer t0k"})
        assert "access-control-allow-origin" not in other.headers


# -- security --------------------------------------------------------------------------------
def test_token_is_required_on_every_request_when_set(demo):
    with TestClient(create_app(demo, token="s3cret")) as c:
        for url in ("/api/health", "/api/executive-dashboard", "/openapi.json", "/nope"):
            r = c.get(url)
            assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert c.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/health", headers={"Authorization": "s3cret"}).status_code == 401
        assert c.post("/api/events", json={"event_type": "refresh"}).status_code == 401
        ok = {"Authorization": "Bearer s3cret"}
        assert c.get("/api/health", headers=ok).status_code == 200
        spec = c.get("/openapi.json", headers=ok).json()
        assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_off_loopback_needs_a_token():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.com")
    assert resolve_token("127.0.0.1", None) is None
    with pytest.raises(ValueError, match="requires a token"):
        resolve_token("0.0.0.0", None)
    generated = resolve_token("0.0.0.0", "generate")
    assert len(generated) >= 32 and generated != resolve_token("0.0.0.0", "generate")
    with pytest.raises(ValueError):
        resolve_token("0.0.0.0", "  ")


def test_api_server_off_loopback_enforces_the_token(demo):
    with pytest.raises(ValueError):
        ApiServer(demo, host="0.0.0.0")
    with ApiServer(demo, host="0.0.0.0", token="generate") as srv:
        assert srv.token and srv.port
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        c.request("GET", "/api/health")
        r = c.getresponse()
        r.read()
        assert r.status == 401
        c.request("GET", "/api/health", headers={"Authorization": f"Bearer {srv.token}"})
        r = c.getresponse()
        r.read()
        assert r.status == 200
        c.close()


def test_serve_command_refuses_off_loopback_without_a_token(demo, capsys):
    args = Namespace(db=str(demo), host="0.0.0.0", port=0, token=None, cors=[])
    assert api_server.main(args) == 2
    assert "requires a token" in capsys.readouterr().err


def test_serve_command_prints_a_generated_token_once_and_serves(demo):
    proc = subprocess.Popen([sys.executable, "-m", "execdash_desktop", "serve", "--db", str(demo),
                             "--port", "0", "--token", "generate"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "EDB_ACCESS_LOG": "0"})
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        assert first.startswith("API token (shown once")
        token = first.rsplit(" ", 1)[1].strip()
        assert "token required" in second
        port = int(second.split("http://127.0.0.1:")[1].split("/")[0])
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/api/health", headers={"Authorization": f"Bearer {token}"})
        assert c.getresponse().status == 200
        c.close()
    finally:
        proc.terminate()
        proc.wait(10)
    assert token not in proc.stdout.read()


# -- the server ---------------------------------------------------------------------------------
def _listening(port: int) -> bool:
    import psutil

    try:
        conns = psutil.Process().net_connections(kind="tcp")
    except AttributeError:  # psutil < 6
        conns = psutil.Process().connections(kind="tcp")
    return any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in conns)


def test_api_server_start_stop_leaves_no_thread_and_no_port(demo):
    before = {t.ident for t in threading.enumerate()}
    srv = ApiServer(demo)
    srv.start()
    port = srv.port
    assert srv.url == f"http://127.0.0.1:{port}" and _listening(port)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/api/executive-dashboard")  # runs a compute on the pool
    assert c.getresponse().read()
    c.request("POST", "/api/events", json.dumps({"event_type": "refresh"}), {"content-type": "application/json"})
    c.getresponse().read()  # leave the connection open: stop() must close it
    srv.stop()
    c.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and {t.ident for t in threading.enumerate()} - before:
        time.sleep(0.05)
    left = [t.name for t in threading.enumerate() if t.ident not in before]
    assert not left, left
    assert not _listening(port)
    with socket.socket() as s:  # released: a new listener can take it (TIME_WAIT aside)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()
    srv.start()  # and it can start again
    assert srv.port
    srv.stop()


def test_keep_alive_requests_are_not_delayed_by_nagle(demo):
    with ApiServer(demo) as srv:
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            c.request("GET", "/api/executive-dashboard")
            r = c.getresponse()
            r.read()
            times.append(time.perf_counter() - t0)
            assert r.status == 200 and not r.will_close
        c.close()
    assert statistics.median(times) < 0.030, times  # Nagle + delayed ACK would be ~40 ms each


def test_api_server_on_a_busy_port_fails_cleanly(demo):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        before = {t.ident for t in threading.enumerate()}
        srv = ApiServer(demo, port=s.getsockname()[1])
        with pytest.raises(RuntimeError, match="could not start"):
            srv.start()
        assert not srv.running
        assert not [t for t in threading.enumerate() if t.ident not in before and t.name == "execdash-api"]


# -- the offline summary -------------------------------------------------------------------
def test_ai_summary_is_the_windows_summary(demo, client):
    from execdash_desktop.packs.executive.narrative import build_summary
    from execdash_desktop.store import open_reader

    engine = Engine()
    for range_, as_of in (("12m", None), ("3m", "2026-06")):
        r = client.get("/api/ai-summary", params={"range": range_, **({"as_of": as_of} if as_of else {})})
        assert r.status_code == 200, r.text
        doc = r.json()
        conn = open_reader(demo)
        try:
            want = build_summary(conn, engine.source(demo), engine.payload(demo, range_, "month", as_of))
        finally:
            conn.close()
        assert [s["text"] for s in doc["sentences"]] == [s.text for s in want.sentences]
        assert [(a["series"], a["period"]) for a in doc["anomalies"]] == [(a.series, a.period)
                                                                          for a in want.anomalies]
        assert doc["timeframe"]["range"] == range_ and doc["timeframe"]["granularity"] == "month"
    assert ("backlog", "2026-08") in {(a["series"], a["period"]) for a in client.get("/api/ai-summary").json()
                                      ["anomalies"]}
    etag = client.get("/api/ai-summary").headers["etag"]
    assert client.get("/api/ai-summary", headers={"If-None-Match": etag}).status_code == 304
    bad = client.get("/api/ai-summary", params={"range": "7m"})
    assert bad.status_code == 422 and "range" in bad.text


def test_ai_summary_degrades_to_fewer_sentences(work):
    conn = sqlite3.connect(work)
    with conn:
        for t in ("alerts", "risks", "retention_nrr"):
            conn.execute(f"DROP TABLE {t}")
    conn.close()
    with TestClient(create_app(work)) as c:
        r = c.get("/api/ai-summary")
    assert r.status_code == 200, r.text
    sentences = r.json()["sentences"]
    assert all(s["section"] != "action" for s in sentences)
    assert all(f in s["text"] for s in sentences for f in s["figures"])
