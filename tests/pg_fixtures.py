"""A real PostgreSQL for the snapshot tests (one server per test session and module user).

`pg` starts it (tools/pg_server.py) and loads a demo file's tables in several
schemas: snake_case (`public`), Prisma (`prisma`), some tables missing
(`partial`, `other`, `empty`), a column missing (`broken`), a NULL where the
file needs a value (`nulls`), an `updated_at` for --since (`live`), 450k
orders (`big`, for kill and cancel mid-way).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from execdash_desktop import cli  # noqa: E402
from tools.pg_load import load_sqlite  # noqa: E402
from tools.pg_server import PgServer, find_bin  # noqa: E402

PASSWORD = "Tr0ub4dor-snapshot-pw"
USER, DB = "reader", "company"


def _execdash(*args: str, env: dict | None = None, password: str | None = PASSWORD,
              **kw) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    e.pop("PGPASSWORD", None)
    if password is not None:
        e["PGPASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "execdash_desktop", *args], env=e,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300, **kw)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("snapsrc") / "source.db"
    # every dashboard, the Commerce one small: its 400k demo rows would be loaded seven times
    assert cli.main(["demo", "--db", str(p), "--orders", "3000", "--end", "2026-10", "--shipments", "3000",
                     "--conversations", "1000", "--days", "120"]) == 0
    return p


@pytest.fixture(scope="session")
def pg(demo_file):
    if find_bin() is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): "
                    "apt-get install postgresql, as ./dev test does")
    server = PgServer().start()
    try:
        with server.admin() as a:
            a.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(USER), sql.Literal(PASSWORD)))
            a.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(DB), sql.Identifier(USER)))
        with server.admin(DB) as a:
            load_sqlite(demo_file, a, "public", "snake")
            load_sqlite(demo_file, a, "prisma", "prisma")
            load_sqlite(demo_file, a, "partial", "snake", skip=("risks", "deals"))
            load_sqlite(demo_file, a, "other", "snake", skip=("revenue_trend",))
            load_sqlite(demo_file, a, "live", "snake", extra_updated_at=("orders",))
            load_sqlite(demo_file, a, "nulls", "snake")
            a.execute("ALTER TABLE nulls.orders ALTER COLUMN amount DROP NOT NULL")
            a.execute("UPDATE nulls.orders SET amount = NULL WHERE id = (SELECT max(id) FROM nulls.orders)")
            load_sqlite(demo_file, a, "broken", "snake")
            a.execute("ALTER TABLE broken.orders DROP COLUMN amount")
            load_sqlite(demo_file, a, "big", "snake")
            a.execute("INSERT INTO big.orders SELECT id + 10000 * g, customer_id, amount, profit, order_date, type "
                      "FROM big.orders, generate_series(1, 150) g")
            a.execute("CREATE SCHEMA empty")
            for s in ("public", "prisma", "partial", "other", "live", "nulls", "broken", "big", "empty"):
                a.execute(sql.SQL("GRANT USAGE ON SCHEMA {s} TO {u}; GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {u}")
                          .format(s=sql.Identifier(s), u=sql.Identifier(USER)))
        yield server
    finally:
        server.stop()
