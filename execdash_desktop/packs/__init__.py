"""Dashboards as packs over one core (design/architecture.md).

A pack names the tables it reads, so the app can tell which dashboards a data
file holds. The Executive pack is the first; the Engineering (seed 003) and
Commerce (seed 004) packs join `all_packs()` as they are built.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    required: tuple[str, ...]  # without these its first screen cannot be served
    tables: tuple[str, ...]  # every table it reads (first screen, drill-downs, metrics)


def all_packs() -> tuple[Pack, ...]:
    from .executive import EXECUTIVE

    return (EXECUTIVE,)


def packs_in(tables: set[str]) -> list[Pack]:
    """The packs whose required tables a file holds."""
    return [p for p in all_packs() if all(t in tables for t in p.required)]
