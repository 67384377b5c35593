"""The new data file: its temp name beside the target, the app's tables carried
over, the snapshot log, the checks, and the rename over the target."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

from .plan import Plan
from .source import SnapshotError
from .targets import APP_TABLES, LOG_TABLE

# The same table as dataio/logs.py's IMPORT_LOGS_SQL (tests/test_snapshot.py holds them
# equal); not imported from there, since loading that package costs a snapshot 0.3 s.
LOG_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {LOG_TABLE} (
    id               TEXT PRIMARY KEY,
    source           TEXT NOT NULL CHECK (source IN ('csv', 'xlsx', 'ods', 'postgresql', 'github', 'manual')),
    records_imported INTEGER NOT NULL DEFAULT 0,
    records_failed   INTEGER NOT NULL DEFAULT 0,
    errors           TEXT NOT NULL DEFAULT '[]',
    metadata         TEXT,
    timestamp        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


def temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.snapshot-{os.getpid()}.tmp")


def remove_stale_temps(target: Path) -> None:
    """Temp files of snapshots that were killed (their process is gone)."""
    prefix = f".{target.name}.snapshot-"
    for p in target.parent.glob(f"{prefix}*.tmp*"):
        try:
            pid = int(p.name[len(prefix):].split(".", 1)[0])
        except ValueError:
            continue
        if os.name == "nt":  # os.kill would end the process; a file in use cannot be deleted
            try:
                os.remove(p)
            except OSError:
                pass
            continue
        try:
            os.kill(pid, 0)  # signal 0: is it alive?
        except ProcessLookupError:
            unlink(target.with_name(f"{prefix}{pid}.tmp"))
        except OSError:  # alive, another user's
            pass


def unlink(p: Path) -> None:
    for side in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(f"{p}{side}")
        except FileNotFoundError:
            pass


def check_target(db: str | os.PathLike, since: bool) -> Path:
    p = Path(db).expanduser().absolute()
    if p.is_dir():
        raise SnapshotError(f"{p}: is a folder, not a data file")
    if not p.parent.is_dir():
        raise SnapshotError(f"{p}: folder {p.parent} does not exist")
    if not os.access(p.parent, os.W_OK):
        raise SnapshotError(f"{p}: no permission to write in {p.parent}")
    if since and not p.exists():
        raise SnapshotError(f"{p}: no earlier snapshot to refresh (run without --since first)")
    return p


def last_snapshot(path: str | os.PathLike, label: str | None = None, schema: str | None = None) -> dict | None:
    """The metadata of the file's latest snapshot (of `label`/`schema` when given), else None."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        rows = conn.execute(f"SELECT metadata, timestamp FROM {LOG_TABLE} WHERE source = 'postgresql' "
                            "ORDER BY timestamp DESC, rowid DESC").fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    for meta, stamp in rows:
        try:
            m = json.loads(meta or "{}")
        except ValueError:
            continue
        if (label is None or m.get("from") == label) and (schema is None or m.get("schema") == schema):
            return {**m, "timestamp": stamp}
    return None


def open_new(tmp: Path, previous: Path | None) -> sqlite3.Connection:
    if previous is not None:  # --since: start from the file as it is (a consistent copy)
        wal = Path(f"{previous}-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            shutil.copyfile(previous, tmp)  # the kernel's copy: all of it is in the main file
            new = sqlite3.connect(str(tmp), isolation_level=None)
        else:  # pages still in its WAL: SQLite's backup reads them too
            old = sqlite3.connect(f"file:{previous}?mode=ro", uri=True)
            try:
                new = sqlite3.connect(str(tmp), isolation_level=None)
                old.backup(new)
            finally:
                old.close()
        new.execute("PRAGMA journal_mode=OFF")
    else:
        new = sqlite3.connect(str(tmp), isolation_level=None)
        new.execute("PRAGMA journal_mode=OFF")  # a temp file: a crash deletes it, no journal needed
    new.execute("PRAGMA synchronous=OFF")
    new.execute("PRAGMA cache_size=-262144")  # 256 MB: the indexes sort in memory
    new.execute("PRAGMA temp_store=MEMORY")
    new.execute("PRAGMA foreign_keys=OFF")
    # the source is the truth: a value outside a CHECK list is copied as it is
    # (the dashboards read messy values) rather than refusing the whole snapshot
    new.execute("PRAGMA ignore_check_constraints=ON")
    return new


def existing(out: sqlite3.Connection) -> set[str]:
    return {r[0] for r in out.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def count_rows(out: sqlite3.Connection, table: str) -> int:
    return int(out.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def carry_over(out: sqlite3.Connection, old: Path) -> None:
    """The app's own tables and earlier import logs move from the old file to the new one."""
    if not old.is_file():
        return
    out.execute("ATTACH DATABASE ? AS old", (f"file:{old}?mode=ro",))
    try:
        mine = existing(out)
        theirs = {r[0]: r[1] for r in out.execute(
            "SELECT name, sql FROM old.sqlite_master WHERE type='table'")}
        out.execute("BEGIN")
        for name in (*APP_TABLES, LOG_TABLE):
            if name not in theirs:
                continue
            if name not in mine:
                out.execute(theirs[name])
            cols = [r[1] for r in out.execute(f'PRAGMA main.table_info("{name}")')]
            common = ", ".join(f'"{c}"' for c in cols
                               if c in {r[1] for r in out.execute(f'PRAGMA old.table_info("{name}")')})
            out.execute(f'INSERT OR IGNORE INTO main."{name}" ({common}) SELECT {common} FROM old."{name}"')
        out.execute("COMMIT")
    finally:
        out.execute("DETACH DATABASE old")


def write_log(out: sqlite3.Connection, meta: dict, records: int, now: str) -> None:
    out.execute(LOG_SCHEMA)
    cols = {r[1] for r in out.execute(f"PRAGMA table_info({LOG_TABLE})")}
    row = {"id": str(uuid.uuid4()), "source": "postgresql", "records_imported": records,
           "records_failed": 0, "errors": "[]", "metadata": json.dumps(meta, sort_keys=True),
           "timestamp": now}
    row = {k: v for k, v in row.items() if k in cols}
    out.execute(f"INSERT INTO {LOG_TABLE} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                tuple(row.values()))


def verify(tmp: Path, plan: Plan, counts: dict[str, int]) -> None:
    """The new file opens, has the dashboards' columns and the source's row counts."""
    try:
        conn = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # it opens as SQLite
            for table in (*(t.table for t in plan.tables), *(a for d in plan.dashboards for a in d.app_tables)):
                have = [r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')]
                want = [c.name for c in table.columns]
                if have != want:
                    raise SnapshotError(f"the new file's table {table.name} has columns {have}, "
                                        f"expected {want}; the data file is unchanged")
            for t in plan.tables:
                n = count_rows(conn, t.table.name)
                expected = counts.get(t.table.name, 0)
                if n != expected and not (t.table.name == LOG_TABLE and n > expected):  # + the file's own logs
                    raise SnapshotError(f"the new file's table {t.table.name} holds {n} rows, the source "
                                        f"{expected}; the data file is unchanged")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise SnapshotError(f"the new file does not open ({exc}); the data file is unchanged") from None


def swap(tmp: Path, target: Path) -> None:
    for side in ("-wal", "-shm"):  # left by the read-only check; the writer checkpointed on close
        try:
            os.remove(f"{tmp}{side}")
        except FileNotFoundError:
            pass
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    # a -wal of the replaced file would be replayed onto the new one
    for side in ("-wal", "-shm", "-journal"):
        try:
            os.remove(f"{target}{side}")
        except FileNotFoundError:
            pass
    os.replace(tmp, target)
    try:
        dfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
