"""Connections to a data file: read-only readers, one writer, the schema.

Seed 001 section 4: WAL, synchronous=NORMAL, busy_timeout=5000, separate read
and write connections. Readers open the file with `mode=ro`, so a file on
read-only media or without write permission still opens; nothing here ever
writes to a user's file except the metrics tables (see metrics.py).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from .errors import DataFileError, TableDamaged, TableMissing, TableUnreadable

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


@contextmanager
def reading_errors(path: str | os.PathLike):
    """A dashboard's load: SQLite's errors while it reads the file, as one line naming the file."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DataFileError(f"{path}: locked by another writer for longer than the busy timeout") from exc
        raise DataFileError(f"{path}: cannot read ({exc})") from exc
    except sqlite3.DatabaseError as exc:
        raise DataFileError(f"{path}: not a SQLite database ({exc})") from exc


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


class ReaderConnection(sqlite3.Connection):
    """A read-only connection; `note` says when it reads the file in a degraded way."""

    note: str | None = None


def _lenient_text(data: bytes) -> str:
    # a TEXT value that is not UTF-8 (x'c328') would fail the whole query;
    # shown with U+FFFD instead, it degrades only the cell it is in
    return data.decode("utf-8", "replace")


def _connect_ro(p: Path, timeout: float, **extra: str) -> ReaderConnection:
    conn = sqlite3.connect(_uri(p, mode="ro", **extra), uri=True, timeout=timeout / 1000,
                           check_same_thread=False, factory=ReaderConnection)
    conn.text_factory = _lenient_text
    try:
        conn.execute(f"PRAGMA busy_timeout={int(timeout)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _side_file_failed(exc: sqlite3.Error) -> bool:
    """SQLite could not create or grow the -shm index (read-only folder, full
    disk, a file size limit): the data itself may still be readable."""
    text = str(exc)
    return any(w in text for w in ("unable to open", "readonly", "disk I/O error", "disk is full"))


def open_reader(path: str | os.PathLike) -> ReaderConnection:
    """A read-only connection; raises DataFileError naming what is wrong.

    A WAL file whose -shm index cannot be created (a read-only folder, a full
    disk, `ulimit -f`) opens as immutable, which SQLite reads without any lock
    or side file; when a -wal holds changes, `note` says they may be missed.
    """
    p = check_path(path)
    timeout = busy_timeout_ms()
    try:
        return _connect_ro(p, timeout)
    except sqlite3.OperationalError as exc:
        if not _side_file_failed(exc):
            raise _explain(p, exc) from exc
        try:
            conn = _connect_ro(p, timeout, immutable="1")
        except sqlite3.Error as exc2:
            raise _explain(p, exc2) from exc2
        wal = Path(f"{p}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            conn.note = (f"{p}: read without its write-ahead log ({exc}): the numbers may miss "
                         "changes not yet checkpointed into the file")
        return conn
    except sqlite3.DatabaseError as exc:
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
    A damaged page in the table (SQLITE_CORRUPT) is reported the same way:
    the one view that needs it says the file is damaged there.
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
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise TableDamaged(db_path(conn), table, str(exc)) from exc
        raise


def is_damage(exc: sqlite3.Error) -> bool:
    """SQLITE_CORRUPT: a page of the file is not what SQLite wrote."""
    text = str(exc)
    return "malformed" in text or "corrupt" in text


def unreadable_reason(table: str, exc: sqlite3.Error) -> str:
    """Why one table (or a view standing in for it) cannot be read, in one line."""
    if is_damage(exc):
        return f"table {table} is damaged in the file ({exc})"
    return f"table {table} cannot be read ({exc})"


DEMO_APPLICATION_ID = 0x45444D4F  # "EDMO": PRAGMA application_id of a file the demo generator wrote


def is_demo(conn: sqlite3.Connection) -> bool:
    """Made up by the demo generator (say so on screen and on paper), not a company's data."""
    try:
        return int(conn.execute("PRAGMA application_id").fetchone()[0]) == DEMO_APPLICATION_ID
    except sqlite3.Error:
        return False


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the executive schema in a new file (demo data, tests)."""
    conn.executescript(schema_sql())
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
