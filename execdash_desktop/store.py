"""Connections to a data file: read-only readers, one writer, the schema.

Seed 001 section 4: WAL, synchronous=NORMAL, busy_timeout=5000, separate read
and write connections. Readers open the file with `mode=ro`, so a file on
read-only media or without write permission still opens; nothing here ever
writes to a user's file except the metrics tables (see metrics.py).
"""

from __future__ import annotations

import os
import sqlite3
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from .errors import DataFileError, TableMissing, TableUnreadable

SCHEMA_VERSION = 1


def busy_timeout_ms() -> int:
    """The busy timeout (ms); `EDB_BUSY_TIMEOUT_MS` shortens it in tests."""
    try:
        return max(0, int(os.environ.get("EDB_BUSY_TIMEOUT_MS", "5000")))
    except ValueError:
        return 5000


def wal_enabled() -> bool:
    return os.environ.get("EDB_SQLITE_WAL", "1") != "0"


def schema_sql() -> str:
    """The executive schema of seed 000 (data/init_schema.sql)."""
    return resources.files("execdash_desktop.data").joinpath("init_schema.sql").read_text("utf-8")


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(path))}?{query}"


def _explain(path: Path, exc: sqlite3.Error) -> DataFileError:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return DataFileError(f"{path}: not a SQLite database ({text})")
    if "locked" in text or "busy" in text:
        return DataFileError(
            f"{path}: locked by another writer for longer than the busy timeout "
            f"({busy_timeout_ms()} ms)"
        )
    return DataFileError(f"{path}: cannot read ({text})")


def check_path(path: str | os.PathLike) -> Path:
    p = Path(path).expanduser()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise DataFileError(f"{p}: data file not found") from None
    except OSError as exc:
        raise DataFileError(f"{p}: cannot open ({exc.strerror})") from None
    if not p.is_file():
        raise DataFileError(f"{p}: is a folder, not a data file" if p.is_dir()
                            else f"{p}: not a regular file")
    if not os.access(p, os.R_OK):
        raise DataFileError(f"{p}: no permission to read it")
    del st
    return p.resolve()


def open_reader(path: str | os.PathLike) -> sqlite3.Connection:
    """A read-only connection; raises DataFileError naming what is wrong.

    A WAL file in a read-only folder cannot get its -shm index; it then opens
    as immutable, which SQLite reads without any lock or side file.
    """
    p = check_path(path)
    timeout = busy_timeout_ms()
    conn = None
    try:
        conn = sqlite3.connect(_uri(p, mode="ro"), uri=True, timeout=timeout / 1000,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={int(timeout)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        if conn is not None:
            conn.close()
        read_only_media = not (os.access(p.parent, os.W_OK) and os.access(p, os.W_OK))
        if read_only_media and ("unable to open" in str(exc) or "readonly" in str(exc)):
            try:
                conn = sqlite3.connect(_uri(p, mode="ro", immutable="1"), uri=True,
                                       check_same_thread=False)
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.Error as exc2:
                raise _explain(p, exc2) from exc2
        raise _explain(p, exc) from exc
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise _explain(p, exc) from exc


def enable_wal(conn: sqlite3.Connection) -> None:
    """The writer's journal: WAL unless the settings turn it off."""
    if wal_enabled():
        conn.execute("PRAGMA journal_mode=WAL")


def open_writer(path: str | os.PathLike, wal: bool = True) -> sqlite3.Connection:
    """The one writer connection (metrics tables only), WAL + synchronous=NORMAL.

    `wal=False` leaves the journal as it is, for a caller that switches it
    itself (`enable_wal`) and wants to know what the switch changed.
    """
    p = check_path(path)
    timeout = busy_timeout_ms()
    try:
        conn = sqlite3.connect(str(p), timeout=timeout / 1000, check_same_thread=False,
                               isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={int(timeout)}")
        if wal:
            enable_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn
    except sqlite3.DatabaseError as exc:
        raise _explain(p, exc) from exc


def is_writable(path: str | os.PathLike) -> bool:
    p = Path(path)
    return os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)


def table_names(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")
    return {r[0] for r in rows}


def table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    # table names come from our own constants, never from input; still quote them
    rows = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    return {r[1] for r in rows}


def db_path(conn: sqlite3.Connection) -> str:
    """The file behind a connection, to name it in an error."""
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


def select(conn: sqlite3.Connection, table: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Run a SELECT on `table`; its missing table or column raises TableUnreadable.

    Each caller decides what that means: the drill-downs show a note, the API a 503.
    """
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if text.startswith("no such table"):
            raise TableMissing(db_path(conn), table) from exc
        if text.startswith("no such column"):
            raise TableUnreadable(db_path(conn), table, f"has {text.replace('such ', '')}") from exc
        raise


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the executive schema in a new file (demo data, tests)."""
    conn.executescript(schema_sql())
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
