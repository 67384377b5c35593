"""`execdash snapshot`: copy what the dashboards need from PostgreSQL into a data file.

One read-only REPEATABLE READ transaction, so every table is from one moment.
The new file is written beside the target, checked (it opens, its tables have
the dashboards' columns, every table holds as many rows as the source's), then
renamed over the target: a failure, a cancel or a kill leaves the old file as
it was. `since=True` starts from a copy of the old file and merges the rows
changed since the last snapshot of the same source, equally all-or-nothing.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .plan import Plan, TablePlan, make_plan
from .source import (PasswordPrompt, _first_line, SnapshotCancelled, SnapshotError, SourceAddress, connect,
                     parse_address, source_tables)
from .targets import APP_TABLES, LOG_TABLE, Dashboard, installed_dashboards

ProgressFn = Callable[[float, str], None]

LOG_SCHEMA = (f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (id TEXT PRIMARY KEY, source TEXT NOT NULL, "
              "records_imported INTEGER NOT NULL DEFAULT 0, records_failed INTEGER NOT NULL DEFAULT 0, "
              "errors TEXT, metadata TEXT, timestamp TEXT NOT NULL)")
_BATCH = 20_000  # rows between progress reports and cancel checks
FINGERPRINT_MAX_ROWS = 200_000


@dataclass(frozen=True)
class SnapshotResult:
    path: str
    source: str  # user@host/db
    mode: str  # "full" or "since"
    dashboards: tuple[str, ...]
    rows: dict  # table -> rows in the file
    changed: dict  # table -> rows copied this time (= rows for a full snapshot)
    notes: tuple[str, ...]
    seconds: float
    taken_at: str  # UTC, ISO-8601


def temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.snapshot-{os.getpid()}.tmp")


def _remove_stale_temps(target: Path) -> None:
    """Temp files of snapshots that were killed (their process is gone)."""
    prefix = f".{target.name}.snapshot-"
    for p in target.parent.glob(f"{prefix}*.tmp*"):
        try:
            pid = int(p.name[len(prefix):].split(".", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            _unlink(target.with_name(f"{prefix}{pid}.tmp"))
        except (ValueError, PermissionError, OSError):
            pass


def _unlink(p: Path) -> None:
    for side in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(f"{p}{side}")
        except FileNotFoundError:
            pass


def _check_target(db: str | os.PathLike, since: bool) -> Path:
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


def _select_dashboards(names: Iterable[str] | None,
                       catalogue: tuple[Dashboard, ...] | None) -> tuple[Dashboard, ...]:
    known = catalogue if catalogue is not None else installed_dashboards()
    if not names:
        return known
    by_name = {d.name: d for d in known}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise SnapshotError(f"unknown dashboard {', '.join(unknown)}: expected {', '.join(by_name)}")
    return tuple(by_name[n] for n in names)


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


def snapshot(url: str, db: str | os.PathLike, *, dashboards: Iterable[str] | None = None,
             schema: str = "public", since: bool = False, prompt: PasswordPrompt | None = None,
             progress: ProgressFn | None = None,
             cancelled: Callable[[], bool] | None = None,
             catalogue: tuple[Dashboard, ...] | None = None) -> SnapshotResult:
    """Snapshot `url` into the data file `db`; SnapshotError (one line) when it cannot.

    `catalogue` replaces the installed dashboards (a dashboard being built, tests).
    """
    import psycopg

    t0 = time.perf_counter()
    report = progress or (lambda f, m: None)
    stop = cancelled or (lambda: False)
    addr = parse_address(url)
    target = _check_target(db, since)
    chosen = _select_dashboards(dashboards, catalogue)
    previous = last_snapshot(target, addr.label, schema) if since else None
    notes: list[str] = []
    if since and previous is None:
        notes.append(f"{target.name} holds no earlier snapshot of {addr.label}: taking a full one")
    report(0.0, f"connecting to {addr.label}")
    pg = connect(addr, prompt)
    tmp = temp_path(target)
    try:
        pg.read_only = True
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with pg.cursor() as cur:
            taken = cur.execute("SELECT transaction_timestamp()").fetchone()[0]
            # the text forms plan.py relies on (SET LOCAL: this transaction only)
            cur.execute("SET LOCAL DateStyle = 'ISO, YMD'")
            cur.execute("SET LOCAL TimeZone = 'UTC'")
            src = source_tables(cur, schema)
            if not src:
                raise SnapshotError(f"{addr.label} has no tables in schema {schema}")
            plan = make_plan(chosen, src, schema, addr.label)
            notes.extend(plan.notes)
            if not plan.dashboards:
                raise SnapshotError(f"{addr.label} holds none of the dashboards' tables in schema "
                                    f"{schema} ({'; '.join(plan.notes)})")
            counts = _source_counts(cur, plan, schema)
            prints = _fingerprints(cur, plan, schema, pg.info.server_version, counts)
            same = set()
            if previous:  # tables --since cannot merge are skipped when their fingerprint held
                old_prints, old_rows = previous.get("fingerprints") or {}, previous.get("tables") or {}
                same = {n for n, f in prints.items()
                        if old_prints.get(n) == f and old_rows.get(n) == counts.get(n)}
            _remove_stale_temps(target)
            _unlink(tmp)
            taken_iso = taken.astimezone(timezone.utc).isoformat()
            mode = "since" if previous else "full"
            out = _open_new(tmp, target if previous else None)
            try:
                changed = _write(out, cur, plan, schema, counts,
                                 previous.get("source_time") if previous else None,
                                 report, stop, same)
                if not previous:
                    _carry_over(out, target)
                rows = {t.table.name: counts.get(t.table.name, 0) for t in plan.tables}
                meta = {"from": addr.label, "schema": schema, "mode": mode,
                        "dashboards": [d.dashboard.name for d in plan.dashboards],
                        "tables": rows, "changed": changed, "source_time": taken_iso,
                        "fingerprints": prints,
                        "seconds": round(time.perf_counter() - t0, 2), "notes": notes}
                now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                _log(out, meta, sum(changed.values()), now)
                report(0.95, "checking the new file")
                out.execute("PRAGMA analysis_limit=1000")  # planner statistics from a sample
                out.execute("ANALYZE")
                out.execute("PRAGMA journal_mode=WAL")
            finally:
                out.close()
        pg.rollback()  # read-only: nothing to commit
        _verify(tmp, plan, counts)
        if stop():
            raise SnapshotCancelled()
        _swap(tmp, target)
    except psycopg.Error as exc:
        _unlink(tmp)
        raise SnapshotError(f"{addr.label}: {_first_line(exc)}; the data file is unchanged") from None
    except sqlite3.Error as exc:
        _unlink(tmp)
        raise SnapshotError(f"{tmp}: {exc}; the data file is unchanged") from None
    except BaseException:
        _unlink(tmp)
        raise
    finally:
        pg.close()
    report(1.0, "done")
    return SnapshotResult(path=str(target), source=addr.label, mode=mode,
                          dashboards=tuple(d.dashboard.name for d in plan.dashboards),
                          rows=rows, changed=changed, notes=tuple(notes),
                          seconds=round(time.perf_counter() - t0, 2), taken_at=now)


def _source_counts(cur, plan: Plan, schema: str) -> dict[str, int]:
    from psycopg import sql

    present = [t for t in plan.tables if t.source]
    if not present:
        return {}
    q = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}.{}").format(
            sql.Literal(t.table.name), sql.Identifier(schema), sql.Identifier(t.source))
        for t in present)
    return {name: int(n) for name, n in cur.execute(q).fetchall()}


def _open_new(tmp: Path, previous: Path | None) -> sqlite3.Connection:
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


def _existing(out: sqlite3.Connection) -> set[str]:
    return {r[0] for r in out.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _fingerprints(cur, plan: Plan, schema: str, server_version: int, counts: dict[str, int]) -> dict[str, str]:
    """A 64-bit hash sum of every row of the tables --since would copy whole (no time
    stamp or no key): a later --since skips those whose sum and count held. Bigger
    tables are not hashed (it costs the server as much as copying them)."""
    from psycopg import sql

    whole = [t for t in plan.tables if t.source and not (t.since_column and t.table.key)
             and counts.get(t.table.name, 0) <= FINGERPRINT_MAX_ROWS]
    if not whole or server_version < 110000:  # hashtextextended: PostgreSQL 11
        return {}
    q = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, coalesce(sum(hashtextextended(r::text, 0)), 0)::text FROM {}.{} r").format(
            sql.Literal(t.table.name), sql.Identifier(schema), sql.Identifier(t.source))
        for t in whole)
    return dict(cur.execute(q).fetchall())


def _write(out: sqlite3.Connection, cur, plan: Plan, schema: str, counts: dict[str, int],
           since_time: str | None, report: ProgressFn, stop: Callable[[], bool],
           same: set[str] = frozenset()) -> dict[str, int]:
    have = _existing(out)
    # triggers (an Engineering bug's history, updated_at) must not fire on copied rows
    triggers = out.execute("SELECT sql FROM sqlite_master WHERE type='trigger'").fetchall()
    for (name,) in out.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        out.execute(f'DROP TRIGGER "{name}"')
    total = max(1, sum(counts.values()))
    done = 0
    changed: dict[str, int] = {}
    out.execute("BEGIN")
    for d in plan.dashboards:
        for app_table in d.app_tables:  # empty here; _carry_over brings the old file's rows
            if app_table.name not in have:
                out.execute(app_table.create_sql)
                have.add(app_table.name)
        for t in d.tables:
            name = t.table.name
            fresh = name not in have
            if fresh:
                out.execute(t.table.create_sql)
            if t.source is None:
                if not fresh:
                    out.execute(f'DELETE FROM "{name}"')
                changed[name] = 0
                continue
            if not fresh and name in same:  # unchanged since the last snapshot
                changed[name] = 0
                continue
            merge = bool(since_time and not fresh and t.since_column and t.table.key)
            # the source's import logs join the file's own (earlier snapshots, imports): never emptied
            keep = name == LOG_TABLE and bool(t.table.key)
            if not merge and not fresh and not keep:
                out.execute(f'DELETE FROM "{name}"')
            n = _copy(out, cur, t, schema, since_time if merge else None, merge or keep,
                      lambda k: report(0.05 + 0.85 * (done + k) / total, f"copying {name}"), stop)
            if merge and not keep and _count(out, name) != counts[name]:
                # rows deleted at the source since the last snapshot: copy the table whole
                out.execute(f'DELETE FROM "{name}"')
                n = _copy(out, cur, t, schema, None, False, lambda k: None, stop)
            changed[name] = n
            done += counts[name] if not merge else 0
    report(0.9, "indexes")
    for d in plan.dashboards:
        for stmt in d.schema.extras:
            if stmt.lstrip().upper().startswith("CREATE TRIGGER"):
                continue
            out.execute(_if_not_exists(stmt))
        for stmt in d.schema.extras:
            if stmt.lstrip().upper().startswith("CREATE TRIGGER"):
                out.execute(_if_not_exists(stmt))
    for (stmt,) in triggers:
        out.execute(_if_not_exists(stmt))
    out.execute("PRAGMA user_version=" + str(max([d.dashboard.user_version for d in plan.dashboards]
                                                 + [out.execute("PRAGMA user_version").fetchone()[0]])))
    out.execute("COMMIT")
    return changed


def _if_not_exists(stmt: str) -> str:
    s = stmt.lstrip()
    for kind in ("CREATE UNIQUE INDEX", "CREATE INDEX", "CREATE TRIGGER", "CREATE VIEW"):
        if s.upper().startswith(kind) and "IF NOT EXISTS" not in s[:len(kind) + 20].upper():
            return f"{kind} IF NOT EXISTS{s[len(kind):]}"
    return s


def _count(out: sqlite3.Connection, table: str) -> int:
    return int(out.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _copy(out: sqlite3.Connection, cur, t: TablePlan, schema: str, since_time: str | None,
          merge: bool, tick: Callable[[int], None], stop: Callable[[], bool]) -> int:
    query, types = t.select(schema, since_time)
    insert = t.insert("INSERT OR REPLACE" if merge else "INSERT")
    copied = 0
    with cur.copy(_copy_sql(query)) as cp:
        cp.set_types(types)
        rows = _rows(cp, cur.connection.pgconn)
        try:
            while True:  # in batches: a cancel is seen within one batch
                before = out.total_changes
                out.executemany(insert, itertools.islice(rows, _BATCH))
                n = out.total_changes - before
                copied += n
                if n < _BATCH:
                    break
                if stop():
                    raise SnapshotCancelled()
                tick(copied)
        except sqlite3.IntegrityError as exc:
            raise SnapshotError(f"table {t.source}: {exc} (copying into {t.table.name}); "
                                "the data file is unchanged") from None
    return copied


def _rows(cp, pgconn) -> Iterator[tuple]:
    """The COPY's rows, parsed by psycopg's C parser.

    `Copy.rows()` waits on the socket through a generator per row, which costs
    more than the parsing; rows libpq already holds are taken here directly
    and only an empty buffer goes through psycopg's wait (`Copy.read`).
    """
    parse = getattr(getattr(cp, "formatter", None), "parse_row", None)
    if parse is None:  # a psycopg without the attribute: the documented way
        yield from cp.rows()
        return
    while True:
        nbytes, data = pgconn.get_copy_data(1)
        if nbytes == 0:
            data = cp.read()  # waits for the next row, or finishes the COPY
            if not data:
                return
        elif nbytes < 0:  # the end (or an error, which read() raises)
            while cp.read():
                pass
            return
        row = parse(data)
        if row is None:  # the binary trailer: let psycopg read the final result
            while cp.read():
                pass
            return
        yield row


def _copy_sql(query):
    from psycopg import sql

    return sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(query)


def _carry_over(out: sqlite3.Connection, old: Path) -> None:
    """The app's own tables and earlier import logs move from the old file to the new one."""
    if not old.is_file():
        return
    out.execute("ATTACH DATABASE ? AS old", (f"file:{old}?mode=ro",))
    try:
        mine = _existing(out)
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


def _log(out: sqlite3.Connection, meta: dict, records: int, now: str) -> None:
    out.execute(LOG_SCHEMA)
    cols = {r[1] for r in out.execute(f"PRAGMA table_info({LOG_TABLE})")}
    row = {"id": str(uuid.uuid4()), "source": "postgresql", "records_imported": records,
           "records_failed": 0, "errors": "[]", "metadata": json.dumps(meta, sort_keys=True),
           "timestamp": now}
    row = {k: v for k, v in row.items() if k in cols}
    out.execute(f"INSERT INTO {LOG_TABLE} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                tuple(row.values()))


def _verify(tmp: Path, plan: Plan, counts: dict[str, int]) -> None:
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
                n = _count(conn, t.table.name)
                expected = counts.get(t.table.name, 0)
                if n != expected and not (t.table.name == LOG_TABLE and n > expected):  # + the file's own logs
                    raise SnapshotError(f"the new file's table {t.table.name} holds {n} rows, the source "
                                        f"{expected}; the data file is unchanged")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise SnapshotError(f"the new file does not open ({exc}); the data file is unchanged") from None


def _swap(tmp: Path, target: Path) -> None:
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

