"""Copying the tables: binary COPY from PostgreSQL into the new file, or merging
the rows changed since the last snapshot (--since)."""

from __future__ import annotations

import itertools
import sqlite3
from typing import Callable, Iterator

from .datafile import count_rows, existing
from .plan import Plan, TablePlan
from .source import SnapshotCancelled, SnapshotError
from .targets import LOG_TABLE

ProgressFn = Callable[[float, str], None]

_BATCH = 20_000  # rows between progress reports and cancel checks


FINGERPRINT_MAX_ROWS = 200_000


def source_counts(cur, plan: Plan, schema: str) -> dict[str, int]:
    from psycopg import sql

    present = [t for t in plan.tables if t.source]
    if not present:
        return {}
    q = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}.{}").format(
            sql.Literal(t.table.name), sql.Identifier(schema), sql.Identifier(t.source))
        for t in present)
    return {name: int(n) for name, n in cur.execute(q).fetchall()}


def fingerprints(cur, plan: Plan, schema: str, server_version: int, counts: dict[str, int]) -> dict[str, str]:
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


def write_tables(out: sqlite3.Connection, cur, plan: Plan, schema: str, counts: dict[str, int],
           since_time: str | None, report: ProgressFn, stop: Callable[[], bool],
           same: set[str] = frozenset()) -> dict[str, int]:
    have = existing(out)
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
            if merge and not keep and (count_rows(out, name) != counts[name]
                                       or not _same_keys(out, cur, t, schema)):
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


_P = 1_000_000_007


def _same_keys(out: sqlite3.Connection, cur, t: TablePlan, schema: str) -> bool:
    """Whether the merged table holds the source's keys: a row deleted and one
    back-filled with an old time stamp keep the count but not the sums of an
    integer key and of its squares (mod a prime). Other keys: the count alone."""
    from psycopg import sql

    if len(t.table.key) != 1:
        return True
    src = next((s for c, s in t.columns if c.name == t.table.key[0]), None)
    if src is None or src.typname not in ("int2", "int4", "int8"):
        return True
    k = sql.Identifier(src.name)
    theirs = cur.execute(sql.SQL(
        "SELECT coalesce(sum({k}), 0)::text, coalesce(sum((({k} % {p}) * ({k} % {p})) % {p}), 0)::text "
        "FROM {s}.{t}").format(k=k, p=sql.Literal(_P), s=sql.Identifier(schema),
                               t=sql.Identifier(t.source))).fetchone()
    key = f'"{t.table.key[0]}"'
    mine = out.execute(f"SELECT coalesce(sum({key}), 0), coalesce(sum((({key} % {_P}) * ({key} % {_P})) % {_P}), 0) "
                       f'FROM "{t.table.name}"').fetchone()
    return tuple(int(x) for x in theirs) == tuple(int(x) for x in mine)


def _if_not_exists(stmt: str) -> str:
    s = stmt.lstrip()
    for kind in ("CREATE UNIQUE INDEX", "CREATE INDEX", "CREATE TRIGGER", "CREATE VIEW"):
        if s.upper().startswith(kind) and "IF NOT EXISTS" not in s[:len(kind) + 20].upper():
            return f"{kind} IF NOT EXISTS{s[len(kind):]}"
    return s


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
