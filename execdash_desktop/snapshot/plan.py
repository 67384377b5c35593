"""Which source table and columns feed each dashboard table, and how to read them.

PostgreSQL types become SQLite values on the server, inside the COPY query, so
the binary stream carries only integers, floats, text and bytes: uuid and enums
as text, numeric as float, booleans as 0/1, arrays and json(b) as JSON text,
timestamps as ISO-8601 UTC text (in SQLite's own `YYYY-MM-DD HH:MM:SS` form for
a column declared DATETIME/TIMESTAMP, `...THH:MM:SSZ` otherwise, a bare date for DATE);
dates as YYYY-MM-DD.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from psycopg import sql

from .source import SnapshotError, SourceColumn
from .targets import APP_TABLES, Column, Dashboard, Schema, Table, match_column, match_table, read_schema


# credentials never travel to a laptop: a column named like one is left empty (NULL) when
# the dashboard does not need it (the CTO schema's users.password_hash: no chart reads it)
SECRET_COLUMN = re.compile(r"password|passwd|secret|token|api_?key", re.I)


@dataclass(frozen=True)
class TablePlan:
    table: Table
    source: str | None  # the source table's name, None when the source has no such table
    columns: tuple[tuple[Column, SourceColumn], ...]  # the target columns the source fills
    since_column: str | None  # updated_at, else created_at, when the source has one

    def select(self, schema: str, since: str | None = None) -> tuple[sql.Composed, list[str]]:
        exprs, types = [], []
        for target, src in self.columns:
            e, t = _expression(sql.Identifier(src.name), src, target)
            exprs.append(e)
            types.append(t)
        q = sql.SQL("SELECT {} FROM {}.{}").format(
            sql.SQL(", ").join(exprs), sql.Identifier(schema), sql.Identifier(self.source))
        if since is not None and self.since_column:
            q = q + sql.SQL(" WHERE {} >= {}::timestamptz").format(
                sql.Identifier(self.since_column), sql.Literal(since))
        return q, types

    def insert(self, verb: str = "INSERT") -> str:
        names = ", ".join(f'"{c.name}"' for c, _ in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        return f'{verb} INTO "{self.table.name}" ({names}) VALUES ({marks})'


@dataclass(frozen=True)
class DashboardPlan:
    dashboard: Dashboard
    schema: Schema
    tables: tuple[TablePlan, ...]
    app_tables: tuple[Table, ...]  # the app's own (metrics) tables: created, never copied


@dataclass(frozen=True)
class Plan:
    dashboards: tuple[DashboardPlan, ...]
    notes: tuple[str, ...]  # one line each: a dashboard skipped, a table left empty

    @property
    def tables(self) -> tuple[TablePlan, ...]:
        return tuple(t for d in self.dashboards for t in d.tables)


def make_plan(dashboards: tuple[Dashboard, ...], src: dict[str, list[SourceColumn]],
              schema: str, label: str) -> Plan:
    names = sorted(src)
    plans, notes, seen = [], [], set()
    for d in dashboards:
        sch = read_schema(d.schema_sql)
        targets = [t for t in sch.tables if t.name not in APP_TABLES and t.name not in seen]
        found = {t.name: match_table(t.name, names, tuple(d.aliases.get(t.name, ()))) for t in targets}
        missing = [n for n in d.required if n in found and found[n] is None]
        if missing:
            notes.append(f"skipped the {d.title} dashboard: {label} has no table "
                         f"{', '.join(missing)} in schema {schema}")
            continue
        tables = []
        for t in targets:
            s = found[t.name]
            if s is None:
                notes.append(f"{d.title}: no table {t.name} in schema {schema}; it stays empty")
                tables.append(TablePlan(t, None, (), None))
                continue
            tables.append(_table_plan(d, t, s, src[s]))
            seen.add(t.name)
        plans.append(DashboardPlan(d, sch, tuple(tables),
                                   tuple(t for t in sch.tables if t.name in APP_TABLES)))
    return Plan(tuple(plans), tuple(notes))


def _table_plan(d: Dashboard, t: Table, source: str, cols: list[SourceColumn]) -> TablePlan:
    by_name = {c.name: c for c in cols}
    names = list(by_name)
    pairs = []
    for c in t.columns:
        if not c.required and SECRET_COLUMN.search(c.name):
            continue
        s = match_column(c.name, names, tuple(d.aliases.get(f"{t.name}.{c.name}", ())))
        if s is None:
            if c.required:
                shown = source if source == t.name else f"{source} (for {t.name})"
                raise SnapshotError(f"table {shown} has no column {c.name}, which the "
                                    f"{d.title} dashboard needs")
            continue
        pairs.append((c, by_name[s]))
    since = None
    for stamp in ("updated_at", "created_at"):  # --since reads rows changed after the last snapshot
        m = match_column(stamp, names)
        if m and by_name[m].category == "D":
            since = m
            break
    return TablePlan(t, source, tuple(pairs), since)


def _expression(c: sql.Identifier, s: SourceColumn, target: Column) -> tuple[sql.Composable, str]:
    """The SELECT expression and the binary COPY type of one column.

    The transaction runs with DateStyle ISO and TimeZone UTC (run.py), so a
    date's text is YYYY-MM-DD and a timestamptz's is `YYYY-MM-DD HH:MM:SS[.ffffff]+00`
    (casts to text cost a third of to_char on the server).
    """
    t = s.typname
    if s.category == "A":
        return sql.SQL("to_json({})::text").format(c), "text"
    if t in ("json", "jsonb"):
        return sql.SQL("{}::text").format(c), "text"  # uuid, enums, text, date (YYYY-MM-DD)...
    if s.category == "B":
        return sql.SQL("{}::int4").format(c), "int4"
    if t in ("int2", "int4", "int8", "oid"):
        return sql.SQL("{}::int8").format(c), "int8"
    if t in ("numeric", "float4", "float8"):
        return sql.SQL("{}::float8").format(c), "float8"
    if t == "money":
        return sql.SQL("{}::numeric::float8").format(c), "float8"
    if t == "bytea":
        return c, "bytea"
    if t in ("timestamptz", "timestamp"):
        if target.decl == "DATE":
            return sql.SQL("{}::date::text").format(c), "text"
        text = sql.SQL("left({}::text, -3)" if t == "timestamptz" else "{}::text").format(c)  # no "+00"
        if "DATETIME" in target.decl or "TIMESTAMP" in target.decl:
            return text, "text"  # SQLite's own form: 2026-11-29 16:42:00
        return sql.SQL("(replace({}, ' ', 'T') || 'Z')").format(text), "text"  # 2026-11-29T16:42:00Z
    return sql.SQL("{}::text").format(c), "text"  # uuid, enums, text, date (YYYY-MM-DD)...
