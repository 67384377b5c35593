"""Which source table and columns feed each dashboard table, and how to read them.

PostgreSQL types become SQLite values on the server, inside the COPY query, so
the binary stream carries only integers, floats, text and bytes: uuid and enums
as text, numeric as float, booleans as 0/1, arrays and json(b) as JSON text,
timestamps as ISO-8601 UTC text (in SQLite's own `YYYY-MM-DD HH:MM:SS` form for
a column declared DATETIME/TIMESTAMP, `...THH:MM:SSZ` otherwise, a bare date for DATE).
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from .source import SnapshotError, SourceColumn
from .targets import APP_TABLES, Column, Dashboard, Schema, Table, match_column, match_table, read_schema


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


_SQLITE_STAMP = "YYYY-MM-DD HH24:MI:SS.US"
_ISO_STAMP = 'YYYY-MM-DD"T"HH24:MI:SS.US'


def _expression(c: sql.Identifier, s: SourceColumn, target: Column) -> tuple[sql.Composable, str]:
    t = s.typname
    if s.category == "A":
        return sql.SQL("to_json({})::text").format(c), "text"
    if t in ("json", "jsonb"):
        return sql.SQL("{}::text").format(c), "text"
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
    if t == "date":
        return sql.SQL("to_char({}, 'YYYY-MM-DD')").format(c), "text"
    if t in ("timestamptz", "timestamp"):
        v = sql.SQL("({} AT TIME ZONE 'UTC')").format(c) if t == "timestamptz" else c
        if target.decl == "DATE":
            return sql.SQL("to_char({}, 'YYYY-MM-DD')").format(v), "text"
        sqlite_form = "DATETIME" in target.decl or "TIMESTAMP" in target.decl
        fmt = sql.Literal(_SQLITE_STAMP if sqlite_form else _ISO_STAMP)
        # whole seconds print without a fraction: 17:42:00, not 17:42:00.000000
        e = sql.SQL("rtrim(rtrim(to_char({}, {}), '0'), '.')").format(v, fmt)
        return (e if sqlite_form else sql.SQL("({} || 'Z')").format(e)), "text"
    return sql.SQL("{}::text").format(c), "text"
