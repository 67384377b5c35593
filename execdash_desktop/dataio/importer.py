"""`execdash import`: spreadsheets into a data file, all or nothing, with a report.

Everything is written in one transaction: a bad row (unless skip_bad_rows), a
cancel or a killed process leaves the file as it was. A new file is built
beside the target under a temporary name and renamed into place only when
complete. The metrics tables are never written; every run but a dry run adds
one `import_logs` row.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from itertools import compress
from pathlib import Path

from .. import store
from .logs import write_log
from .names import match_columns, match_table
from .readers import Sheet, SourceError, checksum, list_sheets, read_chunks
from .report import PartResult, Problem, ProblemLog, Report
from .schema import NOT_IMPORTABLE, TableSpec, _q, dashboards, importable_tables
from .validate import TableValidator

MODES = ("append", "replace", "upsert")
Progress = Callable[[float, str], None]


class ImportCancelled(Exception):
    pass


@dataclass(frozen=True)
class Plan:
    """A sheet and the table it goes to, with its header -> column mapping."""

    sheet: Sheet
    table: str | None
    headers: tuple[str, ...] = ()
    mapping: dict = field(default_factory=dict, compare=False)


def _topological(tables: list[str], specs: dict[str, TableSpec]) -> list[str]:
    """Parents before the tables that refer to them."""
    out: list[str] = []

    def visit(t: str, path: tuple) -> None:
        if t in out or t in path:
            return
        for fk in specs[t].foreign_keys:
            if fk.parent in tables and fk.parent != t:
                visit(fk.parent, path + (t,))
        out.append(t)

    for t in tables:
        visit(t, ())
    return out


def plan_import(sources: list[str], stack: ExitStack, table: str | None = None,
                sheet: str | None = None, overrides: dict | None = None) -> list[Plan]:
    """Which sheet goes to which table, and how its headers map to columns."""
    from .readers import preview

    specs = importable_tables()
    names = list(specs)
    if table is not None:
        resolved = match_table(table, names)
        if resolved is None:
            raise SourceError(f"no table named {table!r}: expected one of {', '.join(sorted(names))}")
        table = resolved
    sheets = list_sheets(sources, stack)
    if sheet is not None:
        sheets = [s for s in sheets if s.sheet is None or s.sheet.strip().lower() == sheet.strip().lower()]
        if not sheets:
            raise SourceError(f"no sheet named {sheet!r} in {', '.join(sources)}")
    plans = []
    for s in sheets:
        target = next((t for t in (match_table(h, names) for h in s.hints) if t), None) or table
        head = preview(s, 1)
        headers = head.headers if head is not None else ()
        mapping = match_columns(list(headers), [c.name for c in specs[target].columns], target) if target else {}
        override = (overrides or {}).get((s.display, s.sheet))
        if override:
            mapping.update({h: c for h, c in override.items() if h in mapping})
        plans.append(Plan(s, target, tuple(headers), mapping))
    return plans


def _statements(script: str) -> list[str]:
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            code = "\n".join(ln for ln in buf.splitlines() if not ln.strip().startswith("--")).strip()
            if code and not code.upper().startswith("PRAGMA"):  # the schema's PRAGMAs are not ours to run
                out.append(code)
            buf = ""
    return out


def _open_target(db: Path, dry_run: bool, stack: ExitStack) -> tuple[sqlite3.Connection, Path | None]:
    """The connection to write through; for a new file, a temporary file beside it."""
    if db.exists() and dry_run:  # a transaction rolled back: no WAL switch, not a byte changed
        p = store.check_path(db)
        uri = store._uri(p, mode="rw" if store.is_writable(p) else "ro")
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=store.busy_timeout_ms() / 1000)
        stack.callback(conn.close)
        return conn, None
    if db.exists():
        conn = store.open_writer(db)
        stack.callback(conn.close)
        return conn, None
    if dry_run:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        stack.callback(conn.close)
        return conn, None
    if not db.parent.is_dir():
        raise SourceError(f"{db.parent}: no such folder for the data file")
    fd, tmp = tempfile.mkstemp(prefix=f".{db.name}.", suffix=".importing", dir=db.parent)
    os.close(fd)
    tmp = Path(tmp)
    stack.callback(lambda: tmp.unlink(missing_ok=True))
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    stack.callback(conn.close)
    # a new file is not the user's until renamed into place: no journal, one fsync at the end
    conn.execute("PRAGMA journal_mode=MEMORY")
    conn.execute("PRAGMA synchronous=OFF")
    for d in dashboards():
        conn.executescript(d.schema_sql)
    conn.execute(f"PRAGMA user_version={store.SCHEMA_VERSION}")
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn, tmp


class _Keys:
    """Key sets read from the file once, plus the keys this run adds (for foreign keys)."""

    def __init__(self, conn: sqlite3.Connection, replaced: set[str]):
        self.conn, self.replaced = conn, replaced
        self._cache: dict[tuple, set] = {}

    def of(self, table: str, cols: tuple[str, ...]) -> set:
        k = (table, cols)
        if k not in self._cache:
            from .convert import same_key

            s: set = set()
            if table not in self.replaced:
                try:
                    rows = self.conn.execute(
                        f"SELECT {', '.join(map(_q, cols))} FROM {_q(table)}")
                    if len(cols) == 1:
                        s = {same_key(r[0]) for r in rows}
                    else:
                        s = {tuple(map(same_key, r)) for r in rows}
                except sqlite3.OperationalError:
                    s = set()
            self._cache[k] = s
        return self._cache[k]

    def add(self, table: str, values: dict, good, exact: Callable[[tuple], bool]) -> None:
        """Keys of the rows just imported; `exact(cols)`: their values are set members as they are."""
        from .convert import same_key

        for (t, cols), s in self._cache.items():
            if t != table or not all(c in values for c in cols):
                continue
            lists = [list(compress(values[c], good)) for c in cols]
            if len(cols) == 1:
                s.update(lists[0] if exact(cols) else map(same_key, lists[0]))
                s.discard(None)
            else:
                s.update(tuple(map(same_key, r)) for r in zip(*lists))


def _insert_sql(spec: TableSpec, columns: tuple[str, ...], mode: str) -> str:
    sql = (f"INSERT INTO {_q(spec.name)} ({', '.join(map(_q, columns))}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    if mode == "upsert" and spec.primary_key and all(c in columns for c in spec.primary_key):
        rest = [c for c in columns if c not in spec.primary_key]
        sets = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in rest)
        sql += f" ON CONFLICT ({', '.join(map(_q, spec.primary_key))}) DO " + (
            f"UPDATE SET {sets}" if rest else "NOTHING")
    return sql


def _write_chunk(conn, sql, checked, plan: Plan, log: ProblemLog) -> int:
    """Insert the good rows; a row the file itself refuses is found one by one and reported."""
    good = checked.good
    lists = [checked.values[c] for c in checked.columns]
    conn.execute("SAVEPOINT chunk")
    try:
        conn.executemany(sql, zip(*(compress(v, good) for v in lists)))
        conn.execute("RELEASE chunk")
        return int(good.sum())
    except sqlite3.DatabaseError:
        conn.execute("ROLLBACK TO chunk")
    written = 0
    for i in good.nonzero()[0].tolist():
        try:
            conn.execute(sql, tuple(v[i] for v in lists))
            written += 1
        except sqlite3.DatabaseError as exc:
            log.add(Problem("database", plan.sheet.display, plan.sheet.sheet, int(checked.rows[i]), None,
                            None, f"a row the data file accepts ({exc})", plan.table))
            good[i] = False
    conn.execute("RELEASE chunk")
    return written


def run_import(db: str | os.PathLike, sources: list[str], *, table: str | None = None,
               sheet: str | None = None, mode: str = "append", dry_run: bool = False,
               skip_bad_rows: bool = False, overrides: dict | None = None,
               progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
               chunk_rows: int | None = None) -> Report:
    """Validate and import `sources` into `db`; the Report says what was found and done."""
    if mode not in MODES:
        raise SourceError(f"invalid mode {mode!r}: expected one of {', '.join(MODES)}")
    t0 = time.perf_counter()
    progress = progress or (lambda f, m: None)
    cancelled = cancelled or (lambda: False)
    progress(0.0, "Opening the files")  # first: reading the dashboards' schemas takes a moment
    db = Path(db).expanduser()
    specs = importable_tables()
    log = ProblemLog()
    with ExitStack() as stack:
        plans = plan_import(sources, stack, table, sheet, overrides)
        progress(0.0, "Checking the columns")
        parts: dict[int, PartResult] = {}
        for i, p in enumerate(plans):
            if p.table is None:
                own = next((h for h in p.sheet.hints if h.strip().lower() in NOT_IMPORTABLE), None)
                log.add(Problem("no_table", p.sheet.display, p.sheet.sheet, None, None, own or p.sheet.hints[0],
                                "the app's own table cannot be imported into" if own else
                                "a file or sheet named after a table, or --table"))
                parts[i] = PartResult(p.sheet.display, p.sheet.sheet, None)
        todo = [i for i, p in enumerate(plans) if p.table]
        order = _topological(sorted({plans[i].table for i in todo}), specs)
        todo.sort(key=lambda i: order.index(plans[i].table))
        conn, tmp = _open_target(db, dry_run, stack)
        # foreign keys are checked by validation (and foreign_key_check after a replace): with SQLite
        # enforcing them, emptying a replaced table would cascade into tables the user did not name
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA cache_size=-131072")  # 128 MB: the index builds sort in memory
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("BEGIN" if dry_run else "BEGIN IMMEDIATE")  # the write lock before the long work
        _add_missing_tables(conn, {plans[i].table for i in todo}, specs)  # in the transaction
        replaced = {plans[i].table for i in todo} if mode == "replace" else set()
        keys = _Keys(conn, replaced)
        for t in reversed(order):
            if t in replaced and not dry_run:
                conn.execute(f"DELETE FROM {_q(t)}")
        writing = not dry_run
        indexes = _drop_indexes(conn, order) if writing else []
        was_cancelled = False
        try:
            for n, i in enumerate(todo):
                plan = plans[i]
                spec = specs[plan.table]
                parts[i] = _import_part(conn, plan, spec, mode, log, keys, skip_bad_rows, dry_run,
                                        lambda f, m, n=n: progress((n + f) / len(todo), m), cancelled,
                                        chunk_rows)
            if writing and (skip_bad_rows or not log.errors):
                with _heartbeat(conn, lambda: progress(0.99, "Finishing: indexing the new rows"), cancelled):
                    _restore_indexes(conn, indexes, log)
                    if replaced:
                        _check_children(conn, replaced, specs, log)
        except (ImportCancelled, sqlite3.OperationalError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and "interrupted" not in str(exc):
                raise
            was_cancelled = True
        ok = not was_cancelled and (skip_bad_rows or not log.errors)
        written = ok and not dry_run and any(parts[i].imported for i in todo)
        result = [parts.get(i) or PartResult(p.sheet.display, p.sheet.sheet, p.table) for i, p in enumerate(plans)]
        if not ok or dry_run:
            conn.execute("ROLLBACK")
        log_id = None
        # the log row goes into the file; a new file that would hold nothing else is not created
        if not dry_run and (tmp is None or ok):
            if not ok:
                conn.execute("BEGIN IMMEDIATE")
            log_id = write_log(conn, _source_kind(plans), sum(p.imported for p in result) if ok else 0,
                               sum(p.failed for p in result) if ok else sum(p.rows for p in result),
                               [_problem_dict(p) for p in log.kept[:200]],
                               _metadata(result, mode, skip_bad_rows, time.perf_counter() - t0,
                                         was_cancelled))
            conn.execute("COMMIT")
            if tmp is not None:
                conn.close()
                with open(tmp, "rb+") as f:
                    os.fsync(f.fileno())
                os.replace(tmp, db)
        progress(1.0, "Done")
    return Report(str(db), mode, dry_run, skip_bad_rows, written, was_cancelled,
                  time.perf_counter() - t0,
                  tuple(p if written else replace(p, imported=0) for p in result),  # failed stays
                  tuple(sorted(log.kept, key=_where)), dict(log.counts), log_id)


def _where(p: Problem) -> tuple:
    return (p.file, p.sheet or "", p.row or 0)


def _add_missing_tables(conn, tables: set[str], specs: dict[str, TableSpec]) -> None:
    """A target table this file lacks (an Executive file given Engineering sheets): its
    dashboard's schema is run, statement by statement, skipping what is already there."""
    from ..store import table_names

    present = table_names(conn)
    wanted = {specs[t].dashboard for t in tables if t not in present}
    for d in dashboards():
        if d.name not in wanted:
            continue
        for stmt in _statements(d.schema_sql):
            try:
                conn.execute(stmt)
            except sqlite3.OperationalError as exc:
                if "readonly" in str(exc):  # a dry run on a read-only file: checked without them
                    return
                if "already exists" not in str(exc):
                    raise


def _import_part(conn, plan: Plan, spec: TableSpec, mode: str, log: ProblemLog, keys: _Keys,
                 skip_bad_rows: bool, dry_run: bool, progress: Progress, cancelled,
                 chunk_rows: int | None) -> PartResult:
    validator = TableValidator(
        spec, plan.mapping, plan.sheet.display, plan.sheet.sheet, log,
        existing=lambda cols: keys.of(spec.name, cols),
        parent_keys=lambda fk: keys.of(fk.parent, fk.parent_columns),
        check_existing=mode == "append")
    rows = imported = 0
    sql = _insert_sql(spec, validator.columns, mode) if validator.columns else None
    what = Path(plan.sheet.display).name + (f" [{plan.sheet.sheet}]" if plan.sheet.sheet else "")
    try:
        from .readers import CHUNK_ROWS

        progress(0.0, f"Reading {what}")  # a workbook loads whole before its first rows
        for chunk in read_chunks(plan.sheet, chunk_rows or CHUNK_ROWS):
            if cancelled():
                raise ImportCancelled
            checked = validator.check(chunk.frame)
            rows += len(chunk.frame) - int(checked.blank.sum())
            if not dry_run and sql and (skip_bad_rows or not log.errors):
                imported += _write_chunk(conn, sql, checked, plan, log)
            else:
                imported += int(checked.good.sum())
            keys.add(spec.name, checked.values, checked.good, validator.exact)
            progress(chunk.fraction, f"Checking {what}: {rows:,} rows")
    except SourceError as exc:
        log.add(Problem("unreadable", plan.sheet.display, plan.sheet.sheet, None, None, None, str(exc),
                        spec.name))
    finally:
        validator.close()
    failed = rows - imported
    return PartResult(plan.sheet.display, plan.sheet.sheet, spec.name, rows, imported, failed,
                      checksum(plan.sheet.path), tuple(plan.mapping.items()))


@contextmanager
def _heartbeat(conn: sqlite3.Connection, beat: Callable[[], None], cancelled: Callable[[], bool]):
    """While long statements run (an index build sorts outside SQLite's VM, so its progress
    handler is silent): report twice a second from a helper thread, and interrupt on Cancel."""
    import threading

    done = threading.Event()

    def run() -> None:
        while not done.wait(0.5):
            beat()
            if cancelled():
                conn.interrupt()

    t = threading.Thread(target=run, name="import-heartbeat", daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


def _drop_indexes(conn, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the target tables' own indexes for the bulk insert (in the transaction).

    Building an index once over sorted keys costs less than updating it row by
    row (1M orders: 5.4 s of CPU against 6.3 s, and 3 s less CPU in the whole
    import); a rollback or a killed process brings them back with the rest.
    """
    marks = ",".join("?" * len(tables))
    rows = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                        f"AND tbl_name IN ({marks})", tables).fetchall()
    for name, _sql in rows:
        conn.execute(f"DROP INDEX {_q(name)}")
    return rows


def _restore_indexes(conn, indexes: list[tuple[str, str]], log: ProblemLog) -> None:
    for name, sql in indexes:
        try:
            conn.execute(sql)
        except sqlite3.IntegrityError as exc:  # a unique index validation could not see (partial)
            log.add(Problem("database", name, None, None, None, None, f"rows the data file accepts ({exc})"))


def _check_children(conn, replaced: set[str], specs: dict[str, TableSpec], log: ProblemLog) -> None:
    """Rows left behind in other tables that pointed at rows a replace removed."""
    for name, spec in specs.items():
        if not any(fk.parent in replaced for fk in spec.foreign_keys):
            continue
        try:
            bad = conn.execute(f"PRAGMA foreign_key_check({_q(name)})").fetchall()
        except sqlite3.DatabaseError:
            continue
        for parent in sorted({r[2] for r in bad} & replaced):
            n = sum(1 for r in bad if r[2] == parent)
            log.add(Problem("foreign_key", f"the data file's {name}", None, None, None, f"{n:,} rows",
                            f"the {parent} they refer to to stay (replace {name} too)", name))


def _source_kind(plans: list[Plan]) -> str:
    fmts = [p.sheet.fmt for p in plans] or ["csv"]
    return "csv" if fmts[0] in ("csv", "tsv") else fmts[0]


def _problem_dict(p: Problem) -> dict:
    from dataclasses import asdict

    return asdict(p)


def _metadata(parts: list[PartResult], mode: str, skip: bool, seconds: float, cancelled: bool) -> dict:
    first = parts[0] if parts else None
    return {
        "file": first.file if first else None, "sheet": first.sheet if first else None,
        "table": first.table if first else None, "mode": mode, "skip_bad_rows": skip,
        "checksum": first.checksum if first else None, "duration_s": round(seconds, 3),
        "cancelled": cancelled,
        "parts": [{"file": p.file, "sheet": p.sheet, "table": p.table, "rows": p.rows,
                   "imported": p.imported, "failed": p.failed, "checksum": p.checksum} for p in parts],
    }
