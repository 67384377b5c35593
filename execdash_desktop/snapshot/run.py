"""`execdash snapshot`: copy what the dashboards need from PostgreSQL into a data file.

One read-only REPEATABLE READ transaction, so every table is from one moment.
The new file is written beside the target, checked (it opens, its tables have
the dashboards' columns, every table holds as many rows as the source's), then
renamed over the target: a failure, a cancel or a kill leaves the old file as
it was. `since=True` starts from a copy of the old file and merges the rows
changed since the last snapshot of the same source, equally all-or-nothing.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable

from .transfer import fingerprints, source_counts, write_tables
from .datafile import (carry_over, check_target, last_snapshot, open_new, remove_stale_temps, swap, temp_path,
                       unlink, verify, write_log)
from .plan import make_plan
from .source import (PasswordPrompt, SnapshotCancelled, SnapshotError, _first_line, connect, parse_address,
                     source_tables)
from .targets import Dashboard, installed_dashboards

ProgressFn = Callable[[float, str], None]


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
    target = check_target(db, since)
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
            counts = source_counts(cur, plan, schema)
            prints = fingerprints(cur, plan, schema, pg.info.server_version, counts)
            same = set()
            if previous:  # tables --since cannot merge are skipped when their fingerprint held
                old_prints, old_rows = previous.get("fingerprints") or {}, previous.get("tables") or {}
                same = {n for n, f in prints.items()
                        if old_prints.get(n) == f and old_rows.get(n) == counts.get(n)}
            remove_stale_temps(target)
            unlink(tmp)
            taken_iso = taken.astimezone(timezone.utc).isoformat()
            mode = "since" if previous else "full"
            out = open_new(tmp, target if previous else None)
            try:
                changed = write_tables(out, cur, plan, schema, counts,
                                 previous.get("source_time") if previous else None,
                                 report, stop, same)
                if not previous:
                    carry_over(out, target)
                rows = {t.table.name: counts.get(t.table.name, 0) for t in plan.tables}
                meta = {"from": addr.label, "schema": schema, "mode": mode,
                        "dashboards": [d.dashboard.name for d in plan.dashboards],
                        "tables": rows, "changed": changed, "source_time": taken_iso,
                        "fingerprints": prints,
                        "seconds": round(time.perf_counter() - t0, 2), "notes": notes}
                stamp = datetime.now(timezone.utc)  # the import log's form: 2026-11-29T17:42:05.123Z
                now = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
                write_log(out, meta, sum(changed.values()), now)
                report(0.95, "checking the new file")
                out.execute("PRAGMA analysis_limit=1000")  # planner statistics from a sample
                out.execute("ANALYZE")
                out.execute("PRAGMA journal_mode=WAL")
            finally:
                out.close()
        pg.rollback()  # read-only: nothing to commit
        verify(tmp, plan, counts)
        if stop():
            raise SnapshotCancelled()
        swap(tmp, target)
    except psycopg.Error as exc:
        unlink(tmp)
        raise SnapshotError(f"{addr.label}: {_first_line(exc)}; the data file is unchanged") from None
    except sqlite3.Error as exc:
        unlink(tmp)
        raise SnapshotError(f"{tmp}: {exc}; the data file is unchanged") from None
    except BaseException:
        unlink(tmp)
        raise
    finally:
        pg.close()
    report(1.0, "done")
    return SnapshotResult(path=str(target), source=addr.label, mode=mode,
                          dashboards=tuple(d.dashboard.name for d in plan.dashboards),
                          rows=rows, changed=changed, notes=tuple(notes),
                          seconds=round(time.perf_counter() - t0, 2), taken_at=now)
