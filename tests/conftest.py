"""Shared fixtures: isolated app folders and small real SQLite files."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

if os.environ.get("EXECDASH_NO_QT"):
    # `./dev test` runs the core's tests once with Qt unimportable: proof that
    # the core needs no Qt at run time (import-linter checks the static imports).
    import importlib.abc
    import sys

    class _NoQt(importlib.abc.MetaPathFinder):
        BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "superqt", "qtpy", "qtawesome")

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"{name} is blocked: the core must not need Qt")
            return None

    sys.meta_path.insert(0, _NoQt())

from execdash_desktop.store import create_schema


@pytest.fixture(autouse=True)
def _isolated_app_dirs(tmp_path_factory, monkeypatch):
    """The app's side files (rollups, settings, metrics) go to a temp folder."""
    base = tmp_path_factory.mktemp("appdirs")
    monkeypatch.setenv("EXECDASH_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("EXECDASH_CACHE_DIR", str(base / "cache"))
    yield


def make_db(path: Path, rows: dict[str, list[dict]] | None = None, schema: bool = True) -> Path:
    """A real data file with the seed schema and the given rows per table."""
    conn = sqlite3.connect(path)
    if schema:
        create_schema(conn)
    for table, items in (rows or {}).items():
        for item in items:
            cols = ", ".join(item)
            marks = ", ".join("?" for _ in item)
            conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(item.values()))
    conn.commit()
    conn.close()
    return path


def trend(start: str, values: list[tuple[float, float, float]]) -> list[dict]:
    """revenue_trend rows for consecutive months from `start` (YYYY-MM)."""
    y, m = map(int, start.split("-"))
    out = []
    for rec, booked, backlog in values:
        out.append({"period": f"{y:04d}-{m:02d}", "recognized": rec, "booked": booked, "backlog": backlog})
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


@pytest.fixture
def db_factory(tmp_path):
    counter = iter(range(10_000))

    def factory(rows=None, schema=True, name=None):
        return make_db(tmp_path / (name or f"f{next(counter)}.sqlite"), rows, schema)

    return factory
