"""Issue 11 item 8: every payload reads one version of the file while another process writes.

A writer process moves a large amount between an early order (first half of the
table, November) and a late one (second half, December) in each transaction:
the 12-month sums, and so the gross margin, are the same at every moment. A
payload that read the halves (or the months) at two versions would see the
amount twice or not at all.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from execdash_desktop.packs.executive.payload import build_payload
from execdash_desktop.packs.executive.source import load_source
from execdash_desktop.store import create_schema
from tests.conftest import trend

WRITER = r"""
import sqlite3, sys, time
path, first, last, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
conn = sqlite3.connect(path, timeout=30, isolation_level=None)
sign, n = 1, 0
open(stop + ".ready", "w").close()
import os
while not os.path.exists(stop):
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE orders SET amount = amount + ?, profit = profit + ? WHERE id = ?",
                 (sign * 5e6, sign * 4e6, first))
    conn.execute("UPDATE orders SET amount = amount - ?, profit = profit - ? WHERE id = ?",
                 (sign * 5e6, sign * 4e6, last))
    conn.execute("COMMIT")
    sign, n = -sign, n + 1
    # a rollback-journal writer in a tight loop starves every reader: SQLite's busy handler
    # retries every 100 ms or so, and on a loaded machine a 1 ms gap was missed for 5 s
    time.sleep(0.005)
print(n)
"""


def _file(path, journal: str):
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode={journal}")
    create_schema(conn)
    conn.executemany("INSERT INTO revenue_trend(period, recognized, booked, backlog) VALUES (?,?,?,?)",
                     [(r["period"], r["recognized"], r["booked"], r["backlog"])
                      for r in trend("2025-01", [(100.0, 100.0, 10.0)] * 12)])
    # November orders first, then December ones: the mover pair sits in both halves of the table
    rows = [(100.0, 10.0, f"2025-11-{1 + i % 28:02d}", "recognized") for i in range(20_000)]
    rows += [(100.0, 10.0, f"2025-12-{1 + i % 28:02d}", "recognized") for i in range(20_000)]
    conn.executemany("INSERT INTO orders(amount, profit, order_date, type) VALUES (?,?,?,?)", rows)
    conn.execute("UPDATE orders SET amount = amount + 1e7, profit = profit + 8e6 WHERE id IN (1, 40000)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_every_payload_reads_one_version_while_a_writer_moves_an_amount(tmp_path, journal):
    path = tmp_path / f"moving-{journal}.sqlite"
    _file(path, journal)
    truth = build_payload(load_source(path), "12m")["executiveKpis"][4]["value"]
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "1", "40000", str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(f"{stop}.ready") and time.monotonic() < deadline:
            time.sleep(0.01)
        seen = []
        for _ in range(40):
            src = load_source(path)  # a fresh load each time: the writer changes the stamp anyway
            seen.append(build_payload(src, "12m")["executiveKpis"][4]["value"])
            total = sum(o.amount for o in src.orders.values())
            assert total == pytest.approx(4_000_000 + 2e7), "a torn read of the orders"
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=60)
    assert int(out) > 40, "the writer did not run alongside the reads"
    assert seen == [pytest.approx(truth)] * len(seen)
