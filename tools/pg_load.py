"""Load a data file's dashboard tables into PostgreSQL with PostgreSQL's own types.

For tests and benchmarks of `execdash snapshot`: the tables a real company
database would hold, typed the way PostgreSQL would type them (enums from the
CHECK lists, numeric, date, timestamptz, uuid, text[] and jsonb where the
values are UUIDs, JSON arrays or objects), named in snake_case or the Prisma
way (`Order`, `PipelineStageDaily`, `orderDate`, `assignedToId`).
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path

from psycopg import sql

from execdash_desktop.snapshot.targets import APP_TABLES, _singular, read_schema, words

_CHECK_IN = re.compile(r'"?(\w+)"?\s+TEXT[^,]*?CHECK\s*\(\s*"?\1"?\s+IN\s*\(([^)]*)\)\s*\)', re.I)


def prisma_table(name: str) -> str:
    return "".join(_singular(w).capitalize() for w in words(name))


def prisma_column(name: str) -> str:
    w = words(name)
    if len(w) > 1 and w[-1] in ("by", "to"):  # Prisma relation fields: assignedToId, createdById
        w = [*w, "id"]
    return w[0] + "".join(x.capitalize() for x in w[1:])


def _is_uuid(v) -> bool:
    try:
        uuid.UUID(str(v))
        return len(str(v)) == 36
    except ValueError:
        return False


def _json_kind(values: list) -> str | None:
    try:
        parsed = [json.loads(v) for v in values]
    except (TypeError, ValueError):
        return None
    if all(isinstance(p, list) and all(isinstance(x, str) for x in p) for p in parsed):
        return "text[]"
    if all(isinstance(p, (list, dict)) for p in parsed):
        return "jsonb"
    return None


def _pg_type(table: str, col, enums: dict, sample: list) -> str:
    decl = col.decl
    if col.name in enums:
        return enums[col.name]
    if "INT" in decl:
        return "bigint"
    if decl in ("REAL", "FLOAT", "DOUBLE", "NUMERIC") or "REAL" in decl:
        return "numeric"
    if decl == "DATE":
        return "date"
    if "DATETIME" in decl or "TIMESTAMP" in decl:
        return "timestamptz"
    if "BOOL" in decl:
        return "boolean"
    present = [v for v in sample if v is not None]
    if present and all(isinstance(v, str) for v in present):
        if all(_is_uuid(v) for v in present):
            return "uuid"
        if all(v[:1] in "[{" for v in present):
            kind = _json_kind(present)
            if kind:
                return kind
        if all(re.fullmatch(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?", v)
               for v in present) and col.name.endswith(("_at", "_date")):
            return "timestamptz"
    return "text"


def load_sqlite(path: str | Path, admin, schema: str = "public", style: str = "snake",
                schema_sql: str | None = None, skip: tuple[str, ...] = (), extra_updated_at: tuple[str, ...] = ()) -> dict[str, str]:
    """Create and fill the tables of `schema_sql` (default: the file's own) in `schema`.

    Returns {sqlite table: PostgreSQL table}. `extra_updated_at` tables get an
    `updated_at timestamptz` column the dashboards do not have (for --since).
    """
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    if schema_sql is None:
        schema_sql = "\n".join(r[0] + ";" for r in src.execute(
            "SELECT sql FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))
    parsed = read_schema(schema_sql)
    admin.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    names: dict[str, str] = {}
    for t in parsed.tables:
        if t.name in APP_TABLES or t.name in skip:
            continue
        pg_name = prisma_table(t.name) if style == "prisma" else t.name
        enums = {}
        for col, values in _CHECK_IN.findall(t.create_sql):
            labels = [v.strip().strip("'") for v in values.split(",")]
            ename = f"{t.name}_{col}"
            admin.execute(sql.SQL("CREATE TYPE {}.{} AS ENUM ({})").format(
                sql.Identifier(schema), sql.Identifier(ename), sql.SQL(", ").join(map(sql.Literal, labels))))
            enums[col] = f'"{schema}"."{ename}"'
        cols = [c.name for c in t.columns]
        sample = src.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t.name}" '
                             "LIMIT 200").fetchall()
        types = [_pg_type(t.name, c, enums, [r[i] for r in sample]) for i, c in enumerate(t.columns)]
        pg_cols = [prisma_column(c) if style == "prisma" else c for c in cols]
        defs = [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(ty)) for n, ty in zip(pg_cols, types)]
        if t.key:
            defs.append(sql.SQL("PRIMARY KEY ({})").format(sql.SQL(", ").join(
                sql.Identifier(pg_cols[cols.index(k)]) for k in t.key)))
        if t.name in extra_updated_at:
            defs.append(sql.SQL("{} timestamptz NOT NULL DEFAULT now()").format(
                sql.Identifier("updatedAt" if style == "prisma" else "updated_at")))
        ident = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(pg_name))
        admin.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(defs)))
        convert = [_converter(ty) for ty in types]
        with admin.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                ident, sql.SQL(", ").join(map(sql.Identifier, pg_cols)))) as cp:
            for row in src.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t.name}"'):
                cp.write_row([f(v) for f, v in zip(convert, row)])
        if t.name in extra_updated_at:
            admin.execute(sql.SQL("CREATE INDEX ON {} ({})").format(
                ident, sql.Identifier("updatedAt" if style == "prisma" else "updated_at")))
        names[t.name] = pg_name
    admin.execute(sql.SQL("ANALYZE"))
    src.close()
    return names


def _converter(pg_type: str):
    if pg_type == "timestamptz":
        # the file's timestamps are UTC without a zone; the server's zone is not UTC
        return lambda v: None if v is None else (v if re.search(r"(Z|[+-]\d\d:?\d\d)$", str(v)) else f"{v}+00")
    if pg_type == "text[]":
        return lambda v: None if v is None else json.loads(v)
    if pg_type == "boolean":
        return lambda v: None if v is None else str(v).strip().lower() in ("1", "true", "t", "yes")
    if pg_type == "numeric":
        return lambda v: None if v is None else repr(float(v)) if isinstance(v, float) else v
    return lambda v: v
