"""API benchmark (issue 4): a real `execdash serve` in a subprocess, loaded over loopback.

    python benchmarks/bench_api.py [--db FILE] [--runs 3] [--seconds 3] [--threads 4]

The file defaults to /tmp/execdash_demo_1m.sqlite when present, else a 1M-order
demo in benchmarks/.cache/. Every figure is the median over --runs runs; each
run starts a fresh server. Clients are threads of this process, each with one
keep-alive http.client connection (2 cores are shared with the server).

- warm: GET /api/executive-dashboard served from the cache, for --seconds with
  --threads connections: p50, p95, requests/s (and p50 of one sequential
  connection);
- cold: requests whose key (range|granularity|as_of) was never asked, so the
  payload is built, on a server whose data source is loaded: p95; and the very
  first request of a fresh server (the data file read, rollup side file present);
- 50 concurrent identical cold requests on a fresh server: how many payload
  computations (/api/health `computations`; target 1);
- POST /api/events for --seconds with --threads connections, on a copy of the
  file whose orders rollup is built (so each commit re-stamps it, as in real
  use): events/s and a row count check (acknowledged == rows added), with
  EDB_EVENTS_ASYNC=0 (one transaction per request) and =1 (batched).
- the seed web client's routes (api-contract.md "Routes the seed system's web
  client also calls"), on a fresh server over a copy of the file: each route's
  first (cold) request, then p50/p95 of --route-requests sequential warm requests
  on one keep-alive connection (target p50 <= 2 ms), and the time inside the server
  (its Server-Timing app;dur). `--routes-only` skips the rest.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import demo_file, print_table  # noqa: E402

SHARED_1M = Path("/tmp/execdash_demo_1m.sqlite")
URL = "/api/executive-dashboard"


class Server:
    """`python -m execdash_desktop serve --port 0` in a subprocess."""

    def __init__(self, db: Path, env: dict):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "execdash_desktop", "serve", "--db", str(db), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.proc.stdout.readline()
        if "http://127.0.0.1:" not in line:
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}")
        self.port = int(line.split("http://127.0.0.1:")[1].split("/")[0])

    def conn(self, timeout: float | None = 30) -> http.client.HTTPConnection:
        # load phases pass timeout=None: a blocking socket costs the client (which
        # shares the 2 cores with the server) far less than poll-then-recv
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get_json(self, path: str) -> dict:
        c = self.conn()
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError(f"GET {path}: {r.status} {body[:200]!r}")
        return json.loads(body)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))] * 1000


def get(c: http.client.HTTPConnection, path: str) -> float:
    t = time.perf_counter()
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        raise RuntimeError(f"GET {path}: {r.status}")
    return time.perf_counter() - t


def load(server: Server, threads: int, seconds: float, work) -> tuple[list[float], int, float]:
    """Run `work(conn, i)` in a loop on `threads` keep-alive connections; (latencies, count, wall)."""
    stop = time.perf_counter() + seconds
    out: list[list[float]] = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def run(k: int) -> None:
        c = server.conn(timeout=None)
        barrier.wait()
        i = 0
        while time.perf_counter() < stop:
            out[k].append(work(c, k * 10_000_000 + i))
            i += 1
        c.close()

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    watchdog = threading.Timer(seconds + 60, server.stop)  # a hung server ends the phase
    watchdog.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    watchdog.cancel()
    lat = [x for part in out for x in part]
    return lat, len(lat), wall


def cold_keys(months: list[str]) -> list[str]:
    keys = []
    for as_of in reversed(months):
        for rng in ("3m", "6m", "12m", "24m", "ytd"):
            for gran in ("month", "quarter"):
                keys.append(f"{URL}?range={rng}&granularity={gran}&as_of={as_of}")
    return keys


def run_once(db: Path, env: dict, args, months: list[str]) -> dict:
    res: dict = {}
    # 50 concurrent identical cold requests on a fresh server
    srv = Server(db, env)
    try:
        srv.get_json("/api/health")
        barrier = threading.Barrier(50)
        codes = []

        def hit() -> None:
            c = srv.conn()
            c.connect()
            barrier.wait()
            c.request("GET", URL)
            r = c.getresponse()
            r.read()
            codes.append(r.status)
            c.close()

        t0 = time.perf_counter()
        ts = [threading.Thread(target=hit) for _ in range(50)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        res["burst50_ms"] = (time.perf_counter() - t0) * 1000
        health = srv.get_json("/api/health")
        res["burst50_computations"] = health["computations"]
        res["burst50_ok"] = codes.count(200)
    finally:
        srv.stop()

    srv = Server(db, env)
    try:
        c = srv.conn()
        res["first_request_ms"] = get(c, URL) * 1000  # fresh server: reads the file
        cold = [get(c, k) for k in cold_keys(months)[: args.cold]]
        res["cold_p50_ms"] = pct(cold, 0.50)
        res["cold_p95_ms"] = pct(cold, 0.95)
        seq = [get(c, URL) for _ in range(500)]
        res["warm_seq_p50_ms"] = pct(seq, 0.50)
        c.close()
        lat, n, wall = load(srv, args.threads, args.seconds, lambda conn, i: get(conn, URL))
        res["warm_p50_ms"] = pct(lat, 0.50)
        res["warm_p95_ms"] = pct(lat, 0.95)
        res["warm_rps"] = n / wall
        h = srv.get_json("/api/health")
        res["warm_hit_ratio"] = h["cache"]["hits"] / max(1, h["cache"]["hits"] + h["cache"]["misses"])
    finally:
        srv.stop()

    for mode in ("0", "1"):
        with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
            copy = Path(tmp) / "events.sqlite"
            shutil.copy(db, copy)
            before = row_count(copy)
            srv = Server(copy, {**env, "EDB_EVENTS_ASYNC": mode})
            acked = []
            try:
                # a dashboard first: the orders rollup exists, so every event commit
                # also re-stamps it (rollup.note_own_write), as in real use
                srv.get_json(URL)
                def post(conn, i):
                    body = json.dumps({"event_type": "page_load",
                                       "meta": {"ttfb_ms": i % 500, "render_total_ms": i % 900}})
                    t = time.perf_counter()
                    conn.request("POST", "/api/events", body, {"content-type": "application/json"})
                    r = conn.getresponse()
                    doc = r.read()  # {"status":"logged","id":N}, read without a JSON parser
                    if r.status != 200 or not doc.startswith(b'{"status":"logged","id":'):
                        raise RuntimeError(f"POST: {r.status} {doc[:200]!r}")
                    acked.append(int(doc[24:-1]))
                    return time.perf_counter() - t

                lat, n, wall = load(srv, args.threads, args.seconds, post)
            finally:
                srv.stop()  # graceful: the batch writer drains before exit
            after = row_count(copy)
            tag = "async" if mode == "1" else "sync"
            res[f"events_{tag}_per_s"] = n / wall
            res[f"events_{tag}_p95_ms"] = pct(lat, 0.95)
            res[f"events_{tag}_lost"] = (n - (after[0] - before[0])) + (2 * n - (after[1] - before[1]))
            res[f"events_{tag}_unique_ids"] = len(set(acked)) == n
    return res


DOMAIN_KEYS = {
    "finance": ("revenue", "backlog", "gm", "arr", "payback", "book_to_bill", "coverage_months", "uptime", "nrr",
                "forecast"),
    "sales": ("pipeline", "win_rate", "sales_cycle", "avg_deal", "new_customers", "revenue"),
    "marketing": ("visits", "leads", "mql", "sql", "nps", "csat", "conversion"),
    "supply": ("lead_time", "inventory_turns", "cogs_variance", "cogs_total"),
    "manufacturing": ("uptime", "mtbf", "mttr", "doa", "defect", "warranty", "cost_per_device"),
}
OTHER_BY = {"finance": "industry", "sales": "source", "marketing": "page", "supply": "component",
            "manufacturing": "device_type"}


def client_routes() -> list[tuple[str, str, bytes | None]]:
    """(method, path, body) of every route the seed's web client calls."""
    out: list[tuple[str, str, bytes | None]] = []
    for d, keys in DOMAIN_KEYS.items():
        out.append(("GET", f"/api/{d}/overview", None))
        out += [("GET", f"/api/{d}/kpis/{k}", None) for k in keys]
        out.append(("GET", f"/api/{d}/kpis/{keys[0]}?by={OTHER_BY[d]}&range=6m&granularity=quarter", None))
    out += [("GET", p, None) for p in ("/api/users/me", "/api/users/me/settings",
                                       "/api/messages?read=false&archived=false&limit=20",
                                       "/api/messages/unread-count", "/api/search?q=revenue&limit=10",
                                       "/api/meetings?start_date=2026-11-01&end_date=2026-11-30")]
    out.append(("POST", "/api/events", json.dumps({"event_type": "switch_range_or_granularity",
                                                   "meta": {"range": "12m", "granularity": "month"}}).encode()))
    out.append(("POST", "/api/ai-summary", b"{}"))
    return out


def request(c: http.client.HTTPConnection, method: str, path: str, body: bytes | None) -> tuple[float, float]:
    """(seconds at the client, milliseconds in the server by its Server-Timing app;dur)."""
    t = time.perf_counter()
    c.request(method, path, body=body, headers={"Content-Type": "application/json"} if body is not None else {})
    r = c.getresponse()
    r.read()
    elapsed = time.perf_counter() - t
    if r.status != 200:
        raise RuntimeError(f"{method} {path}: {r.status}")
    timing = r.getheader("Server-Timing") or ""
    app = next((float(p.split("=", 1)[1]) for p in timing.split(",") if p.strip().startswith("app;dur=")), 0.0)
    return elapsed, app


def run_routes(db: Path, env: dict, n: int) -> dict[str, tuple[float, float, float, float]]:
    """{route: (cold ms, warm p50 ms, warm p95 ms, server p50 ms)} on a fresh server.

    Warm requests go round-robin over the routes (n rounds), so a burst of load
    from the shared machine falls on every route alike. Two existing routes are
    measured beside them for reference.
    """
    srv = Server(db, env)
    out = {}
    try:
        c = srv.conn()
        # the posted summary sends the file's own payload, as the web client does
        payload = json.dumps({"data": srv.get_json(URL), "question": "What changed?"}).encode()
        routes = client_routes() + [("POST", "/api/ai-summary#payload", payload),
                                    ("GET", URL + "#reference", None), ("GET", "/api/sales/winrate#reference", None)]
        cold = {f"{m} {p}": request(c, m, p.split("#")[0], b)[0] * 1000 for m, p, b in routes}
        warm: dict[str, list[tuple[float, float]]] = {k: [] for k in cold}
        for _ in range(n):
            for m, p, b in routes:
                warm[f"{m} {p}"].append(request(c, m, p.split("#")[0], b))
        out = {k: (cold[k], pct([x for x, _ in v], 0.5), pct([x for x, _ in v], 0.95),
                   statistics.median(a for _, a in v)) for k, v in warm.items()}
        c.close()
    finally:
        srv.stop()
    return out


def bench_routes(db: Path, env: dict, runs: int, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:  # POST /api/events writes: a copy
        copy = Path(tmp) / db.name
        shutil.copy(db, copy)
        first_open_ms(copy, env)  # the copy's rollup side file, so no route pays for it
        results = []
        for i in range(runs):
            results.append(run_routes(copy, env, n))
            worst = max(results[-1].items(), key=lambda kv: kv[1][1])
            print(f"routes run {i + 1}: slowest p50 {worst[0]} {worst[1][1]:.2f} ms", flush=True)
    rows = []
    for route in results[0]:
        cold, p50, p95, app = (statistics.median(r[route][j] for r in results) for j in range(4))
        rows.append([route, f"{cold:.1f}", f"{p50:.2f}", f"{p95:.2f}", f"{app:.2f}",
                     "ok" if p50 <= 2.0 else "MISSED"])
    print(f"\nthe web client's routes: medians over {runs} runs ({n} warm requests each, one connection)")
    print_table(["route", "cold ms", "warm p50 ms", "warm p95 ms", "in server p50 ms", "p50 <= 2 ms"], rows)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def row_count(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT count(*) FROM user_events").fetchone()[0],
                conn.execute("SELECT count(*) FROM user_event_meta").fetchone()[0])
    finally:
        conn.close()


def first_open_ms(db: Path, env: dict) -> float:
    """A server that has never seen the file (empty cache folder): the orders
    rollup is computed. It stays in that folder for the runs that follow."""
    srv = Server(db, env)
    try:
        c = srv.conn()
        ms = get(c, URL) * 1000
        c.close()
    finally:
        srv.stop()
    return ms


TARGETS = {"warm_p50_ms": ("<=", 2), "warm_p95_ms": ("<=", 10), "warm_rps": (">=", 1500),
           "cold_p95_ms": ("<", 300), "burst50_computations": ("==", 1),
           "events_sync_per_s": (">=", 1000), "events_async_per_s": (">=", 1000),
           "events_sync_lost": ("==", 0), "events_async_lost": ("==", 0)}


def verdict(metric: str, value) -> str:
    if metric not in TARGETS:
        return ""
    op, t = TARGETS[metric]
    ok = {"<=": value <= t, ">=": value >= t, "<": value < t, "==": value == t}[op]
    return f"{op} {t}: {'ok' if ok else 'MISSED'}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--cold", type=int, default=40, help="cold keys per run")
    ap.add_argument("--route-requests", type=int, default=200, help="warm requests per client route")
    ap.add_argument("--routes-only", action="store_true", help="only the web client's routes")
    args = ap.parse_args()
    db = args.db or (SHARED_1M if SHARED_1M.exists() else demo_file("1m"))
    db = db.resolve()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    months = [r[0] for r in conn.execute("SELECT period FROM revenue_trend ORDER BY period")]
    orders = conn.execute("SELECT max(rowid) FROM orders").fetchone()[0]
    conn.close()
    with tempfile.TemporaryDirectory() as appdirs:
        env = {**os.environ, "EXECDASH_CACHE_DIR": f"{appdirs}/cache", "EXECDASH_DATA_DIR": f"{appdirs}/data",
               "EDB_ACCESS_LOG": "0"}
        print(f"file: {db} (~{orders:,} orders); {args.runs} runs, {args.threads} client threads, "
              f"{args.seconds:.0f} s load phases", flush=True)
        first = first_open_ms(db, env)  # also leaves the rollup side file for the runs
        if args.routes_only:
            bench_routes(db, env, args.runs, args.route_requests)
            return
        runs = []
        for i in range(args.runs):
            runs.append(run_once(db, env, args, months))
            print(f"run {i + 1}: " + ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                                              for k, v in runs[-1].items()), flush=True)
    rows = []
    for metric in runs[0]:
        vals = [r[metric] for r in runs]
        med = statistics.median(vals) if not isinstance(vals[0], bool) else all(vals)
        cell = f"{med:.2f}" if isinstance(med, float) and med < 100 else (
            f"{med:.0f}" if isinstance(med, float) else str(med))
        rows.append([metric, cell, verdict(metric, med)])
    rows.append(["first_open_ms (no rollup yet, once)", f"{first:.0f}", ""])
    print(f"\nmedians over {args.runs} runs")
    print_table(["metric", "median", "target"], rows)
    with tempfile.TemporaryDirectory() as appdirs:
        env = {**os.environ, "EXECDASH_CACHE_DIR": f"{appdirs}/cache", "EXECDASH_DATA_DIR": f"{appdirs}/data",
               "EDB_ACCESS_LOG": "0"}
        bench_routes(db, env, args.runs, args.route_requests)


if __name__ == "__main__":
    main()
