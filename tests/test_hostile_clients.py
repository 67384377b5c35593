"""Hostile API clients (issue 12, items 10-12): readable 422s for bodies JSON cannot
hold, read deadlines and a connection cap against slow clients, and an `as_of`
pattern that says exactly what the server accepts.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import resource
import selectors
import shutil
import socket
import sqlite3
import subprocess
import sys
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from execdash_desktop.api.app import create_app
from execdash_desktop.packs.executive.demo import generate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("clients") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=3000, seed=7)
    return path


def strict_json(raw: bytes):
    def refuse(word):
        raise ValueError(f"not JSON: {word}")
    return json.loads(raw.decode("utf-8"), parse_constant=refuse)  # strict UTF-8, no NaN


def events(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM user_events").fetchone()[0]
    finally:
        conn.close()


# -- 10. bodies JSON cannot echo ------------------------------------------------------
@pytest.mark.parametrize("body, parameter", [
    (b'{"event_type": "page_load", "meta": {"ttfb_ms": NaN}}', "meta.ttfb_ms"),
    (b'{"event_type": "page_load", "meta": {"ttfb_ms": 1e999}}', "meta.ttfb_ms"),
    (b'{"event_type": "page_load", "meta": {"render_total_ms": -Infinity}}', "meta.render_total_ms"),
    (b'{"event_type": "page_load", "meta": {"metric": "ttfb_ms", "v": NaN}}', "meta.v"),
    (b'{"event_type": "\\ud800", "meta": {"ttfb_ms": 1}}', "event_type"),
    (b'{"event_type": "page_load", "meta": {"\\udfff": 1}}', "meta"),
    (b'{"event_type": "page_load", "event_time": "2026-01-01\\ud800", "meta": {"ttfb_ms": 1}}', "event_time"),
    (b'{"event_type": "page_load", "meta": {"ttfb_ms": 1}, "extra": "\\ud800"}', "extra"),
])
def test_non_finite_numbers_and_lone_surrogates_give_a_readable_422(demo, tmp_path, body, parameter):
    db = tmp_path / "work.sqlite"
    shutil.copy(demo, db)
    before = events(db)
    with TestClient(create_app(db), raise_server_exceptions=False) as c:
        r = c.post("/api/events", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    doc = strict_json(r.content)
    assert doc["error"] == "invalid_request"
    assert any(d["parameter"] == parameter for d in doc["detail"]), doc
    assert events(db) == before  # nothing stored


# -- 11. slow clients -------------------------------------------------------------------
def _serve(db, tmp_path, env_extra, nofile: int | None = None):
    def limits():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    env = dict(os.environ, **env_extra)
    log = open(tmp_path / "server.log", "w")  # a file, never a pipe that could fill and block
    proc = subprocess.Popen([sys.executable, "-m", "execdash_desktop", "serve", "--db", str(db), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=log, text=True, env=env, preexec_fn=limits)
    line = proc.stdout.readline()
    if "serving" not in line:
        proc.kill()
        pytest.fail(f"the server did not start: {line!r}")
    return proc, int(line.split("http://127.0.0.1:")[1].split("/")[0])


@pytest.fixture
def many_fds():
    """Room in this process for 1,100 client sockets and more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096
    if hard != resource.RLIM_INFINITY and hard < want:
        pytest.skip(f"the descriptor limit ({hard}) is too low for 1,100 client sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _get(port: int, path: str, timeout: float) -> tuple[int, dict]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


def test_1100_half_open_connections_neither_starve_nor_exhaust_the_server(demo, tmp_path, many_fds):
    # the server may hold 1,024 descriptors: without the cap, 1,100 clients exhaust them
    # a header deadline long enough for the flood to reach the cap on a busy machine
    proc, port = _serve(demo, tmp_path, {"EDB_HEADER_TIMEOUT_S": "5"}, nofile=1024)
    socks = []
    try:
        for _ in range(1100):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Half: ")  # never finished
            socks.append(s)
        # wait for the server to end every one of them: a 503 at once past the cap,
        # a 408 once the header deadline has passed
        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        answers = {}
        while len(answers) < len(socks):
            ready = sel.select(timeout=30)
            assert ready, f"{len(socks) - len(answers)} half-open connections were never closed"
            for key, _ in ready:
                sel.unregister(key.fileobj)
                answers[key.fileobj] = key.fileobj.recv(4096)
        sel.close()
        statuses = [a.split(b" ", 2)[1] if a.startswith(b"HTTP/1.1 ") else b"closed" for a in answers.values()]
        assert statuses.count(b"408") > 0 and statuses.count(b"503") > 0, set(statuses)
        assert set(statuses) <= {b"408", b"503"}
        refusal = next(a for a in answers.values() if a.startswith(b"HTTP/1.1 503"))
        assert b"too_many_connections" in refusal
        for s in socks:
            s.close()
        socks.clear()
        status, body = _get(port, "/api/health", timeout=1.0)  # answered within 1 s
        assert status == 200 and body["status"] == "ok"
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        proc.wait(15)
    log = (tmp_path / "server.log").read_text()
    assert "Too many open files" not in log and "out of system resource" not in log
    assert "refused connection #1:" in log


def test_past_the_cap_a_new_connection_is_refused_at_once(demo, tmp_path):
    proc, port = _serve(demo, tmp_path, {"EDB_MAX_CONNECTIONS": "4", "EDB_HEADER_TIMEOUT_S": "30"})
    held = []
    try:
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /api/health HTTP/1.1\r\n")
            held.append(s)
        # the fifth is told why, without waiting for the others' deadlines
        status, body = _get(port, "/api/health", timeout=10)
        assert status == 503 and body["error"] == "too_many_connections" and "4" in body["detail"]
        for s in held:
            s.close()
        held.clear()
        for _ in range(50):  # the server notices the closes on its next turn
            status, body = _get(port, "/api/health", timeout=10)
            if status == 200:
                break
        assert status == 200
    finally:
        for s in held:
            s.close()
        proc.terminate()
        proc.wait(15)


def test_a_slow_body_is_ended_with_408_after_the_body_deadline(demo, tmp_path):
    db = tmp_path / "work.sqlite"
    shutil.copy(demo, db)
    proc, port = _serve(db, tmp_path, {"EDB_BODY_TIMEOUT_S": "1"})
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        s.sendall(b"POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 200\r\n\r\n{\"event_type\": ")
        reply = b""
        while True:  # read until the server closes the connection
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        s.close()
        assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
        assert b"body did not arrive within 1 s" in reply
        status, _ = _get(port, "/api/health", timeout=10)
        assert status == 200
    finally:
        proc.terminate()
        proc.wait(15)
    assert events(db) == events(demo)  # nothing stored


def test_a_connection_that_sends_nothing_is_closed_after_the_header_deadline(demo, tmp_path):
    proc, port = _serve(demo, tmp_path, {"EDB_HEADER_TIMEOUT_S": "1"})
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        assert s.recv(4096) == b""  # closed by the server, quietly (no request to answer)
        s.close()
    finally:
        proc.terminate()
        proc.wait(15)


# -- 12. the as_of pattern says what the server accepts ----------------------------------
AS_OF_SAMPLES = ["2026-10", "2025-11", "0000-01", "9999-12", "2026-13", "2026-00", "2026-1", "26-10",
                 " 2026-10", "2026-10 ", "2026-10\n", "\uff12\uff10\uff12\uff16-10",  # full-width digits
                 "\u0662\u0660\u0662\u0666-10",  # Arabic-Indic digits
                 "2026-\u0661\u0660", "2026/10", "2026-10-01"]


def test_as_of_pattern_accepts_exactly_what_the_server_accepts(demo):
    with TestClient(create_app(demo)) as c:
        schema = c.get("/openapi.json").json()
        params = schema["paths"]["/api/executive-dashboard"]["get"]["parameters"]
        as_of = next(p for p in params if p["name"] == "as_of")["schema"]["anyOf"][0]
        pattern = as_of["pattern"]
        assert "\\d" not in pattern  # \d means other scripts' digits too, outside ECMA regexes
        for value in AS_OF_SAMPLES:
            schema_ok = re.search(pattern, value, re.ASCII) is not None and not value.endswith("\n")
            r = c.get("/api/executive-dashboard", params={"as_of": value})
            detail = r.json().get("detail") if r.status_code == 422 else None
            # a well-formed month the file has no row for is a documented, data-dependent 422
            server_ok = r.status_code == 200 or (detail and detail[0]["type"] == "invalid_parameter"
                                                and "revenue_trend" in detail[0]["msg"])
            assert bool(server_ok) == schema_ok, (value, r.status_code, r.text[:200])
