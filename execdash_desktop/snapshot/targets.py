"""What a snapshot writes: each dashboard's tables, read from its own schema SQL.

The mapping is derived, never listed: the dashboard's schema runs in a scratch
in-memory database and `PRAGMA table_info` gives every table's columns, types,
NOT NULL and keys. A dashboard added later snapshots without code here; it may
declare `snapshot_aliases` for PostgreSQL names the rules below cannot guess.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

# The app's own tables: never read from a source, carried over from the old file.
APP_TABLES = ("user_events", "user_event_meta")
LOG_TABLE = "import_logs"


@dataclass(frozen=True)
class Column:
    name: str
    decl: str  # the declared SQLite type, upper case ("" when none)
    required: bool  # NOT NULL without a default, or the primary key
    pk: int  # position in the primary key, 0 when not part of it


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    create_sql: str

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in sorted((c for c in self.columns if c.pk), key=lambda c: c.pk))


@dataclass(frozen=True)
class Dashboard:
    """One dashboard as a snapshot sees it."""

    name: str
    title: str
    schema_sql: str
    required: tuple[str, ...]  # without these the dashboard is skipped
    user_version: int = 0
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "table.column" or "table" -> source names


@dataclass(frozen=True)
class Schema:
    """A dashboard's schema read back from a scratch database."""

    tables: tuple[Table, ...]
    extras: tuple[str, ...]  # CREATE INDEX / TRIGGER / VIEW statements, run after the data

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def read_schema(schema_sql: str) -> Schema:
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.executescript(schema_sql)
        rows = scratch.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
        tables, extras = [], []
        for kind, name, sql in rows:
            if kind != "table":
                extras.append(sql)
                continue
            cols = tuple(
                Column(name=c[1], decl=(c[2] or "").upper(), pk=int(c[5]),
                       required=bool(c[5]) or (bool(c[3]) and c[4] is None))
                for c in scratch.execute(f'PRAGMA table_info("{name}")'))
            tables.append(Table(name=name, columns=cols, create_sql=sql))
        return Schema(tables=tuple(tables), extras=tuple(extras))
    finally:
        scratch.close()


# PostgreSQL names the rules below cannot guess, by dashboard, until its
# declaration carries `snapshot_aliases` (design/engineering-pack.md: a Prisma
# database's `revenueImpact` is `revenue_impact_daily`).
FALLBACK_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "engineering": {"bugs.revenue_impact_daily": ("revenueImpact", "revenue_impact")},
}


def installed_dashboards() -> tuple[Dashboard, ...]:
    """The dashboards the app knows (the declaration registry, design/dashboards.md)."""
    from importlib import resources

    from ..store import SCHEMA_VERSION, schema_sql

    from ..dashboards import all_dashboards
    out = []
    for d in all_dashboards():
        sql = getattr(d, "schema_sql", None) or getattr(d, "schema", None)
        if callable(sql):
            sql = sql()
        if isinstance(sql, str) and sql.endswith(".sql") and "\n" not in sql:  # a file in execdash_desktop.data
            sql = resources.files("execdash_desktop.data").joinpath(sql).read_text("utf-8")
        aliases = dict(FALLBACK_ALIASES.get(d.name, {}))
        aliases.update(getattr(d, "snapshot_aliases", None) or {})
        out.append(Dashboard(
            name=d.name, title=d.title, schema_sql=sql or schema_sql(), required=tuple(d.required),
            user_version=int(getattr(d, "schema_version", SCHEMA_VERSION)), aliases=aliases))
    return tuple(out)


# Names ------------------------------------------------------------------------
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words(name: str) -> list[str]:
    """`pipelineStageDaily`, `PipelineStageDaily`, `pipeline_stages_daily` -> words."""
    return [w.lower() for w in _CAMEL.sub("_", name).replace(" ", "_").split("_") if w]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "ches", "shes")):  # classes, statuses, boxes
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def match_table(target: str, source_tables: list[str], aliases: tuple[str, ...] = ()) -> str | None:
    """The source table for a dashboard table: its own name, any case or
    camelCase, singular or plural (`orders`, `Order`, `pipeline_stages_daily`,
    `PipelineStageDaily`), or a name the dashboard declared."""
    for alias in aliases:
        if alias in source_tables:
            return alias
    if target in source_tables:
        return target
    flat = "".join(words(target))
    for s in source_tables:
        if "".join(words(s)) == flat:
            return s
    sing = [_singular(w) for w in words(target)]
    hits = [s for s in source_tables if [_singular(w) for w in words(s)] == sing]
    return hits[0] if hits else None


def match_column(target: str, source_columns: list[str], aliases: tuple[str, ...] = ()) -> str | None:
    """`order_date` <- `order_date` / `orderDate`; `assigned_to` <- `assignedToId`."""
    for alias in aliases:
        if alias in source_columns:
            return alias
    if target in source_columns:
        return target
    flat = "".join(words(target))
    by_flat = {"".join(words(s)): s for s in source_columns}
    if flat in by_flat:
        return by_flat[flat]
    # a Prisma relation field keeps its "Id": assignedToId is assigned_to
    for s in source_columns:
        w = words(s)
        if len(w) > 1 and w[-1] == "id" and "".join(w[:-1]) == flat:
            return s
    return None
