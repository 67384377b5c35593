"""`execdash snapshot` from a PostgreSQL on this machine: 1M orders plus the rest of a demo file.

Targets (issue 17): full snapshot <= 15 s with peak RSS <= 500 MB; `--since`
after 10k changed rows <= 2 s. Each run is a whole `execdash snapshot` process
(start-up included), timed from the outside; peak RSS from wait4().

    PYTHONPATH=. python benchmarks/bench_snapshot.py [--orders 1m] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import SIZES, demo_file, print_table  # noqa: E402
from psycopg import sql  # noqa: E402

from tools.pg_load import load_sqlite  # noqa: E402
from tools.pg_server import PgServer  # noqa: E402

PASSWORD = "bench-pw"


def server_cpu(pg: PgServer) -> float:
    """CPU seconds of the server's ended children (a connection's backend ends with it)."""
    pid = (pg.data / "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def run(args: list[str], pg: PgServer) -> tuple[float, float, float, float]:
    """Wall seconds, peak RSS (MB), CPU seconds (user + system) of one `execdash` process,
    and the CPU seconds the PostgreSQL backend serving it used."""
    before = server_cpu(pg)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PGPASSWORD": PASSWORD}
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "execdash_desktop", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"execdash {' '.join(args)} failed: {err or out}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, server_cpu(pg) - before


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", default="1m", choices=list(SIZES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--changed", type=int, default=10_000)
    a = ap.parse_args()
    source = demo_file(a.orders)
    with PgServer() as pg, tempfile.TemporaryDirectory() as tmp:
        with pg.admin() as adm:
            adm.execute(sql.SQL("CREATE ROLE bench LOGIN PASSWORD {}").format(sql.Literal(PASSWORD)))
            adm.execute("CREATE DATABASE company OWNER bench")
        t = time.perf_counter()
        with pg.admin("company") as adm:
            load_sqlite(source, adm, "public", "snake", extra_updated_at=("orders",))
            adm.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO bench")
            adm.execute("UPDATE public.orders SET updated_at = now() - interval '1 day'")
            adm.execute("VACUUM ANALYZE public.orders")
            n = adm.execute("SELECT count(*) FROM public.orders").fetchone()[0]
        print(f"loaded {source.name} into PostgreSQL ({n:,} orders) in {time.perf_counter() - t:.1f} s",
              flush=True)
        url = pg.url("bench", "company")
        out = str(Path(tmp) / "board.db")
        full = [run(["snapshot", "--from", url, "--db", out], pg) for _ in range(a.runs)]
        since = []
        for i in range(a.runs):
            with pg.admin("company") as adm:
                adm.execute("UPDATE public.orders SET amount = amount + 1, updated_at = now() "
                            "WHERE id > %s AND id <= %s", (i * a.changed, (i + 1) * a.changed))
            since.append(run(["snapshot", "--from", url, "--db", out, "--since"], pg))
    rows = []
    for label, samples, limit_s, limit_mb in (("full snapshot", full, 15.0, 500.0),
                                              (f"--since after {a.changed:,} changed rows", since, 2.0, None)):
        secs = statistics.median(r[0] for r in samples)
        rss = max(r[1] for r in samples)
        cpu = statistics.median(r[2] for r in samples)
        server = statistics.median(r[3] for r in samples)
        rows.append([label, f"{secs:.2f} s", " / ".join(f"{r[0]:.2f}" for r in samples), f"{limit_s:.0f} s",
                     f"{secs / limit_s:.2f}", f"{cpu:.2f} s", f"{server:.2f} s", f"{rss:.0f} MB",
                     f"{limit_mb:.0f} MB" if limit_mb else "-"])
    print_table(["run", "median wall", "runs (s)", "target", "ratio", "CPU execdash", "CPU PostgreSQL",
                 "peak RSS", "RSS target"], rows)
    # the machine's load: on a shared machine wall time is CPU time times the queue
    print(f"load average during the runs: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
