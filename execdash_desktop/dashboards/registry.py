"""Which dashboards exist, and which of them a data file holds.

The core reaches a pack only here, by module name (importlib), so no core
module imports a pack statically (the import-linter contract holds that).
A pack module exposes `DASHBOARD`, a `spec.Dashboard`.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
from dataclasses import dataclass
from typing import Iterable

from .spec import Dashboard

# In sidebar order (Ctrl+1, Ctrl+2, ...). A new dashboard is one line here.
PACK_MODULES: tuple[str, ...] = (
    "execdash_desktop.packs.executive",
    "execdash_desktop.packs.engineering",
    "execdash_desktop.packs.commerce",
)
DEFAULT = "executive"  # when a file holds several dashboards, or none


def all_dashboards() -> tuple[Dashboard, ...]:
    return tuple(importlib.import_module(m).DASHBOARD for m in PACK_MODULES)


def names() -> tuple[str, ...]:
    return tuple(d.name for d in all_dashboards())


def get(name: str) -> Dashboard:
    """The dashboard called `name`; KeyError naming the known ones."""
    for d in all_dashboards():
        if d.name == name:
            return d
    raise KeyError(f"unknown dashboard {name!r}: expected one of {', '.join(names())}")


def _tables_of(where: str | os.PathLike | Iterable[str] | sqlite3.Connection) -> set[str]:
    from ..store import open_reader, table_names

    if isinstance(where, sqlite3.Connection):
        return table_names(where)
    if isinstance(where, (str, os.PathLike)):
        conn = open_reader(where)
        try:
            return table_names(conn)
        finally:
            conn.close()
    return set(where)


def dashboards_in(where: str | os.PathLike | Iterable[str] | sqlite3.Connection) -> list[Dashboard]:
    """The dashboards whose required tables a file (path, connection or its table names) holds."""
    tables = _tables_of(where)
    return [d for d in all_dashboards() if all(t in tables for t in d.required)]


def default_for(where: str | os.PathLike | Iterable[str] | sqlite3.Connection) -> Dashboard:
    """The only dashboard a file holds, else the executive one."""
    present = dashboards_in(where)
    return present[0] if len(present) == 1 else get(DEFAULT)


@dataclass(frozen=True)
class Holding:
    """What a file holds of one dashboard (`execdash dashboards`)."""

    dashboard: Dashboard
    present: bool  # every required table is there
    found: tuple[str, ...]
    missing: tuple[str, ...]


def holdings(where: str | os.PathLike | Iterable[str] | sqlite3.Connection) -> list[Holding]:
    tables = _tables_of(where)
    out = []
    for d in all_dashboards():
        found = tuple(t for t in d.tables if t in tables)
        missing = tuple(t for t in d.tables if t not in tables)
        out.append(Holding(d, all(t in tables for t in d.required), found, missing))
    return out
