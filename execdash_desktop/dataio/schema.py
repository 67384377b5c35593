"""What a table accepts, read from its dashboard's schema SQL, never written per table.

The schema is run in a scratch in-memory database; SQLite itself then tells the
columns, types, NOT NULLs, defaults (`table_info`), unique keys (`index_list`)
and foreign keys (`foreign_key_list`). CHECK clauses SQLite does not expose:
they are cut out of the stored CREATE TABLE text. A dashboard added later
imports without any code here.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache

# The app's own tables: the metrics (never touched) and the import log itself.
NOT_IMPORTABLE = frozenset({"user_events", "user_event_meta", "import_logs"})


@dataclass(frozen=True)
class Column:
    name: str
    decl: str  # declared type as written (INTEGER, DATE, ...), upper case
    kind: str  # integer | real | numeric | date | timestamp | boolean | text
    not_null: bool
    default_sql: str | None  # the DEFAULT expression, as SQL
    rowid_alias: bool  # INTEGER PRIMARY KEY: SQLite numbers a missing value
    enum: tuple[str, ...] | None  # from CHECK (col IN ('a', 'b'))

    @property
    def required(self) -> bool:
        """A value must come from the file: NOT NULL with no default to fall back on."""
        return self.not_null and self.default_sql is None and not self.rowid_alias


@dataclass(frozen=True)
class Check:
    sql: str  # the expression inside CHECK ( ... )
    columns: tuple[str, ...]  # the table's columns it names, in order of appearance


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    dashboard: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    unique_keys: tuple[tuple[str, ...], ...]  # the primary key first, when it is one
    foreign_keys: tuple[ForeignKey, ...]
    checks: tuple[Check, ...]  # CHECKs other than the enums (evaluated by SQLite)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Dashboard:
    name: str
    title: str
    schema_sql: str
    tables: tuple[TableSpec, ...]


def column_kind(decl: str) -> str:
    """The kind of value a declared type holds (SQLite affinity, dates told apart)."""
    d = decl.upper()
    if "BOOL" in d:
        return "boolean"
    if "INT" in d:
        return "integer"
    if "DATETIME" in d or "TIMESTAMP" in d:
        return "timestamp"
    if "DATE" in d:
        return "date"
    if any(t in d for t in ("CHAR", "CLOB", "TEXT", "UUID", "JSON")) or not d:
        return "text"
    if any(t in d for t in ("REAL", "FLOA", "DOUB")):
        return "real"
    return "numeric"


# -- CHECK clauses out of CREATE TABLE text -------------------------------------------

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_]*|\S")


def _tokens(sql: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(sql)]


def check_clauses(create_sql: str) -> list[str]:
    """The expression of every CHECK ( ... ) in a CREATE TABLE statement."""
    toks = _tokens(create_sql)
    out = []
    for i, (tok, _s, _e) in enumerate(toks):
        if tok.upper() != "CHECK" or i + 1 >= len(toks) or toks[i + 1][0] != "(":
            continue
        depth, start = 0, toks[i + 1][2]
        for tok2, s2, _e2 in toks[i + 1:]:
            depth += tok2 == "("
            depth -= tok2 == ")"
            if depth == 0:
                out.append(create_sql[start:s2].strip())
                break
    return out


def _unquote(name: str) -> str:
    if name[:1] in "\"`[" and len(name) >= 2:
        return name[1:-1].replace('""', '"')
    return name


_ENUM = re.compile(r"^\s*([\"`\[]?[A-Za-z_][A-Za-z0-9_ ]*[\"`\]]?)\s+IN\s*\((.*)\)\s*$", re.I | re.S)


def _enum_of(expr: str) -> tuple[str, tuple[str, ...]] | None:
    """`col IN ('a', 'b')` -> (col, ('a', 'b')); any other expression -> None."""
    m = _ENUM.match(expr)
    if not m:
        return None
    items = [t for t, _s, _e in _tokens(m.group(2))]
    values = items[0::2]
    if not values or any(sep != "," for sep in items[1::2]) or not all(v.startswith("'") for v in values):
        return None
    return _unquote(m.group(1).strip()), tuple(v[1:-1].replace("''", "'") for v in values)


def _named_columns(expr: str, columns: list[str]) -> tuple[str, ...]:
    lower = {c.lower(): c for c in columns}
    seen: list[str] = []
    for tok, _s, _e in _tokens(expr):
        if tok.startswith("'"):
            continue
        c = lower.get(_unquote(tok).lower())
        if c and c not in seen:
            seen.append(c)
    return tuple(seen)


# -- one table, via SQLite's own pragmas ----------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_spec(conn: sqlite3.Connection, dashboard: str, table: str, create_sql: str) -> TableSpec:
    info = conn.execute(f"PRAGMA table_info({_q(table)})").fetchall()  # cid, name, type, notnull, dflt, pk
    names = [r[1] for r in info]
    pk = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
    enums: dict[str, tuple[str, ...]] = {}
    checks = []
    for expr in check_clauses(create_sql):
        enum = _enum_of(expr)
        if enum and enum[0] in names and enum[0] not in enums:
            enums[enum[0]] = enum[1]
        else:
            checks.append(Check(expr, _named_columns(expr, names)))
    columns = []
    for _cid, name, decl, notnull, dflt, pkpos in info:
        rowid_alias = len(pk) == 1 and pkpos == 1 and (decl or "").upper() == "INTEGER"
        columns.append(Column(name, (decl or "").upper(), column_kind(decl or ""), bool(notnull),
                              dflt, rowid_alias, enums.get(name)))
    uniques: list[tuple[str, ...]] = [pk] if pk else []
    for _seq, index, unique, _origin, partial in conn.execute(f"PRAGMA index_list({_q(table)})"):
        if not unique or partial:
            continue
        cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({_q(index)})"))
        if cols and None not in cols and cols not in uniques:
            uniques.append(cols)
    fks: dict[int, list] = {}
    for fid, _seq, parent, frm, to, *_rest in conn.execute(f"PRAGMA foreign_key_list({_q(table)})"):
        fks.setdefault(fid, [parent, [], []])
        fks[fid][1].append(frm)
        fks[fid][2].append(to)
    foreign = []
    for parent, frm, to in fks.values():
        if None in to:  # REFERENCES parent without columns: the parent's primary key
            ppk = [r[1] for r in sorted((r for r in conn.execute(f"PRAGMA table_info({_q(parent)})")
                                         if r[5]), key=lambda r: r[5])]
            to = ppk
        foreign.append(ForeignKey(tuple(frm), parent, tuple(to)))
    return TableSpec(dashboard, table, tuple(columns), pk, tuple(uniques), tuple(foreign), tuple(checks))


@lru_cache(maxsize=16)
def parse_schema(dashboard: str, schema_sql: str) -> tuple[TableSpec, ...]:
    """Every table a schema creates, as SQLite sees it once the script has run."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(schema_sql)
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
        return tuple(_table_spec(conn, dashboard, name, sql) for name, sql in rows)
    finally:
        conn.close()


def _declared() -> list[tuple[str, str, str]]:
    """(name, title, schema SQL) of every dashboard the app has, in the registry's order.

    The dashboard registry (execdash_desktop.dashboards) names each dashboard's
    schema file in execdash_desktop.data; before it existed the packs registry
    listed the Executive pack alone, whose schema is the data file's own.
    """
    from importlib import resources

    try:
        from ..dashboards import all_dashboards
    except ImportError:
        from ..packs import all_packs
        from ..store import schema_sql

        return [(p.name, p.title, schema_sql()) for p in all_packs()]
    data = resources.files("execdash_desktop.data")
    return [(d.name, d.title, data.joinpath(d.schema).read_text("utf-8")) for d in all_dashboards()]


def dashboards() -> tuple[Dashboard, ...]:
    """Every dashboard the app has, with its tables as its schema declares them."""
    return tuple(Dashboard(name, title, sql, parse_schema(name, sql)) for name, title, sql in _declared())


def importable_tables() -> dict[str, TableSpec]:
    """Table name -> spec, over every dashboard (the first dashboard to declare a name owns it)."""
    out: dict[str, TableSpec] = {}
    for d in dashboards():
        for t in d.tables:
            if t.name not in NOT_IMPORTABLE:
                out.setdefault(t.name, t)
    return out


def dashboard(name: str) -> Dashboard:
    for d in dashboards():
        if d.name == name.strip().lower():
            return d
    known = ", ".join(d.name for d in dashboards())
    raise KeyError(f"no dashboard named {name!r}: expected one of {known}")
