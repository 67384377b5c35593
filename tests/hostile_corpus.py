"""A corpus of hostile data files, generated from a small demo file (issue 12).

Each entry is SQL run on a fresh copy of the demo (or a byte-level edit, for a
damaged page). Nothing binary is checked in: `build(name, demo, folder)` makes
the file when a test asks for it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

# name -> SQL applied to a copy of the demo file
SQL: dict[str, str] = {
    # 1. numbers that are not finite, as text or as REAL
    "nan_inf_text": """
        UPDATE revenue_trend SET recognized = 'nan' WHERE rowid % 3 = 0;
        UPDATE revenue_trend SET booked = 'inf' WHERE rowid % 3 = 1;
        UPDATE revenue_trend SET backlog = '1' || printf('%.400c', '0') WHERE rowid % 3 = 2;
        UPDATE ops_uptime SET uptime = '-inf' WHERE rowid = 1;
        UPDATE retention_nrr SET nrr = 'NaN' WHERE rowid = (SELECT max(rowid) FROM retention_nrr);""",
    "text_1e400": "UPDATE revenue_trend SET recognized = '1e400', booked = '1e400', backlog = '-1e400';",
    "real_infinity": "UPDATE revenue_trend SET recognized = 1e999, backlog = -1e999;",
    "sum_overflows": "UPDATE revenue_trend SET recognized = 1e308, booked = 1.7e308;",
    "orders_overflow": "UPDATE orders SET amount = 1e308, profit = 1e308 WHERE rowid % 2 = 0;",
    # 2. tables that are not plain tables
    "orders_view": """
        ALTER TABLE orders RENAME TO orders_base;
        CREATE VIEW orders AS SELECT * FROM orders_base;""",
    "orders_without_rowid": """
        CREATE TABLE orders2 (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL NOT NULL,
                              profit REAL NOT NULL, order_date DATE NOT NULL, type TEXT) WITHOUT ROWID;
        INSERT INTO orders2 SELECT id, customer_id, amount, profit, order_date, type FROM orders;
        DROP TABLE orders;
        ALTER TABLE orders2 RENAME TO orders;
        CREATE INDEX idx_orders_order_date ON orders(order_date);""",
    # 3. one bad row, one broken object
    "alert_invalid_utf8": "UPDATE alerts SET description = CAST(x'c328' AS TEXT) "
                          "WHERE id = (SELECT min(id) FROM alerts);",
    "nrr_broken_view": """
        DROP TABLE retention_nrr;
        CREATE TABLE gone (period TEXT, nrr REAL);
        CREATE VIEW retention_nrr AS SELECT period, nrr FROM gone;
        DROP TABLE gone;""",
}

DAMAGED = {"damaged_top_products_daily": "top_products_daily"}  # name -> table whose page is broken

NAMES = tuple(SQL) + tuple(DAMAGED)


def damage_table(path: Path, table: str) -> None:
    """Overwrite the start of `table`'s root page: SQLite then reports SQLITE_CORRUPT
    when it reads that table, and only that table."""
    conn = sqlite3.connect(path)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    finally:
        conn.close()
    with open(path, "r+b") as f:
        f.seek(page_size * (root - 1))
        f.write(b"\xff" * 64)


def build(name: str, demo: Path, folder: Path) -> Path:
    """The corpus file `name`, made from a copy of `demo` in `folder`."""
    path = Path(folder) / f"{name}.sqlite"
    shutil.copy(demo, path)
    if name in SQL:
        conn = sqlite3.connect(path)
        try:
            conn.executescript(SQL[name])
            conn.commit()
        finally:
            conn.close()
    else:
        damage_table(path, DAMAGED[name])
    return path


def make_wal_pair(demo: Path, dst: Path) -> Path:
    """`dst` in WAL mode with a -wal that holds a change not yet checkpointed
    (recognized + 1 in every month) and no -shm: copied while the writer is open."""
    work = dst.with_name(dst.name + ".src")
    shutil.copy(demo, work)
    conn = sqlite3.connect(work, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("UPDATE revenue_trend SET recognized = recognized + 1")
        shutil.copy(work, dst)
        shutil.copy(f"{work}-wal", f"{dst}-wal")
    finally:
        conn.close()
    for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        p.unlink(missing_ok=True)
    return dst
